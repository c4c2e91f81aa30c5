//! Long lengths, around every threshold the implementations use.

use super::compares::both_ways;
use super::{
    Call, Failure, Functions, GUARD, OFFSETS, copy, moved, paint, paint_moved, pattern, set, verify,
};

/// The longest length checked: 1 MiB and an odd tail.
pub const LONG: usize = (1 << 20) + 13;

/// The lengths: just past the short ones, each side of the powers of two
/// from 512 to 8 KiB (where `rep movsb` starts on x86_64), a page, 64 KiB
/// and `LONG`.
const LENGTHS: [usize; 22] = [
    257, 300, 511, 512, 513, 1000, 1023, 1024, 1025, 2047, 2048, 2049, 3000, 4095, 4096, 4097,
    8191, 8192, 8193, 65_535, 65_537, LONG,
];

const SRC: u8 = 6;
const DST: u8 = 7;

/// Every function on each of `LENGTHS`: copies and fills at a few
/// offsets, moves with a few overlaps each way, comparisons with a few
/// positions of the first difference. The number of calls.
pub fn long(f: &Functions, ws: &mut [u8]) -> Result<usize, Failure> {
    let mut calls = 0;
    for len in LENGTHS {
        // Fewer variations on the longest, whose every check reads a MiB.
        let few = len > 65_537;
        calls += copies(f, ws, len, few)?;
        calls += moves(f, ws, len, few)?;
        calls += fills(f, ws, len)?;
        calls += compares(f, ws, len, few)?;
    }
    Ok(calls)
}

/// `memcpy` and `memmove` between separate windows.
fn copies(f: &Functions, ws: &mut [u8], len: usize, few: bool) -> Result<usize, Failure> {
    let window = GUARD + OFFSETS + len + GUARD;
    let (src, dst) = (0, window);
    paint(ws, src..src + window, SRC);
    paint(ws, dst..dst + window, DST);
    let offsets: &[(usize, usize)] = if few {
        &[(13, 6)]
    } else {
        &[(0, 0), (1, 0), (0, 7), (13, 6)]
    };
    let mut calls = 0;
    for (function, func) in [("memcpy", f.memcpy), ("memmove", f.memmove)] {
        for &(so, dof) in offsets {
            let (s, d) = (src + GUARD + so, dst + GUARD + dof);
            let call = Call {
                function,
                args: [d, s, len],
            };
            copy(call, func, ws)?;
            let want = |i| match i >= d && i < d + len {
                true => pattern(s + i - d, SRC),
                false => pattern(i, DST),
            };
            verify(ws, dst..dst + window, want).map_err(|p| call.fails(p))?;
            paint(ws, d..d + len, DST);
            calls += 1;
        }
    }
    Ok(calls)
}

/// `memmove` within one range, the destination a few distances below and
/// above the source.
fn moves(f: &Functions, ws: &mut [u8], len: usize, few: bool) -> Result<usize, Failure> {
    let distances: &[usize] = if few {
        &[1, 4093]
    } else {
        &[1, 8, 63, 64, 65, len / 2, len - 1]
    };
    let farthest = distances.iter().copied().max().unwrap_or(0);
    let s = GUARD + farthest;
    let end = s + farthest + len + GUARD;
    paint(ws, 0..end, SRC);
    let mut calls = 0;
    for &distance in distances {
        for d in [s - distance, s + distance] {
            moved(f, ws, d, s, len, SRC)?;
            calls += 1;
        }
    }
    Ok(calls)
}

/// `memset` at two offsets.
fn fills(f: &Functions, ws: &mut [u8], len: usize) -> Result<usize, Failure> {
    let window = GUARD + OFFSETS + len + GUARD;
    paint(ws, 0..window, DST);
    for (offset, c) in [(0, 0), (5, -0x55)] {
        let d = GUARD + offset;
        let call = Call {
            function: "memset",
            args: [d, c as usize, len],
        };
        set(call, f.memset, ws)?;
        let want = |i| match i >= d && i < d + len {
            true => c as u8,
            false => pattern(i, DST),
        };
        verify(ws, 0..window, want).map_err(|p| call.fails(p))?;
        paint(ws, d..d + len, DST);
    }
    Ok(2)
}

/// `memcmp` and `bcmp` of equal ranges and of ranges that differ first at
/// a few positions, at two relative alignments.
fn compares(f: &Functions, ws: &mut [u8], len: usize, few: bool) -> Result<usize, Failure> {
    let window = GUARD + OFFSETS + len + GUARD;
    let (a0, b0) = (0, window);
    paint(ws, a0..a0 + window, SRC);
    let offsets: &[(usize, usize)] = if few { &[(3, 6)] } else { &[(0, 0), (3, 6)] };
    let mut calls = 0;
    for &(oa, ob) in offsets {
        let (pa, pb) = (a0 + GUARD + oa, b0 + GUARD + ob);
        paint_moved(ws, b0..b0 + window, pa, pb, SRC);
        (ws[pb - 1], ws[pb + len]) = (!ws[pa - 1], !ws[pa + len]);
        calls += both_ways(f, ws, [pa, pb, len], 0)?;
        for p in [0, 7, len / 2, len - 9, len - 1] {
            let saved = (ws[pa + p], ws[pb + p]);
            (ws[pa + p], ws[pb + p]) = (0x80, 0x7f);
            calls += both_ways(f, ws, [pa, pb, len], 1)?;
            (ws[pa + p], ws[pb + p]) = saved;
        }
    }
    Ok(calls)
}
