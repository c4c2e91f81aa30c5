//! The committed fixtures, as they are and relocated as qemu-user does,
//! against readelf.

use crate::common::{FIXTURES, fixture, readelf_symbols, relocate, temp_file};
use freestand_vdso::AnyVdso;

use super::{check_lookups, listing, mask, min_callable};

#[test]
fn fixtures_match_readelf() {
    for name in FIXTURES {
        let path = fixture(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let v = AnyVdso::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = readelf_symbols(&path);
        assert!(!expected.is_empty(), "{name}: readelf listed nothing");
        assert_eq!(listing(&v), expected, "{name}");
        assert!(check_lookups(&v, name) >= min_callable(name), "{name}");
        let info = v.info();
        assert!(
            info.gnu_hash && info.sysv_hash && info.versym,
            "{name}: {info:?}"
        );
        // i386 defines LINUX_2.6 and LINUX_2.5.
        let versions = if name.contains("i386") { 3 } else { 2 };
        assert_eq!(info.version_count, versions, "{name}");
        assert_eq!(info.bias, 0, "{name}");
        let defs: Vec<_> = v.versions().collect();
        assert!(defs[0].is_base() && defs[0].index == 1, "{name}: {defs:?}");
        assert!(!defs[1].is_base() && defs[1].index == 2, "{name}: {defs:?}");
        for d in &defs {
            assert_eq!(d.hash, freestand_vdso::sysv_hash(d.name), "{name}");
        }
    }
}

#[test]
fn fixture_layouts_and_machines() {
    let expect = [
        ("qemu-aarch64.so", "Elf64Le", 183),
        ("qemu-aarch64_be.so", "Elf64Be", 183),
        ("qemu-riscv64.so", "Elf64Le", 243),
        ("qemu-riscv32.so", "Elf32Le", 243),
        ("qemu-x86_64.so", "Elf64Le", 62),
        ("qemu-i386.so", "Elf32Le", 3),
        ("qemu-arm.so", "Elf32Le", 40),
        ("qemu-armeb.so", "Elf32Be", 40),
        ("qemu-s390x.so", "Elf64Be", 22),
        ("qemu-ppc64.so", "Elf64Be", 21),
        ("qemu-ppc.so", "Elf32Be", 20),
        ("qemu-hppa.so", "Elf32Be", 15),
    ];
    for (name, layout, machine) in expect {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let v = AnyVdso::parse(&bytes).unwrap();
        let got = match v {
            AnyVdso::Elf64Le(_) => "Elf64Le",
            AnyVdso::Elf64Be(_) => "Elf64Be",
            AnyVdso::Elf32Le(_) => "Elf32Le",
            AnyVdso::Elf32Be(_) => "Elf32Be",
        };
        assert_eq!(got, layout, "{name}");
        assert_eq!(v.info().machine.0, machine, "{name}");
        assert!(v.info().soname.is_some(), "{name}");
    }
}

/// qemu-user relocates its vDSO in place: symbol values and dynamic
/// addresses become absolute. Parsed from a slice, addresses are still
/// offsets in the slice; readelf agrees on the (absolute) values.
#[test]
fn qemu_relocated_fixtures() {
    for name in FIXTURES {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let plain = AnyVdso::parse(&bytes).unwrap();
        let delta = if bytes[4] == 2 {
            0x7f12_3456_7000
        } else {
            0x4080_0000
        };
        let moved = relocate(&bytes, delta);
        let v = AnyVdso::parse(&moved).unwrap_or_else(|e| panic!("{name} relocated: {e}"));
        let path = temp_file(&format!("relocated-{name}"), &moved);
        assert_eq!(listing(&v), readelf_symbols(&path), "{name} relocated");
        assert!(check_lookups(&v, name) >= min_callable(name), "{name}");
        for s in plain.symbols() {
            let s = s.unwrap();
            if !s.is_callable() {
                continue;
            }
            let n = std::str::from_utf8(s.name).unwrap();
            let a = plain.lookup_unversioned(n).unwrap();
            let b = v.lookup_unversioned(n).unwrap();
            assert_eq!(a.address, b.address, "{name}: {n}");
            assert_eq!(b.value, (a.value + delta) & mask(&v), "{name}: {n}");
        }
    }
}
