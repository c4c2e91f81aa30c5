//! Clocks, as raw system calls.

use crate::errno::{Errno, decode_unit};
use crate::nr::__NR_clock_gettime;
use crate::raw::syscall2;
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
    /// International Atomic Time.
    pub const TAI: ClockId = ClockId(k::CLOCK_TAI as i32);
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

/// Reads `clock` with the `clock_gettime` system call.
///
/// # Errors
/// `EINVAL` for an unknown clock id.
///
/// # References
/// clock_gettime(2)
#[inline]
pub fn clock_gettime(clock: ClockId) -> Result<Timespec, Errno> {
    let mut ts = Timespec::default();
    // SAFETY: the kernel writes one `__kernel_timespec`, which `Timespec`
    // matches in size and layout, into `ts`.
    decode_unit(unsafe { syscall2(__NR_clock_gettime, clock.0 as usize, &raw mut ts as usize) })?;
    Ok(ts)
}
