//! The shared heap: what the small and mid-size paths share, behind the
//! heap's lock. Per class, the spans with room; a reserve of empty spans;
//! the regions; and, for the threads' caches, batches of free blocks
//! (`super::cache`).

use super::bad_free;
use super::cache::Batches;
use super::classes::CLASSES;
use super::region::{Region, give_back};
use super::route::PAGE;
use super::span::{SPAN, Span, SpanList};
use core::alloc::Layout;
use core::ptr::{self, NonNull};

/// How the regions hand out a span.
const SPAN_LAYOUT: Layout = match Layout::from_size_align(SPAN, SPAN) {
    Ok(l) => l,
    Err(_) => panic!("SPAN is a power of two"),
};

/// Empty spans kept for reuse before their memory goes back.
pub(super) const RESERVE: usize = 4;

/// What the small and mid-size paths share, behind the lock.
pub(super) struct Shared {
    /// Per class, the spans with a free block.
    pub(super) avail: [SpanList; CLASSES],
    /// Empty spans kept for any class.
    pub(super) reserve: SpanList,
    /// Per class, blocks the threads' caches pass to each other.
    pub(super) batches: [Batches; CLASSES],
    /// The arenas holding the spans and the mid-size blocks.
    pub(super) region: Region,
    /// Bytes requested and not freed, small and mid-size, as a wrapping
    /// count: with threads, the caches add theirs now and then (see
    /// `cache`), and a thread may add a free before another adds the
    /// allocation, so for a moment it may be below zero.
    pub(super) in_use: usize,
}

impl Shared {
    /// An empty heap.
    pub(super) const fn new() -> Shared {
        Shared {
            avail: [const { SpanList::new() }; CLASSES],
            reserve: SpanList::new(),
            batches: [const { Batches::new() }; CLASSES],
            region: Region::new(),
            in_use: 0,
        }
    }

    /// A block of class `class`, requested with `size` bytes (0 for a
    /// block going into a thread's cache: it is not in use).
    #[inline(always)]
    pub(super) fn alloc_small(&mut self, class: usize, size: usize) -> *mut u8 {
        let list = &mut self.avail[class];
        let mut span = list.first();
        if span.is_null() {
            span = self.new_span(class);
            if span.is_null() {
                return ptr::null_mut();
            }
            // SAFETY: a fresh header on no list.
            unsafe { self.avail[class].push(span) };
        }
        // SAFETY: spans on the list have room; one that fills leaves it.
        let p = unsafe {
            let p = Span::take(span);
            if Span::is_full(span) {
                self.avail[class].remove(span);
            }
            p
        };
        self.in_use = self.in_use.wrapping_add(size);
        p
    }

    /// A span for `class`: from the reserve, else from the regions.
    #[cold]
    fn new_span(&mut self, class: usize) -> *mut Span {
        let mut at = self.reserve.pop().cast::<u8>();
        if at.is_null() {
            match self.region.alloc(SPAN_LAYOUT) {
                Some(p) => at = p.as_ptr(),
                None => return ptr::null_mut(),
            }
        }
        // SAFETY: `at` is SPAN bytes aligned to SPAN that nothing uses: an
        // empty span from the reserve, or a fresh region block.
        unsafe { Span::init(at, class) }
    }

    /// Frees block `p` of class `class`, requested with `size` bytes (0
    /// for a block coming from a thread's cache).
    ///
    /// # Safety
    ///
    /// `p` must be a live block of that class.
    #[inline(always)]
    pub(super) unsafe fn free_small(&mut self, p: *mut u8, class: usize, size: usize) {
        let span = Span::of(p);
        // SAFETY: `p` is a live block of `span`, per the caller.
        unsafe {
            let was_full = Span::is_full(span);
            Span::give(span, p);
            if was_full {
                self.avail[class].push(span);
            }
            self.in_use = self.in_use.wrapping_sub(size);
            if Span::live(span) == 0 && self.avail[class].len() > 1 {
                self.avail[class].remove(span);
                self.retire(span);
            }
        }
    }

    /// [`Shared::free_small`], after a debug build's checks of `p`.
    ///
    /// # Safety
    ///
    /// As for [`Shared::free_small`].
    #[inline(always)]
    pub(super) unsafe fn free_small_checked(&mut self, p: *mut u8, class: usize, size: usize) {
        if cfg!(debug_assertions) {
            // SAFETY: a pointer the heap gave out lies in a mapped span; a
            // pointer it did not is what this looks for. Under the lock:
            // the header may be changing.
            if let Err(e) = unsafe { Span::check(p, class) } {
                bad_free(e);
            }
        }
        // SAFETY: per the caller.
        unsafe { self.free_small(p, class, size) }
    }

    /// Keeps an empty span in the reserve, or gives its memory back.
    ///
    /// # Safety
    ///
    /// `span` must be empty and on no list.
    #[cold]
    unsafe fn retire(&mut self, span: *mut Span) {
        if self.reserve.len() < RESERVE {
            // SAFETY: on no list, per the caller.
            unsafe { self.reserve.push(span) };
            return;
        }
        let at = span.cast::<u8>();
        // SAFETY: the span is empty, so nothing relies on its pages; the
        // first page is left alone for the region allocator's own record.
        unsafe {
            give_back(at.add(PAGE), at.add(SPAN));
            self.region.dealloc(NonNull::new_unchecked(at), SPAN_LAYOUT);
        }
    }
}
