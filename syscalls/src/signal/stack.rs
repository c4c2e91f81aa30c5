//! The alternate signal stack ([`sigaltstack`]) and what a handler can
//! read from the kernel's arguments about the interrupted code.

use crate::arch::syscall2;
use crate::errno::{Errno, decode_unit};
use crate::nr::__NR_sigaltstack;
use core::ffi::c_void;
use linux_raw_sys::general as k;

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
