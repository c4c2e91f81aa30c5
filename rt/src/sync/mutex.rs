//! [`Mutex`]: a lock in one `u32`, taken by one compare-and-swap and
//! released by one swap when nobody waits; waiters spin briefly, then
//! sleep on a futex.

use core::cell::UnsafeCell;
use core::fmt;
use core::hint::spin_loop;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::AtomicU32;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use freestand_syscalls::futex;

/// Nobody holds the lock.
const UNLOCKED: u32 = 0;
/// A thread holds the lock, and no thread sleeps waiting for it.
const LOCKED: u32 = 1;
/// A thread holds the lock, and threads may be asleep waiting for it:
/// whoever releases it must wake one.
const CONTENDED: u32 = 2;

/// How many times a thread that finds the lock held looks again before it
/// sleeps. A critical section a few hundred instructions long usually ends
/// within this; a longer one is not worth burning the CPU for.
const SPINS: u32 = 100;

/// A mutual-exclusion lock around a `T`, like `std::sync::Mutex` without
/// poisoning (see the [module docs](super) for when to use it).
///
/// ```
/// use freestand_rt::sync::Mutex;
///
/// static COUNT: Mutex<u64> = Mutex::new(0);
///
/// *COUNT.lock() += 1;
/// assert_eq!(*COUNT.lock(), 1);
/// ```
pub struct Mutex<T: ?Sized> {
    /// [`UNLOCKED`], [`LOCKED`] or [`CONTENDED`]; the futex word.
    state: AtomicU32,
    value: UnsafeCell<T>,
}

// `Send` comes from the fields: `UnsafeCell<T>` is `Send` when `T` is.
// SAFETY: the `T` is reached only through a guard, and `state` lets one
// guard exist at a time, so sharing the mutex hands the `T` from thread to
// thread one at a time, which `T: Send` allows; no `&T` is ever shared
// between two threads at once, so `T: Sync` is not needed.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// The lock held: dereferences to the `T`, and releases the lock when
/// dropped. Made by [`Mutex::lock`] and [`Mutex::try_lock`].
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    /// Not `Send`, as in `std`: the lock is released by the thread that
    /// took it.
    _not_send: PhantomData<*const ()>,
}

// SAFETY: a shared guard gives only `&T`, so sharing it between threads
// shares `&T`, which `T: Sync` allows.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex around `value`. Usable in a `static`.
    #[inline]
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            state: AtomicU32::new(UNLOCKED),
            value: UnsafeCell::new(value),
        }
    }

    /// The value, taking the mutex apart. No locking: owning the mutex
    /// means no guard exists.
    #[inline]
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Takes the lock, waiting as long as it takes, and returns the guard
    /// that releases it.
    ///
    /// Taking a lock that the calling thread already holds waits forever
    /// (a deadlock), as does taking it in a signal handler that
    /// interrupted its holder.
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if self
            .state
            .compare_exchange(UNLOCKED, LOCKED, Acquire, Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
        MutexGuard {
            mutex: self,
            _not_send: PhantomData,
        }
    }

    /// Takes the lock if nobody holds it; never waits.
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.state
            .compare_exchange(UNLOCKED, LOCKED, Acquire, Relaxed)
            .ok()
            .map(|_| MutexGuard {
                mutex: self,
                _not_send: PhantomData,
            })
    }

    /// The value, through a unique reference. No locking: `&mut self`
    /// means no guard exists.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// The slow path of [`Mutex::lock`]: the lock was held.
    #[cold]
    #[inline(never)]
    fn lock_contended(&self) {
        let mut state = self.spin();
        if state == UNLOCKED {
            match self
                .state
                .compare_exchange(UNLOCKED, LOCKED, Acquire, Relaxed)
            {
                Ok(_) => return,
                Err(s) => state = s,
            }
        }
        loop {
            // Mark the lock contended whatever its state. If it was free,
            // this thread now holds it, marked contended although perhaps
            // nobody waits: that costs at most one needless wake, while
            // taking it as plain LOCKED could leave a sleeper unwoken.
            if state != CONTENDED && self.state.swap(CONTENDED, Acquire) == UNLOCKED {
                return;
            }
            // Sleep while it stays contended. Every return (a wake, a
            // change before the sleep, a signal) leads to a fresh look.
            // Should the kernel refuse futexes altogether, this loop
            // spins, and the lock still works.
            let _ = futex::wait(&self.state, CONTENDED, None);
            state = self.spin();
        }
    }

    /// Looks at the lock up to [`SPINS`] times while another thread holds
    /// it with nobody asleep, and returns the state seen last. Spinning
    /// stops early on [`CONTENDED`]: others are already asleep, and
    /// joining them is fairer than racing them.
    #[inline]
    fn spin(&self) -> u32 {
        let mut left = SPINS;
        loop {
            let state = self.state.load(Relaxed);
            if state != LOCKED || left == 0 {
                return state;
            }
            spin_loop();
            left -= 1;
        }
    }

    /// Releases the lock. Waking is left to [`Mutex::wake`], out of line.
    #[inline]
    fn unlock(&self) {
        if self.state.swap(UNLOCKED, Release) == CONTENDED {
            self.wake();
        }
    }

    /// Wakes one thread asleep in [`Mutex::lock_contended`].
    #[cold]
    #[inline(never)]
    fn wake(&self) {
        // If the wake fails, the sleeper's own loop still sees the lock
        // free at its next look.
        let _ = futex::wake(&self.state, 1);
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Mutex<T> {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    /// Shows the value if the lock is free, and `<locked>` if not: it
    /// never waits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish_non_exhaustive()
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard holds; for [`Condvar`](super::Condvar), which
    /// releases and retakes it.
    pub(super) fn mutex(&self) -> &'a Mutex<T> {
        self.mutex
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the lock, so no `&mut T` exists
        // elsewhere.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the lock, and `&mut self` makes this
        // the only reference through it.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.mutex.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
