//! Signals: init blocks nearly all of them and takes them one by one with
//! `sigtimedwait`, so that none is lost and no handler ever runs; the
//! child gets back the mask and dispositions init started with.
//!
//! The synchronous signals stay unblocked: the kernel raises them for a
//! fault in init itself (a bad instruction, a bad address, an abort), and
//! a blocked fault signal would kill init without a word. `SIGTTIN` and
//! `SIGTTOU` are ignored, so that init, in the background of a terminal,
//! is not stopped when it or its child touches the terminal (the child
//! hands itself the terminal with `tcsetpgrp` before these are restored).

use freestand_rt::syscalls::Errno;
use freestand_rt::syscalls::process::{Pid, kill, killpg};
use freestand_rt::syscalls::signal::{
    Action, Disposition, How, SaFlags, SigSet, Signal, sigaction_replace, sigaction_restore,
    sigprocmask,
};

use crate::options::Config;
use crate::out::{DEBUG, Num, Text, Why, info};

/// The signals the kernel raises for a fault in the running code: never
/// blocked, never waited for.
const SYNCHRONOUS: SigSet = SigSet::of(&[
    Signal::FPE,
    Signal::ILL,
    Signal::SEGV,
    Signal::BUS,
    Signal::ABRT,
    Signal::TRAP,
    Signal::SYS,
]);

/// What init blocks, and so what it waits for: everything but the
/// synchronous signals. (The kernel never blocks `SIGKILL` and `SIGSTOP`,
/// whatever the set says.)
pub const WAITED: SigSet = SigSet(SigSet::ALL.0 & !SYNCHRONOUS.0);

/// What init changed, to give back to the child.
pub struct Saved {
    /// The mask init started with.
    mask: SigSet,
    /// `SIGTTIN`'s disposition before init ignored it.
    ttin: Disposition,
    /// `SIGTTOU`'s.
    ttou: Disposition,
}

/// Blocks [`WAITED`] and ignores `SIGTTIN` and `SIGTTOU`; returns what
/// they were.
///
/// # Errors
/// None in practice: the signals are valid and may be ignored.
pub fn take_over() -> Result<Saved, Errno> {
    let mask = sigprocmask(How::SetMask, WAITED)?;
    // SAFETY: ignoring a signal installs no handler, so nothing can run
    // at an unexpected point.
    let ttin = unsafe {
        sigaction_replace(
            Signal::TTIN,
            Action::Ignore,
            SaFlags::empty(),
            SigSet::EMPTY,
        )
    }?;
    // SAFETY: as above.
    let ttou = unsafe {
        sigaction_replace(
            Signal::TTOU,
            Action::Ignore,
            SaFlags::empty(),
            SigSet::EMPTY,
        )
    }?;
    Ok(Saved { mask, ttin, ttou })
}

/// Puts back what [`take_over`] changed: for the child, just before it
/// execs. Makes system calls only, on `saved`, which the child borrowed.
///
/// # Errors
/// None in practice: the kernel itself reported these dispositions.
pub fn give_back(saved: &Saved) -> Result<(), Errno> {
    // SAFETY: these are the dispositions the kernel reported for these
    // signals when init started. If one holds a handler, it is the
    // handler of the program that exec'd init, which the kernel reset to
    // the default at that exec: only SIG_DFL or SIG_IGN can be here.
    unsafe {
        sigaction_restore(Signal::TTIN, &saved.ttin)?;
        sigaction_restore(Signal::TTOU, &saved.ttou)?;
    }
    sigprocmask(How::SetMask, saved.mask).map(drop)
}

/// Passes `sig` to the child `child`, or to its process group with `-g`.
/// A child that is gone (`ESRCH`) is no error: its end is on its way.
pub fn forward(cfg: &Config, child: Pid, sig: Signal) {
    let sent = if cfg.group {
        killpg(child, sig)
    } else {
        kill(child, sig)
    };
    if cfg.says(DEBUG) {
        let to: &[u8] = if cfg.group {
            b" to group "
        } else {
            b" to pid "
        };
        let pid = Num(child.as_raw().unsigned_abs().into());
        match sent {
            Ok(()) => info(&[Text(b"passed "), Text(name(sig)), Text(to), pid]),
            Err(e) => info(&[
                Text(b"passing "),
                Text(name(sig)),
                Text(to),
                pid,
                Text(b": "),
                Why(e),
            ]),
        }
    }
}

/// The name of `sig` (`SIGTERM`), or `signal` for a number without one.
pub fn name(sig: Signal) -> &'static [u8] {
    sig.name().map_or(b"signal", str::as_bytes)
}
