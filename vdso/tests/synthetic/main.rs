//! Hand-built images: every hash-table combination, versioning case, layout
//! and address scheme, and the typed error of each kind of damage.
//!
//! One test binary, one module per area, in the order the parser reads an
//! image: [`layouts`] (class, byte order, link address and segments),
//! [`dynamic`] (optional entries), [`hash_tables`], [`symbols`] (which ones
//! a lookup or a listing returns), [`versions`], and [`damage`] (the typed
//! error of each kind). The helpers they share are here.

#[path = "../common/mod.rs"]
mod common;

mod layouts;

mod dynamic;

mod hash_tables;

mod symbols;

mod versions;

mod damage;

use common::{Built, SHN_UNDEF, STB_LOCAL, STT_OBJECT, Spec};
use freestand_vdso::{AnyVdso, Error, LookupMethod};

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
