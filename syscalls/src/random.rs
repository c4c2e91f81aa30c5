//! Randomness from the kernel: [`getrandom`], through the vDSO's
//! `__vdso_getrandom` where the kernel exports it (x86_64 since Linux 6.11;
//! aarch64, as `__kernel_getrandom`, since 6.12).
//!
//! The vDSO function generates random bytes in user space from a key the
//! kernel keeps fresh, in an *opaque state* the caller provides. Setting it
//! up takes the steps the kernel documents for `vgetrandom`:
//!
//! 1. call the function with a null buffer, length 0, flags 0, a pointer to
//!    a `struct vgetrandom_opaque_params` and state length `~0` to learn
//!    the state's size and how to map it;
//! 2. map that much memory with exactly the protection and flags it names
//!    (`MAP_DROPPABLE`, so the kernel may reclaim it and wipes it on fork);
//! 3. pass the state and its size on every call.
//!
//! That happens once, on the first call. The process has one state,
//! guarded by a [`spin::Mutex`]: a call that finds it busy (another thread,
//! or a signal handler interrupting a call) uses the system call instead of
//! waiting. If the vDSO lacks the function or the state cannot be set up,
//! every call uses the system call; [`route::route`](crate::route::route)
//! says why.

use crate::arch::syscall3;
use crate::errno::{Errno, decode};
use crate::nr::__NR_getrandom;
use crate::route::{GetrandomFn, finish, state};
use core::mem::transmute;
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Flags for [`getrandom`] (`GRND_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct GetrandomFlags: u32 {
        /// Fail with `EAGAIN` instead of blocking before the pool is ready.
        const NONBLOCK = k::GRND_NONBLOCK;
        /// Historical: draw from the blocking pool (now the same source).
        const RANDOM = k::GRND_RANDOM;
        /// Never block, even before the pool is initialised.
        const INSECURE = k::GRND_INSECURE;
    }
}

/// The `getrandom` system call, with the vDSO's signature (the state is
/// ignored).
///
/// # Safety
///
/// `buf` must be valid for writing `len` bytes.
unsafe extern "C" fn getrandom_shim(
    buf: *mut u8,
    len: usize,
    flags: u32,
    _state: *mut u8,
    _state_len: usize,
) -> isize {
    // SAFETY: the kernel writes at most `len` bytes to `buf`.
    unsafe { syscall3(__NR_getrandom, buf as usize, len, flags as usize) as isize }
}

/// Fills up to `buf.len()` bytes of `buf` with random bytes and returns how
/// many, through the vDSO where it serves the call.
///
/// Like the system call, it may return fewer bytes than asked for (more
/// than 32 MiB, or interrupted by a signal); [`fill`] loops.
///
/// # Errors
/// `EINVAL` for unknown flags or `RANDOM | INSECURE`; `EAGAIN` with
/// `NONBLOCK` before the pool is ready; `EINTR` if a signal arrives before
/// any byte is written.
///
/// # References
/// getrandom(2), vgetrandom in the kernel's `lib/vdso/getrandom.c`
#[inline]
pub fn getrandom(buf: &mut [u8], flags: GetrandomFlags) -> Result<usize, Errno> {
    // The vDSO (Linux 6.18 seen) accepts RANDOM | INSECURE, which the
    // system call rejects with EINVAL; unknown bits it forwards to the
    // system call itself. Both go to the system call here, so the answer is
    // always the system call's.
    if !GetrandomFlags::all().contains(flags)
        || flags.contains(GetrandomFlags::RANDOM | GetrandomFlags::INSECURE)
    {
        return getrandom_syscall(buf, flags);
    }
    if let Ok(s) = state()
        && let Some(_held) = s.busy.try_lock()
    {
        let shim: GetrandomFn = getrandom_shim;
        let (p, n, fl) = (buf.as_mut_ptr(), buf.len(), flags.bits());
        // SAFETY: `s.function` is `__vdso_getrandom`; `buf` is writable
        // for its length; the state is the kernel-specified mapping of
        // `s.len` bytes, and `busy` gives this call sole use of it.
        let ret = unsafe {
            transmute::<usize, GetrandomFn>(s.function)(p, n, fl, s.state as *mut u8, s.len)
        };
        let f = s.function as *mut ();
        let null = core::ptr::null_mut();
        // SAFETY: the shim's contract: `buf` is writable for `n` bytes.
        return finish!(ret, f, shim as *mut (), unsafe { shim(p, n, fl, null, 0) });
    }
    getrandom_syscall(buf, flags)
}

/// [`getrandom`] by the system call, never the vDSO.
///
/// # Errors
/// As [`getrandom`].
///
/// # References
/// getrandom(2)
#[inline]
pub fn getrandom_syscall(buf: &mut [u8], flags: GetrandomFlags) -> Result<usize, Errno> {
    // SAFETY: `buf` is writable for its length.
    let ret = unsafe {
        getrandom_shim(
            buf.as_mut_ptr(),
            buf.len(),
            flags.bits(),
            core::ptr::null_mut(),
            0,
        )
    };
    decode(ret as usize)
}

/// Fills all of `buf` with random bytes, calling [`getrandom`] until it is
/// full and retrying on `EINTR`.
///
/// # Errors
/// As [`getrandom`], except `EINTR`; `EIO` if the kernel returned 0.
///
/// # References
/// getrandom(2)
pub fn fill(buf: &mut [u8], flags: GetrandomFlags) -> Result<(), Errno> {
    let mut rest = buf;
    while !rest.is_empty() {
        match getrandom(rest, flags) {
            // The kernel never returns 0 for a non-empty buffer; if it
            // did, looping would never end.
            Ok(0) => return Err(Errno::EIO),
            Ok(n) => {
                let n = n.min(rest.len());
                rest = &mut rest[n..];
            }
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
