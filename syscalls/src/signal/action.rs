//! What a signal does when it arrives: [`sigaction`] and its types.

use super::Signal;
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
