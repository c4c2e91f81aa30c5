//! Processes: a [`fork`] that leaves the runtime usable in the child.
//!
//! `freestand_syscalls::process::fork` copies the process as it is: in a
//! threaded program, a lock another thread held at that moment stays held
//! in the child for ever, and the first allocation or `println!` there
//! would wait for a thread that does not exist. This `fork` takes the
//! runtime's own locks first (the heap's, the line lock of the printing
//! macros, the pool of getrandom states), with every signal blocked, and
//! releases them in both processes after the system call: whatever the
//! other threads were doing, the child may allocate, print and call
//! `getrandom` at once. The child has one thread, the caller; the others'
//! stacks and heap caches stay mapped in it, unused.
//!
//! Locks a program defines itself (a `sync::Mutex`) are the program's to
//! handle, as with `pthread_atfork` in C.
//!
//! ```ignore
//! use freestand_rt::process::{Fork, fork};
//! match fork()? {
//!     Fork::Child => freestand_rt::exit::exit(0),
//!     Fork::Parent(pid) => freestand_rt::println!("started {pid:?}"),
//! }
//! ```

use freestand_syscalls::Errno;
use freestand_syscalls::signal::{How, SigSet, sigprocmask};

pub use freestand_syscalls::process::{Fork, Pid};

/// Creates a child process, a copy of this one with one thread (the
/// caller's), in which the runtime's locks are free (see the module docs).
/// Returns twice: [`Fork::Child`] in the child, [`Fork::Parent`] in the
/// parent.
///
/// # Errors
/// `EAGAIN` at the process limit (`RLIMIT_NPROC`, `pid_max`, a cgroup's
/// `pids.max`), `ENOMEM`.
pub fn fork() -> Result<Fork, Errno> {
    // No handler may run while the locks are held: it could wait for one.
    let mask = sigprocmask(How::SetMask, SigSet::ALL)?;
    let random = freestand_syscalls::random::lock_for_fork();
    let lines = crate::io::lock_lines_for_fork();
    let heap = crate::heap::lock_for_fork();
    // SAFETY: the runtime's locks are held by this thread, so the child
    // finds them consistent; what other threads of the program hold is the
    // program's to handle, as documented.
    let r = unsafe { freestand_syscalls::process::fork() };
    if let Ok(Fork::Child) = r {
        crate::thread::after_fork_in_child();
    }
    drop(heap);
    drop(lines);
    drop(random);
    // Only a bad argument could fail, and this mask came from the kernel.
    let _ = sigprocmask(How::SetMask, mask);
    r
}
