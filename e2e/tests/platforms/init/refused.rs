//! Links the linker script refuses: a program whose `entry!` says `init =
//! false` (which defines `__freestand_init_off`) but has TLS or an init
//! array, and `.ctors`. Each links a tiny object with the bundled
//! rust-lld and freestand's static-PIE scripts for this architecture, as
//! `link/scripts.rs` does, next to a control that must link.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Check, Ctx, tool, workspace};

/// A program to link: Rust items added to a minimal freestanding crate,
/// and the `ERROR(freestand)` message that refuses it (`None`: it links).
struct Link {
    name: &'static str,
    items: &'static [&'static str],
    refusal: Option<&'static str>,
}

/// What `entry!(main, init = false)` adds.
const INIT_OFF: &str = "core::arch::global_asm!(\".globl __freestand_init_off\", \
                        \".set __freestand_init_off, 1\");\n";
const ARRAY: &str = "extern \"C\" fn f() {}\n#[used]\n\
                     #[unsafe(link_section = \".init_array\")]\nstatic F: extern \"C\" fn() = f;\n";
const TLS: &str = "core::arch::global_asm!(\".section .tbss,\\\"awT\\\",@nobits\", \
                   \"v: .zero 8\", \".text\");\n";
const CTORS: &str = "extern \"C\" fn f() {}\n#[used]\n\
                     #[unsafe(link_section = \".ctors\")]\nstatic F: extern \"C\" fn() = f;\n";
const OFF_REFUSAL: &str = "ERROR(freestand): the program has thread-local storage";

const LINKS: [Link; 5] = [
    Link {
        name: "init_off",
        items: &[INIT_OFF],
        refusal: None,
    },
    Link {
        name: "array_and_tls",
        items: &[ARRAY, TLS],
        refusal: None,
    },
    Link {
        name: "init_off_array",
        items: &[INIT_OFF, ARRAY],
        refusal: Some(OFF_REFUSAL),
    },
    Link {
        name: "init_off_tls",
        items: &[INIT_OFF, TLS],
        refusal: Some(OFF_REFUSAL),
    },
    Link {
        name: "ctors",
        items: &[CTORS],
        refusal: Some("ERROR(freestand): .ctors/.dtors constructor lists are not run"),
    },
];

/// Each link of [`LINKS`] is refused with its message, or links.
pub fn case(c: &Ctx) -> Check {
    let dir = std::env::temp_dir().join(format!(
        "freestand-init-refused-{}-{}",
        c.p.name,
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = links(c, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn links(c: &Ctx, dir: &Path) -> Check {
    let linker = workspace().join("linker");
    let arch_script = format!("{}.ld", c.p.arch.name());
    for (from, to) in [
        ("common.ld", "freestand-common.ld"),
        ("pie.ld", "freestand-link.ld"),
        ("pie-relro.ld", "freestand-relro.ld"),
        (arch_script.as_str(), "freestand.ld"),
    ] {
        let from = linker.join(from);
        std::fs::copy(&from, dir.join(to)).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let lld = rust_lld(&rustc)?;
    for l in LINKS {
        let src = dir.join(format!("{}.rs", l.name));
        let text = format!(
            "#![no_std]\n#![no_main]\n#[unsafe(no_mangle)]\npub extern \"C\" fn _start() -> ! {{ loop {{}} }}\n\
             #[panic_handler]\nfn p(_: &core::panic::PanicInfo) -> ! {{ loop {{}} }}\n{}",
            l.items.concat()
        );
        std::fs::write(&src, text).map_err(|e| format!("{}: {e}", src.display()))?;
        let obj = dir.join(format!("{}.o", l.name));
        let out = Command::new(&rustc)
            .args(["--edition", "2024", "--emit=obj", "-O", "-C", "panic=abort"])
            .args(["-C", "relocation-model=pic", "--target", c.p.arch.triple()])
            .arg(&src)
            .arg("-o")
            .arg(&obj)
            .output()
            .map_err(|e| format!("{rustc}: {e}"))?;
        if !out.status.success() {
            return Err(format!("{rustc}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let out = Command::new(&lld)
            .args(["-flavor", "gnu", "-static", "-pie", "--no-dynamic-linker"])
            .arg("-L")
            .arg(dir)
            .arg("-Tfreestand.ld")
            .arg(&obj)
            .arg("-o")
            .arg(dir.join(l.name))
            .output()
            .map_err(|e| format!("{}: {e}", lld.display()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let ok = match l.refusal {
            None => out.status.success(),
            Some(msg) => !out.status.success() && stderr.contains(msg),
        };
        if !ok {
            return Err(format!(
                "{}: expected {}, got status {:?}: {stderr}",
                l.name,
                l.refusal.unwrap_or("a link"),
                out.status.code()
            ));
        }
    }
    Ok(())
}

/// The rust-lld that ships with the toolchain.
fn rust_lld(rustc: &str) -> Result<PathBuf, String> {
    let sysroot = tool(rustc, &[OsStr::new("--print"), OsStr::new("sysroot")])?;
    let host = tool(rustc, &[OsStr::new("--print"), OsStr::new("host-tuple")])?;
    Ok(PathBuf::from(sysroot.trim())
        .join("lib/rustlib")
        .join(host.trim())
        .join("bin/rust-lld"))
}
