//! The heap: `linked_list_allocator` arenas behind a `spin` lock, grown on
//! demand with `mmap`.
//!
//! Small requests are served first-fit from a list of arenas. When none has
//! room, a new arena is mapped, twice as large as the last (64 KiB, then
//! 128 KiB, ... up to 1 GiB each), so a program that never allocates maps
//! nothing and a growing program maps O(log n) times. Requests of 128 KiB or
//! more get their own mapping and are returned to the kernel on free.
//!
//! Out of memory, the allocator returns null as `GlobalAlloc` requires, so
//! `Vec::try_reserve` and friends see an error; the infallible paths end in
//! [`crate::panic`], which prints `memory allocation of N bytes failed` and
//! exits with status 134.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicUsize, Ordering};
use freestand_syscalls::mm::{self, ProtFlags};
use linked_list_allocator::Heap as Arena;

/// Requests at least this large get a mapping of their own.
const DIRECT_MAP_MIN: usize = 128 * 1024;
/// The size of the first arena.
const FIRST_ARENA: usize = 64 * 1024;
/// Arenas stop doubling at this size.
const MAX_ARENA: usize = 1024 * 1024 * 1024;
/// How many arenas the heap can hold: 15 doubling ones (64 KiB .. 1 GiB)
/// and 33 of 1 GiB, about 34 GiB of small blocks in all. Past that, small
/// allocations fail (large ones still get their own mappings).
const ARENAS: usize = 48;
/// Mapping granularity (the smallest page size of the supported targets).
const PAGE: usize = 4096;

/// The size of the last request the heap could not satisfy, or 0. The panic
/// handler reads it to tell an allocation failure from other panics.
pub(crate) static LAST_FAILURE: AtomicUsize = AtomicUsize::new(0);

struct Arenas {
    list: [Arena; ARENAS],
    used: usize,
    next_size: usize,
}

/// The global allocator installed by [`entry!`](macro@crate::entry).
pub struct Heap {
    arenas: spin::Mutex<Arenas>,
}

impl Heap {
    /// An empty heap; it maps memory on the first allocation.
    pub const fn new() -> Heap {
        Heap {
            arenas: spin::Mutex::new(Arenas {
                list: [const { Arena::empty() }; ARENAS],
                used: 0,
                next_size: FIRST_ARENA,
            }),
        }
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

fn is_direct(layout: Layout) -> bool {
    layout.size() >= DIRECT_MAP_MIN && layout.align() <= PAGE
}

fn round_to_page(n: usize) -> Option<usize> {
    n.checked_add(PAGE - 1).map(|n| n & !(PAGE - 1))
}

fn failed(layout: Layout) -> *mut u8 {
    LAST_FAILURE.store(layout.size().max(1), Ordering::Relaxed);
    ptr::null_mut()
}

impl Arenas {
    fn alloc(&mut self, layout: Layout) -> Option<NonNull<u8>> {
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
        // own bookkeeping.
        let need = layout.size().checked_add(layout.align())?.checked_add(64)?;
        let rw = ProtFlags::READ | ProtFlags::WRITE;
        let wanted = round_to_page(need.max(self.next_size))?;
        let slot = self.list.get_mut(self.used)?;
        // If the doubled size cannot be had, an arena just big enough may.
        let (mem, size) = match mm::mmap_anonymous(wanted, rw) {
            Ok(m) => (m, wanted),
            Err(_) => {
                let exact = round_to_page(need)?;
                (mm::mmap_anonymous(exact, rw).ok()?, exact)
            }
        };
        // SAFETY: `mem` is a fresh private mapping of `size` bytes that
        // nothing else references; it is never unmapped, so it is valid for
        // as long as the arena.
        unsafe { slot.init(mem.as_ptr(), size) };
        self.used += 1;
        self.next_size = (self.next_size * 2).min(MAX_ARENA);
        Some(slot)
    }

    fn dealloc(&mut self, p: NonNull<u8>, layout: Layout) {
        let addr = p.as_ptr() as usize;
        let arenas = self.list.iter_mut().take(self.used);
        for a in arenas {
            if (a.bottom() as usize..a.top() as usize).contains(&addr) {
                // SAFETY: `p` came from this arena (the only one whose range
                // holds it) with this `layout`, per `GlobalAlloc::dealloc`.
                unsafe { a.deallocate(p, layout) };
                return;
            }
        }
    }
}

// SAFETY: every block handed out is either a fresh mapping of at least
// `layout.size()` bytes (page aligned, so any `align <= PAGE` holds) or comes
// from `linked_list_allocator`, which honours the layout; blocks are only
// freed back to the place they came from, chosen by the same `layout`.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_direct(layout) {
            let Some(len) = round_to_page(layout.size()) else {
                return failed(layout);
            };
            return match mm::mmap_anonymous(len, ProtFlags::READ | ProtFlags::WRITE) {
                Ok(p) => p.as_ptr(),
                Err(_) => failed(layout),
            };
        }
        match self.arenas.lock().alloc(layout) {
            Some(p) => p.as_ptr(),
            None => failed(layout),
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract of `GlobalAlloc::alloc_zeroed`.
        let p = unsafe { self.alloc(layout) };
        // A fresh anonymous mapping is already zero: only arena blocks,
        // which may be reused, need filling.
        if !p.is_null() && !is_direct(layout) {
            // SAFETY: `alloc` returned `layout.size()` writable bytes at `p`.
            unsafe { p.write_bytes(0, layout.size()) };
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(p) = NonNull::new(ptr) else { return };
        if is_direct(layout) {
            if let Some(len) = round_to_page(layout.size()) {
                // SAFETY: `ptr` is the start of a mapping of `len` bytes made
                // by `alloc` for this layout, and the caller no longer uses it.
                let _ = unsafe { mm::munmap(ptr, len) };
            }
            return;
        }
        self.arenas.lock().dealloc(p, layout);
    }
}
