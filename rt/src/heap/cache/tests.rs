//! Host tests of the caches, each against a heap of its own (a fresh
//! `Lock<Shared>`), so that no thread pointer is needed.

extern crate std;
use super::*;
use crate::heap::{RESERVE, assume_threads};
use std::boxed::Box;
use std::vec::Vec;

/// The class these tests use most: 64-byte blocks.
const C64: usize = 3;

/// Blocks and unsettled bytes the cache holds for `class`.
fn holds(cache: &Cache, class: usize) -> (u32, isize) {
    // SAFETY: between operations, on the owning thread.
    let l = unsafe { &*cache.lists.get() };
    (l.len[class], l.in_use)
}

/// Live blocks of `p`'s span.
fn live(shared: &Lock<Shared>, p: *mut u8) -> usize {
    let _s = shared.lock();
    // SAFETY: a block of a live span of this heap, read under its lock.
    unsafe { Span::live(Span::of(p)) }
}

fn alloc(cache: &Cache, class: usize, size: usize, shared: &Lock<Shared>) -> *mut u8 {
    // SAFETY: this thread owns `cache`, which uses `shared` only.
    let p = unsafe { cache.alloc(class, size, shared) };
    assert!(!p.is_null());
    p
}

fn flush(cache: &Cache, shared: &Lock<Shared>) {
    // SAFETY: as in `alloc`.
    unsafe { cache.flush_into(shared) }
}

fn free(cache: &Cache, p: *mut u8, class: usize, size: usize, shared: &Lock<Shared>) {
    // SAFETY: as in `alloc`; `p` is a live block of `class` from `shared`.
    unsafe { cache.free(p, class, size, shared) }
}

#[test]
fn limits_are_bytes_not_counts() {
    let mut total = 0;
    for (class, &n) in LIMIT.iter().enumerate() {
        let (n, size) = (n as usize, block_size(class));
        assert!((MIN_BLOCKS..=MAX_BLOCKS).contains(&n), "class {class}");
        assert!(
            n * size <= CLASS_BYTES.max(MIN_BLOCKS * size),
            "class {class}"
        );
        total += n * size;
    }
    // A 16 KiB class does not cache 64 blocks; 16-byte blocks get the most.
    assert_eq!(LIMIT[CLASSES - 1], MIN_BLOCKS as u32);
    assert_eq!(LIMIT[0], MAX_BLOCKS as u32);
    // What a thread's cache can hold at most, all classes full.
    assert!(total <= 1 << 20, "{total}");
}

#[test]
fn the_cache_is_small() {
    assert!(size_of::<Cache>() <= 512, "{}", size_of::<Cache>());
}

#[test]
fn an_empty_list_takes_a_batch_and_later_allocations_come_from_it() {
    let shared = Lock::new(Shared::new());
    let cache = Cache::new();
    let batch = LIMIT[C64] / 2;
    let first = alloc(&cache, C64, 50, &shared);
    // One batch left the span; one block left the cache.
    assert_eq!(live(&shared, first), batch as usize);
    assert_eq!(holds(&cache, C64), (batch - 1, 50));
    // Cached blocks are not in use: the shared count did not move.
    assert_eq!(shared.lock().in_use, 0);
    let mut got = std::vec![first];
    for _ in 1..batch {
        got.push(alloc(&cache, C64, 50, &shared));
    }
    assert_eq!(
        live(&shared, first),
        batch as usize,
        "served from the cache"
    );
    assert_eq!(holds(&cache, C64).0, 0);
    // In the span's order, 64 bytes apart, all different.
    for w in got.windows(2) {
        assert_eq!(w[1] as usize - w[0] as usize, 64);
    }
    // The next one takes a second batch, and settles the count.
    got.push(alloc(&cache, C64, 50, &shared));
    assert_eq!(live(&shared, first), 2 * batch as usize);
    assert_eq!(shared.lock().in_use, batch as usize * 50);
    assert_eq!(holds(&cache, C64), (batch - 1, 50));
    for p in got {
        free(&cache, p, C64, 50, &shared);
    }
}

#[test]
fn a_list_past_its_limit_gives_half_back() {
    let shared = Lock::new(Shared::new());
    let cache = Cache::new();
    let limit = LIMIT[C64];
    let blocks: Vec<*mut u8> = (0..2 * limit)
        .map(|_| alloc(&cache, C64, 64, &shared))
        .collect();
    let span_live = |s: &Lock<Shared>| live(s, blocks[0]);
    assert_eq!(span_live(&shared), 2 * limit as usize);
    assert_eq!(holds(&cache, C64).0, 0);
    for (i, &p) in blocks.iter().enumerate() {
        free(&cache, p, C64, 64, &shared);
        let n = i as u32 + 1;
        let held = holds(&cache, C64).0;
        assert!(held <= limit, "{held} after {n} frees");
        if n <= limit {
            assert_eq!(held, n);
            assert_eq!(span_live(&shared), 2 * limit as usize);
        } else if n == limit + 1 {
            // Past the limit: back to half of it, in one batch.
            assert_eq!(held, limit / 2);
            assert_eq!(span_live(&shared), (2 * limit - (n - limit / 2)) as usize);
        }
    }
    // What it holds is what the span misses.
    assert_eq!(span_live(&shared), holds(&cache, C64).0 as usize);
    // Blocks freed last went back first; the next allocation is the last
    // one kept, from the cache.
    let again = alloc(&cache, C64, 64, &shared);
    assert!(blocks.contains(&again));
    free(&cache, again, C64, 64, &shared);
}

#[test]
fn flush_gives_everything_back_and_closes_the_cache() {
    let shared = Lock::new(Shared::new());
    let cache = Cache::new();
    // Three spans' worth of one class, and a few blocks of every class.
    let spans = 3;
    let per_span = {
        let p = alloc(&cache, C64, 64, &shared);
        let _s = shared.lock();
        // SAFETY: the live span of a live block, under the heap's lock.
        let n = unsafe { Span::capacity(Span::of(p)) };
        drop(_s);
        free(&cache, p, C64, 64, &shared);
        n
    };
    let mut blocks: Vec<(*mut u8, usize, usize)> = Vec::new();
    for _ in 0..spans * per_span {
        blocks.push((alloc(&cache, C64, 60, &shared), C64, 60));
    }
    for class in 0..CLASSES {
        let size = block_size(class);
        for _ in 0..3 {
            blocks.push((alloc(&cache, class, size, &shared), class, size));
        }
    }
    for &(p, class, size) in &blocks {
        free(&cache, p, class, size, &shared);
    }
    flush(&cache, &shared);
    {
        let s = shared.lock();
        assert_eq!(s.in_use, 0);
        for class in 0..CLASSES {
            // Each class keeps one empty span with room; the rest retired.
            assert_eq!(s.avail[class].len(), 1, "class {class}");
            // SAFETY: a span of this heap, under its lock.
            assert_eq!(unsafe { Span::live(s.avail[class].first()) }, 0);
        }
        assert!(s.reserve.len() <= RESERVE);
    }
    for class in 0..CLASSES {
        assert_eq!(holds(&cache, class), (0, 0));
    }
    // Closed: now straight from the shared heap, counted there.
    let p = alloc(&cache, 0, 10, &shared);
    assert_eq!(holds(&cache, 0), (0, 0));
    assert_eq!(shared.lock().in_use, 10);
    free(&cache, p, 0, 10, &shared);
    assert_eq!(shared.lock().in_use, 0);
    // A second flush has nothing to do.
    flush(&cache, &shared);
}

#[test]
fn counts_settle_within_the_slack() {
    let shared = Lock::new(Shared::new());
    let cache = Cache::new();
    // Allocate and free blocks of one class with different sizes, so that
    // the count drifts while the list stays the same length: it settles
    // each time it passes the slack, and the total stays exact.
    let (class, big, small) = (4, 80, 65);
    let mut requested = 0isize;
    let mut p = alloc(&cache, class, big, &shared);
    for _ in 0..20_000 {
        free(&cache, p, class, small, &shared);
        p = alloc(&cache, class, big, &shared);
        requested += (big - small) as isize;
        let unsettled = holds(&cache, class).1;
        assert!(unsettled.unsigned_abs() <= SLACK);
        let settled = shared.lock().in_use as isize;
        assert_eq!(settled + unsettled, requested + big as isize);
    }
    // SAFETY: as in `alloc`.
    unsafe { cache.resize(big, 70, &shared) };
    free(&cache, p, class, 70, &shared);
    let total = shared.lock().in_use as isize + holds(&cache, class).1;
    assert_eq!(total, requested);
}

#[test]
#[cfg(debug_assertions)]
fn a_cached_block_is_known_as_freed() {
    use crate::heap::span::BadFree;
    let shared = Lock::new(Shared::new());
    let cache = Cache::new();
    let p = alloc(&cache, C64, 64, &shared);
    // SAFETY: a block of this heap, whose span is mapped.
    unsafe {
        assert_eq!(Span::check_unlocked(p, C64), Ok(()));
        assert_eq!(Span::check_unlocked(p, C64 + 1), Err(BadFree::WrongSize));
        assert_eq!(
            Span::check_unlocked(p.add(16), C64),
            Err(BadFree::Misaligned)
        );
        free(&cache, p, C64, 64, &shared);
        assert_eq!(Span::check_unlocked(p, C64), Err(BadFree::DoubleFree));
        let _s = shared.lock();
        assert_eq!(Span::check(p, C64), Err(BadFree::DoubleFree));
    }
    // Blocks the cache took but never handed out count as free too.
    let q = alloc(&cache, C64, 64, &shared);
    assert_eq!(q, p);
    // SAFETY: as above.
    unsafe {
        let next = q.add(64);
        assert_eq!(Span::check_unlocked(next, C64), Err(BadFree::DoubleFree));
    }
    free(&cache, q, C64, 64, &shared);
}

/// Two threads, each with its own cache on one heap, churning their own
/// blocks and handing some to the other to free: every byte intact, and
/// all of it back once both caches are flushed.
#[test]
fn two_threads_share_one_heap_through_their_caches() {
    assume_threads();
    let shared: &'static Lock<Shared> = Box::leak(Box::new(Lock::new(Shared::new())));
    let (to_b, from_a) = std::sync::mpsc::channel::<(usize, usize, usize)>();
    let (to_a, from_b) = std::sync::mpsc::channel::<(usize, usize, usize)>();
    let worker = move |seed: u64,
                       send: std::sync::mpsc::Sender<(usize, usize, usize)>,
                       recv: std::sync::mpsc::Receiver<(usize, usize, usize)>| {
        let cache = Cache::new();
        let mut rng = seed;
        let mut next = move |n: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n as u64) as usize
        };
        let mut live: Vec<(usize, usize, usize)> = Vec::new();
        for i in 0..200_000usize {
            if live.len() < 1000 && next(2) == 0 {
                let size = 1 + next(2048);
                let class = crate::heap::classes::class_of(size);
                let p = alloc(&cache, class, size, shared);
                // SAFETY: a fresh block of at least `size` bytes.
                unsafe { p.write_bytes(i as u8, size) };
                live.push((p as usize, size, i));
            } else if !live.is_empty() {
                let (p, size, tag) = live.swap_remove(next(live.len()));
                // SAFETY: a live block of `size` bytes.
                let ok = unsafe { (0..size).all(|k| *(p as *mut u8).add(k) == tag as u8) };
                assert!(ok, "block {tag} overwritten");
                if next(4) == 0 {
                    let _ = send.send((p, size, tag));
                } else {
                    free(
                        &cache,
                        p as *mut u8,
                        crate::heap::classes::class_of(size),
                        size,
                        shared,
                    );
                }
            }
            while let Ok((p, size, tag)) = recv.try_recv() {
                // SAFETY: as above.
                let ok = unsafe { (0..size).all(|k| *(p as *mut u8).add(k) == tag as u8) };
                assert!(ok, "block {tag} overwritten, from the other thread");
                free(
                    &cache,
                    p as *mut u8,
                    crate::heap::classes::class_of(size),
                    size,
                    shared,
                );
            }
        }
        drop(send);
        for (p, size, _) in live {
            free(
                &cache,
                p as *mut u8,
                crate::heap::classes::class_of(size),
                size,
                shared,
            );
        }
        for (p, size, _) in recv {
            free(
                &cache,
                p as *mut u8,
                crate::heap::classes::class_of(size),
                size,
                shared,
            );
        }
        flush(&cache, shared);
    };
    let a = std::thread::spawn(move || worker(0x1234_5678, to_b, from_b));
    let b = std::thread::spawn(move || worker(0x8765_4321, to_a, from_a));
    a.join().unwrap();
    b.join().unwrap();
    let s = shared.lock();
    assert_eq!(s.in_use, 0);
    for class in 0..CLASSES {
        let span = s.avail[class].first();
        // SAFETY: a span of this heap, under its lock.
        let empty = span.is_null() || unsafe { Span::live(span) } == 0;
        assert!(empty, "class {class}");
    }
}

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
