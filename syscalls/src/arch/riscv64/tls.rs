//! riscv64 thread-local addresses: local-exec TLS (variant I), the thread
//! pointer in `tp`.

/// The address of the calling thread's copy of the TLS symbol `$sym` (a
/// string literal or `concat!`), defined in this program's `PT_TLS`
/// segment: `tp` plus the symbol's link-time offset (`%tprel_hi`,
/// `%tprel_add`, `%tprel_lo`). Three instructions, no relocation at run
/// time.
///
/// The thread pointer must be set up (freestand-rt or libc does that for
/// every thread). Not meant to be used directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __tls_address {
    ($sym:expr) => {{
        let p: usize;
        // SAFETY: reads `tp` and adds link-time constants.
        unsafe {
            ::core::arch::asm!(
                ::core::concat!(
                    "lui {0}, %tprel_hi(", $sym, ")\n",
                    "add {0}, {0}, tp, %tprel_add(", $sym, ")\n",
                    "addi {0}, {0}, %tprel_lo(", $sym, ")"
                ),
                out(reg) p,
                options(nomem, nostack, pure, preserves_flags)
            )
        };
        p
    }};
}
