//! Sleeping: [`nanosleep`] for a duration, [`sleep_until`] for a point
//! on the monotonic clock, and the single-shot [`clock_nanosleep`] below
//! both.

use super::clock::{ClockId, Timespec};
use super::point::Instant;
use crate::arch::syscall4;
use crate::errno::{Errno, decode_unit};
use crate::nr::__NR_clock_nanosleep;
use core::time::Duration;
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Flags for [`clock_nanosleep`] (`TIMER_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct SleepFlags: u32 {
        /// The request is a point on the clock, not a length of time.
        const ABSTIME = k::TIMER_ABSTIME;
    }
}

/// `d` as a kernel time span. Durations beyond `i64::MAX` seconds (about
/// 292 billion years) saturate there, which the kernel reads as "never".
pub(crate) fn saturating_timespec(d: Duration) -> Timespec {
    Timespec {
        sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        nsec: i64::from(d.subsec_nanos()),
    }
}

/// Sleeps on `clock` until `req` has passed (or, with
/// [`SleepFlags::ABSTIME`], until `clock` reads `req`). One system call:
/// a signal handler ends the sleep early with `EINTR`, and then, for a
/// relative sleep, the time still left is written to `rem` if given.
///
/// # Errors
/// `EINTR` when a signal handler ran; `EINVAL` for a clock that cannot
/// sleep or a `req` with `nsec` outside `0..1_000_000_000` or a negative
/// `sec`; `ENOTSUP` for a clock the kernel does not support here.
///
/// # References
/// clock_nanosleep(2)
#[inline]
pub fn clock_nanosleep(
    clock: ClockId,
    flags: SleepFlags,
    req: &Timespec,
    rem: Option<&mut Timespec>,
) -> Result<(), Errno> {
    let rem = rem.map_or(core::ptr::null_mut(), |r| r as *mut Timespec);
    // SAFETY: `req` is a readable `__kernel_timespec` (the layout of
    // `Timespec`), and `rem` is null or a writable one.
    decode_unit(unsafe {
        syscall4(
            __NR_clock_nanosleep,
            clock.0 as usize,
            flags.bits() as usize,
            req as *const Timespec as usize,
            rem as usize,
        )
    })
}

/// Sleeps for at least `d` on `CLOCK_MONOTONIC`. A signal handler that
/// interrupts the sleep does not shorten it: the sleep resumes for the
/// time left. Durations beyond `i64::MAX` seconds sleep as long as that.
///
/// # Errors
/// Only if the kernel refuses the call (a seccomp filter, say).
///
/// # References
/// clock_nanosleep(2), nanosleep(2)
pub fn nanosleep(d: Duration) -> Result<(), Errno> {
    let mut req = saturating_timespec(d);
    loop {
        let mut rem = Timespec::default();
        match clock_nanosleep(
            ClockId::MONOTONIC,
            SleepFlags::empty(),
            &req,
            Some(&mut rem),
        ) {
            Err(Errno::EINTR) => req = rem,
            other => return other,
        }
    }
}

/// Sleeps until `CLOCK_MONOTONIC` reads `deadline` or later; returns at
/// once if it already does. Signal handlers do not end the sleep early.
/// Unlike a loop of [`nanosleep`], repeated sleeps to fixed deadlines do
/// not drift.
///
/// # Errors
/// Only if the kernel refuses the call (a seccomp filter, say).
///
/// # References
/// clock_nanosleep(2)
pub fn sleep_until(deadline: Instant) -> Result<(), Errno> {
    let req = deadline.timespec();
    loop {
        match clock_nanosleep(ClockId::MONOTONIC, SleepFlags::ABSTIME, &req, None) {
            Err(Errno::EINTR) => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_durations_saturate() {
        let t = saturating_timespec(Duration::MAX);
        assert_eq!(t.sec, i64::MAX);
        assert_eq!(t.nsec, 999_999_999);
        let t = saturating_timespec(Duration::new(3, 7));
        assert_eq!(t, Timespec { sec: 3, nsec: 7 });
    }

    #[test]
    fn nanosleep_sleeps_at_least_the_time_asked() {
        let d = Duration::from_millis(20);
        let t0 = Instant::now();
        nanosleep(d).unwrap();
        assert!(t0.elapsed() >= d);
        nanosleep(Duration::ZERO).unwrap();
    }

    #[test]
    fn signals_do_not_shorten_a_sleep() {
        extern crate std;
        use std::os::unix::thread::JoinHandleExt;

        extern "C" fn ignore(_: libc::c_int) {}
        // SAFETY: `ignore` is async-signal-safe (it does nothing), and the
        // `sigaction` is zeroed but for the handler: no flags, empty mask.
        unsafe {
            let mut sa: libc::sigaction = core::mem::zeroed();
            sa.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
            assert_eq!(
                libc::sigaction(libc::SIGUSR1, &sa, core::ptr::null_mut()),
                0
            );
        }
        let d = Duration::from_millis(60);
        let sleeper = std::thread::spawn(move || {
            let t0 = Instant::now();
            nanosleep(d).unwrap();
            t0.elapsed()
        });
        for _ in 0..5 {
            std::thread::sleep(Duration::from_millis(5));
            // SAFETY: the thread is not joined yet, so its handle is live.
            unsafe { libc::pthread_kill(sleeper.as_pthread_t(), libc::SIGUSR1) };
        }
        assert!(sleeper.join().unwrap() >= d);
    }

    #[test]
    fn sleep_until_reaches_the_deadline() {
        let deadline = Instant::now() + Duration::from_millis(10);
        sleep_until(deadline).unwrap();
        assert!(Instant::now() >= deadline);
        // A deadline in the past returns at once.
        sleep_until(deadline).unwrap();
    }

    #[test]
    fn bad_requests_are_refused() {
        let bad = Timespec { sec: 0, nsec: -1 };
        assert_eq!(
            clock_nanosleep(ClockId::MONOTONIC, SleepFlags::empty(), &bad, None),
            Err(Errno::EINVAL)
        );
    }
}
