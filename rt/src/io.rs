//! Standard output and error, and the printing macros.
//!
//! `print!` and friends format into a small buffer on the stack and hand it
//! to the kernel with as few `write` calls as possible (one, for any line
//! shorter than the buffer). [`write_all`] retries short writes and `EINTR`,
//! so no output is silently lost. A write error from `print!`/`println!`
//! (for example `ENOSPC` on `/dev/full`) panics with the errno, as std does
//! (and, as std, a closed stream, `EBADF`, swallows the output);
//! use [`write_all`] or [`Stdout`] to handle it yourself.

use crate::exit::PANIC_EXIT;
use crate::msg::{self, Msg};
use core::fmt;
use core::panic::Location;
use freestand_syscalls::Errno;
use freestand_syscalls::io as sys;
use freestand_syscalls::process::exit_group;

mod lines;
pub(crate) use lines::lock_lines_for_fork;

pub use freestand_syscalls::io::{Fd, STDERR, STDIN, STDOUT};

/// Writes all of `buf` to `fd`, retrying after short writes and `EINTR`.
///
/// # Errors
/// The first error other than `EINTR`. A `write` that accepts 0 bytes of a
/// non-empty buffer is reported as `EIO`, so the loop always ends.
#[inline]
pub fn write_all(fd: Fd, buf: &[u8]) -> Result<(), Errno> {
    write_first(fd, buf).or_else(|first| write_rest(fd, buf, first))
}

/// The first `write` of [`write_all`]: `Ok` if it took all of `buf` (or
/// `buf` is empty), else its raw result, for [`write_rest`]. Nearly always
/// one `write` takes it all: this path is inlined, and a string literal's
/// length is a constant for the comparison.
#[inline(always)]
fn write_first(fd: Fd, buf: &[u8]) -> Result<(), usize> {
    if buf.is_empty() {
        return Ok(());
    }
    let first = sys::write_raw(fd, buf);
    if first == buf.len() {
        Ok(())
    } else {
        Err(first)
    }
}

/// The rest of [`write_all`] after a first `write` whose raw result,
/// `first`, was not the whole length.
#[cold]
#[inline(never)]
fn write_rest(fd: Fd, mut buf: &[u8], first: usize) -> Result<(), Errno> {
    let mut raw = first;
    loop {
        match freestand_syscalls::errno::decode(raw) {
            Ok(0) => return Err(Errno::EIO),
            // `write` never reports more than it was given.
            Ok(n) => buf = buf.get(n..).unwrap_or_default(),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
        if buf.is_empty() {
            return Ok(());
        }
        raw = sys::write_raw(fd, buf);
    }
}

/// A formatter that collects output in a fixed buffer and writes it to a
/// file descriptor when full and when flushed.
pub struct BufWriter<const N: usize> {
    fd: Fd,
    len: usize,
    error: Option<Errno>,
    buf: [u8; N],
}

impl<const N: usize> BufWriter<N> {
    /// An empty buffer for `fd`.
    pub const fn new(fd: Fd) -> Self {
        const { assert!(N > 0, "a BufWriter needs room for at least one byte") };
        BufWriter {
            fd,
            len: 0,
            error: None,
            buf: [0; N],
        }
    }

    /// Writes out what is buffered; returns the first error seen since the
    /// writer was made, if any.
    pub fn flush(&mut self) -> Result<(), Errno> {
        let pending = self.buf.get(..self.len).unwrap_or_default();
        if self.error.is_none()
            && let Err(e) = write_all(self.fd, pending)
        {
            self.error = Some(e);
        }
        self.len = 0;
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.len == N {
                // Errors are kept and reported by `flush`.
                let _ = self.flush();
            }
            let room = N - self.len;
            let take = room.min(bytes.len());
            let (now, later) = bytes.split_at(take);
            if let Some(dst) = self.buf.get_mut(self.len..self.len + take) {
                dst.copy_from_slice(now);
            }
            self.len += take;
            bytes = later;
        }
    }
}

impl<const N: usize> fmt::Write for BufWriter<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// Handle to standard output. `write!(Stdout, ...)` returns
/// `Result<(), Errno>` (see [`Stdout::write_fmt`]); through the
/// [`fmt::Write`] trait, as a generic writer, it writes unbuffered and
/// reports failure as [`fmt::Error`].
#[derive(Copy, Clone, Debug, Default)]
pub struct Stdout;

/// Handle to standard error; see [`Stdout`].
#[derive(Copy, Clone, Debug, Default)]
pub struct Stderr;

impl Stdout {
    /// Writes all of `buf` to standard output.
    ///
    /// # Errors
    /// As [`write_all`].
    pub fn write_all(&self, buf: &[u8]) -> Result<(), Errno> {
        write_all(STDOUT, buf)
    }

    /// The fallible `print!`: `write!(Stdout, ...)` and `writeln!(Stdout,
    /// ...)` call this inherent method (it takes precedence over
    /// [`fmt::Write::write_fmt`]) and so return the errno instead of
    /// panicking. Like `print!`, it writes each call's output with as few
    /// `write` calls as possible.
    ///
    /// ```ignore
    /// use freestand_rt::io::Stdout;
    /// writeln!(Stdout, "{} lines", 3)?; // Err(Errno::ENOSPC) on /dev/full
    /// ```
    ///
    /// # Errors
    /// The errno of the failed `write`, `EBADF` included.
    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), Errno> {
        write_fmt(STDOUT, args, false)
    }
}

impl Stderr {
    /// Writes all of `buf` to standard error.
    ///
    /// # Errors
    /// As [`write_all`].
    pub fn write_all(&self, buf: &[u8]) -> Result<(), Errno> {
        write_all(STDERR, buf)
    }

    /// The fallible `eprint!`; see [`Stdout::write_fmt`].
    ///
    /// # Errors
    /// The errno of the failed `write`, `EBADF` included.
    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> Result<(), Errno> {
        write_fmt(STDERR, args, false)
    }
}

impl fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(STDOUT, s.as_bytes()).map_err(|_| fmt::Error)
    }
}

impl fmt::Write for Stderr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(STDERR, s.as_bytes()).map_err(|_| fmt::Error)
    }
}

/// Writes formatted output plus an optional newline to `fd`, returning the
/// first error.
///
/// # Errors
/// The errno of the failed `write`.
#[inline]
pub fn write_fmt(fd: Fd, args: fmt::Arguments<'_>, newline: bool) -> Result<(), Errno> {
    // A plain string literal needs no formatting machinery at all.
    if let (Some(s), false) = (args.as_str(), newline) {
        return write_all(fd, s.as_bytes());
    }
    write_fmt_buffered(fd, args, newline)
}

#[inline(never)]
fn write_fmt_buffered(fd: Fd, args: fmt::Arguments<'_>, newline: bool) -> Result<(), Errno> {
    // Once there are threads, whole lines never interleave: a line longer
    // than the buffer takes several `write`s, under this lock.
    let _lines = crate::thread::spawned().then(lines::LineLock::take);
    let mut w = BufWriter::<512>::new(fd);
    // `BufWriter` never fails while formatting; a `Display` impl that
    // returns an error only truncates its own output, as in std.
    let _ = fmt::Write::write_fmt(&mut w, args);
    if newline {
        w.push(b"\n");
    }
    w.flush()
}

#[doc(hidden)]
#[inline]
#[track_caller]
pub fn _print(fd: Fd, args: fmt::Arguments<'_>, newline: bool) {
    // A plain string literal: `write_all`'s one-`write` path, inline, and
    // everything else out of line, so that a `print!` costs its caller
    // no more than the system call and one comparison.
    if let (Some(s), false) = (args.as_str(), newline) {
        if let Err(first) = write_first(fd, s.as_bytes()) {
            print_rest(fd, s.as_bytes(), first);
        }
        return;
    }
    print_result(fd, write_fmt_buffered(fd, args, newline));
}

/// The rest of a `print!` of a literal whose first `write`, with raw
/// result `first`, did not take it all.
#[cold]
#[inline(never)]
#[track_caller]
fn print_rest(fd: Fd, buf: &[u8], first: usize) {
    print_result(fd, write_rest(fd, buf, first));
}

#[inline]
#[track_caller]
fn print_result(fd: Fd, result: Result<(), Errno>) {
    match result {
        // Like std: a closed standard stream swallows output silently.
        Ok(()) | Err(Errno::EBADF) => {}
        Err(e) => print_failure(Location::caller(), fd, e),
    }
}

/// Reports a failed `print!`, `println!`, `eprint!` or `eprintln!` at `at`
/// (to standard error if `fd` is [`STDERR`], else to standard output)
/// as the panic it stands for would be reported (`panicked at
/// FILE:LINE:COL:`, then `failed printing to STREAM: ERRNO`) and exits
/// with [`PANIC_EXIT`](crate::exit::PANIC_EXIT). ERRNO is as `Errno`'s `Display` shows it
/// (`ENOSPC (errno 28)`) for the errors a write reports
/// ([`Errno::io_name`]) and `errno N` for any other. The report is one
/// line of at most 383 bytes: a longer source path cuts its end.
///
/// It builds the lines itself, without `core::fmt`: in a program whose
/// only possible panic is a failed print (such as `hello`), nothing then
/// reaches the panic handler, and the linker drops the handler and the
/// formatting machinery (about 3 KB). For the same reason it has no
/// indexing or `unwrap` that could panic.
#[cold]
#[inline(never)]
pub(crate) fn print_failure(at: &Location<'_>, fd: Fd, e: Errno) -> ! {
    // No `PANICKING` guard: nothing here can fail into a second report,
    // and a report from another thread at the same moment is a whole
    // line of its own, written in one `write`.
    let mut buf = msg::Buf::uninit();
    let mut m = Msg::new(&mut buf);
    m.push(b"panicked at ");
    m.push(at.file().as_bytes());
    m.byte(b':');
    m.decimal(at.line() as usize);
    m.byte(b':');
    m.decimal(at.column() as usize);
    m.push(b":\nfailed printing to ");
    m.push(if fd == STDERR { b"stderr" } else { b"stdout" });
    m.push(b": ");
    // As `Errno`'s `Display`, `ENOSPC (errno 28)`, for the errors a write
    // reports; `errno N` for any other, which spares every program that
    // prints the table of all the other names.
    let raw = e.raw() as usize;
    match e.io_name() {
        Some(name) => {
            m.push(name.as_bytes());
            m.push(b" (errno ");
            m.decimal(raw);
            m.byte(b')');
        }
        None => {
            m.push(b"errno ");
            m.decimal(raw);
        }
    }
    m.send(STDERR);
    exit_group(PANIC_EXIT)
}

/// Prints to standard output. Panics if the write fails.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::io::_print($crate::io::STDOUT, ::core::format_args!($($arg)*), false)
    };
}

/// Prints to standard output, with a newline. Panics if the write fails.
#[macro_export]
macro_rules! println {
    () => {
        $crate::io::_print($crate::io::STDOUT, ::core::format_args!("\n"), false)
    };
    ($($arg:tt)*) => {
        $crate::io::_print($crate::io::STDOUT, ::core::format_args!($($arg)*), true)
    };
}

/// Prints to standard error. Panics if the write fails.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::io::_print($crate::io::STDERR, ::core::format_args!($($arg)*), false)
    };
}

/// Prints to standard error, with a newline. Panics if the write fails.
#[macro_export]
macro_rules! eprintln {
    () => {
        $crate::io::_print($crate::io::STDERR, ::core::format_args!("\n"), false)
    };
    ($($arg:tt)*) => {
        $crate::io::_print($crate::io::STDERR, ::core::format_args!($($arg)*), true)
    };
}

/// Displays bytes as text: valid UTF-8 as is (with control characters
/// escaped as Rust does), every other byte as `\xNN`. Never assumes UTF-8.
#[derive(Copy, Clone)]
pub struct Escaped<'a>(pub &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                write!(f, "{}", c.escape_debug())?;
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}
