//! The end of the process: `main`'s result becomes the exit status.

use core::fmt::Debug;
use freestand_syscalls::process::exit_group;

/// Exit status after a panic, as std's.
pub const PANIC_EXIT: i32 = 101;

/// What `main` may return. The value becomes the exit status.
#[diagnostic::on_unimplemented(
    message = "`main` cannot return `{Self}`",
    label = "not an exit status",
    note = "a freestand `main` returns `()`, `i32` or `Result<T, E>` with `T` one of these and `E: Debug`"
)]
pub trait Termination {
    /// The exit status this value stands for.
    fn report(self) -> i32;
}

impl Termination for () {
    fn report(self) -> i32 {
        0
    }
}

/// The status is the number itself; the kernel keeps its low 8 bits.
impl Termination for i32 {
    fn report(self) -> i32 {
        self
    }
}

/// `Ok` reports its value; `Err(e)` prints `Error: {e:?}` to stderr and
/// exits with 1, as std does.
impl<T: Termination, E: Debug> Termination for Result<T, E> {
    fn report(self) -> i32 {
        match self {
            Ok(t) => t.report(),
            Err(e) => {
                // If stderr is gone there is no one left to tell.
                let _ = crate::io::write_fmt(crate::io::STDERR, format_args!("Error: {e:?}"), true);
                1
            }
        }
    }
}

/// Ends the process with `code` (only the low 8 bits reach the parent).
/// Nothing is buffered, so there is nothing to flush.
#[inline]
pub fn exit(code: i32) -> ! {
    exit_group(code)
}
