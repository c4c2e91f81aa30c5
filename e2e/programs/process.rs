//! A test subject for processes, signals and files: what the host tests
//! of freestand-syscalls (`syscalls/tests/process.rs`, `signals.rs`,
//! `files.rs`) check on x86_64 only, here on every platform. Each
//! subcommand prints one line the suite checks exactly; a failure prints
//! what went wrong on stderr and exits 1.
//!
//! ```text
//! process exits [RUNNER]    exit codes of forked children (0, 42, 300,
//!                           and 5 seen twice through waitid's NOWAIT),
//!                           of exec'd ones (/bin/true, /bin/sh -c
//!                           'exit 3', this program's `exit 7`) and of
//!                           vfork_spawn (sh's `exit 5`, a failed exec)
//! process killed [RUNNER]   deaths by signal, with RLIMIT_CORE 0 so no
//!                           core is dumped: raised SIGABRT, SIGTERM and
//!                           SIGKILL from the parent, forked and exec'd
//! process stops [RUNNER]    stopped and continued, through wait4 and
//!                           waitid, forked and exec'd; a child that
//!                           stops itself with SIGTSTP
//! process pipe              10 MiB from a child through a pipe, with
//!                           the FNV-1a checksum of what arrived
//! process restorer          a handler raised 1000 times returns each
//!                           time to the interrupted code; kill and
//!                           sigsuspend
//! process masks             blocked, pending, sigtimedwait (a timeout,
//!                           a poll), queued real-time signals, a signal
//!                           from a child
//! process dir               a directory of 10,000 entries under
//!                           /dev/shm (or /tmp) read back and removed
//! process fork-heap         200 forks while a thread allocates and frees
//!                           in a loop; each child allocates, checks its
//!                           thread id, spawns and joins a thread, exits 0
//! process exit N            exits with N (for `exits`)
//! process abort             raises SIGABRT (for `killed`)
//! process sleep             sleeps 10 s, then exits 2 (for `killed` and
//!                           `stops`)
//! ```
//!
//! RUNNER is what runs this program: nothing natively, the host's
//! qemu-user under emulation. The exec'd copies of this program are
//! started through it, since without a `binfmt_misc` entry the host
//! kernel refuses to exec a guest binary (`ENOEXEC`); `/bin/true` and
//! `/bin/sh` are the host's and run natively either way.
//!
//! Every wait for a child, a signal or a byte ends after 10 seconds, so a
//! failing case fails rather than hangs.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::{CStr, c_void};
use core::hint::black_box;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicUsize, Ordering};
use core::time::Duration;
use freestand_rt::process::{Fork, fork};
use freestand_rt::syscalls::Errno;
use freestand_rt::syscalls::fs::{
    AT_FDCWD, AtFlags, Dir, DupFlags, FileType, OFlags, PipeFlags, SeekFrom, close, dup3, lseek,
    mkdirat, openat, pipe2, unlinkat,
};
use freestand_rt::syscalls::io::{Fd, STDERR, read, write_all};
use freestand_rt::syscalls::process::{
    Arg, Pid, Resource, Rlimit, WaitFor, WaitOptions, WaitStatus, execve, exit_group, getpid,
    gettid, kill, raise, setpgid, setrlimit, tgkill, vfork_spawn, wait4, waitid,
};
use freestand_rt::syscalls::signal::{
    Action, How, SaFlags, SigInfo, SigSet, Signal, sigaction_query, sigaction_replace, sigpending,
    sigprocmask, sigsuspend, sigtimedwait,
};
use freestand_rt::syscalls::time::{Instant, nanosleep};
use freestand_rt::{eprintln, println, stack, thread};

freestand_rt::entry!(main);

/// How long any wait for a child, a signal or data may last.
const PATIENCE: Duration = Duration::from_secs(10);

/// A case's verdict: `Err` says what went wrong.
type Check = Result<(), String>;

fn main() -> i32 {
    let args: Vec<&'static CStr> = stack::args().collect();
    let word = |i: usize| args.get(i).map_or(&b""[..], |a| a.to_bytes());
    let me = Me {
        path: args.first().copied().unwrap_or(c""),
        runner: args.get(2).copied(),
    };
    let result = match word(1) {
        b"exits" => exits(&me),
        b"killed" => killed(&me),
        b"stops" => stops(&me),
        b"pipe" => pipe(),
        b"restorer" => restorer(),
        b"masks" => masks(),
        b"dir" => dir(),
        b"fork-heap" => fork_heap(),
        b"exit" => {
            let code = core::str::from_utf8(word(2))
                .ok()
                .and_then(|s| s.parse().ok());
            return code.unwrap_or(64);
        }
        b"abort" => {
            let _ = raise(Signal::ABRT);
            Err(String::from("still alive after SIGABRT"))
        }
        b"sleep" => return sleeper(),
        _ => {
            eprintln!("process: unknown subcommand (see e2e/programs/process.rs)");
            return 64;
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!(
                "process {}: {e}",
                core::str::from_utf8(word(1)).unwrap_or("?")
            );
            1
        }
    }
}

// ---------------------------------------------------------------------
// Children: starting them, waiting for them, naming what happened.

/// This program, and what runs it (see the module docs).
struct Me<'a> {
    path: &'a CStr,
    runner: Option<&'a CStr>,
}

impl Me<'_> {
    /// Starts this program with `args` in a child, through the runner if
    /// there is one; `prepare` runs in the child first.
    fn exec(&self, args: &[&CStr], prepare: fn() -> Result<(), Errno>) -> Result<Pid, String> {
        let mut argv: Vec<Option<Arg<'_>>> = Vec::new();
        argv.extend(self.runner.map(|r| Some(Arg::new(r))));
        argv.push(Some(Arg::new(self.path)));
        argv.extend(args.iter().map(|a| Some(Arg::new(a))));
        argv.push(None);
        let program = self.runner.unwrap_or(self.path);
        exec_child(program, &argv, prepare)
    }
}

/// Runs `f` in a forked child, whose exit status is what `f` returns.
fn fork_child(f: impl FnOnce() -> i32) -> Result<Pid, String> {
    match fork() {
        Ok(Fork::Child) => exit_group(f()),
        Ok(Fork::Parent(pid)) => Ok(pid),
        Err(e) => Err(format!("fork: {e}")),
    }
}

/// Starts `path` with `argv` (and no environment) in a child, after
/// `prepare` ran there, and returns once the exec has happened: the
/// child's end of a close-on-exec pipe closes then. An exec that failed
/// sends its errno down the pipe instead, and that child is reaped.
fn exec_child(
    path: &CStr,
    argv: &[Option<Arg<'_>>],
    prepare: fn() -> Result<(), Errno>,
) -> Result<Pid, String> {
    let (r, w) = pipe2(PipeFlags::CLOEXEC).map_err(|e| format!("pipe2: {e}"))?;
    let pid = fork_child(|| {
        let _ = close(r);
        let e = match prepare() {
            Ok(()) => execve(path, argv, &[None]),
            Err(e) => e,
        };
        let _ = write_all(w, &e.raw().to_ne_bytes());
        127
    });
    let _ = close(w);
    let pid = pid?;
    let mut buf = [0u8; 4];
    let got = read(r, &mut buf);
    let _ = close(r);
    match got {
        Ok(0) => Ok(pid),
        Ok(_) => {
            let _ = wait_for(pid, WaitOptions::empty());
            let e = Errno::from_raw(i32::from_ne_bytes(buf)).unwrap_or(Errno::EIO);
            Err(format!("exec {path:?}: {e}"))
        }
        Err(e) => Err(format!("reading the exec report: {e}")),
    }
}

/// Nothing to do before the exec.
fn nothing() -> Result<(), Errno> {
    Ok(())
}

/// No core dumps, and stderr to /dev/null: for a child that dies by a
/// signal whose default action dumps core. The limit makes the kernel
/// report "no core"; qemu-user writes "qemu: uncaught target signal 6
/// (Aborted) - core dumped" to stderr all the same (see
/// docs/process-api.md), so stderr goes where nobody reads it.
fn no_core() -> Result<(), Errno> {
    let none = Rlimit {
        soft: Some(0),
        hard: Some(0),
    };
    setrlimit(Resource::Core, none)?;
    let null = openat(AT_FDCWD, c"/dev/null", OFlags::WRONLY, 0)?;
    dup3(null, STDERR, DupFlags::empty())?;
    close(null)
}

/// Waits (polling, at most [`PATIENCE`]) for `pid` to report a change of
/// state that `options` asks for, through `wait4`. A child that reports
/// nothing in time is killed and reaped, and that is the error.
fn wait_for(pid: Pid, options: WaitOptions) -> Result<WaitStatus, String> {
    poll(pid, || {
        wait4(WaitFor::Child(pid), options | WaitOptions::NOHANG)
    })
}

/// [`wait_for`] through `waitid` (`options` must name the events).
fn waitid_for(pid: Pid, options: WaitOptions) -> Result<WaitStatus, String> {
    poll(pid, || {
        waitid(WaitFor::Child(pid), options | WaitOptions::NOHANG)
    })
}

/// Calls `wait` every millisecond until it reports `pid`, for at most
/// [`PATIENCE`].
fn poll(
    pid: Pid,
    mut wait: impl FnMut() -> Result<Option<(Pid, WaitStatus)>, Errno>,
) -> Result<WaitStatus, String> {
    let start = Instant::now();
    loop {
        match wait() {
            Ok(Some((p, status))) if p == pid => return Ok(status),
            Ok(Some((p, status))) => {
                return Err(format!(
                    "waiting for {pid}, got {p}: {}",
                    status_text(status)
                ));
            }
            Ok(None) => {}
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(format!("waiting for {pid}: {e}")),
        }
        if start.elapsed() > PATIENCE {
            let _ = kill(pid, Signal::KILL);
            let _ = wait4(WaitFor::Child(pid), WaitOptions::empty());
            return Err(format!(
                "child {pid} reported nothing within {PATIENCE:?}: killed"
            ));
        }
        let _ = nanosleep(Duration::from_millis(1));
    }
}

/// Whether `pid` has nothing to report now (`wait4` with `NOHANG`).
fn quiet(pid: Pid) -> Result<&'static str, String> {
    let any = WaitOptions::UNTRACED | WaitOptions::CONTINUED | WaitOptions::NOHANG;
    match wait4(WaitFor::Child(pid), any) {
        Ok(None) => Ok("none"),
        Ok(Some((_, s))) => Err(format!("child {pid} reported {}", status_text(s))),
        Err(e) => Err(format!("wait4 NOHANG: {e}")),
    }
}

/// A status as the suite's lines spell it: `exit 3`, `SIGTERM` (with
/// ` (core dumped)` if one was), `stopped SIGSTOP`, `continued`.
fn status_text(s: WaitStatus) -> String {
    match s {
        WaitStatus::Exited(code) => format!("exit {code}"),
        WaitStatus::Signaled {
            signal,
            core_dumped,
        } => {
            let core = if core_dumped { " (core dumped)" } else { "" };
            format!("{}{core}", name(signal))
        }
        WaitStatus::Stopped(signal) => format!("stopped {}", name(signal)),
        WaitStatus::Continued => String::from("continued"),
    }
}

fn name(s: Signal) -> String {
    match s.name() {
        Some(n) => String::from(n),
        None => format!("signal {}", s.0),
    }
}

/// `si_code` by name, for the codes these cases expect.
fn code_name(code: i32) -> String {
    match code {
        SigInfo::USER => String::from("SI_USER"),
        SigInfo::TKILL => String::from("SI_TKILL"),
        SigInfo::QUEUE => String::from("SI_QUEUE"),
        SigInfo::KERNEL => String::from("SI_KERNEL"),
        other => format!("si_code {other}"),
    }
}

/// A child that sleeps until killed (at most [`PATIENCE`], whatever
/// stops, continues or handlers interrupt the sleep), then exits 2.
fn sleeper() -> i32 {
    let start = Instant::now();
    while let Some(left) = PATIENCE.checked_sub(start.elapsed()) {
        let _ = nanosleep(left);
    }
    2
}

// ---------------------------------------------------------------------
// Exit codes, deaths, stops.

fn exits(me: &Me<'_>) -> Check {
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

fn killed(me: &Me<'_>) -> Check {
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
fn stop_and_continue(pid: Pid) -> Result<String, String> {
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

fn stops(me: &Me<'_>) -> Check {
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

// ---------------------------------------------------------------------
// 10 MiB through a pipe.

/// The bytes the pipe carries: a xorshift stream, the same as
/// `syscalls/tests/files.rs` sends (the suite recomputes the checksum).
struct Stream(u64);

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
struct Fnv(u64);

impl Fnv {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

const PIPE_TOTAL: usize = 10 << 20;

fn pipe() -> Check {
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

// ---------------------------------------------------------------------
// Handlers, masks, sigtimedwait.

static COUNT: AtomicU32 = AtomicU32::new(0);
static LAST_CODE: AtomicI32 = AtomicI32::new(i32::MIN);

unsafe extern "C" fn count(_: i32, info: *mut c_void, _: *mut c_void) {
    // SAFETY: the kernel's siginfo for this handler.
    let info = unsafe { SigInfo::from_handler(info) };
    LAST_CODE.store(info.code, Ordering::Relaxed);
    COUNT.fetch_add(1, Ordering::Relaxed);
}

/// The value the interrupted loop computes, for checking it after.
fn mix(acc: u64, i: u64) -> u64 {
    acc.wrapping_mul(31).wrapping_add(i)
}

fn restorer() -> Check {
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
fn take(set: SigSet) -> Result<SigInfo, String> {
    sigtimedwait(set, Some(PATIENCE)).map_err(|e| format!("sigtimedwait: {e}"))
}

fn masks() -> Check {
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

// ---------------------------------------------------------------------
// A directory of 10,000 entries.

const ENTRIES: usize = 10_000;

/// `entry-NNNNN`, NUL-terminated, in `buf`.
fn entry_name(buf: &mut [u8; 12], i: usize) -> &CStr {
    buf[..6].copy_from_slice(b"entry-");
    let mut n = i;
    for d in (6..11).rev() {
        buf[d] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    buf[11] = 0;
    CStr::from_bytes_with_nul(buf).unwrap_or(c"")
}

/// The number in a name [`entry_name`] made, if it is one.
fn entry_number(name: &[u8]) -> Option<usize> {
    let digits = name.strip_prefix(b"entry-")?;
    if digits.len() != 5 {
        return None;
    }
    core::str::from_utf8(digits).ok()?.parse().ok()
}

fn dir() -> Check {
    // In memory when there is a /dev/shm, so 10,000 files cost no disk.
    let base = [c"/dev/shm", c"/tmp"]
        .into_iter()
        .find_map(|d| openat(AT_FDCWD, d, OFlags::DIRECTORY | OFlags::CLOEXEC, 0).ok())
        .ok_or("neither /dev/shm nor /tmp can be opened")?;
    let mut top = [0u8; 40];
    let top = {
        let s = format!("freestand-process-{}\0", getpid());
        top[..s.len()].copy_from_slice(s.as_bytes());
        CStr::from_bytes_until_nul(&top).map_err(|_| "bad name")?
    };
    mkdirat(base, top, 0o700).map_err(|e| format!("mkdir {top:?}: {e}"))?;
    let result = fill_and_read(base, top);
    // Whatever happened, remove what is there.
    let cleaned = remove_tree(base, top);
    let _ = close(base);
    let line = result?;
    cleaned?;
    println!("{line}, removed");
    Ok(())
}

/// Fills directory `top` (in `base`) and reads it back; returns the
/// line that says what was seen.
fn fill_and_read(base: Fd, top: &CStr) -> Result<String, String> {
    let flags = OFlags::DIRECTORY | OFlags::CLOEXEC;
    let dir = openat(base, top, flags, 0).map_err(|e| format!("open {top:?}: {e}"))?;
    let out = fill_and_read_in(dir);
    let _ = close(dir);
    out
}

fn fill_and_read_in(dir: Fd) -> Result<String, String> {
    let mut name = [0u8; 12];
    for i in 0..ENTRIES {
        let n = entry_name(&mut name, i);
        let fd = openat(
            dir,
            n,
            OFlags::CREAT | OFlags::EXCL | OFlags::WRONLY | OFlags::CLOEXEC,
            0o600,
        )
        .map_err(|e| format!("create {n:?}: {e}"))?;
        close(fd).map_err(|e| format!("close: {e}"))?;
    }
    mkdirat(dir, c"subdir", 0o700).map_err(|e| format!("mkdir subdir: {e}"))?;

    // With the reader's own 4 KiB buffer: each entry exactly once.
    let mut seen = alloc::vec![0u8; ENTRIES];
    let (mut dots, mut subdirs, mut strange, mut bad_type) = (0, 0, 0, 0);
    let mut reader = Dir::new(dir);
    while let Some(entry) = reader.next_entry().map_err(|e| format!("read: {e}"))? {
        let bytes = entry.name().to_bytes();
        if entry.is_dot() {
            dots += 1;
        } else if bytes == b"subdir" {
            subdirs += 1;
            if !matches!(entry.file_type(), FileType::Directory | FileType::Unknown) {
                bad_type += 1;
            }
        } else if let Some(i) = entry_number(bytes) {
            seen[i] = seen[i].saturating_add(1);
            if entry.ino() == 0
                || !matches!(entry.file_type(), FileType::Regular | FileType::Unknown)
            {
                bad_type += 1;
            }
        } else {
            strange += 1;
        }
    }
    let once = seen.iter().filter(|&&n| n == 1).count();
    let missing = seen.iter().filter(|&&n| n == 0).count();
    let twice = ENTRIES - once - missing;

    // Again from the start, through a small buffer the caller lends.
    reader.rewind().map_err(|e| format!("rewind: {e}"))?;
    let mut small = [0u8; 512];
    let mut lent = Dir::with_buffer(dir, &mut small[..]);
    let mut again = 0;
    while let Some(entry) = lent.next_entry().map_err(|e| format!("read: {e}"))? {
        again += usize::from(!entry.is_dot());
    }
    // A buffer too small for any entry: the kernel's EINVAL.
    lseek(dir, SeekFrom::Start(0)).map_err(|e| format!("lseek: {e}"))?;
    let mut tiny = [0u8; 8];
    let refused = match Dir::with_buffer(dir, &mut tiny[..]).next_entry() {
        Err(e) => String::from(e.name().unwrap_or("?")),
        Ok(_) => String::from("an entry"),
    };
    Ok(format!(
        "dir: {once} of {ENTRIES} entries once, {missing} missing, {twice} more than once, \
         {dots} dots, {subdirs} subdir, {strange} strange, {bad_type} bad types; \
         {again} through 512 bytes; 8 bytes {refused}"
    ))
}

/// Removes directory `top` of `base` and what [`fill_and_read`] put in
/// it.
fn remove_tree(base: Fd, top: &CStr) -> Check {
    let flags = OFlags::DIRECTORY | OFlags::CLOEXEC;
    let dir = openat(base, top, flags, 0).map_err(|e| format!("open {top:?}: {e}"))?;
    let full = unlinkat(base, top, AtFlags::REMOVEDIR);
    let mut name = [0u8; 12];
    for i in 0..ENTRIES {
        match unlinkat(dir, entry_name(&mut name, i), AtFlags::empty()) {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(e) => return Err(format!("unlink: {e}")),
        }
    }
    match unlinkat(dir, c"subdir", AtFlags::REMOVEDIR) {
        Ok(()) | Err(Errno::ENOENT) => {}
        Err(e) => return Err(format!("rmdir subdir: {e}")),
    }
    let _ = close(dir);
    unlinkat(base, top, AtFlags::REMOVEDIR).map_err(|e| format!("rmdir {top:?}: {e}"))?;
    if full != Err(Errno::ENOTEMPTY) {
        return Err(format!("removing the full directory: {full:?}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------
// Forks while another thread holds the heap's lock.

const FORKS: usize = 200;

/// Allocates and frees blocks of every size class path (small, mid-size,
/// large) until `stop` is set; returns how many.
fn churn(stop: &AtomicBool) -> usize {
    let sizes = [24usize, 200, 3_000, 20_000, 40_000, 100_000, 1 << 20];
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        for &size in &sizes {
            let v: Vec<u8> = Vec::with_capacity(size);
            black_box(&v);
            drop(v);
            n += 1;
        }
        let b = Box::new([n; 4]);
        black_box(&b);
    }
    n
}

fn fork_heap() -> Check {
    static STOP: AtomicBool = AtomicBool::new(false);
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let worker = thread::spawn(|| {
        STARTED.store(1, Ordering::Release);
        churn(&STOP)
    });
    while STARTED.load(Ordering::Acquire) == 0 {
        thread::yield_now();
    }
    let mut failures = Vec::new();
    let mut clean = 0;
    for i in 0..FORKS {
        // The runtime's fork leaves the heap usable in the child whatever
        // the other thread was doing.
        let pid = match fork() {
            Ok(Fork::Child) => {
                let big = alloc::vec![7u8; 1 << 20];
                let mid = alloc::vec![3u8; 32 << 10];
                let small = Box::new(i);
                let code = if !(big.iter().all(|&b| b == 7) && mid[100] == 3 && *small == i) {
                    3
                } else if thread::current().tid() != gettid() {
                    // The runtime's cached thread id is the parent's.
                    4
                } else if thread::spawn(move || i * 2).join() != i * 2 {
                    5
                } else {
                    0
                };
                exit_group(code)
            }
            Ok(Fork::Parent(pid)) => pid,
            Err(e) => {
                failures.push(format!("fork {i}: {e}"));
                break;
            }
        };
        match wait_for(pid, WaitOptions::empty()) {
            Ok(WaitStatus::Exited(0)) => clean += 1,
            Ok(s) => failures.push(format!("child {i} (pid {pid}): {}", status_text(s))),
            Err(e) => failures.push(format!("child {i}: {e}")),
        }
        // A stuck child costs a second or more: a few say enough.
        if failures.len() == 5 {
            failures.push(String::from("stopped after 5 failures"));
            break;
        }
    }
    STOP.store(true, Ordering::Relaxed);
    let churned = worker.join();
    if !failures.is_empty() {
        return Err(format!(
            "{clean} children exited 0; {}",
            failures.join("; ")
        ));
    }
    println!(
        "fork-heap: {clean} of {FORKS} children forked while a thread allocated exited 0 \
         (the thread went on: {})",
        churned > 0
    );
    Ok(())
}
