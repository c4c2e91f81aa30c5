//! The layout, checked for every variant against the offsets a linker
//! gives local-exec accesses, over alignments 1 to 4096, with and
//! without `.tdata` and `.tbss`, and without TLS at all.

use super::*;
use alloc::format;

/// The variants of the three architectures.
const VARIANTS: [Variant; 3] = [
    Variant::Below,
    Variant::Above { gap: 0 },
    Variant::Above { gap: 16 },
];

/// Control blocks: (size, alignment), the real one among them.
fn tcbs() -> [(usize, usize); 4] {
    [
        (8, 8),
        (16, 16),
        (192, 64),
        (
            size_of::<crate::thread::tcb::Tcb>(),
            align_of::<crate::thread::tcb::Tcb>(),
        ),
    ]
}

fn image(filesz: usize, memsz: usize, align: usize) -> Image {
    Image {
        addr: 0,
        filesz,
        memsz,
        align,
    }
}

/// The offset from the thread pointer the linker gives a variable at
/// `off` in a template linked at `vaddr` (ELF TLS ABI §4.3; the formulas
/// lld uses, which allow a `vaddr` not aligned to `align`).
fn linker_tpoff(variant: Variant, img: &Image, vaddr: usize, off: usize) -> isize {
    let a = img.align as isize;
    let (off, vaddr, memsz) = (off as isize, vaddr as isize, img.memsz as isize);
    match variant {
        Variant::Below => off - memsz - ((-vaddr - memsz) & (a - 1)),
        Variant::Above { gap } => {
            let gap = gap as isize;
            off + gap + ((vaddr - gap) & (a - 1))
        }
    }
}

/// Checks every property of the area for one case.
fn check(variant: Variant, img: &Image, tcb_size: usize, tcb_align: usize) {
    let case = format!("{variant:?} {img:?} tcb {tcb_size}/{tcb_align}");
    let a = layout(variant, img, tcb_size, tcb_align).unwrap_or_else(|| panic!("{case}: None"));
    assert!(a.align.is_power_of_two(), "{case}: {a:?}");
    assert_eq!(a.align, img.align.max(tcb_align), "{case}: {a:?}");
    assert_eq!(a.tp % a.align, 0, "{case}: TP not aligned: {a:?}");
    assert_eq!(a.tcb % tcb_align, 0, "{case}: TCB not aligned: {a:?}");
    assert!(a.tcb + tcb_size <= a.size, "{case}: TCB outside: {a:?}");
    match variant {
        Variant::Below => assert_eq!(a.tcb, a.tp, "{case}: {a:?}"),
        Variant::Above { .. } => assert_eq!(a.tcb + tcb_size, a.tp, "{case}: {a:?}"),
    }
    let block = block_offset(variant, img, a.tp);
    assert_eq!(block % img.align, 0, "{case}: block at {block} in {a:?}");
    assert!(block + img.memsz <= a.size, "{case}: block outside {a:?}");
    let (t0, t1) = (a.tcb, a.tcb + tcb_size);
    assert!(
        block + img.memsz <= t0 || t1 <= block,
        "{case}: overlap {a:?}"
    );
    // Every variable lands where the linker's offset says, for a template
    // linked at an address aligned as freestand's linker script aligns it.
    for off in [0, img.filesz / 2, img.memsz.saturating_sub(1)] {
        let tpoff = linker_tpoff(variant, img, 3 * img.align, off);
        assert_eq!(
            a.tp as isize + tpoff,
            (block + off) as isize,
            "{case}: offset {off}"
        );
    }
    // No slack beyond what the alignments force.
    let slack = a.size - img.memsz - tcb_size;
    let gap = match variant {
        Variant::Below => 0,
        Variant::Above { gap } => gap,
    };
    assert!(slack < gap + 2 * a.align, "{case}: {slack} bytes of slack");
}

#[test]
fn every_variant_alignment_and_size() {
    for variant in VARIANTS {
        for (tcb_size, tcb_align) in tcbs() {
            for shift in 0..=12 {
                let align = 1 << shift;
                for (filesz, memsz) in [
                    (1, 1),
                    (8, 8),
                    (8, 72),
                    (0, 24),
                    (40, 40),
                    (align, align),
                    (3, 2 * align + 5),
                    (4097, 4099),
                ] {
                    check(variant, &image(filesz, memsz, align), tcb_size, tcb_align);
                }
            }
        }
    }
}

#[test]
fn no_tls_is_the_control_block_alone() {
    for variant in VARIANTS {
        for (tcb_size, tcb_align) in tcbs() {
            let a = layout(variant, &Image::NONE, tcb_size, tcb_align).unwrap();
            let tp = match variant {
                Variant::Below => 0,
                Variant::Above { .. } => tcb_size,
            };
            let expected = Area {
                size: tcb_size,
                align: tcb_align,
                tcb: 0,
                tp,
            };
            assert_eq!(a, expected, "{variant:?}");
            // An empty template with a large alignment changes nothing.
            let big = layout(variant, &image(0, 0, 4096), tcb_size, tcb_align).unwrap();
            assert_eq!(big, expected, "{variant:?}");
        }
    }
}

#[test]
fn known_layouts() {
    let img = image(8, 72, 64);
    // x86_64: 72 rounds to 128 below a 64-aligned TP; the TCB follows.
    let below = layout(Variant::Below, &img, 192, 64).unwrap();
    assert_eq!(
        below,
        Area {
            size: 128 + 192,
            align: 64,
            tcb: 128,
            tp: 128,
        }
    );
    assert_eq!(block_offset(Variant::Below, &img, below.tp), 0);
    // aarch64: TCB below TP; 16 reserved bytes round to 64; then the block.
    let arm = layout(Variant::Above { gap: 16 }, &img, 192, 64).unwrap();
    assert_eq!(
        arm,
        Area {
            size: 192 + 64 + 72,
            align: 64,
            tcb: 0,
            tp: 192,
        }
    );
    assert_eq!(block_offset(Variant::Above { gap: 16 }, &img, arm.tp), 256);
    // riscv64: the block starts at TP.
    let rv = layout(Variant::Above { gap: 0 }, &img, 192, 64).unwrap();
    assert_eq!(rv.size, 192 + 72);
    assert_eq!(block_offset(Variant::Above { gap: 0 }, &img, rv.tp), 192);
    // A small alignment keeps the 16-byte gap as it is.
    let small = image(4, 4, 4);
    let arm = layout(Variant::Above { gap: 16 }, &small, 16, 16).unwrap();
    assert_eq!(block_offset(Variant::Above { gap: 16 }, &small, arm.tp), 32);
}

#[test]
fn nonsense_is_refused() {
    for variant in VARIANTS {
        assert_eq!(layout(variant, &image(8, 8, 0), 64, 64), None);
        assert_eq!(layout(variant, &image(8, 8, 24), 64, 64), None);
        assert_eq!(layout(variant, &image(9, 8, 8), 64, 64), None);
        assert_eq!(layout(variant, &image(8, 8, 8), 64, 48), None);
        assert_eq!(layout(variant, &image(8, 8, 8), 72, 64), None);
        assert_eq!(layout(variant, &image(8, usize::MAX, 8), 64, 64), None);
    }
}

#[test]
fn copy_writes_the_initial_values_only() {
    let init: [u8; 5] = [1, 2, 3, 4, 5];
    for variant in VARIANTS {
        let img = Image {
            addr: init.as_ptr() as usize,
            filesz: init.len(),
            memsz: 40,
            align: 16,
        };
        let a = layout(variant, &img, 64, 64).unwrap();
        #[repr(C, align(64))]
        struct Mem([u8; 512]);
        let mut mem = Mem([0; 512]);
        assert!(a.size <= mem.0.len());
        // SAFETY: `mem` is zeroed, 64-aligned and holds the area; `init`
        // is readable and apart from it.
        unsafe { copy_image(mem.0.as_mut_ptr(), &a, &img, variant) };
        let block = block_offset(variant, &img, a.tp);
        assert_eq!(&mem.0[block..block + 5], &init, "{variant:?}");
        let zero = |r: core::ops::Range<usize>| mem.0[r].iter().all(|b| *b == 0);
        assert!(zero(0..block), "{variant:?}");
        assert!(zero(block + 5..512), "{variant:?}");
    }
}
