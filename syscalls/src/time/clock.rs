//! The clocks: [`ClockId`], [`Timespec`], and [`clock_gettime`] and
//! [`clock_getres`], routed, with their `_syscall` siblings.

use crate::arch::syscall2;
use crate::errno::Errno;
use crate::nr::{__NR_clock_getres, __NR_clock_gettime};
use crate::route::{Call, finish, slot};
use core::mem::transmute;
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

type ClockFn = unsafe extern "C" fn(i32, *mut Timespec) -> i32;

/// The system call behind `clock_gettime`, with the vDSO's signature.
///
/// # Safety
///
/// `ts` must be valid for writing a `Timespec`.
pub(super) unsafe extern "C" fn clock_gettime_shim(clock: i32, ts: *mut Timespec) -> i32 {
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
