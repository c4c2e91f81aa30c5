//! Wall-clock time the older way: [`gettimeofday`] (seconds and
//! microseconds, and the kernel's timezone) and [`time`] (seconds), routed,
//! with their `_syscall` siblings.

use super::clock::{ClockId, Timespec, clock_gettime, clock_gettime_shim};
use crate::arch::syscall2;
use crate::errno::Errno;
use crate::nr::__NR_gettimeofday;
use crate::route::{Call, finish, slot};
use core::mem::transmute;
use linux_raw_sys::general as k;

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

type GettimeofdayFn = unsafe extern "C" fn(*mut Timeval, *mut Timezone) -> i32;
type TimeFn = unsafe extern "C" fn(*mut i64) -> isize;

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
