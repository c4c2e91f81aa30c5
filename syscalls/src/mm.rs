//! Memory mappings: `mmap`, `mprotect`, `munmap`, `mremap` and `madvise`.

use crate::arch::{syscall2, syscall3, syscall4, syscall6};
use crate::errno::{Errno, decode, decode_unit};
use crate::nr::{__NR_madvise, __NR_mmap, __NR_mprotect, __NR_mremap, __NR_munmap};
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

bitflags::bitflags! {
    /// Flags for [`mremap`] (`MREMAP_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct MremapFlags: u32 {
        /// The kernel may move the mapping to grow it.
        const MAYMOVE = k::MREMAP_MAYMOVE;
    }
}

/// Resizes the mapping of `old_len` bytes at `addr` (page aligned) to
/// `new_len` bytes, moving it if `flags` allow and it cannot grow in place.
/// Moving remaps the pages themselves: nothing is copied. Returns where the
/// mapping now starts; the pages added are zero-filled.
///
/// # Safety
///
/// The range must be one mapping that nothing but the caller uses: after a
/// move, every pointer into the old range is dead, and shrinking unmaps
/// the end.
///
/// # Errors
/// `ENOMEM` when the mapping cannot grow in place and may not move, or the
/// address space is exhausted; `EFAULT` when the range is not one mapping;
/// `EINVAL` for an unaligned `addr` or a zero `new_len`.
///
/// # References
/// mremap(2)
#[inline]
pub unsafe fn mremap(
    addr: *mut u8,
    old_len: usize,
    new_len: usize,
    flags: MremapFlags,
) -> Result<NonNull<u8>, Errno> {
    // SAFETY: the caller guarantees nothing else uses the range; the kernel
    // reads no user memory for this call.
    let ret = decode(unsafe {
        syscall4(
            __NR_mremap,
            addr as usize,
            old_len,
            new_len,
            flags.bits() as usize,
        )
    })?;
    NonNull::new(ret as *mut u8).ok_or(Errno::ENOMEM)
}

/// Advice for [`madvise`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Advice {
    /// `MADV_DONTNEED`: the pages are freed at once; private anonymous
    /// pages read as zero afterwards.
    DontNeed,
    /// `MADV_FREE`: the kernel may free the pages when memory is short;
    /// until then they keep their contents, and a write cancels the advice.
    Free,
}

/// Tells the kernel how the pages at `addr..addr + len` (`addr` page
/// aligned) will be used.
///
/// # Safety
///
/// With [`Advice::DontNeed`] or [`Advice::Free`] the contents of the pages
/// may be lost: nothing may rely on them.
///
/// # Errors
/// `EINVAL` for an unaligned `addr` or an advice the kernel does not know
/// (`MADV_FREE` before Linux 4.5), `ENOMEM` when part of the range is not
/// mapped.
///
/// # References
/// madvise(2)
#[inline]
pub unsafe fn madvise(addr: *mut u8, len: usize, advice: Advice) -> Result<(), Errno> {
    let advice = match advice {
        Advice::DontNeed => k::MADV_DONTNEED,
        Advice::Free => k::MADV_FREE,
    };
    // SAFETY: the caller accepts the loss of the pages' contents; the
    // kernel reads no user memory for this call.
    decode_unit(unsafe { syscall3(__NR_madvise, addr as usize, len, advice as usize) })
}
