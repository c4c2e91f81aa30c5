//! The C mem functions a program exports: checked against a byte-wise
//! reference inside a freestanding program. (That they never call
//! themselves is `hardening`'s `mem_functions_never_call_themselves`.)

use crate::harness::{Case, Check, Ctx, expect, run};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![Case {
        name: "mem_functions_match_a_bytewise_reference",
        run: case_bytewise_reference,
    }]
}

/// `probe mem` runs `freestand_rt::mem::check` on `memcpy`, `memmove`,
/// `memset`, `memcmp` and `bcmp` as the program exports them: every length
/// up to 256 at every offset, every overlap, lengths up to 1 MiB + 13.
///
/// The release build only, where the optimiser has had its way with the
/// functions; it takes a second or two under qemu. The debug build takes
/// 35 to 50 s there: its functions are checked on the host by freestand-rt's
/// unit tests, run in the debug builds of every other case, and are
/// disassembled by `mem_functions_never_call_themselves`.
fn case_bytewise_reference(c: &Ctx) -> Check {
    let bin = c.release_dir.join("probe");
    let out = run(c.p, &bin, &[b"mem"], &[])?;
    expect(&out, b"mem: ok\n", b"", 0).map_err(|e| format!("{}: {e}", bin.display()))
}
