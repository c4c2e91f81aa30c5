//! Between a cache and the shared heap: a batch taken when a list is
//! empty, a batch given back when it is past its limit, each under one
//! lock; and the batches the shared heap keeps for the caches.
//!
//! A batch given back goes, whole, to the shared heap's store for its
//! class ([`Batches`]), where the next cache that runs dry takes it, whole:
//! under the lock, each is one pointer, and neither the blocks nor their
//! spans are touched. Only when the store is full do the blocks go back
//! to their spans one by one (and a span that becomes empty retires), and
//! only when it is empty does a cache take blocks from the spans. Blocks
//! in the store are free, as in a cache; they keep their spans from
//! retiring, so the store is small ([`BATCHES`] per class, some 64 KiB
//! for most classes) and a cache's flush empties it.

use super::{LIMIT, Lists, SLACK};
use crate::heap::lock::Lock;
use crate::heap::shared::Shared;
use crate::heap::span::Span;
use core::ptr;

impl Lists {
    /// Adds `bytes` to the count of requested bytes, and settles it with
    /// `shared` if it has gone too far either way.
    #[inline(always)]
    pub(super) fn count(&mut self, bytes: isize, shared: &Lock<Shared>) {
        self.in_use = self.in_use.wrapping_add(bytes);
        if self.in_use.unsigned_abs() > SLACK {
            self.settle(shared);
        }
    }

    /// Adds the count of requested bytes to `shared`'s.
    #[cold]
    #[inline(never)]
    fn settle(&mut self, shared: &Lock<Shared>) {
        self.settle_locked(&mut shared.lock());
    }

    /// [`Lists::settle`], under the lock.
    pub(super) fn settle_locked(&mut self, s: &mut Shared) {
        s.in_use = s.in_use.wrapping_add_signed(self.in_use);
        self.in_use = 0;
    }

    /// Fills the empty list of `class` with a batch from `shared`; returns
    /// its first block, or null if the heap has none (out of memory).
    ///
    /// # Safety
    ///
    /// Every block the lists hold must be from `shared`.
    #[cold]
    #[inline(never)]
    pub(super) unsafe fn refill(&mut self, class: usize, shared: &Lock<Shared>) -> *mut u8 {
        let batch = LIMIT[class] / 2;
        let mut s = shared.lock();
        self.settle_locked(&mut s);
        let head = s.batches[class].pop();
        if !head.is_null() {
            self.head[class] = head;
            self.len[class] = batch;
            return head;
        }
        // In the order the span hands them out: the bump part of a span
        // comes by ascending address.
        let (mut head, mut tail) = (ptr::null_mut::<u8>(), ptr::null_mut::<u8>());
        let mut n = 0;
        while n < batch {
            // Size 0: a cached block is not in use.
            let p = s.alloc_small(class, 0);
            if p.is_null() {
                break;
            }
            // SAFETY: a fresh block of at least 16 bytes; `tail`, when not
            // null, is the previous one.
            unsafe {
                Span::mark_cached(p);
                p.cast::<*mut u8>().write(ptr::null_mut());
                if tail.is_null() {
                    head = p;
                } else {
                    tail.cast::<*mut u8>().write(p);
                }
            }
            tail = p;
            n += 1;
        }
        self.head[class] = head;
        self.len[class] = n;
        head
    }

    /// Gives a batch of `class` back to `shared`: the blocks freed last,
    /// which are the ones in the processor's cache.
    ///
    /// # Safety
    ///
    /// As for [`Lists::refill`]; and the list must hold more than a batch.
    #[cold]
    #[inline(never)]
    pub(super) unsafe fn give_back(&mut self, class: usize, shared: &Lock<Shared>) {
        let batch = LIMIT[class] / 2;
        // Cut the batch off the list before taking the lock.
        let head = self.head[class];
        let mut last = head;
        // SAFETY: the list holds more than `batch` blocks, each holding the
        // next; the batch's last block ends it.
        unsafe {
            for _ in 1..batch {
                last = last.cast::<*mut u8>().read();
            }
            self.head[class] = last.cast::<*mut u8>().read();
            last.cast::<*mut u8>().write(ptr::null_mut());
        }
        self.len[class] -= batch;
        let mut s = shared.lock();
        self.settle_locked(&mut s);
        if !s.batches[class].push(head) {
            // The shared heap keeps enough: back to the spans.
            // SAFETY: `batch` free blocks of `class`, from `shared` (per
            // the caller).
            unsafe { give_list(&mut s, class, head, batch) };
        }
    }

    /// Gives every block back to `s`, and those of the batches `s` keeps,
    /// so that the blocks of a program whose threads have all ended go
    /// back to their spans; settles the count of requested bytes.
    ///
    /// # Safety
    ///
    /// As for [`Lists::refill`].
    pub(super) unsafe fn give_all(&mut self, s: &mut Shared) {
        self.settle_locked(s);
        for (class, &limit) in LIMIT.iter().enumerate() {
            // SAFETY: per the caller.
            unsafe { self.give_locked(s, class, 0) };
            loop {
                let head = s.batches[class].pop();
                if head.is_null() {
                    break;
                }
                // SAFETY: a batch holds exactly that many free blocks of
                // `s`.
                unsafe { give_list(s, class, head, limit / 2) };
            }
        }
    }

    /// Gives blocks of `class` back to `s`, from the front of the list,
    /// until `keep` remain.
    ///
    /// # Safety
    ///
    /// As for [`Lists::refill`].
    pub(super) unsafe fn give_locked(&mut self, s: &mut Shared, class: usize, keep: u32) {
        let n = self.len[class] - keep;
        // SAFETY: the list holds `n` blocks and more, from `s` (per the
        // caller).
        self.head[class] = unsafe { give_list(s, class, self.head[class], n) };
        self.len[class] = keep;
    }
}

/// Gives the first `n` blocks of the list at `head` back to their spans;
/// returns the rest of the list.
///
/// # Safety
///
/// The list must hold at least `n` free blocks of class `class` of `s`,
/// each holding the next (a cache's list, or a batch).
unsafe fn give_list(s: &mut Shared, class: usize, mut p: *mut u8, n: u32) -> *mut u8 {
    for _ in 0..n {
        // SAFETY: one of the list's blocks, free, per the caller; size 0:
        // it was counted as freed when cached.
        unsafe {
            let next = p.cast::<*mut u8>().read();
            s.free_small(p, class, 0);
            p = next;
        }
    }
    p
}

/// Full batches a class of the shared heap keeps for the caches.
pub(super) const BATCHES: usize = 4;

/// Per class, in the shared heap: batches of free blocks that caches gave
/// back, each a list of exactly [`LIMIT`] / 2 blocks, so that a cache
/// takes or leaves one in a single step under the lock, without touching
/// the blocks or their spans.
pub(in crate::heap) struct Batches {
    heads: [*mut u8; BATCHES],
    len: usize,
}

// SAFETY: the blocks are heap memory that belongs to no thread; reached
// only under the heap's lock.
unsafe impl Send for Batches {}

impl Batches {
    /// None.
    pub(in crate::heap) const fn new() -> Batches {
        Batches {
            heads: [ptr::null_mut(); BATCHES],
            len: 0,
        }
    }

    /// Keeps the batch starting at `head`; `false` if full.
    pub(super) fn push(&mut self, head: *mut u8) -> bool {
        if self.len == BATCHES {
            return false;
        }
        self.heads[self.len] = head;
        self.len += 1;
        true
    }

    /// How many batches it keeps.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// A batch's first block, or null.
    pub(super) fn pop(&mut self) -> *mut u8 {
        if self.len == 0 {
            return ptr::null_mut();
        }
        self.len -= 1;
        self.heads[self.len]
    }
}
