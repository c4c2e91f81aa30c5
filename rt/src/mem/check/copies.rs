//! Copies and fills on short lengths, at every offset.

use super::{
    Call, Failure, Functions, GUARD, OFFSETS, SHORT, copy, moved, paint, pattern, set, verify,
};

/// Salts of the patterns: a source, a destination, a range moved within
/// itself.
const SRC: u8 = 1;
const DST: u8 = 2;
const MOVE: u8 = 3;

/// `memcpy`, and `memmove` with ranges that do not overlap: every length up
/// to `SHORT`, every source and destination offset below `OFFSETS`.
/// The number of calls.
pub fn disjoint(f: &Functions, ws: &mut [u8]) -> Result<usize, Failure> {
    // The source window, then the destination window, each with room for
    // the offsets and a guard on both sides.
    let window = GUARD + OFFSETS + SHORT + GUARD;
    let (src, dst) = (0, window);
    paint(ws, src..src + window, SRC);
    paint(ws, dst..dst + window, DST);
    let mut calls = 0;
    for (function, func) in [("memcpy", f.memcpy), ("memmove", f.memmove)] {
        for len in 0..=SHORT {
            for so in 0..OFFSETS {
                for dof in 0..OFFSETS {
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
            // Nothing wrote into a source (checked once per length).
            let call = Call {
                function,
                args: [dst + GUARD, src + GUARD, len],
            };
            verify(ws, src..src + window, |i| pattern(i, SRC)).map_err(|p| call.fails(p))?;
        }
    }
    Ok(calls)
}

/// `memmove` within one range: every length up to `SHORT`, the
/// destination at every distance from the source up to one past the
/// length, below and above it; every source offset below 8 up to 64 bytes,
/// two offsets above. The number of calls.
pub fn overlapping(f: &Functions, ws: &mut [u8]) -> Result<usize, Failure> {
    // The lowest destination is `SHORT + 1` below the source.
    let origin = GUARD + SHORT + 1;
    let end = origin + 8 + SHORT + 1 + SHORT + GUARD;
    paint(ws, 0..end, MOVE);
    let mut calls = 0;
    for len in 0..=SHORT {
        let offsets: &[usize] = if len <= 64 {
            &[0, 1, 2, 3, 4, 5, 6, 7]
        } else {
            &[0, 5]
        };
        for &offset in offsets {
            let s = origin + offset;
            for d in s - len - 1..=s + len + 1 {
                moved(f, ws, d, s, len, MOVE)?;
                calls += 1;
            }
        }
    }
    Ok(calls)
}

/// `memset`: every length up to `SHORT`, every offset below `OFFSETS`,
/// with values whose bits above the byte are set or, for negative values,
/// sign-extended (only the low byte counts). The number of calls.
pub fn fills(f: &Functions, ws: &mut [u8]) -> Result<usize, Failure> {
    let window = GUARD + OFFSETS + SHORT + GUARD;
    paint(ws, 0..window, DST);
    let mut calls = 0;
    for len in 0..=SHORT {
        for offset in 0..OFFSETS {
            let d = GUARD + offset;
            let byte = pattern(len * OFFSETS + offset, 4);
            let c = match offset % 2 {
                0 => i32::from(byte) | (len as i32 + 1) << 8,
                _ => i32::from(byte as i8),
            };
            let call = Call {
                function: "memset",
                args: [d, c as usize, len],
            };
            set(call, f.memset, ws)?;
            let want = |i| match i >= d && i < d + len {
                true => byte,
                false => pattern(i, DST),
            };
            verify(ws, 0..window, want).map_err(|p| call.fails(p))?;
            paint(ws, d..d + len, DST);
            calls += 1;
        }
    }
    Ok(calls)
}
