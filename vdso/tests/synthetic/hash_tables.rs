//! `DT_GNU_HASH` and `DT_HASH`: every combination, every shape, 8-byte
//! entries, and a cyclic chain.

use crate::common::{Spec, build};
use freestand_vdso::{AnyVdso, Class, Elf64Be, Endian, Error, Vdso};

use super::{LAYOUTS, check, put, spec};

#[test]
fn every_hash_combination_in_every_layout() {
    for (c64, big, machine) in LAYOUTS {
        for (gnu, sysv) in [(true, false), (false, true), (true, true), (false, false)] {
            let s = Spec {
                gnu,
                sysv,
                ..spec(c64, big, machine)
            };
            let b = build(&s);
            let what = format!("class64={c64} big={big} gnu={gnu} sysv={sysv}");
            check(&b, &what);
            let info = AnyVdso::parse(&b.bytes).unwrap().info();
            assert_eq!((info.gnu_hash, info.sysv_hash), (gnu, sysv), "{what}");
            assert_eq!(info.class, if c64 { Class::Elf64 } else { Class::Elf32 });
            assert_eq!(info.endian, if big { Endian::Big } else { Endian::Little });
            assert_eq!(info.machine.0, machine);
            assert_eq!(info.symbol_count as usize, b.offs.nsyms, "{what}");
            assert_eq!(info.soname, Some(&b"linux-vdso.so.1"[..]));
            assert_eq!(info.version_count, 2);
        }
    }
}

#[test]
fn gnu_hash_bucket_and_bloom_shapes() {
    for nbuckets in [1, 2, 7, 64] {
        for bloom in [1, 2, 4] {
            for (c64, big, machine) in LAYOUTS {
                let s = Spec {
                    gnu_nbuckets: nbuckets,
                    gnu_bloom_words: bloom,
                    sysv: false,
                    ..spec(c64, big, machine)
                };
                check(
                    &build(&s),
                    &format!("nbuckets={nbuckets} bloom={bloom} c64={c64}"),
                );
            }
        }
    }
    for nbucket in [1, 2, 17] {
        let s = Spec {
            sysv_nbucket: nbucket,
            gnu: false,
            ..Spec::x86_64()
        };
        check(&build(&s), &format!("sysv nbucket={nbucket}"));
    }
}

#[test]
fn s390x_eight_byte_hash_entries() {
    let s = Spec {
        sysv_wide: true,
        gnu: false,
        ..spec(true, true, 22)
    };
    let b = build(&s);
    check(&b, "s390x sysv only");
    let v = Vdso::<Elf64Be>::parse(&b.bytes).unwrap();
    assert!(v.info().sysv_hash);
    assert_eq!(v.info().symbol_count as usize, b.offs.nsyms);
    let s = Spec {
        sysv_wide: true,
        ..spec(true, true, 22)
    };
    check(&build(&s), "s390x both");
    // Alpha uses them too (old and gABI machine numbers).
    for machine in [0x9026, 41] {
        let s = Spec {
            sysv_wide: true,
            gnu: false,
            ..spec(true, false, machine)
        };
        check(&build(&s), "alpha");
    }
}

#[test]
fn sysv_chain_cycle_terminates() {
    let good = build(&Spec {
        gnu: false,
        ..Spec::x86_64()
    });
    let hash = good.offs.hash.unwrap();
    let nb = 3;
    let mut bytes = good.bytes.clone();
    // Point every chain entry at itself.
    for i in 0..good.offs.nsyms {
        put(&mut bytes, hash + 8 + (nb + i) * 4, 4, i as u64, false);
    }
    let v = AnyVdso::parse(&bytes).unwrap();
    for s in &good.syms {
        let _ = v.lookup(&s.name, "LINUX_2.6");
    }
    assert_eq!(v.lookup("absent", "LINUX_2.6"), Err(Error::SymbolNotFound));
}
