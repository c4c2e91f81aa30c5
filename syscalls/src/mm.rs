//! Memory mappings: `mmap`, `mprotect` and `munmap`.

use crate::arch::{syscall2, syscall3, syscall6};
use crate::errno::{Errno, decode, decode_unit};
use crate::nr::{__NR_mmap, __NR_mprotect, __NR_munmap};
use core::ptr::NonNull;
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Page protection for [`mmap`] (`PROT_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct ProtFlags: u32 {
        /// Pages may be read.
        const READ = k::PROT_READ;
        /// Pages may be written.
        const WRITE = k::PROT_WRITE;
        /// Pages may be executed.
        const EXEC = k::PROT_EXEC;
    }
}

bitflags::bitflags! {
    /// Mapping flags for [`mmap`] (`MAP_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct MapFlags: u32 {
        /// Changes are shared with other mappings of the same object.
        const SHARED = k::MAP_SHARED;
        /// Changes are private (copy on write).
        const PRIVATE = k::MAP_PRIVATE;
        /// Place the mapping exactly at the hint, replacing what is there.
        const FIXED = k::MAP_FIXED;
        /// Place the mapping exactly at the hint, failing if something is there.
        const FIXED_NOREPLACE = k::MAP_FIXED_NOREPLACE;
        /// Not backed by a file; zero-filled.
        const ANONYMOUS = k::MAP_ANONYMOUS;
        /// Do not reserve swap space.
        const NORESERVE = k::MAP_NORESERVE;
        /// Fault the pages in now.
        const POPULATE = k::MAP_POPULATE;
        /// The mapping is a thread stack.
        const STACK = k::MAP_STACK;
    }
}

/// Maps memory, exactly as mmap(2) does.
///
/// # Safety
///
/// With [`MapFlags::FIXED`] the mapping replaces whatever is at `addr`; the
/// caller must own that range and nothing may still use it. Without it, the
/// call cannot disturb existing memory (prefer [`mmap_anonymous`]). When
/// `fd` is a file, the caller is responsible for the aliasing that shared
/// file mappings create.
///
/// # References
/// mmap(2)
#[inline]
pub unsafe fn mmap(
    addr: *mut u8,
    len: usize,
    prot: ProtFlags,
    flags: MapFlags,
    fd: i32,
    offset: u64,
) -> Result<NonNull<u8>, Errno> {
    // SAFETY: the caller upholds the contract above; the kernel reads no
    // user memory for this call.
    let ret = decode(unsafe {
        syscall6(
            __NR_mmap,
            addr as usize,
            len,
            prot.bits() as usize,
            flags.bits() as usize,
            fd as usize,
            offset as usize,
        )
    })?;
    // A successful mmap never returns address 0 unless MAP_FIXED asked for
    // it; treat that case as out of memory rather than hand out null.
    NonNull::new(ret as *mut u8).ok_or(Errno::ENOMEM)
}

/// Maps `len` bytes of fresh, zeroed, private anonymous memory wherever the
/// kernel chooses.
///
/// # Errors
/// `ENOMEM` when the address space or the memory limit is exhausted,
/// `EINVAL` for `len == 0`.
///
/// # References
/// mmap(2)
#[inline]
pub fn mmap_anonymous(len: usize, prot: ProtFlags) -> Result<NonNull<u8>, Errno> {
    // SAFETY: without MAP_FIXED the kernel picks an unused range, so no
    // existing memory is affected.
    unsafe {
        mmap(
            core::ptr::null_mut(),
            len,
            prot,
            MapFlags::PRIVATE | MapFlags::ANONYMOUS,
            -1,
            0,
        )
    }
}

/// Sets the protection of the pages at `addr..addr + len` (`addr` page
/// aligned) to `prot`.
///
/// # Safety
///
/// Removing access from memory that code still reads, writes or runs makes
/// that code fault; making writable memory executable (or the reverse)
/// must not break an invariant another part of the program relies on.
///
/// # Errors
/// `EINVAL` for an unaligned `addr`, `ENOMEM` when part of the range is not
/// mapped, `EACCES` when a file mapping cannot get the protection.
///
/// # References
/// mprotect(2)
#[inline]
pub unsafe fn mprotect(addr: *mut u8, len: usize, prot: ProtFlags) -> Result<(), Errno> {
    // SAFETY: the caller guarantees that no code relies on the old
    // protection; the kernel reads no user memory for this call.
    decode_unit(unsafe { syscall3(__NR_mprotect, addr as usize, len, prot.bits() as usize) })
}

/// Unmaps `len` bytes at `addr`.
///
/// # Safety
///
/// Nothing may use the range after the call: every reference into it must
/// be dead.
///
/// # References
/// munmap(2)
#[inline]
pub unsafe fn munmap(addr: *mut u8, len: usize) -> Result<(), Errno> {
    // SAFETY: the caller guarantees the range is no longer used.
    decode_unit(unsafe { syscall2(__NR_munmap, addr as usize, len) })
}
