//! `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp` and `strlen`.
//!
//! No libc provides these, yet the compiler emits calls to them for struct
//! copies and slice operations. [`entry!`](macro@crate::entry) exports them under
//! their C names from the program's own crate, so they never clash with a
//! libc in host builds.
//!
//! The loops use volatile accesses. LLVM recognises plain copy and fill
//! loops and rewrites them as calls to `memcpy`/`memset`, which here would be
//! the function itself: infinite recursion. A volatile access can never be
//! merged into such a call, so that cannot happen whatever the optimiser
//! does. Copies move a machine word at a time when source and destination
//! are equally aligned; otherwise forward copies use the architecture's
//! `copy_misaligned` (unaligned words on x86_64, bytes on riscv64) and
//! backward ones a byte at a time.
//!
//! # Safety
//!
//! These functions have the C contracts: the ranges must be valid for the
//! given length, and only `memmove` allows them to overlap.

use core::mem::MaybeUninit;
use core::ptr::{read_volatile, write_volatile};

#[doc(hidden)]
pub mod check;
#[cfg(test)]
mod tests;

const WORD: usize = core::mem::size_of::<usize>();
/// Copies move possibly uninitialised bytes (padding, `MaybeUninit`
/// buffers), so they go through `MaybeUninit`, never through integers.
type Byte = MaybeUninit<u8>;
type Word = MaybeUninit<usize>;

/// Copies `n` bytes from `src` to `dst`, forwards.
///
/// # Safety
///
/// `src` must be valid for reading and `dst` for writing `n` bytes. If the
/// ranges overlap, `dst` must not be above `src`.
unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    // SAFETY: every access is at an offset below `n` of ranges the caller
    // guarantees; word accesses happen only when both addresses are aligned.
    unsafe {
        if (dst as usize) % WORD == (src as usize) % WORD {
            while i < n && !(dst as usize + i).is_multiple_of(WORD) {
                write_volatile(
                    dst.add(i).cast::<Byte>(),
                    read_volatile(src.add(i).cast::<Byte>()),
                );
                i += 1;
            }
            while n - i >= WORD {
                let w = read_volatile(src.add(i).cast::<Word>());
                write_volatile(dst.add(i).cast::<Word>(), w);
                i += WORD;
            }
        } else {
            // Misaligned against each other: the architecture's way (x86_64
            // moves unaligned words with `rep movsq`; riscv64 copies bytes).
            crate::arch::copy_misaligned(dst.add(i), src.add(i), n - i);
            i = n;
        }
        while i < n {
            write_volatile(
                dst.add(i).cast::<Byte>(),
                read_volatile(src.add(i).cast::<Byte>()),
            );
            i += 1;
        }
    }
}

/// Copies `n` bytes from `src` to `dst`, backwards (for overlapping moves
/// to a higher address).
///
/// # Safety
///
/// `src` must be valid for reading and `dst` for writing `n` bytes. If the
/// ranges overlap, `dst` must not be below `src`.
unsafe fn copy_backward(dst: *mut u8, src: *const u8, n: usize) {
    let mut i = n;
    // SAFETY: every access is at an offset below `n` of ranges the caller
    // guarantees; word accesses happen only when both addresses are aligned.
    unsafe {
        if (dst as usize) % WORD == (src as usize) % WORD {
            while i > 0 && !(dst as usize + i).is_multiple_of(WORD) {
                i -= 1;
                write_volatile(
                    dst.add(i).cast::<Byte>(),
                    read_volatile(src.add(i).cast::<Byte>()),
                );
            }
            while i >= WORD {
                i -= WORD;
                let w = read_volatile(src.add(i).cast::<Word>());
                write_volatile(dst.add(i).cast::<Word>(), w);
            }
        }
        while i > 0 {
            i -= 1;
            write_volatile(
                dst.add(i).cast::<Byte>(),
                read_volatile(src.add(i).cast::<Byte>()),
            );
        }
    }
}

/// C `memcpy`.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes; no overlap.
pub unsafe fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded contract; non-overlapping ranges satisfy it.
    unsafe { copy_forward(dst, src, n) };
    dst
}

/// C `memmove`.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes; may overlap.
pub unsafe fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded contract; the direction is chosen so that every
    // byte is read before it is overwritten.
    unsafe {
        if (dst as usize).wrapping_sub(src as usize) >= n {
            copy_forward(dst, src, n);
        } else {
            copy_backward(dst, src, n);
        }
    }
    dst
}

/// C `memset`.
///
/// # Safety
///
/// `dst` valid for writing `n` bytes.
pub unsafe fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    let b = c as u8;
    // `b` repeated in every byte. (Not `[b; WORD]`: an unoptimised build
    // fills that array with a call to `memset`, which is this function.)
    let word = usize::from(b).wrapping_mul(usize::MAX / 0xff);
    let mut i = 0;
    // SAFETY: every write is at an offset below `n`; word writes are aligned.
    unsafe {
        while i < n && !(dst as usize + i).is_multiple_of(WORD) {
            write_volatile(dst.add(i), b);
            i += 1;
        }
        while n - i >= WORD {
            write_volatile(dst.add(i).cast::<usize>(), word);
            i += WORD;
        }
        while i < n {
            write_volatile(dst.add(i), b);
            i += 1;
        }
    }
    dst
}

/// C `memcmp`: the sign of the first differing byte, as unsigned bytes.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` bytes.
pub unsafe fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: `i < n`, inside both ranges.
        let (x, y) = unsafe { (read_volatile(a.add(i)), read_volatile(b.add(i))) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
    }
    0
}

/// C `bcmp`: zero when equal, non-zero otherwise.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` bytes.
pub unsafe fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { memcmp(a, b, n) }
}

/// C `strlen`: the number of bytes before the first NUL.
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
