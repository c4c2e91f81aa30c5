//! Which symbols a lookup returns and a listing shows, and a symbol whose
//! name is damaged.

use crate::common::{
    SHN_ABS, SHN_UNDEF, STB_LOCAL, STB_WEAK, STT_NOTYPE, STT_OBJECT, Spec, Sym, build,
};
use freestand_vdso::{AnyVdso, Error};

use super::{listing, put};

#[test]
fn only_callable_symbols_are_returned() {
    let mut s = Spec::x86_64();
    s.symbols = vec![
        Sym {
            kind: STT_OBJECT,
            ..Sym::func("data_object", Some(0), 0x800)
        },
        Sym {
            bind: STB_LOCAL,
            ..Sym::func("local_func", Some(0), 0x810)
        },
        Sym {
            shndx: SHN_UNDEF,
            value: 0,
            ..Sym::func("undefined_func", Some(0), 0)
        },
        Sym {
            kind: STT_NOTYPE,
            ..Sym::func("notype_entry", Some(0), 0x820)
        },
        Sym {
            bind: STB_WEAK,
            ..Sym::func("weak_func", Some(0), 0x830)
        },
        Sym {
            shndx: SHN_ABS,
            ..Sym::func("abs_func", Some(0), 0x1234)
        },
        Sym {
            kind: 6,
            ..Sym::func("tls_thing", Some(0), 0x840)
        },
    ];
    for (gnu, sysv) in [(true, false), (false, true), (false, false)] {
        let b = build(&Spec {
            gnu,
            sysv,
            ..s.clone()
        });
        let v = AnyVdso::parse(&b.bytes).unwrap();
        for bad in ["data_object", "local_func", "undefined_func", "tls_thing"] {
            assert_eq!(
                v.lookup(bad, "LINUX_2.6"),
                Err(Error::SymbolNotFound),
                "{bad}"
            );
        }
        assert_eq!(
            v.lookup("notype_entry", "LINUX_2.6").unwrap().address,
            0x820
        );
        assert_eq!(v.lookup("weak_func", "LINUX_2.6").unwrap().address, 0x830);
        // An absolute symbol is defined; its value is not biased by the
        // writer but is by the lookup (a vDSO has none but its versions).
        assert_eq!(v.lookup("abs_func", "LINUX_2.6").unwrap().value, 0x1234);
        let lines = listing(&v);
        assert_eq!(lines, b.lines());
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("local_func @@LINUX_2.6 FUNC LOCAL"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("data_object @@LINUX_2.6 OBJECT GLOBAL"))
        );
        assert!(
            !lines
                .iter()
                .any(|l| l.starts_with("undefined_func") || l.starts_with("tls_thing"))
        );
        let all: Vec<_> = v.all_symbols().map(Result::unwrap).collect();
        assert_eq!(all.len(), b.offs.nsyms);
        assert!(
            all.iter()
                .any(|s| s.name == b"undefined_func" && !s.is_defined())
        );
    }
}

#[test]
fn bad_symbol_name_is_an_item_error() {
    let good = build(&Spec::x86_64());
    let mut bytes = good.bytes.clone();
    // st_name of symbol 1 far outside the string table.
    put(&mut bytes, good.offs.symtab + 24, 4, 0x00ff_ffff, false);
    let v = AnyVdso::parse(&bytes).unwrap();
    let items: Vec<_> = v.symbols().collect();
    assert_eq!(items[0], Err(Error::OutOfRange { field: "st_name" }));
    assert!(items[1..].iter().all(Result::is_ok));
    // The other symbols still resolve.
    assert!(v.lookup(&good.syms[1].name, "LINUX_2.6").is_ok());
}
