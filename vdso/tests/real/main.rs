//! Real images: the test process's own vDSO, and the committed fixtures
//! (qemu-user guest vDSOs of many architectures and a host dump), each
//! checked against readelf.
//!
//! One test binary, one module per source of images: [`fixtures`] as
//! committed, [`edited_fixtures`] changed to reach a case, [`own_vdso`]
//! the process's own, and [`address_path`] buffers opened by address as
//! the kernel's vDSO is. The checks they share are here.

#[path = "../common/mod.rs"]
mod common;

mod fixtures;

mod edited_fixtures;

mod own_vdso;

mod address_path;

use freestand_vdso::{AnyVdso, Error, LookupMethod};

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
