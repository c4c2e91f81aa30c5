//! Short lengths and comparisons with unaligned accesses, for the
//! architectures whose loads and stores run at full speed at any address
//! (x86_64, aarch64).
//!
//! A length up to 64 is covered by two or four accesses of the widest size
//! that fits twice: the first at the start, the last ending at the end,
//! overlapping in the middle. Every load comes before the first store, so
//! the same code serves `memmove` in both directions. It is straight-line
//! code of integer loads and stores, which LLVM does not turn into calls.
//!
//! Comparisons read a word from each side (volatile, so that the loop can
//! never become a `bcmp` call) until two differ, and then find the first
//! differing byte from their `xor`.

use super::splat;
use core::mem::MaybeUninit;
use core::ptr::read_volatile;

/// A `T` that may sit at any address: alignment 1. Reading or writing a
/// field of a packed struct through a raw pointer is an unaligned access,
/// a single instruction on these architectures.
#[repr(C, packed)]
struct Unaligned<T>(T);

/// Bytes that may be uninitialised (padding), moved as one unit.
type Bytes<T> = MaybeUninit<T>;

/// Reads a `T` at `p`, which may be unaligned.
///
/// # Safety
///
/// `p` must be valid for reading `size_of::<T>()` bytes, initialised if
/// `T` is an integer.
#[inline(always)]
unsafe fn load<T: Copy>(p: *const u8) -> T {
    // SAFETY: the caller's bytes; `Unaligned<T>` has alignment 1.
    unsafe { (*p.cast::<Unaligned<T>>()).0 }
}

/// Writes `v` at `p`, which may be unaligned.
///
/// # Safety
///
/// `p` must be valid for writing `size_of::<T>()` bytes.
#[inline(always)]
unsafe fn store<T: Copy>(p: *mut u8, v: T) {
    // SAFETY: the caller's bytes; `Unaligned<T>` has alignment 1.
    unsafe { (*p.cast::<Unaligned<T>>()).0 = v }
}

/// Copies `n` bytes, at most 64, from `src` to `dst`, which may overlap.
///
/// # Safety
///
/// `n <= 64`; `src` valid for reading and `dst` for writing `n` bytes.
#[inline(always)]
pub(crate) unsafe fn copy_short(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: each branch accesses `[0, w)`, `[n - w, n)` and, for four
    // accesses, `[w, 2w)` and `[n - 2w, n - w)`, with `2w <= n` (`w` the
    // width): inside both ranges. All loads precede the stores.
    unsafe {
        if n > 32 {
            let a: Bytes<u128> = load(src);
            let b: Bytes<u128> = load(src.add(16));
            let c: Bytes<u128> = load(src.add(n - 32));
            let d: Bytes<u128> = load(src.add(n - 16));
            store(dst, a);
            store(dst.add(16), b);
            store(dst.add(n - 32), c);
            store(dst.add(n - 16), d);
        } else if n >= 16 {
            let a: Bytes<u128> = load(src);
            let b: Bytes<u128> = load(src.add(n - 16));
            store(dst, a);
            store(dst.add(n - 16), b);
        } else if n >= 8 {
            let a: Bytes<u64> = load(src);
            let b: Bytes<u64> = load(src.add(n - 8));
            store(dst, a);
            store(dst.add(n - 8), b);
        } else if n >= 4 {
            let a: Bytes<u32> = load(src);
            let b: Bytes<u32> = load(src.add(n - 4));
            store(dst, a);
            store(dst.add(n - 4), b);
        } else if n >= 2 {
            let a: Bytes<u16> = load(src);
            let b: Bytes<u16> = load(src.add(n - 2));
            store(dst, a);
            store(dst.add(n - 2), b);
        } else if n == 1 {
            let a: Bytes<u8> = load(src);
            store(dst, a);
        }
    }
}

/// Sets `n` bytes, at most 64, at `dst` to `b`.
///
/// # Safety
///
/// `n <= 64`; `dst` valid for writing `n` bytes.
#[inline(always)]
pub(crate) unsafe fn fill_short(dst: *mut u8, b: u8, n: usize) {
    let w = splat(b);
    let q = u128::from(w) << 64 | u128::from(w);
    // SAFETY: as in `copy_short`, every store lies in `[0, n)`.
    unsafe {
        if n > 32 {
            store(dst, q);
            store(dst.add(16), q);
            store(dst.add(n - 32), q);
            store(dst.add(n - 16), q);
        } else if n >= 16 {
            store(dst, q);
            store(dst.add(n - 16), q);
        } else if n >= 8 {
            store(dst, w);
            store(dst.add(n - 8), w);
        } else if n >= 4 {
            store(dst, w as u32);
            store(dst.add(n - 4), w as u32);
        } else if n >= 2 {
            store(dst, w as u16);
            store(dst.add(n - 2), w as u16);
        } else if n == 1 {
            store(dst, b);
        }
    }
}

/// The eight bytes at `p`, as a little-endian word, read once (volatile).
///
/// # Safety
///
/// `p` must be valid for reading 8 initialised bytes.
#[inline(always)]
unsafe fn word(p: *const u8) -> u64 {
    // SAFETY: the caller's bytes; `Unaligned<u64>` has alignment 1.
    unsafe { read_volatile(p.cast::<Unaligned<u64>>()).0 }
}

/// `memcmp`'s answer for two words read little-endian from the same
/// offset: the difference of their first differing bytes in memory order,
/// as unsigned bytes, or 0 if they are equal. That byte holds the lowest
/// set bit of `x ^ y`.
pub(crate) fn byte_order(x: u64, y: u64) -> i32 {
    // A multiple of 8 below 64, or 64 (taken as 0) when they are equal.
    let shift = (x ^ y).trailing_zeros() & !7;
    i32::from(x.wrapping_shr(shift) as u8) - i32::from(y.wrapping_shr(shift) as u8)
}

/// `memcmp` of `n` bytes at `a` and `b`.
///
/// # Safety
///
/// `a` and `b` valid for reading `n` initialised bytes.
#[inline(always)]
pub(crate) unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: every access lies in `[0, n)`: words at `i` while `i + 8 <=
    // n` (two while `i + 16 <= n`), then the word ending at `n`, which
    // overlaps bytes found equal; shorter lengths as in `copy_short`.
    unsafe {
        if n >= 8 {
            let mut i = 0;
            while n - i >= 16 {
                let (x0, y0) = (word(a.add(i)), word(b.add(i)));
                let (x1, y1) = (word(a.add(i + 8)), word(b.add(i + 8)));
                if x0 != y0 {
                    return byte_order(x0, y0);
                }
                if x1 != y1 {
                    return byte_order(x1, y1);
                }
                i += 16;
            }
            if n - i > 8 {
                let (x, y) = (word(a.add(i)), word(b.add(i)));
                if x != y {
                    return byte_order(x, y);
                }
            }
            byte_order(word(a.add(n - 8)), word(b.add(n - 8)))
        } else if n >= 4 {
            let (x, y): (u32, u32) = (load(a), load(b));
            if x != y {
                return byte_order(x.into(), y.into());
            }
            let (x, y): (u32, u32) = (load(a.add(n - 4)), load(b.add(n - 4)));
            byte_order(x.into(), y.into())
        } else if n > 0 {
            // Bytes 0, n / 2 and n - 1: every byte, in order, for n <= 3.
            let byte = |i: usize| i32::from(load::<u8>(a.add(i))) - i32::from(load::<u8>(b.add(i)));
            match byte(0) {
                0 => match byte(n / 2) {
                    0 => byte(n - 1),
                    d => d,
                },
                d => d,
            }
        } else {
            0
        }
    }
}
