//! The end of the process: `main`'s result becomes the exit status, and
//! what the program asked to run at exit runs.
//!
//! When `main` returns, or the program calls [`exit`], the process ends in
//! this order:
//!
//! 1. the [`at_exit`] handlers, the last registered first (a handler
//!    registered while they run, by one of them, runs next);
//! 2. the `.fini_array` entries (destructors of C code, `#[link_section =
//!    ".fini_array"]` statics), the last one first;
//! 3. `exit_group` with the status.
//!
//! A program that registered no handler and has no `.fini_array` pays one
//! load of a flag for steps 1 and 2. A panic (see
//! [`panic`](mod@crate::panic)) skips them and ends the process at once,
//! as std's `abort` does: the program is in a state no handler can trust.
//!
//! Each handler and each `.fini_array` entry runs at most once. If one of
//! them calls [`exit`] again, that call carries on with those not yet run
//! and then ends the process with its own status. If another thread calls
//! [`exit`] meanwhile, it waits (a futex wait that never returns) until
//! the first one ends the process. Returning from `main` while another
//! thread is in [`exit`] is the same as calling it.
//!
//! ```ignore
//! fn main() -> i32 {
//!     freestand_rt::at_exit(|| freestand_rt::println!("bye")).unwrap();
//!     0 // prints "bye", then exits with 0
//! }
//! ```

mod handlers;

pub(crate) use handlers::arm as arm_fini;
pub use handlers::{AT_EXIT_MAX, at_exit};

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

/// Ends the process with `code` (only the low 8 bits reach the parent),
/// after running the [`at_exit`] handlers and the `.fini_array` (see the
/// [module docs](self)). Nothing is buffered, so there is nothing to
/// flush.
///
/// Inlined: with nothing to run, the whole call is a load, a branch and
/// the system call.
#[inline(always)]
pub fn exit(code: i32) -> ! {
    if handlers::pending() {
        handlers::run();
    }
    exit_group(code)
}
