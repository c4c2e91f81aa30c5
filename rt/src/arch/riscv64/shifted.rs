//! Words put together from two aligned words with shifts, for a source
//! (or second operand) misaligned against an aligned destination (or
//! first operand). Inline assembly: the loads are of the whole aligned
//! words that hold the range's bytes, so the first and the last stick out
//! of it by up to 7 bytes, which Rust code may not read. Those bytes share
//! an aligned word, and so a page, with a byte of the range: the reads
//! cannot fault.
//!
//! On a little-endian machine the word at `p + o` (`p` aligned, `0 < o <
//! 8`) is `lo >> 8o | hi << (64 - 8o)`, where `lo` and `hi` are the aligned
//! words at `p` and `p + 8`.

use core::arch::asm;

/// Copies `words` words upwards from an address that is not 8-byte
/// aligned to one that is: each destination word is the upper bytes of
/// one aligned source word and the lower bytes of the next.
///
/// # Safety
///
/// As for [`super::copy_forward`], for `8 * words` bytes; `dst` is 8-byte
/// aligned and `src` is not.
#[inline(always)]
pub(super) unsafe fn copy_shifted(dst: *mut u8, src: *const u8, words: usize) {
    // SAFETY: the loads are of the aligned words that hold the source's
    // bytes (the first and last stick out, within their aligned word, so
    // within a mapped page); each destination word is stored after the
    // source word above it is loaded, which an overlapping source above
    // `dst` needs. The stores are the caller's aligned words.
    unsafe {
        asm!(
            "beqz {n}, 3f",
            // `r`: the source's offset in bits; `l`: 64 - r (mod 64, which
            // is what `sll` takes).
            "andi {r}, {s}, 7",
            "slli {r}, {r}, 3",
            "neg {l}, {r}",
            "andi {s}, {s}, -8",
            "ld {lo}, 0({s})",
            "2:",
            "ld {hi}, 8({s})",
            "srl {w}, {lo}, {r}",
            "sll {x}, {hi}, {l}",
            "or {w}, {w}, {x}",
            "sd {w}, 0({d})",
            "mv {lo}, {hi}",
            "addi {s}, {s}, 8",
            "addi {d}, {d}, 8",
            "addi {n}, {n}, -1",
            "bnez {n}, 2b",
            "3:",
            d = inout(reg) dst => _,
            s = inout(reg) src => _,
            n = inout(reg) words => _,
            r = out(reg) _,
            l = out(reg) _,
            lo = out(reg) _,
            hi = out(reg) _,
            w = out(reg) _,
            x = out(reg) _,
            options(nostack)
        )
    }
}

/// Copies the `words` words below `dst_end`, which is 8-byte aligned, from
/// those below `src_end`, which is not, downwards: the mirror image of
/// [`copy_shifted`].
///
/// # Safety
///
/// As for [`super::copy_backward`], for the `8 * words` bytes below each end;
/// `dst_end` is 8-byte aligned and `src_end` is not.
#[inline(always)]
pub(super) unsafe fn copy_shifted_back(dst_end: *mut u8, src_end: *const u8, words: usize) {
    // SAFETY: as for `copy_shifted`, with every destination word stored
    // after the source word below it is loaded, which an overlapping source
    // below the destination needs.
    unsafe {
        asm!(
            "beqz {n}, 3f",
            "andi {r}, {s}, 7",
            "slli {r}, {r}, 3",
            "neg {l}, {r}",
            "andi {s}, {s}, -8",
            "ld {hi}, 0({s})",
            "2:",
            "ld {lo}, -8({s})",
            "srl {w}, {lo}, {r}",
            "sll {x}, {hi}, {l}",
            "or {w}, {w}, {x}",
            "sd {w}, -8({d})",
            "mv {hi}, {lo}",
            "addi {s}, {s}, -8",
            "addi {d}, {d}, -8",
            "addi {n}, {n}, -1",
            "bnez {n}, 2b",
            "3:",
            d = inout(reg) dst_end => _,
            s = inout(reg) src_end => _,
            n = inout(reg) words => _,
            r = out(reg) _,
            l = out(reg) _,
            lo = out(reg) _,
            hi = out(reg) _,
            w = out(reg) _,
            x = out(reg) _,
            options(nostack)
        )
    }
}

/// The index of the first of `words` words at which `a`, 8-byte aligned,
/// and `b`, not aligned, differ, or `words`: `b`'s words put together from
/// aligned ones as in [`copy_shifted`].
///
/// # Safety
///
/// `a` and `b` valid for reading `8 * words` initialised bytes; `a` is
/// 8-byte aligned and `b` is not.
#[inline(always)]
pub(super) unsafe fn mismatch_shifted(a: *const u8, b: *const u8, words: usize) -> usize {
    let k: usize;
    // SAFETY: `a`'s loads are the caller's aligned words; `b`'s are the
    // aligned words that hold its bytes, sticking out within them as in
    // `copy_shifted`. Nothing is written.
    unsafe {
        asm!(
            "li {k}, 0",
            "beqz {n}, 3f",
            "andi {r}, {b}, 7",
            "slli {r}, {r}, 3",
            "neg {l}, {r}",
            "andi {b}, {b}, -8",
            "ld {lo}, 0({b})",
            "2:",
            "ld {hi}, 8({b})",
            "srl {w}, {lo}, {r}",
            "sll {x}, {hi}, {l}",
            "or {w}, {w}, {x}",
            "ld {x}, 0({a})",
            "bne {x}, {w}, 3f",
            "mv {lo}, {hi}",
            "addi {a}, {a}, 8",
            "addi {b}, {b}, 8",
            "addi {k}, {k}, 1",
            "bne {k}, {n}, 2b",
            "3:",
            a = inout(reg) a => _,
            b = inout(reg) b => _,
            n = in(reg) words,
            k = out(reg) k,
            r = out(reg) _,
            l = out(reg) _,
            lo = out(reg) _,
            hi = out(reg) _,
            w = out(reg) _,
            x = out(reg) _,
            options(nostack, readonly)
        )
    }
    k
}
