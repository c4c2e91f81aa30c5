//! Unit tests of the pieces that need no image.

extern crate std;

use std::string::ToString;

use crate::{Error, Machine, gnu_hash, sysv_hash};

#[test]
fn gnu_hash_known_values() {
    assert_eq!(gnu_hash(b""), 5381);
    assert_eq!(gnu_hash(b"a"), 0x0002_b606);
    assert_eq!(gnu_hash(b"printf"), 0x156b_2bb8);
}

#[test]
fn sysv_hash_known_values() {
    assert_eq!(sysv_hash(b""), 0);
    assert_eq!(sysv_hash(b"printf"), 0x0779_05a6);
    assert_eq!(sysv_hash(b"LINUX_2.6"), 0x03ae_75f6);
}

#[test]
fn error_display_names_the_field() {
    let e = Error::OutOfRange {
        field: "DT_GNU_HASH bucket",
    };
    assert_eq!(
        e.to_string(),
        "offset out of range at field DT_GNU_HASH bucket"
    );
    let e = Error::WrongMachine {
        expected: 62,
        found: 183,
    };
    assert_eq!(e.to_string(), "wrong e_machine: expected 62, found 183");
}

#[test]
fn machine_names() {
    assert_eq!(Machine(62).to_string(), "62 (x86_64)");
    assert_eq!(Machine(9999).to_string(), "9999");
}

#[test]
fn nul_at_finds_the_first_nul_anywhere() {
    use crate::strings::nul_at;
    assert_eq!(nul_at(b""), None);
    assert_eq!(nul_at(b"abcdefghijklmnopq"), None);
    for len in 0..40usize {
        for at in 0..len {
            let mut v: std::vec::Vec<u8> = (0..len).map(|i| 1 + (i % 255) as u8).collect();
            v[at] = 0;
            // A 0x01 right after the NUL must not be taken for it.
            if at + 1 < len {
                v[at + 1] = 1;
            }
            assert_eq!(nul_at(&v), Some(at), "len {len}, NUL at {at}");
            // A second NUL after the first changes nothing.
            if at + 2 < len {
                v[at + 2] = 0;
                assert_eq!(nul_at(&v), Some(at));
            }
        }
    }
}

#[test]
fn same_compares_every_byte() {
    use crate::strings::same;
    for len in 0..40usize {
        let a: std::vec::Vec<u8> = (0..len).map(|i| i as u8).collect();
        assert!(same(&a, &a.clone()));
        for at in 0..len {
            let mut b = a.clone();
            b[at] ^= 0x80;
            assert!(!same(&a, &b), "len {len}, differs at {at}");
        }
        assert!(!same(&a, &a[..len.saturating_sub(1)]) || len == 0);
    }
}
