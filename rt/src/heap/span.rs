//! Spans: 256 KiB of blocks of one size class, aligned to their size, with
//! a header at the start.
//!
//! A block's span is its address rounded down to the span size. Each span
//! keeps its own free list (threaded through the freed blocks), a bump
//! pointer over the part never handed out, and a count of live blocks, so
//! that allocating, freeing and noticing an empty span take constant time.
//! Spans with room are linked into their class's [`SpanList`].

use super::classes::block_size;
use super::route::PAGE;
use core::mem::size_of;
use core::ptr;

/// The size and alignment of a span.
pub(super) const SPAN: usize = 256 * 1024;

/// The first word of every span header: a pointer the heap never gave out
/// has none (checked in debug builds).
const MAGIC: usize = 0x6672_6565_7374_616e;

/// Written into the second word of a freed block in debug builds, mixed
/// with its address: finding it at `free` means a double free.
const CANARY: usize = 0x0dd_f4ee_dead_b10c;

/// Likewise for a block in a thread's cache (`super::cache`): freed too.
const CACHED: usize = 0x0ca_c4ed_dead_b10c;

/// The header at the start of a span.
#[repr(C)]
pub(super) struct Span {
    magic: usize,
    /// The size class of its blocks.
    class: usize,
    /// Their size.
    block: usize,
    /// Freed blocks, each holding the next.
    free: *mut Free,
    /// The next block never handed out.
    bump: usize,
    /// The end of the last whole block.
    end: usize,
    /// Blocks handed out and not freed.
    live: usize,
    /// Blocks the span holds.
    capacity: usize,
    prev: *mut Span,
    next: *mut Span,
}

/// A freed block: the next one, and (debug builds) the double-free canary.
#[repr(C)]
struct Free {
    next: *mut Free,
    canary: usize,
}

/// What a debug build found wrong with a pointer given to `free`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BadFree {
    /// No span header where the block's span would start.
    NotFromHeap,
    /// A span of another size class than the layout's.
    WrongSize,
    /// Not at the start of a block.
    Misaligned,
    /// The block is already free.
    DoubleFree,
}

impl Span {
    /// The span holding the small block `p`.
    #[inline(always)]
    pub(super) fn of(p: *mut u8) -> *mut Span {
        p.map_addr(|a| a & !(SPAN - 1)).cast()
    }

    /// Writes a header for class `class` at `at`, with every block free.
    ///
    /// # Safety
    ///
    /// `at` must be the start of `SPAN` writable bytes, aligned to `SPAN`,
    /// that nothing else uses.
    pub(super) unsafe fn init(at: *mut u8, class: usize) -> *mut Span {
        let block = block_size(class);
        // Blocks are aligned to their largest power-of-two factor, up to a
        // page: a power-of-two class serves aligned requests.
        let align = (1usize << block.trailing_zeros()).min(PAGE);
        let base = at as usize;
        let first = (base + size_of::<Span>()).next_multiple_of(align);
        let capacity = (base + SPAN - first) / block;
        let span = at.cast::<Span>();
        // SAFETY: `at` is aligned to SPAN and holds SPAN writable bytes,
        // far more than a header, per the caller.
        unsafe {
            span.write(Span {
                magic: MAGIC,
                class,
                block,
                free: ptr::null_mut(),
                bump: first,
                end: first + capacity * block,
                live: 0,
                capacity,
                prev: ptr::null_mut(),
                next: ptr::null_mut(),
            })
        };
        span
    }

    /// Takes a block. The span must not be full.
    ///
    /// # Safety
    ///
    /// `span` must be a live span header with `live < capacity`.
    #[inline(always)]
    pub(super) unsafe fn take(span: *mut Span) -> *mut u8 {
        // SAFETY: a live header, per the caller; a non-null `free` is a
        // freed block of this span, and `bump < end` when no block was
        // freed and the span is not full.
        unsafe {
            (*span).live += 1;
            let f = (*span).free;
            if !f.is_null() {
                (*span).free = (*f).next;
                if cfg!(debug_assertions) {
                    (*f).canary = 0;
                }
                return f.cast();
            }
            let b = (*span).bump;
            (*span).bump = b + (*span).block;
            let p = span.cast::<u8>().with_addr(b);
            if cfg!(debug_assertions) {
                // The span's memory may hold a canary from an earlier life
                // with another class, where a block started here too.
                (*p.cast::<Free>()).canary = 0;
            }
            p
        }
    }

    /// Gives back block `p`.
    ///
    /// # Safety
    ///
    /// `p` must be a block of `span` handed out by [`Span::take`] and not
    /// given back since.
    #[inline(always)]
    pub(super) unsafe fn give(span: *mut Span, p: *mut u8) {
        let f = p.cast::<Free>();
        // SAFETY: `p` is a block of at least 16 bytes, aligned to 16, that
        // the caller no longer uses; `span` is its live header.
        unsafe {
            (*f).next = (*span).free;
            if cfg!(debug_assertions) {
                (*f).canary = CANARY ^ p as usize;
            }
            (*span).free = f;
            (*span).live -= 1;
        }
    }

    /// Checks, as far as the structure makes cheap, that `p` can be a
    /// block of class `class` handed out and not yet freed. For debug
    /// builds, under the heap's lock.
    ///
    /// # Safety
    ///
    /// The span-aligned memory around `p` must be readable (it is, for any
    /// pointer the heap gave out).
    pub(super) unsafe fn check(p: *mut u8, class: usize) -> Result<(), BadFree> {
        // SAFETY: per the caller.
        unsafe { Span::check_with(p, class, true) }
    }

    /// [`Span::check`] without the heap's lock, for a block going into a
    /// thread's cache: it reads only what stays put while the span holds a
    /// live block (its magic word, class and layout) and the block itself,
    /// so it cannot tell a block past the bump pointer (never handed out).
    ///
    /// # Safety
    ///
    /// As for [`Span::check`].
    pub(super) unsafe fn check_unlocked(p: *mut u8, class: usize) -> Result<(), BadFree> {
        // SAFETY: per the caller.
        unsafe { Span::check_with(p, class, false) }
    }

    /// [`Span::check`], reading the bump pointer if `locked`.
    ///
    /// # Safety
    ///
    /// As for [`Span::check`].
    #[inline(always)]
    unsafe fn check_with(p: *mut u8, class: usize, locked: bool) -> Result<(), BadFree> {
        let h = Span::of(p);
        // Field by field, through the raw pointer: without the lock, other
        // fields of the header may be changing.
        // SAFETY: readable, per the caller.
        let (magic, class_of_span) = unsafe { ((*h).magic, (*h).class) };
        if magic != MAGIC {
            return Err(BadFree::NotFromHeap);
        }
        if class_of_span != class {
            return Err(BadFree::WrongSize);
        }
        // SAFETY: a span header, as its magic word says; these fields are
        // written when it is made only, and the bump pointer is read only
        // under the lock.
        let (end, capacity, block, past) = unsafe {
            let end = (*h).end;
            (
                end,
                (*h).capacity,
                (*h).block,
                if locked { (*h).bump } else { end },
            )
        };
        let a = p as usize;
        let first = end - capacity * block;
        if a < first || a >= past || !(a - first).is_multiple_of(block) {
            return Err(BadFree::Misaligned);
        }
        // SAFETY: a block of this span, at least 16 bytes.
        let canary = unsafe { (*p.cast::<Free>()).canary };
        if canary == CANARY ^ a || canary == CACHED ^ a {
            return Err(BadFree::DoubleFree);
        }
        Ok(())
    }

    /// Marks block `p` as held by a thread's cache (debug builds), so that
    /// freeing it again is found.
    ///
    /// # Safety
    ///
    /// `p` must be a block of a span, which only the caller uses now.
    #[inline(always)]
    pub(super) unsafe fn mark_cached(p: *mut u8) {
        if cfg!(debug_assertions) {
            // SAFETY: a block of at least 16 bytes, per the caller.
            unsafe { (*p.cast::<Free>()).canary = CACHED ^ p as usize };
        }
    }

    /// Clears the mark of [`Span::mark_cached`] (debug builds) from a
    /// block leaving a cache for the program.
    ///
    /// # Safety
    ///
    /// As for [`Span::mark_cached`].
    #[inline(always)]
    pub(super) unsafe fn unmark(p: *mut u8) {
        if cfg!(debug_assertions) {
            // SAFETY: a block of at least 16 bytes, per the caller.
            unsafe { (*p.cast::<Free>()).canary = 0 };
        }
    }

    /// Blocks handed out and not freed.
    ///
    /// # Safety
    ///
    /// `span` must be a live span header.
    #[inline(always)]
    pub(super) unsafe fn live(span: *mut Span) -> usize {
        // SAFETY: per the caller.
        unsafe { (*span).live }
    }

    /// How many blocks the span holds.
    ///
    /// # Safety
    ///
    /// `span` must be a live span header.
    #[cfg(test)]
    pub(super) unsafe fn capacity(span: *mut Span) -> usize {
        // SAFETY: per the caller.
        unsafe { (*span).capacity }
    }

    /// Whether every block is handed out.
    ///
    /// # Safety
    ///
    /// `span` must be a live span header.
    #[inline(always)]
    pub(super) unsafe fn is_full(span: *mut Span) -> bool {
        // SAFETY: per the caller.
        unsafe { (*span).live == (*span).capacity }
    }
}

/// A doubly linked list of spans, through their headers.
pub(super) struct SpanList {
    head: *mut Span,
    len: usize,
}

// SAFETY: the spans a list links are heap memory that belongs to no
// thread; the list is reached only under the heap's lock.
unsafe impl Send for SpanList {}

impl SpanList {
    /// An empty list.
    pub(super) const fn new() -> SpanList {
        SpanList {
            head: ptr::null_mut(),
            len: 0,
        }
    }

    /// The first span, or null.
    #[inline(always)]
    pub(super) fn first(&self) -> *mut Span {
        self.head
    }

    /// How many spans it holds.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Adds `span` at the front.
    ///
    /// # Safety
    ///
    /// `span` must be a live header on no list.
    #[inline(always)]
    pub(super) unsafe fn push(&mut self, span: *mut Span) {
        // SAFETY: `span` and the current head are live headers.
        unsafe {
            (*span).prev = ptr::null_mut();
            (*span).next = self.head;
            if !self.head.is_null() {
                (*self.head).prev = span;
            }
        }
        self.head = span;
        self.len += 1;
    }

    /// Unlinks `span`.
    ///
    /// # Safety
    ///
    /// `span` must be on this list.
    #[inline(always)]
    pub(super) unsafe fn remove(&mut self, span: *mut Span) {
        // SAFETY: `span` and its neighbours are live headers of this list.
        unsafe {
            let (prev, next) = ((*span).prev, (*span).next);
            if prev.is_null() {
                self.head = next;
            } else {
                (*prev).next = next;
            }
            if !next.is_null() {
                (*next).prev = prev;
            }
            (*span).prev = ptr::null_mut();
            (*span).next = ptr::null_mut();
        }
        self.len -= 1;
    }

    /// Unlinks and returns the first span, or null.
    pub(super) fn pop(&mut self) -> *mut Span {
        let span = self.head;
        if !span.is_null() {
            // SAFETY: the head is on this list.
            unsafe { self.remove(span) };
        }
        span
    }
}
