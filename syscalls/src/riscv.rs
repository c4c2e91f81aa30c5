//! riscv64-only calls that the riscv64 vDSO may serve: `riscv_hwprobe`
//! (Linux 6.4, in the vDSO since 6.5) and `riscv_flush_icache`.
//!
//! linux-raw-sys 0.12 has the system-call numbers but not `struct
//! riscv_hwprobe` or its keys, so the layout and the few key numbers here
//! come from the kernel's `arch/riscv/include/uapi/asm/hwprobe.h`.

use crate::arch::{syscall3, syscall5};
use crate::errno::{Errno, decode_unit};
use crate::nr::{__NR_riscv_flush_icache, __NR_riscv_hwprobe};
use crate::route::{Call, finish, slot};
use core::mem::transmute;

/// One key-value pair of `riscv_hwprobe`: `struct riscv_hwprobe`.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct HwprobePair {
    /// The key asked for; the kernel sets it to -1 if it does not know it.
    pub key: i64,
    /// The value the kernel reports.
    pub value: u64,
}

impl HwprobePair {
    /// A pair asking for `key`.
    pub const fn new(key: i64) -> HwprobePair {
        HwprobePair { key, value: 0 }
    }
}

/// `RISCV_HWPROBE_KEY_MVENDORID`: the `mvendorid` CSR.
pub const KEY_MVENDORID: i64 = 0;
/// `RISCV_HWPROBE_KEY_MARCHID`: the `marchid` CSR.
pub const KEY_MARCHID: i64 = 1;
/// `RISCV_HWPROBE_KEY_MIMPID`: the `mimpid` CSR.
pub const KEY_MIMPID: i64 = 2;
/// `RISCV_HWPROBE_KEY_BASE_BEHAVIOR`: 1 for the IMA base.
pub const KEY_BASE_BEHAVIOR: i64 = 3;
/// `RISCV_HWPROBE_KEY_IMA_EXT_0`: a bit set of extensions.
pub const KEY_IMA_EXT_0: i64 = 4;
/// `RISCV_HWPROBE_KEY_CPUPERF_0`: misaligned-access performance.
pub const KEY_CPUPERF_0: i64 = 5;

type HwprobeFn = unsafe extern "C" fn(*mut HwprobePair, usize, usize, *mut u64, u32) -> i32;
type FlushIcacheFn = unsafe extern "C" fn(usize, usize, usize) -> i32;

/// The `riscv_hwprobe` system call, with the vDSO's signature.
///
/// # Safety
///
/// `pairs` must be valid for reading and writing `count` pairs, `cpus`
/// null (with `cpusetsize` 0) or readable for `cpusetsize` bytes.
unsafe extern "C" fn hwprobe_shim(
    pairs: *mut HwprobePair,
    count: usize,
    cpusetsize: usize,
    cpus: *mut u64,
    flags: u32,
) -> i32 {
    // SAFETY: the kernel reads and writes `count` pairs and reads the CPU
    // set, all of which the caller vouches for.
    unsafe {
        syscall5(
            __NR_riscv_hwprobe,
            pairs as usize,
            count,
            cpusetsize,
            cpus as usize,
            flags as usize,
        ) as i32
    }
}

/// The `riscv_flush_icache` system call, with the vDSO's signature.
///
/// # Safety
///
/// None beyond the call's own: it only affects instruction caches.
unsafe extern "C" fn flush_icache_shim(start: usize, end: usize, flags: usize) -> i32 {
    // SAFETY: the call reads no user memory and changes no data.
    unsafe { syscall3(__NR_riscv_flush_icache, start, end, flags) as i32 }
}

slot!(
    HWPROBE,
    Call::RiscvHwprobe,
    hwprobe_shim,
    fn(p: *mut HwprobePair, n: usize, s: usize, c: *mut u64, f: u32) -> i32
);
slot!(
    FLUSH_ICACHE,
    Call::RiscvFlushIcache,
    flush_icache_shim,
    fn(a: usize, b: usize, f: usize) -> i32
);

#[inline(always)]
fn hwprobe_call(slot: bool, pairs: &mut [HwprobePair], flags: u32) -> Result<(), Errno> {
    let shim: HwprobeFn = hwprobe_shim;
    let (p, n, none) = (pairs.as_mut_ptr(), pairs.len(), core::ptr::null_mut());
    let f = if slot { HWPROBE.get() } else { shim as *mut () };
    // SAFETY: the slot holds a function of `HwprobeFn`'s signature; `pairs`
    // is valid for its length; no CPU set (all online CPUs).
    let ret = unsafe { transmute::<*mut (), HwprobeFn>(f)(p, n, 0, none, flags) };
    // SAFETY: as above, for the shim.
    finish!(ret, f, shim as *mut (), unsafe {
        shim(p, n, 0, none, flags)
    })
    .map(drop)
}

/// Fills in the value of each pair's key, for all online CPUs, through the
/// vDSO where it serves the call. Unknown keys come back as key -1.
///
/// # Errors
/// `EINVAL` for unknown flags.
///
/// # References
/// the kernel's `Documentation/arch/riscv/hwprobe.rst`
#[inline]
pub fn hwprobe(pairs: &mut [HwprobePair], flags: u32) -> Result<(), Errno> {
    hwprobe_call(true, pairs, flags)
}

/// [`hwprobe`] by the system call, never the vDSO.
///
/// # Errors
/// As [`hwprobe`].
///
/// # References
/// the kernel's `Documentation/arch/riscv/hwprobe.rst`
#[inline]
pub fn hwprobe_syscall(pairs: &mut [HwprobePair], flags: u32) -> Result<(), Errno> {
    hwprobe_call(false, pairs, flags)
}

/// Makes instruction fetches see the stores made before the call to
/// `start..end` (currently the whole instruction cache of the process),
/// through the vDSO where it serves the call. `flags` 0 covers every
/// thread; 1 (`SYS_RISCV_FLUSH_ICACHE_LOCAL`) only the caller.
///
/// # Errors
/// `EINVAL` for unknown flags.
///
/// # References
/// the kernel's `arch/riscv/kernel/sys_riscv.c`
#[inline]
pub fn flush_icache(start: usize, end: usize, flags: usize) -> Result<(), Errno> {
    let shim: FlushIcacheFn = flush_icache_shim;
    let f = FLUSH_ICACHE.get();
    // SAFETY: the slot holds a function of `FlushIcacheFn`'s signature; the
    // call touches no data.
    let ret = unsafe { transmute::<*mut (), FlushIcacheFn>(f)(start, end, flags) };
    // SAFETY: as above, for the shim.
    finish!(ret, f, shim as *mut (), unsafe { shim(start, end, flags) }).map(drop)
}

/// [`flush_icache`] by the system call, never the vDSO.
///
/// # Errors
/// As [`flush_icache`].
///
/// # References
/// the kernel's `arch/riscv/kernel/sys_riscv.c`
#[inline]
pub fn flush_icache_syscall(start: usize, end: usize, flags: usize) -> Result<(), Errno> {
    // SAFETY: the call touches no data.
    decode_unit(unsafe { flush_icache_shim(start, end, flags) } as isize as usize)
}
