//! The pool of vDSO getrandom states: each thread takes one on its first
//! call and gives it back when it ends, for a later thread to reuse.
//!
//! States are carved from chunks of pages mapped with exactly the
//! protection and flags the vDSO's parameter query names
//! (`MAP_DROPPABLE`: the kernel may reclaim them under memory pressure and
//! wipes them in a forked child; the vDSO reseeds a wiped state). Each
//! state takes a whole number of cache lines and never crosses a page.
//! Because the kernel may wipe the state pages at any time, the pool's
//! bookkeeping lives elsewhere: a chunk record in its own page, with a
//! bitmap of free states.
//!
//! The pool's lock is a spin lock held for a few instructions, with every
//! signal blocked, so a signal handler never finds it held by its own
//! thread. `fork` in a threaded program must not leave it held: the
//! runtime takes it around the `fork` ([`lock_for_fork`]).

use crate::errno::Errno;
use crate::mm::{ProtFlags, mmap, mmap_anonymous};
use crate::route::State;
use crate::signal::{How, SigSet, sigprocmask};
use core::ptr;

/// States per chunk: one bit each in a `u64`.
const PER_CHUNK: usize = 64;

/// The smallest page Linux uses; a state may not cross one.
const PAGE: usize = 4096;

/// A chunk's record, in a page of its own.
struct Chunk {
    next: *mut Chunk,
    /// The first state page.
    base: usize,
    /// Bytes mapped from `base`.
    len: usize,
    /// Bit `i` set: state `i` is free.
    free: u64,
}

/// The chunks, newest first.
struct Pool {
    chunks: *mut Chunk,
}

// SAFETY: the chunk records are reached only under the pool's lock.
unsafe impl Send for Pool {}

static POOL: spin::Mutex<Pool> = spin::Mutex::new(Pool {
    chunks: ptr::null_mut(),
});

/// Bytes from one state to the next: whole cache lines.
fn stride(s: &State) -> usize {
    s.len.next_multiple_of(64)
}

/// Where state `i` of a chunk at `base` is.
fn place(s: &State, base: usize, i: usize) -> usize {
    let per_page = PAGE / stride(s);
    base + (i / per_page) * PAGE + (i % per_page) * stride(s)
}

/// Runs `f` on the pool with every signal blocked.
fn with_pool<R>(f: impl FnOnce(&mut Pool) -> R) -> R {
    let old = sigprocmask(How::SetMask, SigSet::ALL);
    let r = f(&mut POOL.lock());
    if let Ok(old) = old {
        // Only a bad argument could fail; this one came from the kernel.
        let _ = sigprocmask(How::SetMask, old);
    }
    r
}

/// A free state for the calling thread, mapping a new chunk if none is
/// free.
///
/// # Errors
/// What `mmap` said when a new chunk was needed and refused.
pub(super) fn take(s: &State) -> Result<*mut u8, Errno> {
    with_pool(|pool| {
        let mut c = pool.chunks;
        while !c.is_null() {
            // SAFETY: records on the list are live and ours under the lock.
            let chunk = unsafe { &mut *c };
            if chunk.free != 0 {
                let i = chunk.free.trailing_zeros() as usize;
                chunk.free &= !(1 << i);
                return Ok(place(s, chunk.base, i) as *mut u8);
            }
            c = chunk.next;
        }
        let chunk = new_chunk(s)?;
        // SAFETY: a fresh record, not on the list yet.
        unsafe {
            (*chunk).next = pool.chunks;
            (*chunk).free &= !1;
            pool.chunks = chunk;
            Ok(place(s, (*chunk).base, 0) as *mut u8)
        }
    })
}

/// Maps a chunk: its state pages with the vDSO's protection and flags,
/// and its record in an ordinary page.
fn new_chunk(s: &State) -> Result<*mut Chunk, Errno> {
    let per_page = PAGE / stride(s);
    let len = PER_CHUNK.div_ceil(per_page) * PAGE;
    // SAFETY: the vDSO's flags have no MAP_FIXED (checked when they were
    // read), so the mapping replaces nothing.
    let base = unsafe { mmap(ptr::null_mut(), len, s.prot, s.flags, -1, 0) }?;
    let record = match mmap_anonymous(PAGE, ProtFlags::READ | ProtFlags::WRITE) {
        Ok(r) => r.cast::<Chunk>(),
        Err(e) => {
            // SAFETY: just mapped, used by nothing.
            let _ = unsafe { crate::mm::munmap(base.as_ptr(), len) };
            return Err(e);
        }
    };
    let count = (len / PAGE) * per_page;
    let free = if count >= 64 { !0 } else { (1u64 << count) - 1 };
    // SAFETY: a fresh writable page, big enough for a `Chunk`.
    unsafe {
        record.as_ptr().write(Chunk {
            next: ptr::null_mut(),
            base: base.as_ptr() as usize,
            len,
            free,
        })
    };
    Ok(record.as_ptr())
}

/// Gives back a state taken by [`take`].
pub(super) fn give(s: &State, state: *mut u8) {
    let at = state as usize;
    with_pool(|pool| {
        let mut c = pool.chunks;
        while !c.is_null() {
            // SAFETY: as in `take`.
            let chunk = unsafe { &mut *c };
            if (chunk.base..chunk.base + chunk.len).contains(&at) {
                let per_page = PAGE / stride(s);
                let i = (at - chunk.base) / PAGE * per_page + (at - chunk.base) % PAGE / stride(s);
                chunk.free |= 1 << i;
                return;
            }
            c = chunk.next;
        }
    })
}

/// Holds the pool's lock (and blocks every signal) for a `fork`, so that
/// the child gets a pool no other thread was changing; dropping it in
/// both the parent and the child releases the lock.
pub struct ForkGuard {
    _lock: spin::MutexGuard<'static, Pool>,
    mask: Option<SigSet>,
}

/// Takes the pool's lock for a `fork` (see [`ForkGuard`]).
///
/// # References
/// fork(2), `MAP_DROPPABLE` in mmap(2)
pub fn lock_for_fork() -> ForkGuard {
    let mask = sigprocmask(How::SetMask, SigSet::ALL).ok();
    ForkGuard {
        _lock: POOL.lock(),
        mask,
    }
}

impl Drop for ForkGuard {
    fn drop(&mut self) {
        if let Some(old) = self.mask {
            // The lock is released after this, by the field's drop; only
            // a bad argument could fail, and this mask came from the kernel.
            let _ = sigprocmask(How::SetMask, old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::MapFlags;

    fn state(len: usize) -> State {
        State {
            function: 0,
            len,
            prot: ProtFlags::READ | ProtFlags::WRITE,
            flags: MapFlags::PRIVATE | MapFlags::ANONYMOUS,
        }
    }

    #[test]
    fn states_are_cache_lines_apart_and_never_cross_a_page() {
        for len in [1, 64, 65, 144, 256, 1000, 4096] {
            let s = state(len);
            let per_page = PAGE / stride(&s);
            for i in 0..PER_CHUNK {
                let at = place(&s, 0x10_0000, i);
                assert_eq!(at % 64, 0);
                assert_eq!(at / PAGE, (at + len - 1) / PAGE, "len {len} state {i}");
                assert_eq!(
                    at,
                    place(&s, 0x10_0000, i / per_page * per_page) + i % per_page * stride(&s)
                );
            }
        }
    }

    #[test]
    fn given_back_states_are_reused() {
        let s = state(256);
        let a = take(&s).unwrap();
        let b = take(&s).unwrap();
        assert_ne!(a, b);
        give(&s, a);
        // Other tests may take states meanwhile: a state, not necessarily
        // `a`, comes back.
        let c = take(&s).unwrap();
        assert_eq!(c as usize % 64, 0);
        give(&s, b);
        give(&s, c);
    }
}
