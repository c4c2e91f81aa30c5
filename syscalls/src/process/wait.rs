//! Waiting for children: [`wait4`] and [`waitid`], with which children to
//! wait for ([`WaitFor`]), how ([`WaitOptions`]) and what happened to them
//! ([`WaitStatus`]).

use super::Pid;
use crate::arch::{syscall4, syscall5};
use crate::errno::{Errno, decode};
use crate::io::Fd;
use crate::nr::{__NR_wait4, __NR_waitid};
use crate::signal::{SigInfo, Signal};
use core::mem::MaybeUninit;
use linux_raw_sys::general as k;

/// Which children to wait for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum WaitFor {
    /// Any child.
    Any,
    /// This child.
    Child(Pid),
    /// Any child in this process group.
    Group(Pid),
    /// Any child in the caller's process group.
    OwnGroup,
    /// The child a pidfd refers to ([`waitid`] only, Linux 5.4 and later).
    Pidfd(Fd),
}

bitflags::bitflags! {
    /// Options for [`wait4`] and [`waitid`] (`W*`).
    ///
    /// [`waitid`] needs at least one of `EXITED`, `STOPPED` and
    /// `CONTINUED`; [`wait4`] always reports children that ended and
    /// takes `UNTRACED` and `CONTINUED` for the rest.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct WaitOptions: u32 {
        /// Return at once (with `None`) when no child has changed state.
        const NOHANG = k::WNOHANG;
        /// Also report children that stopped ([`wait4`]; the same bit as
        /// `STOPPED`).
        const UNTRACED = k::WUNTRACED;
        /// Report children that stopped ([`waitid`]).
        const STOPPED = k::WSTOPPED;
        /// Report children that ended ([`waitid`]).
        const EXITED = k::WEXITED;
        /// Report stopped children that continued after `SIGCONT`.
        const CONTINUED = k::WCONTINUED;
        /// Leave the child waitable: report it again next time
        /// ([`waitid`]).
        const NOWAIT = k::WNOWAIT;
        /// Wait for children of any kind, threads' `clone` children
        /// included (`__WALL`).
        const ALL = k::__WALL;
        /// Only wait for children of the calling thread, not of the
        /// others in the process (`__WNOTHREAD`).
        const NOTHREAD = k::__WNOTHREAD;
    }
}

/// What happened to a child.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum WaitStatus {
    /// It ended by calling `exit` with this code (0..=255).
    Exited(u8),
    /// A signal ended it.
    Signaled {
        /// The signal.
        signal: Signal,
        /// Whether it left a core dump.
        core_dumped: bool,
    },
    /// A signal stopped it (reported with [`WaitOptions::UNTRACED`]), or
    /// it stopped under `ptrace`.
    Stopped(Signal),
    /// `SIGCONT` continued it (reported with [`WaitOptions::CONTINUED`]).
    Continued,
}

impl WaitStatus {
    /// Decodes the status word `wait4` writes (what C's `WIFEXITED`,
    /// `WIFSIGNALED` and friends take apart). Every word decodes to
    /// something: the four kinds partition all values.
    pub const fn from_raw(status: i32) -> WaitStatus {
        let low = status & 0x7f;
        if status & 0xff == 0x7f {
            // `ptrace` events ride in the bits above 16; the signal is the
            // stop signal either way.
            WaitStatus::Stopped(Signal((status >> 8) & 0xff))
        } else if status == 0xffff {
            WaitStatus::Continued
        } else if low == 0 {
            WaitStatus::Exited(((status >> 8) & 0xff) as u8)
        } else {
            WaitStatus::Signaled {
                signal: Signal(low),
                core_dumped: status & 0x80 != 0,
            }
        }
    }

    /// Decodes `si_code` and `si_status` of a `SIGCHLD` or a `waitid`
    /// answer; `None` when `code` is not a `CLD_*` value.
    pub const fn from_child_code(code: i32, status: i32) -> Option<WaitStatus> {
        const EXITED: i32 = k::CLD_EXITED as i32;
        const KILLED: i32 = k::CLD_KILLED as i32;
        const DUMPED: i32 = k::CLD_DUMPED as i32;
        const STOPPED: i32 = k::CLD_STOPPED as i32;
        const TRAPPED: i32 = k::CLD_TRAPPED as i32;
        const CONTINUED: i32 = k::CLD_CONTINUED as i32;
        Some(match code {
            EXITED => WaitStatus::Exited(status as u8),
            KILLED | DUMPED => WaitStatus::Signaled {
                signal: Signal(status),
                core_dumped: code == DUMPED,
            },
            STOPPED | TRAPPED => WaitStatus::Stopped(Signal(status)),
            CONTINUED => WaitStatus::Continued,
            _ => return None,
        })
    }

    /// The exit status a shell reports for a child that ended: the code,
    /// or 128 plus the signal number; `None` for a child that only
    /// stopped or continued. What an init passes on as its own exit code.
    pub const fn shell_code(self) -> Option<u8> {
        match self {
            WaitStatus::Exited(code) => Some(code),
            WaitStatus::Signaled { signal, .. } => Some(128u8.wrapping_add(signal.0 as u8)),
            WaitStatus::Stopped(_) | WaitStatus::Continued => None,
        }
    }
}

impl SigInfo {
    /// For a `SIGCHLD` (or a `waitid` answer): which child changed state
    /// and how. `None` for other signals.
    pub fn child_status(&self) -> Option<(Pid, WaitStatus)> {
        if self.signal != Signal::CHLD {
            return None;
        }
        let status = WaitStatus::from_child_code(self.code, self.status)?;
        Some((Pid::from_raw(self.pid)?, status))
    }
}

/// Waits for a child of `which` to change state (end, and with the
/// options stop or continue), reaps it if it ended, and says which child
/// and what happened; `None` with [`WaitOptions::NOHANG`] when no child is
/// ready.
///
/// # Errors
/// `ECHILD` when there is no such child (also when `SIGCHLD` is ignored
/// and children are reaped at once); `EINTR` when a handler ran while
/// waiting (not retried: an init's loop decides whether to wait again);
/// `EINVAL` for [`WaitFor::Pidfd`], which only [`waitid`] takes, or bad
/// options.
///
/// # References
/// wait4(2), waitpid(2)
pub fn wait4(which: WaitFor, options: WaitOptions) -> Result<Option<(Pid, WaitStatus)>, Errno> {
    let pid = match which {
        WaitFor::Any => -1,
        WaitFor::Child(p) => p.as_raw(),
        WaitFor::Group(g) => -g.as_raw(),
        WaitFor::OwnGroup => 0,
        WaitFor::Pidfd(_) => return Err(Errno::EINVAL),
    };
    let mut status: i32 = 0;
    // SAFETY: the kernel writes one `int` into `status`, a live local; no
    // `rusage` is asked for.
    let r = decode(unsafe {
        syscall4(
            __NR_wait4,
            pid as usize,
            (&raw mut status) as usize,
            options.bits() as usize,
            0,
        )
    })?;
    Ok(Pid::from_raw(r as i32).map(|p| (p, WaitStatus::from_raw(status))))
}

/// Waits for a child of `which` to change state as the options ask
/// (at least one of `EXITED`, `STOPPED`, `CONTINUED`), reaps it if it
/// ended (unless `NOWAIT`), and says which child and what happened;
/// `None` with [`WaitOptions::NOHANG`] when no child is ready.
///
/// # Errors
/// `ECHILD` when there is no such child; `EINTR` when a handler ran while
/// waiting (not retried); `EAGAIN` for a non-blocking pidfd whose process
/// still runs; `EINVAL` for options without an event to wait for.
///
/// # References
/// waitid(2)
pub fn waitid(which: WaitFor, options: WaitOptions) -> Result<Option<(Pid, WaitStatus)>, Errno> {
    let (idtype, id) = match which {
        WaitFor::Any => (k::P_ALL, 0),
        WaitFor::Child(p) => (k::P_PID, p.as_raw()),
        WaitFor::Group(g) => (k::P_PGID, g.as_raw()),
        // P_PGID with id 0: the caller's group (Linux 5.4 and later).
        WaitFor::OwnGroup => (k::P_PGID, 0),
        WaitFor::Pidfd(fd) => (k::P_PIDFD, fd),
    };
    // Zeroed: with NOHANG and no child ready the kernel writes a zero
    // `si_pid`, and the rest must read as something.
    let mut info = MaybeUninit::<k::siginfo>::zeroed();
    // SAFETY: the kernel writes one `siginfo` into `info`; no `rusage` is
    // asked for.
    decode(unsafe {
        syscall5(
            __NR_waitid,
            idtype as usize,
            id as usize,
            info.as_mut_ptr() as usize,
            options.bits() as usize,
            0,
        )
    })?;
    // SAFETY: zeroed and then possibly filled; all-integer fields are
    // valid for any value.
    let info = SigInfo::from_kernel(unsafe { info.assume_init_ref() });
    if info.pid == 0 {
        return Ok(None);
    }
    let status = WaitStatus::from_child_code(info.code, info.status).ok_or(Errno::EINVAL)?;
    Ok(Pid::from_raw(info.pid).map(|p| (p, status)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_kind_of_status_word() {
        assert_eq!(WaitStatus::from_raw(0), WaitStatus::Exited(0));
        assert_eq!(WaitStatus::from_raw(3 << 8), WaitStatus::Exited(3));
        assert_eq!(WaitStatus::from_raw(255 << 8), WaitStatus::Exited(255));
        assert_eq!(
            WaitStatus::from_raw(9),
            WaitStatus::Signaled {
                signal: Signal::KILL,
                core_dumped: false
            }
        );
        assert_eq!(
            WaitStatus::from_raw(6 | 0x80),
            WaitStatus::Signaled {
                signal: Signal::ABRT,
                core_dumped: true
            }
        );
        assert_eq!(
            WaitStatus::from_raw((19 << 8) | 0x7f),
            WaitStatus::Stopped(Signal::STOP)
        );
        // A ptrace event (PTRACE_EVENT_EXEC = 4) above a SIGTRAP stop.
        assert_eq!(
            WaitStatus::from_raw((4 << 16) | (5 << 8) | 0x7f),
            WaitStatus::Stopped(Signal::TRAP)
        );
        assert_eq!(WaitStatus::from_raw(0xffff), WaitStatus::Continued);
        // Nonsense words still decode, without panicking.
        for raw in [-1, i32::MIN, i32::MAX, 0xff, 0x7fff_ff7f] {
            let _ = WaitStatus::from_raw(raw);
        }
    }

    #[test]
    fn shell_codes() {
        assert_eq!(WaitStatus::Exited(3).shell_code(), Some(3));
        let killed = WaitStatus::Signaled {
            signal: Signal::TERM,
            core_dumped: false,
        };
        assert_eq!(killed.shell_code(), Some(143));
        assert_eq!(WaitStatus::Continued.shell_code(), None);
    }

    #[test]
    fn child_codes() {
        let c = |code: u32, st| WaitStatus::from_child_code(code as i32, st);
        assert_eq!(c(k::CLD_EXITED, 7), Some(WaitStatus::Exited(7)));
        assert_eq!(
            c(k::CLD_DUMPED, 11),
            Some(WaitStatus::Signaled {
                signal: Signal::SEGV,
                core_dumped: true
            })
        );
        assert_eq!(c(k::CLD_CONTINUED, 18), Some(WaitStatus::Continued));
        assert_eq!(WaitStatus::from_child_code(0, 0), None);
    }

    #[test]
    fn no_children_is_echild() {
        // Threads of the test harness are not children; a pid that is not
        // ours is refused.
        assert_eq!(
            wait4(WaitFor::Child(Pid::INIT), WaitOptions::NOHANG),
            Err(Errno::ECHILD)
        );
        assert_eq!(
            waitid(
                WaitFor::Child(Pid::INIT),
                WaitOptions::EXITED | WaitOptions::NOHANG
            ),
            Err(Errno::ECHILD)
        );
        assert_eq!(
            wait4(WaitFor::Pidfd(0), WaitOptions::empty()),
            Err(Errno::EINVAL)
        );
    }
}
