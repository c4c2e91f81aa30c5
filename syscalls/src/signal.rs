//! Signals: handlers ([`sigaction`]) and the stack they run on
//! ([`sigaltstack`]).
//!
//! Only what a runtime needs to catch a fault is here. A handler is a
//! `SA_SIGINFO` function taking the signal number, the `siginfo` and the
//! `ucontext`; on x86_64 [`sigaction`] supplies the `SA_RESTORER`
//! trampoline the kernel returns through, and on riscv64 the kernel uses
//! the vDSO's, so callers never deal with it.

use crate::arch::{syscall2, syscall4};
use crate::errno::{Errno, decode_unit};
use crate::nr::{__NR_rt_sigaction, __NR_rt_sigprocmask, __NR_sigaltstack};
use core::ffi::{c_int, c_ulong, c_void};
use linux_raw_sys::general as k;

/// A signal number.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signal(pub c_int);

impl Signal {
    /// Invalid memory reference.
    pub const SEGV: Signal = Signal(k::SIGSEGV as c_int);
    /// Bus error.
    pub const BUS: Signal = Signal(k::SIGBUS as c_int);
    /// Write to a pipe with no reader.
    pub const PIPE: Signal = Signal(k::SIGPIPE as c_int);
}

bitflags::bitflags! {
    /// Flags for [`sigaction`] (`SA_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct SaFlags: u32 {
        /// The handler takes `(signal, siginfo, ucontext)`. Always set by
        /// [`sigaction`].
        const SIGINFO = k::SA_SIGINFO;
        /// Run the handler on the alternate stack set by [`sigaltstack`].
        const ONSTACK = k::SA_ONSTACK;
        /// Reset the disposition to the default when the handler starts.
        const RESETHAND = k::SA_RESETHAND;
        /// Do not block the signal while its handler runs.
        const NODEFER = k::SA_NODEFER;
        /// Restart interrupted system calls.
        const RESTART = k::SA_RESTART;
    }
}

/// A `SA_SIGINFO` signal handler: the signal number, a pointer to the
/// kernel's `siginfo` and a pointer to the interrupted `ucontext`.
pub type Handler = unsafe extern "C" fn(c_int, *mut c_void, *mut c_void);

/// `SIG_DFL` and `SIG_IGN` (`include/uapi/asm-generic/signal-defs.h`): casts
/// of 0 and 1 to a handler, which `linux-raw-sys` cannot generate.
const SIG_DFL: usize = 0;
const SIG_IGN: usize = 1;

/// What a signal does when it arrives.
#[derive(Copy, Clone, Debug)]
pub enum Action {
    /// The default action (`SIG_DFL`).
    Default,
    /// Ignore it (`SIG_IGN`).
    Ignore,
    /// Call this handler.
    Handle(Handler),
}

/// Sets what `sig` does, blocking no other signal while a handler runs.
///
/// # Errors
/// `EINVAL` for an invalid signal or one that cannot be caught.
///
/// # Safety
///
/// A handler runs at any point of the program, possibly on a small
/// alternate stack: it must only do what is safe there (no locks the
/// interrupted code may hold, no allocation), and it must be a function
/// that stays valid for as long as the disposition is installed.
///
/// # References
/// rt_sigaction(2), signal(7)
pub unsafe fn sigaction(sig: Signal, action: Action, flags: SaFlags) -> Result<(), Errno> {
    let handler: usize = match action {
        Action::Default => SIG_DFL,
        Action::Ignore => SIG_IGN,
        Action::Handle(h) => h as usize,
    };
    // SAFETY: all-zero is a valid `kernel_sigaction` (null handler, no
    // flags, empty mask); the handler field is set from `handler` below.
    let mut sa: k::kernel_sigaction = unsafe { core::mem::zeroed() };
    // SAFETY: the kernel takes this field as a plain address, which may be
    // 0 (SIG_DFL) or 1 (SIG_IGN), so it is passed through as one.
    sa.sa_handler_kernel =
        unsafe { core::mem::transmute::<usize, k::__kernel_sighandler_t>(handler) };
    sa.sa_flags = (flags | SaFlags::SIGINFO).bits() as c_ulong;
    crate::arch::set_restorer(&mut sa);
    // SAFETY: `sa` is a complete `kernel_sigaction` that the kernel reads;
    // no old action is asked for; the last argument is the size of the
    // kernel's signal set. The caller vouches for the handler.
    decode_unit(unsafe {
        syscall4(
            __NR_rt_sigaction,
            sig.0 as usize,
            (&raw const sa) as usize,
            0,
            core::mem::size_of::<k::kernel_sigset_t>(),
        )
    })
}

/// A set of signals, as the kernel's 64-bit `sigset_t`: bit `n - 1` for
/// signal `n`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SigSet(pub u64);

impl SigSet {
    /// No signal.
    pub const EMPTY: SigSet = SigSet(0);
    /// Every signal (the kernel leaves `SIGKILL` and `SIGSTOP` unblocked
    /// whatever the mask says).
    pub const ALL: SigSet = SigSet(!0);

    /// Whether `sig` is in the set (false for a number out of range).
    pub fn contains(self, sig: Signal) -> bool {
        (1..=64).contains(&sig.0) && self.0 & (1 << (sig.0 - 1)) != 0
    }
}

/// How [`sigprocmask`] changes the mask.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum How {
    /// Add the set to the blocked signals.
    Block,
    /// Remove the set from them.
    Unblock,
    /// Make the set the blocked signals.
    SetMask,
}

/// Changes the calling thread's blocked signals as `how` says and returns
/// the mask as it was before.
///
/// # Errors
/// None in practice (`EINVAL` for a bad `how` cannot happen here).
///
/// # References
/// rt_sigprocmask(2)
pub fn sigprocmask(how: How, set: SigSet) -> Result<SigSet, Errno> {
    let how = match how {
        How::Block => k::SIG_BLOCK,
        How::Unblock => k::SIG_UNBLOCK,
        How::SetMask => k::SIG_SETMASK,
    };
    let mut old = SigSet::EMPTY;
    // SAFETY: the kernel reads one `sigset_t` from `set` and writes one to
    // `old`, both live locals of that size.
    let r = unsafe {
        syscall4(
            __NR_rt_sigprocmask,
            how as usize,
            (&raw const set) as usize,
            (&raw mut old) as usize,
            core::mem::size_of::<SigSet>(),
        )
    };
    decode_unit(r).map(|()| old)
}

/// Makes `[stack, stack + len)` the stack that `SA_ONSTACK` handlers of the
/// calling thread run on.
///
/// # Errors
/// `ENOMEM` if `len` is below the kernel's minimum (`MINSIGSTKSZ`, or the
/// larger `AT_MINSIGSTKSZ` on machines with big vector registers), `EPERM`
/// while running on the alternate stack.
///
/// # Safety
///
/// The memory must be writable, used for nothing else, and stay valid for
/// as long as it is installed.
///
/// # References
/// sigaltstack(2)
pub unsafe fn sigaltstack(stack: *mut u8, len: usize) -> Result<(), Errno> {
    let ss = k::sigaltstack {
        ss_sp: stack.cast(),
        ss_flags: 0,
        ss_size: len as _,
    };
    // SAFETY: the kernel reads `ss`; no old stack is asked for. The caller
    // vouches for the memory.
    decode_unit(unsafe { syscall2(__NR_sigaltstack, (&raw const ss) as usize, 0) })
}

/// The stack pointer of the code a `SA_SIGINFO` handler interrupted.
///
/// # Safety
///
/// `ucontext` must be the third argument the kernel passed to the handler.
///
/// # References
/// sigaction(2) (`SA_SIGINFO`, the `ucontext_t` argument); the kernel's `arch/*/include/uapi/asm/ucontext.h`
pub unsafe fn interrupted_sp(ucontext: *const c_void) -> usize {
    // SAFETY: the kernel's `ucontext` holds the saved stack pointer, a
    // word, at this offset on this architecture.
    unsafe {
        ucontext
            .cast::<u8>()
            .add(crate::arch::UCONTEXT_SP)
            .cast::<usize>()
            .read()
    }
}

/// The faulting address of a `SIGSEGV` or `SIGBUS` (`si_addr`).
///
/// # Safety
///
/// `info` must be the second argument the kernel passed to the handler of
/// a `SIGSEGV` or `SIGBUS`.
///
/// # References
/// sigaction(2) (`si_addr` of `SIGSEGV` and `SIGBUS`)
pub unsafe fn fault_address(info: *const c_void) -> usize {
    // SAFETY: for these signals the kernel fills in the `_sigfault` member
    // of the `siginfo` union, whose first field is the address.
    unsafe {
        let info = &*info.cast::<k::siginfo>();
        info.__bindgen_anon_1
            .__bindgen_anon_1
            ._sifields
            ._sigfault
            ._addr as usize
    }
}
