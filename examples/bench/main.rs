//! What a routed call costs: `bench [--quick]`.
//!
//! For each routed call it prints one line per path, `CALL PATH NS_PER_CALL`:
//!
//! - `routed`: the public API (`freestand_syscalls::time::clock_gettime`...;
//!   for `getcpu`, a read of the thread's rseq area when it is registered);
//! - `direct`: the resolved vDSO function called through a pointer the
//!   benchmark holds, with no routing layer, its outputs read one by one as
//!   the routed call reads them (`-` where no vDSO function serves it);
//!   `getrandom`'s with an opaque state of the benchmark's own;
//! - `syscall`: the raw system call.
//!
//! The calls: `clock_gettime` and `clock_getres` (`CLOCK_MONOTONIC`),
//! `gettimeofday`, `time`, `getcpu`, and `getrandom4`/`getrandom32`
//! (`getrandom` of 4 and 32 bytes). `getrandom4` has two more lines,
//! `getrandom4 routed-8-threads NS` and `getrandom4 fallbacks-8-threads N`:
//! 8 threads calling at once (see the `getrandom` module).
//!
//! Each figure is the median over 1,001 rounds. In every round each path
//! runs one batch of calls lasting about 20 µs (each path's batch size is
//! calibrated on its own), after an untimed quarter batch that warms it up
//! again. `routed` and `direct` run back to back, in an order that
//! alternates from round to round, with `syscall` before or after them.
//! The batches are short on purpose: on a virtual machine the speed of a
//! 2 ns call jumps by 30% or more in phases lasting milliseconds, and
//! batches that short let the paths of a round see the same phase, so the
//! per-round ratio cancels it. A last line,
//! `CALL ratio routed/direct R syscall/routed S`, gives the medians of the
//! per-round ratios. `--quick` runs tiny batches, to check that it works.
//!
//! Every path consumes its result the same way: on success, each field
//! goes through `black_box` on its own. The workspace builds x86_64 with
//! 64-byte loop alignment (`.cargo/config.toml`), so that neither path's
//! loop straddles a fetch line the other's does not.
#![no_std]
#![no_main]

extern crate alloc;

use core::hint::black_box;
use core::mem::{MaybeUninit, transmute_copy};
use core::sync::atomic::{AtomicUsize, Ordering};
use freestand_rt::syscalls::cpu;
use freestand_rt::syscalls::errno::Errno;
use freestand_rt::syscalls::route::{self, Call};
use freestand_rt::syscalls::time::{self, ClockId, Timespec, Timeval, Timezone};
use freestand_rt::{println, stack};

mod getrandom;
mod timing;
use timing::bench;

freestand_rt::entry!(main);

struct Plan {
    rounds: usize,
    /// Each batch of routed calls runs at least this long (the batch size
    /// is calibrated per call): long enough that the two clock readings
    /// around it are a small part of it, short enough that the machine's
    /// speed rarely changes within a round.
    batch_ns: u64,
    /// Rounds of the many-threads measure (`routed-8-threads`).
    thread_rounds: usize,
    /// In each of those rounds, each thread makes as many calls as one
    /// thread alone makes in about this long (at least 1,000). Long,
    /// because the end of a round is a tail in which fewer threads than
    /// CPUs are left: with 4 ms it cost a CPU for an eighth of the time.
    thread_ns: u64,
}

fn main() -> i32 {
    // The first routed call resolves its slot: it parses the vDSO and looks
    // up one symbol. Timed with the system call, which needs no resolution.
    let before = time::clock_gettime_syscall(ClockId::MONOTONIC);
    let first = time::clock_gettime(ClockId::MONOTONIC);
    let after = time::clock_gettime_syscall(ClockId::MONOTONIC);
    let quick = stack::args().skip(1).any(|a| a.to_bytes() == b"--quick");
    let plan = if quick {
        Plan {
            rounds: 3,
            batch_ns: 0,
            thread_rounds: 1,
            thread_ns: 0,
        }
    } else {
        Plan {
            rounds: 1001,
            batch_ns: 20_000,
            thread_rounds: 15,
            thread_ns: 25_000_000,
        }
    };
    println!("# {}", route::switch());
    if let (Ok(a), Ok(_), Ok(b)) = (before, first, after) {
        let ns = (b.sec - a.sec) * 1_000_000_000 + (b.nsec - a.nsec);
        println!("# first routed clock_gettime, which parses the vDSO: {ns} ns");
    }
    println!(
        "# {} rounds, batches of at least {} us per path; median ns per call",
        plan.rounds,
        plan.batch_ns / 1000
    );

    bench(
        "clock_gettime",
        &plan,
        || {
            keep(time::clock_gettime(ClockId::MONOTONIC));
        },
        clock_direct::<CLOCK_GETTIME>(Call::ClockGettime),
        || {
            keep(time::clock_gettime_syscall(ClockId::MONOTONIC));
        },
    );
    bench(
        "clock_getres",
        &plan,
        || {
            keep(time::clock_getres(ClockId::MONOTONIC));
        },
        clock_direct::<CLOCK_GETRES>(Call::ClockGetres),
        || {
            keep(time::clock_getres_syscall(ClockId::MONOTONIC));
        },
    );

    bench(
        "gettimeofday",
        &plan,
        || {
            keep(time::gettimeofday());
        },
        direct::<GETTIMEOFDAY>(Call::Gettimeofday).map(|()| {
            || {
                type F = unsafe extern "C" fn(*mut Timeval, *mut Timezone) -> i32;
                let mut tv = Timeval::default();
                // SAFETY: the slot holds `__vdso_gettimeofday`; `tv` is
                // writable; a null timezone is allowed.
                if unsafe { direct_fn::<GETTIMEOFDAY, F>()(&mut tv, core::ptr::null_mut()) } >= 0 {
                    tv.keep();
                }
            }
        }),
        || {
            keep(time::gettimeofday_syscall());
        },
    );

    bench(
        "time",
        &plan,
        || {
            keep(time::time());
        },
        Call::Time
            .symbol()
            .and(direct::<TIME>(Call::Time))
            .map(|()| {
                || {
                    type F = unsafe extern "C" fn(*mut i64) -> isize;
                    // SAFETY: the slot holds `__vdso_time`; a null out pointer
                    // is allowed.
                    let r = unsafe { direct_fn::<TIME, F>()(core::ptr::null_mut()) };
                    if r >= 0 {
                        (r as i64).keep();
                    }
                }
            }),
        || {
            keep(time::time_syscall());
        },
    );

    // Which path `getcpu routed` takes: the rseq area, or why not.
    println!("# {}", route::route(Call::Getcpu));
    bench(
        "getcpu",
        &plan,
        || {
            keep(cpu::getcpu());
        },
        direct::<GETCPU>(Call::Getcpu).map(|()| {
            || {
                type F = unsafe extern "C" fn(*mut u32, *mut u32, *mut u8) -> isize;
                // Uninitialised, as the routed call leaves them.
                let (mut c, mut n) = (MaybeUninit::<u32>::uninit(), MaybeUninit::<u32>::uninit());
                let f = direct_fn::<GETCPU, F>;
                // SAFETY: the slot holds `__vdso_getcpu`; both out pointers
                // are writable; the cache may be null.
                if unsafe { f()(c.as_mut_ptr(), n.as_mut_ptr(), core::ptr::null_mut()) } >= 0 {
                    // SAFETY: a successful getcpu wrote both. One by one:
                    // one 8-byte read of the two 4-byte stores would stall
                    // store-to-load forwarding.
                    unsafe {
                        black_box(c.assume_init());
                        black_box(n.assume_init());
                    }
                }
            }
        }),
        || {
            keep(cpu::getcpu_syscall());
        },
    );

    getrandom::bench_all(&plan);
    0
}

/// A call's result, consumed by `black_box` one field at a time, as every
/// path consumes it. Field by field because a single wide read of fields
/// that the callee stored one by one defeats store-to-load forwarding: a
/// stall that would be charged to whichever path happened to read so.
trait Keep {
    fn keep(self);
}

impl Keep for Timespec {
    #[inline(always)]
    fn keep(self) {
        black_box(self.sec);
        black_box(self.nsec);
    }
}

impl Keep for Timeval {
    #[inline(always)]
    fn keep(self) {
        black_box(self.sec);
        black_box(self.usec);
    }
}

impl Keep for cpu::Cpu {
    #[inline(always)]
    fn keep(self) {
        black_box(self.cpu);
        black_box(self.node);
    }
}

impl Keep for i64 {
    #[inline(always)]
    fn keep(self) {
        black_box(self);
    }
}

impl Keep for usize {
    #[inline(always)]
    fn keep(self) {
        black_box(self);
    }
}

/// Consumes a routed call or system call as the `direct` paths consume
/// theirs: the value, on success.
#[inline(always)]
fn keep<T: Keep>(r: Result<T, Errno>) {
    if let Ok(v) = r {
        v.keep();
    }
}

/// Where the `direct` paths keep the resolved vDSO pointers: one static per
/// call, loaded at every call, as C libraries keep theirs and as a routed
/// call keeps its slot. So `direct` differs from `routed` by the routing
/// layer only, not by where the pointer lives: a pointer that a loop holds
/// in a register is a luxury no library call has.
static DIRECT: [AtomicUsize; 6] = [const { AtomicUsize::new(0) }; 6];
const CLOCK_GETTIME: usize = 0;
const CLOCK_GETRES: usize = 1;
const GETTIMEOFDAY: usize = 2;
const TIME: usize = 3;
const GETCPU: usize = 4;
const GETRANDOM: usize = 5;

/// Stores the address of `call`'s vDSO function in `DIRECT[I]`; `None` if
/// no vDSO function serves it.
fn direct<const I: usize>(call: Call) -> Option<()> {
    DIRECT[I].store(route::address(call)?, Ordering::Relaxed);
    Some(())
}

/// The function in `DIRECT[I]`, as an `F`.
///
/// # Safety
/// `F` must be the function-pointer type of that vDSO function, and
/// [`direct`] must have stored it.
#[inline(always)]
unsafe fn direct_fn<const I: usize, F: Copy>() -> F {
    let a = DIRECT[I].load(Ordering::Relaxed);
    // SAFETY: `F` is a function pointer, the size of a `usize`; the caller
    // vouches for the address.
    unsafe { transmute_copy::<usize, F>(&a) }
}

/// The direct path of `clock_gettime` or `clock_getres` (same signature)
/// on `CLOCK_MONOTONIC`, if the vDSO serves `call`.
fn clock_direct<const I: usize>(call: Call) -> Option<impl FnMut()> {
    direct::<I>(call)?;
    let mono = ClockId::MONOTONIC.0;
    Some(move || {
        type F = unsafe extern "C" fn(i32, *mut Timespec) -> i32;
        let mut ts = Timespec::default();
        // SAFETY: the slot holds `__vdso_clock_gettime` or
        // `__vdso_clock_getres`, whose C signature this is; `ts` is
        // writable.
        if unsafe { direct_fn::<I, F>()(mono, &mut ts) } >= 0 {
            ts.keep();
        }
    })
}
