//! Helpers shared by the process, signal and file tests: run code in a
//! forked child, wait for a child, make a private temporary directory.
//!
//! The test harness is multi-threaded, so a forked child runs only
//! system calls through the crate (no allocation, no locks, no panics)
//! and reports through its exit code.

#![allow(dead_code, reason = "each test file uses a different part")]

use freestand_syscalls::Errno;
use freestand_syscalls::process::{
    Fork, Pid, WaitFor, WaitOptions, WaitStatus, exit_group, fork, wait4,
};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// The exit code a child reports for an unexpected error: the errno.
pub fn code(e: Errno) -> i32 {
    e.raw()
}

/// Runs `f` in a forked child that exits with what it returns, and
/// returns how the child ended. `f` must keep to system calls.
pub fn in_child(f: impl FnOnce() -> i32) -> WaitStatus {
    wait_for(spawn_child(f))
}

/// Forks a child that runs `f` and exits with what it returns.
pub fn spawn_child(f: impl FnOnce() -> i32) -> Pid {
    // SAFETY: the child runs only `f`, which the callers keep to system
    // calls through this crate, then exits.
    match unsafe { fork() }.expect("fork") {
        Fork::Child => exit_group(f()),
        Fork::Parent(pid) => pid,
    }
}

/// Waits for `pid` to end and says how, retrying `EINTR`.
pub fn wait_for(pid: Pid) -> WaitStatus {
    wait_with(pid, WaitOptions::empty())
}

/// Waits for `pid` with `options` until it reports, retrying `EINTR`.
pub fn wait_with(pid: Pid, options: WaitOptions) -> WaitStatus {
    loop {
        match wait4(WaitFor::Child(pid), options) {
            Ok(Some((p, status))) => {
                assert_eq!(p, pid);
                return status;
            }
            Err(Errno::EINTR) => {}
            other => panic!("wait4({pid}): {other:?}"),
        }
    }
}

/// A new, empty directory of this test process's own.
pub fn temp_dir(tag: &str) -> PathBuf {
    temp_dir_in(std::env::temp_dir(), tag)
}

/// [`temp_dir`] in memory (`/dev/shm`) when there is one, for tests
/// that make thousands of files: creating a file on a virtual machine's
/// disk can take most of a millisecond.
pub fn memory_temp_dir(tag: &str) -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    let writable = std::fs::metadata(&shm).is_ok_and(|m| m.is_dir() && !m.permissions().readonly());
    temp_dir_in(if writable { shm } else { std::env::temp_dir() }, tag)
}

fn temp_dir_in(base: PathBuf, tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = base.join(format!(
        "freestand-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).unwrap();
    dir
}

/// `path` as a C string.
pub fn c(path: &std::path::Path) -> std::ffi::CString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap()
}
