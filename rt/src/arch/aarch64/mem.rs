//! aarch64's half of [`crate::mem`]: short lengths by overlapping
//! unaligned accesses (Linux maps normal memory, where aarch64 allows
//! them), and loops of 64 bytes with `ldp`/`stp` of q registers.

use crate::mem::unaligned::{compare as compare_words, copy_short, fill_short};
use core::arch::asm;

/// Copies `n` bytes from `src` to `dst`, lowest first.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes; if the ranges
/// overlap, `dst` is not above `src`.
#[inline(always)]
pub(crate) unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: forwarded contract.
    unsafe {
        if n <= 64 {
            copy_short(dst, src, n);
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
    // SAFETY: forwarded contract; the short path loads everything first.
    unsafe {
        if n <= 64 {
            copy_short(dst, src, n);
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
        } else {
            fill_blocks(dst, b, n);
        }
    }
}

/// `memcmp` of `n` bytes at `a` and `b`: unaligned words, two at a time.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` initialised bytes.
#[inline(always)]
pub(crate) unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { compare_words(a, b, n) }
}

/// Copies `n > 64` bytes upwards, 64 per iteration. The first 16 and the
/// last 64 bytes are loaded before anything is stored and stored last;
/// between them the destination goes from its first 16-byte boundary past
/// `dst`. Each iteration loads its block before storing it, above the
/// stores so far, so a destination below an overlapping source is fine.
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
            "ldr {h:q}, [{s}]",
            "add {e}, {s}, {n}",
            "ldp {t0:q}, {t1:q}, [{e}, #-64]",
            "ldp {t2:q}, {t3:q}, [{e}, #-32]",
            // `e`: where the tail goes; `o`: where the head goes.
            "add {e}, {d}, {n}",
            "sub {e}, {e}, #64",
            "mov {o}, {d}",
            // The first 16-byte boundary above `o`, and the source as far.
            "add {d}, {d}, #16",
            "and {d}, {d}, #-16",
            "add {s}, {s}, {d}",
            "sub {s}, {s}, {o}",
            "cmp {d}, {e}",
            "b.hs 3f",
            "2:",
            "ldp {x0:q}, {x1:q}, [{s}]",
            "ldp {x2:q}, {x3:q}, [{s}, #32]",
            "add {s}, {s}, #64",
            "stp {x0:q}, {x1:q}, [{d}]",
            "stp {x2:q}, {x3:q}, [{d}, #32]",
            "add {d}, {d}, #64",
            "cmp {d}, {e}",
            "b.lo 2b",
            "3:",
            "stp {t0:q}, {t1:q}, [{e}]",
            "stp {t2:q}, {t3:q}, [{e}, #32]",
            "str {h:q}, [{o}]",
            d = inout(reg) dst => _,
            s = inout(reg) src => _,
            n = in(reg) n,
            e = out(reg) _,
            o = out(reg) _,
            h = out(vreg) _,
            t0 = out(vreg) _,
            t1 = out(vreg) _,
            t2 = out(vreg) _,
            t3 = out(vreg) _,
            x0 = out(vreg) _,
            x1 = out(vreg) _,
            x2 = out(vreg) _,
            x3 = out(vreg) _,
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
    // loop blocks from the boundary down while they end above the head's
    // end.
    unsafe {
        asm!(
            "ldp {h0:q}, {h1:q}, [{s}]",
            "ldp {h2:q}, {h3:q}, [{s}, #32]",
            // `s` and `e`: the ends of the source and destination.
            "add {s}, {s}, {n}",
            "add {e}, {d}, {n}",
            "ldr {t:q}, [{s}, #-16]",
            // `lim`: where the head ends.
            "add {lim}, {d}, #64",
            // Both ends moved down to the destination's last 16-byte
            // boundary.
            "and {k}, {e}, #15",
            "sub {e}, {e}, {k}",
            "sub {s}, {s}, {k}",
            "cmp {e}, {lim}",
            "b.ls 3f",
            "2:",
            "ldp {x0:q}, {x1:q}, [{s}, #-64]",
            "ldp {x2:q}, {x3:q}, [{s}, #-32]",
            "sub {s}, {s}, #64",
            "stp {x0:q}, {x1:q}, [{e}, #-64]",
            "stp {x2:q}, {x3:q}, [{e}, #-32]",
            "sub {e}, {e}, #64",
            "cmp {e}, {lim}",
            "b.hi 2b",
            "3:",
            "stp {h0:q}, {h1:q}, [{d}]",
            "stp {h2:q}, {h3:q}, [{d}, #32]",
            "add {e}, {d}, {n}",
            "str {t:q}, [{e}, #-16]",
            d = in(reg) dst,
            s = inout(reg) src => _,
            n = in(reg) n,
            e = out(reg) _,
            k = out(reg) _,
            lim = out(reg) _,
            h0 = out(vreg) _,
            h1 = out(vreg) _,
            h2 = out(vreg) _,
            h3 = out(vreg) _,
            t = out(vreg) _,
            x0 = out(vreg) _,
            x1 = out(vreg) _,
            x2 = out(vreg) _,
            x3 = out(vreg) _,
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
            "dup {v:v}.16b, {b:w}",
            "add {e}, {d}, {n}",
            "sub {e}, {e}, #64",
            "str {v:q}, [{d}]",
            "stp {v:q}, {v:q}, [{e}]",
            "stp {v:q}, {v:q}, [{e}, #32]",
            "add {d}, {d}, #16",
            "and {d}, {d}, #-16",
            "cmp {d}, {e}",
            "b.hs 3f",
            "2:",
            "stp {v:q}, {v:q}, [{d}]",
            "stp {v:q}, {v:q}, [{d}, #32]",
            "add {d}, {d}, #64",
            "cmp {d}, {e}",
            "b.lo 2b",
            "3:",
            d = inout(reg) dst => _,
            n = in(reg) n,
            b = in(reg) u32::from(b),
            e = out(reg) _,
            v = out(vreg) _,
            options(nostack)
        )
    }
}
