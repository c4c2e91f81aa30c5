//! What every case uses: the platforms, the builds, running a program on a
//! platform, and comparing what it printed with what it should have.

mod build;
mod expect;
mod platform;
mod run;

use std::path::PathBuf;

pub use build::{Builds, Dirs, target_dir, workspace};
pub use expect::{expect, expect_clean_exit, expect_contains, expect_signal, probe_location, show};
pub use platform::{Arch, Platform, platforms, qemu_segv_line};
pub use run::{Output, command, output, run, run_empty_argv, tempdir, tool, which};

/// A case's verdict: `Err` says what differed.
pub type Check = Result<(), String>;

/// A named check, run once on each platform.
pub struct Case {
    /// The name printed after `test PLATFORM::`, and matched by the filter.
    pub name: &'static str,
    /// The check itself.
    pub run: fn(&Ctx) -> Check,
}

/// What a case gets: its platform and the built programs for that
/// platform's architecture.
pub struct Ctx<'a> {
    /// Where the programs run.
    pub p: &'a Platform,
    /// Debug build, default link (static-PIE, `DT_RELR`).
    pub dir: PathBuf,
    /// Release build, default link.
    pub release_dir: PathBuf,
    /// Release build with `FREESTAND_LINK=pie-rela`.
    pub rela_dir: PathBuf,
    /// Release build with `FREESTAND_LINK=static`.
    pub static_dir: PathBuf,
}

impl<'a> Ctx<'a> {
    /// The context of the cases on `p`, whose programs are in `dirs`.
    pub fn new(p: &'a Platform, dirs: &Dirs) -> Ctx<'a> {
        Ctx {
            p,
            dir: dirs.dev.clone(),
            release_dir: dirs.release.clone(),
            rela_dir: dirs.rela.clone(),
            static_dir: dirs.plain_static.clone(),
        }
    }

    /// The debug build of program `name`.
    pub fn bin(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Runs the debug build of `name` with exactly `args` and `env`.
    pub fn run(&self, name: &str, args: &[&[u8]], env: &[(&str, &[u8])]) -> Result<Output, String> {
        run(self.p, &self.bin(name), args, env)
    }
}
