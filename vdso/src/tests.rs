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
