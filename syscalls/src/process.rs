//! The process: its id and its end.

use crate::arch::{syscall0_readonly, syscall1_noreturn};
use crate::nr::{__NR_exit_group, __NR_getpid};

/// Ends every thread of the process with status `code & 0xff`.
///
/// # References
/// exit_group(2)
#[inline]
pub fn exit_group(code: i32) -> ! {
    // SAFETY: `exit_group` takes a plain integer and never returns.
    unsafe { syscall1_noreturn(__NR_exit_group, code as usize) }
}

/// The calling process's id. Cannot fail.
///
/// # References
/// getpid(2)
#[inline]
pub fn getpid() -> i32 {
    // SAFETY: `getpid` takes no arguments and touches no user memory.
    unsafe { syscall0_readonly(__NR_getpid) as i32 }
}
