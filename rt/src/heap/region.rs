//! The regions: `linked_list_allocator` arenas, mapped on demand, that
//! hold the spans and the mid-size blocks.
//!
//! A general-purpose region allocator suits those few, larger and
//! variously aligned pieces; it never serves the hot small path. Arenas are
//! mapped aligned to the span size and double (1 MiB, 2 MiB, ... up to
//! 1 GiB each), so a growing program maps O(log n) times and spans pack
//! without gaps.

use super::route::PAGE;
use super::span::SPAN;
use core::alloc::Layout;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use freestand_syscalls::mm::{self, ProtFlags};
use linked_list_allocator::Heap as Arena;

/// The size of the first arena.
const FIRST_ARENA: usize = 1024 * 1024;
/// Arenas stop doubling at this size.
const MAX_ARENA: usize = 1024 * 1024 * 1024;
/// How many arenas there can be: 11 doubling ones (1 MiB .. 1 GiB) and 37
/// of 1 GiB, about 39 GiB in all. Past that, spans and mid-size blocks
/// cannot be had (large blocks still can).
const ARENAS: usize = 48;

/// The arenas.
pub(super) struct Region {
    list: [Arena; ARENAS],
    used: usize,
    /// Bytes mapped for arenas.
    pub(super) mapped: usize,
}

impl Region {
    /// No arenas yet.
    pub(super) const fn new() -> Region {
        Region {
            list: [const { Arena::empty() }; ARENAS],
            used: 0,
            mapped: 0,
        }
    }

    /// A block for `layout`, from the newest arena that has room, or from a
    /// new one.
    pub(super) fn alloc(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        let used = self.list.get_mut(..self.used)?;
        if let Some(p) = used
            .iter_mut()
            .rev()
            .find_map(|a| a.allocate_first_fit(layout).ok())
        {
            return Some(p);
        }
        self.grow(layout)?.allocate_first_fit(layout).ok()
    }

    /// Maps a new arena big enough for `layout` and returns it.
    fn grow(&mut self, layout: Layout) -> Option<&mut Arena> {
        // Room for the block, its alignment padding and the allocator's
        // own bookkeeping, in whole spans.
        let need = layout
            .size()
            .checked_add(layout.align())?
            .checked_add(64)?
            .checked_next_multiple_of(SPAN)?;
        let slot = self.list.get_mut(self.used)?;
        // If the doubled size cannot be had, an arena just big enough may.
        // Each arena twice the last: 1 MiB, 2 MiB, ... 1 GiB.
        let next = (FIRST_ARENA << self.used.min(10)).min(MAX_ARENA);
        let (mem, size) = match map_aligned(need.max(next)) {
            Some(m) => m,
            None => map_aligned(need)?,
        };
        // SAFETY: `mem` is a fresh private mapping of `size` bytes that
        // nothing else references; it is never unmapped, so it is valid for
        // as long as the arena.
        unsafe { slot.init(mem.as_ptr(), size) };
        self.used += 1;
        self.mapped += size;
        Some(slot)
    }

    /// Gives back block `p`, made for `layout`.
    ///
    /// # Safety
    ///
    /// `p` must have come from [`Region::alloc`] with `layout`, and not have
    /// been given back since.
    pub(super) unsafe fn dealloc(&mut self, p: NonNull<u8>, layout: Layout) {
        let addr = p.as_ptr() as usize;
        let arenas = self.list.iter_mut().take(self.used);
        for a in arenas {
            if (a.bottom() as usize..a.top() as usize).contains(&addr) {
                // SAFETY: `p` came from this arena (the only one whose range
                // holds it) with this `layout`, per the caller.
                unsafe { a.deallocate(p, layout) };
                return;
            }
        }
    }
}

/// Maps `len` bytes (a multiple of `SPAN`) aligned to `SPAN`: maps one span
/// more and unmaps what lies outside.
fn map_aligned(len: usize) -> Option<(NonNull<u8>, usize)> {
    let rw = ProtFlags::READ | ProtFlags::WRITE;
    let raw = mm::mmap_anonymous(len.checked_add(SPAN - PAGE)?, rw).ok()?;
    let start = raw.as_ptr() as usize;
    let head = start.next_multiple_of(SPAN) - start;
    let tail = SPAN - PAGE - head;
    // SAFETY: both ends lie inside the fresh mapping, and nothing uses them.
    unsafe {
        if head > 0 {
            let _ = mm::munmap(raw.as_ptr(), head);
        }
        if tail > 0 {
            let _ = mm::munmap(raw.as_ptr().add(head + len), tail);
        }
    }
    // SAFETY: `head` is within the mapping, so the result is not null.
    Some((unsafe { raw.add(head) }, len))
}

/// The kernel's page size: `AT_PAGESZ`, read once; before the runtime
/// has recorded the initial stack (host tests), the largest page the
/// architecture allows, which is always safe to round to.
fn kernel_page() -> usize {
    static SIZE: AtomicUsize = AtomicUsize::new(0);
    match SIZE.load(Relaxed) {
        0 => {
            let largest = 1 << crate::arch::PAGE_SHIFTS.1;
            let size = crate::stack::getauxval(linux_raw_sys::auxvec::AT_PAGESZ)
                .filter(|s| s.is_power_of_two() && *s >= PAGE)
                .unwrap_or(largest);
            SIZE.store(size, Relaxed);
            size
        }
        size => size,
    }
}

/// Gives the whole kernel pages of `start..end` back to the kernel: they
/// read as zero afterwards and cost no memory until written again. The
/// range is rounded inwards to the kernel's page size, which may be 16 or
/// 64 KiB on aarch64: `madvise` would round a shorter length up, over
/// bytes past `end`.
///
/// # Safety
///
/// Nothing may rely on the contents of those pages.
pub(super) unsafe fn give_back(start: *mut u8, end: *mut u8) {
    let page = kernel_page();
    let from = (start as usize).next_multiple_of(page);
    let to = end as usize & !(page - 1);
    if to > from {
        // SAFETY: whole pages of private anonymous memory that nothing
        // relies on, per the caller.
        let _ = unsafe { mm::madvise(start.with_addr(from), to - from, mm::Advice::DontNeed) };
    }
}
