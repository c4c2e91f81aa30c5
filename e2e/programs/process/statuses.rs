//! Exit codes, deaths, stops; a pipe of 10 MiB.

#[allow(unused_imports)]
use super::*;

pub(crate) fn exits(me: &Me<'_>) -> Check {
    let mut forked = Vec::new();
    for code in [0, 42, 300] {
        let pid = fork_child(|| code)?;
        forked.push(status_text(wait_for(pid, WaitOptions::empty())?));
    }
    // waitid with NOWAIT leaves the child to be reported again.
    let pid = fork_child(|| 5)?;
    let peek = waitid_for(pid, WaitOptions::EXITED | WaitOptions::NOWAIT)?;
    let then = wait_for(pid, WaitOptions::empty())?;
    forked.push(format!("{} then {}", status_text(peek), status_text(then)));
    let mut execd = Vec::new();
    let pid = exec_child(c"/bin/true", &[Some(Arg::new(c"true")), None], nothing)?;
    execd.push(status_text(wait_for(pid, WaitOptions::empty())?));
    let sh = [
        Some(Arg::new(c"sh")),
        Some(Arg::new(c"-c")),
        Some(Arg::new(c"exit 3")),
        None,
    ];
    let pid = exec_child(c"/bin/sh", &sh, nothing)?;
    execd.push(status_text(wait_for(pid, WaitOptions::empty())?));
    let pid = me.exec(&[c"exit", c"7"], nothing)?;
    execd.push(status_text(wait_for(pid, WaitOptions::empty())?));
    // vfork_spawn: a program that runs, and an exec that fails, whose
    // error comes back (through shared memory natively, through its pipe
    // under qemu-user, which runs CLONE_VFORK as a plain fork).
    let mut spawned = Vec::new();
    let sh5 = [
        Some(Arg::new(c"sh")),
        Some(Arg::new(c"-c")),
        Some(Arg::new(c"exit 5")),
        None,
    ];
    // SAFETY: the closure only makes a system call on borrowed data.
    match unsafe { vfork_spawn(|| execve(c"/bin/sh", &sh5, &[None])) } {
        Ok(pid) => spawned.push(status_text(wait_for(pid, WaitOptions::empty())?)),
        Err(e) => return Err(format!("vfork_spawn /bin/sh: {e}")),
    }
    let none = [Some(Arg::new(c"nothing")), None];
    // SAFETY: as above.
    match unsafe { vfork_spawn(|| execve(c"/nonexistent/nothing", &none, &[None])) } {
        Ok(pid) => return Err(format!("/nonexistent/nothing ran as {pid}")),
        Err(e) => spawned.push(String::from(e.name().unwrap_or("?"))),
    }
    println!(
        "exits: fork: {}; exec: {}; vfork_spawn: {}",
        forked.join(", "),
        execd.join(", "),
        spawned.join(", ")
    );
    Ok(())
}

pub(crate) fn killed(me: &Me<'_>) -> Check {
    let mut forked = Vec::new();
    let pid = fork_child(|| match no_core() {
        Ok(()) => {
            let _ = raise(Signal::ABRT);
            1
        }
        Err(e) => e.raw(),
    })?;
    forked.push(status_text(wait_for(pid, WaitOptions::empty())?));
    for sig in [Signal::TERM, Signal::KILL] {
        let pid = fork_child(sleeper)?;
        kill(pid, sig).map_err(|e| format!("kill: {e}"))?;
        forked.push(status_text(wait_for(pid, WaitOptions::empty())?));
    }
    let mut execd = Vec::new();
    let sh = [
        Some(Arg::new(c"sh")),
        Some(Arg::new(c"-c")),
        Some(Arg::new(c"kill -ABRT $$")),
        None,
    ];
    let pid = exec_child(c"/bin/sh", &sh, no_core)?;
    execd.push(status_text(wait_for(pid, WaitOptions::empty())?));
    let pid = me.exec(&[c"abort"], no_core)?;
    execd.push(status_text(wait_for(pid, WaitOptions::empty())?));
    let pid = me.exec(&[c"sleep"], nothing)?;
    kill(pid, Signal::TERM).map_err(|e| format!("kill: {e}"))?;
    execd.push(status_text(wait_for(pid, WaitOptions::empty())?));
    println!(
        "killed: fork: {}; exec: {}",
        forked.join(", "),
        execd.join(", ")
    );
    Ok(())
}

/// Stops and continues `pid` twice, seen through `wait4` and then
/// `waitid`, and kills it.
pub(crate) fn stop_and_continue(pid: Pid) -> Result<String, String> {
    let send = |sig| kill(pid, sig).map_err(|e| format!("kill {}: {e}", name(sig)));
    let mut seen = Vec::new();
    send(Signal::STOP)?;
    seen.push(status_text(wait_for(pid, WaitOptions::UNTRACED)?));
    send(Signal::CONT)?;
    seen.push(status_text(wait_for(pid, WaitOptions::CONTINUED)?));
    seen.push(String::from(quiet(pid)?));
    send(Signal::STOP)?;
    seen.push(status_text(waitid_for(pid, WaitOptions::STOPPED)?));
    send(Signal::CONT)?;
    seen.push(status_text(waitid_for(pid, WaitOptions::CONTINUED)?));
    send(Signal::KILL)?;
    seen.push(status_text(waitid_for(pid, WaitOptions::EXITED)?));
    Ok(seen.join(", "))
}

pub(crate) fn stops(me: &Me<'_>) -> Check {
    let forked = stop_and_continue(fork_child(sleeper)?)?;
    let execd = stop_and_continue(me.exec(&[c"sleep"], nothing)?)?;
    // A child that stops itself, in a process group of its own (a
    // SIGTSTP to an orphaned group is discarded, and the suite's may be
    // one), then exits once continued.
    let pid = fork_child(|| {
        if let Err(e) = setpgid(None, None) {
            return e.raw();
        }
        let _ = raise(Signal::TSTP);
        0
    })?;
    let stopped = status_text(wait_for(pid, WaitOptions::UNTRACED)?);
    kill(pid, Signal::CONT).map_err(|e| format!("kill SIGCONT: {e}"))?;
    let ended = status_text(wait_for(pid, WaitOptions::empty())?);
    println!("stops: fork: {forked}; exec: {execd}; self: {stopped}, {ended}");
    Ok(())
}

// 10 MiB through a pipe.

/// The bytes the pipe carries: a xorshift stream, the same as
/// `syscalls/tests/files.rs` sends (the suite recomputes the checksum).
pub(crate) struct Stream(u64);

impl Stream {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = self.0 as u8;
        }
    }
}

/// FNV-1a, 64 bits.
pub(crate) struct Fnv(u64);

impl Fnv {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

pub(crate) const PIPE_TOTAL: usize = 10 << 20;

pub(crate) fn pipe() -> Check {
    let (r, w) = pipe2(PipeFlags::CLOEXEC).map_err(|e| format!("pipe2: {e}"))?;
    let writer = fork_child(|| {
        let _ = close(r);
        let mut stream = Stream(0x9e37_79b9_7f4a_7c15);
        let mut buf = [0u8; 65_537];
        let mut left = PIPE_TOTAL;
        // Odd chunk sizes, so that reads and writes never line up.
        let mut size = 1;
        while left > 0 {
            let n = size.min(left).min(buf.len());
            stream.fill(&mut buf[..n]);
            if write_all(w, &buf[..n]).is_err() {
                return 1;
            }
            left -= n;
            size = size * 7 % 65_521 + 1;
        }
        0
    });
    let _ = close(w);
    let writer = writer?;
    let mut sum = Fnv(0xcbf2_9ce4_8422_2325);
    let mut buf = alloc::vec![0u8; 30_011];
    let mut total = 0;
    let outcome = loop {
        match read(r, &mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                sum.feed(&buf[..n]);
                total += n;
            }
            Err(Errno::EINTR) => {}
            Err(e) => break Err(format!("read: {e}")),
        }
    };
    let _ = close(r);
    let status = wait_for(writer, WaitOptions::empty())?;
    outcome?;
    if status != WaitStatus::Exited(0) {
        return Err(format!("the writer ended with {}", status_text(status)));
    }
    println!("pipe: {total} bytes, fnv1a {:016x}", sum.0);
    Ok(())
}
