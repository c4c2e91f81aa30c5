//! Link arguments for the end-to-end test programs (`programs/`, this
//! package's examples), and only for them (`rustc-link-arg-examples`): the
//! harness, host tests and build scripts are untouched. The same logic as
//! `examples/build.rs`.
//!
//! `FREESTAND_LINK` picks the kind of executable:
//!
//! - `pie` (the default): a static-PIE, `ET_DYN` with no interpreter, its
//!   relative relocations packed as `DT_RELR`; the runtime relocates itself
//!   (see `freestand_rt::relocate`);
//! - `pie-rela`: the same with plain `DT_RELA` relocations;
//! - `static`: a classic static `ET_EXEC` at a fixed address, no
//!   relocations at all.
//!
//! With a C compiler as the linker driver (the default for x86_64), the
//! driver must be told not to add libc's start files and libraries. With
//! `rust-lld` (riscv64, see `.cargo/config.toml`) the arguments go to the
//! linker directly.

use std::env;

fn main() {
    let linker = env::var("RUSTC_LINKER").unwrap_or_default();
    let direct = ["rust-lld", "ld.lld", "ld"]
        .iter()
        .any(|l| linker.ends_with(l));
    let kind = env::var("FREESTAND_LINK").unwrap_or_else(|_| "pie".into());
    // The linker's own arguments (`-zX` joined, so each is one argument
    // that can travel behind `-Wl,`), and what the C driver is told.
    let mut args = vec!["-Tfreestand.ld", "--build-id=none", "-ztext"];
    let driver = match kind.as_str() {
        "pie" => {
            args.extend([
                "-static",
                "-pie",
                "--no-dynamic-linker",
                "-zpack-relative-relocs",
            ]);
            "-static-pie"
        }
        "pie-rela" => {
            args.extend(["-static", "-pie", "--no-dynamic-linker"]);
            "-static-pie"
        }
        // freestand-rt's build script, which reads `FREESTAND_LINK` too,
        // has given this kind its own script (fixed base, read-only RELRO)
        // and leaves self-relocation out of `_start`.
        "static" => {
            args.extend(["-static", "--no-pie"]);
            "-no-pie"
        }
        other => panic!("FREESTAND_LINK={other:?}: use pie (the default), pie-rela or static"),
    };
    if direct {
        for a in args {
            println!("cargo:rustc-link-arg-examples={a}");
        }
    } else {
        // Through the C compiler driver: no libc start files or libraries.
        for a in ["-nostartfiles", "-nostdlib", driver] {
            println!("cargo:rustc-link-arg-examples={a}");
        }
        for a in args {
            println!("cargo:rustc-link-arg-examples=-Wl,{a}");
        }
    }
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    println!("cargo:rerun-if-env-changed=FREESTAND_LINK");
}
