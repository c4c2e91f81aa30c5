//! Descriptors themselves: copying ([`dup`], [`dup3`]), pipes
//! ([`pipe2`]), closing many at once ([`close_range`]), the file offset
//! ([`lseek`]), flushing ([`fsync`], [`fdatasync`]) and size
//! ([`ftruncate`]).

use crate::arch::{syscall1, syscall1_readonly, syscall2, syscall3};
use crate::errno::{Errno, decode, decode_unit};
use crate::io::Fd;
use crate::nr::{
    __NR_close_range, __NR_dup, __NR_dup3, __NR_fdatasync, __NR_fsync, __NR_ftruncate, __NR_lseek,
    __NR_pipe2,
};
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Flags for [`dup3`].
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct DupFlags: u32 {
        /// The new descriptor is closed on `execve`.
        const CLOEXEC = k::O_CLOEXEC;
    }
}

bitflags::bitflags! {
    /// Flags for [`pipe2`].
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct PipeFlags: u32 {
        /// Both ends are closed on `execve`.
        const CLOEXEC = k::O_CLOEXEC;
        /// Reads and writes fail with `EAGAIN` instead of waiting.
        const NONBLOCK = k::O_NONBLOCK;
        /// Packet mode: each write is one message for one read.
        const DIRECT = k::O_DIRECT;
    }
}

bitflags::bitflags! {
    /// Flags for [`close_range`] (`include/uapi/linux/close_range.h`;
    /// `linux-raw-sys` does not generate them, so the two values are
    /// written here as that header defines them).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct CloseRangeFlags: u32 {
        /// Unshare the descriptor table first, so other threads keep it.
        const UNSHARE = 1 << 1;
        /// Mark close-on-exec instead of closing (Linux 5.11 and later).
        const CLOEXEC = 1 << 2;
    }
}

/// A copy of descriptor `fd` at the lowest free number, sharing its open
/// file (offset and status flags), without close-on-exec.
///
/// # Errors
/// `EBADF`, `EMFILE`.
///
/// # References
/// dup(2)
#[inline]
pub fn dup(fd: Fd) -> Result<Fd, Errno> {
    // SAFETY: `dup` takes an integer and touches no user memory.
    decode(unsafe { syscall1_readonly(__NR_dup, fd as usize) }).map(|fd| fd as Fd)
}

/// Makes `new` a copy of `old`, closing what `new` was first (silently,
/// ignoring errors from that close).
///
/// # Errors
/// `EINVAL` when `old == new` (unlike `dup2`) or for bad flags; `EBADF`;
/// `EMFILE` when `new` is above the descriptor limit; `EBUSY` in a race
/// with `open` on `new`. Not retried on `EINTR`, which dup(2) lists.
///
/// # References
/// dup(2) (`dup3`)
#[inline]
pub fn dup3(old: Fd, new: Fd, flags: DupFlags) -> Result<Fd, Errno> {
    // SAFETY: `dup3` takes integers and touches no user memory.
    decode(unsafe { syscall3(__NR_dup3, old as usize, new as usize, flags.bits() as usize) })
        .map(|fd| fd as Fd)
}

/// A new pipe: `(read end, write end)`.
///
/// # Errors
/// `EMFILE`, `ENFILE`, `EINVAL` for bad flags.
///
/// # References
/// pipe(2) (`pipe2`), pipe(7)
#[inline]
pub fn pipe2(flags: PipeFlags) -> Result<(Fd, Fd), Errno> {
    let mut fds: [i32; 2] = [-1, -1];
    // SAFETY: the kernel writes two `int`s into `fds`, a live local.
    decode_unit(unsafe { syscall2(__NR_pipe2, fds.as_mut_ptr() as usize, flags.bits() as usize) })?;
    Ok((fds[0], fds[1]))
}

/// Closes (or with [`CloseRangeFlags::CLOEXEC`], marks close-on-exec)
/// every descriptor from `first` to `last` inclusive; `u32::MAX` as
/// `last` means "and every one above". Descriptors not open are skipped.
/// Linux 5.9 and later. What a child does before `exec` so that the new
/// program inherits only what it should.
///
/// # Errors
/// `EINVAL` when `first > last` or for bad flags; `ENOMEM` with
/// `UNSHARE`; `ENOSYS` before Linux 5.9.
///
/// # References
/// close_range(2)
#[inline]
pub fn close_range(first: u32, last: u32, flags: CloseRangeFlags) -> Result<(), Errno> {
    // SAFETY: `close_range` takes integers and touches no user memory.
    decode_unit(unsafe {
        syscall3(
            __NR_close_range,
            first as usize,
            last as usize,
            flags.bits() as usize,
        )
    })
}

/// Where [`lseek`] moves the offset.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SeekFrom {
    /// To this offset.
    Start(u64),
    /// By this much from the current offset.
    Current(i64),
    /// By this much from the end of the file.
    End(i64),
    /// To the first byte of data at or after this offset.
    Data(u64),
    /// To the first hole at or after this offset (the end of the file
    /// counts as one).
    Hole(u64),
}

/// Moves the offset of open file `fd` and returns the new offset from the
/// start of the file.
///
/// # Errors
/// `ESPIPE` for a pipe, socket or terminal; `EINVAL` for a resulting
/// negative offset; `ENXIO` for `Data` or `Hole` beyond the end;
/// `EOVERFLOW`.
///
/// # References
/// lseek(2)
#[inline]
pub fn lseek(fd: Fd, pos: SeekFrom) -> Result<u64, Errno> {
    let (off, whence) = match pos {
        SeekFrom::Start(o) => (o as i64, k::SEEK_SET),
        SeekFrom::Current(o) => (o, k::SEEK_CUR),
        SeekFrom::End(o) => (o, k::SEEK_END),
        SeekFrom::Data(o) => (o as i64, k::SEEK_DATA),
        SeekFrom::Hole(o) => (o as i64, k::SEEK_HOLE),
    };
    // SAFETY: `lseek` takes integers and touches no user memory; on these
    // 64-bit architectures the offset fits one register.
    decode(unsafe { syscall3(__NR_lseek, fd as usize, off as usize, whence as usize) })
        .map(|o| o as u64)
}

/// Writes the file's data and metadata to the device, and waits for it.
///
/// # Errors
/// `EIO`, `ENOSPC`, `EDQUOT` (a write that had been accepted failed);
/// `EINVAL` for a file that cannot be synced (a pipe).
///
/// # References
/// fsync(2)
#[inline]
pub fn fsync(fd: Fd) -> Result<(), Errno> {
    // SAFETY: `fsync` takes an integer and touches no user memory.
    decode_unit(unsafe { syscall1(__NR_fsync, fd as usize) })
}

/// [`fsync`] without the metadata that reading the data does not need
/// (such as the modification time).
///
/// # Errors
/// As [`fsync`].
///
/// # References
/// fsync(2) (`fdatasync`)
#[inline]
pub fn fdatasync(fd: Fd) -> Result<(), Errno> {
    // SAFETY: `fdatasync` takes an integer and touches no user memory.
    decode_unit(unsafe { syscall1(__NR_fdatasync, fd as usize) })
}

/// Sets the size of the file open for writing as `fd` to `len` bytes,
/// cutting it or extending it with zeros.
///
/// # Errors
/// `EINVAL` when `fd` is not a regular file open for writing or `len` is
/// too large; `EFBIG`; `EPERM` for an append-only or immutable file;
/// `EINTR` when a handler ran while waiting (not retried).
///
/// # References
/// truncate(2) (`ftruncate`)
#[inline]
pub fn ftruncate(fd: Fd, len: u64) -> Result<(), Errno> {
    // SAFETY: `ftruncate` takes integers and touches no user memory.
    decode_unit(unsafe { syscall2(__NR_ftruncate, fd as usize, len as usize) })
}
