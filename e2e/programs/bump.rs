//! A program that brings its own allocator: `entry!(main, heap = false)`
//! leaves `#[global_allocator]` to it. Its allocator is a bump allocator
//! over a static buffer that never frees; it counts what it hands out, and
//! `freestand_rt::heap::stats()` must see nothing.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};
use freestand_rt::println;

freestand_rt::entry!(main, heap = false);

/// The buffer the bump allocator hands out.
struct Arena(UnsafeCell<[u8; 64 * 1024]>);

// SAFETY: every byte of the arena is handed out at most once (`NEXT` only
// grows), so no two users share one.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; 64 * 1024]));
static NEXT: AtomicUsize = AtomicUsize::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);

struct Bump;

// SAFETY: each block is a distinct range of the arena, aligned as asked
// (the offset is rounded up from the arena's address); null when full.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let base = ARENA.0.get().cast::<u8>();
        let mut next = NEXT.load(Ordering::Relaxed);
        loop {
            let start = (base as usize + next).next_multiple_of(layout.align()) - base as usize;
            let end = start + layout.size();
            if end > 64 * 1024 {
                return core::ptr::null_mut();
            }
            match NEXT.compare_exchange(next, end, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => {
                    COUNT.fetch_add(1, Ordering::Relaxed);
                    // SAFETY: `start..end` lies inside the arena.
                    return unsafe { base.add(start) };
                }
                Err(now) => next = now,
            }
        }
    }

    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;

fn main() -> i32 {
    let v: Vec<u32> = (0..100).collect();
    let s = String::from("bump");
    let total: u32 = v.iter().sum();
    let stats = freestand_rt::heap::stats();
    println!(
        "{s}: {} allocations, sum {total}, freestand heap in use {} mapped {}",
        COUNT.load(Ordering::Relaxed),
        stats.in_use,
        stats.mapped
    );
    0
}
