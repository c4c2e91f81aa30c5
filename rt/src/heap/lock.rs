//! The heap's lock: a spin lock that notices when it can never be had.
//!
//! Heap critical sections last well under a microsecond, so waiting spins.
//! But a signal handler that allocates while its own thread holds the lock
//! would spin forever: the holder cannot run until the handler returns.
//! The wait is therefore bounded: a lock held for more than a second is
//! reported and the program exits, rather than hang. Once threads exist,
//! each lock records its owner and the check becomes exact.

use core::cell::UnsafeCell;
use core::hint::spin_loop;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;
use freestand_syscalls::time::Instant;

/// The longest a heap operation may wait for the lock.
const PATIENCE: Duration = Duration::from_secs(1);

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
        if self
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
        self.lock.held.store(false, Ordering::Release);
    }
}
