//! Timing: batches calibrated per path, rounds at varying stack depths,
//! medians of per-round ratios.

use super::Plan;
use alloc::vec::Vec;
use core::arch::asm;
use core::hint::black_box;
use freestand_rt::println;
use freestand_rt::syscalls::time::Instant;

/// Nanoseconds per call of `f`, over one batch.
#[inline(never)]
fn batch(n: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    // The loop starts near a 64-byte boundary, at the same offset for
    // paths whose loops compile alike. Packed anywhere (`opt-level = "s"`
    // aligns nothing), a 2 ns call's loop may straddle a fetch line or not,
    // which moved the ratio of two such loops by up to 38% from one build
    // to the next.
    // SAFETY: assembler padding, executed once; no operands, no effects.
    unsafe { asm!(".p2align 6", options(nomem, nostack, preserves_flags)) };
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

pub(crate) fn median(v: &mut [f64]) -> f64 {
    v.sort_unstable_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The number of calls of `f` that take at least `ns` nanoseconds (at
/// least 50); calling `f` this way also warms it up.
fn calibrate(ns: u64, mut f: impl FnMut()) -> u32 {
    let mut n = 50u32;
    while n < 1 << 26 && batch(n, &mut f) * f64::from(n) < ns as f64 {
        n *= 2;
    }
    n
}

/// Nanoseconds per call of `f` over a batch of `n` calls made `depth`
/// frames down, after an untimed quarter batch: entering the kernel (the
/// syscall path, a timer interrupt) can leave branch predictors and caches
/// cold, and the warm-up keeps that out of the figure, for every path alike.
fn timed(n: u32, depth: usize, mut f: impl FnMut()) -> f64 {
    batch(n / 4, &mut f);
    at_depth(depth, &mut || batch(n, &mut f))
}

/// Times `routed`, `direct` (if any) and `syscall`, prints their lines
/// and returns the median ns per call of `routed`.
pub(crate) fn bench(
    name: &str,
    plan: &Plan,
    mut routed: impl FnMut(),
    mut direct: Option<impl FnMut()>,
    mut syscall: impl FnMut(),
) -> f64 {
    // Each path's batch is calibrated on its own, so that a round's three
    // batches last about the same time.
    let n_fast = calibrate(plan.batch_ns, &mut routed);
    let n_sys = calibrate(plan.batch_ns, &mut syscall);
    if let Some(d) = direct.as_mut() {
        calibrate(plan.batch_ns, d);
    }
    let mut run = |path: usize, depth: usize| -> Option<f64> {
        match (path, direct.as_mut()) {
            (0, _) => Some(timed(n_fast, depth, &mut routed)),
            (1, Some(d)) => Some(timed(n_fast, depth, d)),
            (1, None) => None,
            _ => Some(timed(n_sys, depth, &mut syscall)),
        }
    };
    let mut t: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..plan.rounds {
        // `routed` and `direct` run back to back, in an order that
        // alternates, so that each round's ratio compares the two under
        // the same conditions; the system call comes first or last.
        let order = match round % 4 {
            0 => [0, 1, 2],
            1 => [2, 1, 0],
            2 => [1, 0, 2],
            _ => [2, 0, 1],
        };
        let depth = round % 32;
        for path in order {
            if let Some(ns) = run(path, depth) {
                t[path].push(ns);
            }
        }
    }
    let ratio = |a: usize, b: usize| {
        let mut r: Vec<f64> = t[a].iter().zip(&t[b]).map(|(x, y)| x / y).collect();
        median(&mut r)
    };
    let routed_direct = (!t[1].is_empty()).then(|| ratio(0, 1));
    let syscall_routed = ratio(2, 0);
    let routed_ns = median(&mut t[0]);
    println!("{name} routed {routed_ns:.1}");
    match direct {
        Some(_) => println!("{name} direct {:.1}", median(&mut t[1])),
        None => println!("{name} direct - (no vDSO function serves it)"),
    }
    println!("{name} syscall {:.1}", median(&mut t[2]));
    match routed_direct {
        Some(r) => println!("{name} ratio routed/direct {r:.3} syscall/routed {syscall_routed:.2}"),
        None => println!("{name} ratio routed/direct - syscall/routed {syscall_routed:.2}"),
    }
    routed_ns
}
