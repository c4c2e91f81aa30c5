//! Opening and closing files: [`openat`], [`close`] and their flags.

use crate::arch::{syscall1_readonly, syscall4};
use crate::errno::{Errno, decode, decode_unit};
use crate::io::Fd;
use crate::nr::{__NR_close, __NR_openat};
use core::ffi::CStr;
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Flags for [`openat`] (`O_*`). The access mode is [`OFlags::RDONLY`]
    /// (no bit), [`OFlags::WRONLY`] or [`OFlags::RDWR`].
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct OFlags: u32 {
        /// Open for reading only (the value 0).
        const RDONLY = k::O_RDONLY;
        /// Open for writing only.
        const WRONLY = k::O_WRONLY;
        /// Open for reading and writing.
        const RDWR = k::O_RDWR;
        /// Create the file if it does not exist.
        const CREAT = k::O_CREAT;
        /// With `CREAT`, fail if the file exists.
        const EXCL = k::O_EXCL;
        /// Truncate the file to length 0.
        const TRUNC = k::O_TRUNC;
        /// Every write appends.
        const APPEND = k::O_APPEND;
        /// Non-blocking I/O.
        const NONBLOCK = k::O_NONBLOCK;
        /// Fail unless the path is a directory.
        const DIRECTORY = k::O_DIRECTORY;
        /// Do not follow a final symbolic link.
        const NOFOLLOW = k::O_NOFOLLOW;
        /// Close the descriptor on `execve`.
        const CLOEXEC = k::O_CLOEXEC;
        /// Opening a terminal does not make it the controlling terminal.
        const NOCTTY = k::O_NOCTTY;
        /// A descriptor for the path only (for `*at` calls, `fstat`,
        /// `execveat`), not for reading or writing.
        const PATH = k::O_PATH;
        /// Writes wait until data and metadata reach the device.
        const SYNC = k::O_SYNC;
    }
}

/// The directory file descriptor that means "the current directory".
pub const AT_FDCWD: Fd = k::AT_FDCWD;

/// Opens `path` relative to directory `dir` (or [`AT_FDCWD`]); `mode` sets
/// the permissions of a file that `CREAT` makes.
///
/// # References
/// openat(2)
#[inline]
pub fn openat(dir: Fd, path: &CStr, flags: OFlags, mode: u32) -> Result<Fd, Errno> {
    // SAFETY: the kernel reads the NUL-terminated string `path` and nothing
    // else from user memory.
    let fd = decode(unsafe {
        syscall4(
            __NR_openat,
            dir as usize,
            path.as_ptr() as usize,
            flags.bits() as usize,
            mode as usize,
        )
    })?;
    Ok(fd as Fd)
}

/// Closes `fd`. The descriptor is released even when an error is returned
/// (except `EBADF`), so it must not be closed again.
///
/// # References
/// close(2)
#[inline]
pub fn close(fd: Fd) -> Result<(), Errno> {
    // SAFETY: `close` reads and writes no user memory.
    decode_unit(unsafe { syscall1_readonly(__NR_close, fd as usize) })
}
