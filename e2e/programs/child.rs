//! The test subject that `examples/init` runs in the suite's `pid1` area:
//! each subcommand shows, on stdout, one thing an init must get right.
//!
//! ```text
//! child exit N        exits with status N
//! child kill SIGNAL   kills itself with SIGNAL (a name: TERM, SIGKILL)
//! child signals N     prints "ready", then "got SIGxxx" for each of the
//!                     next N signals; 10 s without one: status 2
//! child group SIGNAL  forks a grandchild, prints "ready"; each of them
//!                     waits for SIGNAL and says so, the grandchild first
//! child zombies N     leaves N exited children unreaped, prints
//!                     "zombies PID..." and exits: its zombies go to init
//! child linger N      leaves a grandchild that closes stdin, stdout and
//!                     stderr and lives N more seconds, and exits 0
//! child argv          prints argv[1..], escaped, one per line
//! child env           prints the environment, escaped, one per line
//! child fds           prints its open descriptors: "fds: 0 1 2"
//! child state         whether it leads its process group, its blocked
//!                     signals and its ignored ones, by name
//! child tty           whether its group is stdin's foreground group
//! child stamp T0      prints CLOCK_MONOTONIC now minus T0 (ns)
//! child launch PROG.. takes CLOCK_MONOTONIC, then execs PROG.. with it
//!                     appended as the last argument (for `stamp`)
//! ```
//!
//! A signal or child that never comes ends the wait after 10 seconds with
//! status 2, so that a failing case fails instead of hanging.
#![no_std]
#![no_main]

use core::ffi::CStr;
use core::time::Duration;
use freestand_rt::io::{Escaped, STDIN};
use freestand_rt::stack;
use freestand_rt::syscalls::Errno;
use freestand_rt::syscalls::fs::{AT_FDCWD, Dir, OFlags, close, openat};
use freestand_rt::syscalls::process::{
    Arg, Fork, Pid, WaitFor, WaitOptions, exit_group, fork, getpgid, getpid, raise, tcgetpgrp,
    wait4, waitid,
};
use freestand_rt::syscalls::signal::{
    Action, How, SaFlags, SigSet, Signal, sigaction, sigaction_query, sigprocmask, sigtimedwait,
};
use freestand_rt::syscalls::time::{ClockId, clock_gettime};
use freestand_rt::{eprintln, println};

freestand_rt::entry!(main);

/// How long a wait for a signal or a child may last.
const PATIENCE: Duration = Duration::from_secs(10);

/// The signals a process may block and wait for: all but the faults.
fn waitable() -> SigSet {
    let faults = [
        Signal::FPE,
        Signal::ILL,
        Signal::SEGV,
        Signal::BUS,
        Signal::ABRT,
        Signal::TRAP,
        Signal::SYS,
    ];
    faults.into_iter().fold(SigSet::ALL, SigSet::without)
}

fn main() -> i32 {
    let args: [Option<&CStr>; 3] = {
        let mut it = stack::args().skip(1);
        [it.next(), it.next(), it.next()]
    };
    let word = |i: usize| args[i].map_or(&b""[..], CStr::to_bytes);
    let number = || core::str::from_utf8(word(1)).ok()?.parse::<u64>().ok();
    let signal = || Signal::from_name(word(1));
    match (word(0), number(), signal()) {
        (b"exit", Some(n), _) => n as i32,
        (b"kill", _, Some(sig)) => kill_self(sig),
        (b"signals", Some(n), _) => signals(n),
        (b"group", _, Some(sig)) => group(sig),
        (b"zombies", Some(n), _) => zombies(n),
        (b"linger", Some(n), _) => linger(n),
        (b"argv", ..) => {
            stack::args()
                .skip(1)
                .for_each(|a| println!("{:?}", Escaped(a.to_bytes())));
            0
        }
        (b"env", ..) => {
            stack::env().for_each(|e| println!("{:?}", Escaped(e.to_bytes())));
            0
        }
        (b"fds", ..) => fds(),
        (b"state", ..) => state(),
        (b"tty", ..) => tty(),
        (b"stamp", Some(t0), _) => {
            println!("{}", now().saturating_sub(t0));
            0
        }
        (b"launch", ..) => launch(),
        _ => {
            eprintln!("child: unknown or incomplete subcommand (see e2e/programs/child.rs)");
            64
        }
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
fn now() -> u64 {
    let t = clock_gettime(ClockId::MONOTONIC).unwrap_or_default();
    (t.sec as u64).saturating_mul(1_000_000_000) + t.nsec as u64
}

/// Kills this process with `sig` at its default action.
fn kill_self(sig: Signal) -> i32 {
    // SAFETY: the default action runs no handler.
    let _ = unsafe { sigaction(sig, Action::Default, SaFlags::empty()) };
    let _ = sigprocmask(How::Unblock, SigSet::EMPTY.with(sig));
    let _ = raise(sig);
    eprintln!("child: still alive after {sig:?}");
    1
}

/// The next signal of `set`, or exit 2 after [`PATIENCE`].
fn next_signal(set: SigSet, who: &str) -> Signal {
    loop {
        match sigtimedwait(set, Some(PATIENCE)) {
            Ok(info) => return info.signal,
            Err(Errno::EINTR) => {}
            Err(e) => {
                eprintln!("{who}: no signal in {PATIENCE:?} ({e:?})");
                exit_group(2)
            }
        }
    }
}

/// Prints the next `n` signals.
fn signals(n: u64) -> i32 {
    let set = waitable();
    let _ = sigprocmask(How::Block, set);
    println!("ready");
    for _ in 0..n {
        let sig = next_signal(set, "child");
        println!("got {}", sig.name().unwrap_or("?"));
    }
    0
}

/// A grandchild in the same process group; both wait for `sig`.
fn group(sig: Signal) -> i32 {
    let set = SigSet::EMPTY.with(sig);
    let _ = sigprocmask(How::Block, set);
    // SAFETY: one thread; the grandchild only prints and exits.
    let grandchild = match unsafe { fork() } {
        Ok(Fork::Child) => {
            next_signal(set, "grandchild");
            println!("grandchild got {}", sig.name().unwrap_or("?"));
            exit_group(0)
        }
        Ok(Fork::Parent(pid)) => pid,
        Err(e) => {
            eprintln!("child: fork: {e:?}");
            return 1;
        }
    };
    println!("ready");
    next_signal(set, "child");
    // The grandchild's line comes first: it is printed before it exits.
    match wait4(WaitFor::Child(grandchild), WaitOptions::empty()) {
        Ok(Some((_, status))) if status.shell_code() == Some(0) => {
            println!("child got {}", sig.name().unwrap_or("?"));
            0
        }
        other => {
            eprintln!("child: grandchild ended with {other:?}");
            1
        }
    }
}

/// Leaves `n` exited, unreaped children behind.
fn zombies(n: u64) -> i32 {
    let mut line = alloc_line();
    for _ in 0..n {
        // SAFETY: one thread; the new child exits at once.
        match unsafe { fork() } {
            Ok(Fork::Child) => exit_group(0),
            Ok(Fork::Parent(pid)) => {
                // Waits until it has exited, but leaves it a zombie.
                let _ = waitid(
                    WaitFor::Child(pid),
                    WaitOptions::EXITED | WaitOptions::NOWAIT,
                );
                line.push(pid);
            }
            Err(e) => {
                eprintln!("child: fork: {e:?}");
                return 1;
            }
        }
    }
    println!("zombies{}", line);
    0
}

/// Leaves a grandchild that outlives this process by `secs` seconds,
/// with none of its standard descriptors open (so that a reader of
/// them does not wait for it).
fn linger(secs: u64) -> i32 {
    // SAFETY: one thread; the grandchild only makes system calls.
    match unsafe { fork() } {
        Ok(Fork::Child) => {
            for fd in 0..3 {
                let _ = close(fd);
            }
            let _ = freestand_rt::syscalls::time::nanosleep(Duration::from_secs(secs));
            exit_group(0)
        }
        Ok(Fork::Parent(_)) => 0,
        Err(e) => {
            eprintln!("child: fork: {e:?}");
            1
        }
    }
}

/// The pids of [`zombies`], printed after the word.
struct Pids([Option<Pid>; 16]);

fn alloc_line() -> Pids {
    Pids([None; 16])
}

impl Pids {
    fn push(&mut self, pid: Pid) {
        if let Some(slot) = self.0.iter_mut().find(|s| s.is_none()) {
            *slot = Some(pid);
        }
    }
}

impl core::fmt::Display for Pids {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.iter().flatten().try_for_each(|p| write!(f, " {p}"))
    }
}

/// Prints the open descriptors but the one reading the directory.
fn fds() -> i32 {
    let flags = OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = match openat(AT_FDCWD, c"/proc/self/fd", flags, 0) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("child: /proc/self/fd: {e:?}");
            return 1;
        }
    };
    let mut dir = Dir::new(fd);
    let mut list = [false; 64];
    while let Ok(Some(entry)) = dir.next_entry() {
        let n = entry
            .name()
            .to_str()
            .ok()
            .and_then(|s| s.parse::<usize>().ok());
        if let Some(n) = n.filter(|&n| n != fd as usize && n < list.len()) {
            list[n] = true;
        }
    }
    let _ = close(fd);
    freestand_rt::print!("fds:");
    list.iter()
        .enumerate()
        .filter(|(_, open)| **open)
        .for_each(|(n, _)| {
            freestand_rt::print!(" {n}");
        });
    println!();
    0
}

/// Whether this process leads its group, and its signal state.
fn state() -> i32 {
    let leader = getpgid(None).is_ok_and(|g| g.as_raw() == getpid());
    println!("group leader: {}", if leader { "yes" } else { "no" });
    let blocked = sigprocmask(How::Block, SigSet::EMPTY).unwrap_or_default();
    freestand_rt::print!("blocked:");
    blocked
        .iter()
        .for_each(|s| freestand_rt::print!(" {}", s.name().unwrap_or("?")));
    println!();
    freestand_rt::print!("ignored:");
    Signal::all()
        .filter(|&s| sigaction_query(s).is_ok_and(|d| d.is_ignored()))
        .for_each(|s| freestand_rt::print!(" {}", s.name().unwrap_or("?")));
    println!();
    0
}

/// Whether this process's group is the foreground group of stdin.
fn tty() -> i32 {
    let mine = getpgid(None);
    match tcgetpgrp(STDIN) {
        Ok(fg) if Ok(fg) == mine => println!("foreground"),
        Ok(_) => println!("background"),
        Err(e) => println!("no terminal ({e:?})"),
    }
    0
}

/// Takes the time, then execs argv[2..] with it appended.
fn launch() -> i32 {
    let t0 = now();
    let mut digits = [0u8; 24];
    let mut i = digits.len() - 1; // the last byte stays NUL
    let mut n = t0;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let Ok(stamp) = CStr::from_bytes_with_nul(&digits[i..]) else {
        return 1;
    };
    let mut argv: [Option<Arg<'_>>; 16] = [None; 16];
    let mut len = 0;
    for a in stack::args().skip(2).take(14) {
        argv[len] = Some(Arg::new(a));
        len += 1;
    }
    argv[len] = Some(Arg::new(stamp));
    let Some(Some(program)) = argv.first().copied() else {
        eprintln!("child: launch needs a program");
        return 64;
    };
    let envp_ptr = stack::InitialStack::current().as_ptr();
    let argc = stack::InitialStack::current().argc();
    // SAFETY: the initial stack's envp starts after argc and argv's
    // argc pointers and their null one, and lives as long as the process.
    let envp = unsafe { Arg::list_from_raw(envp_ptr.add(2 + argc).cast()) };
    let e = freestand_rt::syscalls::process::execve(program.as_cstr(), &argv, envp);
    eprintln!("child: exec {:?}: {e:?}", program.as_cstr());
    127
}
