//! Taking signals synchronously ([`sigtimedwait`], [`sigwaitinfo`]) and
//! the typed part of the kernel's `siginfo` they report ([`SigInfo`]).

use super::{SigSet, Signal};
use crate::arch::syscall4;
use crate::errno::{Errno, decode};
use crate::nr::__NR_rt_sigtimedwait;
use crate::time::{Timespec, saturating_timespec};
use core::ffi::c_void;
use core::mem::MaybeUninit;
use core::time::Duration;
use linux_raw_sys::general as k;

/// The fields of a `siginfo` that a process manager reads: who sent a
/// signal, and how a child changed state.
///
/// Which fields mean something depends on `signal` and `code`:
/// `pid` and `uid` for a signal sent by `kill`, `tgkill` or `sigqueue`
/// (`code` is [`SigInfo::USER`], [`SigInfo::TKILL`] or
/// [`SigInfo::QUEUE`]) and for `SIGCHLD`; `status` for `SIGCHLD` only
/// (see [`SigInfo::child_status`]). For other signals they hold whatever
/// the kernel's union holds at those places (for a fault, parts of the
/// address).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct SigInfo {
    /// The signal (`si_signo`).
    pub signal: Signal,
    /// Why it was sent (`si_code`): `SI_*` for a process, `CLD_*` for
    /// `SIGCHLD`, `SEGV_*` and so on for faults.
    pub code: i32,
    /// An error number the sender attached (`si_errno`), usually 0.
    pub errno: i32,
    /// The sending process, or the child for `SIGCHLD` (`si_pid`).
    pub pid: i32,
    /// The sender's real user id (`si_uid`).
    pub uid: u32,
    /// For `SIGCHLD`: the exit code, or the signal that ended, stopped or
    /// continued the child (`si_status`).
    pub status: i32,
}

impl SigInfo {
    /// `code` of a signal sent by `kill` (`SI_USER`).
    pub const USER: i32 = k::SI_USER as i32;
    /// `code` of a signal sent by the kernel (`SI_KERNEL`).
    pub const KERNEL: i32 = k::SI_KERNEL as i32;
    /// `code` of a signal sent by `sigqueue` (`SI_QUEUE`).
    pub const QUEUE: i32 = k::SI_QUEUE;
    /// `code` of a signal sent by `tgkill` or `tkill` (`SI_TKILL`).
    pub const TKILL: i32 = k::SI_TKILL;

    /// Reads the kernel's `siginfo`.
    pub(crate) fn from_kernel(info: &k::siginfo) -> SigInfo {
        // SAFETY: every member of these unions is plain integers (or a
        // pointer read as one), valid for any bit pattern, and the kernel
        // wrote the whole 128-byte structure.
        unsafe {
            let head = &info.__bindgen_anon_1.__bindgen_anon_1;
            let fields = &head._sifields;
            SigInfo {
                signal: Signal(head.si_signo),
                code: head.si_code,
                errno: head.si_errno,
                pid: fields._kill._pid,
                uid: fields._kill._uid,
                status: fields._sigchld._status,
            }
        }
    }

    /// Reads the `siginfo` a `SA_SIGINFO` handler received.
    ///
    /// # Safety
    ///
    /// `info` must be the second argument the kernel passed to the handler
    /// (or point to a complete kernel `siginfo` in some other way).
    pub unsafe fn from_handler(info: *const c_void) -> SigInfo {
        // SAFETY: the caller guarantees a complete, readable `siginfo`.
        SigInfo::from_kernel(unsafe { &*info.cast::<k::siginfo>() })
    }
}

/// Waits until a signal of `set` is pending, takes it (it is not
/// delivered to a handler) and returns what the kernel knows about it.
/// The signals of `set` must be blocked in every thread, or the kernel
/// may deliver them elsewhere first.
///
/// `timeout`: `None` waits without limit; `Some(Duration::ZERO)` polls.
/// A timeout beyond `i64::MAX` seconds is no limit.
///
/// # Errors
/// `EAGAIN` when the timeout passed with no signal of `set`; `EINTR` when
/// a handler ran for a signal outside `set`. Neither is retried here: a
/// caller that loops recomputes its timeout.
///
/// # References
/// rt_sigtimedwait(2), sigtimedwait(2)
pub fn sigtimedwait(set: SigSet, timeout: Option<Duration>) -> Result<SigInfo, Errno> {
    let ts = timeout.map(saturating_timespec);
    let tsp = ts
        .as_ref()
        .map_or(core::ptr::null(), |t| t as *const Timespec);
    let mut info = MaybeUninit::<k::siginfo>::zeroed();
    // SAFETY: the kernel reads one `sigset_t` of the size passed from
    // `set` and a `__kernel_timespec` (which `Timespec` is) from `tsp`
    // when not null, and writes one `siginfo` into `info`.
    let r = unsafe {
        syscall4(
            __NR_rt_sigtimedwait,
            (&raw const set) as usize,
            info.as_mut_ptr() as usize,
            tsp as usize,
            core::mem::size_of::<SigSet>(),
        )
    };
    decode(r)?;
    // SAFETY: zeroed, then filled by the kernel on success; all-integer
    // fields are valid for any value.
    Ok(SigInfo::from_kernel(unsafe { info.assume_init_ref() }))
}

/// [`sigtimedwait`] without a time limit.
///
/// # Errors
/// `EINTR` when a handler ran for a signal outside `set` (not retried).
///
/// # References
/// rt_sigtimedwait(2), sigwaitinfo(2)
pub fn sigwaitinfo(set: SigSet) -> Result<SigInfo, Errno> {
    sigtimedwait(set, None)
}
