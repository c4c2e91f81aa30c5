//! Link arguments for the freestanding example binaries, and only for them
//! (`rustc-link-arg-examples`): host tests and build scripts are untouched.
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
    let mut args: Vec<&str> = vec!["-Tfreestand.ld", "--build-id=none", "-z", "text"];
    match kind.as_str() {
        "pie" => args.extend([
            "-static",
            "-pie",
            "--no-dynamic-linker",
            "-z",
            "pack-relative-relocs",
        ]),
        "pie-rela" => args.extend(["-static", "-pie", "--no-dynamic-linker"]),
        // The linker script links at the usual fixed base when it sees
        // this symbol.
        "static" => args.extend(["-static", "--no-pie", "--defsym=FREESTAND_NO_PIE=1"]),
        other => panic!("FREESTAND_LINK={other:?}: use pie (the default), pie-rela or static"),
    }
    if !direct {
        // Through the C compiler driver: no libc start files or libraries,
        // and the linker's own arguments behind -Wl.
        println!("cargo:rustc-link-arg-examples=-nostartfiles");
        println!("cargo:rustc-link-arg-examples=-nostdlib");
        println!(
            "cargo:rustc-link-arg-examples={}",
            if kind == "static" {
                "-no-pie"
            } else {
                "-static-pie"
            }
        );
    }
    let mut i = 0;
    while i < args.len() {
        // `-z X` travels as one argument through the driver.
        let (arg, step) = match args[i] {
            "-z" => (
                format!("-z{}{}", if direct { " " } else { "," }, args[i + 1]),
                2,
            ),
            a => (a.to_string(), 1),
        };
        if direct {
            for a in arg.split(' ') {
                println!("cargo:rustc-link-arg-examples={a}");
            }
        } else {
            println!("cargo:rustc-link-arg-examples=-Wl,{arg}");
        }
        i += step;
    }
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    println!("cargo:rerun-if-env-changed=FREESTAND_LINK");
    // The demo names the architecture it was built for.
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    println!("cargo:rustc-env=FREESTAND_ARCH={arch}");
}
