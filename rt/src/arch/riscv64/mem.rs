//! riscv64's half of [`crate::mem`]: aligned accesses only.
//!
//! The base ISA lets a misaligned load or store trap, and Linux then
//! emulates it a byte at a time (or the hart does it slowly in hardware):
//! hundreds of cycles where an aligned access takes one. So bytes go until
//! the destination (for comparisons, the first operand) is aligned, then
//! words: four per iteration when the other side is aligned too, or each
//! one put together with shifts from two aligned words of the other side.
//! Bytes finish, and do everything below `BYTES_BELOW` bytes.
//!
//! The aligned loops use volatile accesses; the shifting loops
//! (`shifted.rs`) are inline assembly.

mod shifted;

use crate::mem::splat;
use core::mem::MaybeUninit;
use core::ptr::{read_volatile, write_volatile};
use shifted::{copy_shifted, copy_shifted_back, mismatch_shifted};

const WORD: usize = 8;

/// Below this many bytes, bytes one at a time: aligning first would cost
/// more than it saves.
const BYTES_BELOW: usize = 16;

/// A byte or a word that may be uninitialised (padding).
type Byte = MaybeUninit<u8>;
type Word = MaybeUninit<u64>;

/// Copies `n` bytes from `src` to `dst`, lowest first.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes; if the ranges
/// overlap, `dst` is not above `src`.
#[inline(always)]
pub(crate) unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    // SAFETY: `i` bytes then `words` words then the rest, all inside
    // `[0, n)`, each part copied lowest first as the caller's overlap
    // needs; word accesses to `dst + i` are aligned.
    unsafe {
        if n >= BYTES_BELOW {
            i = (dst as usize).wrapping_neg() % WORD;
            copy_bytes(dst, src, i);
            let words = (n - i) / WORD;
            if (src as usize + i).is_multiple_of(WORD) {
                copy_aligned(dst.add(i), src.add(i), words);
            } else {
                copy_shifted(dst.add(i), src.add(i), words);
            }
            i += words * WORD;
        }
        copy_bytes(dst.add(i), src.add(i), n - i);
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
    let mut i = n;
    // SAFETY: the mirror image of `copy_forward`: the last bytes until
    // `dst + i` is aligned, then words below it, then the first bytes,
    // each part highest first.
    unsafe {
        if n >= BYTES_BELOW {
            let tail = (dst as usize + n) % WORD;
            i = n - tail;
            copy_bytes_back(dst.add(i), src.add(i), tail);
            let words = i / WORD;
            if (src as usize + i).is_multiple_of(WORD) {
                copy_aligned_back(dst.add(i), src.add(i), words);
            } else {
                copy_shifted_back(dst.add(i), src.add(i), words);
            }
            i -= words * WORD;
        }
        copy_bytes_back(dst, src, i);
    }
}

/// Sets `n` bytes at `dst` to `b`.
///
/// # Safety
///
/// `dst` valid for writing `n` bytes.
#[inline(always)]
pub(crate) unsafe fn fill(dst: *mut u8, b: u8, n: usize) {
    let mut i = 0;
    // SAFETY: bytes until `dst + i` is aligned, aligned words, bytes: all
    // inside `[0, n)`.
    unsafe {
        if n >= BYTES_BELOW {
            i = (dst as usize).wrapping_neg() % WORD;
            fill_bytes(dst, b, i);
            let words = (n - i) / WORD;
            let (d, w) = (dst.add(i).cast::<u64>(), splat(b));
            let mut k = 0;
            while words - k >= 4 {
                write_volatile(d.add(k), w);
                write_volatile(d.add(k + 1), w);
                write_volatile(d.add(k + 2), w);
                write_volatile(d.add(k + 3), w);
                k += 4;
            }
            while k < words {
                write_volatile(d.add(k), w);
                k += 1;
            }
            i += words * WORD;
        }
        fill_bytes(dst.add(i), b, n - i);
    }
}

/// `memcmp` of `n` bytes at `a` and `b`.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` initialised bytes.
#[inline(always)]
pub(crate) unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    // SAFETY: bytes until `a + i` is aligned, then words (aligned at `a`),
    // then bytes, all inside `[0, n)`; the first differing word is looked
    // at again as bytes, which finds the byte that decides.
    unsafe {
        if n >= BYTES_BELOW {
            i = (a as usize).wrapping_neg() % WORD;
            let d = compare_bytes(a, b, i);
            if d != 0 {
                return d;
            }
            let words = (n - i) / WORD;
            let (a, b) = (a.add(i), b.add(i));
            let k = if (b as usize).is_multiple_of(WORD) {
                mismatch_aligned(a, b, words)
            } else {
                mismatch_shifted(a, b, words)
            };
            if k < words {
                return compare_bytes(a.add(k * WORD), b.add(k * WORD), WORD);
            }
            i += words * WORD;
        }
        compare_bytes(a.add(i), b.add(i), n - i)
    }
}

/// Copies `n` bytes upwards, one at a time.
///
/// # Safety
///
/// As for [`copy_forward`].
#[inline(always)]
unsafe fn copy_bytes(dst: *mut u8, src: *const u8, n: usize) {
    let (d, s) = (dst.cast::<Byte>(), src.cast::<Byte>());
    for i in 0..n {
        // SAFETY: `i < n`, inside both ranges.
        unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
    }
}

/// Copies `n` bytes downwards, one at a time.
///
/// # Safety
///
/// As for [`copy_backward`].
#[inline(always)]
unsafe fn copy_bytes_back(dst: *mut u8, src: *const u8, n: usize) {
    let (d, s) = (dst.cast::<Byte>(), src.cast::<Byte>());
    for i in (0..n).rev() {
        // SAFETY: `i < n`, inside both ranges.
        unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
    }
}

/// Sets `n` bytes to `b`, one at a time.
///
/// # Safety
///
/// `dst` valid for writing `n` bytes.
#[inline(always)]
unsafe fn fill_bytes(dst: *mut u8, b: u8, n: usize) {
    for i in 0..n {
        // SAFETY: `i < n`, inside the range.
        unsafe { write_volatile(dst.add(i), b) };
    }
}

/// `memcmp` of `n` bytes, one at a time.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` initialised bytes.
#[inline(always)]
unsafe fn compare_bytes(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: `i < n`, inside both ranges.
        let (x, y) = unsafe { (read_volatile(a.add(i)), read_volatile(b.add(i))) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
    }
    0
}

/// Copies `words` words upwards, four per iteration.
///
/// # Safety
///
/// As for [`copy_forward`], for `8 * words` bytes, with `dst` and `src`
/// 8-byte aligned.
#[inline(always)]
unsafe fn copy_aligned(dst: *mut u8, src: *const u8, words: usize) {
    let (d, s) = (dst.cast::<Word>(), src.cast::<Word>());
    let mut k = 0;
    // SAFETY: `k + 3 < words` (or `k < words`): aligned words inside both
    // ranges, each block loaded before it is stored.
    unsafe {
        while words - k >= 4 {
            let w0 = read_volatile(s.add(k));
            let w1 = read_volatile(s.add(k + 1));
            let w2 = read_volatile(s.add(k + 2));
            let w3 = read_volatile(s.add(k + 3));
            write_volatile(d.add(k), w0);
            write_volatile(d.add(k + 1), w1);
            write_volatile(d.add(k + 2), w2);
            write_volatile(d.add(k + 3), w3);
            k += 4;
        }
        while k < words {
            write_volatile(d.add(k), read_volatile(s.add(k)));
            k += 1;
        }
    }
}

/// Copies the `words` words below `dst_end` from those below `src_end`,
/// downwards, four per iteration.
///
/// # Safety
///
/// As for [`copy_backward`], for the `8 * words` bytes below each end,
/// with both ends 8-byte aligned.
#[inline(always)]
unsafe fn copy_aligned_back(dst_end: *mut u8, src_end: *const u8, words: usize) {
    let (d, s) = (dst_end.cast::<Word>(), src_end.cast::<Word>());
    // The words done, counted down from the ends.
    let mut j = 0;
    // SAFETY: `j + 4 <= words` (or `j < words`): aligned words inside both
    // ranges, each block loaded before it is stored.
    unsafe {
        while words - j >= 4 {
            let w0 = read_volatile(s.sub(j + 1));
            let w1 = read_volatile(s.sub(j + 2));
            let w2 = read_volatile(s.sub(j + 3));
            let w3 = read_volatile(s.sub(j + 4));
            write_volatile(d.sub(j + 1), w0);
            write_volatile(d.sub(j + 2), w1);
            write_volatile(d.sub(j + 3), w2);
            write_volatile(d.sub(j + 4), w3);
            j += 4;
        }
        while j < words {
            write_volatile(d.sub(j + 1), read_volatile(s.sub(j + 1)));
            j += 1;
        }
    }
}

/// The index of the first of `words` aligned words at which `a` and `b`
/// differ, or `words`.
///
/// # Safety
///
/// `a` and `b` 8-byte aligned and valid for reading `8 * words`
/// initialised bytes.
#[inline(always)]
unsafe fn mismatch_aligned(a: *const u8, b: *const u8, words: usize) -> usize {
    let (a, b) = (a.cast::<u64>(), b.cast::<u64>());
    let mut k = 0;
    // SAFETY: `k < words`: aligned words inside both ranges.
    while k < words && unsafe { read_volatile(a.add(k)) == read_volatile(b.add(k)) } {
        k += 1;
    }
    k
}
