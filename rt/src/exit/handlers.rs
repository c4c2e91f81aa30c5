//! [`at_exit`] handlers and the `.fini_array`: the table, and the run at
//! exit (see the [`exit`](super) module docs for the order and the rules).
//!
//! The table is a fixed array of function addresses, 0 for a free slot,
//! with no lock and no heap. Registering takes the lowest free slot with
//! one compare-and-swap; the run takes the highest used slot with one
//! swap. Destructors are taken in order, so the highest is the newest, and a
//! handler registered during the run goes into the slot just emptied and
//! runs next.

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use freestand_syscalls::Errno;

/// How many [`at_exit`] handlers a program may register: POSIX's minimum
/// for `ATEXIT_MAX`.
pub const AT_EXIT_MAX: usize = 32;

/// Registered handlers, as `fn()` addresses; 0 is a free slot.
struct Table {
    slots: [AtomicUsize; AT_EXIT_MAX],
}

impl Table {
    const fn new() -> Table {
        Table {
            slots: [const { AtomicUsize::new(0) }; AT_EXIT_MAX],
        }
    }

    /// Registers `f` in the lowest free slot, or says the table is full.
    fn push(&self, f: fn()) -> Result<(), Errno> {
        let f = f as usize;
        for slot in &self.slots {
            // Release: whoever takes the handler out sees what the
            // registering thread did before.
            if slot
                .compare_exchange(0, f, Ordering::Release, Ordering::Relaxed)
                .is_ok()
            {
                return Ok(());
            }
        }
        Err(Errno::ENOMEM)
    }

    /// Takes the newest handler out, if there is one.
    fn pop(&self) -> Option<fn()> {
        for slot in self.slots.iter().rev() {
            if slot.load(Ordering::Relaxed) == 0 {
                continue;
            }
            let f = slot.swap(0, Ordering::Acquire);
            if f != 0 {
                // SAFETY: only `push` stores a non-zero value, and it
                // stores a `fn()` address.
                return Some(unsafe { core::mem::transmute::<usize, fn()>(f) });
            }
        }
        None
    }
}

/// The handlers [`at_exit`] registered.
static HANDLERS: Table = Table::new();

/// Whether [`run`] has anything to do: set by [`at_exit`] and, when the
/// program has a `.fini_array`, by start-up ([`arm`]). The one load
/// `exit` pays when there is nothing.
static PENDING: AtomicBool = AtomicBool::new(false);

/// The thread id of the thread running the handlers; 0 before.
static RUNNER: AtomicU32 = AtomicU32::new(0);

/// How many `.fini_array` entries have been started.
static FINI_DONE: AtomicUsize = AtomicUsize::new(0);

/// Whether `exit` must call [`run`].
#[inline(always)]
pub(super) fn pending() -> bool {
    PENDING.load(Ordering::Relaxed)
}

/// Tells `exit` that the program has a `.fini_array` to run. Called by
/// start-up ([`crate::init`]).
pub(crate) fn arm() {
    PENDING.store(true, Ordering::Relaxed);
}

/// Registers `f` to run when the process ends through [`exit`](super::exit)
/// or by returning from `main`: the last registered first, before the
/// `.fini_array`, each at most once (see the [`exit`](super) module docs).
/// Safe to call from any thread, and from a handler, whose new handler then
/// runs next. A panic ends the process without running them.
///
/// # Errors
///
/// `ENOMEM` when [`AT_EXIT_MAX`] handlers are registered already.
/// `ENOSYS` in a program whose `entry!` says `init = false`, which leaves
/// the handlers out (nothing would run them).
///
/// # References
///
/// atexit(3), whose C11 rules for handlers registered during exit this
/// follows.
pub fn at_exit(f: fn()) -> Result<(), Errno> {
    if !enabled() {
        return Err(Errno::ENOSYS);
    }
    HANDLERS.push(f)?;
    // Release: a thread that sees the flag sees the slot too.
    PENDING.store(true, Ordering::Release);
    Ok(())
}

/// Whether the program's `entry!` runs exit handlers: the linker script
/// puts `__freestand_init_on` one byte past `__freestand_init_start`
/// unless the program said `init = false` (see `linker/common.ld`).
#[cfg(not(test))]
fn enabled() -> bool {
    crate::arch::pc_address!("__freestand_init_on")
        != crate::arch::pc_address!("__freestand_init_start")
}

/// Host unit tests have no linker script and never exit through here.
#[cfg(test)]
fn enabled() -> bool {
    true
}

/// Runs the handlers, then the `.fini_array`, those not run yet. Returns
/// when there are none left; `exit` then ends the process. A second
/// thread waits here for the first to end it.
#[cold]
#[inline(never)]
pub(super) fn run() {
    let me = freestand_syscalls::process::gettid() as u32;
    if let Err(other) = RUNNER.compare_exchange(0, me, Ordering::Acquire, Ordering::Acquire)
        && other != me
    {
        // Another thread is ending the process; `exit_group` will end
        // this one too. The word never changes again, so this waits for
        // good (a wake-up or a signal handler only loops once more).
        loop {
            let _ = freestand_syscalls::futex::wait(&RUNNER, other, None);
        }
    }
    // This thread: the first call, or a handler calling `exit` again,
    // which carries on where the outer call is.
    while let Some(f) = HANDLERS.pop() {
        f();
    }
    let (start, end) = fini_array();
    // SAFETY: the linker script brackets the `.fini_array` with these
    // symbols; its entries are functions of the program, relocated.
    unsafe { run_fini(start, end, &FINI_DONE) };
}

/// The `.fini_array`, as a start and an end address.
#[cfg(not(test))]
fn fini_array() -> (usize, usize) {
    (
        crate::arch::pc_address!("__freestand_fini_array_start"),
        crate::arch::pc_address!("__freestand_fini_array_end"),
    )
}

/// Host unit tests have no `.fini_array` of freestand's.
#[cfg(test)]
fn fini_array() -> (usize, usize) {
    (0, 0)
}

/// Calls the entries of the array of `extern "C" fn()` at `start..end`,
/// the last first, skipping the `done` already started and counting each
/// before it is called, so that a nested call goes on with the next.
/// Null entries are skipped.
///
/// # Safety
///
/// `start..end` must be an array of addresses of `extern "C" fn()`, or 0,
/// aligned and readable; `done` must count calls for this array only.
unsafe fn run_fini(start: usize, end: usize, done: &AtomicUsize) {
    let len = end.saturating_sub(start) / size_of::<usize>();
    loop {
        let n = done.load(Ordering::Relaxed);
        if n >= len {
            return;
        }
        done.store(n + 1, Ordering::Relaxed);
        // SAFETY: `n < len`, so the entry is inside the array.
        let f = unsafe { *(start as *const usize).add(len - 1 - n) };
        if f != 0 {
            // SAFETY: per the caller, a function that takes nothing.
            let f = unsafe { core::mem::transmute::<usize, extern "C" fn()>(f) };
            f();
        }
    }
}

#[cfg(test)]
mod tests;
