//! [`Condvar`]: a sequence counter that notifications bump and waiters
//! sleep on with a futex.

use super::mutex::MutexGuard;
use core::fmt;
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::Relaxed;
use core::time::Duration;
use freestand_syscalls::Errno;
use freestand_syscalls::futex;
use freestand_syscalls::time::Instant;

/// A condition variable: threads sleep in [`Condvar::wait`] until another
/// thread changes the state behind a [`Mutex`](super::Mutex) and calls
/// [`Condvar::notify_one`] or [`Condvar::notify_all`]. Like
/// `std::sync::Condvar`.
///
/// Use each condvar with one mutex only. Nothing checks this, and with two
/// mutexes a notification can slip between one waiter's check of its state
/// and its sleep.
///
/// Waits may end without a notification (a spurious wake-up): always wait
/// in a loop that re-checks the condition, or use [`Condvar::wait_while`].
///
/// ```
/// use freestand_rt::sync::{Condvar, Mutex};
///
/// static READY: Mutex<bool> = Mutex::new(false);
/// static CHANGED: Condvar = Condvar::new();
///
/// // Another thread would do this part.
/// *READY.lock() = true;
/// CHANGED.notify_all();
///
/// let ready = CHANGED.wait_while(READY.lock(), |ready| !*ready);
/// assert!(*ready);
/// ```
pub struct Condvar {
    /// Bumped by every notification; waiters sleep while it holds the
    /// value they read with the mutex held.
    seq: AtomicU32,
}

/// Whether a timed wait of a [`Condvar`] ended because its time ran out.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// True if the wait ended because the time ran out (for
    /// [`Condvar::wait_timeout_while`]: with the condition still true).
    #[inline]
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

/// How long a wait may last.
#[derive(Copy, Clone)]
enum Limit {
    /// No limit.
    Never,
    /// Until `CLOCK_MONOTONIC` reads this.
    Until(Instant),
    /// This long from each sleep's start; only when the clock cannot be
    /// read (a seccomp filter), so that the wait is still bounded.
    For(Duration),
}

impl Limit {
    /// The limit `dur` from now. A deadline too far to represent is no
    /// limit.
    fn after(dur: Duration) -> Limit {
        match Instant::try_now() {
            Ok(now) => now.checked_add(dur).map_or(Limit::Never, Limit::Until),
            Err(_) => Limit::For(dur),
        }
    }
}

impl Condvar {
    /// A condvar with nobody waiting. Usable in a `static`.
    #[inline]
    pub const fn new() -> Condvar {
        Condvar {
            seq: AtomicU32::new(0),
        }
    }

    /// Releases the lock behind `guard`, sleeps until notified (or woken
    /// spuriously), and takes the lock again.
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.wait_limited(guard, Limit::Never).0
    }

    /// Waits, as [`Condvar::wait`] does, for as long as `condition` holds
    /// for the value behind the lock, and returns with the lock held and
    /// `condition` false.
    pub fn wait_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> MutexGuard<'a, T>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            guard = self.wait(guard);
        }
        guard
    }

    /// [`Condvar::wait`] for at most `dur`. The result says whether the
    /// time ran out; a wait that did not time out may still be spurious.
    pub fn wait_timeout<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        let (guard, timed_out) = self.wait_limited(guard, Limit::after(dur));
        (guard, WaitTimeoutResult(timed_out))
    }

    /// [`Condvar::wait_while`] for at most `dur` in all: the deadline is
    /// fixed once, so spurious wake-ups do not stretch the wait. Returns
    /// with the lock held; the result says the time ran out with
    /// `condition` still true.
    pub fn wait_timeout_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        dur: Duration,
        mut condition: F,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult)
    where
        F: FnMut(&mut T) -> bool,
    {
        let limit = Limit::after(dur);
        loop {
            if !condition(&mut *guard) {
                return (guard, WaitTimeoutResult(false));
            }
            let (g, timed_out) = self.wait_limited(guard, limit);
            guard = g;
            if timed_out {
                let still = condition(&mut *guard);
                return (guard, WaitTimeoutResult(still));
            }
        }
    }

    /// Wakes one thread waiting on this condvar, if any.
    #[inline]
    pub fn notify_one(&self) {
        self.seq.fetch_add(1, Relaxed);
        // A failed wake leaves the waiter asleep; the kernel fails it only
        // if it refuses futexes altogether, and then waits fail too.
        let _ = futex::wake(&self.seq, 1);
    }

    /// Wakes every thread waiting on this condvar.
    #[inline]
    pub fn notify_all(&self) {
        self.seq.fetch_add(1, Relaxed);
        // As in `notify_one`.
        let _ = futex::wake(&self.seq, u32::MAX);
    }

    /// The one wait: read the counter with the lock held, release the
    /// lock, sleep while the counter is unchanged, retake the lock.
    /// Returns the guard and whether the sleep timed out.
    ///
    /// No notification is lost: one that comes after the read bumps the
    /// counter, so the sleep either does not begin (`EAGAIN`) or is woken.
    /// Relaxed ordering suffices: the mutex orders the read after the
    /// notifier's earlier changes to the state, and the futex compares
    /// the counter atomically with going to sleep. Only 2^32 notifications
    /// between the read and the sleep could make one look unchanged.
    fn wait_limited<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        limit: Limit,
    ) -> (MutexGuard<'a, T>, bool) {
        let seen = self.seq.load(Relaxed);
        let mutex = guard.mutex();
        drop(guard);
        let slept = match limit {
            Limit::Never => futex::wait(&self.seq, seen, None),
            Limit::Until(deadline) => futex::wait_until(&self.seq, seen, deadline),
            Limit::For(dur) => futex::wait(&self.seq, seen, Some(dur)),
        };
        (mutex.lock(), slept == Err(Errno::ETIMEDOUT))
    }
}

impl Default for Condvar {
    fn default() -> Condvar {
        Condvar::new()
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar").finish_non_exhaustive()
    }
}
