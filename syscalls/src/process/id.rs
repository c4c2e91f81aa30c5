//! Ids, yielding the CPU, and the end of the process.

use crate::arch::{syscall0, syscall0_readonly, syscall1_noreturn};
use crate::nr::{__NR_exit_group, __NR_getpid, __NR_gettid, __NR_sched_yield};

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

/// The calling thread's id: the process id for the first thread, another
/// id for each thread created since. Cannot fail.
///
/// # References
/// gettid(2)
#[inline]
pub fn gettid() -> i32 {
    // SAFETY: `gettid` takes no arguments and touches no user memory.
    unsafe { syscall0_readonly(__NR_gettid) as i32 }
}

/// Gives up the CPU: the calling thread goes to the back of its run
/// queue, and runs again at once if nothing else is runnable there.
/// Always succeeds on Linux.
///
/// # References
/// sched_yield(2)
#[inline]
pub fn sched_yield() {
    // SAFETY: `sched_yield` takes no arguments and touches no user memory.
    // Not `readonly`: other threads may run meanwhile, and a caller that
    // yields in a loop expects to see what they wrote.
    unsafe { syscall0(__NR_sched_yield) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thread_has_its_own_id() {
        extern crate std;
        // The test harness runs this on a thread of its own, so the ids
        // are compared between threads, not with the process id.
        sched_yield();
        let here = gettid();
        assert_eq!(gettid(), here);
        let (other, pid) = std::thread::spawn(|| (gettid(), getpid())).join().unwrap();
        assert_ne!(other, here);
        assert!(other > 0 && here > 0);
        assert_eq!(pid, getpid());
    }
}
