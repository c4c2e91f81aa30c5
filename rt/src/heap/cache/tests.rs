//! Host tests of the caches, each against a heap of its own (a fresh
//! `Lock<Shared>`), so that no thread pointer is needed.

extern crate std;
use super::*;
use crate::heap::assume_threads;
use crate::heap::shared::RESERVE;
use refill::BATCHES;
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

pub(super) fn alloc(cache: &Cache, class: usize, size: usize, shared: &Lock<Shared>) -> *mut u8 {
    // SAFETY: this thread owns `cache`, which uses `shared` only.
    let p = unsafe { cache.alloc(class, size, shared) };
    assert!(!p.is_null());
    p
}

pub(super) fn flush(cache: &Cache, shared: &Lock<Shared>) {
    // SAFETY: as in `alloc`.
    unsafe { cache.flush_into(shared) }
}

pub(super) fn free(cache: &Cache, p: *mut u8, class: usize, size: usize, shared: &Lock<Shared>) {
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
    // And the shared heap's store of batches, for all threads.
    let stored: usize = (0..CLASSES)
        .map(|c| BATCHES * (LIMIT[c] / 2) as usize * block_size(c))
        .sum();
    assert!(stored <= 4 << 20, "{stored}");
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
fn past_its_limit_a_list_gives_a_batch_to_the_store_then_to_the_spans() {
    let shared = Lock::new(Shared::new());
    let cache = Cache::new();
    let (limit, batch) = (LIMIT[C64], LIMIT[C64] / 2);
    // Enough to fill the shared heap's store, and two batches more: all in
    // one span, taken from it a batch at a time.
    let n = limit + (BATCHES as u32 + 2) * batch;
    let blocks: Vec<*mut u8> = (0..n).map(|_| alloc(&cache, C64, 64, &shared)).collect();
    let span_live = || live(&shared, blocks[0]);
    let stored = || shared.lock().batches[C64].len();
    assert_eq!(span_live(), n as usize);
    assert_eq!((holds(&cache, C64).0, stored()), (0, 0));
    for (i, &p) in blocks.iter().enumerate() {
        free(&cache, p, C64, 64, &shared);
        let freed = i + 1;
        let held = holds(&cache, C64).0;
        assert!(held <= limit, "{held} after {freed} frees");
        // Every block freed is in the cache, in the store, or back in its
        // span, and the store fills before any goes back.
        let back = n as usize - span_live();
        assert_eq!(freed, held as usize + stored() * batch as usize + back);
        assert!(back == 0 || stored() == BATCHES);
        if freed == limit as usize + 1 {
            assert_eq!((held, stored()), (limit + 1 - batch, 1));
        }
    }
    assert_eq!(stored(), BATCHES);
    assert_eq!(n as usize - span_live(), 2 * batch as usize);
    // Blocks freed last went first; the next allocations are the ones
    // kept, from the cache, then a whole batch from the store, which does
    // not touch the span.
    let held = holds(&cache, C64).0;
    let before = span_live();
    let again: Vec<*mut u8> = (0..=held)
        .map(|_| alloc(&cache, C64, 64, &shared))
        .collect();
    assert!(again.iter().all(|p| blocks.contains(p)));
    assert_eq!((stored(), span_live()), (BATCHES - 1, before));
    assert_eq!(holds(&cache, C64).0, batch - 1);
    for p in again {
        free(&cache, p, C64, 64, &shared);
    }
    // A flush gives back the cache and the store.
    flush(&cache, &shared);
    assert_eq!((stored(), span_live()), (0, 0));
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
    // What `stats` does first: the whole count moves to the shared one.
    // SAFETY: as in `alloc`.
    unsafe { cache.settle(&shared) };
    assert_eq!(holds(&cache, class).1, 0);
    assert_eq!(shared.lock().in_use as isize, requested);
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
