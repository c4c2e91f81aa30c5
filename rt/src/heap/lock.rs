//! The heap's lock: a spin lock that notices when it can never be had.
//!
//! While the process has one thread, which is all freestand makes today,
//! nothing but a signal handler on that thread can find the lock held, so
//! taking it needs no atomic read-modify-write (which costs more than the
//! rest of a `free`): a plain flag, ordered against the critical section
//! by compiler fences, and a held flag on entry means exactly that a
//! handler interrupted the allocator. Once [`assume_threads`] has been
//! called, the lock is a real spin lock; heap critical sections last well
//! under a microsecond, so waiting spins. A thread that spins for more than
//! a second of its own CPU time is reported and the program exits, rather than hang: a handler
//! that allocates while its own thread holds the lock would otherwise spin
//! forever, since the holder cannot run until the handler returns.

use core::cell::UnsafeCell;
use core::hint::spin_loop;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering, compiler_fence};
use freestand_syscalls::time::{ClockId, clock_gettime};

/// The longest a heap operation may spin for the lock, in nanoseconds of
/// the waiting thread's own CPU time: a process stopped by `SIGSTOP` or
/// a debugger does not use it up.
const PATIENCE_NS: u64 = 1_000_000_000;

/// The calling thread's CPU time, in nanoseconds (0 if it cannot be read).
fn cpu_time_ns() -> u64 {
    clock_gettime(ClockId::THREAD_CPUTIME_ID)
        .map(|t| t.sec as u64 * 1_000_000_000 + t.nsec as u64)
        .unwrap_or(0)
}

/// Whether other threads may take the heap's locks.
static THREADED: Alone = Alone(AtomicBool::new(false));

/// A flag on a cache line of its own: every allocation of every thread
/// reads it, so a neighbour that some thread writes often would make each
/// read a cache miss on the other cores.
#[repr(align(64))]
struct Alone(AtomicBool);

/// Whether [`assume_threads`] has been called.
pub(super) fn threaded() -> bool {
    THREADED.0.load(Ordering::Relaxed)
}

/// Makes the heap's locks safe for several threads (see
/// [`super::assume_threads`]).
pub(super) fn assume_threads() {
    THREADED.0.store(true, Ordering::SeqCst);
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
        if !THREADED.0.load(Ordering::Relaxed) {
            self.take_alone();
        } else if self
            .held
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.wait();
        }
        Guard { lock: self }
    }

    /// Takes the lock while the process has one thread, the cheap way;
    /// `None` once [`assume_threads`] has been called, when the caller
    /// chooses between the thread's cache and [`Lock::lock`]. One read of
    /// the flag decides both, so a process with one thread pays what
    /// [`Lock::lock`] costs it.
    #[inline(always)]
    pub(super) fn lock_alone(&self) -> Option<Guard<'_, T>> {
        if THREADED.0.load(Ordering::Relaxed) {
            return None;
        }
        self.take_alone();
        Some(Guard { lock: self })
    }

    /// Sets the flag, in a process with one thread.
    #[inline(always)]
    fn take_alone(&self) {
        // One thread: only a signal handler that interrupted the
        // allocator can find the lock held.
        if self.held.load(Ordering::Relaxed) {
            reentered();
        }
        self.held.store(true, Ordering::Relaxed);
        // SeqCst: no access of the critical section may move above the
        // store, or a handler arriving in between would find the flag
        // clear.
        compiler_fence(Ordering::SeqCst);
    }

    /// Spins until the lock is free, for at most [`PATIENCE_NS`].
    #[cold]
    #[inline(never)]
    fn wait(&self) {
        let start = cpu_time_ns();
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
            if cpu_time_ns().saturating_sub(start) > PATIENCE_NS {
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
        compiler_fence(Ordering::SeqCst);
        self.lock.held.store(false, Ordering::Release);
    }
}

/// Reports a signal handler that allocated while its thread was inside the
/// allocator.
#[cold]
#[inline(never)]
pub(super) fn reentered() -> ! {
    crate::heap::fatal(
        b"the heap was entered from a signal handler while its thread was inside the \
          allocator; a handler must not allocate",
    )
}
