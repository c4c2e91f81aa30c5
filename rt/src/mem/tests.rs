//! Host tests of the mem functions: the shared checks against a byte-wise
//! reference ([`check`]), run on this module's functions, and a check
//! that those checks catch broken functions.

extern crate std;
use super::check::{self, Check, Functions};
use super::*;
use std::vec;
use std::vec::Vec;

unsafe extern "C" fn c_memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract is `memcpy`'s.
    unsafe { memcpy(d, s, n) }
}
unsafe extern "C" fn c_memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract is `memmove`'s.
    unsafe { memmove(d, s, n) }
}
unsafe extern "C" fn c_memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract is `memset`'s.
    unsafe { memset(d, c, n) }
}
unsafe extern "C" fn c_memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's contract is `memcmp`'s.
    unsafe { memcmp(a, b, n) }
}
unsafe extern "C" fn c_bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's contract is `bcmp`'s.
    unsafe { bcmp(a, b, n) }
}

/// This module's functions, with the signatures `entry!` exports them with.
const RUNTIME: Functions = Functions {
    memcpy: c_memcpy,
    memmove: c_memmove,
    memset: c_memset,
    memcmp: c_memcmp,
    bcmp: c_bcmp,
};

fn workspace() -> Vec<u8> {
    vec![0; check::WORKSPACE]
}

/// Runs a check, printing how many calls it made (`--nocapture`).
fn run(name: &str, f: Check) -> usize {
    let calls = f(&RUNTIME, &mut workspace()).unwrap_or_else(|e| panic!("{e}"));
    std::eprintln!("{name}: {calls} calls");
    calls
}

#[test]
fn memcpy_and_memmove_between_separate_ranges() {
    let lengths = check::SHORT + 1;
    assert_eq!(
        run("disjoint", check::disjoint),
        2 * lengths * check::OFFSETS * check::OFFSETS
    );
}

#[test]
fn memmove_at_every_overlap() {
    assert!(run("overlapping", check::overlapping) > 100_000);
}

#[test]
fn memset_at_every_offset() {
    assert_eq!(
        run("fills", check::fills),
        (check::SHORT + 1) * check::OFFSETS
    );
}

#[test]
fn memcmp_and_bcmp_at_every_alignment() {
    assert!(run("compares", check::compares) > 1_000_000);
}

#[test]
fn long_lengths() {
    assert!(run("long", check::long) > 500);
}

#[test]
fn strlen_counts_to_the_nul() {
    // SAFETY: NUL-terminated strings.
    unsafe {
        assert_eq!(strlen(c"abc".as_ptr().cast()), 3);
        assert_eq!(strlen(c"".as_ptr().cast()), 0);
    }
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
#[test]
fn byte_order_is_that_of_the_first_differing_byte() {
    use super::unaligned::byte_order;
    let w = u64::from_le_bytes;
    assert_eq!(byte_order(w(*b"abcdefgh"), w(*b"abcdefgh")), 0);
    assert!(byte_order(w(*b"abcxefgh"), w(*b"abcdefgz")) > 0);
    assert!(byte_order(w(*b"\x7f\xff\0\0\0\0\0\0"), w(*b"\x80\0\0\0\0\0\0\0")) < 0);
    assert!(byte_order(w([0, 0, 0, 0, 0, 0, 0, 0x80]), w([0; 8])) > 0);
}

// Broken functions, each wrong in a way an implementation could be; the
// checks must say so.

/// Forgets the last byte of lengths 8k + 7.
unsafe extern "C" fn short_memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    let n = if n % 8 == 7 { n - 1 } else { n };
    // SAFETY: a shorter copy than the caller allows.
    unsafe { core::ptr::copy_nonoverlapping(s, d, n) };
    d
}

/// Always copies forwards, a byte at a time.
unsafe extern "C" fn forward_memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: inside the caller's ranges.
        unsafe { d.add(i).write_volatile(s.add(i).read_volatile()) };
    }
    d
}

/// Writes one byte too many when the length is 37.
unsafe extern "C" fn long_memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
    let n = if n == 37 { n + 1 } else { n };
    // SAFETY: the checks leave guard bytes after every range, so this
    // stays in the workspace.
    unsafe { core::ptr::write_bytes(d, c as u8, n) };
    d
}

/// Compares signed bytes.
unsafe extern "C" fn signed_memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: inside the caller's ranges.
        let (x, y) = unsafe { (*a.add(i) as i8, *b.add(i) as i8) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
    }
    0
}

/// Compares whole words as little-endian integers.
unsafe extern "C" fn integer_memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: inside the caller's ranges.
        let (x, y) = unsafe {
            (
                a.add(i).cast::<u64>().read_unaligned(),
                b.add(i).cast::<u64>().read_unaligned(),
            )
        };
        if x != y {
            return if x < y { -1 } else { 1 };
        }
        i += 8;
    }
    // SAFETY: the rest of the caller's ranges.
    unsafe { memcmp(a.add(i), b.add(i), n - i) }
}

/// Misses a difference in the last byte.
unsafe extern "C" fn blind_bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: a shorter comparison than the caller allows.
    unsafe { bcmp(a, b, n.saturating_sub(1)) }
}

#[test]
fn the_checks_catch_broken_functions() {
    let mut ws = workspace();
    let cases: [(&str, Functions, Check); 6] = [
        (
            "memcpy",
            Functions {
                memcpy: short_memcpy,
                ..RUNTIME
            },
            check::disjoint,
        ),
        (
            "memmove",
            Functions {
                memmove: forward_memmove,
                ..RUNTIME
            },
            check::overlapping,
        ),
        (
            "memset",
            Functions {
                memset: long_memset,
                ..RUNTIME
            },
            check::fills,
        ),
        (
            "memcmp",
            Functions {
                memcmp: signed_memcmp,
                ..RUNTIME
            },
            check::compares,
        ),
        (
            "memcmp",
            Functions {
                memcmp: integer_memcmp,
                ..RUNTIME
            },
            check::compares,
        ),
        (
            "bcmp",
            Functions {
                bcmp: blind_bcmp,
                ..RUNTIME
            },
            check::compares,
        ),
    ];
    for (name, functions, check) in cases {
        match check(&functions, &mut ws) {
            Ok(_) => panic!("a broken {name} passed"),
            Err(e) => {
                std::eprintln!("as expected: {e}");
                assert_eq!(e.function, name);
            }
        }
    }
}
