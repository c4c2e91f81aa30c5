//! Large blocks: a mapping each, straight from the kernel and back to it.
//!
//! `mmap` on allocation and `munmap` on free, so freed memory goes back;
//! `mremap(MREMAP_MAYMOVE)` on `realloc`, which moves page-table entries
//! instead of copying. Alignment above a page is had by mapping
//! `size + align` and unmapping the two ends.
//!
//! One exception to "straight back": a program that allocates and frees a
//! buffer of the same size over and over would pay a `mmap`, a `munmap` and
//! a page fault per page every time (glibc raises its mapping threshold for
//! that reason; see mallopt(3)). So the last few freed mappings of up to
//! 4 MiB, 8 MiB in all (the oldest make room), are kept and handed out again to a request of the
//! same length, without a system call or a fault. Everything else goes
//! back at once, and the kept memory is bounded.

use super::lock::Lock;
use super::route::PAGE;
use core::alloc::Layout;
use core::ptr;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use freestand_syscalls::mm::{self, ProtFlags};

/// Large blocks handed out and not freed.
pub(super) static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Bytes mapped for them.
pub(super) static MAPPED: AtomicUsize = AtomicUsize::new(0);
/// Bytes requested for them.
pub(super) static IN_USE: AtomicUsize = AtomicUsize::new(0);

/// Freed mappings kept for reuse: at most this many ...
const KEPT: usize = 8;
/// ... of at most this length each ...
const KEEP_MAX: usize = 4 << 20;
/// ... and this many bytes in all.
const KEEP_TOTAL: usize = 8 << 20;

/// Freed mappings kept for reuse (start, length; length 0: empty slot),
/// the oldest replaced first.
pub(super) struct Kept {
    slots: [(usize, usize); KEPT],
    /// The slot the next mapping goes to: the oldest.
    next: usize,
    bytes: usize,
}

static KEPT_MAPPINGS: Lock<Kept> = Lock::new(Kept {
    slots: [(0, 0); KEPT],
    next: 0,
    bytes: 0,
});

/// Takes the lock of the kept mappings (for [`super::lock_for_fork`]).
pub(super) fn lock_kept() -> super::lock::Guard<'static, Kept> {
    KEPT_MAPPINGS.lock()
}

impl Kept {
    /// A kept mapping of exactly `len` bytes, taken out.
    fn take(&mut self, len: usize) -> Option<*mut u8> {
        let slot = self.slots.iter_mut().find(|s| s.1 == len)?;
        let start = slot.0;
        *slot = (0, 0);
        self.bytes -= len;
        Some(start as *mut u8)
    }

    /// Keeps the mapping at `start` of `len` bytes in place of the oldest
    /// ones, as many as its room takes. Returns what is left to unmap: the
    /// mappings it pushed out, or itself if it is too long to keep.
    fn keep(&mut self, start: *mut u8, len: usize) -> [(usize, usize); KEPT + 1] {
        let mut out = [(0, 0); KEPT + 1];
        if len > KEEP_MAX {
            out[0] = (start as usize, len);
            return out;
        }
        let mut n = 0;
        // The oldest slot, and the ones after it, until there is room.
        while self.slots[self.next].1 != 0 || self.bytes + len > KEEP_TOTAL {
            let old = core::mem::take(&mut self.slots[self.next]);
            if old.1 != 0 {
                self.bytes -= old.1;
                out[n] = old;
                n += 1;
            }
            if self.slots[self.next].1 == 0 && self.bytes + len <= KEEP_TOTAL {
                break;
            }
            self.next = (self.next + 1) % KEPT;
        }
        self.slots[self.next] = (start as usize, len);
        self.bytes += len;
        self.next = (self.next + 1) % KEPT;
        out
    }
}

/// The length of the mapping of a block of `size` bytes.
fn mapping(size: usize) -> Option<usize> {
    size.checked_next_multiple_of(PAGE)
}

/// A new block for `layout`, or null, and whether it is fresh from the
/// kernel (so zero).
pub(super) fn alloc(layout: Layout) -> (*mut u8, bool) {
    let Some(len) = mapping(layout.size()) else {
        return (ptr::null_mut(), false);
    };
    if layout.align() <= PAGE
        && let Some(p) = KEPT_MAPPINGS.lock().take(len)
    {
        LIVE.fetch_add(1, Relaxed);
        IN_USE.fetch_add(layout.size(), Relaxed);
        return (p, false);
    }
    let rw = ProtFlags::READ | ProtFlags::WRITE;
    let align = layout.align().max(PAGE);
    let Some(extra) = len.checked_add(align - PAGE) else {
        return (ptr::null_mut(), false);
    };
    let Ok(raw) = mm::mmap_anonymous(extra, rw) else {
        return (ptr::null_mut(), false);
    };
    let raw = raw.as_ptr();
    let head = (raw as usize).next_multiple_of(align) - raw as usize;
    let tail = extra - len - head;
    // SAFETY: both ends lie inside the fresh mapping, and nothing uses them.
    unsafe {
        if head > 0 {
            let _ = mm::munmap(raw, head);
        }
        if tail > 0 {
            let _ = mm::munmap(raw.add(head + len), tail);
        }
    }
    LIVE.fetch_add(1, Relaxed);
    MAPPED.fetch_add(len, Relaxed);
    IN_USE.fetch_add(layout.size(), Relaxed);
    // SAFETY: `head` lies within the mapping.
    (unsafe { raw.add(head) }, true)
}

/// Unmaps block `p`, made for `layout`.
///
/// # Safety
///
/// `p` must have come from [`alloc()`] or [`realloc`] with `layout`, and not
/// be used afterwards.
pub(super) unsafe fn dealloc(p: *mut u8, layout: Layout) {
    let Some(len) = mapping(layout.size()) else {
        return;
    };
    LIVE.fetch_sub(1, Relaxed);
    IN_USE.fetch_sub(layout.size(), Relaxed);
    // Only page-aligned mappings are kept: a kept one is handed out for
    // any alignment up to a page.
    let gone = if layout.align() <= PAGE {
        KEPT_MAPPINGS.lock().keep(p, len)
    } else {
        let mut gone = [(0, 0); KEPT + 1];
        gone[0] = (p as usize, len);
        gone
    };
    for (start, len) in gone {
        if len != 0 {
            // SAFETY: a whole mapping made by `alloc`, whose block was
            // freed, now on no list: nothing uses it.
            let _ = unsafe { mm::munmap(p.with_addr(start), len) };
            MAPPED.fetch_sub(len, Relaxed);
        }
    }
}

/// Resizes block `p` (made for `layout`) to `new_size` bytes with
/// `mremap`, moving it if need be; `None` if the kernel refuses, or if the
/// block is aligned above a page (a moved mapping keeps only page
/// alignment).
///
/// # Safety
///
/// As for [`dealloc`]; on success the old pointer is dead.
pub(super) unsafe fn realloc(p: *mut u8, layout: Layout, new_size: usize) -> Option<*mut u8> {
    if layout.align() > PAGE {
        return None;
    }
    let (old, new) = (mapping(layout.size())?, mapping(new_size)?);
    // SAFETY: `p` starts a private mapping of `old` bytes that only this
    // block uses, per the caller.
    let q = unsafe { mm::mremap(p, old, new, mm::MremapFlags::MAYMOVE) }.ok()?;
    MAPPED.fetch_add(new, Relaxed);
    MAPPED.fetch_sub(old, Relaxed);
    IN_USE.fetch_add(new_size, Relaxed);
    IN_USE.fetch_sub(layout.size(), Relaxed);
    Some(q.as_ptr())
}
