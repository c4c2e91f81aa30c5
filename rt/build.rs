//! Puts freestand's linker scripts where the linker finds them, for the
//! kind of executable `FREESTAND_LINK` asks for.
//!
//! The script for the target architecture is copied into `OUT_DIR` as
//! `freestand.ld`, with the shared part as `freestand-common.ld`, the
//! program headers of the kind of executable as `freestand-kind.ld` and
//! where that kind puts RELRO as `freestand-relro.ld`, and
//! `OUT_DIR` goes on the link search path of every crate that depends on
//! freestand-rt. A freestanding binary then only needs `-Tfreestand.ld`;
//! host binaries that link the library ignore the directory.
//!
//! `FREESTAND_LINK=static` (a plain static executable, linked `-no-pie`)
//! also sets `cfg(freestand_no_pie)`: such a program is final as linked,
//! so `_start` leaves out self-relocation altogether, and its script maps
//! RELRO read-only. Unset, `pie` or `pie-rela`: a static-PIE.

use std::path::PathBuf;
use std::{env, fs};

/// The architectures freestand-rt has an `arch/` file and a linker script for.
const SUPPORTED: [&str; 3] = ["x86_64", "riscv64", "aarch64"];

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let arch = env::var("CARGO_CFG_TARGET_ARCH").expect("cargo sets CARGO_CFG_TARGET_ARCH");
    if !SUPPORTED.contains(&arch.as_str()) {
        // Said here, before anything is compiled for the target, so that
        // it is the first error a newcomer sees (the crate's
        // compile_error! says the same, later).
        println!(
            "cargo::error=freestand-rt supports x86_64, riscv64 and aarch64 only \
             (x86_64-unknown-linux-gnu, riscv64gc-unknown-linux-gnu, \
             aarch64-unknown-linux-gnu); this target's architecture is `{arch}`"
        );
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("linker");
    let copy = |from: &str, to: &str| {
        let src = dir.join(from);
        println!("cargo:rerun-if-changed={}", src.display());
        fs::copy(&src, out.join(to))
            .unwrap_or_else(|e| panic!("copying {} into OUT_DIR: {e}", src.display()));
    };
    copy("common.ld", "freestand-common.ld");
    println!("cargo::rustc-check-cfg=cfg(freestand_no_pie)");
    println!("cargo:rerun-if-env-changed=FREESTAND_LINK");
    match env::var("FREESTAND_LINK").as_deref() {
        Err(_) | Ok("pie" | "pie-rela") => {
            copy("pie.ld", "freestand-kind.ld");
            copy("pie-relro.ld", "freestand-relro.ld");
        }
        Ok("static") => {
            copy("static.ld", "freestand-kind.ld");
            copy("static-relro.ld", "freestand-relro.ld");
            println!("cargo:rustc-cfg=freestand_no_pie");
        }
        Ok(other) => panic!("FREESTAND_LINK={other:?}: use pie (the default), pie-rela or static"),
    }
    copy(&format!("{arch}.ld"), "freestand.ld");
    println!("cargo:rustc-link-search={}", out.display());
}
