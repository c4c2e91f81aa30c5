//! Processes, signals and files on every platform: what the host tests of
//! freestand-syscalls (`syscalls/tests/process.rs`, `signals.rs`,
//! `files.rs`) check natively on x86_64 only, run by a freestanding
//! program (`e2e/programs/process.rs`) natively and under qemu-user.
//!
//! The cases that exec a copy of the program pass it the host's qemu
//! under emulation, as the pid1 area does for init's child: without a
//! `binfmt_misc` entry the host kernel refuses to exec a guest binary.
//! `/bin/true` and `/bin/sh` are the host's and run natively everywhere.
//! Every case runs on all four platforms (docs/process-api.md, "On every
//! platform").

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::harness::{Case, Check, Ctx, Output, expect, which};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    let case = |name, run| Case { name, run };
    vec![
        case("process_exit_codes_fork_and_exec", case_exits),
        case("process_killed_without_core_dump", case_killed),
        case("process_stopped_and_continued", case_stops),
        case("process_pipe_carries_10_mib", case_pipe),
        case("process_handler_returns_through_restorer", case_restorer),
        case("process_masks_and_sigtimedwait", case_masks),
        case("process_directory_of_10000_entries", case_dir),
        case("process_fork_while_a_thread_allocates", case_fork_heap),
    ]
}

/// Runs `process SUB`, followed by the host's qemu under emulation (what
/// the program execs its own copies through).
fn with_runner(c: &Ctx, sub: &str) -> Result<Output, String> {
    let mut args: Vec<&[u8]> = vec![sub.as_bytes()];
    let runner =
        c.p.qemu
            .map(|q| which(q).ok_or_else(|| format!("{q} is not on PATH")))
            .transpose()?;
    if let Some(r) = &runner {
        args.push(r.as_os_str().as_bytes());
    }
    c.run("process", &args, &[])
}

/// Exit codes of forked children (300 is 44: the kernel keeps 8 bits; a
/// `waitid` with `WNOWAIT` leaves the child to be reported again), of
/// exec'd ones (`/bin/true`, `sh -c 'exit 3'`, the program's `exit 7`),
/// and of `vfork_spawn` (`sh -c 'exit 5'`; a failed exec's `ENOENT`).
fn case_exits(c: &Ctx) -> Check {
    let out = with_runner(c, "exits")?;
    let want = "exits: fork: exit 0, exit 42, exit 44, exit 5 then exit 5; \
                exec: exit 0, exit 3, exit 7; vfork_spawn: exit 5, ENOENT\n";
    expect(&out, want.as_bytes(), b"", 0)
}

/// Deaths by signal with `RLIMIT_CORE` 0, so never "core dumped": a
/// forked child raising `SIGABRT`, sleepers killed with `SIGTERM` and
/// `SIGKILL`; `sh -c 'kill -ABRT $$'`, the program's `abort`, and its
/// `sleep` killed with `SIGTERM`.
fn case_killed(c: &Ctx) -> Check {
    let out = with_runner(c, "killed")?;
    let want = "killed: fork: SIGABRT, SIGTERM, SIGKILL; exec: SIGABRT, SIGABRT, SIGTERM\n";
    expect(&out, want.as_bytes(), b"", 0)
}

/// A forked and an exec'd sleeper, each stopped and continued twice
/// (`wait4` with `UNTRACED` and `CONTINUED`, nothing left to report, then
/// `waitid` with `STOPPED` and `CONTINUED`) and killed; a child that
/// stops itself with `SIGTSTP` and exits once continued.
fn case_stops(c: &Ctx) -> Check {
    let out = with_runner(c, "stops")?;
    let both = "stopped SIGSTOP, continued, none, stopped SIGSTOP, continued, SIGKILL";
    let want = format!("stops: fork: {both}; exec: {both}; self: stopped SIGTSTP, exit 0\n");
    expect(&out, want.as_bytes(), b"", 0)
}

/// The FNV-1a checksum of the xorshift stream the program's child sends,
/// computed here.
fn pipe_checksum() -> u64 {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..10 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        h = (h ^ (x & 0xff)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// 10 MiB from a forked child through a pipe, in odd-sized writes and
/// reads: every byte arrives, in order (the checksum is recomputed here).
fn case_pipe(c: &Ctx) -> Check {
    let out = c.run("process", &[b"pipe"], &[])?;
    let want = format!("pipe: 10485760 bytes, fnv1a {:016x}\n", pipe_checksum());
    expect(&out, want.as_bytes(), b"", 0)
}

/// A handler raised 1000 times returns each time to the interrupted loop
/// (through our restorer on x86_64, the vDSO's on aarch64 and riscv64,
/// qemu's under emulation), whose locals survive; `kill` reaches it with
/// `SI_USER`; its flags read back; `sigsuspend` wakes once it ran.
fn case_restorer(c: &Ctx) -> Check {
    let out = c.run("process", &[b"restorer"], &[])?;
    let want = "restorer: 1000 of 1000 raised handled (SI_TKILL), locals intact true, \
                kill SI_USER, flags kept true, blocked 0 then sigsuspend 1\n";
    expect(&out, want.as_bytes(), b"", 0)
}

/// A blocked signal is pending, `sigtimedwait` takes it (sender and
/// code), times out with `EAGAIN` after waiting, polls; real-time signals
/// queue; a signal from a child names the child; the mask goes back.
fn case_masks(c: &Ctx) -> Check {
    let out = c.run("process", &[b"masks"], &[])?;
    let want = "masks: pending false then true, took SIGUSR2 SI_TKILL from self, \
                then pending false, 20 ms wait EAGAIN (slept true), poll EAGAIN, \
                SIGRTMIN+5 queued 3, SIGUSR1 SI_USER from the child, mask held all true, \
                restored true\n";
    expect(&out, want.as_bytes(), b"", 0)
}

/// 10,000 files and a directory under /dev/shm (or /tmp): the reader
/// yields each once (with its own buffer and with a lent 512-byte one),
/// an 8-byte buffer is `EINVAL`, and everything is removed.
fn case_dir(c: &Ctx) -> Check {
    let out = c.run("process", &[b"dir"], &[])?;
    let want = "dir: 10000 of 10000 entries once, 0 missing, 0 more than once, 2 dots, \
                1 subdir, 0 strange, 0 bad types; 10001 through 512 bytes; 8 bytes EINVAL, \
                removed\n";
    expect(&out, want.as_bytes(), b"", 0)?;
    let leftover = ["/dev/shm", "/tmp"].iter().find_map(|d| {
        let entries = std::fs::read_dir(d).ok()?;
        entries.flatten().find_map(|e| {
            let name = e.file_name();
            let is_ours = name.as_bytes().starts_with(b"freestand-process-");
            is_ours.then(|| e.path())
        })
    });
    // Another run of the suite may be using its own; only one that
    // belongs to no live process counts.
    match leftover {
        Some(p) if !owner_alive(p.file_name().unwrap_or_default()) => {
            Err(format!("{} was left behind", p.display()))
        }
        _ => Ok(()),
    }
}

/// Whether the pid in a `freestand-process-PID` name is a live process.
fn owner_alive(name: &OsStr) -> bool {
    let pid = name
        .to_str()
        .and_then(|n| n.strip_prefix("freestand-process-"))
        .and_then(|p| p.parse::<i32>().ok());
    // SAFETY: kill with signal 0 only checks that the process exists.
    pid.is_some_and(|p| unsafe { libc::kill(p, 0) } == 0)
}

/// 200 forks with `freestand_rt::process::fork` while another thread
/// allocates and frees in a loop; each child allocates (1 MiB, 32 KiB and
/// a `Box`), finds its own thread id in the runtime, spawns and joins a
/// thread, and exits 0 (3, 4 or 5 when one of those fails). A child stuck on a lock the thread held is
/// killed after 10 s and reported (the heap reports a lock held for a
/// second of CPU on stderr first).
fn case_fork_heap(c: &Ctx) -> Check {
    let out = c.run("process", &[b"fork-heap"], &[])?;
    let want = "fork-heap: 200 of 200 children forked while a thread allocated exited 0 \
                (the thread went on: true)\n";
    expect(&out, want.as_bytes(), b"", 0)
}
