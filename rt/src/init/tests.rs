//! The init-array run, on a local array.

extern crate std;

use super::*;
use core::sync::atomic::{AtomicUsize, Ordering};

/// What the functions below saw: digits in call order, then argc.
static SEEN: AtomicUsize = AtomicUsize::new(0);

fn saw(d: usize) {
    SEEN.store(SEEN.load(Ordering::Relaxed) * 10 + d, Ordering::Relaxed);
}

extern "C" fn first(argc: c_int, argv: *const *const c_char, envp: *const *const c_char) {
    assert_eq!(argc, 2);
    // SAFETY: the test passes a two-entry argv and an empty environment.
    unsafe {
        assert_eq!(core::ffi::CStr::from_ptr(*argv.add(1)), c"arg");
        assert!((*argv.add(2)).is_null());
        assert!((*envp).is_null());
    }
    saw(1);
}

extern "C" fn second(_: c_int, _: *const *const c_char, _: *const *const c_char) {
    saw(2);
}

#[test]
fn in_order_with_the_arguments_skipping_null() {
    let f: [InitFn; 2] = [first, second];
    let array: [usize; 4] = [f[0] as usize, 0, f[1] as usize, f[0] as usize];
    let argv: [*const c_char; 3] = [c"prog".as_ptr(), c"arg".as_ptr(), core::ptr::null()];
    let envp: [*const c_char; 1] = [core::ptr::null()];
    let start = array.as_ptr() as usize;
    // SAFETY: an array of `InitFn` addresses or 0, and arguments they accept.
    unsafe { run_init(start, start + 32, 2, argv.as_ptr(), envp.as_ptr()) };
    assert_eq!(SEEN.load(Ordering::Relaxed), 121);
    // SAFETY: an empty range reads nothing.
    unsafe { run_init(start, start, 2, argv.as_ptr(), envp.as_ptr()) };
    assert_eq!(SEEN.load(Ordering::Relaxed), 121);
}
