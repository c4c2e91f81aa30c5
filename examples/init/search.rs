//! Running PROGRAM as `execvp(3)` does: a name with a `/` is run as it
//! is; any other is looked for in each directory of `PATH` in turn.
//!
//! This is freestand-syscalls' `execvpe` with the same rules, written
//! again so that init links no `memset` and `memcpy`: `execvpe` zeroes a
//! `PATH_MAX` buffer and copies with `copy_from_slice`, and those two
//! functions (with the run-time CPU check `memcpy` makes) are a twelfth
//! of init's size. Here the buffer is left uninitialised and filled a
//! byte at a time with volatile stores, which LLVM never turns into a
//! `memcpy` call. Paths are short; the cost is nothing next to `execve`.
//! It runs in the child of `vfork_spawn_on`, so it makes system calls
//! only, on memory it borrowed or owns.

use core::ffi::CStr;
use core::mem::MaybeUninit;
use freestand_rt::syscalls::Errno;
use freestand_rt::syscalls::process::{Arg, execve};

/// The longest path the kernel takes, with its NUL (`PATH_MAX`).
const PATH_MAX: usize = 4096;

/// Where `PATH` searches when it is unset (musl's choice).
const DEFAULT_PATH: &[u8] = b"/usr/local/bin:/bin:/usr/bin";

/// Execs `name` with `argv` and `envp`, searching `path` (the value of
/// `PATH`, or `None`). Returns only on failure: `EACCES` when something
/// was found but could not run and nothing else did, `ENOENT` when
/// nothing was found, or the error that stopped the search.
pub fn exec(
    name: &CStr,
    argv: &[Option<Arg<'_>>],
    envp: &[Option<Arg<'_>>],
    path: Option<&[u8]>,
) -> Errno {
    let file = name.to_bytes();
    if file.is_empty() {
        return Errno::ENOENT;
    }
    // `contains` would link core's word-at-a-time `memchr`, 200 bytes
    // for a name of a few.
    #[expect(clippy::manual_contains, reason = "keeps core's memchr out")]
    let has_slash = file.iter().any(|&b| b == b'/');
    if has_slash {
        return execve(name, argv, envp);
    }
    let mut buf = MaybeUninit::<[u8; PATH_MAX]>::uninit();
    let mut denied = false;
    for dir in path.unwrap_or(DEFAULT_PATH).split(|&b| b == b':') {
        let Some(candidate) = join(&mut buf, dir, file) else {
            continue;
        };
        match execve(candidate, argv, envp) {
            Errno::EACCES => denied = true,
            Errno::ENOENT | Errno::ENOTDIR => {}
            e => return e,
        }
    }
    if denied { Errno::EACCES } else { Errno::ENOENT }
}

/// `dir/file` (just `file` for an empty `dir`) as a C string in `buf`,
/// or `None` when it does not fit or holds a NUL.
fn join<'b>(buf: &'b mut MaybeUninit<[u8; PATH_MAX]>, dir: &[u8], file: &[u8]) -> Option<&'b CStr> {
    let slash: &[u8] = if dir.is_empty() { b"" } else { b"/" };
    let len = dir.len() + slash.len() + file.len();
    if len >= PATH_MAX {
        return None;
    }
    let base = buf.as_mut_ptr().cast::<u8>();
    let bytes = dir.iter().chain(slash).chain(file).chain(&[0]);
    for (i, &b) in bytes.enumerate() {
        // SAFETY: `i` is at most `len`, below PATH_MAX, so inside `buf`,
        // which this function borrows exclusively.
        unsafe { base.add(i).write_volatile(b) };
    }
    // SAFETY: the first `len + 1` bytes were written just above.
    let written = unsafe { core::slice::from_raw_parts(base, len + 1) };
    CStr::from_bytes_with_nul(written).ok()
}
