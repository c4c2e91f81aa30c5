//! The heap's lock: a spin lock that notices when it can never be had.
//!
//! While the process has one thread, which is all freestand makes today,
//! nothing but a signal handler on that thread can find the lock held, so
//! taking it needs no atomic read-modify-write (which costs more than the
//! rest of a `free`): a plain flag, ordered against the critical section
//! by compiler fences, and a held flag on entry means exactly that a
//! handler interrupted the allocator. Once [`assume_threads`] has been
//! called, the lock is a real spin lock; heap critical sections last well
//! under a microsecond, so waiting spins. A thread that waits more than a
//! second is reported and the program exits, rather than hang: a handler
//! that allocates while its own thread holds the lock would otherwise spin
//! forever, since the holder cannot run until the handler returns.

use core::cell::UnsafeCell;
use core::hint::spin_loop;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering, compiler_fence};
use core::time::Duration;
use freestand_syscalls::time::Instant;

/// The longest a heap operation may wait for the lock.
const PATIENCE: Duration = Duration::from_secs(1);

/// Whether other threads may take the heap's locks.
static THREADED: AtomicBool = AtomicBool::new(false);

/// Makes the heap's locks safe for several threads (see
/// [`super::assume_threads`]).
pub(super) fn assume_threads() {
    THREADED.store(true, Ordering::SeqCst);
}

/// A value behind the heap's lock.
pub(super) struct Lock<T> {
    held: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through a `Guard`, and one guard exists
// at a time (`held`), so sharing the lock shares no `&mut T`.
unsafe impl<T: Send> Sync for Lock<T> {}

impl<T> Lock<T> {
    /// An unlocked lock around `value`.
    pub(super) const fn new(value: T) -> Lock<T> {
        Lock {
            held: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Takes the lock.
    #[inline(always)]
    pub(super) fn lock(&self) -> Guard<'_, T> {
        if !THREADED.load(Ordering::Relaxed) {
            // One thread: only a signal handler that interrupted the
            // allocator can find the lock held.
            if self.held.load(Ordering::Relaxed) {
                reentered();
            }
            self.held.store(true, Ordering::Relaxed);
            compiler_fence(Ordering::Acquire);
        } else if self
            .held
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.wait();
        }
        Guard { lock: self }
    }

    /// Spins until the lock is free, for at most [`PATIENCE`].
    #[cold]
    #[inline(never)]
    fn wait(&self) {
        let start = Instant::now();
        loop {
            for _ in 0..4096 {
                spin_loop();
                if !self.held.load(Ordering::Relaxed)
                    && self
                        .held
                        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
                {
                    return;
                }
            }
            if start.elapsed() > PATIENCE {
                crate::heap::fatal(
                    b"heap lock held for a second: a signal handler allocated while its \
                      thread was inside the allocator, or a thread stopped inside it",
                );
            }
        }
    }
}

/// The lock, held.
pub(super) struct Guard<'a, T> {
    lock: &'a Lock<T>,
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: this guard is the only one (`held`), so no `&mut T` exists.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard is the only one, and `&mut self` makes this the
        // only reference through it.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for Guard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        compiler_fence(Ordering::Release);
        self.lock.held.store(false, Ordering::Release);
    }
}

/// Reports a signal handler that allocated while its thread was inside the
/// allocator.
#[cold]
#[inline(never)]
fn reentered() -> ! {
    crate::heap::fatal(
        b"the heap was entered from a signal handler while its thread was inside the \
          allocator; a handler must not allocate",
    )
}
