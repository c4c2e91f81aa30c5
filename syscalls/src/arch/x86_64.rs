//! x86_64 system calls: the `syscall` instruction.
//!
//! Kernel ABI (`arch/x86/entry/entry_64.S`): the number goes in `rax`, the
//! arguments in `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`; the result comes back
//! in `rax`. The instruction itself overwrites `rcx` (return address) and
//! `r11` (saved `rflags`), so both are clobbered. `sysret` restores `rflags`
//! from `r11`, so the flags the caller sees are preserved. The kernel switches
//! to its own stack, so the user stack is not touched.
//!
//! # References
//!
//! syscall(2), "Architecture calling conventions" (x86-64: `syscall`, `rax`, `rdi rsi rdx r10 r8 r9`); the kernel's `arch/x86/entry/entry_64.S`
//!
//! # Safety
//!
//! Every function here executes an arbitrary system call. The caller must
//! pass a number and arguments that form a valid call, and must uphold
//! whatever that call requires of the memory its arguments point to.

use core::arch::asm;

/// Performs system call `nr` with no arguments.
///
/// # Safety
///
/// `nr` must be a system call whose effects the caller accounts for.
#[inline]
pub unsafe fn syscall0(nr: u32) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the asm follows the kernel
    // ABI above and declares every register the instruction changes.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Like [`syscall0`], for calls that read no user memory and write none.
///
/// # Safety
///
/// As for [`syscall0`]; in addition the call must not write memory that Rust
/// can observe.
#[inline]
pub unsafe fn syscall0_readonly(nr: u32) -> usize {
    let ret;
    // SAFETY: as in `syscall0`; the caller promises the call writes no user
    // memory, which is what `readonly` tells the compiler.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags, readonly));
    }
    ret
}

/// Performs system call `nr` with one argument.
///
/// # Safety
///
/// `nr` and `a0` must form a call whose effects the caller accounts for.
#[inline]
pub unsafe fn syscall1(nr: u32, a0: usize) -> usize {
    let ret;
    // SAFETY: see `syscall0`.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret, in("rdi") a0,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Like [`syscall1`], for calls that write no memory Rust can observe.
///
/// # Safety
///
/// As for [`syscall1`]; the call must not write memory Rust can observe.
#[inline]
pub unsafe fn syscall1_readonly(nr: u32, a0: usize) -> usize {
    let ret;
    // SAFETY: see `syscall0_readonly`.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret, in("rdi") a0,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags, readonly));
    }
    ret
}

/// Performs system call `nr`, which never returns (`exit`, `exit_group`).
///
/// # Safety
///
/// `nr` must be a call that cannot return, such as `exit_group`.
#[inline]
pub unsafe fn syscall1_noreturn(nr: u32, a0: usize) -> ! {
    // SAFETY: the caller guarantees the call does not return, so no register
    // needs to survive it.
    unsafe {
        asm!("syscall", in("rax") nr as usize, in("rdi") a0, options(nostack, noreturn));
    }
}

/// Performs system call `nr` with two arguments.
///
/// # Safety
///
/// `nr` and its arguments must form a call whose effects the caller accounts for.
#[inline]
pub unsafe fn syscall2(nr: u32, a0: usize, a1: usize) -> usize {
    let ret;
    // SAFETY: see `syscall0`.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret, in("rdi") a0, in("rsi") a1,
             lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Performs system call `nr` with three arguments.
///
/// # Safety
///
/// `nr` and its arguments must form a call whose effects the caller accounts for.
#[inline]
pub unsafe fn syscall3(nr: u32, a0: usize, a1: usize, a2: usize) -> usize {
    let ret;
    // SAFETY: see `syscall0`.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// Performs system call `nr` with four arguments.
///
/// # Safety
///
/// `nr` and its arguments must form a call whose effects the caller accounts for.
#[inline]
pub unsafe fn syscall4(nr: u32, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    let ret;
    // SAFETY: see `syscall0`. The fourth argument goes in `r10`, not `rcx`,
    // because the instruction overwrites `rcx`.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, lateout("rcx") _, lateout("r11") _,
             options(nostack, preserves_flags));
    }
    ret
}

/// Performs system call `nr` with five arguments.
///
/// # Safety
///
/// `nr` and its arguments must form a call whose effects the caller accounts for.
#[inline]
pub unsafe fn syscall5(nr: u32, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    let ret;
    // SAFETY: see `syscall4`.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, in("r8") a4, lateout("rcx") _, lateout("r11") _,
             options(nostack, preserves_flags));
    }
    ret
}

/// Performs system call `nr` with six arguments.
///
/// # Safety
///
/// `nr` and its arguments must form a call whose effects the caller accounts for.
#[inline]
pub unsafe fn syscall6(
    nr: u32,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> usize {
    let ret;
    // SAFETY: see `syscall4`.
    unsafe {
        asm!("syscall", inlateout("rax") nr as usize => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, in("r8") a4, in("r9") a5, lateout("rcx") _,
             lateout("r11") _, options(nostack, preserves_flags));
    }
    ret
}

/// The symbol version of every function in the x86_64 vDSO
/// (`arch/x86/entry/vdso/vdso.lds.S`).
pub(crate) const VDSO_VERSION: &str = "LINUX_2.6";

/// The x86_64 vDSO's symbol for `call`, if it has one.
pub(crate) const fn vdso_symbol(call: crate::route::Call) -> Option<&'static str> {
    use crate::route::Call;
    match call {
        Call::ClockGettime => Some("__vdso_clock_gettime"),
        Call::ClockGetres => Some("__vdso_clock_getres"),
        Call::Gettimeofday => Some("__vdso_gettimeofday"),
        Call::Time => Some("__vdso_time"),
        Call::Getcpu => Some("__vdso_getcpu"),
        Call::Getrandom => Some("__vdso_getrandom"),
        Call::RiscvHwprobe | Call::RiscvFlushIcache => None,
    }
}

/// The `time` system call, with the signature of `__vdso_time`.
///
/// # Safety
///
/// `t` must be null or valid for writing an `i64`.
pub(crate) unsafe extern "C" fn time_shim(t: *mut i64) -> isize {
    // SAFETY: the kernel writes the result to `t` only if it is non-null,
    // and the caller made it writable.
    unsafe { syscall1(crate::nr::__NR_time, t as usize) as isize }
}

/// The x86_64 kernel returns from a signal handler to the address in
/// `sa_restorer`, which must make the `rt_sigreturn` system call
/// (`arch/x86/kernel/signal_64.c` refuses handlers without `SA_RESTORER`
/// in practice: the return address would be garbage). This fills it in.
pub(crate) fn set_restorer(sa: &mut linux_raw_sys::general::kernel_sigaction) {
    sa.sa_flags |= linux_raw_sys::general::SA_RESTORER as core::ffi::c_ulong;
    // SAFETY: `restore_rt` takes no arguments and never returns; the field
    // only holds its address for the kernel.
    sa.sa_restorer = Some(unsafe {
        core::mem::transmute::<unsafe extern "C" fn() -> !, unsafe extern "C" fn()>(restore_rt)
    });
}

/// Where a signal handler returns to: `rt_sigreturn`, which restores the
/// interrupted context from the signal frame at the stack pointer. Must
/// not touch the stack before the call.
#[unsafe(naked)]
unsafe extern "C" fn restore_rt() -> ! {
    core::arch::naked_asm!(
        "mov eax, {nr}",
        "syscall",
        "ud2",
        nr = const crate::nr::__NR_rt_sigreturn,
    )
}

/// Offset of the interrupted stack pointer in the `ucontext` a
/// `SA_SIGINFO` handler receives: `uc_flags`, `uc_link` and the 24-byte
/// `uc_stack` come first, then `struct sigcontext`, whose 16th word is
/// `rsp` (`arch/x86/include/uapi/asm/sigcontext.h`).
pub(crate) const UCONTEXT_SP: usize = 8 + 8 + 24 + 15 * 8;

/// `clone(flags, stack, ptid, ctid, tls)` (passed in this architecture's
/// register order). In the child, which starts on `stack`, calls
/// `entry(arg)`; the parent gets the raw result, the child's id or
/// `-errno`. Shared by `process::vfork_spawn` (tid words and TLS null)
/// and freestand-rt's threads.
///
/// The child never returns into Rust code of the parent's: it runs
/// nothing but `entry`, on the new stack, with no frame to unwind to.
///
/// # Safety
///
/// `ptid`, `ctid` and `tls` must be what `clone(2)` asks for the `flags`
/// given (null or 0 where a flag does not use them); `stack` must be the
/// 16-byte-aligned top of memory the child may use as its stack; `entry`
/// must not return and must be sound to run in the child `flags` create,
/// with `arg`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn clone_run(
    flags: usize,
    stack: usize,
    ptid: *mut u32,
    ctid: *mut u32,
    tls: usize,
    entry: unsafe extern "C" fn(usize) -> !,
    arg: usize,
) -> usize {
    let ret: usize;
    // SAFETY: the caller vouches for the arguments. `entry` and `arg` sit
    // in registers the kernel copies to the child; the child's branch
    // clears the frame pointer (no caller to walk back to), calls `entry`
    // with the stack 16-byte aligned at the call, and never comes back.
    unsafe {
        asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "xor ebp, ebp",
            "mov rdi, r13",
            "call r12",
            "ud2",
            "2:",
            inlateout("rax") crate::nr::__NR_clone as usize => ret,
            in("rdi") flags,
            in("rsi") stack,
            in("rdx") ptid,
            in("r10") ctid,
            in("r8") tls,
            in("r12") entry,
            in("r13") arg,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack)
        )
    };
    ret
}

/// Thread-local addresses ([`__tls_address!`](crate::__tls_address)), the
/// same macro on every architecture.
#[path = "x86_64/tls.rs"]
mod tls;

/// The rseq signature of this architecture: the 4 bytes before every
/// abort handler, the value glibc and the kernel's selftests use
/// (`tools/testing/selftests/rseq/rseq-x86.h`).
pub(crate) const RSEQ_SIG: u32 = 0x5305_3053;
