//! x86_64's half of [`crate::mem`]: short lengths by overlapping unaligned
//! accesses, SSE2 loops of 64 bytes, and `rep movsb`/`rep stosb` for long
//! forward copies and fills.
//!
//! # The `rep` thresholds
//!
//! With ERMS and FSRM, `rep movsb` moves whole cache lines in microcode,
//! but it pays a start-up of some tens of cycles, and below a few KiB the
//! SSE2 loop keeps up with it. Copies switch to `rep movsb` at 2 KiB and
//! fills to `rep stosb` at 1.5 KiB, where `rep` started to win when both
//! were timed at many lengths and alignments on an AMD Zen 4. Where the
//! destination lies a few bytes above the source modulo 4 KiB ("4K
//! aliasing"), `rep movsb` loses to the loop up to about 3 KiB; aligning
//! the destination before the `rep` did not help. `scripts/heap-bench.sh`
//! compares the results with glibc's at 16 B, 256 B, 4 KiB and 1 MiB.
//!
//! # Comparisons
//!
//! From 32 bytes, `memcmp` and `bcmp` compare 32 bytes per step with SSE2
//! (`pcmpeqb`, `pmovmskb`), and find the first differing byte from the
//! mask; shorter ones use unaligned words.

use crate::mem::splat;
use crate::mem::unaligned::{copy_short, fill_short};
use core::arch::asm;

mod compare;
mod features;
mod medium;
pub(crate) use compare::compare;
use medium::copy_medium;

/// From this length on, a forward copy between ranges that do not overlap
/// is a `rep movsb` (measured: see the module docs).
const MOVSB_FROM: usize = 2048;

/// From this length on, a fill is a `rep stosb` (measured: see the module
/// docs).
const STOSB_FROM: usize = 1536;

/// Copies `n` bytes from `src` to `dst`, lowest first.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes; if the ranges
/// overlap, `dst` is not above `src`.
#[inline(always)]
pub(crate) unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: forwarded contract; `rep movsb` only where the ranges do not
    // overlap (it would be correct, but slow, if they did).
    unsafe {
        if n <= 64 {
            copy_short(dst, src, n);
        } else if n <= 256 {
            copy_medium(dst, src, n);
        } else if n >= MOVSB_FROM && (src as usize).wrapping_sub(dst as usize) >= n {
            rep_movsb(dst, src, n);
        } else {
            forward_blocks(dst, src, n);
        }
    }
}

/// Copies `n` bytes from `src` to `dst`, highest first.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes; if the ranges
/// overlap, `dst` is not below `src`.
#[inline(always)]
pub(crate) unsafe fn copy_backward(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: forwarded contract; the short and medium paths load
    // everything before they store.
    unsafe {
        if n <= 64 {
            copy_short(dst, src, n);
        } else if n <= 256 {
            copy_medium(dst, src, n);
        } else {
            backward_blocks(dst, src, n);
        }
    }
}

/// Sets `n` bytes at `dst` to `b`.
///
/// # Safety
///
/// `dst` valid for writing `n` bytes.
#[inline(always)]
pub(crate) unsafe fn fill(dst: *mut u8, b: u8, n: usize) {
    // SAFETY: forwarded contract.
    unsafe {
        if n <= 64 {
            fill_short(dst, b, n);
        } else if n >= STOSB_FROM {
            rep_stosb(dst, b, n);
        } else {
            fill_blocks(dst, b, n);
        }
    }
}

/// `rep movsb`: copies `n` bytes upwards.
///
/// # Safety
///
/// As for [`copy_forward`].
#[inline(always)]
unsafe fn rep_movsb(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's ranges; the ABI keeps the direction flag clear,
    // so the copy goes upwards.
    unsafe {
        asm!(
            "rep movsb",
            inout("rdi") dst => _,
            inout("rsi") src => _,
            inout("rcx") n => _,
            options(nostack, preserves_flags)
        )
    }
}

/// `rep stosb`: sets `n` bytes to `b`.
///
/// # Safety
///
/// As for [`fill`].
#[inline(always)]
unsafe fn rep_stosb(dst: *mut u8, b: u8, n: usize) {
    // SAFETY: the caller's range; the direction flag is clear (ABI).
    unsafe {
        asm!(
            "rep stosb",
            inout("rdi") dst => _,
            inout("rcx") n => _,
            in("al") b,
            options(nostack, preserves_flags)
        )
    }
}

/// Copies `n > 64` bytes upwards, 64 per iteration. The first 16 and the
/// last 64 bytes are loaded before anything is stored and stored last;
/// between them the destination goes from its first 16-byte boundary past
/// `dst`, so every loop store is aligned. Each iteration loads its block
/// before storing it, above the stores so far, so a destination below an
/// overlapping source is fine.
///
/// # Safety
///
/// As for [`copy_forward`], and `n > 64`.
#[inline(always)]
unsafe fn forward_blocks(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: loads lie in `[0, n)` of the source and stores in `[0, n)` of
    // the destination (`n > 64`): the head at 0, the tail at `n - 64`, and
    // loop blocks from the first boundary above `dst` while they end
    // before the tail starts.
    unsafe {
        asm!(
            "movups {h}, [{s}]",
            "movups {t0}, [{s} + {n} - 64]",
            "movups {t1}, [{s} + {n} - 48]",
            "movups {t2}, [{s} + {n} - 32]",
            "movups {t3}, [{s} + {n} - 16]",
            // `e`: where the tail goes; `o`: where the head goes.
            "lea {e}, [{d} + {n} - 64]",
            "mov {o}, {d}",
            // The first 16-byte boundary above `o`, and the source as far.
            "add {d}, 16",
            "and {d}, -16",
            "add {s}, {d}",
            "sub {s}, {o}",
            "cmp {d}, {e}",
            "jae 3f",
            "2:",
            "movups {x0}, [{s}]",
            "movups {x1}, [{s} + 16]",
            "movups {x2}, [{s} + 32]",
            "movups {x3}, [{s} + 48]",
            "movaps [{d}], {x0}",
            "movaps [{d} + 16], {x1}",
            "movaps [{d} + 32], {x2}",
            "movaps [{d} + 48], {x3}",
            "add {s}, 64",
            "add {d}, 64",
            "cmp {d}, {e}",
            "jb 2b",
            "3:",
            "movups [{e}], {t0}",
            "movups [{e} + 16], {t1}",
            "movups [{e} + 32], {t2}",
            "movups [{e} + 48], {t3}",
            "movups [{o}], {h}",
            d = inout(reg) dst => _,
            s = inout(reg) src => _,
            n = in(reg) n,
            e = out(reg) _,
            o = out(reg) _,
            h = out(xmm_reg) _,
            t0 = out(xmm_reg) _,
            t1 = out(xmm_reg) _,
            t2 = out(xmm_reg) _,
            t3 = out(xmm_reg) _,
            x0 = out(xmm_reg) _,
            x1 = out(xmm_reg) _,
            x2 = out(xmm_reg) _,
            x3 = out(xmm_reg) _,
            options(nostack)
        )
    }
}

/// Copies `n > 64` bytes downwards, 64 per iteration: the mirror image of
/// [`forward_blocks`]. The first 64 and the last 16 bytes are loaded first
/// and stored last; the loop runs down from the last 16-byte boundary at
/// or below the end, so a destination above an overlapping source is fine.
///
/// # Safety
///
/// As for [`copy_backward`], and `n > 64`.
#[inline(always)]
unsafe fn backward_blocks(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: loads lie in `[0, n)` of the source and stores in `[0, n)` of
    // the destination (`n > 64`): the head at 0, the tail at `n - 16`, and
    // loop blocks from the boundary down while they end above the head.
    unsafe {
        asm!(
            "movups {h0}, [{s}]",
            "movups {h1}, [{s} + 16]",
            "movups {h2}, [{s} + 32]",
            "movups {h3}, [{s} + 48]",
            "movups {t}, [{s} + {n} - 16]",
            // `tl`: where the tail goes; `lim`: where the head ends.
            "lea {tl}, [{d} + {n} - 16]",
            "lea {lim}, [{d} + 64]",
            // `e` and `s`: the ends of the destination and source, moved
            // down to the destination's last 16-byte boundary.
            "lea {e}, [{d} + {n}]",
            "add {s}, {n}",
            "mov {k}, {e}",
            "and {k}, 15",
            "sub {e}, {k}",
            "sub {s}, {k}",
            "cmp {e}, {lim}",
            "jbe 3f",
            "2:",
            "sub {s}, 64",
            "sub {e}, 64",
            "movups {x0}, [{s}]",
            "movups {x1}, [{s} + 16]",
            "movups {x2}, [{s} + 32]",
            "movups {x3}, [{s} + 48]",
            "movaps [{e}], {x0}",
            "movaps [{e} + 16], {x1}",
            "movaps [{e} + 32], {x2}",
            "movaps [{e} + 48], {x3}",
            "cmp {e}, {lim}",
            "ja 2b",
            "3:",
            "movups [{d}], {h0}",
            "movups [{d} + 16], {h1}",
            "movups [{d} + 32], {h2}",
            "movups [{d} + 48], {h3}",
            "movups [{tl}], {t}",
            d = in(reg) dst,
            s = inout(reg) src => _,
            n = in(reg) n,
            e = out(reg) _,
            k = out(reg) _,
            tl = out(reg) _,
            lim = out(reg) _,
            h0 = out(xmm_reg) _,
            h1 = out(xmm_reg) _,
            h2 = out(xmm_reg) _,
            h3 = out(xmm_reg) _,
            t = out(xmm_reg) _,
            x0 = out(xmm_reg) _,
            x1 = out(xmm_reg) _,
            x2 = out(xmm_reg) _,
            x3 = out(xmm_reg) _,
            options(nostack)
        )
    }
}

/// Sets `n > 64` bytes to `b`, 64 per iteration: the first 16 and the last
/// 64 unaligned, then aligned blocks from the first 16-byte boundary above
/// `dst` while they end before the last 64.
///
/// # Safety
///
/// As for [`fill`], and `n > 64`.
#[inline(always)]
unsafe fn fill_blocks(dst: *mut u8, b: u8, n: usize) {
    // SAFETY: every store lies in `[0, n)` of the caller's range.
    unsafe {
        asm!(
            "movq {v}, {w}",
            "punpcklqdq {v}, {v}",
            "lea {e}, [{d} + {n} - 64]",
            "movups [{d}], {v}",
            "movups [{e}], {v}",
            "movups [{e} + 16], {v}",
            "movups [{e} + 32], {v}",
            "movups [{e} + 48], {v}",
            "add {d}, 16",
            "and {d}, -16",
            "cmp {d}, {e}",
            "jae 3f",
            "2:",
            "movaps [{d}], {v}",
            "movaps [{d} + 16], {v}",
            "movaps [{d} + 32], {v}",
            "movaps [{d} + 48], {v}",
            "add {d}, 64",
            "cmp {d}, {e}",
            "jb 2b",
            "3:",
            d = inout(reg) dst => _,
            n = in(reg) n,
            w = in(reg) splat(b),
            e = out(reg) _,
            v = out(xmm_reg) _,
            options(nostack)
        )
    }
}
