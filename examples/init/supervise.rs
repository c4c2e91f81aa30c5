//! The main loop: wait for a signal (a second at most), pass it on unless
//! it is `SIGCHLD`, reap every zombie there is, and return once the main
//! child has been reaped.
//!
//! The timeout makes init look for zombies at least once a second even
//! if no signal comes. `SIGCHLD` carries no count (several children
//! ending close together raise one), so each wake-up reaps until
//! `wait4(WNOHANG)` finds nothing. Init does not wait for its other
//! descendants: as PID 1 of a PID namespace its exit makes the kernel
//! kill them; as a subreaper, they go to the next one up.

use core::time::Duration;
use freestand_rt::syscalls::Errno;
use freestand_rt::syscalls::process::{Pid, WaitFor, WaitOptions, WaitStatus, wait4};
use freestand_rt::syscalls::signal::{Signal, sigtimedwait};

use crate::options::Config;
use crate::out::{DEBUG, INFO, Num, Text, WARN, err, fatal, info};
use crate::signals::{WAITED, forward, name};

/// The longest init sleeps before it looks for zombies again.
const TICK: Duration = Duration::from_secs(1);

/// Supervises `child` (running `program`) until it ends; returns init's
/// exit status.
pub fn supervise(cfg: &Config, child: Pid, program: &[u8]) -> i32 {
    loop {
        match sigtimedwait(WAITED, Some(TICK)) {
            Ok(info) if info.signal == Signal::CHLD => {}
            Ok(info) => forward(cfg, child, info.signal),
            // The timeout, or a stop and continue of init.
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            Err(e) => return fatal(b"waiting for signals failed: ", e),
        }
        match reap(cfg, child) {
            Ok(None) => {}
            Ok(Some(status)) => return exit_status(cfg, child, program, status),
            Err(e) => return fatal(b"reaping children failed: ", e),
        }
    }
}

/// Reaps every child that has ended; returns the main child's status if
/// it was among them.
fn reap(cfg: &Config, child: Pid) -> Result<Option<WaitStatus>, Errno> {
    let mut main = None;
    loop {
        let (pid, status) = match wait4(WaitFor::Any, WaitOptions::NOHANG) {
            Ok(Some(reaped)) => reaped,
            Ok(None) | Err(Errno::ECHILD) => return Ok(main),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        };
        if pid == child {
            main = Some(status);
        } else if cfg.warn_zombies && cfg.says(WARN) {
            err(&[
                Text(b"reaped zombie pid "),
                Num(pid.as_raw().unsigned_abs().into()),
            ]);
        }
        if cfg.says(DEBUG) {
            info(&[
                Text(b"reaped pid "),
                Num(pid.as_raw().unsigned_abs().into()),
            ]);
        }
    }
}

/// Init's exit status for the main child's `status`: its exit code, or
/// 128 + N for signal N, mod 256, then `-e`'s remapping.
fn exit_status(cfg: &Config, child: Pid, program: &[u8], status: WaitStatus) -> i32 {
    // Only exits and deaths are reported without WUNTRACED/WCONTINUED.
    let code = status.shell_code().unwrap_or(1);
    let reported = cfg.remapped(code);
    if cfg.says(INFO) {
        let how = match status {
            WaitStatus::Signaled { signal, .. } => [Text(b") was killed by "), Text(name(signal))],
            _ => [Text(b") exited with status "), Num(code.into())],
        };
        let remapped: &[u8] = if reported != code {
            b", reported as 0"
        } else {
            b""
        };
        let pid = Num(child.as_raw().unsigned_abs().into());
        info(&[
            Text(program),
            Text(b" (pid "),
            pid,
            how[0],
            how[1],
            Text(remapped),
        ]);
    }
    i32::from(reported)
}
