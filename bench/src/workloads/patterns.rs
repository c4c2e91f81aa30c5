//! Allocation patterns with no collection around them: random churn of a
//! live set, holes that later requests cannot fill, and a transient large
//! buffer.

use super::{Ctx, Failed, Stopwatch, XorShift, check, timed};
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::hint::black_box;

/// The smallest and largest object of [`churn`], in bytes.
const CHURN_SIZES: core::ops::RangeInclusive<usize> = 16..=512;

/// An object for [`churn`]: a block of a random size in [`CHURN_SIZES`],
/// its first byte tagged with its size, so that a later check can tell
/// whether another block was written over it.
#[inline(always)]
fn object(rng: &mut XorShift) -> Vec<u8> {
    let size = CHURN_SIZES.start() + rng.below(CHURN_SIZES.end() - CHURN_SIZES.start() + 1);
    let mut v = Vec::with_capacity(size);
    v.push(size as u8);
    v
}

/// `live` objects of random sizes from 16 to 512 bytes are allocated
/// (untimed); then 1M times, a random one is freed and replaced by a new
/// one of a random size (timed). The live set stays the same size while
/// the sizes and places of its blocks keep changing: the steady state of
/// a server's objects. Run with 10k and 100k live objects, it also shows
/// how the cost of an operation grows with the heap's size (cache and TLB
/// misses on its metadata).
pub(super) fn churn<S: Stopwatch>(
    ctx: &mut Ctx,
    name: &'static str,
    live: usize,
) -> Result<(), Failed> {
    let live = ctx.size(live, live / 10);
    let ops = ctx.size(1_000_000, 10_000);
    let mut rng = XorShift::new();
    let mut slots: Vec<Vec<u8>> = (0..live).map(|_| object(&mut rng)).collect();
    let ((), ns) = timed::<S, _>(|| {
        for _ in 0..ops {
            let i = rng.below(live);
            slots[i] = object(&mut rng);
        }
    });
    ctx.record(name, ns, ops);
    let intact = slots
        .iter()
        .all(|v| v.len() == 1 && CHURN_SIZES.contains(&v.capacity()) && v[0] == v.capacity() as u8);
    check(intact, "churn: an object's tag was overwritten")
}

/// Bytes between two objects' blocks in [`churn_floor`]: churn's mean
/// object (264 B) rounded to 16, so that the floor's live set is as big as
/// churn's.
const FLOOR_STRIDE: usize = 272;

/// [`churn`]'s loop with no heap at all, at 10k and then 100k live objects:
/// the same generator, the same random slot and size, the slot read and
/// written, and the tag byte written into the object's memory; but each
/// slot owns a fixed block (one array, [`FLOOR_STRIDE`] bytes apart) and
/// the new object is written where the old one was. What this costs, and
/// how its cost grows from 10k to 100k live objects, is the part of
/// churn's that no allocator can remove: the workload's own cache and TLB
/// misses on a live set that no longer fits the caches.
pub(super) fn churn_floor<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    for (name, live) in [("churn-floor-10k", 10_000), ("churn-floor-100k", 100_000)] {
        let live = ctx.size(live, live / 10);
        let ops = ctx.size(1_000_000, 10_000);
        let mut rng = XorShift::new();
        let mut memory = alloc::vec![0u8; live * FLOOR_STRIDE];
        // (offset, length, capacity), as a `Vec<u8>` is three words.
        let mut slots: Vec<(usize, usize, usize)> =
            (0..live).map(|i| (i * FLOOR_STRIDE, 1, 16)).collect();
        for &(at, _, size) in &slots {
            memory[at] = size as u8;
        }
        let ((), ns) = timed::<S, _>(|| {
            for _ in 0..ops {
                let i = rng.below(live);
                let size =
                    CHURN_SIZES.start() + rng.below(CHURN_SIZES.end() - CHURN_SIZES.start() + 1);
                let at = black_box(slots[i]).0;
                memory[at] = size as u8;
                slots[i] = (at, 1, size);
            }
        });
        ctx.record(name, ns, ops);
        let intact = slots
            .iter()
            .all(|&(at, _, size)| memory[at] == size as u8 && CHURN_SIZES.contains(&size));
        check(intact, "churn-floor: a tag was lost")?;
    }
    Ok(())
}

/// 200k blocks of 64 bytes, then every other one freed, then 100k blocks
/// of 128 bytes, all timed (400k operations). The holes are 64 bytes and
/// scattered, so none can hold a new block: a heap that cannot give back
/// half-empty pages needs memory for 100k more blocks, and the peak RSS
/// shows how much.
pub(super) fn fragment<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    let n = ctx.size(200_000, 2_000);
    let mut small: Vec<Option<Box<[u8; 64]>>> = Vec::with_capacity(n);
    let mut large: Vec<Box<[u8; 128]>> = Vec::with_capacity(n / 2);
    let ((), ns) = timed::<S, _>(|| {
        for i in 0..n {
            small.push(Some(Box::new([i as u8; 64])));
        }
        for s in small.iter_mut().skip(1).step_by(2) {
            *s = None;
        }
        for i in 0..n / 2 {
            large.push(Box::new([i as u8; 128]));
        }
    });
    ctx.record("fragment", ns, 2 * n);
    let small_ok = small.iter().enumerate().all(|(i, s)| match s {
        Some(b) => i % 2 == 0 && b.iter().all(|&x| x == i as u8),
        None => i % 2 == 1,
    });
    let large_ok = large
        .iter()
        .enumerate()
        .all(|(i, b)| b.iter().all(|&x| x == i as u8));
    check(small_ok && large_ok, "fragment: a block was overwritten")
}

/// The bytes of [`transient`]'s buffer: above every heap's threshold for
/// a mapping of its own (glibc's starts at 128 KiB, musl's is about the
/// same, freestand's is 64 KiB).
const TRANSIENT_BYTES: usize = 256 << 10;

/// A workload allocators are known to get wrong: a large buffer that lives
/// briefly, again and again, with a small allocation in between that
/// stays. 4,000 times: a 256 KiB buffer is allocated, filled word by word
/// (the program's own stores, not `memset`), read, freed; then a 32-byte
/// block is allocated and kept. One operation is one such round.
///
/// Source: glibc's `malloc/malloc.c`, the comment on `M_MMAP_THRESHOLD`
/// ("Update in 2006"): applications had begun to use transient
/// allocations larger than the 128 KiB threshold, each served by a fresh
/// `mmap` whose pages the kernel must fault in and zero, at great cost
/// to time and cache. Since that change the threshold rises to
/// the size of a freed mapped block (up to 32 MiB), and the trim
/// threshold to twice that, so that the next buffer of that size comes
/// from the heap, already resident (see mallopt(3), `M_MMAP_THRESHOLD`).
/// A heap that maps and unmaps every large block pays a system call pair
/// and a page fault per 4 KiB on every round.
pub(super) fn transient<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    const WORDS: usize = TRANSIENT_BYTES / size_of::<u64>();
    let rounds = ctx.size(4_000, 8);
    let mut kept: Vec<Box<[u64; 4]>> = Vec::with_capacity(rounds);
    let mut sum = 0u64;
    let ((), ns) = timed::<S, _>(|| {
        for i in 0..rounds as u64 {
            let mut buf: Vec<u64> = Vec::with_capacity(WORDS);
            buf.extend((0..WORDS as u64).map(|k| k ^ i));
            let probe = (i as usize).wrapping_mul(4099) % WORDS;
            sum = sum.wrapping_add(black_box(&buf)[probe]);
            drop(buf);
            kept.push(Box::new([i; 4]));
        }
    });
    ctx.record("transient", ns, rounds);
    let expected = (0..rounds as u64).fold(0u64, |s, i| {
        let probe = (i as usize).wrapping_mul(4099) % WORDS;
        s.wrapping_add(probe as u64 ^ i)
    });
    let kept_ok = kept.iter().enumerate().all(|(i, b)| **b == [i as u64; 4]);
    check(
        sum == expected && kept_ok,
        "transient: a buffer or a kept block changed",
    )
}
