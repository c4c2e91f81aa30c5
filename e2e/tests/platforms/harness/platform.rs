//! The four platforms, and whether each can run here.

use std::process::Command;

/// An architecture freestand supports, in the order of
/// `freestand_build::ARCHES` (the one list of them), with what the suite
/// expects of it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arch {
    /// x86_64.
    X86_64,
    /// riscv64 (RV64GC).
    Riscv64,
    /// aarch64.
    Aarch64,
}

impl Arch {
    /// Every architecture, in the order the suite builds them.
    pub const ALL: [Arch; 3] = [Arch::X86_64, Arch::Riscv64, Arch::Aarch64];

    /// Its entry in `freestand_build::ARCHES`.
    fn info(self) -> &'static freestand_build::Arch {
        &freestand_build::ARCHES[self as usize]
    }

    /// The Rust target the programs are built for.
    pub fn triple(self) -> &'static str {
        self.info().triple
    }

    /// The prefix of this architecture's vDSO function names.
    pub fn vdso_prefix(self) -> &'static str {
        match self {
            Arch::X86_64 | Arch::Riscv64 => "__vdso_",
            Arch::Aarch64 => "__kernel_",
        }
    }

    /// The architecture's name, as `CARGO_CFG_TARGET_ARCH` spells it.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

/// Where the programs run: natively or under a qemu-user emulator.
pub struct Platform {
    /// The name the suite prints (`native-x86_64`, `qemu-riscv64`...).
    pub name: &'static str,
    /// The architecture of the programs it runs.
    pub arch: Arch,
    /// The qemu-user emulator that runs them, if not native.
    pub qemu: Option<&'static str>,
    /// Why this platform cannot run, if it cannot.
    pub broken: Option<String>,
}

/// The four platforms, each with what keeps it from running, if anything.
pub fn platforms() -> Vec<Platform> {
    let mut native = Platform {
        name: "native-x86_64",
        arch: Arch::X86_64,
        qemu: None,
        broken: None,
    };
    if !cfg!(target_arch = "x86_64") {
        native.broken = Some("the native platform of this suite is x86_64".into());
    }
    let mut all = vec![native];
    for arch in Arch::ALL {
        let qemu = arch.info().qemu;
        all.push(Platform {
            name: qemu,
            arch,
            qemu: Some(qemu),
            broken: check_qemu(qemu),
        });
    }
    if Arch::ALL.len() != freestand_build::ARCHES.len() {
        for p in &mut all {
            p.broken = Some(format!(
                "freestand_build::ARCHES lists {} architectures, the suite's Arch {}: \
                 give the new one its expectations in harness/platform.rs",
                freestand_build::ARCHES.len(),
                Arch::ALL.len()
            ));
        }
    }
    all
}

/// Checks that `qemu` exists and is at least 8.1 (older qemu-user maps no
/// vDSO for the guest).
fn check_qemu(qemu: &str) -> Option<String> {
    let fix = "install qemu-user >= 8.1: run scripts/test.sh as root on Debian/Ubuntu, or \
               `apt-get install -t bookworm-backports qemu-user` on Debian 12";
    let out = match Command::new(qemu).arg("--version").output() {
        Ok(o) => o,
        Err(e) => return Some(format!("{qemu} not found ({e}); {fix}")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text
        .split_whitespace()
        .skip_while(|w| *w != "version")
        .nth(1)
        .unwrap_or("");
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) < (8, 1) {
        return Some(format!(
            "{qemu} is version {version:?}, older than 8.1; {fix}"
        ));
    }
    None
}

/// What qemu-x86_64 and qemu-aarch64 add to stderr when their guest dies
/// by `SIGSEGV`: they report "core dumped" even when the core limit is 0
/// and nothing is written. qemu-riscv64 has no core dumps and says nothing.
pub fn qemu_segv_line(p: &Platform) -> &'static str {
    match (p.qemu, p.arch) {
        (Some(_), Arch::X86_64 | Arch::Aarch64) => {
            "qemu: uncaught target signal 11 (Segmentation fault) - core dumped\n"
        }
        _ => "",
    }
}
