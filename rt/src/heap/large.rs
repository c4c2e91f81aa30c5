//! Large blocks: a mapping each, straight from the kernel and straight back
//! to it.
//!
//! `mmap` on allocation and `munmap` on free, so freed memory goes back at
//! once; `mremap(MREMAP_MAYMOVE)` on `realloc`, which moves page-table
//! entries instead of copying. Alignment above a page is had by mapping
//! `size + align` and unmapping the two ends. Takes no lock: the kernel
//! serialises mappings itself.

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

/// The length of the mapping of a block of `size` bytes.
fn mapping(size: usize) -> Option<usize> {
    size.checked_next_multiple_of(PAGE)
}

/// A new block for `layout`, or null.
pub(super) fn alloc(layout: Layout) -> *mut u8 {
    let Some(len) = mapping(layout.size()) else {
        return ptr::null_mut();
    };
    let rw = ProtFlags::READ | ProtFlags::WRITE;
    let align = layout.align().max(PAGE);
    let Some(extra) = len.checked_add(align - PAGE) else {
        return ptr::null_mut();
    };
    let Ok(raw) = mm::mmap_anonymous(extra, rw) else {
        return ptr::null_mut();
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
    unsafe { raw.add(head) }
}

/// Unmaps block `p`, made for `layout`.
///
/// # Safety
///
/// `p` must have come from [`alloc`] or [`realloc`] with `layout`, and not
/// be used afterwards.
pub(super) unsafe fn dealloc(p: *mut u8, layout: Layout) {
    let Some(len) = mapping(layout.size()) else {
        return;
    };
    // SAFETY: `p` starts the mapping of `len` bytes made for this layout,
    // which the caller no longer uses.
    let _ = unsafe { mm::munmap(p, len) };
    LIVE.fetch_sub(1, Relaxed);
    MAPPED.fetch_sub(len, Relaxed);
    IN_USE.fetch_sub(layout.size(), Relaxed);
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
