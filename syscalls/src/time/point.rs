//! Points in time: [`Instant`] (`CLOCK_MONOTONIC`) and [`SystemTime`]
//! (`CLOCK_REALTIME`), read with the routed [`clock_gettime`], and their
//! arithmetic with `Duration`.

use super::clock::{ClockId, Timespec, clock_gettime};
use crate::errno::Errno;
use core::time::Duration;

/// A reading of `CLOCK_MONOTONIC`: a point in time that never goes
/// backwards, for measuring intervals. Like `std::time::Instant`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(Timespec);

/// A reading of `CLOCK_REALTIME`: wall-clock time, which may jump. Like
/// `std::time::SystemTime`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SystemTime(Timespec);

/// The error of [`SystemTime::duration_since`] when the argument is later:
/// it holds how much later.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SystemTimeError(pub Duration);

impl core::fmt::Display for SystemTimeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "second time is {:?} later than the first", self.0)
    }
}

impl core::error::Error for SystemTimeError {}

/// `a - b` as a `Duration`, or `None` if `b` is later.
fn sub_timespec(a: Timespec, b: Timespec) -> Option<Duration> {
    if a < b {
        return None;
    }
    let (mut sec, mut nsec) = (a.sec.checked_sub(b.sec)?, a.nsec - b.nsec);
    if nsec < 0 {
        sec -= 1;
        nsec += 1_000_000_000;
    }
    Some(Duration::new(u64::try_from(sec).ok()?, nsec as u32))
}

/// `t + d` (or `t - d` when `neg`), or `None` on overflow.
fn add_duration(t: Timespec, d: Duration, neg: bool) -> Option<Timespec> {
    let secs = i64::try_from(d.as_secs()).ok()?;
    let nanos = i64::from(d.subsec_nanos());
    let (mut sec, mut nsec) = if neg {
        (t.sec.checked_sub(secs)?, t.nsec - nanos)
    } else {
        (t.sec.checked_add(secs)?, t.nsec + nanos)
    };
    if nsec < 0 {
        sec = sec.checked_sub(1)?;
        nsec += 1_000_000_000;
    } else if nsec >= 1_000_000_000 {
        sec = sec.checked_add(1)?;
        nsec -= 1_000_000_000;
    }
    Some(Timespec { sec, nsec })
}

/// The shared arithmetic of [`Instant`] and [`SystemTime`].
macro_rules! time_point {
    ($t:ident, $clock:expr, $what:literal) => {
        impl $t {
            /// Reads the clock.
            ///
            /// # Errors
            /// Only if the kernel refuses the clock (a seccomp filter, say).
            #[inline]
            pub fn try_now() -> Result<$t, Errno> {
                clock_gettime($clock).map($t)
            }

            /// Reads the clock.
            ///
            /// # Panics
            /// If the kernel refuses the clock, which it does not unless a
            /// seccomp filter forbids `clock_gettime` ([`Self::try_now`]
            /// returns the error instead).
            #[inline]
            pub fn now() -> $t {
                match Self::try_now() {
                    Ok(t) => t,
                    Err(e) => panic!(concat!($what, " failed: {}"), e),
                }
            }

            /// The reading as the kernel returned it.
            pub fn timespec(self) -> Timespec {
                self.0
            }

            /// `self + d`, or `None` if it overflows.
            pub fn checked_add(self, d: Duration) -> Option<$t> {
                add_duration(self.0, d, false).map($t)
            }

            /// `self - d`, or `None` if it overflows.
            pub fn checked_sub(self, d: Duration) -> Option<$t> {
                add_duration(self.0, d, true).map($t)
            }
        }

        impl core::ops::Add<Duration> for $t {
            type Output = $t;
            /// # Panics
            /// On overflow, as `std` does; use `checked_add` to avoid it.
            fn add(self, d: Duration) -> $t {
                self.checked_add(d)
                    .expect(concat!("overflow when adding duration to ", stringify!($t)))
            }
        }

        impl core::ops::Sub<Duration> for $t {
            type Output = $t;
            /// # Panics
            /// On overflow, as `std` does; use `checked_sub` to avoid it.
            fn sub(self, d: Duration) -> $t {
                self.checked_sub(d).expect(concat!(
                    "overflow when subtracting duration from ",
                    stringify!($t)
                ))
            }
        }

        impl core::ops::AddAssign<Duration> for $t {
            fn add_assign(&mut self, d: Duration) {
                *self = *self + d;
            }
        }

        impl core::ops::SubAssign<Duration> for $t {
            fn sub_assign(&mut self, d: Duration) {
                *self = *self - d;
            }
        }
    };
}

time_point!(
    Instant,
    ClockId::MONOTONIC,
    "clock_gettime(CLOCK_MONOTONIC)"
);
time_point!(
    SystemTime,
    ClockId::REALTIME,
    "clock_gettime(CLOCK_REALTIME)"
);

impl Instant {
    /// The time from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(self, earlier: Instant) -> Option<Duration> {
        sub_timespec(self.0, earlier.0)
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later
    /// (as `std` does since Rust 1.60).
    pub fn duration_since(self, earlier: Instant) -> Duration {
        self.checked_duration_since(earlier).unwrap_or_default()
    }

    /// The time since `self`.
    ///
    /// # Panics
    /// As [`Instant::now`].
    pub fn elapsed(self) -> Duration {
        Instant::now().duration_since(self)
    }
}

impl core::ops::Sub<Instant> for Instant {
    type Output = Duration;
    /// Saturates at zero, as [`Instant::duration_since`].
    fn sub(self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }
}

impl SystemTime {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: SystemTime = SystemTime(Timespec { sec: 0, nsec: 0 });

    /// The time from `earlier` to `self`.
    ///
    /// # Errors
    /// If `earlier` is later than `self`, with the difference.
    pub fn duration_since(self, earlier: SystemTime) -> Result<Duration, SystemTimeError> {
        sub_timespec(self.0, earlier.0)
            .ok_or_else(|| SystemTimeError(sub_timespec(earlier.0, self.0).unwrap_or_default()))
    }

    /// The time since `self`.
    ///
    /// # Errors
    /// If the clock now reads earlier than `self` (it was set back).
    ///
    /// # Panics
    /// As [`SystemTime::now`].
    pub fn elapsed(self) -> Result<Duration, SystemTimeError> {
        SystemTime::now().duration_since(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_carries_and_overflows() {
        let t = SystemTime(Timespec {
            sec: 10,
            nsec: 900_000_000,
        });
        let u = t + Duration::from_millis(200);
        assert_eq!(
            u.timespec(),
            Timespec {
                sec: 11,
                nsec: 100_000_000
            }
        );
        assert_eq!(u - Duration::from_millis(200), t);
        assert_eq!(u.duration_since(t), Ok(Duration::from_millis(200)));
        assert_eq!(
            t.duration_since(u),
            Err(SystemTimeError(Duration::from_millis(200)))
        );
        assert_eq!(t.checked_add(Duration::MAX), None);
        let max = SystemTime(Timespec {
            sec: i64::MAX,
            nsec: 999_999_999,
        });
        assert_eq!(max.checked_add(Duration::from_nanos(1)), None);
        let i = Instant(Timespec { sec: 5, nsec: 0 });
        let j = Instant(Timespec { sec: 4, nsec: 1 });
        assert_eq!(i - j, Duration::new(0, 999_999_999));
        assert_eq!(j - i, Duration::ZERO);
        assert_eq!(j.checked_duration_since(i), None);
    }
}
