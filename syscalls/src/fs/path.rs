//! Names in directories: making and removing them ([`mkdirat`],
//! [`unlinkat`]), renaming ([`renameat2`]), reading symbolic links
//! ([`readlinkat`]) and the working directory ([`chdir`], [`fchdir`]);
//! and the `AT_*` flags these calls share ([`AtFlags`]).

use crate::arch::{syscall1, syscall3, syscall4, syscall5};
use crate::errno::{Errno, decode, decode_unit};
use crate::io::Fd;
use crate::nr::{
    __NR_chdir, __NR_fchdir, __NR_mkdirat, __NR_readlinkat, __NR_renameat2, __NR_unlinkat,
};
use core::ffi::CStr;
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Flags of the `*at` calls (`AT_*`). Each call takes only some of
    /// them; it says which, and the kernel refuses others with `EINVAL`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct AtFlags: u32 {
        /// Do not follow a final symbolic link.
        const SYMLINK_NOFOLLOW = k::AT_SYMLINK_NOFOLLOW;
        /// With an empty path, act on the directory descriptor itself.
        const EMPTY_PATH = k::AT_EMPTY_PATH;
        /// Do not trigger an automount at the final component.
        const NO_AUTOMOUNT = k::AT_NO_AUTOMOUNT;
        /// [`unlinkat`]: remove a directory, as `rmdir` does.
        const REMOVEDIR = k::AT_REMOVEDIR;
        /// `statx`: fetch fresh attributes from a network filesystem.
        const STATX_FORCE_SYNC = k::AT_STATX_FORCE_SYNC;
        /// `statx`: whatever the client has cached will do.
        const STATX_DONT_SYNC = k::AT_STATX_DONT_SYNC;
    }
}

bitflags::bitflags! {
    /// Flags for [`renameat2`] (`RENAME_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct RenameFlags: u32 {
        /// Fail with `EEXIST` rather than replace the new name.
        const NOREPLACE = k::RENAME_NOREPLACE;
        /// Swap the two names atomically; both must exist.
        const EXCHANGE = k::RENAME_EXCHANGE;
        /// Leave a whiteout at the old name (overlay filesystems).
        const WHITEOUT = k::RENAME_WHITEOUT;
    }
}

/// Creates directory `path` (relative to `dir`, or
/// [`AT_FDCWD`](super::AT_FDCWD)) with permissions `mode` less the umask.
///
/// # Errors
/// `EEXIST`, `ENOENT` (a parent is missing), `ENOTDIR`, `EACCES`,
/// `EROFS`, `ENOSPC`, `EDQUOT`, `EMLINK`.
///
/// # References
/// mkdirat(2)
#[inline]
pub fn mkdirat(dir: Fd, path: &CStr, mode: u32) -> Result<(), Errno> {
    // SAFETY: the kernel reads the NUL-terminated `path` only.
    decode_unit(unsafe {
        syscall3(
            __NR_mkdirat,
            dir as usize,
            path.as_ptr() as usize,
            mode as usize,
        )
    })
}

/// Removes name `path` (relative to `dir`); with [`AtFlags::REMOVEDIR`],
/// removes an empty directory instead. The only flag taken.
///
/// # Errors
/// `ENOENT`, `EISDIR` (a directory without `REMOVEDIR`), `ENOTDIR`,
/// `ENOTEMPTY`, `EBUSY`, `EACCES`, `EPERM`, `EROFS`.
///
/// # References
/// unlinkat(2)
#[inline]
pub fn unlinkat(dir: Fd, path: &CStr, flags: AtFlags) -> Result<(), Errno> {
    // SAFETY: the kernel reads the NUL-terminated `path` only.
    decode_unit(unsafe {
        syscall3(
            __NR_unlinkat,
            dir as usize,
            path.as_ptr() as usize,
            flags.bits() as usize,
        )
    })
}

/// Renames `old` (relative to `old_dir`) to `new` (relative to
/// `new_dir`), replacing `new` unless the flags say otherwise.
///
/// # Errors
/// `ENOENT`, `EEXIST` (with `NOREPLACE`), `EXDEV` (different
/// filesystems), `EISDIR`, `ENOTDIR`, `ENOTEMPTY`, `EBUSY`, `EACCES`,
/// `EINVAL` (flags the filesystem does not support, or a directory moved
/// into itself).
///
/// # References
/// rename(2) (`renameat2`)
#[inline]
pub fn renameat2(
    old_dir: Fd,
    old: &CStr,
    new_dir: Fd,
    new: &CStr,
    flags: RenameFlags,
) -> Result<(), Errno> {
    // SAFETY: the kernel reads the two NUL-terminated paths only.
    decode_unit(unsafe {
        syscall5(
            __NR_renameat2,
            old_dir as usize,
            old.as_ptr() as usize,
            new_dir as usize,
            new.as_ptr() as usize,
            flags.bits() as usize,
        )
    })
}

/// Reads the target of symbolic link `path` (relative to `dir`; with an
/// empty `path`, the link `dir` was opened on with `O_PATH`) into `buf`,
/// and returns the part filled. The target is not NUL-terminated. When
/// it fills `buf` completely it may have been cut short: try again with
/// a larger buffer.
///
/// # Errors
/// `EINVAL` when `path` is not a symbolic link (or `buf` is empty);
/// `ENOENT`, `ENOTDIR`, `EACCES`.
///
/// # References
/// readlink(2) (`readlinkat`)
#[inline]
pub fn readlinkat<'b>(dir: Fd, path: &CStr, buf: &'b mut [u8]) -> Result<&'b [u8], Errno> {
    // SAFETY: the kernel reads the NUL-terminated `path` and writes at
    // most `buf.len()` bytes into `buf`, exclusively borrowed.
    let n = decode(unsafe {
        syscall4(
            __NR_readlinkat,
            dir as usize,
            path.as_ptr() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })?;
    let buf: &'b [u8] = buf;
    Ok(buf.get(..n).unwrap_or(buf))
}

/// Makes `path` the calling process's working directory (shared by its
/// threads).
///
/// # Errors
/// `ENOENT`, `ENOTDIR`, `EACCES` (no search permission).
///
/// # References
/// chdir(2)
#[inline]
pub fn chdir(path: &CStr) -> Result<(), Errno> {
    // SAFETY: the kernel reads the NUL-terminated `path` only.
    decode_unit(unsafe { syscall1(__NR_chdir, path.as_ptr() as usize) })
}

/// Makes the directory open as `fd` the working directory.
///
/// # Errors
/// `EBADF`, `ENOTDIR`, `EACCES`.
///
/// # References
/// chdir(2) (`fchdir`)
#[inline]
pub fn fchdir(fd: Fd) -> Result<(), Errno> {
    // SAFETY: `fchdir` takes an integer and touches no user memory.
    decode_unit(unsafe { syscall1(__NR_fchdir, fd as usize) })
}
