//! The panic handler: report to stderr, then exit.
//!
//! A panic prints `panicked at FILE:LINE:COL:` and the message to stderr and
//! exits with status 101, as std does. An allocation failure (the heap
//! returned null on an infallible path) prints
//! `memory allocation of N bytes failed` and exits with status 134, the
//! status std's `abort` gives. A panic inside the handler exits at once.

use crate::alloc::LAST_FAILURE;
use crate::io::{BufWriter, STDERR};
use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};
use freestand_syscalls::process::exit_group;

/// Exit status after a panic.
pub const PANIC_EXIT: i32 = 101;
/// Exit status after an allocation failure.
pub const OOM_EXIT: i32 = 134;

static PANICKING: AtomicBool = AtomicBool::new(false);

/// Reports `info` and ends the process. [`entry!`](macro@crate::entry) installs
/// this as the `#[panic_handler]`.
#[cold]
pub fn report(info: &PanicInfo<'_>) -> ! {
    if PANICKING.swap(true, Ordering::Relaxed) {
        exit_group(PANIC_EXIT);
    }
    let mut w = BufWriter::<512>::new(STDERR);
    let failed = LAST_FAILURE.load(Ordering::Relaxed);
    // `alloc`'s out-of-memory path panics from `alloc/src/alloc.rs` after
    // our heap refused a request; that is an allocation failure, not a bug.
    let is_oom = failed != 0
        && info
            .location()
            .is_some_and(|l| l.file().ends_with("alloc.rs"));
    if is_oom {
        let _ = writeln!(w, "{}", info.message());
        let _ = w.flush();
        exit_group(OOM_EXIT);
    }
    let _ = match info.location() {
        Some(l) => writeln!(w, "panicked at {}:{}:{}:", l.file(), l.line(), l.column()),
        None => writeln!(w, "panicked:"),
    };
    let _ = writeln!(w, "{}", info.message());
    // Nothing more can be done if stderr itself fails.
    let _ = w.flush();
    exit_group(PANIC_EXIT)
}

/// Stands in for `_Unwind_Resume`, which precompiled `core` and `alloc`
/// code names but which is never reached: freestand programs are built with
/// `panic = "abort"`, so nothing unwinds.
#[cold]
pub fn unwinding_unsupported() -> ! {
    let _ = crate::io::write_all(STDERR, b"BUG(freestand): unwinding is not supported\n");
    exit_group(OOM_EXIT)
}
