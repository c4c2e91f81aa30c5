//! The panic handler: report to stderr, then exit.
//!
//! A panic prints `panicked at FILE:LINE:COL:` and the message to stderr and
//! exits with status 101, as std does. An allocation failure (the heap
//! returned null on an infallible path) prints
//! `out of memory: allocating N bytes (align A)` and exits with status 134, the
//! status std's `abort` gives. A panic inside the handler exits at once.

use crate::heap::LAST_FAILURE;
use crate::io::{BufWriter, STDERR};
use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicI32, Ordering};
use freestand_syscalls::process::exit_group;

pub use crate::exit::PANIC_EXIT;
/// Exit status after an allocation failure.
pub const OOM_EXIT: i32 = 134;

/// The tid of the thread reporting a panic, 0 if none.
static PANICKING: AtomicI32 = AtomicI32::new(0);

/// Reports `info` and ends the process. [`entry!`](macro@crate::entry) installs
/// this as the `#[panic_handler]`.
#[cold]
pub fn report(info: &PanicInfo<'_>) -> ! {
    let me = freestand_syscalls::process::gettid();
    if let Err(first) = PANICKING.compare_exchange(0, me, Ordering::AcqRel, Ordering::Acquire) {
        if first == me {
            // A panic while reporting one: stop here.
            exit_group(PANIC_EXIT);
        }
        // Another thread is reporting its panic and will end the process:
        // let its message out whole.
        loop {
            crate::thread::sleep(core::time::Duration::from_secs(1));
        }
    }
    let mut w = BufWriter::<512>::new(STDERR);
    let failed = LAST_FAILURE[0].swap(0, Ordering::Relaxed);
    // `alloc`'s out-of-memory path panics from `library/alloc/src/alloc.rs`
    // with exactly this message after our heap refused the request; that
    // is an allocation failure, not a bug.
    let is_oom = failed != 0
        && info
            .location()
            .is_some_and(|l| l.file().ends_with("library/alloc/src/alloc.rs"))
        && message_is(
            info,
            format_args!("memory allocation of {failed} bytes failed"),
        );
    if is_oom {
        let align = LAST_FAILURE[1].load(Ordering::Relaxed);
        let _ = writeln!(
            w,
            "out of memory: allocating {failed} bytes (align {align})"
        );
        let _ = w.flush();
        exit_group(OOM_EXIT);
    }
    if crate::thread::spawned() {
        let _ = match crate::thread::tcb::try_current() {
            Some(t) => {
                // SAFETY: the calling thread's own block.
                let (name, tid) = crate::thread::name_and_tid(unsafe { &*t.as_ptr() });
                write!(w, "panicked in thread {name} (tid {tid}) ")
            }
            None => write!(w, "panicked in thread main "),
        };
        let _ = match info.location() {
            Some(l) => writeln!(w, "at {}:{}:{}:", l.file(), l.line(), l.column()),
            None => writeln!(w, "at an unknown place:"),
        };
    } else {
        let _ = match info.location() {
            Some(l) => writeln!(w, "panicked at {}:{}:{}:", l.file(), l.line(), l.column()),
            None => writeln!(w, "panicked:"),
        };
    }
    let _ = writeln!(w, "{}", info.message());
    // Nothing more can be done if stderr itself fails.
    let _ = w.flush();
    exit_group(PANIC_EXIT)
}

/// Whether the panic message is exactly `expected`, compared piece by
/// piece without a buffer.
fn message_is(info: &PanicInfo<'_>, expected: core::fmt::Arguments<'_>) -> bool {
    /// Formats `expected` and checks each piece against the message bytes.
    struct Against<'a> {
        rest: &'a [u8],
        ok: bool,
    }
    impl core::fmt::Write for Against<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            match self.rest.strip_prefix(s.as_bytes()) {
                Some(r) => self.rest = r,
                None => self.ok = false,
            }
            Ok(())
        }
    }
    /// The message, up to 128 bytes; longer is never the OOM message.
    struct Collect {
        buf: [u8; 128],
        len: usize,
    }
    impl core::fmt::Write for Collect {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let dst = self
                .buf
                .get_mut(self.len..self.len + s.len())
                .ok_or(core::fmt::Error)?;
            dst.copy_from_slice(s.as_bytes());
            self.len += s.len();
            Ok(())
        }
    }
    let mut msg = Collect {
        buf: [0; 128],
        len: 0,
    };
    if write!(msg, "{}", info.message()).is_err() {
        return false;
    }
    let mut a = Against {
        rest: msg.buf.get(..msg.len).unwrap_or_default(),
        ok: true,
    };
    let _ = a.write_fmt(expected);
    a.ok && a.rest.is_empty()
}

/// Stands in for `_Unwind_Resume`, which precompiled `core` and `alloc`
/// code names but which is never reached: freestand programs are built with
/// `panic = "abort"`, so nothing unwinds.
#[cold]
pub fn unwinding_unsupported() -> ! {
    let _ = crate::io::write_all(STDERR, b"BUG(freestand): unwinding is not supported\n");
    exit_group(OOM_EXIT)
}
