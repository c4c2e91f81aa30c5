//! riscv64 system calls: the `ecall` instruction.
//!
//! Kernel ABI (`arch/riscv/kernel/entry.S`): the number goes in `a7`, the
//! arguments in `a0`..`a5`; the result comes back in `a0`. The kernel saves
//! and restores every other integer and floating-point register. It does not
//! preserve the vector state: `Documentation/arch/riscv/vector.rst` says the
//! vector registers (and `vl`, `vtype`) are clobbered by system calls, so
//! when the target has the V extension every `v` register is declared
//! clobbered and `preserves_flags` is dropped. The user stack is not touched.
//!
//! # References
//!
//! syscall(2), "Architecture calling conventions" (riscv: `ecall`, `a7`, `a0`..`a5`); the kernel's `arch/riscv/kernel/entry.S`
//!
//! # Safety
//!
//! Every function here executes an arbitrary system call. The caller must
//! pass a number and arguments that form a valid call, and must uphold
//! whatever that call requires of the memory its arguments point to.

use core::arch::asm;

/// Emits `ecall` with the given operands and the clobbers the target needs.
macro_rules! ecall {
    ([$($opt:ident),*] $($ops:tt)*) => {{
        #[cfg(not(target_feature = "v"))]
        asm!("ecall", $($ops)* options(nostack, preserves_flags $(, $opt)*));
        #[cfg(target_feature = "v")]
        asm!("ecall", $($ops)*
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _,
            out("v6") _, out("v7") _, out("v8") _, out("v9") _, out("v10") _, out("v11") _,
            out("v12") _, out("v13") _, out("v14") _, out("v15") _, out("v16") _,
            out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _,
            out("v22") _, out("v23") _, out("v24") _, out("v25") _, out("v26") _,
            out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
            options(nostack $(, $opt)*));
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
    unsafe { ecall!([] in("a7") nr as usize, lateout("a0") ret,) };
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
    unsafe { ecall!([readonly] in("a7") nr as usize, lateout("a0") ret,) };
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
    unsafe { ecall!([] in("a7") nr as usize, inlateout("a0") a0 => ret,) };
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
    unsafe { ecall!([readonly] in("a7") nr as usize, inlateout("a0") a0 => ret,) };
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
        asm!("ecall", in("a7") nr as usize, in("a0") a0, options(nostack, noreturn));
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
    unsafe { ecall!([] in("a7") nr as usize, inlateout("a0") a0 => ret, in("a1") a1,) };
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
        ecall!([] in("a7") nr as usize, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2,)
    };
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
        ecall!([] in("a7") nr as usize, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2,
               in("a3") a3,)
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
        ecall!([] in("a7") nr as usize, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2,
               in("a3") a3, in("a4") a4,)
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
        ecall!([] in("a7") nr as usize, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2,
               in("a3") a3, in("a4") a4, in("a5") a5,)
    };
    ret
}

/// The symbol version of every function in the riscv64 vDSO
/// (`arch/riscv/kernel/vdso/vdso.lds.S`).
pub(crate) const VDSO_VERSION: &str = "LINUX_4.15";

/// The riscv64 vDSO's symbol for `call`, if it has one. There is no
/// `__vdso_time`: `time` is served by `clock_gettime`.
pub(crate) const fn vdso_symbol(call: crate::route::Call) -> Option<&'static str> {
    use crate::route::Call;
    match call {
        Call::ClockGettime => Some("__vdso_clock_gettime"),
        Call::ClockGetres => Some("__vdso_clock_getres"),
        Call::Gettimeofday => Some("__vdso_gettimeofday"),
        Call::Time => None,
        Call::Getcpu => Some("__vdso_getcpu"),
        Call::Getrandom => Some("__vdso_getrandom"),
        Call::RiscvHwprobe => Some("__vdso_riscv_hwprobe"),
        Call::RiscvFlushIcache => Some("__vdso_flush_icache"),
    }
}

/// `time` by system call: riscv64 has no `time` system call, so
/// `CLOCK_REALTIME` is read by `clock_gettime` (shared with aarch64).
pub(crate) use crate::time::time_by_clock_gettime as time_shim;

/// riscv64 has no `sa_restorer`: the kernel returns from a signal handler
/// through the vDSO's `__vdso_rt_sigreturn` (`arch/riscv/kernel/signal.c`),
/// and qemu-user through its own trampoline. Nothing to fill in.
pub(crate) fn set_restorer(_sa: &mut linux_raw_sys::general::kernel_sigaction) {}

/// Offset of the interrupted stack pointer in the `ucontext` a
/// `SA_SIGINFO` handler receives: `uc_flags`, `uc_link`, the 24-byte
/// `uc_stack` and 128 bytes of `uc_sigmask` with its padding, then
/// `struct sigcontext`, 16-byte aligned (at 176), whose registers start
/// with `pc`, `ra`, `sp` (`arch/riscv/include/uapi/asm/ucontext.h`).
pub(crate) const UCONTEXT_SP: usize = 176 + 2 * 8;

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
    // The asm, with the vector registers clobbered when the target has
    // V (by the `ecall`, in the parent; see the module docs).
    macro_rules! clone_asm {
        ($($clobbers:tt)*) => {
            asm!(
                "ecall",
                "bnez a0, 2f",
                "li s0, 0",
                "li ra, 0",
                "mv a0, a6",
                "jalr a5",
                "unimp",
                "2:",
                in("a7") crate::nr::__NR_clone as usize,
                inlateout("a0") flags => ret,
                in("a1") stack,
                in("a2") ptid,
                in("a3") tls,
                in("a4") ctid,
                in("a5") entry,
                in("a6") arg,
                $($clobbers)*
                options(nostack)
            )
        };
    }
    // SAFETY: the caller vouches for the arguments. `entry` and `arg` sit
    // in registers the kernel copies to the child; the child's branch
    // clears the frame pointer and return address (no caller to walk
    // back to), calls `entry` and never comes back.
    unsafe {
        #[cfg(not(target_feature = "v"))]
        clone_asm!();
        #[cfg(target_feature = "v")]
        clone_asm!(
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _,
            out("v6") _, out("v7") _, out("v8") _, out("v9") _, out("v10") _, out("v11") _,
            out("v12") _, out("v13") _, out("v14") _, out("v15") _, out("v16") _,
            out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _,
            out("v22") _, out("v23") _, out("v24") _, out("v25") _, out("v26") _,
            out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
        );
    }
    ret
}

/// Thread-local addresses ([`__tls_address!`](crate::__tls_address)), the
/// same macro on every architecture.
#[path = "riscv64/tls.rs"]
mod tls;

/// The rseq signature of this architecture: the 4 bytes before every
/// abort handler, the value glibc and the kernel's selftests use
/// (`tools/testing/selftests/rseq/rseq-riscv.h`).
pub(crate) const RSEQ_SIG: u32 = 0xf140_1073;
