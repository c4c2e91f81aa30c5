//! Each kind of linker script refuses the other kind of link.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Check, Ctx, tool, workspace};

/// Each kind of linker script refuses the other kind of link with its
/// `ERROR(freestand)` message, and accepts its own. The plain static
/// script (`FREESTAND_LINK=static`: no self-relocation in `_start`)
/// refuses a position-independent link; the static-PIE script refuses a
/// `-no-pie` link, which would run at address 0. Links a tiny object
/// holding one relative relocation with the bundled rust-lld and
/// freestand's scripts for this architecture, as a user's build would.
pub fn case_kind_scripts_refuse_other_link(c: &Ctx) -> Check {
    let dir = std::env::temp_dir().join(format!(
        "freestand-link-scripts-{}-{}",
        c.p.name,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = kind_scripts_link(c, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The linker arguments of a static-PIE link, and of a plain static one.
const PIE: &[&str] = &["-pie", "--no-dynamic-linker"];
const NO_PIE: &[&str] = &["--no-pie"];

/// A kind's linker script: the link it accepts, and the one it refuses
/// with `refusal`.
struct KindScript {
    script: &'static str,
    accepts: &'static [&'static str],
    refuses: &'static [&'static str],
    refusal: &'static str,
}

const KIND_SCRIPTS: [KindScript; 2] = [
    KindScript {
        script: "static.ld",
        accepts: NO_PIE,
        refuses: PIE,
        refusal: "ERROR(freestand): freestand-rt was built with FREESTAND_LINK=static, \
                  which leaves out self-relocation, but this link produced relocations",
    },
    KindScript {
        script: "pie.ld",
        accepts: PIE,
        refuses: NO_PIE,
        refusal: "ERROR(freestand): this is a non-PIE link, but freestand-rt was built \
                  for static-PIE",
    },
];

fn kind_scripts_link(c: &Ctx, dir: &Path) -> Check {
    let write = |name: &str, text: &[u8]| {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write(
        "t.rs",
        b"#![no_std]\n#![no_main]\nstatic A: usize = 1;\n#[used]\nstatic P: &usize = &A;\n\
          #[unsafe(no_mangle)]\npub extern \"C\" fn _start() -> ! { loop {} }\n\
          #[panic_handler]\nfn p(_: &core::panic::PanicInfo) -> ! { loop {} }\n",
    )?;
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let obj = dir.join("t.o");
    let out = Command::new(&rustc)
        .args(["--edition", "2024", "--emit=obj", "-O", "-C", "panic=abort"])
        .args(["-C", "relocation-model=pic", "--target", c.p.arch.triple()])
        .arg(dir.join("t.rs"))
        .arg("-o")
        .arg(&obj)
        .output()
        .map_err(|e| format!("{rustc}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{rustc}: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let sysroot = tool(&rustc, &[OsStr::new("--print"), OsStr::new("sysroot")])?;
    let host = tool(&rustc, &[OsStr::new("--print"), OsStr::new("host-tuple")])?;
    let lld = PathBuf::from(sysroot.trim())
        .join("lib/rustlib")
        .join(host.trim())
        .join("bin/rust-lld");
    let link = |kind: &[&str]| {
        Command::new(&lld)
            .args(["-flavor", "gnu", "-static"])
            .args(kind)
            .arg("-L")
            .arg(dir)
            .arg("-Tfreestand.ld")
            .arg(&obj)
            .arg("-o")
            .arg(dir.join("t"))
            .output()
            .map_err(|e| format!("{}: {e}", lld.display()))
    };
    let linker = workspace().join("linker");
    let arch_script = format!("{}.ld", c.p.arch.name());
    for k in KIND_SCRIPTS {
        // As freestand-rt's build script lays them out for this kind.
        let relro = k.script.replace(".ld", "-relro.ld");
        for (from, to) in [
            ("common.ld", "freestand-common.ld"),
            (k.script, "freestand-link.ld"),
            (relro.as_str(), "freestand-relro.ld"),
            (arch_script.as_str(), "freestand.ld"),
        ] {
            let from = linker.join(from);
            std::fs::copy(&from, dir.join(to)).map_err(|e| format!("{}: {e}", from.display()))?;
        }
        let refused = link(k.refuses)?;
        let stderr = String::from_utf8_lossy(&refused.stderr);
        if refused.status.success() || !stderr.contains(k.refusal) {
            return Err(format!(
                "{}, linked with {:?}: {stderr}",
                k.script, k.refuses
            ));
        }
        let linked = link(k.accepts)?;
        if !linked.status.success() {
            return Err(format!(
                "{}, linked with {:?}: {}",
                k.script,
                k.accepts,
                String::from_utf8_lossy(&linked.stderr)
            ));
        }
    }
    Ok(())
}
