//! Making a thread and ending one: `clone`, the new thread's first and
//! last steps, and who frees its memory.
//!
//! A thread's memory (stack, TLS, control block: one mapping, see
//! [`super::stack`]) is freed by whoever comes last:
//! - the thread ends first and its handle is then joined or dropped: the
//!   joiner (or dropper) waits until the kernel has cleared the tid word
//!   (`CLONE_CHILD_CLEARTID`, after which the thread no longer touches its
//!   stack) and unmaps it;
//! - the handle is dropped first (detached): the thread unmaps its own
//!   stack as its last step, in assembly that touches no memory between
//!   `munmap` and `exit` (`unmap_and_exit`), with every signal blocked and
//!   its tid word no longer registered with the kernel.
//!
//! The control block's `state` settles the race between the two:
//! `RUNNING` until one side moves it, to `DETACHED` (the handle went first)
//! or `ENDING` (the thread went first).

use super::tcb::{self, Tcb};
use super::{JoinHandle, Packet, Thread};
use crate::arch::thread as arch;
use alloc::boxed::Box;
use alloc::sync::Arc;
use core::ptr::NonNull;
use core::sync::atomic::Ordering::{AcqRel, Acquire};
use freestand_syscalls::Errno;
use freestand_syscalls::errno::decode;
use freestand_syscalls::signal::{How, SigSet, sigaltstack, sigprocmask};
use linux_raw_sys::general as k;

/// Neither side has let go yet.
pub(crate) const RUNNING: u32 = 0;
/// The handle was dropped: the thread frees its own memory.
pub(crate) const DETACHED: u32 = 1;
/// The thread is ending: the handle's owner frees its memory.
pub(crate) const ENDING: u32 = 2;

/// What `clone` shares: everything a thread shares with its process, its
/// thread pointer set, its tid written to the control block at once and
/// cleared (with a futex wake) when it has ended.
const FLAGS: u32 = k::CLONE_VM
    | k::CLONE_FS
    | k::CLONE_FILES
    | k::CLONE_SIGHAND
    | k::CLONE_THREAD
    | k::CLONE_SYSVSEM
    | k::CLONE_SETTLS
    | k::CLONE_PARENT_SETTID
    | k::CLONE_CHILD_CLEARTID;

/// Starts a thread running `start`, with the given id number, name and
/// stack size.
pub(crate) fn spawn<T>(
    id: u64,
    name: Option<Arc<str>>,
    stack_size: usize,
    start: Box<dyn FnOnce() + Send>,
    packet: Arc<Packet<T>>,
) -> Result<JoinHandle<T>, Errno> {
    // The main thread's block first, and the heap told, before a second
    // thread can exist.
    tcb::current().ok_or(Errno::ENOMEM)?;
    crate::heap::assume_threads();

    let area = super::tls::area(core::mem::size_of::<Tcb>(), core::mem::align_of::<Tcb>());
    let kept = match stack_size == super::stack::DEFAULT_STACK_SIZE {
        true => super::stack::take_kept(&area),
        false => None,
    };
    let m = match kept {
        Some(m) => m,
        None => super::stack::map(stack_size, &area)?,
    };
    let mut block = Tcb::new(id, name.clone());
    block.stack = m.stack;
    block.map = m.map;
    block.alt = m.alt;
    block.start = Some(start);
    // SAFETY: the area lies in the zeroed (fresh or zeroed again when
    // kept), writable top of the mapping, aligned as `plan` placed it.
    let t = unsafe { tcb::build(m.area as *mut u8, &area, block) };

    // No handler may run on the new thread before it has its alternate
    // stack and control block: it starts with every signal blocked and
    // restores this mask itself.
    let old = sigprocmask(How::SetMask, SigSet::ALL);
    // SAFETY: `t` is ours until the clone.
    unsafe { (*t.as_ptr()).sigmask = old.unwrap_or_default().0 };
    // SAFETY: the stack top lies in the mapping, 16-aligned; the tid word
    // and the thread pointer are in the new thread's control block, which
    // lives as long as its mapping; `thread_start` never returns.
    let r = unsafe {
        let tid = (*t.as_ptr()).tid.as_ptr();
        freestand_syscalls::arch::clone_run(
            FLAGS as usize,
            m.stack.1,
            tid,
            tid,
            (*t.as_ptr()).tp,
            thread_start,
            t.as_ptr() as usize,
        )
    };
    if let Ok(old) = old {
        // Only a bad argument could fail, and this one was just returned.
        let _ = sigprocmask(How::SetMask, old);
    }
    match decode(r) {
        Ok(tid) => Ok(JoinHandle {
            tcb: t,
            thread: Thread::new(id, tid as i32, name),
            packet,
        }),
        Err(e) => {
            // SAFETY: the thread was never made; the block is ours to
            // take apart, and nothing else uses the mapping.
            unsafe { drop(core::ptr::read(t.as_ptr())) };
            super::stack::unmap(m.map.0, m.map.1);
            Err(e)
        }
    }
}

/// The new thread's first Rust code, on its own stack with its thread
/// pointer set and every signal blocked.
///
/// # Safety
///
/// `arg` must be the address of the thread's own control block, made by
/// [`spawn`].
unsafe extern "C" fn thread_start(arg: usize) -> ! {
    let t = arg as *mut Tcb;
    // SAFETY: the thread's own block, which only it uses from now on but
    // for `tid` and `state` (atomics).
    let start = unsafe {
        let (alt, len) = (*t).alt;
        // Without it an overflow here dies without the message; the
        // thread runs all the same.
        let _ = sigaltstack(alt as *mut u8, len);
        // Before any user code, so that `getcpu` reads the area from the
        // first call on. Refused (qemu-user, `FREESTAND_RSEQ=off`), the
        // thread runs all the same.
        let _ = freestand_syscalls::cpu::rseq::register();
        let _ = sigprocmask(How::SetMask, SigSet((*t).sigmask));
        (*t).start.take()
    };
    if let Some(start) = start {
        start();
    }
    // SAFETY: as above; this is the thread's last Rust code.
    unsafe { finish(t) }
}

/// Ends the calling thread: its `thread_local!` values dropped, its heap
/// cache given back, then its memory freed by whoever comes last (see the
/// module docs).
///
/// # Safety
///
/// `t` must be the calling thread's control block, a spawned thread's.
unsafe fn finish(t: *mut Tcb) -> ! {
    // SAFETY: the thread's own block; nothing runs on this thread after
    // these but the code below.
    unsafe {
        super::local::run_destructors(&raw mut (*t).destructors);
        freestand_syscalls::random::release_thread_state();
        drop((*t).name.take());
        (*t).heap.flush();
    }
    // No handler may run from here on: the stack may vanish.
    let _ = sigprocmask(How::SetMask, SigSet::ALL);
    // SAFETY: `state` is an atomic in the block, live until one side frees
    // the mapping, which only happens once it says so.
    let state = unsafe { &(*t).state };
    if state
        .compare_exchange(RUNNING, ENDING, AcqRel, Acquire)
        .is_ok()
    {
        // The handle's owner frees the mapping once the kernel has
        // cleared the tid word, after this thread's last instruction.
        // SAFETY: `exit` ends only this thread and takes a plain integer.
        unsafe { freestand_syscalls::arch::syscall1_noreturn(k::__NR_exit, 0) }
    }
    // Detached: free the mapping ourselves. The kernel must not write the
    // tid word or the rseq area after the memory is gone (another mapping
    // may be there; a failed rseq update would kill the process).
    freestand_syscalls::cpu::rseq::unregister();
    // SAFETY: the block is still mapped; `set_tid_address(NULL)` only
    // changes what the kernel writes at exit; every signal is blocked.
    unsafe {
        let (base, len) = (*t).map;
        freestand_syscalls::arch::syscall1(k::__NR_set_tid_address, 0);
        arch::unmap_and_exit(base, len)
    }
}

/// Lets go of a thread from its handle: joins have waited already; a drop
/// detaches. Frees the memory if the thread has ended.
///
/// # Safety
///
/// `t` must be the control block of a thread spawned by [`spawn`] whose
/// handle is being consumed now (once).
pub(crate) unsafe fn release(t: NonNull<Tcb>) {
    // SAFETY: the block stays mapped until this function or the thread
    // frees it, and the state says which.
    let state = unsafe { &(*t.as_ptr()).state };
    if state
        .compare_exchange(RUNNING, DETACHED, AcqRel, Acquire)
        .is_ok()
    {
        return;
    }
    // The thread is ending or has ended: wait for its last instruction.
    // SAFETY: as above.
    let (base, len) = unsafe {
        wait_for_end(t);
        (*t.as_ptr()).map
    };
    let area = super::tls::area(core::mem::size_of::<Tcb>(), core::mem::align_of::<Tcb>());
    super::stack::keep_or_unmap(base, len, &area);
}

/// Waits until the kernel has cleared the thread's tid word.
///
/// # Safety
///
/// `t` must be a spawned thread's control block, still mapped.
pub(crate) unsafe fn wait_for_end(t: NonNull<Tcb>) {
    // SAFETY: per the caller.
    let tid = unsafe { &(*t.as_ptr()).tid };
    loop {
        let now = tid.load(Acquire);
        if now == 0 {
            return;
        }
        // The kernel's wake at thread exit is a shared-futex wake, so this
        // wait is not private. A changed value or a signal returns early;
        // the loop looks again.
        let _ = freestand_syscalls::futex::wait_shared(tid, now, None);
    }
}
