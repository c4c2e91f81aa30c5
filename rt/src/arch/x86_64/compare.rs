//! x86_64's `memcmp`: 64 bytes per step with SSE2 while equal, then 32 at
//! a time to find the first difference from a byte mask (`pcmpeqb`,
//! `pmovmskb`); unaligned words below 32 bytes.

use super::features::avx2;
use crate::mem::unaligned::compare as compare_words;
use core::arch::x86_64::{
    __m128i, __m256i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8,
    _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
};

/// `memcmp` of `n` bytes at `a` and `b`.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` initialised bytes.
#[inline(always)]
pub(crate) unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    if n < 32 {
        // SAFETY: forwarded contract.
        return unsafe { compare_words(a, b, n) };
    }
    // SAFETY: every block read lies in `[0, n)`: blocks at `i` while they
    // end by `n`, then the 32 bytes ending at `n`, which overlap bytes
    // already found equal (`n >= 32`).
    unsafe {
        let mut i = 0;
        // 64 bytes per step while they are equal (two instructions a step
        // with AVX2); the step that differs is looked at 32 bytes at a time
        // below.
        if n >= 256 && avx2() {
            i = equal_prefix_avx2(a, b, n);
        }
        while n - i >= 64 && equal64(a.add(i), b.add(i)) {
            i += 64;
        }
        while n - i >= 32 {
            let diff = differ32(a.add(i), b.add(i));
            if diff != 0 {
                return first_difference(a, b, i + diff.trailing_zeros() as usize);
            }
            i += 32;
        }
        if i < n {
            let at = n - 32;
            let diff = differ32(a.add(at), b.add(at));
            if diff != 0 {
                return first_difference(a, b, at + diff.trailing_zeros() as usize);
            }
        }
        0
    }
}

/// `pcmpeqb` of the 16 bytes at offset `o` of `a` and `b`.
///
/// # Safety
///
/// `a` and `b` valid for reading 16 bytes at `o`.
#[inline(always)]
unsafe fn eq16(a: *const u8, b: *const u8, o: usize) -> __m128i {
    // SAFETY: SSE2 is part of the x86_64 baseline; unaligned loads of the
    // caller's bytes.
    unsafe {
        let x = _mm_loadu_si128(a.add(o).cast::<__m128i>());
        let y = _mm_loadu_si128(b.add(o).cast::<__m128i>());
        _mm_cmpeq_epi8(x, y)
    }
}

/// Whether the 64 bytes at `a` and `b` are equal.
///
/// # Safety
///
/// `a` and `b` valid for reading 64 bytes.
#[inline(always)]
unsafe fn equal64(a: *const u8, b: *const u8) -> bool {
    // SAFETY: the caller's 64 bytes; SSE2 is baseline.
    unsafe {
        let low = _mm_and_si128(eq16(a, b, 0), eq16(a, b, 16));
        let high = _mm_and_si128(eq16(a, b, 32), eq16(a, b, 48));
        _mm_movemask_epi8(_mm_and_si128(low, high)) == 0xffff
    }
}

/// How many leading 64-byte steps of `a` and `b` (`n` bytes) are equal,
/// in bytes, found with AVX2.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` bytes; the CPU has AVX2 ([`avx2`]).
#[target_feature(enable = "avx2")]
unsafe fn equal_prefix_avx2(a: *const u8, b: *const u8, n: usize) -> usize {
    let mut i = 0;
    // SAFETY: each step reads `[i, i + 64)` with `i + 64 <= n`; AVX2 is
    // there, per the caller.
    unsafe {
        while n - i >= 64 {
            let eq = |o: usize| {
                let x = _mm256_loadu_si256(a.add(i + o).cast::<__m256i>());
                let y = _mm256_loadu_si256(b.add(i + o).cast::<__m256i>());
                _mm256_cmpeq_epi8(x, y)
            };
            if _mm256_movemask_epi8(_mm256_and_si256(eq(0), eq(32))) != -1 {
                break;
            }
            i += 64;
        }
    }
    i
}

/// A bit per byte of the 32 at `a` and `b`, set where they differ.
///
/// # Safety
///
/// `a` and `b` valid for reading 32 bytes.
#[inline(always)]
unsafe fn differ32(a: *const u8, b: *const u8) -> u32 {
    // SAFETY: the caller's 32 bytes; SSE2 is baseline.
    unsafe {
        let low = _mm_movemask_epi8(eq16(a, b, 0)) as u32 & 0xffff;
        let high = _mm_movemask_epi8(eq16(a, b, 16)) as u32 & 0xffff;
        !(low | (high << 16))
    }
}

/// `memcmp`'s answer at offset `i`, the first where the bytes differ.
///
/// # Safety
///
/// `a` and `b` valid for reading the byte at `i`.
#[inline(always)]
unsafe fn first_difference(a: *const u8, b: *const u8, i: usize) -> i32 {
    // SAFETY: per the caller.
    unsafe { i32::from(*a.add(i)) - i32::from(*b.add(i)) }
}
