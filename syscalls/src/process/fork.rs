//! A copy of the calling process: [`fork`].
//!
//! riscv64 and aarch64 have no `fork` system call, only `clone`, so every
//! architecture forks with `clone(SIGCHLD)`: no new stack (the child
//! continues on a copy of the caller's), no shared memory, and `SIGCHLD`
//! to the parent when the child ends. Its other arguments are zero, so
//! their order, which differs between x86_64 and the others (see
//! `arch::clone_run`), does not matter here.

use super::Pid;
use crate::arch::syscall5;
use crate::errno::{Errno, decode};
use crate::nr::__NR_clone;
use linux_raw_sys::general as k;

/// Which side of a [`fork`] the caller is on.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub enum Fork {
    /// The new process.
    Child,
    /// The original process; the child has this id.
    Parent(Pid),
}

/// Creates a child process: a copy of the caller with one thread (the
/// calling one), its own copy of memory and of the file descriptor table
/// and signal dispositions. Returns twice: [`Fork::Child`] in the child,
/// [`Fork::Parent`] in the parent.
///
/// # Errors
/// `EAGAIN` at the process limit (`RLIMIT_NPROC`, `pid_max`, the cgroup's
/// `pids.max`); `ENOMEM`.
///
/// # Safety
///
/// When other threads exist, the child holds a snapshot of them in the
/// middle of whatever they were doing: a lock one of them held stays
/// held, and data it was changing is half changed. Until it calls
/// [`execve`](super::execve) or [`exit_group`](super::exit_group), the
/// child must only do what is async-signal-safe: system calls through
/// this crate, on data it owns or that no other thread was changing; no
/// allocation, no locks, no buffered or locked output (`println!`),
/// no panics. A single-threaded caller has no such limit beyond what its
/// runtime's per-thread state assumes (thread ids cached before the fork
/// are the parent's).
///
/// # References
/// fork(2), clone(2)
pub unsafe fn fork() -> Result<Fork, Errno> {
    // SAFETY: `clone` with only a termination signal and no stack makes a
    // copy of this process that returns from this call on its own copy of
    // the stack; no user memory is read or written. The caller takes on
    // the limits above for the child.
    let r = decode(unsafe { syscall5(__NR_clone, k::SIGCHLD as usize, 0, 0, 0, 0) })?;
    Ok(match Pid::from_raw(r as i32) {
        Some(pid) => Fork::Parent(pid),
        None => Fork::Child,
    })
}
