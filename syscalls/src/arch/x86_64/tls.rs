//! x86_64 thread-local addresses: local-exec TLS (variant II), the thread
//! pointer at `fs:0`.

/// The address of the calling thread's copy of the TLS symbol `$sym` (a
/// string literal or `concat!`), defined in this program's `PT_TLS`
/// segment: the thread pointer from `fs:0` plus the symbol's link-time
/// offset (`@tpoff`). Two instructions, no relocation at run time.
///
/// The thread pointer must be set up (freestand-rt or libc does that for
/// every thread). Not meant to be used directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __tls_address {
    ($sym:expr) => {{
        let p: usize;
        // SAFETY: reads `fs:0`, which holds the thread pointer on every
        // thread the runtime made, and adds a link-time constant.
        unsafe {
            ::core::arch::asm!(
                ::core::concat!("mov {0}, qword ptr fs:[0]\n", "lea {0}, [{0} + ", $sym, "@tpoff]"),
                out(reg) p,
                options(nostack, readonly, pure, preserves_flags)
            )
        };
        p
    }};
}
