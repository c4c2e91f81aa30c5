//! Futexes: sleep until a 32-bit word changes ([`wait`]), and wake the
//! threads sleeping on it ([`wake`]). The building block of locks,
//! condition variables and thread joins.
//!
//! [`wait`] compares the word with the value the caller last saw and
//! sleeps only if they are still equal, atomically with respect to
//! [`wake`]: a thread that changes the word and then wakes cannot slip in
//! between the compare and the sleep, so no wake-up is lost.
//!
//! # Returns are hints
//!
//! A return from a wait says nothing certain about the word. `Ok(())`
//! may be a wake meant for an earlier value, `EINTR` a signal handler,
//! `EAGAIN` a change that has since been undone. Callers always load the
//! word again and decide whether to wait once more.
//!
//! # Private and shared
//!
//! [`wait`], [`wait_until`] and [`wake`] use `FUTEX_PRIVATE_FLAG`: the
//! kernel finds the waiters by address in this process alone, which is
//! cheaper, and right for every word that only this process's threads
//! touch. [`wait_shared`] and [`wake_shared`] leave the flag out, for
//! words in memory shared with other processes, **and for a thread's tid
//! word set with `CLONE_CHILD_CLEARTID`**: when the thread exits, the
//! kernel writes 0 there and wakes it as a shared futex, which a private
//! waiter never hears. A joiner therefore waits with [`wait_shared`]. A
//! private wait and a shared wake (or the reverse) do not meet, even on
//! the same address.
//!
//! ```
//! use core::sync::atomic::{AtomicU32, Ordering};
//! use freestand_syscalls::{Errno, futex};
//!
//! let word = AtomicU32::new(1);
//! // Nobody waits yet.
//! assert_eq!(futex::wake(&word, 1), Ok(0));
//! // The word is not 0, so this returns at once.
//! assert_eq!(futex::wait(&word, 0, None), Err(Errno::EAGAIN));
//! ```

use crate::arch::{syscall4, syscall6};
use crate::errno::{Errno, decode, decode_unit};
use crate::nr::__NR_futex;
use crate::time::{Instant, Timespec, saturating_timespec};
use core::ptr;
use core::sync::atomic::AtomicU32;
use core::time::Duration;
use linux_raw_sys::general as k;

/// Sleeps while `word` holds `expected`, for at most `timeout` (`None`:
/// no limit), in this process's private futex space.
///
/// Returns `Ok(())` when woken, which does not mean the word changed:
/// re-check it (see the [module docs](self)). A timeout beyond `i64::MAX`
/// seconds is no limit.
///
/// # Errors
/// `EAGAIN` when `word` did not hold `expected` (it changed before the
/// sleep began); `ETIMEDOUT` when `timeout` passed; `EINTR` when a signal
/// handler ran. All three are normal outcomes, not failures: load the
/// word again and decide.
///
/// # References
/// futex(2) (`FUTEX_WAIT_PRIVATE`), futex(7)
#[inline]
pub fn wait(word: &AtomicU32, expected: u32, timeout: Option<Duration>) -> Result<(), Errno> {
    wait_for(word, expected, timeout, k::FUTEX_WAIT_PRIVATE)
}

/// [`wait`] without `FUTEX_PRIVATE_FLAG`, for words shared with other
/// processes and for a thread's `CLONE_CHILD_CLEARTID` tid word, which the
/// kernel wakes as a shared futex when the thread exits.
///
/// # Errors
/// As [`wait`].
///
/// # References
/// futex(2) (`FUTEX_WAIT`), clone(2) (`CLONE_CHILD_CLEARTID`)
#[inline]
pub fn wait_shared(
    word: &AtomicU32,
    expected: u32,
    timeout: Option<Duration>,
) -> Result<(), Errno> {
    wait_for(word, expected, timeout, k::FUTEX_WAIT)
}

/// Sleeps while `word` holds `expected`, until `CLOCK_MONOTONIC` reads
/// `deadline`, in this process's private futex space.
///
/// An absolute deadline does not drift: a caller that waits again after
/// a spurious wake passes the same deadline instead of shortening a
/// timeout by the time it measured.
///
/// # Errors
/// As [`wait`]: `EAGAIN`, `ETIMEDOUT` (also when `deadline` has already
/// passed, if the word still holds `expected`), `EINTR`.
///
/// # References
/// futex(2) (`FUTEX_WAIT_BITSET_PRIVATE`, `FUTEX_BITSET_MATCH_ANY`)
#[inline]
pub fn wait_until(word: &AtomicU32, expected: u32, deadline: Instant) -> Result<(), Errno> {
    let ts = deadline.timespec();
    // SAFETY: `word` is a live, aligned `u32` that the kernel only reads;
    // `ts` is a readable `__kernel_timespec`, read before the call
    // returns; `uaddr2` is unused by this operation.
    decode_unit(unsafe {
        syscall6(
            __NR_futex,
            word.as_ptr() as usize,
            k::FUTEX_WAIT_BITSET_PRIVATE as usize,
            expected as usize,
            &ts as *const Timespec as usize,
            0,
            k::FUTEX_BITSET_MATCH_ANY as usize,
        )
    })
}

/// The relative waits: `FUTEX_WAIT` with or without the private flag.
#[inline]
fn wait_for(
    word: &AtomicU32,
    expected: u32,
    timeout: Option<Duration>,
    op: u32,
) -> Result<(), Errno> {
    let ts = timeout.map(saturating_timespec);
    let ts = ts.as_ref().map_or(ptr::null(), |t| t as *const Timespec);
    // SAFETY: `word` is a live, aligned `u32` that the kernel only reads;
    // `ts` is null or a readable `__kernel_timespec` that outlives the
    // call.
    decode_unit(unsafe {
        syscall4(
            __NR_futex,
            word.as_ptr() as usize,
            op as usize,
            expected as usize,
            ts as usize,
        )
    })
}

/// Wakes up to `n` threads sleeping in [`wait`] or [`wait_until`] on
/// `word`, and returns how many it woke. `n` above `i32::MAX` counts as
/// `i32::MAX`, so `u32::MAX` wakes them all. A wake with no one waiting
/// costs one system call and returns 0.
///
/// # Errors
/// Only if the kernel refuses the call (a seccomp filter, say).
///
/// # References
/// futex(2) (`FUTEX_WAKE_PRIVATE`)
#[inline]
pub fn wake(word: &AtomicU32, n: u32) -> Result<u32, Errno> {
    wake_op(word, n, k::FUTEX_WAKE_PRIVATE)
}

/// [`wake`] without `FUTEX_PRIVATE_FLAG`: wakes threads in
/// [`wait_shared`], in this process or others that share the memory.
///
/// # Errors
/// As [`wake`].
///
/// # References
/// futex(2) (`FUTEX_WAKE`)
#[inline]
pub fn wake_shared(word: &AtomicU32, n: u32) -> Result<u32, Errno> {
    wake_op(word, n, k::FUTEX_WAKE)
}

/// `FUTEX_WAKE` with or without the private flag.
#[inline]
fn wake_op(word: &AtomicU32, n: u32, op: u32) -> Result<u32, Errno> {
    // The kernel takes an `int`: a count that reads as negative would
    // wake one thread, not all.
    let n = n.min(i32::MAX as u32);
    // SAFETY: the kernel only uses `word`'s address to find waiters; it
    // reads and writes no memory for this operation.
    let woken = decode(unsafe {
        syscall4(
            __NR_futex,
            word.as_ptr() as usize,
            op as usize,
            n as usize,
            0,
        )
    })?;
    // The count is at most `n`, which fits.
    Ok(woken as u32)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use core::sync::atomic::Ordering;
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn a_changed_value_does_not_sleep() {
        let word = AtomicU32::new(5);
        assert_eq!(wait(&word, 4, None), Err(Errno::EAGAIN));
        assert_eq!(wait_shared(&word, 4, None), Err(Errno::EAGAIN));
        let later = Instant::now() + Duration::from_secs(60);
        assert_eq!(wait_until(&word, 4, later), Err(Errno::EAGAIN));
    }

    #[test]
    fn timeouts_expire() {
        let word = AtomicU32::new(0);
        let d = Duration::from_millis(10);
        let t0 = Instant::now();
        assert_eq!(wait(&word, 0, Some(d)), Err(Errno::ETIMEDOUT));
        assert!(t0.elapsed() >= d);
        assert_eq!(wait_shared(&word, 0, Some(d)), Err(Errno::ETIMEDOUT));
        let deadline = Instant::now() + d;
        assert_eq!(wait_until(&word, 0, deadline), Err(Errno::ETIMEDOUT));
        assert!(Instant::now() >= deadline);
        // A deadline in the past times out at once.
        assert_eq!(wait_until(&word, 0, t0), Err(Errno::ETIMEDOUT));
        assert_eq!(wait(&word, 0, Some(Duration::ZERO)), Err(Errno::ETIMEDOUT));
    }

    #[test]
    fn a_wake_with_no_waiter_wakes_none() {
        let word = AtomicU32::new(0);
        assert_eq!(wake(&word, 1), Ok(0));
        assert_eq!(wake(&word, u32::MAX), Ok(0));
        assert_eq!(wake_shared(&word, 1), Ok(0));
    }

    /// Wakes `word` with `wake` until one thread is woken, for at most
    /// about ten seconds, and fails the test if none ever is.
    fn wake_until_woken(word: &AtomicU32, wake: fn(&AtomicU32, u32) -> Result<u32, Errno>) {
        for _ in 0..10_000 {
            if wake(word, u32::MAX).unwrap() == 1 {
                return;
            }
            thread::sleep(std::time::Duration::from_millis(1));
        }
        panic!("the waiter never slept");
    }

    #[test]
    fn wake_wakes_a_waiter() {
        let word = Arc::new(AtomicU32::new(0));
        let w = Arc::clone(&word);
        let waiter = thread::spawn(move || {
            while w.load(Ordering::Acquire) == 0 {
                let _ = wait(&w, 0, None);
            }
        });
        // Leave the value at 0 until the waiter has been found asleep, so
        // the wake is what ends its sleep.
        wake_until_woken(&word, wake);
        word.store(1, Ordering::Release);
        wake(&word, 1).unwrap();
        waiter.join().unwrap();
    }

    #[test]
    fn private_and_shared_do_not_meet() {
        let word = Arc::new(AtomicU32::new(0));
        let w = Arc::clone(&word);
        let waiter = thread::spawn(move || {
            while w.load(Ordering::Acquire) == 0 {
                let _ = wait_shared(&w, 0, None);
            }
        });
        // A private wake never reaches the shared waiter; a shared one
        // does, once it sleeps.
        let private: fn(&AtomicU32, u32) -> Result<u32, Errno> = |word, n| {
            assert_eq!(wake(word, n), Ok(0));
            wake_shared(word, n)
        };
        wake_until_woken(&word, private);
        word.store(1, Ordering::Release);
        wake_shared(&word, 1).unwrap();
        waiter.join().unwrap();
    }
}
