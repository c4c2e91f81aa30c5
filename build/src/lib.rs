//! Build-script helper for freestand programs.
//!
//! A freestand program is linked with freestand's linker script and, when a
//! C compiler drives the link, without the C library's start files. Those
//! arguments belong to the freestanding binaries only: host unit tests and
//! build scripts must not see them. One line in the app's `build.rs` does
//! it:
//!
//! ```no_run
//! fn main() {
//!     freestand_build::link();
//! }
//! ```
//!
//! with `freestand-build` under `[build-dependencies]`. [`link`] passes the
//! arguments to the package's binaries (`cargo::rustc-link-arg-bins`);
//! [`link_examples`] passes them to its examples instead.
//!
//! # The link: `FREESTAND_LINK`
//!
//! The environment variable `FREESTAND_LINK` (read at build time) picks the
//! [`Link`]: `pie` (the default), `pie-rela` or `static`. freestand-rt's
//! build script reads the same variable, so set it for the whole build:
//! `FREESTAND_LINK=static cargo build --release`.
//!
//! # The linker
//!
//! `RUSTC_LINKER` (cargo sets it from `.cargo/config.toml`'s `linker`) says
//! how the arguments are spelled ([`Linker`]): straight to the linker for
//! `rust-lld` and other `ld`s, behind `-Wl,` and with
//! `-nostartfiles -nostdlib` for a C compiler driver (the default linker on
//! x86_64).
//!
//! # Supported architectures
//!
//! [`ARCHES`] is the one list of the architectures freestand supports.
//! freestand-rt and freestand-syscalls check the target against it in their
//! build scripts ([`check_arch`]), so that building for another one stops
//! with one clear message before anything is compiled for it.
//!
//! # Errors
//!
//! A bad `FREESTAND_LINK` or an unsupported architecture is reported to
//! cargo as a build error (`cargo::error=`) that names the accepted values;
//! nothing here panics.

// The example above is a build script, whose `main` is the point.
#![allow(clippy::needless_doctest_main)]

use std::env;
use std::fmt;
use std::path::Path;

/// An architecture freestand supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arch {
    /// The name Rust gives it (`target_arch`).
    pub name: &'static str,
    /// The Rust target freestand builds for it.
    pub triple: &'static str,
    /// The qemu-user emulator that runs it on another host.
    pub qemu: &'static str,
}

/// The architectures freestand supports, and the only list of them: each
/// has an `arch/` file in freestand-syscalls and freestand-rt and a linker
/// script in `linker/` (see `docs/porting.md`).
pub const ARCHES: [Arch; 3] = [
    Arch {
        name: "x86_64",
        triple: "x86_64-unknown-linux-gnu",
        qemu: "qemu-x86_64",
    },
    Arch {
        name: "riscv64",
        triple: "riscv64gc-unknown-linux-gnu",
        qemu: "qemu-riscv64",
    },
    Arch {
        name: "aarch64",
        triple: "aarch64-unknown-linux-gnu",
        qemu: "qemu-aarch64",
    },
];

impl Arch {
    /// The supported architecture named `name` (a `target_arch`), if any.
    pub fn find(name: &str) -> Option<&'static Arch> {
        ARCHES.iter().find(|a| a.name == name)
    }
}

/// The kind of executable a freestand program is linked as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// `pie`, the default: a static position-independent executable
    /// (`ET_DYN`, no interpreter) whose relative relocations are packed as
    /// `DT_RELR`; the runtime relocates itself at start-up.
    Pie,
    /// `pie-rela`: the same with plain `DT_RELA` relocations.
    PieRela,
    /// `static`: a classic static `ET_EXEC` at a fixed address, final as
    /// linked; its `_start` does nothing before `entry`.
    Static,
}

/// `FREESTAND_LINK` holds a value that names no [`Link`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLink(pub String);

impl fmt::Display for BadLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?} is not a link freestand knows: use pie (the default), pie-rela or static",
            Link::VAR,
            self.0
        )
    }
}

impl std::error::Error for BadLink {}

impl Link {
    /// The environment variable that picks the link.
    pub const VAR: &'static str = "FREESTAND_LINK";

    /// Every link, the default first.
    pub const ALL: [Link; 3] = [Link::Pie, Link::PieRela, Link::Static];

    /// The value of `FREESTAND_LINK` that names this link.
    pub fn name(self) -> &'static str {
        match self {
            Link::Pie => "pie",
            Link::PieRela => "pie-rela",
            Link::Static => "static",
        }
    }

    /// The link a value of `FREESTAND_LINK` names.
    pub fn parse(value: &str) -> Result<Link, BadLink> {
        Link::ALL
            .into_iter()
            .find(|l| l.name() == value)
            .ok_or_else(|| BadLink(value.into()))
    }

    /// The link `FREESTAND_LINK` asks for: [`Link::Pie`] when it is unset.
    /// Tells cargo to run the build script again when it changes.
    pub fn from_env() -> Result<Link, BadLink> {
        println!("cargo::rerun-if-env-changed={}", Link::VAR);
        match env::var(Link::VAR) {
            Ok(v) => Link::parse(&v),
            Err(env::VarError::NotPresent) => Ok(Link::Pie),
            Err(env::VarError::NotUnicode(v)) => Err(BadLink(v.to_string_lossy().into())),
        }
    }

    /// Whether the program applies its own relocations at start-up.
    pub fn relocates(self) -> bool {
        self != Link::Static
    }

    /// The arguments that link a freestand program this way with `linker`.
    pub fn args(self, linker: Linker) -> Vec<String> {
        // What the linker itself is told (`-zX` joined, so that each is one
        // argument that can travel behind `-Wl,`) ...
        let mut ld = vec!["-Tfreestand.ld", "--build-id=none", "-ztext"];
        ld.extend(match self {
            Link::Pie => &[
                "-static",
                "-pie",
                "--no-dynamic-linker",
                "-zpack-relative-relocs",
            ][..],
            Link::PieRela => &["-static", "-pie", "--no-dynamic-linker"],
            Link::Static => &["-static", "--no-pie"],
        });
        match linker {
            Linker::Ld => ld.into_iter().map(String::from).collect(),
            // ... and, through a C compiler, no C start files or libraries,
            // and the driver's own name for the kind of executable.
            Linker::Driver => {
                let kind = if self.relocates() {
                    "-static-pie"
                } else {
                    "-no-pie"
                };
                ["-nostartfiles", "-nostdlib", kind]
                    .into_iter()
                    .map(String::from)
                    .chain(ld.into_iter().map(|a| format!("-Wl,{a}")))
                    .collect()
            }
        }
    }
}

/// How the link is driven.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linker {
    /// A C compiler (`cc`, the default on x86_64), which adds start files
    /// and libraries unless told not to.
    Driver,
    /// A linker called directly: `rust-lld` (freestand's choice for riscv64
    /// and aarch64) or another `ld`.
    Ld,
}

impl Linker {
    /// The linker cargo will use, from `RUSTC_LINKER`: [`Linker::Driver`]
    /// unless it names an `ld`.
    pub fn from_env() -> Linker {
        println!("cargo::rerun-if-env-changed=RUSTC_LINKER");
        Linker::of(&env::var("RUSTC_LINKER").unwrap_or_default())
    }

    /// How the linker at `path` is driven, judged by its file name.
    pub fn of(path: &str) -> Linker {
        let name = Path::new(path).file_name().and_then(|n| n.to_str());
        let lds = [
            "rust-lld", "ld.lld", "lld", "ld", "ld.bfd", "ld.gold", "ld.mold", "mold",
        ];
        match name {
            Some(n) if lds.contains(&n) => Linker::Ld,
            _ => Linker::Driver,
        }
    }
}

/// Passes the link arguments of `FREESTAND_LINK` to this package's binaries
/// (`[[bin]]` targets and `src/main.rs`), and to nothing else. Call it from
/// `build.rs`.
pub fn link() {
    emit("bins");
}

/// Like [`link`], for this package's examples instead of its binaries.
pub fn link_examples() {
    emit("examples");
}

fn emit(targets: &str) {
    match Link::from_env() {
        Ok(link) => {
            for a in link.args(Linker::from_env()) {
                println!("cargo::rustc-link-arg-{targets}={a}");
            }
        }
        Err(e) => println!("cargo::error={e}"),
    }
}

/// For the build scripts of freestand's own crates: checks that the target
/// architecture (`CARGO_CFG_TARGET_ARCH`) is one of [`ARCHES`], and
/// otherwise reports a build error naming the supported targets. Returns
/// the architecture.
pub fn check_arch(crate_name: &str) -> Option<&'static Arch> {
    let name = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let arch = Arch::find(&name);
    if arch.is_none() {
        println!("cargo::error={}", unsupported(crate_name, &name));
    }
    arch
}

/// What [`check_arch`] says of an architecture not in [`ARCHES`].
pub fn unsupported(crate_name: &str, arch: &str) -> String {
    let names: Vec<&str> = ARCHES.iter().map(|a| a.name).collect();
    let triples: Vec<&str> = ARCHES.iter().map(|a| a.triple).collect();
    let (last, rest) = names.split_last().unwrap_or((&"", &[]));
    format!(
        "{crate_name} supports {} and {last} only ({}); this target's architecture is `{arch}`",
        rest.join(", "),
        triples.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_by_name() {
        for l in Link::ALL {
            assert_eq!(Link::parse(l.name()), Ok(l));
        }
        let e = Link::parse("dynamic").unwrap_err();
        assert_eq!(
            e.to_string(),
            "FREESTAND_LINK=\"dynamic\" is not a link freestand knows: use pie (the default), pie-rela or static"
        );
    }

    #[test]
    fn linkers_by_file_name() {
        assert_eq!(Linker::of("rust-lld"), Linker::Ld);
        assert_eq!(Linker::of("/usr/bin/ld.lld"), Linker::Ld);
        assert_eq!(Linker::of(""), Linker::Driver);
        assert_eq!(Linker::of("cc"), Linker::Driver);
        assert_eq!(Linker::of("/usr/bin/x86_64-linux-gnu-gcc"), Linker::Driver);
        assert_eq!(Linker::of("clang-build"), Linker::Driver);
    }

    #[test]
    fn arguments() {
        assert_eq!(
            Link::Static.args(Linker::Driver),
            [
                "-nostartfiles",
                "-nostdlib",
                "-no-pie",
                "-Wl,-Tfreestand.ld",
                "-Wl,--build-id=none",
                "-Wl,-ztext",
                "-Wl,-static",
                "-Wl,--no-pie"
            ]
        );
        assert_eq!(
            Link::Pie.args(Linker::Ld),
            [
                "-Tfreestand.ld",
                "--build-id=none",
                "-ztext",
                "-static",
                "-pie",
                "--no-dynamic-linker",
                "-zpack-relative-relocs"
            ]
        );
    }

    #[test]
    fn arches_are_distinct() {
        for (i, a) in ARCHES.iter().enumerate() {
            assert_eq!(Arch::find(a.name), Some(a));
            assert!(a.triple.starts_with(a.name.trim_end_matches("64")));
            assert!(ARCHES[i + 1..].iter().all(|b| b.name != a.name));
        }
        assert_eq!(Arch::find("powerpc64"), None);
    }

    #[test]
    fn unsupported_names_every_target() {
        assert_eq!(
            unsupported("freestand-rt", "powerpc64"),
            "freestand-rt supports x86_64, riscv64 and aarch64 only \
             (x86_64-unknown-linux-gnu, riscv64gc-unknown-linux-gnu, \
             aarch64-unknown-linux-gnu); this target's architecture is `powerpc64`"
        );
    }
}
