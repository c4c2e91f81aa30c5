//! aarch64 thread-local addresses: local-exec TLS (variant I), the thread
//! pointer in `tpidr_el0`.

/// The address of the calling thread's copy of the TLS symbol `$sym` (a
/// string literal or `concat!`), defined in this program's `PT_TLS`
/// segment: `tpidr_el0` plus the symbol's link-time offset
/// (`:tprel_hi12:` and `:tprel_lo12_nc:`). Three instructions, no
/// relocation at run time.
///
/// The thread pointer must be set up (freestand-rt or libc does that for
/// every thread). Not meant to be used directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __tls_address {
    ($sym:expr) => {{
        let p: usize;
        // SAFETY: reads a register and adds link-time constants.
        unsafe {
            ::core::arch::asm!(
                ::core::concat!(
                    "mrs {0}, tpidr_el0\n",
                    "add {0}, {0}, :tprel_hi12:", $sym, ", lsl #12\n",
                    "add {0}, {0}, :tprel_lo12_nc:", $sym
                ),
                out(reg) p,
                options(nomem, nostack, pure, preserves_flags)
            )
        };
        p
    }};
}
