//! The four layouts, and where the image and its tables sit: linked at 0,
//! prelinked high, relocated, or with the tables in a second `PT_LOAD`.

use crate::common::{Spec, build};
use freestand_vdso::{AnyVdso, Class, Elf32Le, Elf64Be, Elf64Le, Endian, Error, Vdso};

use super::{LAYOUTS, check, spec};

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
