//! File status: [`fstat`], [`fstatat`] and [`statx`].

use super::AtFlags;
use crate::arch::{syscall2, syscall4, syscall5};
use crate::errno::{Errno, decode_unit};
use crate::io::Fd;
use crate::nr::{__NR_fstat, __NR_newfstatat, __NR_statx};
use core::ffi::CStr;
use core::mem::MaybeUninit;
use linux_raw_sys::general as k;

/// File status, as the kernel's `struct stat` for this architecture.
pub use linux_raw_sys::general::stat as Stat;

/// Extended file status, as the kernel's `struct statx`; `stx_mask` says
/// which fields were filled.
pub use linux_raw_sys::general::statx as Statx;

bitflags::bitflags! {
    /// Which fields [`statx`] should fill (`STATX_*`). The kernel may fill
    /// more, or fewer when the filesystem lacks them: check `stx_mask`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct StatxMask: u32 {
        /// `stx_mode & S_IFMT`.
        const TYPE = k::STATX_TYPE;
        /// `stx_mode & !S_IFMT`.
        const MODE = k::STATX_MODE;
        /// `stx_nlink`.
        const NLINK = k::STATX_NLINK;
        /// `stx_uid`.
        const UID = k::STATX_UID;
        /// `stx_gid`.
        const GID = k::STATX_GID;
        /// `stx_atime`.
        const ATIME = k::STATX_ATIME;
        /// `stx_mtime`.
        const MTIME = k::STATX_MTIME;
        /// `stx_ctime`.
        const CTIME = k::STATX_CTIME;
        /// `stx_ino`.
        const INO = k::STATX_INO;
        /// `stx_size`.
        const SIZE = k::STATX_SIZE;
        /// `stx_blocks`.
        const BLOCKS = k::STATX_BLOCKS;
        /// Everything `stat` reports.
        const BASIC_STATS = k::STATX_BASIC_STATS;
        /// `stx_btime`, the creation time.
        const BTIME = k::STATX_BTIME;
        /// `stx_mnt_id`.
        const MNT_ID = k::STATX_MNT_ID;
    }
}

/// The status of the open file `fd`.
///
/// # References
/// fstat(2)
#[inline]
pub fn fstat(fd: Fd) -> Result<Stat, Errno> {
    let mut st = MaybeUninit::<Stat>::uninit();
    // SAFETY: the kernel writes one `struct stat` of this architecture,
    // which is what `Stat` is, into `st`.
    decode_unit(unsafe { syscall2(__NR_fstat, fd as usize, st.as_mut_ptr() as usize) })?;
    // SAFETY: a successful `fstat` filled every field.
    Ok(unsafe { st.assume_init() })
}

/// The status of `path` relative to directory `dir` (or
/// [`AT_FDCWD`](super::AT_FDCWD)). Takes [`AtFlags::SYMLINK_NOFOLLOW`]
/// (the link itself), [`AtFlags::EMPTY_PATH`] (`dir` itself) and
/// [`AtFlags::NO_AUTOMOUNT`].
///
/// # Errors
/// `ENOENT`, `ENOTDIR`, `EACCES`, `ELOOP`, `ENAMETOOLONG`, `EBADF`.
///
/// # References
/// stat(2) (`fstatat`, `newfstatat`)
#[inline]
pub fn fstatat(dir: Fd, path: &CStr, flags: AtFlags) -> Result<Stat, Errno> {
    let mut st = MaybeUninit::<Stat>::uninit();
    // SAFETY: the kernel reads the NUL-terminated `path` and writes one
    // `struct stat` of this architecture into `st`.
    decode_unit(unsafe {
        syscall4(
            __NR_newfstatat,
            dir as usize,
            path.as_ptr() as usize,
            st.as_mut_ptr() as usize,
            flags.bits() as usize,
        )
    })?;
    // SAFETY: a successful call filled every field.
    Ok(unsafe { st.assume_init() })
}

/// The extended status of `path` relative to `dir`, with at least the
/// fields of `mask` when the filesystem has them. Takes the flags of
/// [`fstatat`] and the `STATX_*_SYNC` ones. Linux 4.11 and later.
///
/// # Errors
/// As [`fstatat`]; `ENOSYS` before Linux 4.11.
///
/// # References
/// statx(2)
#[inline]
pub fn statx(dir: Fd, path: &CStr, flags: AtFlags, mask: StatxMask) -> Result<Statx, Errno> {
    // Zeroed: fields the kernel does not fill read as 0.
    let mut st = MaybeUninit::<Statx>::zeroed();
    // SAFETY: the kernel reads the NUL-terminated `path` and writes one
    // `struct statx` into `st`.
    decode_unit(unsafe {
        syscall5(
            __NR_statx,
            dir as usize,
            path.as_ptr() as usize,
            flags.bits() as usize,
            mask.bits() as usize,
            st.as_mut_ptr() as usize,
        )
    })?;
    // SAFETY: zeroed, then filled; every field is an integer.
    Ok(unsafe { st.assume_init() })
}
