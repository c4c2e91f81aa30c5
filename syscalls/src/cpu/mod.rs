//! CPUs: which one the caller runs on ([`getcpu`], read from the thread's
//! [`rseq`] area, else routed through the vDSO) and which ones it may run
//! on ([`sched_setaffinity`]).

pub mod rseq;

use crate::arch::syscall3;
use crate::errno::{Errno, decode, decode_unit};
use crate::nr::{__NR_getcpu, __NR_sched_getaffinity, __NR_sched_setaffinity};
use crate::route::{Call, finish, slot};
use core::mem::{MaybeUninit, transmute};

/// Where the caller was running when [`getcpu`] looked.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Cpu {
    /// The CPU number.
    pub cpu: u32,
    /// The NUMA node of that CPU.
    pub node: u32,
}

type GetcpuFn = unsafe extern "C" fn(*mut u32, *mut u32, *mut u8) -> isize;

/// The `getcpu` system call, with the vDSO's signature.
///
/// # Safety
///
/// `cpu` and `node` must each be null or valid for writing a `u32`.
unsafe extern "C" fn getcpu_shim(cpu: *mut u32, node: *mut u32, cache: *mut u8) -> isize {
    // SAFETY: the kernel writes a `u32` to each non-null pointer, which the
    // caller made writable, and ignores `cache`.
    unsafe { syscall3(__NR_getcpu, cpu as usize, node as usize, cache as usize) as isize }
}

slot!(
    GETCPU,
    Call::Getcpu,
    getcpu_shim,
    fn(c: *mut u32, n: *mut u32, t: *mut u8) -> isize
);

#[inline(always)]
fn getcpu_call(slot: bool) -> Result<Cpu, Errno> {
    let shim: GetcpuFn = getcpu_shim;
    // Two separate locals, read one by one: the vDSO stores each as a
    // 4-byte write, and reading them back as one 8-byte `Cpu` would defeat
    // store-to-load forwarding, a stall longer than the whole call. Left
    // uninitialised: both functions write both on success, and the hot
    // path of a 2 ns call has no room for stores nobody reads.
    let (mut cpu, mut node) = (MaybeUninit::<u32>::uninit(), MaybeUninit::<u32>::uninit());
    let f = if slot { GETCPU.get() } else { shim as *mut () };
    let (c, n, null) = (cpu.as_mut_ptr(), node.as_mut_ptr(), core::ptr::null_mut());
    // SAFETY: the slot holds a function of `GetcpuFn`'s signature; both
    // out pointers are writable.
    let ret = unsafe { transmute::<*mut (), GetcpuFn>(f)(c, n, null) };
    // SAFETY: as above, for the shim.
    finish!(ret, f, shim as *mut (), unsafe { shim(c, n, null) })?;
    // SAFETY: a successful getcpu wrote both.
    let (cpu, node) = unsafe { (cpu.assume_init(), node.assume_init()) };
    Ok(Cpu { cpu, node })
}

/// The CPU and NUMA node the caller is running on: read from the calling
/// thread's registered [`rseq`] area (registered on the first call, unless
/// switched off), else through the vDSO where it serves the call, else
/// by the system call. The node comes from the area only where the kernel
/// keeps it there (Linux 6.3 and later); otherwise the call goes on to the
/// vDSO or the system call for both. The answer may be stale as soon as it
/// returns.
///
/// Under qemu-x86_64 the emulator's vDSO always reports CPU 0 and node 0;
/// [`getcpu_syscall`] asks the host kernel.
///
/// # Errors
/// None in practice.
///
/// # References
/// getcpu(2)
#[inline]
pub fn getcpu() -> Result<Cpu, Errno> {
    if let Some((cpu, Some(node))) = rseq::read() {
        return Ok(Cpu { cpu, node });
    }
    getcpu_cold()
}

/// [`getcpu`] when the thread's rseq area is not registered (or keeps no
/// node): registers it once, else routes through the vDSO.
#[cold]
#[inline(never)]
fn getcpu_cold() -> Result<Cpu, Errno> {
    if rseq::status() == rseq::Status::NotTried
        && rseq::register().is_ok()
        && let Some((cpu, Some(node))) = rseq::read()
    {
        return Ok(Cpu { cpu, node });
    }
    getcpu_call(true)
}

/// The calling thread's rseq area if it serves [`getcpu`] (registering it
/// if not tried yet), else why not.
pub(crate) fn rseq_route() -> Result<usize, rseq::Status> {
    let _ = rseq::register();
    match rseq::status() {
        rseq::Status::Registered { node: true, .. } => Ok(crate::local::rseq_area() as usize),
        other => Err(other),
    }
}

/// [`getcpu`] through the vDSO (or the system call), never the rseq area.
///
/// # Errors
/// As [`getcpu`].
///
/// # References
/// getcpu(2)
#[inline]
pub fn getcpu_vdso() -> Result<Cpu, Errno> {
    getcpu_call(true)
}

/// [`getcpu`] by the system call, never the vDSO.
///
/// # Errors
/// As [`getcpu`].
///
/// # References
/// getcpu(2)
#[inline]
pub fn getcpu_syscall() -> Result<Cpu, Errno> {
    getcpu_call(false)
}

/// A set of CPUs, as `cpu_set_t`: room for 1024 of them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CpuSet {
    bits: [u64; 16],
}

impl Default for CpuSet {
    fn default() -> Self {
        CpuSet::new()
    }
}

impl CpuSet {
    /// The largest CPU number plus one that the set can hold.
    pub const CAPACITY: usize = 1024;

    /// The empty set.
    pub const fn new() -> CpuSet {
        CpuSet { bits: [0; 16] }
    }

    /// Adds `cpu`; returns `false` (and does nothing) if it is out of range.
    pub fn insert(&mut self, cpu: usize) -> bool {
        match self.bits.get_mut(cpu / 64) {
            Some(w) => {
                *w |= 1 << (cpu % 64);
                true
            }
            None => false,
        }
    }

    /// Whether `cpu` is in the set.
    pub fn contains(&self, cpu: usize) -> bool {
        self.bits
            .get(cpu / 64)
            .is_some_and(|w| w & (1 << (cpu % 64)) != 0)
    }

    /// The CPUs in the set, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..Self::CAPACITY).filter(|&c| self.contains(c))
    }
}

/// Restricts thread `tid` (0: the caller) to the CPUs in `set`.
///
/// # Errors
/// `EINVAL` if `set` holds no CPU the thread may use, `ESRCH` for an
/// unknown thread, `EPERM` without permission.
///
/// # References
/// sched_setaffinity(2)
pub fn sched_setaffinity(tid: i32, set: &CpuSet) -> Result<(), Errno> {
    // SAFETY: the kernel reads `size_of_val(&set.bits)` bytes from `set`.
    decode_unit(unsafe {
        syscall3(
            __NR_sched_setaffinity,
            tid as usize,
            core::mem::size_of_val(&set.bits),
            set.bits.as_ptr() as usize,
        )
    })
}

/// The CPUs thread `tid` (0: the caller) may run on.
///
/// # Errors
/// `ESRCH` for an unknown thread.
///
/// # References
/// sched_getaffinity(2)
pub fn sched_getaffinity(tid: i32) -> Result<CpuSet, Errno> {
    let mut set = CpuSet::new();
    // SAFETY: the kernel writes at most the given length into `set.bits`.
    decode(unsafe {
        syscall3(
            __NR_sched_getaffinity,
            tid as usize,
            core::mem::size_of_val(&set.bits),
            set.bits.as_mut_ptr() as usize,
        )
    })?;
    Ok(set)
}
