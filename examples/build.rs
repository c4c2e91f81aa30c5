//! Link arguments for the freestanding example binaries, and only for them
//! (`rustc-link-arg-examples`): host tests and build scripts are untouched.
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
    let args: &[&str] = if direct {
        &["-Tfreestand.ld", "-static", "--no-pie", "--build-id=none"]
    } else {
        &[
            "-nostartfiles",
            "-nostdlib",
            "-static",
            "-no-pie",
            "-Wl,--build-id=none",
            "-Wl,-Tfreestand.ld",
        ]
    };
    for a in args {
        println!("cargo:rustc-link-arg-examples={a}");
    }
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    // The demo names the architecture it was built for.
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    println!("cargo:rustc-env=FREESTAND_ARCH={arch}");
}
