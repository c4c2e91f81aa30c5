//! How the caches scale: the same work on one thread and on two, on the
//! host's `malloc`, on the shared heap under its lock, through caches, and
//! through caches in front of a heap per thread (nothing shared: the
//! machine's own limit). A measurement, not a check: it is ignored unless
//! asked for (see [`throughput_scales_with_threads`]).

extern crate std;
use super::Cache;
use super::tests::{alloc, flush, free};
use crate::heap::assume_threads;
use crate::heap::lock::Lock;
use crate::heap::shared::Shared;
use std::boxed::Box;
use std::vec::Vec;

/// Where [`throughput`] gets its blocks.
#[derive(Clone, Copy, Debug)]
enum How {
    /// The host's `malloc`.
    Host,
    /// The shared heap, under its lock for each operation.
    Locked,
    /// A cache per thread in front of the shared heap.
    Cached,
    /// A cache per thread in front of a heap per thread: nothing shared,
    /// the machine's own limit.
    Private,
}

/// What each thread of [`throughput`] does.
#[derive(Clone, Copy, Debug)]
enum Work {
    /// A million random replacements among this many live blocks of 16 to
    /// 512 bytes (the heap benchmark's churn).
    Churn(usize),
    /// 256 blocks of this size allocated, then freed, 16,000 times (1,000
    /// for 16 KiB): every list empties and overflows, again and again.
    Burst(usize),
}

/// Operations per microsecond of `work` on each of `threads` threads, all
/// together, on a fresh heap: by the wall clock, and by the threads' CPU
/// time as if each had a core of its own (the machine may be busy with
/// other work).
fn throughput(threads: usize, how: How, work: Work) -> (f64, f64) {
    use crate::heap::classes::class_of;
    assume_threads();
    let shared: &'static Lock<Shared> = Box::leak(Box::new(Lock::new(Shared::new())));
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(threads + 1));
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let shared: &Lock<Shared> = match how {
                    How::Private => Box::leak(Box::new(Lock::new(Shared::new()))),
                    _ => shared,
                };
                let cache = Cache::new();
                let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ t as u64;
                let mut next = move |n: usize| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    (rng % n as u64) as usize
                };
                let layout = |size| std::alloc::Layout::from_size_align(size, 8).unwrap();
                let get = |size: usize| {
                    let p = match how {
                        How::Cached | How::Private => alloc(&cache, class_of(size), size, shared),
                        How::Locked => shared.lock().alloc_small(class_of(size), size),
                        // SAFETY: a non-zero size.
                        How::Host => unsafe { std::alloc::alloc(layout(size)) },
                    };
                    // SAFETY: a fresh block of at least one byte.
                    unsafe { p.write(size as u8) };
                    p
                };
                let put = |p: *mut u8, size: usize| match how {
                    How::Cached | How::Private => free(&cache, p, class_of(size), size, shared),
                    // SAFETY: a live block of that size, from `shared`.
                    How::Locked => unsafe { shared.lock().free_small(p, class_of(size), size) },
                    // SAFETY: a live block of that size, from `alloc`.
                    How::Host => unsafe { std::alloc::dealloc(p, layout(size)) },
                };
                let mut slots: Vec<(*mut u8, usize)> = match work {
                    Work::Churn(live) => (0..live)
                        .map(|_| {
                            let size = 16 + next(497);
                            (get(size), size)
                        })
                        .collect(),
                    Work::Burst(_) => Vec::with_capacity(256),
                };
                barrier.wait();
                let start = (std::time::Instant::now(), cpu_ns());
                let ops = match work {
                    Work::Churn(live) => {
                        for _ in 0..1_000_000 {
                            let i = next(live);
                            let size = 16 + next(497);
                            let (p, old) = core::mem::replace(&mut slots[i], (get(size), size));
                            put(p, old);
                        }
                        1_000_000
                    }
                    Work::Burst(size) => {
                        // Long enough for the threads to overlap; the
                        // largest class mostly measures page faults.
                        let rounds = if size < 16384 { 16_000 } else { 1000 };
                        for _ in 0..rounds {
                            slots.extend((0..256).map(|_| (get(size), size)));
                            for (p, size) in slots.drain(..) {
                                put(p, size);
                            }
                        }
                        rounds * 256
                    }
                };
                let ns = (start.0.elapsed().as_nanos() as u64, cpu_ns() - start.1);
                for (p, size) in slots {
                    put(p, size);
                }
                flush(&cache, shared);
                (ops, ns)
            })
        })
        .collect();
    barrier.wait();
    let done: Vec<(usize, (u64, u64))> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let ops = done.iter().map(|d| d.0).sum::<usize>() as f64 * 1000.0;
    let wall = done.iter().map(|d| d.1.0).max().unwrap();
    let cpu = done.iter().map(|d| d.1.1).sum::<u64>();
    (ops / wall as f64, ops / cpu as f64 * threads as f64)
}

/// The scaling measurement behind the limits: run it in release mode,
/// `cargo test --release -p freestand-rt --lib -- --ignored --nocapture
/// scales`, on a machine with two idle cores. Prints, for each workload
/// and heap, the best of 15 runs on one thread and on two, and the ratio:
/// by the wall clock, and by CPU time (which another program on the
/// machine disturbs less).
#[test]
#[ignore]
fn throughput_scales_with_threads() {
    let works = [
        Work::Churn(10_000),
        Work::Churn(100_000),
        Work::Burst(64),
        Work::Burst(512),
        Work::Burst(4096),
        Work::Burst(16384),
    ];
    let filter = std::env::var("SCALES").unwrap_or_default();
    for work in works {
        for how in [How::Host, How::Locked, How::Cached, How::Private] {
            if !std::format!("{work:?} {how:?}").contains(&filter) {
                continue;
            }
            let best = |threads| {
                (0..15)
                    .map(|_| throughput(threads, how, work))
                    .fold((0.0, 0.0), |a: (f64, f64), b| (a.0.max(b.0), a.1.max(b.1)))
            };
            let (one, two) = (best(1), best(2));
            std::println!(
                "{:<14} {:<8} ops/us: 1 thread {:6.1} (cpu {:6.1}), 2 threads {:6.1} (cpu {:6.1}): x{:.2} (cpu x{:.2})",
                std::format!("{work:?}"),
                std::format!("{how:?}"),
                one.0,
                one.1,
                two.0,
                two.1,
                two.0 / one.0,
                two.1 / one.1
            );
        }
    }
}

/// The calling thread's CPU time, in nanoseconds.
fn cpu_ns() -> u64 {
    use freestand_syscalls::time::{ClockId, clock_gettime};
    let t = clock_gettime(ClockId::THREAD_CPUTIME_ID).unwrap();
    t.sec as u64 * 1_000_000_000 + t.nsec as u64
}
