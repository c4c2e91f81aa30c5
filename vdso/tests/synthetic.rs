//! Hand-built images: every hash-table combination, versioning case, layout
//! and address scheme, and the typed error of each kind of damage.

mod common;

use common::{
    Built, SHN_ABS, SHN_UNDEF, STB_LOCAL, STB_WEAK, STT_NOTYPE, STT_OBJECT, Spec, Sym, build,
};
use freestand_vdso::{
    AnyVdso, Class, Elf32Le, Elf64Be, Elf64Le, Endian, Error, LookupMethod, Vdso, Version,
};

fn listing(v: &AnyVdso<'_>) -> Vec<String> {
    v.symbols()
        .map(|s| s.expect("valid symbol").to_string())
        .collect()
}

/// The four layouts, as (class64, big, machine).
const LAYOUTS: [(bool, bool, u16); 4] = [
    (true, false, 62),
    (true, true, 21),
    (false, false, 3),
    (false, true, 20),
];

fn spec(class64: bool, big: bool, machine: u16) -> Spec {
    Spec {
        class64,
        big,
        machine,
        ..Spec::x86_64()
    }
}

/// Checks the listing against what was written and every callable symbol
/// against every available lookup method.
fn check(b: &Built, what: &str) {
    let v = AnyVdso::parse(&b.bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(listing(&v), b.lines(), "{what}");
    let info = v.info();
    for (i, w) in b.syms.iter().enumerate() {
        let index = i as u32 + 1;
        let callable = w.shndx != SHN_UNDEF && w.kind != STT_OBJECT && w.bind != STB_LOCAL;
        let mut methods = vec![LookupMethod::Linear];
        if info.gnu_hash {
            methods.push(LookupMethod::GnuHash);
        }
        if info.sysv_hash {
            methods.push(LookupMethod::SysvHash);
        }
        let ver = w.version.as_deref().unwrap_or("LINUX_2.6");
        for m in methods {
            let r = v.lookup_via(m, w.name.as_bytes(), Some(ver.as_bytes()));
            if callable {
                let s = r.unwrap_or_else(|e| panic!("{what}: {} via {m:?}: {e}", w.name));
                assert_eq!(s.index, index, "{what}: {} via {m:?}", w.name);
                assert_eq!(s.value, w.value, "{what}: {}", w.name);
                assert_eq!(s.address, w.offset, "{what}: {} address", w.name);
                assert_eq!(s.name, w.name.as_bytes());
            } else if !b
                .syms
                .iter()
                .any(|o| o.name == w.name && o.shndx != SHN_UNDEF && o.kind != STT_OBJECT)
            {
                assert_eq!(
                    r.unwrap_err(),
                    Error::SymbolNotFound,
                    "{what}: {} via {m:?}",
                    w.name
                );
            }
        }
        if callable {
            let s = v.lookup(&w.name, ver).unwrap();
            assert_eq!(s.index, index, "{what}: {}", w.name);
        }
    }
    assert_eq!(
        v.lookup("absent", "LINUX_2.6"),
        Err(Error::SymbolNotFound),
        "{what}"
    );
    assert_eq!(
        v.lookup("__vdso_time\0", "LINUX_2.6"),
        Err(Error::SymbolNotFound),
        "{what}"
    );
    assert_eq!(
        v.lookup("__vdso_tim", "LINUX_2.6"),
        Err(Error::SymbolNotFound),
        "{what}"
    );
}

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
fn unversioned_image() {
    let s = Spec {
        versioned: false,
        ..Spec::x86_64()
    };
    let b = build(&s);
    check(&b, "unversioned");
    let v = AnyVdso::parse(&b.bytes).unwrap();
    assert!(listing(&v).iter().all(|l| l.split(' ').nth(1) == Some("-")));
    // Without DT_VERSYM, a versioned lookup does not check the version.
    assert_eq!(
        v.lookup("__vdso_time", "ANY_VERSION").unwrap().name,
        b"__vdso_time"
    );
    assert_eq!(v.info().version_count, 0);
    assert_eq!(v.versions().count(), 0);
}

#[test]
fn same_name_in_two_versions() {
    let mut s = Spec::x86_64();
    s.versions = vec!["LINUX_2.5".into(), "LINUX_2.6".into()];
    s.symbols = vec![
        Sym {
            hidden: true,
            ..Sym::func("__vdso_clock_gettime", Some(0), 0x800)
        },
        Sym::func("__vdso_clock_gettime", Some(1), 0x840),
        Sym::func("__vdso_only_old", Some(0), 0x860),
        Sym::func("__vdso_unversioned", None, 0x880),
    ];
    for (gnu, sysv) in [(true, false), (false, true), (false, false), (true, true)] {
        let b = build(&Spec {
            gnu,
            sysv,
            ..s.clone()
        });
        let v = AnyVdso::parse(&b.bytes).unwrap();
        let old = v.lookup("__vdso_clock_gettime", "LINUX_2.5").unwrap();
        let new = v.lookup("__vdso_clock_gettime", "LINUX_2.6").unwrap();
        assert_eq!(
            (old.address, new.address),
            (0x800, 0x840),
            "gnu={gnu} sysv={sysv}"
        );
        assert_ne!(old.index, new.index);
        // The default (non-hidden) one wins an unversioned lookup.
        assert_eq!(
            v.lookup_unversioned("__vdso_clock_gettime")
                .unwrap()
                .address,
            0x840
        );
        assert_eq!(
            v.lookup("__vdso_only_old", "LINUX_2.6"),
            Err(Error::VersionNotFound)
        );
        assert_eq!(
            v.lookup("__vdso_only_old", "LINUX_2.5").unwrap().address,
            0x860
        );
        // The base version (index 1) is no version: it matches no name, not
        // even the soname.
        assert_eq!(
            v.lookup("__vdso_unversioned", "LINUX_2.6"),
            Err(Error::VersionNotFound)
        );
        assert_eq!(
            v.lookup("__vdso_unversioned", "linux-vdso.so.1"),
            Err(Error::VersionNotFound)
        );
        assert_eq!(
            v.lookup_unversioned("__vdso_unversioned").unwrap().address,
            0x880
        );
        let lines = listing(&v);
        assert!(
            lines.contains(&"__vdso_clock_gettime @LINUX_2.5 FUNC GLOBAL 0x800".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"__vdso_clock_gettime @@LINUX_2.6 FUNC GLOBAL 0x840".to_string()));
        assert!(lines.contains(&"__vdso_unversioned - FUNC GLOBAL 0x880".to_string()));
        assert!(lines.contains(&"LINUX_2.5 @@LINUX_2.5 OBJECT GLOBAL 0x0".to_string()));
        assert_eq!(lines, b.lines());
        let defs: Vec<_> = v.versions().collect();
        assert_eq!(defs.len(), 3);
        assert_eq!(
            (defs[0].index, defs[0].is_base(), defs[0].name),
            (1, true, &b"linux-vdso.so.1"[..])
        );
        assert_eq!((defs[1].index, defs[1].name), (2, &b"LINUX_2.5"[..]));
        assert_eq!((defs[2].index, defs[2].name), (3, &b"LINUX_2.6"[..]));
        assert_eq!(defs[2].hash, freestand_vdso::sysv_hash(b"LINUX_2.6"));
    }
}

#[test]
fn hidden_only_version() {
    let mut s = Spec::x86_64();
    s.symbols = vec![Sym {
        hidden: true,
        ..Sym::func("__vdso_secret", Some(0), 0x800)
    }];
    let b = build(&s);
    let v = AnyVdso::parse(&b.bytes).unwrap();
    assert_eq!(
        v.lookup("__vdso_secret", "LINUX_2.6").unwrap().address,
        0x800
    );
    // With no default version, the hidden one is the unversioned answer.
    assert_eq!(
        v.lookup_unversioned("__vdso_secret").unwrap().address,
        0x800
    );
    let sym = v
        .symbols()
        .map(Result::unwrap)
        .find(|s| s.name == b"__vdso_secret")
        .unwrap();
    assert!(matches!(
        sym.version,
        Version::Defined {
            hidden: true,
            index: 2,
            ..
        }
    ));
    assert_eq!(
        sym.to_string(),
        "__vdso_secret @LINUX_2.6 FUNC GLOBAL 0x800"
    );
    assert_eq!(listing(&v), b.lines());
}

#[test]
fn only_callable_symbols_are_returned() {
    let mut s = Spec::x86_64();
    s.symbols = vec![
        Sym {
            kind: STT_OBJECT,
            ..Sym::func("data_object", Some(0), 0x800)
        },
        Sym {
            bind: STB_LOCAL,
            ..Sym::func("local_func", Some(0), 0x810)
        },
        Sym {
            shndx: SHN_UNDEF,
            value: 0,
            ..Sym::func("undefined_func", Some(0), 0)
        },
        Sym {
            kind: STT_NOTYPE,
            ..Sym::func("notype_entry", Some(0), 0x820)
        },
        Sym {
            bind: STB_WEAK,
            ..Sym::func("weak_func", Some(0), 0x830)
        },
        Sym {
            shndx: SHN_ABS,
            ..Sym::func("abs_func", Some(0), 0x1234)
        },
        Sym {
            kind: 6,
            ..Sym::func("tls_thing", Some(0), 0x840)
        },
    ];
    for (gnu, sysv) in [(true, false), (false, true), (false, false)] {
        let b = build(&Spec {
            gnu,
            sysv,
            ..s.clone()
        });
        let v = AnyVdso::parse(&b.bytes).unwrap();
        for bad in ["data_object", "local_func", "undefined_func", "tls_thing"] {
            assert_eq!(
                v.lookup(bad, "LINUX_2.6"),
                Err(Error::SymbolNotFound),
                "{bad}"
            );
        }
        assert_eq!(
            v.lookup("notype_entry", "LINUX_2.6").unwrap().address,
            0x820
        );
        assert_eq!(v.lookup("weak_func", "LINUX_2.6").unwrap().address, 0x830);
        // An absolute symbol is defined; its value is not biased by the
        // writer but is by the lookup (a vDSO has none but its versions).
        assert_eq!(v.lookup("abs_func", "LINUX_2.6").unwrap().value, 0x1234);
        let lines = listing(&v);
        assert_eq!(lines, b.lines());
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("local_func @@LINUX_2.6 FUNC LOCAL"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("data_object @@LINUX_2.6 OBJECT GLOBAL"))
        );
        assert!(
            !lines
                .iter()
                .any(|l| l.starts_with("undefined_func") || l.starts_with("tls_thing"))
        );
        let all: Vec<_> = v.all_symbols().map(Result::unwrap).collect();
        assert_eq!(all.len(), b.offs.nsyms);
        assert!(
            all.iter()
                .any(|s| s.name == b"undefined_func" && !s.is_defined())
        );
    }
}

#[test]
fn prelinked_high_addresses() {
    // x86_64 kernels up to 3.13 linked the vDSO at 0xffffffffff700000.
    let s = Spec {
        vaddr: 0xffff_ffff_ff70_0000,
        ..Spec::x86_64()
    };
    let b = build(&s);
    check(&b, "prelinked x86_64");
    let v = Vdso::<Elf64Le>::parse(&b.bytes).unwrap();
    let sym = v.lookup("__vdso_clock_gettime", "LINUX_2.6").unwrap();
    assert_eq!(sym.value, 0xffff_ffff_ff70_0800);
    assert_eq!(sym.address, 0x800);
    assert_eq!(v.bias(), 0x90_0000);
    // i386 kernels mapped their vDSO at a fixed 0xffffe000.
    for (big, machine) in [(false, 3), (true, 20)] {
        let s = Spec {
            vaddr: 0xffff_e000,
            ..spec(false, big, machine)
        };
        let b = build(&s);
        check(&b, "prelinked ELF32");
        let v = AnyVdso::parse(&b.bytes).unwrap();
        let sym = v.lookup("__vdso_clock_gettime", "LINUX_2.6").unwrap();
        assert_eq!((sym.value, sym.address), (0xffff_e800, 0x800));
    }
    // An image linked where qemu-user would have relocated it.
    let s = Spec {
        vaddr: 0x7f00_dead_0000,
        ..Spec::x86_64()
    };
    check(&build(&s), "relocated");
}

#[test]
fn tables_in_a_second_load_segment() {
    for (c64, big, machine) in LAYOUTS {
        for vaddr in [0, 0xffff_ffff_ff70_0000] {
            let vaddr = if c64 { vaddr } else { vaddr & 0xffff_ffff };
            let s = Spec {
                split: true,
                vaddr,
                ..spec(c64, big, machine)
            };
            check(
                &build(&s),
                &format!("split c64={c64} big={big} vaddr={vaddr:#x}"),
            );
        }
    }
}

#[test]
fn optional_dynamic_entries_may_be_absent() {
    let s = Spec {
        write_strsz: false,
        write_syment: false,
        ..Spec::x86_64()
    };
    check(&build(&s), "no DT_STRSZ, no DT_SYMENT");
    let s = Spec {
        write_strsz: false,
        gnu: false,
        sysv: false,
        ..Spec::x86_64()
    };
    check(&build(&s), "linear walk without DT_STRSZ");
    let s = Spec {
        version_symbols: false,
        ..Spec::x86_64()
    };
    check(&build(&s), "no version symbols");
}

#[test]
fn typed_layout_parse() {
    let b = build(&spec(false, false, 3));
    assert!(Vdso::<Elf32Le>::parse(&b.bytes).is_ok());
    assert_eq!(
        Vdso::<Elf64Le>::parse(&b.bytes).unwrap_err(),
        Error::WrongClass {
            expected: Class::Elf64,
            found: Class::Elf32
        }
    );
    let b = build(&Spec::x86_64());
    assert_eq!(
        Vdso::<Elf64Be>::parse(&b.bytes).unwrap_err(),
        Error::WrongEndian {
            expected: Endian::Big,
            found: Endian::Little
        }
    );
}

/// Writes `v` as a `size`-byte integer at `off`.
fn put(bytes: &mut [u8], off: usize, size: usize, v: u64, big: bool) {
    for i in 0..size {
        let byte = (v >> (8 * i)) as u8;
        let at = if big { off + size - 1 - i } else { off + i };
        bytes[at] = byte;
    }
}

/// Finds the dynamic entry with `tag` and returns the offset of its value.
fn dyn_value_at(b: &Built, tag: u64) -> usize {
    let mut off = b.offs.dynamic;
    loop {
        let t = u64::from_le_bytes(b.bytes[off..off + 8].try_into().unwrap());
        if t == tag {
            return off + 8;
        }
        assert_ne!(t, 0, "tag {tag:#x} not written");
        off += 16;
    }
}

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

#[test]
fn bad_symbol_name_is_an_item_error() {
    let good = build(&Spec::x86_64());
    let mut bytes = good.bytes.clone();
    // st_name of symbol 1 far outside the string table.
    put(&mut bytes, good.offs.symtab + 24, 4, 0x00ff_ffff, false);
    let v = AnyVdso::parse(&bytes).unwrap();
    let items: Vec<_> = v.symbols().collect();
    assert_eq!(items[0], Err(Error::OutOfRange { field: "st_name" }));
    assert!(items[1..].iter().all(Result::is_ok));
    // The other symbols still resolve.
    assert!(v.lookup(&good.syms[1].name, "LINUX_2.6").is_ok());
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
