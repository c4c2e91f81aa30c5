//! Comparisons on short lengths, at every relative alignment.

use super::{Call, Failure, Functions, GUARD, SHORT, compare, paint, paint_moved};

const SALT: u8 = 5;

/// Pairs of bytes, the first greater as unsigned bytes. The first pair is
/// ordered the other way as signed bytes; the last two differ in the
/// lowest bit only.
const PAIRS: [(u8, u8); 4] = [(0x80, 0x7f), (0xff, 0x00), (0x01, 0x00), (0xff, 0xfe)];

/// `memcmp` and `bcmp`: every length up to `SHORT`, both operands at
/// every offset below 8, on equal ranges (with different bytes just
/// outside them) and on ranges that differ at a position: every one up to
/// 24 bytes, beyond that the first and last 16 and every ninth, which walks
/// through the bytes of a word. A byte after the first difference differs
/// the other way, so the first one must decide. The number of calls.
pub fn compares(f: &Functions, ws: &mut [u8]) -> Result<usize, Failure> {
    let window = GUARD + 8 + SHORT + 1 + GUARD;
    let (a0, b0) = (0, window);
    paint(ws, a0..a0 + window, SALT);
    let mut calls = 0;
    for oa in 0..8 {
        for ob in 0..8 {
            let (pa, pb) = (a0 + GUARD + oa, b0 + GUARD + ob);
            // From `pb` on, B holds what A holds from `pa` on.
            paint_moved(ws, b0..b0 + window, pa, pb, SALT);
            ws[pb - 1] ^= 0x5a;
            for len in 0..=SHORT {
                ws[pb + len] ^= 0x5a;
                calls += both_ways(f, ws, [pa, pb, len], 0)?;
                let positions =
                    (0..len).filter(|&p| len <= 24 || p < 16 || p + 16 >= len || p % 9 == 0);
                for p in positions {
                    let (x, y) = PAIRS[p % PAIRS.len()];
                    let saved = (ws[pa + p], ws[pb + p], ws[pa + p + 1], ws[pb + p + 1]);
                    (ws[pa + p], ws[pb + p]) = (x, y);
                    // The next byte ordered the other way, in the same word
                    // unless `p` ends one: a comparison of whole words as
                    // little-endian integers would let it decide.
                    if p + 1 < len {
                        (ws[pa + p + 1], ws[pb + p + 1]) = (0x00, 0xff);
                    }
                    calls += both_ways(f, ws, [pa, pb, len], 1)?;
                    (ws[pa + p], ws[pb + p], ws[pa + p + 1], ws[pb + p + 1]) = saved;
                }
                ws[pb + len] ^= 0x5a;
            }
        }
    }
    Ok(calls)
}

/// Checks `memcmp(a, b, n)` for the sign `want`, `memcmp(b, a, n)` for the
/// opposite and `bcmp(a, b, n)` for zero or not. The number of calls.
pub(super) fn both_ways(
    f: &Functions,
    ws: &[u8],
    [a, b, n]: [usize; 3],
    want: i32,
) -> Result<usize, Failure> {
    let call = |function, args| Call { function, args };
    compare(call("memcmp", [a, b, n]), f.memcmp, ws, want)?;
    compare(call("memcmp", [b, a, n]), f.memcmp, ws, -want)?;
    compare(call("bcmp", [a, b, n]), f.bcmp, ws, want)?;
    Ok(3)
}
