//! Starting a program cheaply: [`vfork_spawn`] runs a function in a child
//! that shares the caller's memory (`clone(CLONE_VM | CLONE_VFORK |
//! SIGCHLD)`), on a small stack of its own, until that function execs.
//!
//! Nothing is copied, so the cost does not grow with the caller's memory
//! as [`fork`](super::fork)'s page-table copy does; the calling thread
//! sleeps until the child has called `execve` (or ended). The kernel
//! needs a separate stack for the child, and since the child returns
//! from `clone` on it, a per-architecture trampoline (`arch::clone_run`)
//! calls the child's function there.
//!
//! Around the `clone` the caller's thread blocks every signal; in the
//! child, every signal with a handler goes back to its default action
//! (the child has its own copy of the dispositions: no `CLONE_SIGHAND`),
//! then the caller's mask returns, so no parent handler ever runs on the
//! child's stack.
//!
//! If the function returns, the child reports its error twice before it
//! ends with status 127: in the shared memory, and as four bytes down a
//! close-on-exec pipe whose read end the parent drains (an exec closes
//! the pipe, so the parent reads nothing). The pipe is for qemu-user,
//! which runs `CLONE_VM | CLONE_VFORK` as a plain fork: memory is not
//! shared there and the parent does not sleep, but the pipe still
//! carries the error and still makes the parent wait until the exec.
//! The memory is for a function that closes every descriptor
//! (`close_range`) before a failed exec. Either way the child is then
//! reaped, and [`vfork_spawn`] returns the error.

use super::{Pid, WaitFor, WaitOptions, exit_group, wait4};
use crate::errno::{Errno, decode};
use crate::fs::{PipeFlags, close, pipe2};
use crate::io::{Fd, read, write_all};
use crate::mm::{MapFlags, ProtFlags, mmap, mprotect, munmap};
use crate::signal::{How, SigSet, reset_handlers, sigprocmask};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicI32, Ordering};
use linux_raw_sys::general as k;

/// The smallest stack [`vfork_spawn_on`] accepts: room for
/// [`execvpe`](super::execvpe)'s `PATH_MAX` buffer and the calls it makes.
pub const SPAWN_STACK_MIN: usize = 16 * 1024;

/// The stack [`vfork_spawn`] maps for the child.
const MAPPED_STACK: usize = 64 * 1024;

/// The inaccessible gap below the mapped stack, so that an overflow
/// faults instead of writing over other memory: 64 KiB, a multiple of
/// every page size these architectures use (4, 16 or 64 KiB).
const GUARD: usize = 64 * 1024;

/// What the parent's frame lends the child: the function, the mask to
/// restore, and the two ways a failure is reported.
struct Shared<'f, F> {
    f: &'f F,
    mask: SigSet,
    /// 0, or the positive errno the child reports before it ends.
    error: AtomicI32,
    /// The write end of the report pipe (close-on-exec).
    report: Fd,
}

/// The child's first Rust frame, on its own stack.
///
/// # Safety
///
/// `arg` must be the address of a `Shared<F>` that stays alive until the
/// child has called `execve` or ended, as [`spawn_at`] ensures.
unsafe extern "C" fn child<F: Fn() -> Errno + Sync>(arg: usize) -> ! {
    // SAFETY: the parent lent this `Shared` from its frame and sleeps
    // (CLONE_VFORK) until this child execs or ends; under a fork
    // emulation the child reads its own copy of it.
    let shared = unsafe { &*(arg as *const Shared<'_, F>) };
    let error = match reset_handlers().and_then(|()| sigprocmask(How::SetMask, shared.mask)) {
        Ok(_) => (shared.f)(),
        Err(e) => e,
    };
    shared.error.store(error.raw(), Ordering::Release);
    let _ = write_all(shared.report, &error.raw().to_ne_bytes());
    exit_group(127)
}

/// The error the child reported down the pipe, if any: four bytes, or
/// nothing once the exec closed the pipe (or the child ended otherwise).
fn read_report(r: Fd) -> Option<Errno> {
    let mut buf = [0u8; 4];
    let mut got = 0;
    while got < buf.len() {
        match read(r, buf.get_mut(got..)?) {
            Ok(0) => return None,
            Ok(n) => got += n,
            Err(Errno::EINTR) => {}
            Err(_) => return None,
        }
    }
    Errno::from_raw(i32::from_ne_bytes(buf))
}

/// The `clone` itself, with the child starting at `top`.
///
/// # Safety
///
/// `top` must be the 16-byte-aligned top of at least
/// [`SPAWN_STACK_MIN`] bytes of writable memory that nothing else uses
/// until this returns; `f` must meet [`vfork_spawn`]'s contract.
unsafe fn spawn_at<F: Fn() -> Errno + Sync>(top: usize, f: &F) -> Result<Pid, Errno> {
    let (r, w) = pipe2(PipeFlags::CLOEXEC)?;
    let mask = match sigprocmask(How::SetMask, SigSet::ALL) {
        Ok(m) => m,
        Err(e) => {
            let _ = (close(r), close(w));
            return Err(e);
        }
    };
    let shared = Shared {
        f,
        mask,
        error: AtomicI32::new(0),
        report: w,
    };
    let flags = k::CLONE_VM | k::CLONE_VFORK | k::SIGCHLD;
    // SAFETY: the flags need no argument but the stack, which the caller
    // provides; `child::<F>` never returns and is sound in a CLONE_VM
    // child given `shared`, which outlives the child's use of it because
    // CLONE_VFORK holds this thread until the child execs or ends.
    let ret = unsafe {
        crate::arch::clone_run(
            flags as usize,
            top,
            core::ptr::null_mut(),
            core::ptr::null_mut(),
            0,
            child::<F>,
            (&raw const shared) as usize,
        )
    };
    // The mask goes back whatever happened; it cannot fail.
    let _ = sigprocmask(How::SetMask, mask);
    let _ = close(w);
    let pid = decode(ret).and_then(|p| Pid::from_raw(p as i32).ok_or(Errno::EINVAL));
    let pid = match pid {
        Ok(pid) => pid,
        Err(e) => {
            let _ = close(r);
            return Err(e);
        }
    };
    // Drained even when the memory already holds the error, so that the
    // child's write never meets a closed pipe.
    let piped = read_report(r);
    let _ = close(r);
    let shared_error = Errno::from_raw(shared.error.load(Ordering::Acquire));
    match shared_error.or(piped) {
        None => Ok(pid),
        Some(e) => {
            // The child has ended (or is ending): reap it, so the caller
            // sees an error and no child. ECHILD: someone reaped it first.
            while let Err(Errno::EINTR) = wait4(WaitFor::Child(pid), WaitOptions::empty()) {}
            Err(e)
        }
    }
}

/// Runs `f` in a new child process that shares the caller's memory, on a
/// 64 KiB stack mapped for it (with a guard gap below), until `f` replaces
/// the child's program with [`execve`](super::execve) or
/// [`execvpe`](super::execvpe). The calling thread sleeps meanwhile.
/// Returns the child's id once it has exec'd; the stack is unmapped
/// before this returns.
///
/// `f` returns only when it failed: the `Errno` it returns is this
/// function's error, and the child is gone by then (it ended with status
/// 127 and was reaped). `f` runs with the caller's signal mask, and with
/// every caught signal set back to its default action.
///
/// ```no_run
/// use freestand_syscalls::process::{Arg, execve, vfork_spawn};
///
/// let argv = [Some(Arg::new(c"/bin/true")), None];
/// let envp = [None];
/// // SAFETY: the closure only makes a system call on borrowed data.
/// let child = unsafe { vfork_spawn(|| execve(c"/bin/true", &argv, &envp)) };
/// ```
///
/// # Errors
/// The child's: what `f` returned. The `clone`'s: `EAGAIN` at the
/// process limit, `ENOMEM`. The stack's mapping: `ENOMEM`. The report
/// pipe's: `EMFILE`, `ENFILE`.
///
/// # Safety
///
/// `f` runs in another process that shares this one's memory and the
/// calling thread's thread-local storage, while the caller's other
/// threads keep running. Until it execs or returns, `f` must only make
/// system calls through this crate (such as `setpgid`, `setsid`,
/// `tcsetpgrp`, `dup3`, `close_range`, `chdir`, `sigprocmask`,
/// `sigaction_restore`, `execve`) on data it borrowed, and read that
/// data. It must not write to memory other than its own locals, allocate,
/// take locks, print through locked or buffered output, use
/// thread-locals, or panic: whatever it leaves half done stays so in the
/// parent after the exec.
///
/// # References
/// vfork(2), clone(2) (`CLONE_VM`, `CLONE_VFORK`), posix_spawn(3)
pub unsafe fn vfork_spawn<F: Fn() -> Errno + Sync>(f: F) -> Result<Pid, Errno> {
    let total = GUARD + MAPPED_STACK;
    // SAFETY: no MAP_FIXED: the kernel picks an unused range.
    let base = unsafe {
        mmap(
            core::ptr::null_mut(),
            total,
            ProtFlags::empty(),
            MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::STACK,
            -1,
            0,
        )
    }?
    .as_ptr();
    // SAFETY: the range above the guard is part of the mapping just made,
    // which nothing else uses; GUARD is a multiple of the page size.
    let result = match unsafe {
        mprotect(
            base.wrapping_add(GUARD),
            MAPPED_STACK,
            ProtFlags::READ | ProtFlags::WRITE,
        )
    } {
        // SAFETY: the top of the writable part, page (so 16-byte)
        // aligned, with MAPPED_STACK >= SPAWN_STACK_MIN bytes below it;
        // the caller vouches for `f`.
        Ok(()) => unsafe { spawn_at(base as usize + total, &f) },
        Err(e) => Err(e),
    };
    // SAFETY: the child has exec'd or ended, so nothing uses the stack.
    let _ = unsafe { munmap(base, total) };
    result
}

/// [`vfork_spawn`] on a stack the caller lends: the child uses `stack`
/// (at least [`SPAWN_STACK_MIN`] bytes once its top is 16-byte aligned)
/// and no mapping is made. There is no guard below it: an overflow
/// writes over whatever precedes `stack`, so size it generously.
///
/// # Errors
/// `EINVAL` for a stack below the minimum; otherwise as [`vfork_spawn`].
///
/// # Safety
///
/// As for [`vfork_spawn`].
///
/// # References
/// vfork(2), clone(2) (`CLONE_VM`, `CLONE_VFORK`), posix_spawn(3)
pub unsafe fn vfork_spawn_on<F: Fn() -> Errno + Sync>(
    stack: &mut [MaybeUninit<u8>],
    f: F,
) -> Result<Pid, Errno> {
    let range = stack.as_mut_ptr_range();
    let top = range.end as usize & !15;
    if top.saturating_sub(range.start as usize) < SPAWN_STACK_MIN {
        return Err(Errno::EINVAL);
    }
    // SAFETY: `top` is 16-byte aligned with at least SPAWN_STACK_MIN bytes
    // of `stack` below it, exclusively borrowed for the call; the caller
    // vouches for `f`.
    unsafe { spawn_at(top, &f) }
}
