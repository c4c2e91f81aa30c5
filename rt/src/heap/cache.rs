//! Per-thread caches of small blocks, so that threads allocating at the
//! same time do not queue for the heap's lock.
//!
//! Once the process has threads ([`super::assume_threads`]), a thread with
//! a control block allocates and frees small blocks through its own
//! [`Cache`]: per size class, a list of free blocks linked through their
//! first word, and its length. A free pushes the block onto the freeing
//! thread's list, whichever thread allocated it; an allocation pops one.
//! Only when a list is empty does the thread take the heap's lock, once,
//! to take a batch of blocks ([`LIMIT`] / 2); when a list grows past its
//! limit, the thread gives back the same number, again under one lock. A
//! process with one thread never comes here, and pays nothing for it.
//!
//! A cached block is free: [`super::stats`] does not count it as in use.
//! Each cache counts the bytes requested through it (allocated minus
//! freed) and adds them to the shared count when it takes the lock
//! anyway, or when they reach [`SLACK`] either way.
//!
//! A signal handler may run at any instruction, and find its thread in
//! the middle of a cache operation: each cache has a busy mark, and a
//! handler that allocates then is reported (as the lock reports it) and
//! the program exits, rather than corrupt the lists. The mark is for the
//! thread itself only, so compiler fences order it; no atomic
//! read-modify-write is needed. A cache never holds a lock between
//! operations.

use super::classes::{CLASSES, block_size};
use super::lock::{Lock, reentered};
use super::span::Span;
use super::{SHARED, Shared, bad_free};
use crate::thread::tcb::try_current;
use core::cell::UnsafeCell;
use core::ptr;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed, Ordering::SeqCst, compiler_fence};

mod refill;
#[cfg(test)]
mod scaling;
#[cfg(test)]
mod tests;

pub(super) use refill::Batches;

/// The most a cache keeps of one class, in bytes, rounded down to whole
/// blocks but never below [`MIN_BLOCKS`].
const CLASS_BYTES: usize = 32 * 1024;

/// The most blocks a cache keeps of one class, however small.
const MAX_BLOCKS: usize = 128;

/// The fewest blocks a cache may keep of one class, however large.
const MIN_BLOCKS: usize = 2;

/// Per class, the most blocks a cache keeps; a batch, taken or given back
/// under one lock, is half of it.
pub(super) static LIMIT: [u32; CLASSES] = limits();

/// How far a cache's count of requested bytes may go, either way, before
/// it is added to the shared count.
pub(super) const SLACK: usize = 64 * 1024;

/// [`LIMIT`], computed.
const fn limits() -> [u32; CLASSES] {
    let mut limit = [0; CLASSES];
    let mut class = 0;
    while class < CLASSES {
        let n = CLASS_BYTES / block_size(class);
        let n = if n > MAX_BLOCKS { MAX_BLOCKS } else { n };
        let n = if n < MIN_BLOCKS { MIN_BLOCKS } else { n };
        limit[class] = n as u32;
        class += 1;
    }
    limit
}

/// The cache is between operations.
const IDLE: u8 = 0;
/// The cache is in an operation; a signal handler that finds it so
/// interrupted it.
const BUSY: u8 = 1;
/// The cache was flushed: what the thread still allocates goes to the
/// shared heap.
const CLOSED: u8 = 2;

/// A thread's cache of small blocks, kept in its control block.
///
/// What the thread code owes it: the main thread's control block exists
/// before [`super::assume_threads`] is called, so that once the process
/// has threads every thread has one (a thread without one uses the
/// shared heap under its lock); [`Cache::new`] in every new block; and
/// [`Cache::flush`] when the thread ends.
pub(crate) struct Cache {
    /// [`IDLE`], [`BUSY`] or [`CLOSED`]. Atomic only so that a signal
    /// handler on the same thread may read it; relaxed loads and stores
    /// are plain ones.
    state: AtomicU8,
    /// Reached only while `state` is [`BUSY`], set by the owning thread.
    lists: UnsafeCell<Lists>,
}

/// What a cache holds.
struct Lists {
    /// Per class, the first free block; each holds the next in its first
    /// word.
    head: [*mut u8; CLASSES],
    /// Per class, how many blocks the list holds.
    len: [u32; CLASSES],
    /// Bytes requested through this cache, allocated minus freed, not yet
    /// added to the shared count.
    in_use: isize,
}

// SAFETY: the blocks a cache links are heap memory that belongs to no
// thread, so the cache may move to another thread (a control block is
// built by its parent).
unsafe impl Send for Cache {}

// SAFETY: a shared `&Cache` reaches the lists only through the unsafe
// methods below, whose callers promise to be the thread that owns the
// cache.
unsafe impl Sync for Cache {}

impl Default for Cache {
    fn default() -> Self {
        Cache::new()
    }
}

impl Cache {
    /// An empty cache: all zero.
    pub(crate) const fn new() -> Cache {
        Cache {
            state: AtomicU8::new(IDLE),
            lists: UnsafeCell::new(Lists {
                head: [ptr::null_mut(); CLASSES],
                len: [0; CLASSES],
                in_use: 0,
            }),
        }
    }

    /// Gives every cached block back to the shared heap (and empties the
    /// shared heap's store of batches), and adds the cache's count of
    /// requested bytes to the shared one; called when the thread ends,
    /// after its `thread_local!` destructors. Whatever the thread
    /// allocates afterwards comes from the shared heap, under its lock,
    /// and is freed there; a second flush does nothing. The thread itself
    /// may call it, or another one once the thread no longer runs (`&mut`:
    /// nothing else uses the cache then). A signal handler that allocates
    /// while it runs is reported, as for any cache operation.
    pub(crate) fn flush(&mut self) {
        // SAFETY: every control block's cache draws from SHARED; `&mut`
        // says no other thread uses the cache, and a handler on this one
        // that interrupts is caught by `enter`.
        unsafe { self.flush_into(&SHARED) }
    }

    /// [`Cache::flush`], into `shared`.
    ///
    /// # Safety
    ///
    /// No other thread may use the cache meanwhile, and `shared` must be
    /// the heap it has drawn from (see [`Cache::alloc`]).
    pub(super) unsafe fn flush_into(&self, shared: &Lock<Shared>) {
        if !self.enter() {
            return; // Already closed.
        }
        // SAFETY: BUSY; the blocks are from `shared`, per the caller.
        let l = unsafe { &mut *self.lists.get() };
        // SAFETY: as above.
        unsafe { l.give_all(&mut shared.lock()) };
        compiler_fence(SeqCst);
        self.state.store(CLOSED, Relaxed);
    }

    /// A block of class `class` for a request of `size` bytes, or null.
    ///
    /// # Safety
    ///
    /// Only the thread that owns the cache may call this and the other
    /// operations (a signal handler on it may), and always with the same
    /// `shared`: the blocks go back where they came from.
    #[inline(always)]
    pub(super) unsafe fn alloc(&self, class: usize, size: usize, shared: &Lock<Shared>) -> *mut u8 {
        if !self.enter() {
            return shared.lock().alloc_small(class, size);
        }
        // SAFETY: BUSY, set by the owning thread: no other reference to
        // the lists exists, and a handler arriving now stops at `enter`.
        let l = unsafe { &mut *self.lists.get() };
        let mut p = l.head[class];
        if p.is_null() {
            // SAFETY: the same heap every time, per the caller.
            p = unsafe { l.refill(class, shared) };
            if p.is_null() {
                self.leave();
                return p;
            }
        }
        // SAFETY: a free block on the list, its first word the next one.
        unsafe {
            l.head[class] = p.cast::<*mut u8>().read();
            Span::unmark(p);
        }
        l.len[class] -= 1;
        l.count(size as isize, shared);
        self.leave();
        p
    }

    /// Frees block `p` of class `class`, which was requested with `size`
    /// bytes.
    ///
    /// # Safety
    ///
    /// As for [`Cache::alloc`]; and `p` must be a live block of that class
    /// from `shared` (which a debug build checks as far as it can without
    /// the lock).
    #[inline(always)]
    pub(super) unsafe fn free(&self, p: *mut u8, class: usize, size: usize, shared: &Lock<Shared>) {
        if !self.enter() {
            // SAFETY: a live block of `shared`, per the caller.
            return unsafe { shared.lock().free_small_checked(p, class, size) };
        }
        if cfg!(debug_assertions) {
            // SAFETY: a pointer the heap gave out lies in a mapped span; a
            // pointer it did not is what this looks for.
            if let Err(e) = unsafe { Span::check_unlocked(p, class) } {
                bad_free(e);
            }
        }
        // SAFETY: as in `alloc`.
        let l = unsafe { &mut *self.lists.get() };
        // SAFETY: the block is the caller's to give, at least 16 bytes.
        unsafe {
            p.cast::<*mut u8>().write(l.head[class]);
            Span::mark_cached(p);
        }
        l.head[class] = p;
        l.len[class] += 1;
        if l.len[class] > LIMIT[class] {
            // SAFETY: the same heap every time, per the caller.
            unsafe { l.give_back(class, shared) };
        }
        l.count(-(size as isize), shared);
        self.leave();
    }

    /// Counts a block requested with `old` bytes as now holding `new`, for
    /// a `realloc` within its class.
    ///
    /// # Safety
    ///
    /// As for [`Cache::alloc`].
    #[inline(always)]
    pub(super) unsafe fn resize(&self, old: usize, new: usize, shared: &Lock<Shared>) {
        if !self.enter() {
            let mut s = shared.lock();
            s.in_use = s.in_use.wrapping_sub(old).wrapping_add(new);
            return;
        }
        // SAFETY: as in `alloc`.
        let l = unsafe { &mut *self.lists.get() };
        l.count((new as isize).wrapping_sub(old as isize), shared);
        self.leave();
    }

    /// Adds the count of requested bytes to `shared`'s.
    ///
    /// # Safety
    ///
    /// As for [`Cache::alloc`].
    unsafe fn settle(&self, shared: &Lock<Shared>) {
        if self.enter() {
            // SAFETY: as in `alloc`.
            let l = unsafe { &mut *self.lists.get() };
            l.settle_locked(&mut shared.lock());
            self.leave();
        }
    }

    /// Marks the cache busy; `false` if it is closed. A cache found busy
    /// was interrupted by a signal handler that allocates: reported.
    #[inline(always)]
    fn enter(&self) -> bool {
        let state = self.state.load(Relaxed);
        if state != IDLE {
            if state == BUSY {
                reentered();
            }
            return false;
        }
        self.state.store(BUSY, Relaxed);
        // SeqCst: no access to the lists may move above the store, or a
        // handler arriving in between would find the cache idle.
        compiler_fence(SeqCst);
        true
    }

    /// Ends what [`Cache::enter`] began.
    #[inline(always)]
    fn leave(&self) {
        compiler_fence(SeqCst);
        self.state.store(IDLE, Relaxed);
    }
}

/// [`GlobalAlloc::alloc`](core::alloc::GlobalAlloc::alloc)'s small path
/// once the process has threads: the calling thread's cache, or the
/// shared heap under its lock for a thread without a control block.
#[inline(never)]
pub(super) fn alloc(class: usize, size: usize) -> *mut u8 {
    match try_current() {
        // SAFETY: the calling thread's own control block, alive while it
        // runs; every thread's cache draws from SHARED.
        Some(t) => unsafe { (*t.as_ptr()).heap.alloc(class, size, &SHARED) },
        None => SHARED.lock().alloc_small(class, size),
    }
}

/// Adds the calling thread's count of requested bytes to the shared one,
/// for [`super::stats`]: the figure is then exact once the other threads
/// have ended.
pub(super) fn settle_mine() {
    if let Some(t) = try_current() {
        // SAFETY: as in `alloc`.
        unsafe { (*t.as_ptr()).heap.settle(&SHARED) }
    }
}

/// Frees small block `p`, once the process has threads: see [`alloc()`].
///
/// # Safety
///
/// `p` must be a live block of class `class`, requested with `size` bytes.
#[inline(never)]
pub(super) unsafe fn free(p: *mut u8, class: usize, size: usize) {
    match try_current() {
        // SAFETY: as in `alloc`; `p` is live, per the caller.
        Some(t) => unsafe { (*t.as_ptr()).heap.free(p, class, size, &SHARED) },
        // SAFETY: per the caller.
        None => unsafe { SHARED.lock().free_small_checked(p, class, size) },
    }
}

/// Counts a small block requested with `old` bytes as now holding `new`,
/// once the process has threads: see [`alloc()`].
#[inline(never)]
pub(super) fn resize(old: usize, new: usize) {
    match try_current() {
        // SAFETY: as in `alloc`.
        Some(t) => unsafe { (*t.as_ptr()).heap.resize(old, new, &SHARED) },
        None => {
            let mut s = SHARED.lock();
            s.in_use = s.in_use.wrapping_sub(old).wrapping_add(new);
        }
    }
}
