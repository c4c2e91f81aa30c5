//! Damage to each part of an image, and the typed error that names it.

use crate::common::{Spec, build};
use freestand_vdso::{AnyVdso, Error};

use super::{dyn_value_at, put};

#[test]
fn damage_gives_typed_errors() {
    let good = build(&Spec::x86_64());
    let parse = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut bytes = good.bytes.clone();
        f(&mut bytes);
        AnyVdso::parse(&bytes).map(|_| ())
    };
    let le = |bytes: &mut Vec<u8>, off: usize, size: usize, v: u64| put(bytes, off, size, v, false);
    assert_eq!(parse(&|b| b[0] = 0), Err(Error::BadMagic));
    assert_eq!(parse(&|b| b[4] = 3), Err(Error::UnsupportedClass(3)));
    assert_eq!(parse(&|b| b[5] = 0), Err(Error::UnsupportedDataEncoding(0)));
    assert_eq!(parse(&|b| b[6] = 2), Err(Error::UnsupportedVersion(2)));
    assert_eq!(parse(&|b| le(b, 16, 2, 2)), Err(Error::WrongType(2)));
    assert_eq!(parse(&|b| le(b, 54, 2, 55)), Err(Error::BadPhentsize(55)));
    assert_eq!(parse(&|b| le(b, 56, 2, 0)), Err(Error::NoLoadSegment));
    assert_eq!(
        parse(&|b| le(b, 32, 8, 1 << 40)),
        Err(Error::OutOfRange { field: "e_phoff" })
    );
    assert_eq!(
        parse(&|b| b.truncate(40)),
        Err(Error::OutOfRange {
            field: "ELF header"
        })
    );
    assert_eq!(
        parse(&|b| b.truncate(10)),
        Err(Error::OutOfRange { field: "e_ident" })
    );
    let ph0 = good.offs.phoff;
    let ph1 = ph0 + 56;
    assert_eq!(parse(&|b| le(b, ph0, 4, 6)), Err(Error::NoLoadSegment));
    assert_eq!(parse(&|b| le(b, ph1, 4, 6)), Err(Error::NoDynamicSegment));
    assert_eq!(
        parse(&|b| le(b, ph1 + 8, 8, 1 << 40)),
        Err(Error::OutOfRange {
            field: "PT_DYNAMIC p_offset"
        })
    );
    let symtab = dyn_value_at(&good, 6);
    let strtab = dyn_value_at(&good, 5);
    assert_eq!(
        parse(&|b| le(b, symtab - 8, 8, 0x7000_0000)),
        Err(Error::NoSymbolTable)
    );
    assert_eq!(
        parse(&|b| le(b, strtab - 8, 8, 0x7000_0000)),
        Err(Error::NoStringTable)
    );
    assert_eq!(
        parse(&|b| le(b, strtab, 8, 0x10_0000)),
        Err(Error::AddressNotMapped {
            field: "DT_STRTAB",
            address: 0x10_0000
        })
    );
    assert_eq!(
        parse(&|b| le(b, dyn_value_at(&good, 11), 8, 16)),
        Err(Error::BadSymbolEntrySize(16))
    );
    assert_eq!(
        parse(&|b| le(b, dyn_value_at(&good, 10), 8, 1 << 20)),
        Err(Error::OutOfRange { field: "DT_STRSZ" })
    );
    let hash = good.offs.hash.unwrap();
    assert_eq!(
        parse(&|b| le(b, hash, 4, 0)),
        Err(Error::InvalidValue {
            field: "DT_HASH nbucket"
        })
    );
    assert_eq!(
        parse(&|b| le(b, hash + 4, 4, 1 << 20)),
        Err(Error::OutOfRange {
            field: "DT_HASH chain"
        })
    );
    let gnu = good.offs.gnu_hash.unwrap();
    assert_eq!(
        parse(&|b| le(b, gnu, 4, 0)),
        Err(Error::InvalidValue {
            field: "DT_GNU_HASH nbuckets"
        })
    );
    assert_eq!(
        parse(&|b| le(b, gnu + 8, 4, 0)),
        Err(Error::InvalidValue {
            field: "DT_GNU_HASH bloom size"
        })
    );
    assert_eq!(
        parse(&|b| le(b, gnu + 12, 4, 32)),
        Err(Error::InvalidValue {
            field: "DT_GNU_HASH bloom shift"
        })
    );
    assert_eq!(
        parse(&|b| le(b, gnu + 8, 4, 1 << 20)),
        Err(Error::OutOfRange {
            field: "DT_GNU_HASH bloom"
        })
    );
    // A bucket pointing below symoffset.
    let buckets = gnu + 16 + 8;
    assert_eq!(
        parse(&|b| le(b, gnu + 4, 4, 5)),
        Err(Error::InvalidValue {
            field: "DT_GNU_HASH bucket"
        })
    );
    // Chains with no end marker run off the image.
    let chain = buckets + 3 * 4;
    assert_eq!(
        parse(&|b| b[chain..].fill(0)),
        Err(Error::ChainTooLong {
            field: "DT_GNU_HASH chain"
        })
    );
    let versym = dyn_value_at(&good, 0x6fff_fff0);
    assert_eq!(
        parse(&|b| le(b, versym, 8, good.bytes.len() as u64 - 4)),
        Err(Error::OutOfRange { field: "DT_VERSYM" })
    );
    let verdef = good.offs.verdef.unwrap();
    assert_eq!(
        parse(&|b| le(b, verdef, 2, 7)),
        Err(Error::InvalidValue {
            field: "verdef vd_version"
        })
    );
    assert_eq!(
        parse(&|b| le(b, verdef + 16, 4, 1 << 20)),
        Err(Error::OutOfRange {
            field: "verdef vd_next"
        })
    );
    assert_eq!(
        parse(&|b| le(b, verdef + 12, 4, 1 << 20)),
        Err(Error::OutOfRange {
            field: "verdef vd_aux"
        })
    );
    assert_eq!(
        parse(&|b| le(b, verdef + 20, 4, 1 << 20)),
        Err(Error::OutOfRange {
            field: "verdaux vda_name"
        })
    );
    // A version name running to the end of a string table without its NUL.
    let strsz = dyn_value_at(&good, 10);
    assert_eq!(
        parse(&|b| le(b, strsz, 8, u64::from(b[verdef + 48]) + 1)),
        Err(Error::UnterminatedString {
            field: "verdaux vda_name"
        })
    );
}

#[test]
fn error_messages_name_fields() {
    let e = Error::AddressNotMapped {
        field: "DT_SYMTAB",
        address: 0x1000,
    };
    assert_eq!(
        e.to_string(),
        "address 0x1000 in DT_SYMTAB is in no PT_LOAD segment"
    );
    assert_eq!(
        Error::ChainTooLong {
            field: "verdef vd_next"
        }
        .to_string(),
        "chain too long or cyclic at verdef vd_next"
    );
}
