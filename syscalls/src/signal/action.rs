//! What a signal does when it arrives: [`sigaction`], the previous
//! disposition ([`Disposition`]) and putting it back.
//!
//! # Returning from a handler
//!
//! A handler returns to a *restorer* that makes `rt_sigreturn`. Where it
//! comes from differs per architecture, and [`sigaction`] takes care of
//! it (`arch::set_restorer`):
//!
//! - x86_64: the kernel requires `SA_RESTORER` and jumps to
//!   `sa_restorer`; the 64-bit vDSO exports no sigreturn, so this crate
//!   supplies its own two-instruction trampoline.
//! - aarch64: without `SA_RESTORER` the kernel returns through the vDSO's
//!   `__kernel_rt_sigreturn` (`setup_return` in
//!   `arch/arm64/kernel/signal.c`), which carries the unwind tables
//!   debuggers expect; nothing is set.
//! - riscv64: there is no `SA_RESTORER`; the kernel always returns through
//!   the vDSO's `__vdso_rt_sigreturn` (`setup_rt_frame` in
//!   `arch/riscv/kernel/signal.c`).
//!
//! Under qemu-user it is the same: qemu-x86_64 needs `SA_RESTORER` and
//! returns through freestand's trampoline, as the kernel does;
//! qemu-aarch64 and qemu-riscv64 return through the sigreturn of the vDSO
//! qemu maps for the guest.

use super::{SigSet, Signal};
use crate::arch::syscall4;
use crate::errno::{Errno, decode_unit};
use crate::nr::__NR_rt_sigaction;
use core::ffi::{c_int, c_ulong, c_void};
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Flags for [`sigaction`] (`SA_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct SaFlags: u32 {
        /// The handler takes `(signal, siginfo, ucontext)`. Always set by
        /// [`sigaction`].
        const SIGINFO = k::SA_SIGINFO;
        /// Run the handler on the alternate stack set by
        /// [`sigaltstack`](super::sigaltstack).
        const ONSTACK = k::SA_ONSTACK;
        /// Reset the disposition to the default when the handler starts.
        const RESETHAND = k::SA_RESETHAND;
        /// Do not block the signal while its handler runs.
        const NODEFER = k::SA_NODEFER;
        /// Restart interrupted system calls.
        const RESTART = k::SA_RESTART;
        /// For `SIGCHLD`: no signal when a child stops or continues.
        const NOCLDSTOP = k::SA_NOCLDSTOP;
        /// For `SIGCHLD`: children that end are reaped at once, never
        /// becoming zombies (and `wait` cannot see them).
        const NOCLDWAIT = k::SA_NOCLDWAIT;
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

/// A signal's disposition as the kernel holds it: what [`sigaction_replace`]
/// and [`sigaction_query`] report, and what [`sigaction_restore`] puts
/// back exactly (handler, flags, mask and restorer).
#[derive(Copy, Clone)]
pub struct Disposition(k::kernel_sigaction);

impl Disposition {
    /// The handler field: `SIG_DFL`, `SIG_IGN` or a function's address.
    fn handler(&self) -> usize {
        self.0.sa_handler_kernel.map_or(SIG_DFL, |h| h as usize)
    }

    /// Whether the signal has its default action.
    pub fn is_default(&self) -> bool {
        self.handler() == SIG_DFL
    }

    /// Whether the signal is ignored.
    pub fn is_ignored(&self) -> bool {
        self.handler() == SIG_IGN
    }

    /// Whether a handler catches the signal (with or without `SA_SIGINFO`).
    pub fn is_handled(&self) -> bool {
        !self.is_default() && !self.is_ignored()
    }

    /// The flags, without those this crate does not name (such as
    /// `SA_RESTORER`, which is still restored).
    pub fn flags(&self) -> SaFlags {
        SaFlags::from_bits_truncate(self.0.sa_flags as u32)
    }

    /// The signals blocked while the handler runs.
    pub fn mask(&self) -> SigSet {
        // One 64-bit word on these 64-bit architectures, the same bits.
        SigSet(self.0.sa_mask.sig[0])
    }
}

impl core::fmt::Debug for Disposition {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let what = if self.is_default() {
            "Default"
        } else if self.is_ignored() {
            "Ignore"
        } else {
            "Handle"
        };
        f.debug_struct("Disposition")
            .field("action", &format_args!("{what}"))
            .field("flags", &self.flags())
            .field("mask", &self.mask())
            .finish()
    }
}

/// The `kernel_sigaction` for `action`, `flags` (with `SA_SIGINFO`) and
/// `mask`, with this architecture's restorer.
fn build(action: Action, flags: SaFlags, mask: SigSet) -> k::kernel_sigaction {
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
    sa.sa_mask.sig[0] = mask.0 as c_ulong;
    crate::arch::set_restorer(&mut sa);
    sa
}

/// `rt_sigaction(sig, new, old)`, either pointer optional.
///
/// # Safety
///
/// A `new` action with a handler must meet [`sigaction`]'s contract.
unsafe fn rt_sigaction(
    sig: Signal,
    new: Option<&k::kernel_sigaction>,
    old: Option<&mut k::kernel_sigaction>,
) -> Result<(), Errno> {
    let new = new.map_or(0, |n| n as *const _ as usize);
    let old = old.map_or(0, |o| o as *mut _ as usize);
    // SAFETY: `new` is null or a complete `kernel_sigaction` the kernel
    // reads; `old` is null or one it writes; the last argument is the
    // size of the kernel's signal set. The caller vouches for a handler.
    decode_unit(unsafe {
        syscall4(
            __NR_rt_sigaction,
            sig.0 as usize,
            new,
            old,
            core::mem::size_of::<k::kernel_sigset_t>(),
        )
    })
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
    // SAFETY: the caller upholds this function's contract, the same.
    unsafe { rt_sigaction(sig, Some(&build(action, flags, SigSet::EMPTY)), None) }
}

/// Sets what `sig` does, blocking `mask` (and `sig`, unless
/// [`SaFlags::NODEFER`]) while a handler runs, and returns the disposition
/// it replaces, for [`sigaction_restore`].
///
/// # Errors
/// `EINVAL` for an invalid signal or one that cannot be caught.
///
/// # Safety
///
/// As for [`sigaction`].
///
/// # References
/// rt_sigaction(2), signal(7)
pub unsafe fn sigaction_replace(
    sig: Signal,
    action: Action,
    flags: SaFlags,
    mask: SigSet,
) -> Result<Disposition, Errno> {
    let mut old = Disposition(build(Action::Default, SaFlags::empty(), SigSet::EMPTY));
    // SAFETY: the caller upholds this function's contract, the same.
    unsafe { rt_sigaction(sig, Some(&build(action, flags, mask)), Some(&mut old.0))? };
    Ok(old)
}

/// What `sig` does now, changing nothing.
///
/// # Errors
/// `EINVAL` for a number that is not a signal.
///
/// # References
/// rt_sigaction(2)
pub fn sigaction_query(sig: Signal) -> Result<Disposition, Errno> {
    let mut old = Disposition(build(Action::Default, SaFlags::empty(), SigSet::EMPTY));
    // SAFETY: no new action is installed; the kernel only writes `old`.
    unsafe { rt_sigaction(sig, None, Some(&mut old.0))? };
    Ok(old)
}

/// Puts back a disposition that [`sigaction_replace`] or
/// [`sigaction_query`] reported for `sig`: handler, flags, mask and
/// restorer as they were. A child about to `exec` uses this to give the
/// new program the dispositions its parent started with.
///
/// # Errors
/// `EINVAL` for an invalid signal or one that cannot be caught.
///
/// # Safety
///
/// If `old` holds a handler, that handler must still meet [`sigaction`]'s
/// contract: the code that installed it must expect it to run again.
///
/// # References
/// rt_sigaction(2)
pub unsafe fn sigaction_restore(sig: Signal, old: &Disposition) -> Result<(), Errno> {
    // SAFETY: the caller vouches for the handler in `old`, which the
    // kernel itself reported, so its other fields are valid.
    unsafe { rt_sigaction(sig, Some(&old.0), None) }
}

/// Sets every signal that has a handler back to its default action;
/// ignored signals stay ignored (as `execve` does). Makes one query per
/// signal, and a change for each handled one.
///
/// For a child about to `exec`, so that no parent handler runs in it
/// meanwhile. Setting the default action cannot break memory safety.
///
/// # Errors
/// The first error of a change (none in practice).
///
/// # References
/// rt_sigaction(2), execve(2) ("signal dispositions")
pub fn reset_handlers() -> Result<(), Errno> {
    let default = build(Action::Default, SaFlags::empty(), SigSet::EMPTY);
    for sig in Signal::all() {
        if sig == Signal::KILL || sig == Signal::STOP {
            continue;
        }
        if sigaction_query(sig).is_ok_and(|d| d.is_handled()) {
            // SAFETY: the default action runs no handler.
            unsafe { rt_sigaction(sig, Some(&default), None)? };
        }
    }
    Ok(())
}
