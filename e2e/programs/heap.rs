//! A test subject for the heap: each subcommand checks one promise of
//! `freestand_rt::heap` and prints what it saw.
//!
//! ```text
//! heap stress [SEED]  random alloc, realloc and free with every size class
//!                     boundary ±1, large sizes and alignments up to 2 MiB,
//!                     each block's bytes checked before each free and
//!                     after each realloc; prints the seed first
//! heap rss            512 MiB in 64 KiB pieces, all freed: RSS before,
//!                     at the peak and after, in KiB
//! heap churn          ns per random replace with 10k, then 100k live
//!                     blocks of 16..=512 bytes, and their ratio
//! heap oom            keeps 16 MiB blocks until the heap fails (run it
//!                     under a memory limit)
//! heap stats          heap::stats() before and after a few allocations
//! heap double-free    frees a block twice (a debug build reports it)
//! heap inner-free     frees a pointer 16 bytes into a block (likewise)
//! ```
#![no_std]
#![no_main]

extern crate alloc;

use alloc::alloc::{alloc, dealloc, realloc};
use alloc::vec::Vec;
use core::alloc::Layout;
use core::hint::black_box;
use freestand_rt::syscalls::{fs, io};
use freestand_rt::time::Instant;
use freestand_rt::{heap, println, stack};

freestand_rt::entry!(main);

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

fn main() -> i32 {
    let mut args = stack::args().skip(1).map(|a| a.to_bytes());
    match args.next() {
        Some(b"stress") => {
            let seed = match args.next().and_then(|s| core::str::from_utf8(s).ok()) {
                Some(s) => s.parse().unwrap_or(1),
                // No seed given: one from the clock, printed so a failure
                // can be replayed.
                None => Instant::now().elapsed().as_nanos() as u64 | 1,
            };
            stress(seed)
        }
        Some(b"rss") => rss(),
        Some(b"churn") => churn(),
        Some(b"oom") => oom(),
        Some(b"stats") => stats(),
        Some(b"double-free") => bad_free(0, 2),
        Some(b"inner-free") => bad_free(16, 1),
        _ => {
            freestand_rt::eprintln!(
                "heap: usage: heap stress [SEED] | rss | churn | oom | stats | double-free | inner-free"
            );
            2
        }
    }
}

/// The word at index `i` of block `id` that first lived at `home`.
fn pattern(home: usize, id: usize, i: usize) -> u64 {
    (home as u64 ^ (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add((i as u64).wrapping_mul(0x0100_0000_01b3))
}

struct Block {
    p: *mut u8,
    layout: Layout,
    id: usize,
    home: usize,
}

impl Block {
    /// Writes the pattern, a word at a time (the tail bytewise).
    fn fill(&self) {
        let len = self.layout.size();
        for i in 0..len / 8 {
            // SAFETY: the block holds `len` bytes; the word lies inside.
            unsafe {
                self.p
                    .add(i * 8)
                    .cast::<u64>()
                    .write_unaligned(self.word(i))
            };
        }
        for j in len / 8 * 8..len {
            // SAFETY: inside the block.
            unsafe { self.p.add(j).write(self.byte(j)) };
        }
    }

    /// Whether the first `len` bytes still hold the pattern.
    fn intact(&self, len: usize) -> bool {
        // SAFETY: the block holds at least `len` bytes.
        let words = (0..len / 8)
            .all(|i| unsafe { self.p.add(i * 8).cast::<u64>().read_unaligned() } == self.word(i));
        // SAFETY: as above.
        words && (len / 8 * 8..len).all(|j| unsafe { self.p.add(j).read() } == self.byte(j))
    }

    fn word(&self, i: usize) -> u64 {
        pattern(self.home, self.id, i)
    }

    fn byte(&self, j: usize) -> u8 {
        self.word(j / 8).to_ne_bytes()[j % 8]
    }
}

/// Sizes around every class boundary of the heap, and large ones.
fn sizes() -> Vec<usize> {
    let mut v = Vec::new();
    let mut class: usize = 16;
    while class <= 16 * 1024 {
        v.extend([class - 1, class, class + 1]);
        class += if class < 64 {
            16
        } else {
            1 << (class.ilog2() - 2)
        };
    }
    v.extend([20_000, 65_535, 65_536, 65_537, 300_000, 3 << 20]);
    v
}

fn stress(seed: u64) -> i32 {
    println!("stress: seed {seed}");
    let sizes = sizes();
    let mut rng = Rng(seed);
    let mut live: Vec<Block> = Vec::new();
    let rounds = 30_000;
    for id in 0..rounds {
        let op = rng.below(4);
        if live.is_empty() || (op < 2 && live.len() < 400) {
            let size = sizes[rng.below(sizes.len())];
            let align = 1usize << rng.below(22); // up to 2 MiB
            let layout = Layout::from_size_align(size, align).expect("valid layout");
            // SAFETY: the size is not zero.
            let p = unsafe { alloc(layout) };
            if p.is_null() || !(p as usize).is_multiple_of(align) {
                println!("stress: {layout:?} gave {p:p}");
                return 1;
            }
            let b = Block {
                p,
                layout,
                id,
                home: p as usize,
            };
            b.fill();
            live.push(b);
        } else if op == 2 {
            let i = rng.below(live.len());
            let b = &mut live[i];
            if !b.intact(b.layout.size()) {
                println!(
                    "stress: block {} ({:?}) changed before realloc",
                    b.id, b.layout
                );
                return 1;
            }
            let new_size = sizes[rng.below(sizes.len())];
            // SAFETY: a live block of `layout`; the new size is not zero.
            let q = unsafe { realloc(b.p, b.layout, new_size) };
            if q.is_null() || !(q as usize).is_multiple_of(b.layout.align()) {
                println!("stress: realloc to {new_size} of {:?} gave {q:p}", b.layout);
                return 1;
            }
            b.p = q;
            let kept = b.layout.size().min(new_size);
            if !b.intact(kept) {
                println!(
                    "stress: block {} lost its bytes in realloc to {new_size}",
                    b.id
                );
                return 1;
            }
            b.layout = Layout::from_size_align(new_size, b.layout.align()).expect("valid");
            b.fill();
        } else {
            let b = live.swap_remove(rng.below(live.len()));
            if !b.intact(b.layout.size()) {
                println!(
                    "stress: block {} ({:?}) changed before free",
                    b.id, b.layout
                );
                return 1;
            }
            // SAFETY: a live block of `layout`.
            unsafe { dealloc(b.p, b.layout) };
        }
    }
    let left = live.len();
    for b in live {
        if !b.intact(b.layout.size()) {
            println!("stress: block {} changed", b.id);
            return 1;
        }
        // SAFETY: a live block of `layout`.
        unsafe { dealloc(b.p, b.layout) };
    }
    let s = heap::stats();
    println!(
        "stress: ok, {rounds} operations, {left} blocks freed at the end, large blocks left {}",
        s.large_blocks
    );
    0
}

/// A field of /proc/self/status, in KiB.
fn status_kib(field: &[u8]) -> usize {
    let mut buf = [0u8; 4096];
    let Ok(fd) = fs::openat(fs::AT_FDCWD, c"/proc/self/status", fs::OFlags::RDONLY, 0) else {
        return 0;
    };
    let n = io::read(fd, &mut buf).unwrap_or(0);
    let _ = fs::close(fd);
    let text = &buf[..n];
    text.split(|&b| b == b'\n')
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| {
            let digits: Vec<u8> = rest.iter().copied().filter(u8::is_ascii_digit).collect();
            core::str::from_utf8(&digits).ok()?.parse().ok()
        })
        .unwrap_or(0)
}

fn rss() -> i32 {
    let start = status_kib(b"VmRSS:");
    let piece = Layout::from_size_align(64 * 1024, 8).expect("valid");
    let mut kept = Vec::with_capacity(8192);
    for _ in 0..8192 {
        // SAFETY: the size is not zero.
        let p = unsafe { alloc(piece) };
        if p.is_null() {
            println!("rss: out of memory");
            return 1;
        }
        // SAFETY: 64 KiB at `p`; touch every page.
        unsafe { p.write_bytes(0x5a, piece.size()) };
        kept.push(p);
    }
    let peak = status_kib(b"VmRSS:");
    for p in kept.drain(..) {
        // SAFETY: a live block of `piece`.
        unsafe { dealloc(p, piece) };
    }
    drop(kept);
    let end = status_kib(b"VmRSS:");
    let back = end <= start + 16 * 1024;
    println!(
        "rss: start {start} KiB, peak {peak} KiB, end {end} KiB: {}",
        if back { "returned" } else { "kept" }
    );
    if back && peak > start + 512 * 1024 - 16 * 1024 {
        0
    } else {
        1
    }
}

/// ns per random replace of one of `live` blocks of 16..=512 bytes.
fn churn_at(live: usize, rng: &mut Rng) -> f64 {
    let mut blocks: Vec<Vec<u8>> = (0..live)
        .map(|_| Vec::with_capacity(16 + rng.below(497)))
        .collect();
    let ops = 1_000_000;
    let start = Instant::now();
    for _ in 0..ops {
        let i = rng.below(live);
        blocks[i] = Vec::with_capacity(16 + rng.below(497));
        black_box(blocks[i].as_ptr());
    }
    start.elapsed().as_nanos() as f64 / ops as f64
}

fn churn() -> i32 {
    let mut rng = Rng(7);
    let small = churn_at(10_000, &mut rng);
    let big = churn_at(100_000, &mut rng);
    println!(
        "churn: {small:.1} ns at 10k live, {big:.1} ns at 100k live, ratio {:.2}",
        big / small
    );
    0
}

fn oom() -> i32 {
    let mut kept: Vec<Vec<u8>> = Vec::new();
    loop {
        // Infallible: a refusal ends the program through the runtime's
        // out-of-memory report.
        kept.push(Vec::with_capacity(16 << 20));
        black_box(&kept);
    }
}

fn stats() -> i32 {
    let before = heap::stats();
    let v: Vec<u64> = black_box((0..1000).collect());
    let big: Vec<u8> = black_box(Vec::with_capacity(1 << 20));
    let during = heap::stats();
    drop((v, big));
    let after = heap::stats();
    println!("before {before:?}");
    println!("during {during:?}");
    println!("after {after:?}");
    0
}

/// Frees `offset` bytes into a 64-byte block, `times` times: misuse that a
/// debug build must report before it corrupts anything.
fn bad_free(offset: usize, times: usize) -> i32 {
    let layout = Layout::from_size_align(64, 8).expect("valid");
    // SAFETY: the size is not zero.
    let p = unsafe { alloc(layout) };
    for _ in 0..times {
        // SAFETY: deliberately not: this is the misuse under test.
        unsafe { dealloc(black_box(p.wrapping_add(offset)), layout) };
    }
    println!("not reported");
    1
}
