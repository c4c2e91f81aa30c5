//! Symbol versions: none at all, one name in two versions, and a version
//! with only a hidden symbol.

use crate::common::{Spec, Sym, build};
use freestand_vdso::{AnyVdso, Error, Version};

use super::{check, listing};

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
