//! The four platforms, and whether each can run here.

use std::process::Command;

/// An architecture freestand supports.
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

    /// The Rust target the programs are built for.
    pub fn triple(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-gnu",
            Arch::Riscv64 => "riscv64gc-unknown-linux-gnu",
            Arch::Aarch64 => "aarch64-unknown-linux-gnu",
        }
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
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Riscv64 => "riscv64",
            Arch::Aarch64 => "aarch64",
        }
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
    let platform = |name, arch, qemu: Option<&'static str>| Platform {
        name,
        arch,
        qemu,
        broken: qemu.and_then(check_qemu),
    };
    let mut native = platform("native-x86_64", Arch::X86_64, None);
    if !cfg!(target_arch = "x86_64") {
        native.broken = Some("the native platform of this suite is x86_64".into());
    }
    vec![
        native,
        platform("qemu-x86_64", Arch::X86_64, Some("qemu-x86_64")),
        platform("qemu-riscv64", Arch::Riscv64, Some("qemu-riscv64")),
        platform("qemu-aarch64", Arch::Aarch64, Some("qemu-aarch64")),
    ]
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
