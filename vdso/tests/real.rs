//! Real images: the test process's own vDSO, and the committed fixtures
//! (qemu-user guest vDSOs of many architectures and a host dump), each
//! checked against readelf.

mod common;

use common::{FIXTURES, fixture, readelf_symbols, relocate, temp_file};
use freestand_vdso::{AnyVdso, Error, LookupMethod, Native, Vdso};

fn listing(v: &AnyVdso<'_>) -> Vec<String> {
    v.symbols()
        .map(|s| s.expect("valid symbol").to_string())
        .collect()
}

/// Every callable, versioned symbol in the listing is found by name and
/// version through every table the image has, and all tables agree.
fn check_lookups(v: &AnyVdso<'_>, what: &str) -> usize {
    let info = v.info();
    let mut found = 0;
    for s in v.symbols() {
        let s = s.unwrap();
        if !s.is_callable() {
            continue;
        }
        let name = std::str::from_utf8(s.name).unwrap();
        let freestand_vdso::Version::Defined { name: ver, .. } = s.version else {
            panic!("{what}: {name} is unversioned");
        };
        let ver = std::str::from_utf8(ver).unwrap();
        let sym = v
            .lookup(name, ver)
            .unwrap_or_else(|e| panic!("{what}: {name}@{ver}: {e}"));
        assert_eq!(sym.index, s.index, "{what}: {name}");
        assert_eq!(sym.value, s.value, "{what}: {name}");
        assert_eq!(
            sym.address,
            s.value.wrapping_add(v.bias()) & mask(v),
            "{what}: {name}"
        );
        let mut methods = vec![LookupMethod::Linear];
        if info.gnu_hash {
            methods.push(LookupMethod::GnuHash);
        }
        if info.sysv_hash {
            methods.push(LookupMethod::SysvHash);
        }
        for m in methods {
            let r = v
                .lookup_via(m, name.as_bytes(), Some(ver.as_bytes()))
                .unwrap();
            assert_eq!(r.index, s.index, "{what}: {name} via {m:?}");
        }
        assert_eq!(v.lookup_unversioned(name).unwrap().index, s.index);
        assert_eq!(
            v.lookup(name, "NO_SUCH_VERSION"),
            Err(Error::VersionNotFound)
        );
        found += 1;
    }
    assert_eq!(
        v.lookup("no_such_symbol", "LINUX_2.6"),
        Err(Error::SymbolNotFound)
    );
    found
}

/// qemu's hppa vDSO exports only its version symbol (its signal trampoline
/// has no dynamic symbol); every other image has at least three functions.
fn min_callable(name: &str) -> usize {
    if name.contains("hppa") { 0 } else { 3 }
}

fn mask(v: &AnyVdso<'_>) -> u64 {
    match v.info().class {
        freestand_vdso::Class::Elf64 => u64::MAX,
        freestand_vdso::Class::Elf32 => u32::MAX as u64,
    }
}

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

fn own_vdso_addr() -> usize {
    // SAFETY: getauxval has no preconditions.
    let addr = unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize;
    assert_ne!(
        addr, 0,
        "this test process has no vDSO (AT_SYSINFO_EHDR is 0)"
    );
    addr
}

/// The bytes of this process's `[vdso]` mapping, from /proc/self/mem.
fn dump_own_vdso(addr: usize) -> Vec<u8> {
    use std::io::{Read, Seek, SeekFrom};
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let line = maps
        .lines()
        .find(|l| l.ends_with("[vdso]"))
        .expect("[vdso] in /proc/self/maps");
    let (start, end) = line
        .split_whitespace()
        .next()
        .unwrap()
        .split_once('-')
        .unwrap();
    let start = usize::from_str_radix(start, 16).unwrap();
    let end = usize::from_str_radix(end, 16).unwrap();
    assert_eq!(start, addr, "AT_SYSINFO_EHDR is the start of [vdso]");
    let mut mem = std::fs::File::open("/proc/self/mem").unwrap();
    mem.seek(SeekFrom::Start(start as u64)).unwrap();
    let mut buf = vec![0u8; end - start];
    mem.read_exact(&mut buf).unwrap();
    buf
}

#[cfg(target_arch = "x86_64")]
const CLOCK_GETTIME: (&str, &str) = ("__vdso_clock_gettime", "LINUX_2.6");
#[cfg(target_arch = "aarch64")]
const CLOCK_GETTIME: (&str, &str) = ("__kernel_clock_gettime", "LINUX_2.6.39");
#[cfg(target_arch = "riscv64")]
const CLOCK_GETTIME: (&str, &str) = ("__vdso_clock_gettime", "LINUX_4.15");

#[test]
fn own_vdso_from_address_and_slice() {
    let addr = own_vdso_addr();
    // SAFETY: AT_SYSINFO_EHDR of this process; nothing unmaps the vDSO.
    let mapped = unsafe { Vdso::<Native>::from_sysinfo_ehdr(addr) }.expect("own vDSO");
    let copy = mapped.image().to_vec();
    let sliced = Vdso::<Native>::parse(&copy).expect("copy of own vDSO");
    assert_eq!(mapped.info().base, addr as u64);
    assert_eq!(mapped.info().image_len, copy.len());

    let (name, version) = CLOCK_GETTIME;
    let m = mapped
        .lookup(name, version)
        .expect("clock_gettime in own vDSO");
    let s = sliced.lookup(name, version).unwrap();
    assert_eq!(m.index, s.index);
    assert_eq!(m.value, s.value);
    assert_eq!(m.address, addr as u64 + s.address);
    assert!(s.address < copy.len() as u64);

    // Call it and compare with the C library.
    type ClockGettime = unsafe extern "C" fn(libc::clockid_t, *mut libc::timespec) -> libc::c_int;
    // SAFETY: the kernel ABI gives this symbol clock_gettime's signature.
    let f: ClockGettime = unsafe { std::mem::transmute(m.address as usize) };
    let mut a = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut b = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: both pointers are valid, writable timespecs.
    let (ra, rb) = unsafe {
        (
            f(libc::CLOCK_REALTIME, &mut a),
            libc::clock_gettime(libc::CLOCK_REALTIME, &mut b),
        )
    };
    assert_eq!((ra, rb), (0, 0));
    assert!((0..1_000_000_000).contains(&a.tv_nsec));
    assert!(a.tv_sec > 1_600_000_000, "vDSO time {}", a.tv_sec);
    assert!(
        (b.tv_sec - a.tv_sec).abs() <= 1,
        "vDSO {} vs libc {}",
        a.tv_sec,
        b.tv_sec
    );
    let mut mono1 = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut mono2 = mono1;
    // SAFETY: as above.
    unsafe {
        assert_eq!(f(libc::CLOCK_MONOTONIC, &mut mono1), 0);
        assert_eq!(f(libc::CLOCK_MONOTONIC, &mut mono2), 0);
    }
    assert!((mono2.tv_sec, mono2.tv_nsec) >= (mono1.tv_sec, mono1.tv_nsec));

    // The live image agrees with readelf too. The whole [vdso] mapping is
    // dumped, so that readelf finds the section headers past the PT_LOAD end.
    let whole = dump_own_vdso(addr);
    assert_eq!(&whole[..copy.len()], &copy[..]);
    let path = temp_file("own-vdso.so", &whole);
    let any = AnyVdso::parse(&whole).unwrap();
    assert_eq!(listing(&any), readelf_symbols(&path));
    assert!(check_lookups(&any, "own vDSO") >= 3);
}

/// The address path on buffers that are not the kernel's vDSO: a fixture
/// relocated in place to the address it sits at (what qemu-user does), and
/// one prelinked at 0xffffffffff700000 (x86_64 kernels up to 3.13).
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
#[test]
fn address_path_relocated_and_prelinked() {
    let bytes = std::fs::read(fixture("qemu-x86_64.so")).unwrap();
    let plain = AnyVdso::parse(&bytes).unwrap();
    let want = plain.lookup("__vdso_clock_gettime", "LINUX_2.6").unwrap();

    let mut buf = vec![0u8; bytes.len()];
    let at = buf.as_ptr() as u64;
    for delta in [at, 0xffff_ffff_ff70_0000] {
        buf.copy_from_slice(&relocate(&bytes, delta));
        // SAFETY: `buf` is a live, readable image, unmodified while `v` lives.
        let v = unsafe { Vdso::<Native>::from_sysinfo_ehdr(buf.as_ptr() as usize) }.unwrap();
        let s = v.lookup("__vdso_clock_gettime", "LINUX_2.6").unwrap();
        assert_eq!(s.address, at + want.value, "delta {delta:#x}");
        assert_eq!(s.value, want.value.wrapping_add(delta));
        assert_eq!(v.bias(), at.wrapping_sub(delta));
    }
}

#[test]
fn address_path_checks_machine_and_null() {
    // SAFETY: 0 is documented to return an error without reading.
    let r = unsafe { Vdso::<Native>::from_sysinfo_ehdr(0) };
    assert_eq!(r.unwrap_err(), Error::NoVdso);
    // A native-layout image for another machine.
    #[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
    {
        let bytes = std::fs::read(fixture("qemu-aarch64.so")).unwrap();
        // SAFETY: `bytes` is a live, readable image.
        let r = unsafe { Vdso::<Native>::from_sysinfo_ehdr(bytes.as_ptr() as usize) };
        assert_eq!(
            r.unwrap_err(),
            Error::WrongMachine {
                expected: 62,
                found: 183
            }
        );
        let bytes = std::fs::read(fixture("qemu-i386.so")).unwrap();
        // SAFETY: as above (the header is read first and rejected).
        let r = unsafe { Vdso::<Native>::from_sysinfo_ehdr(bytes.as_ptr() as usize) };
        assert!(matches!(r.unwrap_err(), Error::WrongClass { .. }));
    }
}

/// A GNU hash chain whose last entry is symbol `u32::MAX`: one past it is
/// no `u32`. Both parsers must say so, not overflow (a debug build
/// panicked here, a release build wrapped `end` to 0), and a lazy lookup
/// that finds nothing must report the same.
#[test]
fn gnu_chain_ending_at_the_last_index() {
    let mut b = std::fs::read(fixture("host-x86_64.so")).unwrap();
    let rd = |b: &[u8], off: usize| u32::from_le_bytes(b[off..off + 4].try_into().unwrap());
    // host-x86_64.so: DT_GNU_HASH at 0x170, linked at 0.
    let t = 0x170;
    let nbuckets = rd(&b, t) as usize;
    let bloom_words = rd(&b, t + 8) as usize;
    let buckets = t + 16 + 8 * bloom_words;
    let chain = buckets + 4 * nbuckets;
    let symoffset = 0xffff_fff0u32;
    b[t + 4..t + 8].copy_from_slice(&symoffset.to_le_bytes());
    for i in 0..nbuckets {
        let v = if i == 0 { u32::MAX } else { 0 };
        b[buckets + 4 * i..buckets + 4 * i + 4].copy_from_slice(&v.to_le_bytes());
    }
    // Words 0..15 have no end mark, so the walk from bucket 0 (symbol
    // u32::MAX, word 15) ends exactly at the last index.
    for w in 0..16 {
        let v: u32 = if w == 15 { 1 } else { 0 };
        b[chain + 4 * w..chain + 4 * w + 4].copy_from_slice(&v.to_le_bytes());
    }
    let want = Error::ChainTooLong {
        field: "DT_GNU_HASH chain",
    };
    assert_eq!(Vdso::<Native>::parse(&b).err(), Some(want));
    let lazy = freestand_vdso::Resolver::<Native>::parse(&b).expect("lazily opened");
    let q = freestand_vdso::Query::new("__vdso_nothing", "LINUX_2.6");
    assert_eq!(lazy.find(&q), Err(want));
}

/// arm64 kernels since 6.x link their vDSO with `DT_GNU_HASH` only, older
/// ones with `DT_HASH` only. The qemu-aarch64 image has both; with either
/// one hidden (its dynamic tag turned into `DT_DEBUG`, which the parser
/// ignores) the `__kernel_*` functions are still found, by every parser and
/// every kind of lookup, at the same address.
#[test]
fn aarch64_lookups_with_either_hash_table_alone() {
    use freestand_vdso::{Elf64Le, Query, Resolver};
    const DT_DEBUG: u64 = 21;
    let bytes = std::fs::read(fixture("qemu-aarch64.so")).unwrap();
    let want = Vdso::<Elf64Le>::parse(&bytes)
        .unwrap()
        .lookup("__kernel_clock_gettime", "LINUX_2.6.39")
        .unwrap()
        .value;
    // The dynamic section, found from its program header (ELF64, LE).
    let rd = |b: &[u8], off: usize| u64::from_le_bytes(b[off..off + 8].try_into().unwrap());
    let phoff = rd(&bytes, 0x20) as usize;
    let phnum = u16::from_le_bytes([bytes[0x38], bytes[0x39]]) as usize;
    let dynamic = (0..phnum)
        .map(|i| phoff + 56 * i)
        .find(|&ph| u32::from_le_bytes(bytes[ph..ph + 4].try_into().unwrap()) == 2)
        .map(|ph| rd(&bytes, ph + 8) as usize)
        .expect("PT_DYNAMIC");
    for hide in [4u64, 0x6fff_fef5] {
        let mut b = bytes.clone();
        let entry = (dynamic..)
            .step_by(16)
            .find(|&e| rd(&b, e) == hide || rd(&b, e) == 0)
            .filter(|&e| rd(&b, e) == hide)
            .expect("the tag to hide");
        b[entry..entry + 8].copy_from_slice(&DT_DEBUG.to_le_bytes());
        let q = Query::new("__kernel_clock_gettime", "LINUX_2.6.39");
        let full = Vdso::<Elf64Le>::parse(&b).unwrap();
        let lazy = Resolver::<Elf64Le>::parse(&b).unwrap();
        let any = AnyVdso::parse(&b).unwrap();
        let info = any.info();
        assert_eq!(
            (info.sysv_hash, info.gnu_hash),
            (hide != 4, hide == 4),
            "only the other table is left"
        );
        for found in [
            full.lookup("__kernel_clock_gettime", "LINUX_2.6.39"),
            full.find(&q),
            lazy.lookup("__kernel_clock_gettime", "LINUX_2.6.39"),
            lazy.find(&q),
            any.find(&q),
        ] {
            assert_eq!(found.unwrap().value, want, "tag {hide:#x} hidden");
        }
        assert_eq!(
            lazy.find(&Query::new("__kernel_getrandom", "LINUX_2.6.39"))
                .unwrap_err(),
            Error::SymbolNotFound,
            "tag {hide:#x} hidden"
        );
    }
}
