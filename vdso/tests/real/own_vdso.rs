//! The test process's own vDSO: opened by address and from a copy, called,
//! and checked against readelf.

use crate::common::{readelf_symbols, temp_file};
use freestand_vdso::{AnyVdso, Native, Vdso};

use super::{check_lookups, listing};

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
