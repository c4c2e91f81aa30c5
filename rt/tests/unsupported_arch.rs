//! Building freestand-rt for an architecture it does not support stops at
//! once with a message that names the supported targets. The build script
//! says it (`cargo::error`, which cargo prints as the build's error) before
//! anything is compiled for the target; this test runs the build script
//! cargo compiled for this test's own build, as cargo would for a
//! `powerpc64` target.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The build scripts cargo compiled for freestand-rt, beside this test's
/// `deps/` directory: `target/<profile>/build/freestand-rt-*/build-script-build`.
fn build_scripts() -> Vec<PathBuf> {
    let exe = std::env::current_exe().expect("the test knows its path");
    let build = exe
        .parent()
        .and_then(Path::parent)
        .map(|p| p.join("build"))
        .expect("the test runs from target/<profile>/deps");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&build)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    found.retain(|d| {
        d.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("freestand-rt-"))
    });
    found
        .into_iter()
        .map(|d| d.join("build-script-build"))
        .filter(|s| s.is_file())
        .collect()
}

#[test]
fn unsupported_architecture_is_refused_with_the_supported_list() {
    let scripts = build_scripts();
    assert!(
        !scripts.is_empty(),
        "no compiled build script of freestand-rt found"
    );
    let rt = Path::new(env!("CARGO_MANIFEST_DIR"));
    for script in scripts {
        let dir = std::env::temp_dir().join(format!("freestand-build-rs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new(&script)
            .env("OUT_DIR", &dir)
            .env("CARGO_MANIFEST_DIR", rt)
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
            "{}: build script output:\n{stdout}",
            script.display()
        );
        // Nothing else was attempted: no linker script was copied.
        assert!(!stdout.contains("rustc-link-search"), "{stdout}");
    }
}
