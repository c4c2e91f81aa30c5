//! Signals against the real kernel: handlers that return (the restorer),
//! dispositions replaced and restored, masks, pending signals,
//! sigtimedwait, sigsuspend, signalfd and SIGCHLD's siginfo.
//!
//! Whatever changes a process-wide disposition runs in a forked child;
//! what only touches the calling thread's mask runs in place.

mod common;

use common::in_child;
use freestand_syscalls::Errno;
use freestand_syscalls::fs::close;
use freestand_syscalls::process::{
    Fork, Pid, WaitFor, WaitOptions, WaitStatus, exit_group, fork, getpid, raise, tgkill, wait4,
};
use freestand_syscalls::signal::{
    Action, How, SaFlags, SfdFlags, SigInfo, SigSet, Signal, SignalfdSiginfo, sigaction,
    sigaction_query, sigaction_replace, sigaction_restore, signalfd, signalfd_read, sigpending,
    sigprocmask, sigsuspend, sigtimedwait, sigwaitinfo,
};
use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

static COUNT: AtomicU32 = AtomicU32::new(0);
static LAST_CODE: AtomicU32 = AtomicU32::new(u32::MAX);

unsafe extern "C" fn count(_: i32, info: *mut c_void, _: *mut c_void) {
    // SAFETY: the kernel's siginfo for this handler.
    let info = unsafe { SigInfo::from_handler(info) };
    LAST_CODE.store(info.code as u32, Ordering::Relaxed);
    COUNT.fetch_add(1, Ordering::Relaxed);
}

#[test]
fn handlers_return_to_the_interrupted_code() {
    let status = in_child(|| {
        // SAFETY: `count` only touches atomics.
        let old = unsafe {
            sigaction_replace(
                Signal::USR2,
                Action::Handle(count),
                SaFlags::RESTART,
                SigSet::EMPTY,
            )
        };
        match old {
            Ok(d) if d.is_default() && !d.is_handled() => {}
            _ => return 10,
        }
        // Each raise runs the handler, which returns through the restorer
        // to here; a broken restorer would crash on the first.
        let mut local = 0u64;
        for i in 0..1000u64 {
            local = local.wrapping_mul(31).wrapping_add(i);
            if raise(Signal::USR2).is_err() {
                return 11;
            }
        }
        if COUNT.load(Ordering::Relaxed) != 1000 {
            return 12;
        }
        // The locals of the interrupted code survived the handlers.
        let mut expect = 0u64;
        for i in 0..1000u64 {
            expect = expect.wrapping_mul(31).wrapping_add(i);
        }
        if local != expect {
            return 13;
        }
        if LAST_CODE.load(Ordering::Relaxed) != SigInfo::TKILL as u32 {
            return 14;
        }
        match sigaction_query(Signal::USR2) {
            Ok(d) if d.is_handled() && d.flags().contains(SaFlags::RESTART | SaFlags::SIGINFO) => {}
            _ => return 15,
        }
        0
    });
    assert_eq!(status, WaitStatus::Exited(0));
}

#[test]
fn dispositions_are_restored_exactly() {
    let status = in_child(|| {
        let Ok(original) = sigaction_query(Signal::USR1) else {
            return 10;
        };
        // SAFETY: ignoring runs no handler.
        let Ok(before) = (unsafe {
            sigaction_replace(
                Signal::USR1,
                Action::Ignore,
                SaFlags::empty(),
                SigSet::EMPTY,
            )
        }) else {
            return 11;
        };
        if !before.is_default() || sigaction_query(Signal::USR1).map(|d| d.is_ignored()) != Ok(true)
        {
            return 12;
        }
        // Ignored: raising it does nothing.
        if raise(Signal::USR1).is_err() {
            return 13;
        }
        let mask = SigSet::of(&[Signal::TERM, Signal::HUP]);
        // SAFETY: `count` only touches atomics.
        if unsafe { sigaction_replace(Signal::USR1, Action::Handle(count), SaFlags::NODEFER, mask) }
            .is_err()
        {
            return 14;
        }
        let Ok(handled) = sigaction_query(Signal::USR1) else {
            return 15;
        };
        if handled.mask() != mask || !handled.flags().contains(SaFlags::NODEFER) {
            return 16;
        }
        // SAFETY: the default action runs no handler.
        if unsafe { sigaction_restore(Signal::USR1, &original) }.is_err() {
            return 17;
        }
        match sigaction_query(Signal::USR1) {
            Ok(d) if d.is_default() && d.mask() == SigSet::EMPTY => {}
            _ => return 18,
        }
        // SIGKILL cannot be caught.
        // SAFETY: the call is refused.
        if unsafe { sigaction(Signal::KILL, Action::Ignore, SaFlags::empty()) }
            != Err(Errno::EINVAL)
        {
            return 19;
        }
        0
    });
    assert_eq!(status, WaitStatus::Exited(0));
}

#[test]
fn masks_pending_and_sigtimedwait() {
    // On this test's own thread: the signal is blocked here and sent to
    // this thread only, so no other thread sees it.
    let usr2 = SigSet::EMPTY.with(Signal::USR2);
    let old = sigprocmask(How::Block, usr2).unwrap();
    assert!(!sigpending().unwrap().contains(Signal::USR2));
    let me = Pid::this();
    tgkill(me, Pid::this_thread(), Signal::USR2).unwrap();
    assert!(sigpending().unwrap().contains(Signal::USR2));
    let info = sigtimedwait(usr2, Some(Duration::from_secs(5))).unwrap();
    assert_eq!(info.signal, Signal::USR2);
    assert_eq!(info.code, SigInfo::TKILL);
    assert_eq!(info.pid, getpid());
    assert!(!sigpending().unwrap().contains(Signal::USR2));
    // Nothing pending: the timeout, then EAGAIN.
    let t0 = std::time::Instant::now();
    let waited = sigtimedwait(usr2, Some(Duration::from_millis(20)));
    assert_eq!(waited, Err(Errno::EAGAIN));
    assert!(t0.elapsed() >= Duration::from_millis(20));
    assert_eq!(sigtimedwait(usr2, Some(Duration::ZERO)), Err(Errno::EAGAIN));
    // The mask went back as it was.
    let now = sigprocmask(How::SetMask, old).unwrap();
    assert!(now.contains(Signal::USR2));
    assert_eq!(sigprocmask(How::Block, SigSet::EMPTY).unwrap(), old);
}

#[test]
fn realtime_signals_queue_with_signalfd() {
    // Real-time signals queue: three sends, three records.
    let rt = Signal::rt(5).unwrap();
    let set = SigSet::of(&[rt]);
    let old = sigprocmask(How::Block, set).unwrap();
    let fd = signalfd(None, set, SfdFlags::CLOEXEC | SfdFlags::NONBLOCK).unwrap();
    let mut out = [SignalfdSiginfo::default(); 4];
    assert_eq!(signalfd_read(fd, &mut out), Err(Errno::EAGAIN));
    for _ in 0..3 {
        tgkill(Pid::this(), Pid::this_thread(), rt).unwrap();
    }
    assert_eq!(signalfd_read(fd, &mut out), Ok(3));
    for rec in &out[..3] {
        let info = rec.info();
        assert_eq!(info.signal, rt);
        assert_eq!(info.pid, getpid());
        assert_eq!(info.code, SigInfo::TKILL);
    }
    assert_eq!(signalfd_read(fd, &mut []), Err(Errno::EINVAL));
    close(fd).unwrap();
    sigprocmask(How::SetMask, old).unwrap();
}

#[test]
fn sigsuspend_returns_after_a_handler() {
    let status = in_child(|| {
        // SAFETY: `count` only touches atomics.
        if unsafe { sigaction(Signal::USR1, Action::Handle(count), SaFlags::empty()) }.is_err() {
            return 10;
        }
        let Ok(old) = sigprocmask(How::Block, SigSet::of(&[Signal::USR1])) else {
            return 11;
        };
        // Pending while blocked; sigsuspend unblocks it and returns once
        // the handler ran.
        let _ = raise(Signal::USR1);
        if COUNT.load(Ordering::Relaxed) != 0 {
            return 12;
        }
        sigsuspend(old);
        if COUNT.load(Ordering::Relaxed) != 1 {
            return 13;
        }
        0
    });
    assert_eq!(status, WaitStatus::Exited(0));
}

#[test]
fn sigchld_reports_the_child() {
    // In a forked child, which is single-threaded: SIGCHLD is sent to the
    // process, and only a process whose every thread blocks it can be
    // sure to take it with sigwaitinfo.
    let status = in_child(|| {
        let chld = SigSet::of(&[Signal::CHLD]);
        if sigprocmask(How::Block, chld).is_err() {
            return 10;
        }
        // SAFETY: this child has one thread; the grandchild only exits.
        let grandchild = match unsafe { fork() } {
            Ok(Fork::Child) => exit_group(7),
            Ok(Fork::Parent(pid)) => pid,
            Err(_) => return 11,
        };
        let Ok(info) = sigwaitinfo(chld) else {
            return 12;
        };
        if info.child_status() != Some((grandchild, WaitStatus::Exited(7))) {
            return 13;
        }
        // Taking the signal did not reap the grandchild.
        match wait4(WaitFor::Child(grandchild), WaitOptions::empty()) {
            Ok(Some((_, WaitStatus::Exited(7)))) => 0,
            _ => 14,
        }
    });
    assert_eq!(status, WaitStatus::Exited(0));
}
