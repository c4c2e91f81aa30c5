//! What a routed call costs: `bench [--quick]`.
//!
//! For each routed call it prints one line per path, `CALL PATH NS_PER_CALL`:
//!
//! - `routed`: the public API (`freestand_syscalls::time::clock_gettime`...);
//! - `direct`: the resolved vDSO function called through a pointer the
//!   benchmark holds, with no routing layer, its outputs read one by one as
//!   the routed call reads them (`-` where no vDSO function serves it);
//! - `syscall`: the raw system call.
//!
//! Each figure is the median over 1,001 rounds; in every round each path
//! runs a batch of calls lasting about 20 µs, in an order that rotates from
//! round to round. The batches are short on purpose: on a virtual machine
//! the speed of a 2 ns call jumps by 30% or more in phases lasting
//! milliseconds, and batches that short let the three paths of a round see
//! the same phase, so the per-round ratio cancels it. A last line,
//! `CALL ratio routed/direct R syscall/routed S`, gives the medians of the
//! per-round ratios. `--quick` runs tiny batches, to check that it works.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::hint::black_box;
use core::mem::transmute;
use freestand_rt::syscalls::cpu;
use freestand_rt::syscalls::mm::{MapFlags, ProtFlags, mmap};
use freestand_rt::syscalls::random::{self, GetrandomFlags};
use freestand_rt::syscalls::time::{self, ClockId, Instant, Timespec, Timeval, Timezone};
use freestand_rt::syscalls::vdso::{self, Call};
use freestand_rt::{println, stack};

freestand_rt::entry!(main);

struct Plan {
    rounds: usize,
    /// Each batch of routed calls runs at least this long (the batch size
    /// is calibrated per call): long enough that the two clock readings
    /// around it are a small part of it, short enough that the machine's
    /// speed rarely changes within a round.
    batch_ns: u64,
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
        }
    } else {
        Plan {
            rounds: 1001,
            batch_ns: 20_000,
        }
    };
    println!("# {}", vdso::switch());
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
            let _ = black_box(time::clock_gettime(ClockId::MONOTONIC));
        },
        clock_direct(Call::ClockGettime),
        || {
            let _ = black_box(time::clock_gettime_syscall(ClockId::MONOTONIC));
        },
    );
    bench(
        "clock_getres",
        &plan,
        || {
            let _ = black_box(time::clock_getres(ClockId::MONOTONIC));
        },
        clock_direct(Call::ClockGetres),
        || {
            let _ = black_box(time::clock_getres_syscall(ClockId::MONOTONIC));
        },
    );

    let direct = vdso::address(Call::Gettimeofday).map(|a| {
        // SAFETY: the address of `__vdso_gettimeofday`.
        unsafe { transmute::<usize, unsafe extern "C" fn(*mut Timeval, *mut Timezone) -> i32>(a) }
    });
    bench(
        "gettimeofday",
        &plan,
        || {
            let _ = black_box(time::gettimeofday());
        },
        direct.map(|f| {
            move || {
                let mut tv = Timeval::default();
                // SAFETY: `tv` is writable; a null timezone is allowed.
                let r = unsafe { f(&mut tv, core::ptr::null_mut()) };
                black_box(r);
                black_box(tv.sec);
                black_box(tv.usec);
            }
        }),
        || {
            let _ = black_box(time::gettimeofday_syscall());
        },
    );

    let direct = Call::Time.symbol().and(vdso::address(Call::Time)).map(|a| {
        // SAFETY: the address of `__vdso_time`.
        unsafe { transmute::<usize, unsafe extern "C" fn(*mut i64) -> isize>(a) }
    });
    bench(
        "time",
        &plan,
        || {
            let _ = black_box(time::time());
        },
        direct.map(|f| {
            move || {
                // SAFETY: a null out pointer is allowed.
                black_box(unsafe { f(core::ptr::null_mut()) });
            }
        }),
        || {
            let _ = black_box(time::time_syscall());
        },
    );

    let direct = vdso::address(Call::Getcpu).map(|a| {
        // SAFETY: the address of `__vdso_getcpu`.
        unsafe { transmute::<usize, unsafe extern "C" fn(*mut u32, *mut u32, *mut u8) -> isize>(a) }
    });
    bench(
        "getcpu",
        &plan,
        || {
            let _ = black_box(cpu::getcpu());
        },
        direct.map(|f| {
            move || {
                let (mut c, mut n) = (0u32, 0u32);
                // SAFETY: both out pointers are writable; the cache may be null.
                let r = unsafe { f(&mut c, &mut n, core::ptr::null_mut()) };
                black_box(r);
                black_box(c);
                black_box(n);
            }
        }),
        || {
            let _ = black_box(cpu::getcpu_syscall());
        },
    );

    let direct = vdso::address(Call::Getrandom).and_then(random_state);
    bench(
        "getrandom32",
        &plan,
        || {
            let mut b = [0u8; 32];
            let _ = black_box(random::getrandom(&mut b, GetrandomFlags::empty()));
            black_box(b);
        },
        direct.map(|(f, state, len)| {
            move || {
                let mut b = [0u8; 32];
                // SAFETY: `b` is writable; the state is this closure's own
                // mapping of the size the kernel asked for.
                black_box(unsafe { f(b.as_mut_ptr(), 32, 0, state, len) });
                black_box(b);
            }
        }),
        || {
            let mut b = [0u8; 32];
            let _ = black_box(random::getrandom_syscall(&mut b, GetrandomFlags::empty()));
            black_box(b);
        },
    );
    0
}

/// The direct path of `clock_gettime` or `clock_getres` (same signature)
/// on `CLOCK_MONOTONIC`, if the vDSO serves `call`.
fn clock_direct(call: Call) -> Option<impl FnMut()> {
    let a = vdso::address(call)?;
    // SAFETY: the address of `__vdso_clock_gettime` or `__vdso_clock_getres`,
    // whose C signature this is.
    let f = unsafe { transmute::<usize, unsafe extern "C" fn(i32, *mut Timespec) -> i32>(a) };
    let mono = ClockId::MONOTONIC.0;
    Some(move || {
        let mut ts = Timespec::default();
        // SAFETY: `ts` is writable.
        let r = unsafe { f(mono, &mut ts) };
        black_box(r);
        black_box(ts.sec);
        black_box(ts.nsec);
    })
}

type GetrandomFn = unsafe extern "C" fn(*mut u8, usize, u32, *mut u8, usize) -> isize;

/// A second opaque state for calling `__vdso_getrandom` directly, set up
/// as the kernel documents (see `freestand_syscalls::random`).
fn random_state(addr: usize) -> Option<(GetrandomFn, *mut u8, usize)> {
    // SAFETY: the address of `__vdso_getrandom`.
    let f: GetrandomFn = unsafe { transmute(addr) };
    let mut params = [0u32; 16];
    // SAFETY: the parameter query writes a 64-byte
    // `vgetrandom_opaque_params` to `params`.
    let ret = unsafe {
        f(
            core::ptr::null_mut(),
            0,
            0,
            params.as_mut_ptr().cast(),
            usize::MAX,
        )
    };
    let len = params[0] as usize;
    if ret != 0 || len == 0 || len > 4096 {
        return None;
    }
    // SAFETY: no MAP_FIXED: the kernel picks a free range.
    let state = unsafe {
        mmap(
            core::ptr::null_mut(),
            len,
            ProtFlags::from_bits_retain(params[1]),
            MapFlags::from_bits_retain(params[2]) - MapFlags::FIXED,
            -1,
            0,
        )
    }
    .ok()?;
    Some((f, state.as_ptr(), len))
}

/// Nanoseconds per call of `f`, over one batch.
#[inline(never)]
fn batch(n: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    Instant::now().duration_since(start).as_nanos() as f64 / f64::from(n)
}

/// Runs `f` `depth` stack frames of about 160 bytes further down. Rounds
/// run at different depths, so that no path is favoured or penalised for a
/// whole run by where its locals happen to sit relative to the vDSO's data
/// (4 KiB aliasing makes a store and an unrelated load 4 KiB apart wait on
/// each other, a 30% effect on a 2 ns call, different in every process).
#[inline(never)]
fn at_depth(depth: usize, f: &mut dyn FnMut() -> f64) -> f64 {
    let pad = [0u8; 128];
    black_box(&pad);
    if depth == 0 {
        f()
    } else {
        at_depth(depth - 1, f)
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_unstable_by(f64::total_cmp);
    v[v.len() / 2]
}

fn bench(
    name: &str,
    plan: &Plan,
    mut routed: impl FnMut(),
    mut direct: Option<impl FnMut()>,
    mut syscall: impl FnMut(),
) {
    // Warm up: resolve the slot and fault everything in.
    let mut n = 50u32;
    while n < 1 << 26 && batch(n, &mut routed) * f64::from(n) < plan.batch_ns as f64 {
        n *= 2;
    }
    let mut t: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..plan.rounds {
        for k in 0..3 {
            let path = (round + k) % 3;
            let depth = round % 32;
            let ns = match (path, direct.as_mut()) {
                (0, _) => at_depth(depth, &mut || batch(n, &mut routed)),
                (1, Some(d)) => at_depth(depth, &mut || batch(n, &mut *d)),
                (1, None) => continue,
                _ => at_depth(depth, &mut || batch(n, &mut syscall)),
            };
            t[path].push(ns);
        }
    }
    let ratio = |a: usize, b: usize| {
        let mut r: Vec<f64> = t[a].iter().zip(&t[b]).map(|(x, y)| x / y).collect();
        median(&mut r)
    };
    let routed_direct = (!t[1].is_empty()).then(|| ratio(0, 1));
    let syscall_routed = ratio(2, 0);
    println!("{name} routed {:.1}", median(&mut t[0]));
    match direct {
        Some(_) => println!("{name} direct {:.1}", median(&mut t[1])),
        None => println!("{name} direct - (no vDSO function serves it)"),
    }
    println!("{name} syscall {:.1}", median(&mut t[2]));
    match routed_direct {
        Some(r) => println!("{name} ratio routed/direct {r:.3} syscall/routed {syscall_routed:.2}"),
        None => println!("{name} ratio routed/direct - syscall/routed {syscall_routed:.2}"),
    }
}
