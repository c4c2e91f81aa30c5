//! Locks for threads: [`Mutex`] and [`Condvar`], shaped like
//! `std::sync`'s, built on the kernel's futex.
//!
//! # What is here
//!
//! - [`Mutex<T>`] guards a value: [`Mutex::lock`] returns a
//!   [`MutexGuard`] that dereferences to the `T` and releases the lock
//!   when dropped; [`Mutex::try_lock`] never waits. Both are `const`-made,
//!   so a mutex can be a `static`.
//! - [`Condvar`] lets a thread holding a mutex sleep until another thread
//!   changes the guarded state and notifies it: [`Condvar::wait`],
//!   [`Condvar::wait_while`], the timed [`Condvar::wait_timeout`] and
//!   [`Condvar::wait_timeout_while`], [`Condvar::notify_one`] and
//!   [`Condvar::notify_all`].
//!
//! # When to use them
//!
//! For state shared between threads, once a program has more than one.
//! They work in a single-threaded program too: a lock there is always
//! free, so [`Mutex::lock`] never waits (and a timed condvar wait simply
//! times out). They are not for signal handlers: a handler that takes a
//! lock its interrupted thread holds waits forever, and so does a thread
//! that takes a lock it already holds.
//!
//! For a word to sleep on without a lock around it (a thread join, a
//! one-shot flag), use [`freestand_syscalls::futex`] directly.
//!
//! # How they work
//!
//! A [`Mutex`] is one `u32`: 0 unlocked, 1 locked, 2 locked with threads
//! possibly asleep. Taking a free lock is one compare-and-swap from 0 to
//! 1, and releasing it is one swap to 0; neither makes a system call, and
//! both are inlined into the caller. A thread that finds the lock held
//! spins briefly (a bounded loop of `core::hint::spin_loop`), since most
//! critical sections end within a few hundred instructions, then marks the
//! lock 2 and sleeps on the futex (private to the process). A release that
//! swaps out a 2 wakes one sleeper. The lock is not fair: a running thread
//! may take it ahead of one that was just woken.
//!
//! A [`Condvar`] is one `u32` counter, bumped by every notification. A
//! waiter reads it while holding the mutex, releases the mutex, and
//! sleeps on the futex only while the counter still holds what it read,
//! so a notification that comes in between is never lost. Timed waits
//! fix a `CLOCK_MONOTONIC` deadline once and sleep until it, so repeated
//! waits do not drift.
//!
//! # No poisoning
//!
//! `std`'s mutex is poisoned when a thread panics while holding it. Here a
//! panic ends the whole process (freestand programs use `panic = "abort"`
//! and have no unwinder), so no other thread can see the half-finished
//! update, and [`Mutex::lock`] returns the guard itself, not a `Result`. In
//! host tests, where panics unwind, the guard's drop releases the lock
//! without poisoning it.
//!
//! ```
//! use freestand_rt::sync::{Condvar, Mutex};
//! use std::sync::Arc;
//!
//! let pair = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
//! let producer = {
//!     let pair = Arc::clone(&pair);
//!     std::thread::spawn(move || {
//!         let (queue, ready) = &*pair;
//!         queue.lock().push(42);
//!         ready.notify_one();
//!     })
//! };
//! let (queue, ready) = &*pair;
//! let mut items = ready.wait_while(queue.lock(), |q| q.is_empty());
//! assert_eq!(items.pop(), Some(42));
//! # drop(items);
//! # producer.join().unwrap();
//! ```

mod condvar;
mod mutex;
#[cfg(test)]
mod tests;

pub use condvar::{Condvar, WaitTimeoutResult};
pub use mutex::{Mutex, MutexGuard};
