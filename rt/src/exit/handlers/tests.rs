//! The handler table and the `.fini_array` run, on local copies (the
//! process-wide ones run only at exit).

extern crate std;

use super::*;
use core::sync::atomic::AtomicUsize;

fn a() {}
fn b() {}
fn c() {}

fn same(x: Option<fn()>, y: fn()) -> bool {
    x.is_some_and(|x| x as usize == y as usize)
}

#[test]
fn newest_first() {
    let t = Table::new();
    t.push(a).unwrap();
    t.push(b).unwrap();
    t.push(c).unwrap();
    assert!(same(t.pop(), c));
    assert!(same(t.pop(), b));
    assert!(same(t.pop(), a));
    assert!(t.pop().is_none());
}

#[test]
fn registered_during_the_run_runs_next() {
    let t = Table::new();
    t.push(a).unwrap();
    t.push(b).unwrap();
    assert!(same(t.pop(), b));
    // `b`, running, registers `c`: it comes before `a`.
    t.push(c).unwrap();
    assert!(same(t.pop(), c));
    assert!(same(t.pop(), a));
    assert!(t.pop().is_none());
}

#[test]
fn full_at_the_limit() {
    let t = Table::new();
    for _ in 0..AT_EXIT_MAX {
        t.push(a).unwrap();
    }
    assert_eq!(t.push(b), Err(Errno::ENOMEM));
    assert!(same(t.pop(), a));
    t.push(b).unwrap();
    assert!(same(t.pop(), b));
}

#[test]
fn threads_register_each_handler_once() {
    let t = Table::new();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..AT_EXIT_MAX / 4 {
                    t.push(a).unwrap();
                }
            });
        }
    });
    assert_eq!(t.push(a), Err(Errno::ENOMEM));
    let mut n = 0;
    while t.pop().is_some() {
        n += 1;
    }
    assert_eq!(n, AT_EXIT_MAX);
}

/// What the fini functions below saw, as digits in call order.
static SEEN: AtomicUsize = AtomicUsize::new(0);
static NESTED_DONE: AtomicUsize = AtomicUsize::new(0);
static NESTED: [extern "C" fn(); 3] = [fini_1, fini_2, fini_nested];

fn saw(d: usize) {
    SEEN.store(SEEN.load(Ordering::Relaxed) * 10 + d, Ordering::Relaxed);
}
extern "C" fn fini_1() {
    saw(1);
}
extern "C" fn fini_2() {
    saw(2);
}
/// Runs first (it is last), and runs the array again from inside, as an
/// `exit` from a destructor would: the others run once, from the inner
/// call.
extern "C" fn fini_nested() {
    saw(3);
    let start = NESTED.as_ptr() as usize;
    // SAFETY: `NESTED` holds `extern "C" fn()` addresses.
    unsafe { run_fini(start, start + 3 * 8, &NESTED_DONE) };
    saw(9);
}

#[test]
fn fini_last_first_once_even_nested() {
    let start = NESTED.as_ptr() as usize;
    // SAFETY: `NESTED` holds `extern "C" fn()` addresses.
    unsafe { run_fini(start, start + 3 * 8, &NESTED_DONE) };
    assert_eq!(SEEN.load(Ordering::Relaxed), 3219);
    // Nothing is left for a later call.
    // SAFETY: as above.
    unsafe { run_fini(start, start + 3 * 8, &NESTED_DONE) };
    assert_eq!(SEEN.load(Ordering::Relaxed), 3219);
}

#[test]
fn fini_skips_null_and_empty() {
    let done = AtomicUsize::new(0);
    let array = [0usize; 2];
    let start = array.as_ptr() as usize;
    // SAFETY: two null entries, skipped.
    unsafe { run_fini(start, start + 16, &done) };
    assert_eq!(done.load(Ordering::Relaxed), 2);
    // SAFETY: an empty range reads nothing.
    unsafe { run_fini(0, 0, &AtomicUsize::new(0)) };
}
