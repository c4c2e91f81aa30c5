//! Processes against the real kernel: fork, exec and every kind of wait
//! status, sessions and groups, pidfds (`spawn.rs`: vfork_spawn and the
//! PATH search).

mod common;

use common::{code, in_child, spawn_child, wait_for, wait_with};
use freestand_syscalls::Errno;
use freestand_syscalls::fs::{AT_FDCWD, AtFlags, OFlags, close, openat};
use freestand_syscalls::process::{
    Arg, PidfdFlags, Resource, Rlimit, WaitFor, WaitOptions, WaitStatus, execve, execveat, getpgid,
    getpid, getppid, isatty, kill, killpg, pidfd_open, pidfd_send_signal, raise, setpgid,
    setrlimit, setsid, tcgetpgrp, wait4, waitid,
};
use freestand_syscalls::signal::Signal;
use freestand_syscalls::time::nanosleep;
use std::time::Duration;

/// A child that sleeps until killed.
fn sleeper() -> i32 {
    loop {
        let _ = nanosleep(Duration::from_secs(1));
    }
}

#[test]
fn exit_codes_through_fork_and_wait() {
    assert_eq!(in_child(|| 0), WaitStatus::Exited(0));
    assert_eq!(in_child(|| 42), WaitStatus::Exited(42));
    assert_eq!(in_child(|| 300), WaitStatus::Exited(44));
}

#[test]
fn exec_runs_programs() {
    let status = in_child(|| {
        let argv = [Some(Arg::new(c"true")), None];
        code(execve(c"/bin/true", &argv, &[None]))
    });
    assert_eq!(status, WaitStatus::Exited(0));
    let status = in_child(|| {
        let argv = [
            Some(Arg::new(c"sh")),
            Some(Arg::new(c"-c")),
            Some(Arg::new(c"exit 3")),
            None,
        ];
        code(execve(c"/bin/sh", &argv, &[None]))
    });
    assert_eq!(status, WaitStatus::Exited(3));
    // execveat on a directory descriptor and a relative name.
    let status = in_child(|| {
        let Ok(bin) = openat(AT_FDCWD, c"/bin", OFlags::DIRECTORY | OFlags::CLOEXEC, 0) else {
            return 100;
        };
        let argv = [
            Some(Arg::new(c"sh")),
            Some(Arg::new(c"-c")),
            Some(Arg::new(c"exit $X")),
            None,
        ];
        let envp = [Some(Arg::new(c"X=4")), None];
        code(execveat(bin, c"sh", &argv, &envp, AtFlags::empty()))
    });
    assert_eq!(status, WaitStatus::Exited(4));
}

#[test]
fn killed_by_a_signal_without_a_core_dump() {
    let status = in_child(|| {
        let none = Rlimit {
            soft: Some(0),
            hard: Some(0),
        };
        if let Err(e) = setrlimit(Resource::Core, none) {
            return code(e);
        }
        let _ = raise(Signal::ABRT);
        1
    });
    assert_eq!(
        status,
        WaitStatus::Signaled {
            signal: Signal::ABRT,
            core_dumped: false
        }
    );
    let pid = spawn_child(sleeper);
    kill(pid, Signal::TERM).unwrap();
    assert_eq!(
        wait_for(pid),
        WaitStatus::Signaled {
            signal: Signal::TERM,
            core_dumped: false
        }
    );
}

#[test]
fn stopped_and_continued() {
    let pid = spawn_child(sleeper);
    kill(pid, Signal::STOP).unwrap();
    assert_eq!(
        wait_with(pid, WaitOptions::UNTRACED),
        WaitStatus::Stopped(Signal::STOP)
    );
    kill(pid, Signal::CONT).unwrap();
    assert_eq!(
        wait_with(pid, WaitOptions::CONTINUED),
        WaitStatus::Continued
    );
    // Nothing more to report yet.
    assert_eq!(wait4(WaitFor::Child(pid), WaitOptions::NOHANG), Ok(None));
    let waitable = WaitOptions::EXITED | WaitOptions::NOHANG;
    assert_eq!(waitid(WaitFor::Child(pid), waitable), Ok(None));
    // The same through waitid.
    kill(pid, Signal::STOP).unwrap();
    let stopped = waitid(WaitFor::Child(pid), WaitOptions::STOPPED).unwrap();
    assert_eq!(stopped, Some((pid, WaitStatus::Stopped(Signal::STOP))));
    kill(pid, Signal::KILL).unwrap();
    let ended = waitid(WaitFor::Child(pid), WaitOptions::EXITED).unwrap();
    assert_eq!(
        ended,
        Some((
            pid,
            WaitStatus::Signaled {
                signal: Signal::KILL,
                core_dumped: false
            }
        ))
    );
}

#[test]
fn pidfds_signal_and_wait() {
    let pid = spawn_child(sleeper);
    let fd = pidfd_open(pid, PidfdFlags::empty()).unwrap();
    pidfd_send_signal(fd, Signal::INT).unwrap();
    let ended = waitid(WaitFor::Pidfd(fd), WaitOptions::EXITED).unwrap();
    assert_eq!(
        ended,
        Some((
            pid,
            WaitStatus::Signaled {
                signal: Signal::INT,
                core_dumped: false
            }
        ))
    );
    // The process is gone; the pidfd still names it, not a successor.
    assert_eq!(pidfd_send_signal(fd, Signal::INT), Err(Errno::ESRCH));
    close(fd).unwrap();
}

#[test]
fn sessions_and_process_groups() {
    let parent = getpid();
    let status = in_child(|| {
        let me = getpid();
        if getppid().map(|p| p.as_raw()) != Some(parent) {
            return 10;
        }
        // A fresh child leads no group, so it may start a session.
        match setsid() {
            Ok(sid) if sid.as_raw() == me => {}
            _ => return 11,
        }
        if getpgid(None).map(|g| g.as_raw()) != Ok(me) {
            return 12;
        }
        // Now it leads a session (and its group): both refused.
        if setsid() != Err(Errno::EPERM) {
            return 13;
        }
        if setpgid(None, None) != Err(Errno::EPERM) {
            return 14;
        }
        // No controlling terminal in the new session.
        if tcgetpgrp(0).is_ok() && isatty(0) {
            return 15;
        }
        0
    });
    assert_eq!(status, WaitStatus::Exited(0));
}

#[test]
fn process_groups_and_killpg() {
    // As an init does: the parent moves the child into a group of its
    // own, then signals the whole group.
    let pid = spawn_child(sleeper);
    setpgid(Some(pid), None).unwrap();
    assert_eq!(getpgid(Some(pid)), Ok(pid));
    assert_ne!(getpgid(None), Ok(pid));
    killpg(pid, Signal::KILL).unwrap();
    assert_eq!(
        wait_for(pid),
        WaitStatus::Signaled {
            signal: Signal::KILL,
            core_dumped: false
        }
    );
    assert_eq!(killpg(pid, Signal::KILL), Err(Errno::ESRCH));
}
