//! Running a program: [`execve`], [`execveat`], and [`execvpe`], which
//! searches `PATH` as `execvp(3)` does, without allocating.
//!
//! Argument and environment lists are slices of [`Arg`] ending with
//! `None`: the same memory layout as C's `char *argv[]` (an `Arg` is one
//! non-null pointer, `None` the null one), so the kernel reads the slice
//! as it is, and the borrow checker keeps the strings alive.

use crate::arch::{syscall3, syscall5};
use crate::errno::{Errno, decode};
use crate::fs::AtFlags;
use crate::io::Fd;
use crate::nr::{__NR_execve, __NR_execveat};
use core::ffi::{CStr, c_char};
use core::marker::PhantomData;
use core::ptr::NonNull;
use linux_raw_sys::general as k;

/// One argument or environment string: a pointer to a NUL-terminated
/// string that lives for `'a`. `Option<Arg>` is a single pointer, `None`
/// being null, so `&[Option<Arg>]` ending in `None` is a C `argv`.
#[repr(transparent)]
#[derive(Copy, Clone, PartialEq, Eq)]
pub struct Arg<'a> {
    ptr: NonNull<c_char>,
    life: PhantomData<&'a CStr>,
}

// SAFETY: an `Arg` is a shared borrow of an immutable `CStr`, which is
// `Send` and `Sync`; it only ever reads through the pointer.
unsafe impl Send for Arg<'_> {}
// SAFETY: as for `Send`.
unsafe impl Sync for Arg<'_> {}

impl<'a> Arg<'a> {
    /// The argument `s`.
    pub const fn new(s: &'a CStr) -> Arg<'a> {
        // SAFETY: a `CStr`'s pointer is never null.
        let ptr = unsafe { NonNull::new_unchecked(s.as_ptr().cast_mut()) };
        Arg {
            ptr,
            life: PhantomData,
        }
    }

    /// The string.
    pub fn as_cstr(self) -> &'a CStr {
        // SAFETY: built from a `&'a CStr` (or a pointer with that promise,
        // `list_from_raw`), NUL-terminated and alive for `'a`.
        unsafe { CStr::from_ptr(self.ptr.as_ptr()) }
    }

    /// The list at `argv` (a C `argv` or `envp`: pointers up to a null
    /// one), as a slice that includes the final `None`.
    ///
    /// # Safety
    ///
    /// `argv` must point to an array of pointers ended by a null pointer,
    /// each pointing to a NUL-terminated string; the array and strings
    /// must stay unchanged and alive for `'a` (as the initial stack's
    /// `argv` and `envp` are, for `'static`).
    pub unsafe fn list_from_raw(argv: *const *const c_char) -> &'a [Option<Arg<'a>>] {
        let list = argv.cast::<Option<Arg<'a>>>();
        let mut n = 0;
        // SAFETY: the caller guarantees a null-terminated array; an
        // `Option<Arg>` has the layout of a pointer, null being `None`.
        unsafe {
            while (*list.add(n)).is_some() {
                n += 1;
            }
            core::slice::from_raw_parts(list, n + 1)
        }
    }
}

impl<'a> From<&'a CStr> for Arg<'a> {
    fn from(s: &'a CStr) -> Arg<'a> {
        Arg::new(s)
    }
}

impl core::fmt::Debug for Arg<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.as_cstr().fmt(f)
    }
}

/// Where `PATH` searches when `PATH` is unset (musl's default; glibc's
/// is `/bin:/usr/bin`).
pub const DEFAULT_PATH: &[u8] = b"/usr/local/bin:/bin:/usr/bin";

/// The value of variable `name` in an environment list (`NAME=value`
/// strings), if it is there; the first one wins.
///
/// # References
/// environ(7), getenv(3)
pub fn env_var<'a>(envp: &[Option<Arg<'a>>], name: &[u8]) -> Option<&'a [u8]> {
    envp.iter().map_while(|a| *a).find_map(|a| {
        let s = a.as_cstr().to_bytes();
        s.strip_prefix(name)?.strip_prefix(b"=")
    })
}

/// Whether the list ends with its terminator, so the kernel stops inside
/// the slice.
fn terminated(list: &[Option<Arg<'_>>]) -> bool {
    matches!(list.last(), Some(None))
}

/// Replaces the calling process's program with the one at `path`, with
/// arguments `argv` and environment `envp`. Only returns on failure, with
/// the error.
///
/// Open descriptors stay open unless close-on-exec; handled signals go
/// back to their default action, ignored ones stay ignored; the signal
/// mask and pending signals are kept.
///
/// # Errors
/// `EINVAL`, without a system call, when `argv` or `envp` does not end
/// with `None`. From the kernel: `ENOENT`, `EACCES` (no execute
/// permission, or a mount with `noexec`), `ENOEXEC` (not a format the
/// kernel runs, such as a script without `#!`), `E2BIG`, `ETXTBSY`,
/// `ENOMEM`, `ELOOP`, `ENAMETOOLONG`, `ENOTDIR`.
///
/// # References
/// execve(2)
pub fn execve(path: &CStr, argv: &[Option<Arg<'_>>], envp: &[Option<Arg<'_>>]) -> Errno {
    if !terminated(argv) || !terminated(envp) {
        return Errno::EINVAL;
    }
    // SAFETY: `path` is NUL-terminated; `argv` and `envp` are arrays of
    // pointers to NUL-terminated strings, ended by a null pointer inside
    // the slice (checked above). On success the call does not return.
    let r = unsafe {
        syscall3(
            __NR_execve,
            path.as_ptr() as usize,
            argv.as_ptr() as usize,
            envp.as_ptr() as usize,
        )
    };
    decode(r).err().unwrap_or(Errno::EINVAL)
}

/// [`execve`] for `path` relative to directory `dir` (or
/// [`AT_FDCWD`](crate::fs::AT_FDCWD)); with [`AtFlags::EMPTY_PATH`] and an
/// empty `path`, runs the file `dir` itself refers to.
/// [`AtFlags::SYMLINK_NOFOLLOW`] refuses a final symbolic link (`ELOOP`).
///
/// # Errors
/// As [`execve`], and `EBADF` for a bad `dir`, `EINVAL` for other flags.
///
/// # References
/// execveat(2)
pub fn execveat(
    dir: Fd,
    path: &CStr,
    argv: &[Option<Arg<'_>>],
    envp: &[Option<Arg<'_>>],
    flags: AtFlags,
) -> Errno {
    if !terminated(argv) || !terminated(envp) {
        return Errno::EINVAL;
    }
    // SAFETY: as for `execve`; `dir` and `flags` are plain integers.
    let r = unsafe {
        syscall5(
            __NR_execveat,
            dir as usize,
            path.as_ptr() as usize,
            argv.as_ptr() as usize,
            envp.as_ptr() as usize,
            flags.bits() as usize,
        )
    };
    decode(r).err().unwrap_or(Errno::EINVAL)
}

/// Runs program `name` as `execvp(3)` does, searching `path` (the value of
/// `PATH`; `None` when unset, which searches [`DEFAULT_PATH`]). Only
/// returns on failure.
///
/// A `name` containing `/` is run as it is, without a search. Otherwise
/// each `:`-separated directory of `path` is tried in order, an empty one
/// meaning the current directory: `ENOENT` and `ENOTDIR` go on to the
/// next, `EACCES` too but is remembered, and any other error ends the
/// search at once. Directories whose joined path would exceed `PATH_MAX`
/// are skipped. The path is built in a `PATH_MAX` buffer on the stack:
/// nothing is allocated, so a child of [`vfork_spawn`](super::vfork_spawn)
/// may call this (give it 16 KiB of stack or more).
///
/// Unlike glibc, a file the kernel refuses with `ENOEXEC` (a script
/// without `#!`) is not retried with `/bin/sh`.
///
/// # Errors
/// `EACCES` when a candidate was found but could not be run and nothing
/// else was; `ENOENT` when nothing was found (also for an empty `name`);
/// `ENAMETOOLONG` for a `name` longer than `NAME_MAX`; else the error
/// that stopped the search ([`execve`]'s).
///
/// # References
/// execvp(3), execve(2)
pub fn execvpe(
    name: &CStr,
    argv: &[Option<Arg<'_>>],
    envp: &[Option<Arg<'_>>],
    path: Option<&[u8]>,
) -> Errno {
    let file = name.to_bytes();
    if file.is_empty() {
        return Errno::ENOENT;
    }
    if file.contains(&b'/') {
        return execve(name, argv, envp);
    }
    if file.len() > k::NAME_MAX as usize {
        return Errno::ENAMETOOLONG;
    }
    let mut seen_eacces = false;
    let mut buf = [0u8; k::PATH_MAX as usize];
    for dir in path.unwrap_or(DEFAULT_PATH).split(|&b| b == b':') {
        let Some(candidate) = join(&mut buf, dir, file) else {
            continue;
        };
        match execve(candidate, argv, envp) {
            Errno::EACCES => seen_eacces = true,
            Errno::ENOENT | Errno::ENOTDIR => {}
            e => return e,
        }
    }
    if seen_eacces {
        Errno::EACCES
    } else {
        Errno::ENOENT
    }
}

/// `dir/file` (just `file` for an empty `dir`) as a C string in `buf`, or
/// `None` when it does not fit or `dir` holds a NUL.
fn join<'b>(buf: &'b mut [u8], dir: &[u8], file: &[u8]) -> Option<&'b CStr> {
    let slash = usize::from(!dir.is_empty());
    let len = dir.len() + slash + file.len();
    let out = buf.get_mut(..len + 1)?;
    let (d, rest) = out.split_at_mut(dir.len());
    d.copy_from_slice(dir);
    let (s, rest) = rest.split_at_mut(slash);
    s.fill(b'/');
    let (f, nul) = rest.split_at_mut(file.len());
    f.copy_from_slice(file);
    nul.fill(0);
    CStr::from_bytes_with_nul(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_directories_and_names() {
        let mut buf = [0u8; 32];
        assert_eq!(join(&mut buf, b"/bin", b"sh"), Some(c"/bin/sh"));
        assert_eq!(join(&mut buf, b"", b"sh"), Some(c"sh"));
        assert_eq!(join(&mut buf, b"a\0b", b"sh"), None);
        let long = [b'x'; 40];
        assert_eq!(join(&mut buf, &long, b"sh"), None);
        // Exactly full: 28 + '/' + "sh" + NUL = 32.
        assert!(join(&mut buf, &long[..28], b"sh").is_some());
        assert!(join(&mut buf, &long[..29], b"sh").is_none());
    }

    #[test]
    fn lists_and_environment() {
        let env = [
            Some(Arg::new(c"HOME=/root")),
            Some(Arg::new(c"PATH=/x:/y")),
            None,
        ];
        assert_eq!(env_var(&env, b"PATH"), Some(&b"/x:/y"[..]));
        assert_eq!(env_var(&env, b"PAT"), None);
        assert_eq!(env_var(&env, b"USER"), None);
        assert_eq!(
            core::mem::size_of::<Option<Arg<'_>>>(),
            core::mem::size_of::<usize>()
        );
        // SAFETY: `env` is a null-terminated list of C strings.
        let raw = unsafe { Arg::list_from_raw(env.as_ptr().cast()) };
        assert_eq!(raw.len(), 3);
        assert_eq!(raw[1].unwrap().as_cstr(), c"PATH=/x:/y");
    }

    #[test]
    fn unterminated_lists_are_refused_before_the_kernel() {
        let argv = [Some(Arg::new(c"/nonexistent"))];
        assert_eq!(execve(c"/nonexistent", &argv, &[None]), Errno::EINVAL);
        assert_eq!(execve(c"/nonexistent", &[None], &[]), Errno::EINVAL);
        assert_eq!(execve(c"/nonexistent", &[None], &[None]), Errno::ENOENT);
        assert_eq!(execvpe(c"", &[None], &[None], None), Errno::ENOENT);
        let long = [b'a'; 300];
        let mut name = [0u8; 301];
        name[..300].copy_from_slice(&long);
        let name = CStr::from_bytes_with_nul(&name).unwrap();
        assert_eq!(execvpe(name, &[None], &[None], None), Errno::ENAMETOOLONG);
    }
}
