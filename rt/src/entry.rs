//! The Rust side of `_start`: from the kernel's stack pointer to `main`,
//! and from `main`'s result to the end.
//!
//! `_start` (in `arch/`) aligns the stack, has the program relocate itself
//! ([`crate::relocate`]) and calls [`entry`], which
//!
//! 1. records the initial stack for [`crate::stack`];
//! 2. installs the stack-overflow handler ([`crate::overflow`]) unless the
//!    program opted out;
//! 3. tells the routed calls where the vDSO will be found
//!    ([`crate::handover`]);
//! 4. if the program has thread-local storage or init, preinit or fini
//!    arrays (one comparison), gives the main thread its TLS block and
//!    runs the `.preinit_array` and `.init_array` ([`crate::init`]);
//! 5. runs the program's `main`;
//! 6. hands its result to [`crate::exit`], which runs the `at_exit`
//!    handlers and the `.fini_array`, if any (one load), and ends the
//!    process.
//!
//! A program whose `entry!` says `init = false` leaves steps 4 and 6's
//! handlers out: its `main`'s result goes straight to `exit_group`.

mod define;

use crate::exit::{Termination, exit};
use freestand_syscalls::process::exit_group;

/// Runs the program. Called by the `_start` that [`entry!`](macro@crate::entry)
/// defines; not meant to be called directly. `overflow_report` says
/// whether to install the stack-overflow report ([`crate::overflow`]),
/// `init` whether to set up TLS and run the init and fini arrays and the
/// `at_exit` handlers ([`crate::init`], [`crate::exit`]).
///
/// # Safety
///
/// `sp` must be the stack pointer the kernel passed to `_start`, pointing at
/// `argc`; this must be the first and only call.
#[doc(hidden)]
#[inline(always)]
pub unsafe fn entry<M: Main>(sp: *mut usize, main: M, overflow_report: bool, init: bool) -> ! {
    if cfg!(debug_assertions) {
        // SAFETY: the caller passes the kernel's stack pointer.
        unsafe { check_entry_stack(sp) };
    }
    // SAFETY: forwarded from the caller.
    unsafe { crate::stack::init(sp) };
    if overflow_report {
        crate::overflow::install();
    }
    crate::handover::init();
    if init && crate::init::pending() {
        crate::init::run();
    }
    let code = main.run().report();
    if init { exit(code) } else { exit_group(code) }
}

/// What [`entry!`](macro@crate::entry) accepts as `main`: a function that
/// takes nothing and returns an exit status ([`Termination`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a freestand `main`",
    label = "`entry!` needs a function with no arguments that returns an exit status",
    note = "write `fn main()`, `fn main() -> i32` or `fn main() -> Result<(), E>` with `E: Debug`; \
            read the arguments with `freestand_rt::stack::args()`"
)]
pub trait Main {
    /// What it returns.
    type Status: Termination;
    /// Runs it.
    fn run(self) -> Self::Status;
}

#[diagnostic::do_not_recommend]
impl<T: Termination, F: FnOnce() -> T> Main for F {
    type Status = T;
    #[inline(always)]
    fn run(self) -> T {
        self()
    }
}

/// Debug builds check what the ABI promises at `_start`: a 16-byte aligned
/// stack and a NULL after the last argument.
///
/// # Safety
///
/// As for [`entry`].
#[cold]
unsafe fn check_entry_stack(sp: *mut usize) {
    assert!(
        (sp as usize).is_multiple_of(16),
        "BUG(freestand): initial stack pointer {sp:p} is not 16-byte aligned"
    );
    // SAFETY: `sp` points at argc, followed by argc + 1 argv slots.
    let last = unsafe { *sp.add(1 + *sp) };
    assert!(last == 0, "BUG(freestand): argv[argc] is not NULL");
}

/// Enters another program's entry point as the kernel does at `execve`:
/// with the stack pointer at `sp` and nothing else set up. For user-space
/// loaders (the `novdso` example is one) that have copied a static
/// program into memory and built its initial stack themselves.
///
/// # Safety
///
/// `entry` must be the entry point of a complete, mapped and protected
/// program image for this architecture, and `sp` a 16-byte aligned initial
/// stack laid out as the kernel lays one out (`argc`, `argv`, `NULL`,
/// `envp`, `NULL`, auxiliary vector ending in `AT_NULL`, every string
/// mapped), on memory the program may use as its stack, with room below
/// `sp`. The current program never runs again.
pub unsafe fn start_program(sp: *mut usize, entry: usize) -> ! {
    // SAFETY: forwarded from the caller.
    unsafe { crate::arch::restart(sp, entry) }
}

/// Makes code just written at `start..start + len` safe to execute by the
/// calling thread, for loaders and JITs: nothing on x86_64, whose
/// instruction fetches see earlier stores; `fence.i` and the
/// `riscv_flush_icache` system call (every thread of the process) on
/// riscv64; data-cache clean and instruction-cache invalidate by line, then
/// `isb`, on aarch64, after which other threads must execute an `isb`
/// before they run the new code. Call it after the last write and before
/// the first jump into the range, while the range is still readable (the
/// aarch64 cache operations read it: do it before an `mprotect` that
/// would make it execute-only).
///
/// # Safety
///
/// The range must be mapped and readable in this process; it is not
/// written.
pub unsafe fn sync_icache(start: *const u8, len: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { crate::arch::sync_icache(start as usize, len) }
}
