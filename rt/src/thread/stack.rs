//! Thread stacks: one mapping per thread, with guard pages, freed when the
//! thread has ended.
//!
//! ```text
//! low                                                            high
//! | guard | alternate signal stack | guard | stack ->...  | TLS + TCB |
//! ```
//!
//! The stack grows down into the guard page below it, so an overflow
//! faults instead of running into other memory, and the fault is reported
//! on the alternate stack (see [`crate::overflow`]), which has a guard of
//! its own. The TLS block and the control block sit at the top, above the
//! stack's first frame. Only pages a thread touches cost memory.

use super::tls::Area;
use crate::stack::getauxval;
use core::sync::atomic::{AtomicUsize, Ordering};
use freestand_syscalls::Errno;
use freestand_syscalls::mm::{ProtFlags, mmap_anonymous, mprotect, munmap};

/// The default stack size of a spawned thread, as std's: 2 MiB.
pub const DEFAULT_STACK_SIZE: usize = 2 * 1024 * 1024;

/// The smallest stack a thread gets, whatever it asks for.
pub const MIN_STACK_SIZE: usize = 16 * 1024;

/// Each thread's alternate signal stack: as the main thread's (see
/// [`crate::overflow`]).
pub(crate) const ALT_STACK_LEN: usize = 32 * 1024;

/// A thread's mapping and the places in it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mapping {
    /// The mapping: start and length.
    pub(crate) map: (usize, usize),
    /// The alternate signal stack: start and length.
    pub(crate) alt: (usize, usize),
    /// The stack: lowest address and one past the highest (16-aligned).
    pub(crate) stack: (usize, usize),
    /// Where the TLS and control block area starts.
    pub(crate) area: usize,
}

/// The page size (`AT_PAGESZ`, else 4 KiB).
pub(crate) fn page_size() -> usize {
    getauxval(linux_raw_sys::auxvec::AT_PAGESZ)
        .filter(|p| p.is_power_of_two())
        .unwrap_or(4096)
}

/// Where everything goes for a stack of `stack_size` bytes and `area`,
/// with pages of `page` bytes, in a mapping starting at `base` (0 to
/// only size it). `None` if the sizes overflow.
pub(crate) fn plan(base: usize, stack_size: usize, area: &Area, page: usize) -> Option<Mapping> {
    let round = |n: usize| n.checked_add(page - 1).map(|n| n & !(page - 1));
    let stack_size = round(stack_size.max(MIN_STACK_SIZE))?;
    let alt = round(ALT_STACK_LEN)?;
    // Room for the area at any alignment: its own size plus the slack.
    let top = round(area.size.checked_add(area.align.saturating_sub(1))?)?;
    let len = page
        .checked_add(alt)?
        .checked_add(page)?
        .checked_add(stack_size)?
        .checked_add(top)?;
    let end = base.checked_add(len)?;
    let area_at = (end - area.size) & !(area.align - 1);
    let stack_lo = base + page + alt + page;
    Some(Mapping {
        map: (base, len),
        alt: (base + page, alt),
        stack: (stack_lo, area_at & !15),
        area: area_at,
    })
}

/// Maps a stack of `stack_size` bytes with its guards, its alternate
/// signal stack and room for `area`.
pub(crate) fn map(stack_size: usize, area: &Area) -> Result<Mapping, Errno> {
    let page = page_size();
    let len = plan(0, stack_size, area, page).ok_or(Errno::ENOMEM)?.map.1;
    let base = mmap_anonymous(len, ProtFlags::empty())?.as_ptr() as usize;
    let Some(m) = plan(base, stack_size, area, page) else {
        unmap(base, len);
        return Err(Errno::ENOMEM);
    };
    let rw = ProtFlags::READ | ProtFlags::WRITE;
    let stack_start = m.stack.0;
    // SAFETY: both ranges lie inside the mapping just made, which nothing
    // else knows of.
    let r = unsafe {
        mprotect(m.alt.0 as *mut u8, m.alt.1, rw)
            .and_then(|()| mprotect(stack_start as *mut u8, base + len - stack_start, rw))
    };
    if let Err(e) = r {
        unmap(base, len);
        return Err(e);
    }
    Ok(m)
}

/// How many mappings of ended threads are kept for later spawns: a
/// spawn that finds one skips `mmap` and two `mprotect`s, and a join
/// skips the `munmap` (and the other CPUs' TLB flushes it costs).
const KEPT: usize = 4;

/// Kept mappings (their start; 0 for an empty place), all made by [`map`]
/// for [`DEFAULT_STACK_SIZE`] and this program's area.
static KEEP: [AtomicUsize; KEPT] = [const { AtomicUsize::new(0) }; KEPT];

/// A kept mapping of a thread with the default stack size, its TLS and
/// control block area zeroed again, if one is kept.
pub(crate) fn take_kept(area: &Area) -> Option<Mapping> {
    let base = KEEP
        .iter()
        .find_map(|k| match k.swap(0, Ordering::Acquire) {
            0 => None,
            b => Some(b),
        })?;
    let m = plan(base, DEFAULT_STACK_SIZE, area, page_size())?;
    // SAFETY: the area lies in the kept mapping, writable, which nothing
    // else uses now that it is taken from the list.
    unsafe { core::ptr::write_bytes(m.area as *mut u8, 0, area.size) };
    Some(m)
}

/// Keeps the mapping `(base, len)` of an ended thread for a later spawn if
/// it has the default stack size and there is room, else unmaps it.
pub(crate) fn keep_or_unmap(base: usize, len: usize, area: &Area) {
    let default = plan(0, DEFAULT_STACK_SIZE, area, page_size()).map(|m| m.map.1);
    if default == Some(len)
        && KEEP.iter().any(|k| {
            k.compare_exchange(0, base, Ordering::Release, Ordering::Relaxed)
                .is_ok()
        })
    {
        return;
    }
    unmap(base, len);
}

/// Unmaps a thread's mapping once nothing runs on it.
pub(crate) fn unmap(base: usize, len: usize) {
    // SAFETY: the callers pass a whole thread mapping whose thread has
    // ended (or never started); nothing refers to it any more. A failure
    // could only leak the range.
    let _ = unsafe { munmap(base as *mut u8, len) };
}

/// The main thread's stack bounds, as far as they are known: from 0 to the
/// top of the initial stack (the kernel grows it on demand, so its lowest
/// address is not fixed).
pub(crate) fn main_thread_bounds() -> (usize, usize) {
    let top = crate::stack::InitialStack::current().as_ptr() as usize;
    (0, top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_keeps_guards_stack_and_area_apart() {
        for &(size, align) in &[
            (128usize, 64usize),
            (4096, 4096),
            (200, 16),
            (8192 + 64, 8192),
        ] {
            let area = Area {
                size,
                align,
                tcb: 0,
                tp: 0,
            };
            let m = plan(0x10_0000, 100_000, &area, 4096).unwrap();
            let (base, len) = m.map;
            assert_eq!(m.alt.0, base + 4096);
            assert_eq!(m.stack.0, m.alt.0 + m.alt.1 + 4096);
            assert!(m.stack.1 - m.stack.0 >= 100_000);
            assert_eq!(m.stack.1 % 16, 0);
            assert!(m.stack.1 <= m.area);
            assert_eq!(m.area % align, 0);
            assert!(m.area + size <= base + len);
            assert_eq!(len % 4096, 0);
        }
    }

    #[test]
    fn sizes_that_overflow_are_refused() {
        let area = Area {
            size: 64,
            align: 64,
            tcb: 0,
            tp: 0,
        };
        assert!(plan(0, usize::MAX - 4096, &area, 4096).is_none());
        assert!(plan(usize::MAX - 8192, 4096, &area, 4096).is_none());
    }
}
