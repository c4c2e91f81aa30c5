//! `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp` and `strlen`.
//!
//! No libc provides these, yet the compiler emits calls to them for struct
//! copies, slice operations and comparisons. [`entry!`](macro@crate::entry)
//! exports them under their C names from the program's own crate, so they
//! never clash with a libc in host builds.
//!
//! This module chooses the direction of a `memmove`; each architecture's
//! half (`arch/<arch>/mem.rs`, as `arch::mem`) does the rest.
//!
//! # What each architecture does
//!
//! - **x86_64.** Up to 64 bytes, two or four unaligned loads of the widest
//!   size that fits twice, the first at the start and the last ending at the
//!   end (they overlap in the middle: 5 bytes are the 4 at 0 and the 4 at
//!   1), then the stores (`mem/unaligned.rs`). Longer copies and fills move 64
//!   bytes per iteration with SSE2 to a 16-byte aligned destination, with
//!   the first 16 and the last 64 bytes loaded before the loop and stored
//!   after it. From 2 KiB on, a forward copy between ranges that do not
//!   overlap is one `rep movsb`, and from 1.5 KiB on a fill is one `rep
//!   stosb`: with ERMS and FSRM the microcode moves whole cache lines (the
//!   thresholds are measured, see `arch/x86_64/mem.rs`). A backward copy
//!   never uses `rep movsb`: with the direction flag set it runs a byte at
//!   a time. (SSE2 is all an x86_64 target may assume; AVX would need
//!   detecting at run time.)
//! - **aarch64.** The same short paths; longer copies and fills move 64
//!   bytes per iteration with `ldp`/`stp` of q registers, to a 16-byte
//!   aligned destination.
//! - **riscv64.** A misaligned load or store may trap to the kernel and be
//!   emulated, hundreds of times slower, so every access is aligned: bytes
//!   until the destination is aligned, then words, four per iteration, when
//!   the source is aligned too; otherwise each destination word is put
//!   together from two aligned source words with shifts. Bytes finish the
//!   job, and do all of it below 16 bytes.
//! - **Comparisons**, everywhere, go a word at a time (unaligned words on
//!   x86_64 and aarch64, two per iteration; aligned or shifted words on
//!   riscv64) and look at bytes only in the first word that differs: as
//!   unsigned bytes, the first in memory decides. All three are
//!   little-endian, so that byte is the lowest set byte of the two words'
//!   `xor`.
//!
//! # Why none of them calls itself
//!
//! LLVM recognises loops that copy, fill or compare memory and replaces
//! them with calls to `memcpy`, `memset` or `bcmp`, which here would be the
//! function itself: infinite recursion. So every loop is inline assembly or
//! uses volatile accesses, which LLVM never merges into such a call.
//! Straight-line code (the short paths) uses plain loads and stores of
//! integers, which it does not turn into calls either. The suite's
//! `mem_functions_never_call_themselves` checks the disassembly of debug
//! and release builds on every architecture.
//!
//! Copies move possibly uninitialised bytes (padding, `MaybeUninit`
//! buffers), so outside inline assembly they go through `MaybeUninit`
//! types, never through integers.
//!
//! # Safety
//!
//! These functions have the C contracts: the ranges must be valid for the
//! given length (at length 0 they touch no memory), and only `memmove`
//! allows them to overlap. [`strlen`] needs a NUL-terminated string.

use crate::arch::mem as imp;
use core::ptr::read_volatile;

#[doc(hidden)]
pub mod check;
#[cfg(test)]
mod tests;
// The short paths and word comparison of the architectures whose loads
// and stores may be unaligned.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) mod unaligned;

/// C `memcpy`.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes; no overlap.
pub unsafe fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded contract; ranges that do not overlap may be copied
    // in either direction.
    unsafe { imp::copy_forward(dst, src, n) };
    dst
}

/// C `memmove`.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes; may overlap.
pub unsafe fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded contract. `dst - src` (wrapping) is at least `n`
    // when `dst` is below `src` or past the end of the source: copying
    // forwards then reads every byte before it is overwritten. Otherwise
    // `dst` is inside the source, above `src`, and a backward copy does.
    unsafe {
        if (dst as usize).wrapping_sub(src as usize) >= n {
            imp::copy_forward(dst, src, n);
        } else {
            imp::copy_backward(dst, src, n);
        }
    }
    dst
}

/// C `memset`: `n` bytes at `dst` set to `c` converted to `u8`.
///
/// # Safety
///
/// `dst` valid for writing `n` bytes.
pub unsafe fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: forwarded contract.
    unsafe { imp::fill(dst, c as u8, n) };
    dst
}

/// C `memcmp`: the sign of the first differing byte, as unsigned bytes.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` bytes.
pub unsafe fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { imp::compare(a, b, n) }
}

/// C `bcmp`: zero when equal, non-zero otherwise. The same comparison as
/// [`memcmp`]: finding the byte that decides costs a few instructions,
/// once.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` bytes.
pub unsafe fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { imp::compare(a, b, n) }
}

/// C `strlen`: the number of bytes before the first NUL, a byte at a time
/// (reading a word at a time could cross into an unmapped page past the
/// string).
///
/// # Safety
///
/// `s` must point at a NUL-terminated string.
pub unsafe fn strlen(s: *const u8) -> usize {
    let mut n = 0;
    // SAFETY: the string is NUL-terminated, so every byte up to and
    // including the NUL is readable.
    while unsafe { read_volatile(s.add(n)) } != 0 {
        n += 1;
    }
    n
}

/// `b` in every byte of a word. (Not `[b; 8]`: an unoptimised build fills
/// that array with a call to `memset`, which is what is being written.)
pub(crate) fn splat(b: u8) -> u64 {
    u64::from(b).wrapping_mul(0x0101_0101_0101_0101)
}
