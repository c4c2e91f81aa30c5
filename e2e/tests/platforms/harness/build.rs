//! The builds: one nested `cargo build` of both packages' freestanding
//! programs per architecture, profile and link kind, all before any case
//! runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::Arch;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the default link kind is built (`FREESTAND_TEST_TARGET_DIR`, or
/// `target/platforms`); the other kinds and the quick start build next to
/// it.
pub fn target_dir() -> PathBuf {
    std::env::var_os("FREESTAND_TEST_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/platforms"))
}

/// One build: a profile and a link kind of `examples/build.rs` and
/// `e2e/build.rs` (`FREESTAND_LINK`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Kind {
    profile: &'static str,
    link: &'static str,
}

/// The builds each architecture gets: the default static-PIE with
/// `DT_RELR` in dev and release, and the two other link kinds in release
/// only, each into its own target directory.
const KINDS: [Kind; 4] = [
    Kind {
        profile: "dev",
        link: "pie",
    },
    Kind {
        profile: "release",
        link: "pie",
    },
    Kind {
        profile: "release",
        link: "pie-rela",
    },
    Kind {
        profile: "release",
        link: "static",
    },
];

/// The programs of one architecture, by build.
pub struct Dirs {
    /// Debug build, default link (static-PIE, `DT_RELR`).
    pub dev: PathBuf,
    /// Release build, default link.
    pub release: PathBuf,
    /// Release build, `FREESTAND_LINK=pie-rela`.
    pub rela: PathBuf,
    /// Release build, `FREESTAND_LINK=static`.
    pub plain_static: PathBuf,
}

/// Every build's programs directory, or why the build failed.
pub struct Builds(BTreeMap<(&'static str, Kind), Result<PathBuf, String>>);

impl Builds {
    /// Builds everything, once.
    pub fn all() -> Builds {
        let mut builds = BTreeMap::new();
        for arch in Arch::ALL {
            for kind in KINDS {
                builds.insert((arch.triple(), kind), build(arch, kind));
            }
        }
        Builds(builds)
    }

    /// The four builds of `arch`, or the first build's error.
    pub fn dirs(&self, arch: Arch) -> Result<Dirs, String> {
        let [dev, release, rela, plain_static] = KINDS.map(|k| self.0[&(arch.triple(), k)].clone());
        Ok(Dirs {
            dev: dev?,
            release: release?,
            rela: rela?,
            plain_static: plain_static?,
        })
    }
}

/// Builds the examples and the test programs for `arch` as `kind` says;
/// returns the directory that holds them.
fn build(arch: Arch, kind: Kind) -> Result<PathBuf, String> {
    let Kind { profile, link } = kind;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    let dir = match link {
        "pie" => target_dir(),
        other => target_dir().with_file_name(format!("platforms-{other}")),
    };
    cmd.current_dir(workspace())
        .args([
            "build",
            "--quiet",
            "-p",
            "freestand-examples",
            "-p",
            "freestand-e2e",
        ])
        .args(["--examples", "--features", "freestand-e2e/programs"])
        .args(["--target", arch.triple(), "--profile", profile])
        .env("FREESTAND_LINK", link)
        .arg("--target-dir")
        .arg(&dir);
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the examples and test programs for {} ({profile}, FREESTAND_LINK={link}) failed",
            arch.triple()
        ));
    }
    let sub = if profile == "dev" { "debug" } else { profile };
    Ok(dir.join(arch.triple()).join(sub).join("examples"))
}
