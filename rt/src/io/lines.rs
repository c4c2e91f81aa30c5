//! The line lock of the printing macros: whole formatted lines never
//! interleave between threads.

/// Held while a thread writes a formatted line, once the process has
/// threads. A signal handler that prints while its own thread holds it
/// must not wait forever, so a taker gives up after about a second of
/// yielding and prints anyway: output may then interleave, but nothing
/// deadlocks.
pub(crate) struct LineLock;

/// Whether a thread holds the [`LineLock`].
static LINES: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

impl LineLock {
    /// Takes the lock, or gives up after a long wait (see above).
    pub(crate) fn take() -> Option<LineLock> {
        use core::sync::atomic::Ordering::{Acquire, Relaxed};
        for _ in 0..1_000_000 {
            if LINES
                .compare_exchange_weak(false, true, Acquire, Relaxed)
                .is_ok()
            {
                return Some(LineLock);
            }
            freestand_syscalls::process::sched_yield();
        }
        None
    }
}

/// Takes the line lock for a `fork` ([`crate::process::fork`]): released
/// in both processes when dropped.
pub(crate) fn lock_lines_for_fork() -> Option<LineLock> {
    LineLock::take()
}

impl Drop for LineLock {
    fn drop(&mut self) {
        LINES.store(false, core::sync::atomic::Ordering::Release);
    }
}
