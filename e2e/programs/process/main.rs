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

mod children;
mod dir;
mod fork_heap;
mod signals;
mod statuses;
#[allow(unused_imports)]
use children::*;
#[allow(unused_imports)]
use dir::*;
#[allow(unused_imports)]
use fork_heap::*;
#[allow(unused_imports)]
use signals::*;
#[allow(unused_imports)]
use statuses::*;

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
