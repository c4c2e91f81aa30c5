//! The heap: size classes in front, `linked_list_allocator` regions behind,
//! large blocks straight from the kernel. See `docs/heap.md`.
//!
//! - **Small** requests (up to 16 KiB, alignment up to 4 KiB) come from
//!   per-class free lists in 256 KiB spans: constant time, no search.
//! - **Mid-size** requests (up to 64 KiB) come from `linked_list_allocator`
//!   arenas, which also hold the spans.
//! - **Large** requests get a mapping of their own: `mmap`, `munmap` on
//!   free, `mremap` on `realloc`.
//!
//! The path is a function of the layout alone, which `dealloc` and
//! `realloc` get back, so blocks carry no header. Nothing is mapped before
//! the first allocation.
//!
//! Out of memory, the allocator returns null as `GlobalAlloc` requires, so
//! `Vec::try_reserve` and friends see an error; the infallible paths end in
//! [`crate::panic`], which prints `out of memory: allocating N bytes
//! (align A)` and exits with status 134.
//!
//! A program can bring its own allocator instead:
//! `entry!(main, heap = false)` leaves `#[global_allocator]` to it.

mod cache;
mod classes;
mod large;
mod lock;
mod region;
mod route;
mod shared;
mod span;
#[cfg(test)]
mod tests;

pub(crate) use cache::Cache;

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use lock::Lock;
use region::give_back;
use route::{Path, path};
use shared::Shared;
use span::BadFree;

/// The size and alignment of the last request the heap could not satisfy
/// (size 0: none). The panic handler reads them to report an allocation
/// failure.
pub(crate) static LAST_FAILURE: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

/// The global allocator that [`entry!`](macro@crate::entry) installs: a
/// handle to the process's one heap, so every `Heap` allocates from the
/// same memory.
pub struct Heap {
    _private: (),
}

/// The heap's state: all zero until the first allocation, so that a
/// program that never allocates carries none of it in its file.
static SHARED: Lock<Shared> = Lock::new(Shared::new());

/// What [`stats`] reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes requested and not yet freed. Once the process has threads, a
    /// block in a thread's cache counts as freed, and each thread adds
    /// what it allocated and freed through its cache to this figure in
    /// steps of at most 64 KiB either way (all of it when the thread ends,
    /// and the calling thread's own before `stats` reads it), so the
    /// figure may differ from the exact one by up to that much per other
    /// running thread: once they have ended, it is exact.
    pub in_use: usize,
    /// Bytes mapped from the kernel: the regions and the large blocks.
    pub mapped: usize,
    /// Large blocks (each its own mapping) not yet freed.
    pub large_blocks: usize,
}

impl Heap {
    /// An empty heap; it maps memory on the first allocation.
    pub const fn new() -> Heap {
        Heap { _private: () }
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

/// Makes the heap safe to call from several threads. Until then it
/// takes its lock without atomic read-modify-write instructions, as a
/// process with one thread can (glibc's `malloc` does the same), and finds
/// a signal handler that allocates while the allocator runs at once. The
/// runtime's own threads will call this before the second thread starts; a
/// program that makes threads itself (a raw `clone`) must call it first,
/// from the first thread.
pub fn assume_threads() {
    lock::assume_threads();
}

/// Holds the heap's locks across a `fork`, so that the child finds them
/// free and the heap consistent whatever other threads were doing: taken
/// by [`crate::process::fork`] just before the system call and dropped in
/// both processes just after.
pub(crate) struct ForkGuard {
    _shared: lock::Guard<'static, shared::Shared>,
    _large: lock::Guard<'static, large::Kept>,
}

/// Takes the heap's locks for a `fork` (see [`ForkGuard`]), the shared
/// heap's first, as every other path that takes both does.
pub(crate) fn lock_for_fork() -> ForkGuard {
    ForkGuard {
        _shared: SHARED.lock(),
        _large: large::lock_kept(),
    }
}

/// What the heap holds now. All zero in a program that brought its own
/// allocator (or never allocated).
pub fn stats() -> Stats {
    if lock::threaded() {
        cache::settle_mine();
    }
    let (in_use, mapped) = {
        let s = SHARED.lock();
        (s.in_use, s.region.mapped)
    };
    // Below zero only for a moment, with threads (see `Shared::in_use`).
    let in_use = (in_use as isize).max(0) as usize;
    Stats {
        in_use: in_use + large::IN_USE.load(Relaxed),
        mapped: mapped + large::MAPPED.load(Relaxed),
        large_blocks: large::LIVE.load(Relaxed),
    }
}

/// Reports a misuse of the heap or a state it cannot leave, and exits with
/// status 134.
#[cold]
pub(crate) fn fatal(what: &[u8]) -> ! {
    let _ = crate::io::write_all(crate::io::STDERR, b"freestand: ");
    let _ = crate::io::write_all(crate::io::STDERR, what);
    let _ = crate::io::write_all(crate::io::STDERR, b"\n");
    freestand_syscalls::process::exit_group(crate::panic::OOM_EXIT)
}

/// Reports a bad `free` found by a debug build.
#[cold]
#[inline(never)]
fn bad_free(e: BadFree) -> ! {
    fatal(match e {
        BadFree::NotFromHeap => b"free of a pointer the heap never gave out",
        BadFree::WrongSize => b"free with a layout of another size than the allocation's",
        BadFree::Misaligned => b"free of a pointer inside a block, not at its start",
        BadFree::DoubleFree => b"double free of a heap block",
    })
}

/// Records a failed request for the panic handler; returns null.
#[cold]
fn failed(layout: Layout) -> *mut u8 {
    LAST_FAILURE[1].store(layout.align(), Relaxed);
    LAST_FAILURE[0].store(layout.size().max(1), Relaxed);
    ptr::null_mut()
}

// SAFETY: every block handed out holds `layout.size()` bytes aligned to
// `layout.align()`: a class block whose size and alignment cover them
// (route), a region block made for the layout, or a fresh mapping aligned
// as asked. Each is given back to where it came from, found from the same
// layout.
unsafe impl GlobalAlloc for Heap {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = match path(layout) {
            // With threads, the thread's cache (see `cache`).
            Path::Small(class) => match SHARED.lock_alone() {
                Some(mut s) => s.alloc_small(class, layout.size()),
                None => cache::alloc(class, layout.size()),
            },
            Path::Mid => self.alloc_mid(layout),
            Path::Large => large::alloc(layout).0,
        };
        if p.is_null() {
            return failed(layout);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let (p, fresh) = match path(layout) {
            Path::Large => large::alloc(layout),
            // SAFETY: forwarded contract of `GlobalAlloc::alloc_zeroed`.
            _ => (unsafe { self.alloc(layout) }, false),
        };
        if p.is_null() {
            return failed(layout);
        }
        // A fresh mapping is already zero; other blocks may be reused.
        if !fresh {
            // SAFETY: `alloc` returned `layout.size()` writable bytes at `p`.
            unsafe { p.write_bytes(0, layout.size()) };
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        match path(layout) {
            // SAFETY: a live block of this class, per the contract of
            // `GlobalAlloc::dealloc`.
            Path::Small(class) => unsafe {
                match SHARED.lock_alone() {
                    Some(mut s) => s.free_small_checked(p, class, layout.size()),
                    None => cache::free(p, class, layout.size()),
                }
            },
            // SAFETY: made by `alloc_mid` for this layout, per the contract.
            Path::Mid => unsafe { self.free_mid(p, layout) },
            // SAFETY: made by `large::alloc` for this layout, per the contract.
            Path::Large => unsafe { large::dealloc(p, layout) },
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `GlobalAlloc::realloc` promises that the new size, rounded
        // to the alignment, does not overflow.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        match (path(layout), path(new)) {
            (Path::Small(a), Path::Small(b)) if a == b => {
                match SHARED.lock_alone() {
                    Some(mut s) => {
                        s.in_use = s.in_use.wrapping_sub(layout.size()).wrapping_add(new_size)
                    }
                    None => cache::resize(layout.size(), new_size),
                }
                return p;
            }
            (Path::Large, Path::Large) => {
                // SAFETY: a live large block of `layout`, per the contract.
                if let Some(q) = unsafe { large::realloc(p, layout, new_size) } {
                    return q;
                }
            }
            _ => {}
        }
        // SAFETY: as for `alloc`; then `p` holds `layout.size()` bytes and
        // `q` `new_size`, in different blocks.
        unsafe {
            let q = self.alloc(new);
            if !q.is_null() {
                ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                self.dealloc(p, layout);
            }
            q
        }
    }
}

impl Heap {
    /// A mid-size block for `layout`, or null.
    fn alloc_mid(&self, layout: Layout) -> *mut u8 {
        let mut s = SHARED.lock();
        match s.region.alloc(layout) {
            Some(p) => {
                s.in_use = s.in_use.wrapping_add(layout.size());
                p.as_ptr()
            }
            None => ptr::null_mut(),
        }
    }

    /// Frees mid-size block `p`, and gives its whole pages back.
    ///
    /// # Safety
    ///
    /// `p` must be a live block made by [`Heap::alloc_mid`] for `layout`.
    unsafe fn free_mid(&self, p: *mut u8, layout: Layout) {
        let mut s = SHARED.lock();
        // SAFETY: the block is dead, per the caller; its first 16 bytes are
        // left for the region allocator's record of the hole.
        unsafe {
            give_back(p.add(16), p.add(layout.size()));
            s.region.dealloc(NonNull::new_unchecked(p), layout);
        }
        s.in_use = s.in_use.wrapping_sub(layout.size());
    }
}
