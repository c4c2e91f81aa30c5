//! CPU features found at run time, for the memory functions: the x86_64
//! baseline has SSE2 only, and AVX2 doubles what one instruction compares
//! or moves.

use core::arch::asm;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// 0: not asked yet; 1: no AVX2; 2: AVX2 usable.
static AVX2: AtomicU8 = AtomicU8::new(0);

/// Whether AVX2 instructions, and the ymm registers they use, are usable:
/// the CPU has them (cpuid) and the kernel saves the registers (XCR0).
#[inline(always)]
pub(super) fn avx2() -> bool {
    match AVX2.load(Relaxed) {
        2 => true,
        1 => false,
        _ => detect(),
    }
}

#[cold]
#[inline(never)]
fn detect() -> bool {
    let (_, _, ecx1, _) = cpuid(1, 0);
    let (max, ..) = cpuid(0, 0);
    let osxsave_avx = ecx1 & (1 << 27) != 0 && ecx1 & (1 << 28) != 0;
    let avx2 = max >= 7 && cpuid(7, 0).1 & (1 << 5) != 0;
    // XCR0 bits 1 and 2: the kernel saves SSE and AVX state (xgetbv only
    // once OSXSAVE says it may be used).
    let yes = osxsave_avx && avx2 && xcr0() & 6 == 6;
    AVX2.store(if yes { 2 } else { 1 }, Relaxed);
    yes
}

/// `cpuid` of `leaf` and `sub`: eax, ebx, ecx, edx.
fn cpuid(leaf: u32, sub: u32) -> (u32, u32, u32, u32) {
    let (eax, ebx, ecx, edx): (u32, u32, u32, u32);
    // SAFETY: cpuid exists on every x86_64 and only writes these four
    // registers; rbx, which LLVM may reserve, is saved and restored by hand.
    unsafe {
        asm!(
            "mov {saved:r}, rbx",
            "cpuid",
            "xchg {saved:r}, rbx",
            saved = out(reg) ebx,
            inout("eax") leaf => eax,
            inout("ecx") sub => ecx,
            out("edx") edx,
            options(nostack, preserves_flags, nomem)
        )
    };
    (eax, ebx, ecx, edx)
}

/// XCR0, read with `xgetbv`. Only called once cpuid said OSXSAVE.
fn xcr0() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: OSXSAVE is set (checked by the caller first), so xgetbv of
    // register 0 is allowed; it writes only eax and edx.
    unsafe {
        asm!(
            "xgetbv",
            in("ecx") 0u32,
            out("eax") lo,
            out("edx") hi,
            options(nostack, preserves_flags, nomem)
        )
    };
    u64::from(hi) << 32 | u64::from(lo)
}
