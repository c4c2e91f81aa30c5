//! The thread control block: the one place per-thread state lives.
//!
//! Every thread has one, at a fixed place against its thread pointer (see
//! `arch/*/thread.rs`): the thread's ids and name, its stack, its
//! `thread_local!` destructors and its heap cache. (The per-thread vDSO
//! getrandom state and rseq area belong to freestand-syscalls, which keeps
//! them in the ELF TLS segment, beside this block.) Other modules reach it
//! through [`current`] or [`try_current`]; none reads the thread pointer
//! itself.
//!
//! The main thread gets its block on first use (a spawn, a
//! `thread_local!`, [`super::current`]) or at start-up when the program
//! has a `PT_TLS` segment, so a program that uses none of these pays
//! nothing.

use super::tls;
use crate::arch::thread as arch;
use crate::heap::Cache;
use alloc::sync::Arc;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use freestand_syscalls::mm::{ProtFlags, mmap_anonymous};

/// A thread's control block.
#[repr(C, align(64))]
pub(crate) struct Tcb {
    /// The thread pointer's value. On x86_64 the ABI wants it at `fs:0`,
    /// which is where it is.
    pub(crate) tp: usize,
    /// The kernel's tid word: set to the tid at `clone`
    /// (`CLONE_PARENT_SETTID`), cleared and futex-woken when the thread
    /// has ended (`CLONE_CHILD_CLEARTID`).
    pub(crate) tid: AtomicU32,
    /// Who frees the thread's memory: see `super::spawn`.
    pub(crate) state: AtomicU32,
    /// The thread's [`super::ThreadId`] number.
    pub(crate) id: u64,
    /// Its name, if it was given one.
    pub(crate) name: Option<Arc<str>>,
    /// The lowest and one past the highest address of its stack (the
    /// guard page below not included).
    pub(crate) stack: (usize, usize),
    /// The mapping holding its stack, TLS and this block, unmapped when
    /// the thread has ended (`(0, 0)` for the main thread).
    pub(crate) map: (usize, usize),
    /// Its alternate signal stack: start and length.
    pub(crate) alt: (usize, usize),
    /// The signal mask to restore once the new thread is set up.
    pub(crate) sigmask: u64,
    /// What the thread runs, taken when it starts.
    pub(crate) start: Option<alloc::boxed::Box<dyn FnOnce() + Send>>,
    /// The destructors of its `thread_local!` values.
    pub(crate) destructors: super::local::Destructors,
    /// Its cache of small heap blocks.
    pub(crate) heap: Cache,
}

/// Whether the main thread's control block is in place.
static MAIN_READY: AtomicBool = AtomicBool::new(false);

impl Tcb {
    /// A block for a thread with id number `id` and name `name`; the rest
    /// is filled in as the thread is built.
    pub(crate) fn new(id: u64, name: Option<Arc<str>>) -> Tcb {
        Tcb {
            tp: 0,
            tid: AtomicU32::new(0),
            state: AtomicU32::new(0),
            id,
            name,
            stack: (0, 0),
            map: (0, 0),
            alt: (0, 0),
            sigmask: 0,
            start: None,
            destructors: super::local::Destructors::new(),
            heap: Cache::new(),
        }
    }
}

/// The calling thread's control block, if it has one. Never allocates and
/// takes no lock, so a signal handler may call it.
#[inline(always)]
pub(crate) fn try_current() -> Option<NonNull<Tcb>> {
    if MAIN_READY.load(Ordering::Acquire) {
        // SAFETY: once the main thread's block is in place, every thread
        // has one (spawned threads get theirs before their first
        // instruction, through `CLONE_SETTLS`).
        Some(unsafe { from_tp() })
    } else {
        None
    }
}

/// The calling thread's control block, the main thread's made on first
/// use. `None` only if the kernel refused the memory for it.
#[inline(always)]
pub(crate) fn current() -> Option<NonNull<Tcb>> {
    match try_current() {
        Some(t) => Some(t),
        None => install_main(),
    }
}

/// The control block of the thread pointer's thread.
///
/// # Safety
///
/// The calling thread's thread pointer must have been set up by this
/// module.
#[inline(always)]
unsafe fn from_tp() -> NonNull<Tcb> {
    // SAFETY: per the caller, the TP is set, and its block is where the
    // arch file says.
    let tp = unsafe { arch::thread_pointer() };
    let at = if arch::TCB_AT_TP {
        tp
    } else {
        tp - core::mem::size_of::<Tcb>()
    };
    // SAFETY: a thread pointer set by this module is never null.
    unsafe { NonNull::new_unchecked(at as *mut Tcb) }
}

/// Gives the main thread its control block and TLS block, once. Returns
/// `None` if the kernel refused the memory.
#[cold]
#[inline(never)]
pub(crate) fn install_main() -> Option<NonNull<Tcb>> {
    if MAIN_READY.load(Ordering::Acquire) {
        // SAFETY: in place.
        return Some(unsafe { from_tp() });
    }
    // Only the main thread can get here: no other exists before this.
    let area = tls::area(core::mem::size_of::<Tcb>(), core::mem::align_of::<Tcb>());
    let base = map_area(&area)?;
    // SAFETY: `base` is fresh memory of the area's size and alignment.
    let tcb = unsafe { build(base, &area, Tcb::new(super::MAIN_ID, None)) };
    // SAFETY: `tcb` was just built with its `tp`; it is never unmapped.
    if unsafe { arch::set_thread_pointer((*tcb.as_ptr()).tp) }.is_err() {
        return None;
    }
    // SAFETY: the main thread's own block, not shared yet.
    unsafe {
        let t = &mut *tcb.as_ptr();
        t.tid.store(
            freestand_syscalls::process::gettid() as u32,
            Ordering::Relaxed,
        );
        t.stack = super::stack::main_thread_bounds();
    }
    MAIN_READY.store(true, Ordering::Release);
    Some(tcb)
}

/// Maps zeroed memory for `area`, aligned to it.
pub(crate) fn map_area(area: &tls::Area) -> Option<*mut u8> {
    // `mmap` aligns to a page (at least 4 KiB); more alignment costs slack.
    let len = area.size + area.align.saturating_sub(4096);
    let p = mmap_anonymous(len, ProtFlags::READ | ProtFlags::WRITE).ok()?;
    let base = p.as_ptr() as usize;
    Some(((base + area.align - 1) & !(area.align - 1)) as *mut u8)
}

/// Fills the TLS block at `base` and moves `tcb` into its place, its
/// `tp` set; returns where it went.
///
/// # Safety
///
/// `base` must be the start of `area.size` zeroed writable bytes aligned
/// to `area.align`, used for nothing else.
pub(crate) unsafe fn build(base: *mut u8, area: &tls::Area, mut tcb: Tcb) -> NonNull<Tcb> {
    // SAFETY: per the caller.
    unsafe {
        tls::fill(base, area);
        tcb.tp = base as usize + area.tp;
        let at = base.add(area.tcb).cast::<Tcb>();
        at.write(tcb);
        NonNull::new_unchecked(at)
    }
}
