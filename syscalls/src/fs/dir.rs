//! Reading directories: [`getdents64`] and the [`Dir`] reader over it,
//! which yields each entry's name, inode and type without allocating.

use crate::arch::syscall3;
use crate::errno::{Errno, decode};
use crate::io::Fd;
use crate::nr::__NR_getdents64;
use core::ffi::CStr;
use linux_raw_sys::general as k;

/// Reads directory entries of the directory open as `fd` into `buf`, as
/// `struct linux_dirent64` records, from the descriptor's current
/// position; returns the number of bytes filled, 0 at the end. [`Dir`]
/// reads the records.
///
/// # Errors
/// `EINVAL` when `buf` cannot hold the next entry; `ENOTDIR`; `EBADF`;
/// `ENOENT` when the directory was removed.
///
/// # References
/// getdents64(2)
#[inline]
pub fn getdents64(fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`,
    // exclusively borrowed; any bytes are valid in a `[u8]`.
    decode(unsafe {
        syscall3(
            __NR_getdents64,
            fd as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// The type of a directory entry (`DT_*`), as the filesystem reports it
/// without a `stat`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    /// A regular file.
    Regular,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A named pipe.
    Fifo,
    /// A socket.
    Socket,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// Not reported: some filesystems leave it to `stat`.
    Unknown,
}

impl FileType {
    /// The type for a `d_type` value.
    fn from_dirent(t: u8) -> FileType {
        match u32::from(t) {
            k::DT_REG => FileType::Regular,
            k::DT_DIR => FileType::Directory,
            k::DT_LNK => FileType::Symlink,
            k::DT_FIFO => FileType::Fifo,
            k::DT_SOCK => FileType::Socket,
            k::DT_CHR => FileType::CharDevice,
            k::DT_BLK => FileType::BlockDevice,
            _ => FileType::Unknown,
        }
    }
}

/// One directory entry, borrowed from its [`Dir`]'s buffer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DirEntry<'a> {
    ino: u64,
    kind: FileType,
    name: &'a CStr,
}

impl<'a> DirEntry<'a> {
    /// The name within the directory, such as `c"file.txt"`; `.` and `..`
    /// are entries too.
    pub fn name(&self) -> &'a CStr {
        self.name
    }

    /// The inode number.
    pub fn ino(&self) -> u64 {
        self.ino
    }

    /// The type, if the filesystem reported it.
    pub fn file_type(&self) -> FileType {
        self.kind
    }

    /// Whether this is `.` or `..`.
    pub fn is_dot(&self) -> bool {
        matches!(self.name.to_bytes(), b"." | b"..")
    }
}

/// The offsets of `struct linux_dirent64`'s fields: `d_ino` (8 bytes),
/// `d_off` (8), `d_reclen` (2), `d_type` (1), then the name.
const RECLEN_AT: usize = 16;
const TYPE_AT: usize = 18;
const NAME_AT: usize = 19;

/// A directory reader: fills its buffer with [`getdents64`] and hands out
/// one entry at a time. The buffer is the reader's own (`Dir::new`, 4 KiB)
/// or one the caller lends ([`Dir::with_buffer`]); it must hold at least
/// the largest entry (about 280 bytes). The descriptor stays the
/// caller's to close.
///
/// ```
/// use freestand_syscalls::fs::{AT_FDCWD, Dir, OFlags, close, openat};
///
/// let fd = openat(AT_FDCWD, c"/", OFlags::DIRECTORY | OFlags::CLOEXEC, 0).unwrap();
/// let mut dir = Dir::new(fd);
/// let mut n = 0;
/// while let Some(entry) = dir.next_entry().unwrap() {
///     if !entry.is_dot() {
///         n += 1;
///     }
/// }
/// assert!(n > 0);
/// close(fd).unwrap();
/// ```
pub struct Dir<B: AsMut<[u8]>> {
    fd: Fd,
    buf: B,
    pos: usize,
    end: usize,
}

impl Dir<[u8; 4096]> {
    /// A reader of the directory open as `fd`, with its own 4 KiB buffer.
    pub fn new(fd: Fd) -> Self {
        Dir::with_buffer(fd, [0; 4096])
    }
}

impl<B: AsMut<[u8]>> Dir<B> {
    /// A reader of the directory open as `fd` that reads into `buf`.
    pub fn with_buffer(fd: Fd, buf: B) -> Self {
        Dir {
            fd,
            buf,
            pos: 0,
            end: 0,
        }
    }

    /// The next entry, `None` at the end of the directory.
    ///
    /// # Errors
    /// [`getdents64`]'s errors; `EIO` for a record that does not fit the
    /// bytes the kernel reported (which the kernel never writes).
    pub fn next_entry(&mut self) -> Result<Option<DirEntry<'_>>, Errno> {
        if self.pos >= self.end {
            let n = getdents64(self.fd, self.buf.as_mut())?;
            if n == 0 {
                return Ok(None);
            }
            self.pos = 0;
            self.end = n;
        }
        let buf = self.buf.as_mut();
        let rec = buf.get(self.pos..self.end).ok_or(Errno::EIO)?;
        let field = |at: usize, n: usize| rec.get(at..at + n).ok_or(Errno::EIO);
        let reclen = usize::from(u16::from_ne_bytes(
            field(RECLEN_AT, 2)?.try_into().map_err(|_| Errno::EIO)?,
        ));
        let ino = u64::from_ne_bytes(field(0, 8)?.try_into().map_err(|_| Errno::EIO)?);
        let kind = FileType::from_dirent(field(TYPE_AT, 1)?[0]);
        let name = rec.get(NAME_AT..reclen).ok_or(Errno::EIO)?;
        let name = CStr::from_bytes_until_nul(name).map_err(|_| Errno::EIO)?;
        self.pos += reclen;
        Ok(Some(DirEntry { ino, kind, name }))
    }

    /// Starts again from the first entry.
    ///
    /// # Errors
    /// As [`lseek`](super::lseek) on the descriptor.
    pub fn rewind(&mut self) -> Result<(), Errno> {
        super::lseek(self.fd, super::SeekFrom::Start(0))?;
        self.pos = 0;
        self.end = 0;
        Ok(())
    }
}
