//! `memcpy` and `memcmp`: the program's own, which is freestand-rt's in
//! the freestanding program and the C library's in the std program.
//!
//! Each call goes through `black_box`ed pointers and length, so the
//! compiler cannot inline a copy of known size: it must call the
//! symbol. The buffers are allocated once, before any timing.

use super::{Ctx, Failed, Stopwatch, check, timed};
use alloc::vec::Vec;
use core::hint::black_box;

const MIB: usize = 1 << 20;

/// Each copy size, its measure's name and its number of calls (a few tens
/// of milliseconds each on glibc).
const COPIES: [(usize, &str, usize); 4] = [
    (16, "memcpy-16", 20_000_000),
    (256, "memcpy-256", 8_000_000),
    (4 << 10, "memcpy-4k", 600_000),
    (MIB, "memcpy-1m", 1_000),
];

/// The size of the `memcmp` and its number of calls.
const COMPARE: (usize, usize) = (4 << 10, 600_000);

/// `memcpy` of 16 B, 256 B, 4 KiB and 1 MiB between two 1 MiB buffers,
/// then `memcmp` of 4 KiB of equal bytes (slice `==` on `[u8]`, which
/// calls `memcmp` or `bcmp`, and must read every byte to say "equal").
pub(super) fn memory<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    let src: Vec<u8> = (0..MIB).map(|i| (i % 251) as u8).collect();
    // Not zero: every page is written now, so no copy is charged with
    // faulting one in, and a copy that did nothing would show.
    let mut dst = alloc::vec![0xA5u8; MIB];
    for (size, name, calls) in COPIES {
        let calls = ctx.size(calls, 100);
        let ((), ns) = timed::<S, _>(|| {
            for _ in 0..calls {
                // SAFETY: `src` and `dst` are distinct allocations of
                // `MIB` bytes each, and `size` is at most `MIB`.
                unsafe {
                    core::ptr::copy_nonoverlapping(
                        black_box(src.as_ptr()),
                        black_box(dst.as_mut_ptr()),
                        black_box(size),
                    );
                }
            }
        });
        ctx.record(name, ns, calls);
        check(dst[..size] == src[..size], "memcpy: the copy differs")?;
    }
    let (size, calls) = COMPARE;
    let calls = ctx.size(calls, 100);
    let (a, b) = (&src[..size], &dst[..size]);
    let (equal, ns) = timed::<S, _>(|| {
        let mut equal = 0usize;
        for _ in 0..calls {
            equal += usize::from(black_box(a) == black_box(b));
        }
        equal
    });
    ctx.record("memcmp-4k", ns, calls);
    check(equal == calls, "memcmp: equal buffers compared unequal")
}
