//! Building freestand-rt for an architecture it does not support stops at
//! once with a message that names the supported targets. The build script
//! says it (`cargo::error`, which cargo prints as the build's error) before
//! anything is compiled for the target; this test compiles that build
//! script for the host and runs it as cargo would for a `powerpc64` target.

use std::path::Path;
use std::process::Command;

#[test]
fn unsupported_architecture_is_refused_with_the_supported_list() {
    let rt = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("freestand-build-rs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("build-script");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let status = Command::new(rustc)
        .args(["--edition", "2024", "--crate-name", "build_script_build"])
        .arg(rt.join("build.rs"))
        .arg("-o")
        .arg(&script)
        .env("CARGO_MANIFEST_DIR", rt)
        .status()
        .expect("rustc runs");
    assert!(status.success(), "rt/build.rs compiles for the host");
    let out = Command::new(&script)
        .env("OUT_DIR", &dir)
        .env("CARGO_CFG_TARGET_ARCH", "powerpc64")
        .output()
        .expect("the build script runs");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "cargo::error=freestand-rt supports x86_64, riscv64 and aarch64 only \
             (x86_64-unknown-linux-gnu, riscv64gc-unknown-linux-gnu, \
             aarch64-unknown-linux-gnu); this target's architecture is `powerpc64`"
        ),
        "build script output:\n{stdout}"
    );
    // Nothing else was attempted: no linker script was copied.
    assert!(!stdout.contains("rustc-link-search"), "{stdout}");
}
