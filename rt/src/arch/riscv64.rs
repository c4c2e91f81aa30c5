//! riscv64 entry: the body of `_start`.
//!
//! The kernel enters `_start` with `sp` pointing at `argc`, followed by
//! `argv`, `envp` and the auxiliary vector (RISC-V ELF psABI, "Process
//! Initialization"). `sp` is 16-byte aligned, `a0` holds a function to
//! register with `atexit` (0 for a static binary, ignored) and every other
//! register is unspecified, including `gp`.

/// Expands to the `naked_asm!` body of `_start`, which calls `$entry`
/// (an `extern "C" fn(*mut usize) -> !`) with the kernel's stack pointer.
///
/// Used by [`entry!`](macro@crate::entry); not meant to be called directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __start_asm {
    ($entry:path) => {
        ::core::arch::naked_asm!(
            // Load the global pointer PC-relatively. Relaxation must be off
            // here, or the linker could turn this very load into a
            // gp-relative one, which reads gp before it is set.
            ".option push",
            ".option norelax",
            "lla gp, __global_pointer$",
            ".option pop",
            // End the frame-pointer chain and the return-address chain.
            "li fp, 0",
            "li ra, 0",
            // Keep the initial stack pointer in a callee-saved register.
            "mv s1, sp",
            // Keep the 16-byte alignment the psABI requires at calls.
            "andi sp, sp, -16",
            // Apply the program's own relocations, through a direct call.
            "mv a0, s1",
            "call {relocate}",
            // The initial stack pointer is `entry`'s only argument.
            "mv a0, s1",
            "call {entry}",
            // `entry` never returns.
            "unimp",
            relocate = sym $crate::relocate::relocate,
            entry = sym $entry,
        )
    };
}

/// `R_RISCV_RELATIVE`: store `base + addend` (RISC-V ELF psABI,
/// "Relocations").
pub(crate) const R_RELATIVE: u32 = 3;

/// The run-time address of this program's ELF header (`__ehdr_start`, which
/// the linker defines), computed from the program counter so that it needs
/// no relocation.
#[inline(always)]
pub(crate) fn ehdr_start() -> *const u8 {
    let p: *const u8;
    // SAFETY: computes an address; reads and writes no memory.
    unsafe {
        core::arch::asm!(
            "lla {}, __ehdr_start",
            out(reg) p,
            options(nomem, nostack, preserves_flags, pure)
        )
    };
    p
}
