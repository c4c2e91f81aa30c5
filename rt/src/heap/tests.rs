//! Host tests of the heap, called directly (the test binary's own global
//! allocator is std's).

extern crate std;
use super::*;
use classes::CLASSES;
use std::vec::Vec;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The byte at offset `i` of block `id` at `p`.
fn pattern(p: *mut u8, id: usize, i: usize) -> u8 {
    (p as usize ^ id.wrapping_mul(31) ^ i.wrapping_mul(7)) as u8
}

fn fill(p: *mut u8, id: usize, len: usize) {
    for i in 0..len {
        // SAFETY: `p` holds `len` bytes.
        unsafe { p.add(i).write(pattern(p, id, i)) };
    }
}

fn check(p: *mut u8, id: usize, len: usize, base: *mut u8) {
    for i in 0..len {
        // SAFETY: `p` holds `len` bytes.
        let b = unsafe { p.add(i).read() };
        assert_eq!(b, pattern(base, id, i), "block {id} byte {i} of {len}");
    }
}

/// Sizes around every class boundary, then larger ones.
fn sizes() -> Vec<usize> {
    let mut v = Vec::new();
    for c in 0..CLASSES {
        let s = classes::block_size(c);
        v.extend([s - 1, s, s + 1]);
    }
    v.extend([20_000, 65_535, 65_536, 65_537, 300_000, 1 << 20]);
    v
}

#[test]
fn random_alloc_realloc_free_keeps_every_byte() {
    // The test harness runs tests on several threads.
    assume_threads();
    let heap = Heap::new();
    let sizes = sizes();
    let seed = 0x5eed_1234_u64;
    let mut rng = Rng(seed);
    let mut live: Vec<(*mut u8, Layout, usize)> = Vec::new();
    for id in 0..20_000usize {
        match rng.below(3) {
            0 | 1 if live.len() < 500 => {
                let size = sizes[rng.below(sizes.len())];
                let align = 1 << rng.below(14);
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero size.
                let p = unsafe { heap.alloc(layout) };
                assert!(!p.is_null(), "{layout:?}");
                assert_eq!(p as usize % align, 0, "{layout:?}");
                fill(p, id, size);
                live.push((p, layout, id));
            }
            2 if !live.is_empty() => {
                let (p, layout, bid) = live[rng.below(live.len())];
                let new_size = sizes[rng.below(sizes.len())];
                // Check the old contents, grow or shrink, check what was kept.
                check(p, bid, layout.size(), p);
                // SAFETY: a live block of `layout`; the new size is non-zero.
                let q = unsafe { heap.realloc(p, layout, new_size) };
                assert!(!q.is_null());
                assert_eq!(q as usize % layout.align(), 0);
                check(q, bid, layout.size().min(new_size), p);
                let new = Layout::from_size_align(new_size, layout.align()).unwrap();
                fill(q, bid, new_size);
                let i = live.iter().position(|b| b.0 == p).unwrap();
                live[i] = (q, new, bid);
            }
            _ if !live.is_empty() => {
                let (p, layout, bid) = live.swap_remove(rng.below(live.len()));
                check(p, bid, layout.size(), p);
                // SAFETY: a live block of `layout`.
                unsafe { heap.dealloc(p, layout) };
            }
            _ => {}
        }
    }
    for (p, layout, bid) in live {
        check(p, bid, layout.size(), p);
        // SAFETY: a live block of `layout`.
        unsafe { heap.dealloc(p, layout) };
    }
}

#[test]
fn zeroed_blocks_are_zero_even_when_reused() {
    // The test harness runs tests on several threads.
    assume_threads();
    let heap = Heap::new();
    for size in [24, 4000, 30_000, 100_000] {
        let layout = Layout::from_size_align(size, 8).unwrap();
        // SAFETY: non-zero sizes; each block is freed once.
        unsafe {
            let p = heap.alloc(layout);
            p.write_bytes(0xa5, size);
            heap.dealloc(p, layout);
            let q = heap.alloc_zeroed(layout);
            assert!((0..size).all(|i| q.add(i).read() == 0), "{size}");
            heap.dealloc(q, layout);
        }
    }
}

#[test]
fn large_blocks_are_counted_and_given_back() {
    // The test harness runs tests on several threads.
    assume_threads();
    let heap = Heap::new();
    let before = stats();
    let layout = Layout::from_size_align(1 << 20, 8).unwrap();
    // SAFETY: non-zero size; freed once.
    unsafe {
        let p = heap.alloc(layout);
        let during = stats();
        assert!(during.large_blocks > before.large_blocks);
        assert!(during.mapped >= before.mapped + (1 << 20));
        heap.dealloc(p, layout);
    }
}
