//! File-descriptor I/O: `read`, `write`, and [`write_all`], which
//! finishes what a short or interrupted `write` left.

use crate::arch::syscall3;
use crate::errno::{Errno, decode};
use crate::nr::{__NR_read, __NR_write};

/// A raw file descriptor.
pub type Fd = i32;
/// Standard input.
pub const STDIN: Fd = 0;
/// Standard output.
pub const STDOUT: Fd = 1;
/// Standard error.
pub const STDERR: Fd = 2;

/// Reads up to `buf.len()` bytes from `fd`; returns how many were read
/// (0 at end of file). May return fewer bytes than asked, or `EINTR`.
///
/// # References
/// read(2)
#[inline]
pub fn read(fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`, which
    // is valid and exclusively borrowed for the call.
    decode(unsafe { syscall3(__NR_read, fd as usize, buf.as_mut_ptr() as usize, buf.len()) })
}

/// Writes up to `buf.len()` bytes to `fd`; returns how many were written.
/// May write fewer bytes than asked, or fail with `EINTR`.
///
/// # References
/// write(2)
#[inline]
pub fn write(fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
    decode(write_raw(fd, buf))
}

/// [`write()`] undecoded: the count written, or a negated errno, which
/// [`decode`] turns into `write`'s result. A caller that only asks "was
/// all of it written?" compares this with `buf.len()` directly: an error
/// (above `isize::MAX`) is never equal to a slice's length.
///
/// # References
/// write(2)
#[inline]
pub fn write_raw(fd: Fd, buf: &[u8]) -> usize {
    // SAFETY: the kernel only reads `buf.len()` bytes from `buf`, which is
    // valid for the call.
    unsafe { syscall3(__NR_write, fd as usize, buf.as_ptr() as usize, buf.len()) }
}

/// Writes all of `buf` to `fd`, calling `write` again after a short
/// write and after `EINTR` (the one helper in this crate that retries:
/// a caller sending a whole buffer down a pipe wants exactly this).
///
/// # Errors
/// The first error other than `EINTR`; `EIO` if `write` accepts 0 bytes
/// of a non-empty buffer, so the loop always ends. On error, an unknown
/// prefix of `buf` has been written.
///
/// # References
/// write(2), pipe(7) ("Pipe capacity", partial writes)
pub fn write_all(fd: Fd, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) => return Err(Errno::EIO),
            // `write` never reports more than it was given.
            Ok(n) => buf = buf.get(n..).unwrap_or_default(),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
