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
            // The initial stack pointer is `entry`'s only argument.
            "mov rdi, rsp",
            // Align to 16 before the call (the kernel already does, but the
            // ABI requires it here and a stray `-8` would break SSE spills).
            "and rsp, -16",
            "call {entry}",
            // `entry` never returns.
            "ud2",
            entry = sym $entry,
        )
    };
}
