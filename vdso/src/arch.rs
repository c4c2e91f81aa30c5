//! The one place that knows which architecture this crate is compiled for:
//! the `e_machine` the running program's vDSO must carry.
//!
//! The byte order and class come from [`Native`](crate::Native), chosen by
//! `target_pointer_width` and `target_endian`; only the machine number needs
//! a per-architecture table. An architecture missing here gets `None`, and
//! [`Vdso::from_sysinfo_ehdr`](crate::Vdso::from_sysinfo_ehdr) then refuses
//! with [`Error::UnsupportedArchitecture`](crate::Error::UnsupportedArchitecture)
//! rather than guess. Parsing a byte slice works on every architecture.

/// `e_machine` of the running program, or `None` if this crate does not know it.
pub const NATIVE_MACHINE: Option<u16> = native_machine();

const fn native_machine() -> Option<u16> {
    if cfg!(target_arch = "x86") {
        Some(3) // EM_386
    } else if cfg!(target_arch = "x86_64") {
        Some(62) // EM_X86_64 (also x32)
    } else if cfg!(target_arch = "arm") {
        Some(40) // EM_ARM
    } else if cfg!(target_arch = "aarch64") {
        Some(183) // EM_AARCH64
    } else if cfg!(any(target_arch = "riscv32", target_arch = "riscv64")) {
        Some(243) // EM_RISCV
    } else if cfg!(target_arch = "powerpc") {
        Some(20) // EM_PPC
    } else if cfg!(target_arch = "powerpc64") {
        Some(21) // EM_PPC64
    } else if cfg!(target_arch = "s390x") {
        Some(22) // EM_S390
    } else if cfg!(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6"
    )) {
        Some(8) // EM_MIPS
    } else if cfg!(target_arch = "loongarch64") {
        Some(258) // EM_LOONGARCH
    } else if cfg!(target_arch = "sparc64") {
        Some(43) // EM_SPARCV9
    } else if cfg!(target_arch = "csky") {
        Some(252) // EM_CSKY
    } else {
        None
    }
}
