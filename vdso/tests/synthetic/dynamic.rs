//! Dynamic entries an image may leave out.

use crate::common::{Spec, build};

use super::check;

#[test]
fn optional_dynamic_entries_may_be_absent() {
    let s = Spec {
        write_strsz: false,
        write_syment: false,
        ..Spec::x86_64()
    };
    check(&build(&s), "no DT_STRSZ, no DT_SYMENT");
    let s = Spec {
        write_strsz: false,
        gnu: false,
        sysv: false,
        ..Spec::x86_64()
    };
    check(&build(&s), "linear walk without DT_STRSZ");
    let s = Spec {
        version_symbols: false,
        ..Spec::x86_64()
    };
    check(&build(&s), "no version symbols");
}
