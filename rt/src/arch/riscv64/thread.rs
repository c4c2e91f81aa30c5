//! riscv64 threads: the thread pointer (`tp`) and the last system
//! calls of a thread that frees its own stack.
//!
//! TLS variant I (ELF TLS ABI, "ELF Handling For Thread-Local Storage",
//! §3.4.1; RISC-V ELF psABI, "Thread Local Storage"): the static TLS block
//! starts at the thread pointer, and freestand keeps its control block
//! just below it.

use crate::thread::tls::Variant;
use freestand_syscalls::Errno;
use linux_raw_sys::general::{__NR_exit, __NR_munmap};

/// Where the static TLS block sits against the thread pointer.
pub(crate) const TLS_VARIANT: Variant = Variant::Above { gap: 0 };

/// Whether the control block starts at the thread pointer (variant II)
/// rather than ending there (variant I).
pub(crate) const TCB_AT_TP: bool = false;

/// The thread pointer, `tp`.
///
/// # Safety
///
/// None beyond reading a register; `unsafe` for the same signature on
/// every architecture.
#[inline(always)]
pub(crate) unsafe fn thread_pointer() -> usize {
    let tp: usize;
    // SAFETY: reads a register.
    unsafe { core::arch::asm!("mv {}, tp", out(reg) tp, options(nomem, nostack, preserves_flags)) };
    tp
}

/// Sets the calling thread's thread pointer to `tp`.
///
/// # Safety
///
/// `tp` must stay valid as the thread's thread pointer for the rest of
/// its life.
pub(crate) unsafe fn set_thread_pointer(tp: usize) -> Result<(), Errno> {
    // SAFETY: writes a register that only TLS accesses read; the psABI
    // reserves it for this.
    unsafe { core::arch::asm!("mv tp, {}", in(reg) tp, options(nomem, nostack, preserves_flags)) };
    Ok(())
}

/// Unmaps `base..base + len`, which may hold the calling thread's own
/// stack, then ends the thread with `exit(0)`, touching no memory in
/// between.
///
/// # Safety
///
/// Every signal must be blocked and nothing else may use the range; the
/// kernel must not be asked to clear a tid word inside it
/// (`set_tid_address(NULL)` first).
pub(crate) unsafe fn unmap_and_exit(base: usize, len: usize) -> ! {
    // SAFETY: the caller guarantees no signal runs on the stack being
    // unmapped; both calls take plain integers.
    unsafe {
        core::arch::asm!(
            "ecall",
            "li a0, 0",
            "li a7, {exit}",
            "ecall",
            "unimp",
            exit = const __NR_exit,
            in("a7") __NR_munmap as usize,
            in("a0") base,
            in("a1") len,
            options(noreturn, nostack)
        )
    }
}
