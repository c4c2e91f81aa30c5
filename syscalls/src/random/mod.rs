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
//! The query happens once per process. Each thread has a state of its own
//! (as glibc 2.41 and Go 1.24 do), taken from a pool on its first call and
//! given back when the thread ends ([`release_thread_state`]), so threads
//! never share or wait for one. A signal handler that calls `getrandom`
//! while its own thread is inside the vDSO call finds the state marked in
//! use and takes the system call ([`fallbacks`] counts those calls). If the
//! vDSO lacks the function, or no state can be had, calls use the system
//! call; [`route::route`](crate::route::route) says why, for the calling
//! thread.
//!
//! The per-thread data live in the program's TLS segment (see the
//! `local` module): the thread pointer must be set up, as freestand-rt and
//! libc do for every thread they make.

use crate::arch::syscall3;
use crate::errno::{Errno, decode};
use crate::nr::__NR_getrandom;
use crate::route::{GetrandomFn, State, state};
use core::mem::transmute;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed, compiler_fence};

mod pool;

pub use pool::{ForkGuard, lock_for_fork};

/// Calls served by the system call although the vDSO has `getrandom`: a
/// signal handler interrupting its own thread's call, or no state to be
/// had.
static FALLBACKS: AtomicUsize = AtomicUsize::new(0);

/// How many calls since the start of the process the system call served
/// although the vDSO could have: re-entered from a signal handler while
/// the thread's state was in use, or with no state to be had (the pool
/// could not grow).
///
/// # References
/// getrandom(2), vgetrandom in the kernel's `lib/vdso/getrandom.c`
pub fn fallbacks() -> usize {
    FALLBACKS.load(Relaxed)
}
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
    let t = crate::local::thread();
    let mine = t.random.get();
    if mine.is_null() {
        return getrandom_cold(buf, flags);
    }
    // SAFETY: `mine` is this thread's free state.
    unsafe { call_vdso(t, mine, buf, flags) }
}

/// The vDSO call with this thread's `state`, taken out of `t.random`
/// meanwhile.
///
/// # Safety
///
/// `state` must be the calling thread's state, free.
#[inline(always)]
unsafe fn call_vdso(
    t: &crate::local::Thread,
    state: *mut u8,
    buf: &mut [u8],
    flags: GetrandomFlags,
) -> Result<usize, Errno> {
    let (p, n, fl) = (buf.as_mut_ptr(), buf.len(), flags.bits());
    t.random.set(core::ptr::null_mut());
    // A handler that interrupts the call must see the state taken.
    compiler_fence(core::sync::atomic::Ordering::SeqCst);
    let f = t.random_fn.get();
    // SAFETY: `f` is `__vdso_getrandom`; `buf` is writable for its
    // length; the state is this thread's, `random_len` bytes of the mapping
    // the kernel asked for, and out of `t.random` until the call is done,
    // which keeps handlers off it.
    let ret = unsafe { transmute::<usize, GetrandomFn>(f)(p, n, fl, state, t.random_len.get()) };
    compiler_fence(core::sync::atomic::Ordering::SeqCst);
    t.random.set(state);
    if ret >= 0 {
        return Ok(ret as usize);
    }
    decode(getrandom_retry(ret, buf, flags) as usize)
}

/// The vDSO's error `ret`: final if `EINVAL`, else retried with the
/// system call; returns the raw result, in a register.
#[cold]
#[inline(never)]
fn getrandom_retry(ret: isize, buf: &mut [u8], flags: GetrandomFlags) -> isize {
    if ret == -(Errno::EINVAL.raw() as isize) {
        return ret;
    }
    // SAFETY: `buf` is writable for its length.
    unsafe {
        getrandom_shim(
            buf.as_mut_ptr(),
            buf.len(),
            flags.bits(),
            core::ptr::null_mut(),
            0,
        )
    }
}

/// [`getrandom`] for a thread without a state yet, or re-entered from a
/// signal handler while its state is in use.
#[cold]
#[inline(never)]
fn getrandom_cold(buf: &mut [u8], flags: GetrandomFlags) -> Result<usize, Errno> {
    let Ok(s) = state() else {
        return getrandom_syscall(buf, flags);
    };
    let t = crate::local::thread();
    if !t.random_held.get().is_null() {
        FALLBACKS.fetch_add(1, Relaxed);
        return getrandom_syscall(buf, flags);
    }
    let mine = match pool::take(s) {
        Ok(p) => p,
        Err(_) => {
            FALLBACKS.fetch_add(1, Relaxed);
            return getrandom_syscall(buf, flags);
        }
    };
    adopt(t, s, mine);
    // SAFETY: just taken for this thread.
    unsafe { call_vdso(t, mine, buf, flags) }
}

/// Makes `mine`, a state from the pool for `s`, the thread's own.
fn adopt(t: &crate::local::Thread, s: &State, mine: *mut u8) {
    t.random_held.set(mine);
    t.random_fn.set(s.function);
    t.random_len.set(s.len);
    t.random.set(mine);
}

/// Gives the calling thread's getrandom state back to the pool, for a
/// later thread. The runtime calls it as a thread ends; a thread that
/// calls `getrandom` afterwards takes a state again.
///
/// # References
/// vgetrandom in the kernel's `lib/vdso/getrandom.c` (one state per thread)
pub fn release_thread_state() {
    let t = crate::local::thread();
    t.random.set(core::ptr::null_mut());
    let mine = t.random_held.replace(core::ptr::null_mut());
    if !mine.is_null()
        && let Ok(s) = state()
    {
        pool::give(s, mine);
    }
}

/// The vDSO function if it serves the calling thread's `getrandom`, else
/// why not: taking the thread's state now if it has none, as its first
/// call would.
pub(crate) fn thread_route() -> Result<usize, crate::route::Reason> {
    let s = state()?;
    let t = crate::local::thread();
    if t.random_held.get().is_null() {
        let mine = pool::take(s).map_err(crate::route::Reason::PoolExhausted)?;
        adopt(t, s, mine);
    }
    Ok(s.function)
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
