//! x86_64 entry: the body of `_start`.
//!
//! The kernel enters `_start` with `rsp` pointing at `argc`, followed by
//! `argv`, `envp` and the auxiliary vector (System V AMD64 ABI, §3.4.1).
//! `rsp` is 16-byte aligned there, `rdx` holds a function the ABI says to
//! register with `atexit` (always 0 for a static binary, so it is ignored),
//! and every other register is unspecified.

/// Expands to the `naked_asm!` body of `_start`, which calls `$entry`
/// (an `extern "C" fn(*mut usize) -> !`) with the kernel's stack pointer.
///
/// Used by [`entry!`](macro@crate::entry); not meant to be called directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __start_asm {
    ($entry:path) => {
        ::core::arch::naked_asm!(
            // End the frame-pointer chain for backtraces.
            "xor ebp, ebp",
            // Keep the initial stack pointer in a callee-saved register.
            "mov rbx, rsp",
            // Align to 16 before the calls (the kernel already does, but the
            // ABI requires it here and a stray `-8` would break SSE spills).
            "and rsp, -16",
            // Apply the program's own relocations, through a direct call.
            "mov rdi, rbx",
            "call {relocate}",
            // The initial stack pointer is `entry`'s only argument.
            "mov rdi, rbx",
            "call {entry}",
            // `entry` never returns.
            "ud2",
            relocate = sym $crate::relocate::relocate,
            entry = sym $entry,
        )
    };
}

/// `R_X86_64_RELATIVE`: store `base + addend` (System V AMD64 psABI, table
/// "Relocation Types").
pub(crate) const R_RELATIVE: u32 = 8;

/// The run-time address of this program's ELF header (`__ehdr_start`, which
/// the linker defines), computed from the instruction pointer so that it
/// needs no relocation.
#[inline(always)]
pub(crate) fn ehdr_start() -> *const u8 {
    let p: *const u8;
    // SAFETY: computes an address; reads and writes no memory.
    unsafe {
        core::arch::asm!(
            "lea {}, [rip + __ehdr_start]",
            out(reg) p,
            options(nomem, nostack, preserves_flags, pure)
        )
    };
    p
}
