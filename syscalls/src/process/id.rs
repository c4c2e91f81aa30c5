//! Ids (process, thread, parent, group, session), yielding the CPU, and
//! the end of the process.

use crate::arch::{syscall0, syscall0_readonly, syscall1, syscall1_noreturn, syscall2};
use crate::errno::{Errno, decode, decode_unit};
use crate::nr::{
    __NR_exit_group, __NR_getpgid, __NR_getpid, __NR_getppid, __NR_gettid, __NR_sched_yield,
    __NR_setpgid, __NR_setsid,
};
use core::fmt;
use core::num::NonZeroI32;

/// A process, process-group, session or thread id: always positive.
///
/// The kernel's calls give these meanings to 0 and negative numbers
/// ("myself", "my group", "every process"); this crate spells those out
/// with separate functions or `Option`s instead, so a `Pid` is always one
/// specific id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pid(NonZeroI32);

impl Pid {
    /// Process 1, the init of its pid namespace.
    pub const INIT: Pid = Pid(NonZeroI32::new(1).unwrap());

    /// `raw` as an id, if it is positive.
    pub const fn from_raw(raw: i32) -> Option<Pid> {
        if raw > 0 {
            match NonZeroI32::new(raw) {
                Some(n) => Some(Pid(n)),
                None => None,
            }
        } else {
            None
        }
    }

    /// The number, as the kernel takes it.
    pub const fn as_raw(self) -> i32 {
        self.0.get()
    }

    /// The calling process's id ([`getpid`]).
    pub fn this() -> Pid {
        // The kernel's pids start at 1.
        Pid::from_raw(getpid()).unwrap_or(Pid::INIT)
    }

    /// The calling thread's id ([`gettid`]).
    pub fn this_thread() -> Pid {
        Pid::from_raw(gettid()).unwrap_or(Pid::INIT)
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

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

/// The parent's process id, or `None` when the parent is outside the
/// caller's pid namespace (as for the namespace's init). An orphan's
/// parent is its subreaper or the init. Cannot fail.
///
/// # References
/// getppid(2)
#[inline]
pub fn getppid() -> Option<Pid> {
    // SAFETY: `getppid` takes no arguments and touches no user memory.
    Pid::from_raw(unsafe { syscall0_readonly(__NR_getppid) } as i32)
}

/// Starts a new session, led by the caller, in a new process group of
/// its own, with no controlling terminal; returns the session id (the
/// caller's pid).
///
/// # Errors
/// `EPERM` when the caller already leads a process group (a fresh
/// child of `fork` never does).
///
/// # References
/// setsid(2), credentials(7)
#[inline]
pub fn setsid() -> Result<Pid, Errno> {
    // SAFETY: `setsid` takes no arguments and touches no user memory.
    let r = decode(unsafe { syscall0(__NR_setsid) })?;
    Pid::from_raw(r as i32).ok_or(Errno::EINVAL)
}

/// Moves process `pid` (`None`: the caller) into process group `pgid`
/// (`None`: a new group whose id is the process's own).
///
/// # Errors
/// `EACCES` when `pid` is a child that has already called `execve`;
/// `EPERM` when the group is in another session or the process leads a
/// session; `ESRCH` when `pid` is neither the caller nor its child.
///
/// # References
/// setpgid(2), credentials(7)
#[inline]
pub fn setpgid(pid: Option<Pid>, pgid: Option<Pid>) -> Result<(), Errno> {
    let raw = |p: Option<Pid>| p.map_or(0, Pid::as_raw) as usize;
    // SAFETY: `setpgid` takes two integers and touches no user memory.
    decode_unit(unsafe { syscall2(__NR_setpgid, raw(pid), raw(pgid)) })
}

/// The process group of `pid` (`None`: the caller).
///
/// # Errors
/// `ESRCH` when there is no such process.
///
/// # References
/// getpgid(2)
#[inline]
pub fn getpgid(pid: Option<Pid>) -> Result<Pid, Errno> {
    // SAFETY: `getpgid` takes an integer and touches no user memory.
    let r = decode(unsafe { syscall1(__NR_getpgid, pid.map_or(0, Pid::as_raw) as usize) })?;
    Pid::from_raw(r as i32).ok_or(Errno::ESRCH)
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

    #[test]
    fn parent_group_and_session_ids() {
        let me = Pid::this();
        assert_eq!(me.as_raw(), getpid());
        assert!(getppid().is_some_and(|p| p != me));
        let group = getpgid(None).unwrap();
        assert_eq!(getpgid(Some(me)), Ok(group));
        assert_eq!(Pid::from_raw(0), None);
        assert_eq!(Pid::from_raw(-5), None);
        assert_eq!(Pid::INIT.as_raw(), 1);
    }
}
