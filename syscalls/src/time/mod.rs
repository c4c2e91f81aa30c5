//! Clocks: `clock_gettime`, `clock_getres`, `gettimeofday` and `time`,
//! routed through the vDSO (see [`route`](crate::route)), and the safe
//! [`Instant`] and [`SystemTime`] on top; sleeping ([`nanosleep`],
//! [`sleep_until`], [`clock_nanosleep`]), which always makes its system
//! call.
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

// ClockId, Timespec, clock_gettime and clock_getres.
mod clock;
// Instant and SystemTime.
mod point;
// gettimeofday and time.
mod timeofday;
// nanosleep, sleep_until and clock_nanosleep.
mod sleep;

pub use clock::{
    ClockId, Timespec, clock_getres, clock_getres_syscall, clock_gettime, clock_gettime_syscall,
};
pub use point::{Instant, SystemTime, SystemTimeError};
pub(crate) use sleep::saturating_timespec;
pub use sleep::{SleepFlags, clock_nanosleep, nanosleep, sleep_until};
pub use timeofday::{
    Timeval, Timezone, gettimeofday, gettimeofday_syscall, gettimeofday_tz,
    gettimeofday_tz_syscall, time, time_syscall, time_to,
};

#[allow(
    unused_imports,
    reason = "x86_64 has a time system call and its arch::time_shim uses it"
)]
pub(crate) use timeofday::time_by_clock_gettime;
