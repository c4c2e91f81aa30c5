//! x86_64 threads: the thread pointer (`fs`) and the last
//! system calls of a thread that frees its own stack.
//!
//! TLS variant II (ELF TLS ABI, "ELF Handling For Thread-Local Storage",
//! §3.4.6): the thread pointer is the address of the control block, whose
//! first word holds that same address (`fs:0`), and the static TLS block
//! ends at the thread pointer.

use crate::thread::tls::Variant;
use freestand_syscalls::Errno;
use freestand_syscalls::arch::syscall2;
use freestand_syscalls::errno::decode_unit;
use linux_raw_sys::general::{__NR_exit, __NR_munmap, ARCH_SET_FS};

/// Where the static TLS block sits against the thread pointer.
pub(crate) const TLS_VARIANT: Variant = Variant::Below;

/// Whether the control block starts at the thread pointer (variant II)
/// rather than ending there (variant I).
pub(crate) const TCB_AT_TP: bool = true;

/// The thread pointer: the `fs` base, read through the self-pointer at
/// `fs:0`.
///
/// # Safety
///
/// The calling thread's thread pointer must have been set (by
/// [`set_thread_pointer`] or `CLONE_SETTLS`) to a control block whose first
/// word is its own address.
#[inline(always)]
pub(crate) unsafe fn thread_pointer() -> usize {
    let tp: usize;
    // SAFETY: the caller guarantees `fs:0` is mapped and holds the TP.
    unsafe {
        core::arch::asm!("mov {}, qword ptr fs:[0]", out(reg) tp,
            options(nostack, readonly, preserves_flags, pure))
    };
    tp
}

/// Sets the calling thread's thread pointer to `tp` (`arch_prctl`).
///
/// # Safety
///
/// `tp` must be the address of a control block that stays mapped for the
/// rest of the thread's life, its first word `tp` itself.
pub(crate) unsafe fn set_thread_pointer(tp: usize) -> Result<(), Errno> {
    // SAFETY: `ARCH_SET_FS` writes only the fs base.
    decode_unit(unsafe {
        syscall2(
            linux_raw_sys::general::__NR_arch_prctl,
            ARCH_SET_FS as usize,
            tp,
        )
    })
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
            "syscall",
            "xor edi, edi",
            "mov eax, {exit}",
            "syscall",
            "ud2",
            exit = const __NR_exit,
            in("rax") __NR_munmap as usize,
            in("rdi") base,
            in("rsi") len,
            options(noreturn, nostack)
        )
    }
}
