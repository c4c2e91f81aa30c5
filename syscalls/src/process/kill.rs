//! Sending signals: to a process ([`kill`]), a process group
//! ([`killpg`]), a thread ([`tgkill`], [`raise`]), and through a pidfd
//! ([`pidfd_open`], [`pidfd_send_signal`]), which cannot hit a recycled
//! pid.

use super::Pid;
use crate::arch::{syscall2, syscall3, syscall4};
use crate::errno::{Errno, decode, decode_unit};
use crate::io::Fd;
use crate::nr::{__NR_kill, __NR_pidfd_open, __NR_pidfd_send_signal, __NR_tgkill};
use crate::signal::Signal;
use linux_raw_sys::general as k;

/// Sends `sig` to process `pid`. `Signal(0)` sends nothing and only checks
/// that the process exists and may be signalled.
///
/// # Errors
/// `ESRCH` when there is no such process (a zombie still counts);
/// `EPERM` when the caller may not signal it; `EINVAL` for a bad signal.
///
/// # References
/// kill(2)
#[inline]
pub fn kill(pid: Pid, sig: Signal) -> Result<(), Errno> {
    // SAFETY: `kill` takes two integers and touches no user memory.
    decode_unit(unsafe { syscall2(__NR_kill, pid.as_raw() as usize, sig.0 as usize) })
}

/// Sends `sig` to every process of process group `pgrp` (`kill(-pgrp)`).
///
/// # Errors
/// `ESRCH` when the group has no process; `EPERM` when the caller may
/// signal none of them; `EINVAL` for a bad signal.
///
/// # References
/// kill(2), killpg(3)
#[inline]
pub fn killpg(pgrp: Pid, sig: Signal) -> Result<(), Errno> {
    // SAFETY: `kill` takes two integers and touches no user memory. A
    // `Pid` is positive, so its negation is a valid group selector.
    decode_unit(unsafe { syscall2(__NR_kill, (-pgrp.as_raw()) as usize, sig.0 as usize) })
}

/// Sends `sig` to thread `tid` of process `tgid`; fails rather than
/// signal a different process that reused the thread id.
///
/// # Errors
/// `ESRCH` when there is no such thread in that process; `EPERM`,
/// `EINVAL` as for [`kill`].
///
/// # References
/// tgkill(2)
#[inline]
pub fn tgkill(tgid: Pid, tid: Pid, sig: Signal) -> Result<(), Errno> {
    // SAFETY: `tgkill` takes three integers and touches no user memory.
    decode_unit(unsafe {
        syscall3(
            __NR_tgkill,
            tgid.as_raw() as usize,
            tid.as_raw() as usize,
            sig.0 as usize,
        )
    })
}

/// Sends `sig` to the calling thread. If it is not blocked, its handler
/// (or default action) runs before this returns.
///
/// # Errors
/// `EINVAL` for a bad signal.
///
/// # References
/// raise(3), tgkill(2)
#[inline]
pub fn raise(sig: Signal) -> Result<(), Errno> {
    tgkill(Pid::this(), Pid::this_thread(), sig)
}

bitflags::bitflags! {
    /// Flags for [`pidfd_open`]. The kernel defines `PIDFD_NONBLOCK` as
    /// `O_NONBLOCK` (`include/uapi/linux/pidfd.h`), which `linux-raw-sys`
    /// does not list under that name.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct PidfdFlags: u32 {
        /// `waitid` on the pidfd returns `EAGAIN` instead of waiting while
        /// the process runs.
        const NONBLOCK = k::O_NONBLOCK;
    }
}

/// A descriptor that refers to process `pid` itself, not to its number:
/// it becomes readable when the process ends, [`pidfd_send_signal`]
/// sends to it, and [`waitid`](super::waitid) with
/// [`WaitFor::Pidfd`](super::WaitFor::Pidfd) waits for it. Always
/// close-on-exec. Linux 5.3 and later.
///
/// # Errors
/// `ESRCH` when there is no such process; `EINVAL` when `pid` is not a
/// thread-group leader; `ENOSYS` before Linux 5.3; `EMFILE`, `ENFILE`.
///
/// # References
/// pidfd_open(2)
#[inline]
pub fn pidfd_open(pid: Pid, flags: PidfdFlags) -> Result<Fd, Errno> {
    // SAFETY: `pidfd_open` takes two integers and touches no user memory.
    let fd = decode(unsafe {
        syscall2(
            __NR_pidfd_open,
            pid.as_raw() as usize,
            flags.bits() as usize,
        )
    })?;
    Ok(fd as Fd)
}

/// Sends `sig` to the process `pidfd` refers to, as [`kill`] would.
/// Linux 5.1 and later.
///
/// # Errors
/// `ESRCH` when the process has ended (even if not yet reaped);
/// `EBADF` when `pidfd` is not a pidfd; `EPERM`, `EINVAL` as for [`kill`].
///
/// # References
/// pidfd_send_signal(2)
#[inline]
pub fn pidfd_send_signal(pidfd: Fd, sig: Signal) -> Result<(), Errno> {
    // SAFETY: no `siginfo` is passed (null) and no flags; the call reads
    // no other user memory.
    decode_unit(unsafe { syscall4(__NR_pidfd_send_signal, pidfd as usize, sig.0 as usize, 0, 0) })
}
