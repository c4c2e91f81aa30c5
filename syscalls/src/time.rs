//! Clocks: `clock_gettime`, `clock_getres`, `gettimeofday` and `time`,
//! routed through the vDSO (see [`route`](crate::route)), and the safe
//! [`Instant`] and [`SystemTime`] on top.
//!
//! Every routed function has a `_syscall` sibling that always makes the
//! system call, for comparisons and tests.
//!
//! ```
//! use freestand_syscalls::time::{ClockId, Instant, clock_gettime};
//!
//! let t0 = Instant::now();
//! let mono = clock_gettime(ClockId::MONOTONIC).unwrap();
//! assert!(mono.nsec < 1_000_000_000);
//! let _elapsed = t0.elapsed();
//! ```

use crate::arch::syscall2;
use crate::errno::Errno;
use crate::nr::{__NR_clock_getres, __NR_clock_gettime, __NR_gettimeofday};
use crate::route::{Call, finish, slot};
use core::mem::transmute;
use core::time::Duration;
use linux_raw_sys::general as k;

/// A clock id for [`clock_gettime`]. Any `i32` can be passed to the kernel,
/// which rejects unknown ids with `EINVAL`; the constants name the known ones.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClockId(pub i32);

impl ClockId {
    /// Wall-clock time, which can jump.
    pub const REALTIME: ClockId = ClockId(k::CLOCK_REALTIME as i32);
    /// Time since an unspecified start, never going backwards; stops in suspend.
    pub const MONOTONIC: ClockId = ClockId(k::CLOCK_MONOTONIC as i32);
    /// CPU time consumed by the process.
    pub const PROCESS_CPUTIME_ID: ClockId = ClockId(k::CLOCK_PROCESS_CPUTIME_ID as i32);
    /// CPU time consumed by the calling thread.
    pub const THREAD_CPUTIME_ID: ClockId = ClockId(k::CLOCK_THREAD_CPUTIME_ID as i32);
    /// Monotonic time without NTP frequency adjustment.
    pub const MONOTONIC_RAW: ClockId = ClockId(k::CLOCK_MONOTONIC_RAW as i32);
    /// A faster, tick-resolution `REALTIME`.
    pub const REALTIME_COARSE: ClockId = ClockId(k::CLOCK_REALTIME_COARSE as i32);
    /// A faster, tick-resolution `MONOTONIC`.
    pub const MONOTONIC_COARSE: ClockId = ClockId(k::CLOCK_MONOTONIC_COARSE as i32);
    /// Monotonic time that keeps counting during suspend.
    pub const BOOTTIME: ClockId = ClockId(k::CLOCK_BOOTTIME as i32);
    /// `REALTIME` for alarm timers (needs an RTC with wake-up support).
    pub const REALTIME_ALARM: ClockId = ClockId(k::CLOCK_REALTIME_ALARM as i32);
    /// `BOOTTIME` for alarm timers (needs an RTC with wake-up support).
    pub const BOOTTIME_ALARM: ClockId = ClockId(k::CLOCK_BOOTTIME_ALARM as i32);
    /// International Atomic Time.
    pub const TAI: ClockId = ClockId(k::CLOCK_TAI as i32);

    /// The named clocks with their C names, in id order.
    pub const NAMED: [(ClockId, &'static str); 11] = [
        (ClockId::REALTIME, "CLOCK_REALTIME"),
        (ClockId::MONOTONIC, "CLOCK_MONOTONIC"),
        (ClockId::PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"),
        (ClockId::THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"),
        (ClockId::MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"),
        (ClockId::REALTIME_COARSE, "CLOCK_REALTIME_COARSE"),
        (ClockId::MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"),
        (ClockId::BOOTTIME, "CLOCK_BOOTTIME"),
        (ClockId::REALTIME_ALARM, "CLOCK_REALTIME_ALARM"),
        (ClockId::BOOTTIME_ALARM, "CLOCK_BOOTTIME_ALARM"),
        (ClockId::TAI, "CLOCK_TAI"),
    ];
}

/// Seconds and nanoseconds, laid out as the kernel's `__kernel_timespec`.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timespec {
    /// Whole seconds.
    pub sec: i64,
    /// Nanoseconds, `0..1_000_000_000` in anything the kernel returns.
    pub nsec: i64,
}

const _: () =
    assert!(core::mem::size_of::<Timespec>() == core::mem::size_of::<k::__kernel_timespec>());

/// Seconds and microseconds, laid out as the kernel's `struct timeval` on
/// 64-bit targets.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timeval {
    /// Whole seconds.
    pub sec: i64,
    /// Microseconds, `0..1_000_000`.
    pub usec: i64,
}

const _: () = assert!(core::mem::size_of::<Timeval>() == core::mem::size_of::<k::timeval>());

/// The kernel's `struct timezone`: obsolete, but still set by `settimeofday`
/// and reported by `gettimeofday`.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Timezone {
    /// Minutes west of Greenwich.
    pub minuteswest: i32,
    /// Type of daylight-saving correction (always 0 in practice).
    pub dsttime: i32,
}

const _: () = assert!(core::mem::size_of::<Timezone>() == core::mem::size_of::<k::timezone>());

type ClockFn = unsafe extern "C" fn(i32, *mut Timespec) -> i32;
type GettimeofdayFn = unsafe extern "C" fn(*mut Timeval, *mut Timezone) -> i32;
type TimeFn = unsafe extern "C" fn(*mut i64) -> isize;

/// The system call behind `clock_gettime`, with the vDSO's signature.
///
/// # Safety
///
/// `ts` must be valid for writing a `Timespec`.
unsafe extern "C" fn clock_gettime_shim(clock: i32, ts: *mut Timespec) -> i32 {
    // SAFETY: the kernel writes one `__kernel_timespec`, which `Timespec`
    // matches, to `ts`, which the caller made writable.
    unsafe { syscall2(__NR_clock_gettime, clock as usize, ts as usize) as i32 }
}

/// The system call behind `clock_getres`, with the vDSO's signature.
///
/// # Safety
///
/// `ts` must be null or valid for writing a `Timespec`.
unsafe extern "C" fn clock_getres_shim(clock: i32, ts: *mut Timespec) -> i32 {
    // SAFETY: as in `clock_gettime_shim`.
    unsafe { syscall2(__NR_clock_getres, clock as usize, ts as usize) as i32 }
}

/// The system call behind `gettimeofday`, with the vDSO's signature.
///
/// # Safety
///
/// `tv` and `tz` must each be null or valid for writing their type.
unsafe extern "C" fn gettimeofday_shim(tv: *mut Timeval, tz: *mut Timezone) -> i32 {
    // SAFETY: the kernel writes a `timeval` and a `timezone`, which the two
    // types match, where the caller allows it.
    unsafe { syscall2(__NR_gettimeofday, tv as usize, tz as usize) as i32 }
}

/// `time` by system call, with the signature of `__vdso_time`, for the
/// architectures whose kernel has no `time` system call (riscv64, aarch64:
/// the asm-generic system-call table): reads `CLOCK_REALTIME` by
/// `clock_gettime`, as the generic C libraries do. Their `arch::time_shim`
/// is this function; x86_64's makes its own `time` call.
///
/// # Safety
///
/// `t` must be null or valid for writing an `i64`.
#[allow(
    dead_code,
    reason = "x86_64 has a time system call and its arch::time_shim uses it"
)]
pub(crate) unsafe extern "C" fn time_by_clock_gettime(t: *mut i64) -> isize {
    let mut ts = Timespec::default();
    // SAFETY: `ts` is a writable `Timespec`.
    let ret = unsafe { clock_gettime_shim(linux_raw_sys::general::CLOCK_REALTIME as i32, &mut ts) };
    if ret != 0 {
        return ret as isize;
    }
    if !t.is_null() {
        // SAFETY: the caller passes null or a writable `i64`.
        unsafe { *t = ts.sec };
    }
    ts.sec as isize
}

slot!(
    CLOCK_GETTIME,
    Call::ClockGettime,
    clock_gettime_shim,
    fn(c: i32, ts: *mut Timespec) -> i32
);
slot!(
    CLOCK_GETRES,
    Call::ClockGetres,
    clock_getres_shim,
    fn(c: i32, ts: *mut Timespec) -> i32
);
slot!(
    GETTIMEOFDAY,
    Call::Gettimeofday,
    gettimeofday_shim,
    fn(tv: *mut Timeval, tz: *mut Timezone) -> i32
);
slot!(
    TIME,
    Call::Time,
    crate::arch::time_shim,
    fn(t: *mut i64) -> isize
);

/// Calls a clock function from `slot` (or `shim` itself when `slot` is
/// `None`) and applies the return-value rule.
#[inline(always)]
fn clock_call(
    slot: Option<&crate::route::Slot>,
    shim: ClockFn,
    clock: ClockId,
) -> Result<Timespec, Errno> {
    let mut ts = Timespec::default();
    // A raw pointer, so that the retry on the error path writes `ts` too.
    let p = &raw mut ts;
    let f = slot.map_or(shim as *mut (), |s| s.get());
    // SAFETY: a slot holds a function with the clock functions' C signature
    // (see `slot!`); `p` is writable.
    let ret = unsafe { transmute::<*mut (), ClockFn>(f)(clock.0, p) };
    // SAFETY: as above, for the shim.
    finish!(ret, f, shim as *mut (), unsafe { shim(clock.0, p) })?;
    Ok(ts)
}

/// Reads `clock`, through the vDSO where it serves the call.
///
/// # Errors
/// `EINVAL` for an unknown clock id (or one the kernel lacks, such as the
/// alarm clocks without a suitable RTC).
///
/// # References
/// clock_gettime(2)
#[inline]
pub fn clock_gettime(clock: ClockId) -> Result<Timespec, Errno> {
    clock_call(Some(&CLOCK_GETTIME), clock_gettime_shim, clock)
}

/// [`clock_gettime`] by the system call, never the vDSO.
///
/// # Errors
/// As [`clock_gettime`].
///
/// # References
/// clock_gettime(2)
#[inline]
pub fn clock_gettime_syscall(clock: ClockId) -> Result<Timespec, Errno> {
    clock_call(None, clock_gettime_shim, clock)
}

/// The resolution of `clock`, through the vDSO where it serves the call.
///
/// # Errors
/// `EINVAL` for an unknown clock id.
///
/// # References
/// clock_getres(2)
#[inline]
pub fn clock_getres(clock: ClockId) -> Result<Timespec, Errno> {
    clock_call(Some(&CLOCK_GETRES), clock_getres_shim, clock)
}

/// [`clock_getres`] by the system call, never the vDSO.
///
/// # Errors
/// As [`clock_getres`].
///
/// # References
/// clock_getres(2)
#[inline]
pub fn clock_getres_syscall(clock: ClockId) -> Result<Timespec, Errno> {
    clock_call(None, clock_getres_shim, clock)
}

/// Calls a `gettimeofday` function and applies the return-value rule;
/// `tz` is passed only when `with_tz`.
#[inline(always)]
fn gettimeofday_call(slot: bool, with_tz: bool) -> Result<(Timeval, Timezone), Errno> {
    let shim: GettimeofdayFn = gettimeofday_shim;
    let (mut tv, mut tz) = (Timeval::default(), Timezone::default());
    let tzp: *mut Timezone = if with_tz {
        &mut tz
    } else {
        core::ptr::null_mut()
    };
    let f = if slot {
        GETTIMEOFDAY.get()
    } else {
        shim as *mut ()
    };
    let tvp = &raw mut tv;
    // SAFETY: the slot holds a function of `GettimeofdayFn`'s signature;
    // `tvp` is writable and `tzp` null or writable.
    let ret = unsafe { transmute::<*mut (), GettimeofdayFn>(f)(tvp, tzp) };
    // SAFETY: as above, for the shim.
    finish!(ret, f, shim as *mut (), unsafe { shim(tvp, tzp) })?;
    Ok((tv, tz))
}

/// Wall-clock time in microseconds, through the vDSO where it serves the
/// call, with a null timezone pointer.
///
/// # Errors
/// None in practice; a seccomp filter could make the system call fail.
///
/// # References
/// gettimeofday(2)
#[inline]
pub fn gettimeofday() -> Result<Timeval, Errno> {
    gettimeofday_call(true, false).map(|(tv, _)| tv)
}

/// [`gettimeofday`] with the kernel's timezone as well.
///
/// # Errors
/// As [`gettimeofday`].
///
/// # References
/// gettimeofday(2)
#[inline]
pub fn gettimeofday_tz() -> Result<(Timeval, Timezone), Errno> {
    gettimeofday_call(true, true)
}

/// [`gettimeofday`] by the system call, never the vDSO.
///
/// # Errors
/// As [`gettimeofday`].
///
/// # References
/// gettimeofday(2)
#[inline]
pub fn gettimeofday_syscall() -> Result<Timeval, Errno> {
    gettimeofday_call(false, false).map(|(tv, _)| tv)
}

/// [`gettimeofday_tz`] by the system call, never the vDSO.
///
/// # Errors
/// As [`gettimeofday`].
///
/// # References
/// gettimeofday(2)
#[inline]
pub fn gettimeofday_tz_syscall() -> Result<(Timeval, Timezone), Errno> {
    gettimeofday_call(false, true)
}

/// Calls a `time` function with out pointer `out` (may be null).
#[inline(always)]
fn time_call(slot: bool, out: *mut i64) -> Result<i64, Errno> {
    if slot && Call::Time.symbol().is_none() {
        // No `__vdso_time` on this architecture: the routed clock serves.
        let now = clock_gettime(ClockId::REALTIME)?.sec;
        if !out.is_null() {
            // SAFETY: the caller passes null or a writable `i64`.
            unsafe { *out = now };
        }
        return Ok(now);
    }
    let shim: TimeFn = crate::arch::time_shim;
    let f = if slot { TIME.get() } else { shim as *mut () };
    // SAFETY: the slot holds a function of `TimeFn`'s signature; `out` is
    // null or writable.
    let ret = unsafe { transmute::<*mut (), TimeFn>(f)(out) };
    // SAFETY: as above, for the shim.
    finish!(ret, f, shim as *mut (), unsafe { shim(out) }).map(|t| t as i64)
}

/// Wall-clock seconds since the Unix epoch, through the vDSO where it
/// serves the call (on riscv64, whose vDSO has no `time`, through the
/// routed [`clock_gettime`]).
///
/// # Errors
/// Like the system call, this cannot tell an error from a time in the
/// hour before 1970: a clock set to `-4095..=-1` reads as that errno.
///
/// # References
/// time(2)
#[inline]
pub fn time() -> Result<i64, Errno> {
    time_call(true, core::ptr::null_mut())
}

/// [`time`], also storing the result in `out`, as C's `time(&t)` does.
///
/// # Errors
/// As [`time`]; `out` is left alone on error.
///
/// # References
/// time(2)
#[inline]
pub fn time_to(out: &mut i64) -> Result<i64, Errno> {
    time_call(true, out)
}

/// [`time`] by the system call, never the vDSO (on riscv64, which has no
/// `time` system call, by the `clock_gettime` system call).
///
/// # Errors
/// As [`time`].
///
/// # References
/// time(2); on riscv64 and aarch64, which have no `time` system call, clock_gettime(2)
#[inline]
pub fn time_syscall() -> Result<i64, Errno> {
    time_call(false, core::ptr::null_mut())
}

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
