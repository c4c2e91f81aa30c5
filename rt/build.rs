//! Puts freestand's linker scripts where the linker finds them, for the
//! link `FREESTAND_LINK` asks for (see `freestand_build::Link`).
//!
//! The script for the target architecture is copied into `OUT_DIR` as
//! `freestand.ld`, with the shared part as `freestand-common.ld`, the
//! program headers of the link as `freestand-link.ld` and where that link
//! puts RELRO as `freestand-relro.ld`, and `OUT_DIR` goes on the link
//! search path of every crate that depends on freestand-rt. A freestanding
//! binary then only needs `-Tfreestand.ld` (which `freestand_build::link`
//! passes); host binaries that link the library ignore the directory.
//!
//! It also sets `cfg(freestand_link = "...")` to the link's name: with
//! `static` (a plain static executable, linked `-no-pie`) the program is
//! final as linked, so `_start` leaves out self-relocation altogether, and
//! its script maps RELRO read-only.

use freestand_build::Link;
use std::path::PathBuf;
use std::{env, fs};

fn main() {
    // Said here, before anything is compiled for the target, so that it is
    // the first error a newcomer sees.
    let Some(arch) = freestand_build::check_arch("freestand-rt") else {
        return;
    };
    let link = match Link::from_env() {
        Ok(link) => link,
        Err(e) => return println!("cargo::error={e}"),
    };
    let Some(out) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return println!("cargo::error=OUT_DIR is not set: run this build script through cargo");
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("linker");
    let copy = |from: &str, to: &str| {
        let src = dir.join(from);
        println!("cargo::rerun-if-changed={}", src.display());
        fs::copy(&src, out.join(to))
            .map(drop)
            .map_err(|e| format!("copying {} into OUT_DIR: {e}", src.display()))
    };
    let name = if link.relocates() { "pie" } else { "static" };
    let copied = copy("common.ld", "freestand-common.ld")
        .and_then(|()| copy(&format!("{name}.ld"), "freestand-link.ld"))
        .and_then(|()| copy(&format!("{name}-relro.ld"), "freestand-relro.ld"))
        .and_then(|()| copy(&format!("{}.ld", arch.name), "freestand.ld"));
    if let Err(e) = copied {
        return println!("cargo::error={e}");
    }
    let values: Vec<String> = Link::ALL
        .iter()
        .map(|l| format!("\"{}\"", l.name()))
        .collect();
    println!(
        "cargo::rustc-check-cfg=cfg(freestand_link, values({}))",
        values.join(", ")
    );
    println!("cargo::rustc-cfg=freestand_link=\"{}\"", link.name());
    println!("cargo::rustc-link-search={}", out.display());
}
