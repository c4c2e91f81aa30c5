//! Fixtures edited in place to reach a case: a GNU hash chain that ends at
//! the last symbol index, and an aarch64 image with one hash table hidden.

use crate::common::fixture;
use freestand_vdso::{AnyVdso, Error, Native, Vdso};

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
