//! What init prints, and how: one line at a time, built in a buffer on the
//! stack and written with a single `write`, without `core::fmt`.
//!
//! `core::fmt` is the largest thing a small program can link; init's
//! messages are fixed text, names and decimal numbers, which [`Line`]
//! assembles by hand. A line that does not fit is cut short (it still
//! ends with a newline); a failed write is ignored, since there is no one
//! left to tell.
//!
//! The levels are tini's, so `TINI_VERBOSITY` means the same: 0 prints no
//! warnings, 1 (the default) prints them, 2 adds what init does (on
//! stdout), 3 adds every signal and every reaped process (stdout too).
//! Fatal errors are printed at every level.

use core::mem::MaybeUninit;
use freestand_rt::io::{Fd, STDERR, STDOUT, write_all};
use freestand_rt::syscalls::Errno;

/// Warnings: on stderr, from level 1.
pub const WARN: u32 = 1;
/// What init does: on stdout, from level 2.
pub const INFO: u32 = 2;
/// Each signal and each reaped process: on stdout, from level 3.
pub const DEBUG: u32 = 3;

/// The longest line; longer ones are cut.
const CAP: usize = 512;

/// A piece of a line.
#[derive(Copy, Clone)]
pub enum Part<'a> {
    /// Bytes as they are.
    Text(&'a [u8]),
    /// A number in decimal.
    Num(u64),
    /// Why a call failed (see [`reason`]).
    Why(Errno),
}

pub use Part::{Num, Text, Why};

/// Writes `init: `, the parts and a newline to `fd` with one `write`;
/// a line longer than 512 bytes is cut short. Every message goes
/// through here, so the code that assembles lines is linked once.
#[inline(never)]
pub fn say(fd: Fd, parts: &[Part<'_>]) {
    // Uninitialised and filled by volatile stores: zeroing it, or a copy
    // loop that LLVM recognises, would link `memset` or `memcpy`.
    let mut buf = MaybeUninit::<[u8; CAP]>::uninit();
    let base = buf.as_mut_ptr().cast::<u8>();
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        for &b in bytes {
            // One byte stays free for the newline.
            if len + 1 < CAP {
                // SAFETY: `len` is below CAP, so inside `buf`.
                unsafe { base.add(len).write_volatile(b) };
                len += 1;
            }
        }
    };
    put(b"init: ");
    for part in parts {
        match *part {
            Text(t) => put(t),
            Num(n) => put(decimal(n, &mut [0; 20])),
            Why(e) => match reason(e) {
                Ok(words) => put(words),
                Err(n) => {
                    put(b"errno ");
                    put(decimal(n.into(), &mut [0; 20]));
                }
            },
        }
    }
    put(b"\n");
    // SAFETY: the first `len` bytes were written by `put`.
    let line = unsafe { core::slice::from_raw_parts(base, len) };
    let _ = write_all(fd, line);
}

/// `n` in decimal, in `digits`.
fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut i = digits.len();
    while let Some(d) = i.checked_sub(1).and_then(|j| digits.get_mut(j)) {
        *d = b'0' + (n % 10) as u8;
        i -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.get(i..).unwrap_or_default()
}

/// A warning or fatal error on stderr.
pub fn err(parts: &[Part<'_>]) {
    say(STDERR, parts);
}

/// An informational line on stdout.
pub fn info(parts: &[Part<'_>]) {
    say(STDOUT, parts);
}

/// Why a call failed: the C library's words for the errors an exec, a
/// signal or a wait reports (so that messages read as tini's do), or
/// the error's number (`Err`) for the others (the table of every
/// error's name would cost a kilobyte).
fn reason(e: Errno) -> Result<&'static [u8], u32> {
    Ok(match e {
        Errno::ENOENT => b"No such file or directory",
        Errno::EACCES => b"Permission denied",
        Errno::ENOEXEC => b"Exec format error",
        Errno::ENOTDIR => b"Not a directory",
        Errno::ELOOP => b"Too many levels of symbolic links",
        Errno::ENAMETOOLONG => b"File name too long",
        Errno::E2BIG => b"Argument list too long",
        Errno::ETXTBSY => b"Text file busy",
        Errno::ENOMEM => b"Cannot allocate memory",
        Errno::EPERM => b"Operation not permitted",
        Errno::EINVAL => b"Invalid argument",
        Errno::EAGAIN => b"Resource temporarily unavailable",
        Errno::ESRCH => b"No such process",
        _ => return Err(e.raw().unsigned_abs()),
    })
}

/// Prints `what` and why `e` happened on stderr; returns status 1.
pub fn fatal(what: &[u8], e: Errno) -> i32 {
    err(&[Text(what), Why(e)]);
    1
}

/// Writes `bytes` to `fd` as they are.
pub fn raw(fd: Fd, bytes: &[u8]) {
    let _ = write_all(fd, bytes);
}

/// The help: what `-h` prints on stdout, and what follows an error in the
/// command line on stderr.
pub const HELP: &[u8] = b"\
Usage: init [OPTIONS] [--] PROGRAM [ARGS...]
       init --version

Runs PROGRAM as its only child, passes it the signals init receives,
reaps every zombie handed to it, and exits with PROGRAM's exit status
(128+N when signal N killed it). A drop-in for tini.

Options (they combine: -sgw, -e3):
  -s         become a child subreaper (needed unless init is PID 1)
  -g         send the signals to the child's process group
  -e CODE    report exit code CODE (0 to 255) as 0; may be repeated
  -p SIGNAL  the signal init gets when its parent dies, e.g. SIGTERM
  -v         say more (repeat it); the extra lines go to stdout
  -w         warn about each zombie reaped that is not the child
  -h         show this help and exit
  -l         show the licence and exit
  --version  show the version and exit

Environment:
  TINI_SUBREAPER           as -s, when set to any value
  TINI_KILL_PROCESS_GROUP  as -g, when set to any value
  TINI_VERBOSITY=N         0 silent, 1 warnings (the default),
                           2 what init does, 3 every signal and reap
";

/// What `-l` prints.
pub const LICENCE: &[u8] = b"\
init is an example of freestand <https://github.com/freestand-rs/freestand>.
It was written from tini's documentation and observed behaviour; it
contains no code from tini.

Licensed under either of
  the Apache License, Version 2.0 <https://www.apache.org/licenses/LICENSE-2.0>
  the MIT license <https://opensource.org/licenses/MIT>
at your option.
";

/// What `--version` prints.
pub const VERSION: &[u8] = concat!("init (freestand) ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();
