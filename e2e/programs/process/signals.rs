//! Handlers, masks, sigtimedwait.

#[allow(unused_imports)]
use super::*;

pub(crate) static COUNT: AtomicU32 = AtomicU32::new(0);
pub(crate) static LAST_CODE: AtomicI32 = AtomicI32::new(i32::MIN);

pub(crate) unsafe extern "C" fn count(_: i32, info: *mut c_void, _: *mut c_void) {
    // SAFETY: the kernel's siginfo for this handler.
    let info = unsafe { SigInfo::from_handler(info) };
    LAST_CODE.store(info.code, Ordering::Relaxed);
    COUNT.fetch_add(1, Ordering::Relaxed);
}

/// The value the interrupted loop computes, for checking it after.
pub(crate) fn mix(acc: u64, i: u64) -> u64 {
    acc.wrapping_mul(31).wrapping_add(i)
}

pub(crate) fn restorer() -> Check {
    // SAFETY: `count` only touches atomics.
    let old = unsafe {
        sigaction_replace(
            Signal::USR2,
            Action::Handle(count),
            SaFlags::RESTART,
            SigSet::EMPTY,
        )
    }
    .map_err(|e| format!("sigaction: {e}"))?;
    if !old.is_default() {
        return Err(format!("SIGUSR2 was {old:?}, not the default"));
    }
    // Each raise runs the handler, which returns through the restorer to
    // here; a broken restorer would crash on the first.
    let mut local = 0u64;
    for i in 0..1000u64 {
        local = mix(black_box(local), i);
        raise(Signal::USR2).map_err(|e| format!("raise: {e}"))?;
    }
    let handled = COUNT.load(Ordering::Relaxed);
    let intact = local == (0..1000u64).fold(0, mix);
    let raised_code = code_name(LAST_CODE.load(Ordering::Relaxed));
    kill(Pid::this(), Signal::USR2).map_err(|e| format!("kill: {e}"))?;
    let killed_code = code_name(LAST_CODE.load(Ordering::Relaxed));
    let flags = sigaction_query(Signal::USR2)
        .map(|d| d.is_handled() && d.flags().contains(SaFlags::RESTART | SaFlags::SIGINFO))
        .map_err(|e| format!("sigaction_query: {e}"))?;
    // Pending while blocked; sigsuspend unblocks it, and returns once the
    // handler ran.
    let before = COUNT.load(Ordering::Relaxed);
    let usr2 = SigSet::EMPTY.with(Signal::USR2);
    let mask = sigprocmask(How::Block, usr2).map_err(|e| format!("sigprocmask: {e}"))?;
    raise(Signal::USR2).map_err(|e| format!("raise: {e}"))?;
    let held = COUNT.load(Ordering::Relaxed) - before;
    sigsuspend(mask);
    let woke = COUNT.load(Ordering::Relaxed) - before;
    sigprocmask(How::SetMask, mask).map_err(|e| format!("sigprocmask: {e}"))?;
    println!(
        "restorer: {handled} of 1000 raised handled ({raised_code}), locals intact {intact}, \
         kill {killed_code}, flags kept {flags}, blocked {held} then sigsuspend {woke}"
    );
    Ok(())
}

/// `sigtimedwait` for `set`, at most [`PATIENCE`].
pub(crate) fn take(set: SigSet) -> Result<SigInfo, String> {
    sigtimedwait(set, Some(PATIENCE)).map_err(|e| format!("sigtimedwait: {e}"))
}

pub(crate) fn masks() -> Check {
    let usr2 = SigSet::EMPTY.with(Signal::USR2);
    let old = sigprocmask(How::Block, usr2).map_err(|e| format!("sigprocmask: {e}"))?;
    let pending = |sig| sigpending().map(|s| s.contains(sig)).unwrap_or(false);
    let before = pending(Signal::USR2);
    tgkill(Pid::this(), Pid::this_thread(), Signal::USR2).map_err(|e| format!("tgkill: {e}"))?;
    let after = pending(Signal::USR2);
    let info = take(usr2)?;
    let from_self = info.signal == Signal::USR2 && info.pid == getpid();
    let taken = format!(
        "{} {}{}",
        name(info.signal),
        code_name(info.code),
        if from_self { " from self" } else { "" }
    );
    let gone = !pending(Signal::USR2);
    // Nothing pending: the timeout passes, then EAGAIN.
    let t0 = Instant::now();
    let waited = sigtimedwait(usr2, Some(Duration::from_millis(20)));
    let slept = t0.elapsed() >= Duration::from_millis(20);
    let polled = sigtimedwait(usr2, Some(Duration::ZERO));
    let show = |r: Result<SigInfo, Errno>| match r {
        Ok(i) => format!("got {}", name(i.signal)),
        Err(e) => String::from(e.name().unwrap_or("?")),
    };
    let (waited, polled) = (show(waited), show(polled));

    // Real-time signals queue: three sends, three takes, then none.
    let rt = Signal::rt(5).ok_or("no SIGRTMIN+5")?;
    let rts = SigSet::EMPTY.with(rt);
    sigprocmask(How::Block, rts).map_err(|e| format!("sigprocmask: {e}"))?;
    for _ in 0..3 {
        tgkill(Pid::this(), Pid::this_thread(), rt).map_err(|e| format!("tgkill: {e}"))?;
    }
    let mut queued = 0;
    while let Ok(i) = sigtimedwait(rts, Some(Duration::ZERO)) {
        if i.signal == rt && i.code == SigInfo::TKILL {
            queued += 1;
        }
    }

    // A signal another process sends: the child's pid and SI_USER.
    let usr1 = SigSet::EMPTY.with(Signal::USR1);
    sigprocmask(How::Block, usr1).map_err(|e| format!("sigprocmask: {e}"))?;
    let parent = Pid::this();
    let child = fork_child(|| match kill(parent, Signal::USR1) {
        Ok(()) => 0,
        Err(e) => e.raw(),
    })?;
    let info = take(usr1)?;
    let sender = if info.pid == child.as_raw() {
        "the child"
    } else {
        "someone else"
    };
    let from_child = format!(
        "{} {} from {sender}",
        name(info.signal),
        code_name(info.code)
    );
    let status = wait_for(child, WaitOptions::empty())?;
    if status != WaitStatus::Exited(0) {
        return Err(format!("the sender ended with {}", status_text(status)));
    }

    let now = sigprocmask(How::SetMask, old).map_err(|e| format!("sigprocmask: {e}"))?;
    let all_blocked = now.contains(Signal::USR2) && now.contains(rt) && now.contains(Signal::USR1);
    let restored = sigprocmask(How::Block, SigSet::EMPTY).ok() == Some(old);
    println!(
        "masks: pending {before} then {after}, took {taken}, then pending {}, \
         20 ms wait {waited} (slept {slept}), poll {polled}, {} queued {queued}, \
         {from_child}, mask held all {all_blocked}, restored {restored}",
        !gone,
        name(rt)
    );
    Ok(())
}
