//! aarch64 system calls: the `svc #0` instruction.
//!
//! Kernel ABI (`arch/arm64/kernel/entry.S`, `Documentation/arch/arm64/`):
//! the number goes in `x8`, the arguments in `x0`..`x5`; the result comes
//! back in `x0`. The kernel restores every other general-purpose register,
//! the flags and the FP/SIMD registers `v0`..`v31`, and does not touch the
//! user stack. With SVE, the bits of the `z` registers above the low 128
//! and all of the `p` registers and `FFR` are zeroed by a system call
//! (`Documentation/arch/arm64/sve.rst`); Rust's inline assembly cannot name
//! those registers as clobbered, so building with the `sve` target feature
//! is refused below.
//!
//! # References
//!
//! syscall(2), "Architecture calling conventions" (arm64: `svc #0`, `x8`, `x0`..`x5`); the kernel's `arch/arm64/kernel/entry.S`, `Documentation/arch/arm64/sve.rst`
//!
//! # Safety
//!
//! Every function here executes an arbitrary system call. The caller must
//! pass a number and arguments that form a valid call, and must uphold
//! whatever that call requires of the memory its arguments point to.

use core::arch::asm;

#[cfg(target_feature = "sve")]
compile_error!(
    "freestand: aarch64 system calls zero the SVE state, which inline assembly cannot declare; \
     build without the `sve` target feature"
);

/// Emits `svc #0` with the given operands.
macro_rules! svc {
    ([$($opt:ident),*] $($ops:tt)*) => {{
        asm!("svc #0", $($ops)* options(nostack, preserves_flags $(, $opt)*));
    }};
}

/// Performs system call `nr` with no arguments.
///
/// # Safety
///
/// `nr` must be a system call whose effects the caller accounts for.
#[inline]
pub unsafe fn syscall0(nr: u32) -> usize {
    let ret;
    // SAFETY: the caller vouches for the call; the asm follows the kernel
    // ABI above and declares every register the kernel may change.
    unsafe { svc!([] in("x8") nr as usize, lateout("x0") ret,) };
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
    unsafe { svc!([readonly] in("x8") nr as usize, lateout("x0") ret,) };
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
    unsafe { svc!([] in("x8") nr as usize, inlateout("x0") a0 => ret,) };
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
    unsafe { svc!([readonly] in("x8") nr as usize, inlateout("x0") a0 => ret,) };
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
        asm!("svc #0", in("x8") nr as usize, in("x0") a0, options(nostack, noreturn));
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
    unsafe { svc!([] in("x8") nr as usize, inlateout("x0") a0 => ret, in("x1") a1,) };
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
    unsafe { svc!([] in("x8") nr as usize, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,) };
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
    // SAFETY: see `syscall0`.
    unsafe {
        svc!([] in("x8") nr as usize, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
               in("x3") a3,)
    };
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
    // SAFETY: see `syscall0`.
    unsafe {
        svc!([] in("x8") nr as usize, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
               in("x3") a3, in("x4") a4,)
    };
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
    // SAFETY: see `syscall0`.
    unsafe {
        svc!([] in("x8") nr as usize, inlateout("x0") a0 => ret, in("x1") a1, in("x2") a2,
               in("x3") a3, in("x4") a4, in("x5") a5,)
    };
    ret
}

/// The symbol version of every function in the aarch64 vDSO
/// (`arch/arm64/kernel/vdso/vdso.lds.S`).
pub(crate) const VDSO_VERSION: &str = "LINUX_2.6.39";

/// The aarch64 vDSO's symbol for `call`, if it has one. Its functions are
/// named `__kernel_*`; there is no `time` and no `getcpu` (both are served
/// by their system call, `time` through `clock_gettime`), and
/// `__kernel_getrandom` exists from Linux 6.12.
pub(crate) const fn vdso_symbol(call: crate::route::Call) -> Option<&'static str> {
    use crate::route::Call;
    match call {
        Call::ClockGettime => Some("__kernel_clock_gettime"),
        Call::ClockGetres => Some("__kernel_clock_getres"),
        Call::Gettimeofday => Some("__kernel_gettimeofday"),
        Call::Time => None,
        Call::Getcpu => None,
        Call::Getrandom => Some("__kernel_getrandom"),
        Call::RiscvHwprobe => None,
        Call::RiscvFlushIcache => None,
    }
}

/// `time` by system call: aarch64 has no `time` system call, so
/// `CLOCK_REALTIME` is read by `clock_gettime` (shared with riscv64).
pub(crate) use crate::time::time_by_clock_gettime as time_shim;

/// aarch64 needs no `sa_restorer`: without `SA_RESTORER` the kernel returns
/// from a signal handler through the vDSO's `__kernel_rt_sigreturn`
/// (`arch/arm64/kernel/signal.c`), and qemu-user through its own
/// trampoline. Nothing to fill in.
pub(crate) fn set_restorer(_sa: &mut linux_raw_sys::general::kernel_sigaction) {}

/// Offset of the interrupted stack pointer in the `ucontext` a
/// `SA_SIGINFO` handler receives: `uc_flags`, `uc_link`, the 24-byte
/// `uc_stack` and 128 bytes of `uc_sigmask` with its padding, then
/// `struct sigcontext`, 16-byte aligned (at 176), whose `sp` follows
/// `fault_address` and `regs[31]` (`arch/arm64/include/uapi/asm/ucontext.h`,
/// `sigcontext.h`).
pub(crate) const UCONTEXT_SP: usize = 176 + 8 + 31 * 8;

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
    // clears the frame pointer and link register (no caller to walk back
    // to), calls `entry` and never comes back.
    unsafe {
        asm!(
            "svc #0",
            "cbnz x0, 2f",
            "mov x29, xzr",
            "mov x30, xzr",
            "mov x0, x6",
            "blr x5",
            "brk #0x1",
            "2:",
            in("x8") crate::nr::__NR_clone as usize,
            inlateout("x0") flags => ret,
            in("x1") stack,
            in("x2") ptid,
            in("x3") tls,
            in("x4") ctid,
            in("x5") entry,
            in("x6") arg,
            options(nostack)
        )
    };
    ret
}

/// Thread-local addresses ([`__tls_address!`](crate::__tls_address)), the
/// same macro on every architecture.
#[path = "aarch64/tls.rs"]
mod tls;

/// The rseq signature of this architecture: the 4 bytes before every
/// abort handler, the value glibc and the kernel's selftests use
/// (`tools/testing/selftests/rseq/rseq-arm64.h`).
pub(crate) const RSEQ_SIG: u32 = 0xd428_bc00;
