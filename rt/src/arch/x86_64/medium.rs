//! x86_64 copies of 65 to 256 bytes: straight-line moves of 32 bytes
//! where the CPU has AVX, of 16 bytes otherwise.

use super::features::avx2;
use core::arch::asm;

/// Copies `64 < n <= 256` bytes without a loop: the first and the last
/// 64 bytes (up to 128) or 128 bytes (up to 256) in 16-byte registers, all
/// loaded before anything is stored, so either direction of overlap is
/// fine.
///
/// # Safety
///
/// `src` valid for reading and `dst` for writing `n` bytes, `64 < n <= 256`.
#[inline(always)]
pub(super) unsafe fn copy_medium(dst: *mut u8, src: *const u8, n: usize) {
    if avx2() {
        // SAFETY: forwarded contract; AVX (part of AVX2) is there.
        return unsafe { copy_medium_avx(dst, src, n) };
    }
    // SAFETY: every access lies in `[0, n)` of its range: blocks from 0 and
    // blocks ending at `n`, each half no longer than `n`.
    unsafe {
        if n <= 128 {
            asm!(
                "movups {a0}, [{s}]",
                "movups {a1}, [{s} + 16]",
                "movups {a2}, [{s} + 32]",
                "movups {a3}, [{s} + 48]",
                "movups {b0}, [{s} + {n} - 64]",
                "movups {b1}, [{s} + {n} - 48]",
                "movups {b2}, [{s} + {n} - 32]",
                "movups {b3}, [{s} + {n} - 16]",
                "movups [{d}], {a0}",
                "movups [{d} + 16], {a1}",
                "movups [{d} + 32], {a2}",
                "movups [{d} + 48], {a3}",
                "movups [{d} + {n} - 64], {b0}",
                "movups [{d} + {n} - 48], {b1}",
                "movups [{d} + {n} - 32], {b2}",
                "movups [{d} + {n} - 16], {b3}",
                s = in(reg) src,
                d = in(reg) dst,
                n = in(reg) n,
                a0 = out(xmm_reg) _,
                a1 = out(xmm_reg) _,
                a2 = out(xmm_reg) _,
                a3 = out(xmm_reg) _,
                b0 = out(xmm_reg) _,
                b1 = out(xmm_reg) _,
                b2 = out(xmm_reg) _,
                b3 = out(xmm_reg) _,
                options(nostack, preserves_flags)
            );
        } else {
            asm!(
                "movups {a0}, [{s}]",
                "movups {a1}, [{s} + 16]",
                "movups {a2}, [{s} + 32]",
                "movups {a3}, [{s} + 48]",
                "movups {a4}, [{s} + 64]",
                "movups {a5}, [{s} + 80]",
                "movups {a6}, [{s} + 96]",
                "movups {a7}, [{s} + 112]",
                "movups {b0}, [{s} + {n} - 128]",
                "movups {b1}, [{s} + {n} - 112]",
                "movups {b2}, [{s} + {n} - 96]",
                "movups {b3}, [{s} + {n} - 80]",
                "movups {b4}, [{s} + {n} - 64]",
                "movups {b5}, [{s} + {n} - 48]",
                "movups {b6}, [{s} + {n} - 32]",
                "movups {b7}, [{s} + {n} - 16]",
                "movups [{d}], {a0}",
                "movups [{d} + 16], {a1}",
                "movups [{d} + 32], {a2}",
                "movups [{d} + 48], {a3}",
                "movups [{d} + 64], {a4}",
                "movups [{d} + 80], {a5}",
                "movups [{d} + 96], {a6}",
                "movups [{d} + 112], {a7}",
                "movups [{d} + {n} - 128], {b0}",
                "movups [{d} + {n} - 112], {b1}",
                "movups [{d} + {n} - 96], {b2}",
                "movups [{d} + {n} - 80], {b3}",
                "movups [{d} + {n} - 64], {b4}",
                "movups [{d} + {n} - 48], {b5}",
                "movups [{d} + {n} - 32], {b6}",
                "movups [{d} + {n} - 16], {b7}",
                s = in(reg) src,
                d = in(reg) dst,
                n = in(reg) n,
                a0 = out(xmm_reg) _,
                a1 = out(xmm_reg) _,
                a2 = out(xmm_reg) _,
                a3 = out(xmm_reg) _,
                a4 = out(xmm_reg) _,
                a5 = out(xmm_reg) _,
                a6 = out(xmm_reg) _,
                a7 = out(xmm_reg) _,
                b0 = out(xmm_reg) _,
                b1 = out(xmm_reg) _,
                b2 = out(xmm_reg) _,
                b3 = out(xmm_reg) _,
                b4 = out(xmm_reg) _,
                b5 = out(xmm_reg) _,
                b6 = out(xmm_reg) _,
                b7 = out(xmm_reg) _,
                options(nostack, preserves_flags)
            );
        }
    }
}

/// [`copy_medium`] with 32-byte registers: the first and the last 64
/// bytes (up to 128) or 128 bytes (up to 256), all loaded before anything
/// is stored; `vzeroupper` at the end, so that later SSE code pays no
/// transition.
///
/// # Safety
///
/// As for [`copy_medium`]; the CPU has AVX.
#[target_feature(enable = "avx")]
unsafe fn copy_medium_avx(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: every access lies in `[0, n)` of its range: blocks from 0 and
    // blocks ending at `n`, each half no longer than `n`.
    unsafe {
        if n <= 128 {
            asm!(
                "vmovups {a0}, [{s}]",
                "vmovups {a1}, [{s} + 32]",
                "vmovups {b0}, [{s} + {n} - 64]",
                "vmovups {b1}, [{s} + {n} - 32]",
                "vmovups [{d}], {a0}",
                "vmovups [{d} + 32], {a1}",
                "vmovups [{d} + {n} - 64], {b0}",
                "vmovups [{d} + {n} - 32], {b1}",
                "vzeroupper",
                s = in(reg) src,
                d = in(reg) dst,
                n = in(reg) n,
                a0 = out(ymm_reg) _,
                a1 = out(ymm_reg) _,
                b0 = out(ymm_reg) _,
                b1 = out(ymm_reg) _,
                options(nostack, preserves_flags)
            );
        } else {
            asm!(
                "vmovups {a0}, [{s}]",
                "vmovups {a1}, [{s} + 32]",
                "vmovups {a2}, [{s} + 64]",
                "vmovups {a3}, [{s} + 96]",
                "vmovups {b0}, [{s} + {n} - 128]",
                "vmovups {b1}, [{s} + {n} - 96]",
                "vmovups {b2}, [{s} + {n} - 64]",
                "vmovups {b3}, [{s} + {n} - 32]",
                "vmovups [{d}], {a0}",
                "vmovups [{d} + 32], {a1}",
                "vmovups [{d} + 64], {a2}",
                "vmovups [{d} + 96], {a3}",
                "vmovups [{d} + {n} - 128], {b0}",
                "vmovups [{d} + {n} - 96], {b1}",
                "vmovups [{d} + {n} - 64], {b2}",
                "vmovups [{d} + {n} - 32], {b3}",
                "vzeroupper",
                s = in(reg) src,
                d = in(reg) dst,
                n = in(reg) n,
                a0 = out(ymm_reg) _,
                a1 = out(ymm_reg) _,
                a2 = out(ymm_reg) _,
                a3 = out(ymm_reg) _,
                b0 = out(ymm_reg) _,
                b1 = out(ymm_reg) _,
                b2 = out(ymm_reg) _,
                b3 = out(ymm_reg) _,
                options(nostack, preserves_flags)
            );
        }
    }
}
