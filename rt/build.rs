//! Puts freestand's linker scripts where the linker finds them.
//!
//! The script for the target architecture is copied into `OUT_DIR` as
//! `freestand.ld` (with the shared part as `freestand-common.ld`), and
//! `OUT_DIR` goes on the link search path of every crate that depends on
//! freestand-rt. A freestanding binary then only needs `-Tfreestand.ld`;
//! host binaries that link the library ignore the directory.

use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let arch = env::var("CARGO_CFG_TARGET_ARCH").expect("cargo sets CARGO_CFG_TARGET_ARCH");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../linker");
    let copy = |from: &str, to: &str| {
        let src = dir.join(from);
        println!("cargo:rerun-if-changed={}", src.display());
        fs::copy(&src, out.join(to))
            .unwrap_or_else(|e| panic!("copying {} into OUT_DIR: {e}", src.display()));
    };
    copy("common.ld", "freestand-common.ld");
    match arch.as_str() {
        "x86_64" | "riscv64" => copy(&format!("{arch}.ld"), "freestand.ld"),
        // The crate's compile_error! names the supported architectures.
        _ => {}
    }
    println!("cargo:rustc-link-search={}", out.display());
}
