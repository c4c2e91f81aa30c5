//! The constructor that reads by address, on buffers that are not the
//! kernel's vDSO.

// Only the x86_64 tests open fixtures by address.
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
use crate::common::{fixture, relocate};
#[cfg(all(target_arch = "x86_64", target_pointer_width = "64"))]
use freestand_vdso::AnyVdso;
use freestand_vdso::{Error, Native, Vdso};

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
