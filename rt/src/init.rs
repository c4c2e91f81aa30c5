//! Before `main`: the main thread's thread-local storage, then the
//! program's `.preinit_array` and `.init_array`.
//!
//! [`entry`](crate::entry::entry) checks, with one comparison, whether the
//! program has anything here: thread-local storage (a `PT_TLS` segment,
//! from `__thread` variables in C or `.tdata`/`.tbss` in assembly), a
//! `.preinit_array`, an `.init_array` or a `.fini_array`. The linker script
//! spans all of them with one range (`__freestand_init_start` to
//! `__freestand_init_end`, see `linker/common.ld`), empty when there is
//! none, and then nothing else happens. Otherwise, after the stack, the
//! stack-overflow report and the vDSO hand-over, and before `main`:
//!
//! 1. with a `PT_TLS` segment, the main thread gets its TLS block and its
//!    thread pointer (its control block, as a spawn would make it; see
//!    [`thread`](crate::thread)), so that constructors may use TLS too;
//! 2. the `.preinit_array` entries run in order, then the `.init_array`
//!    entries (those in sections with a priority suffix,
//!    `.init_array.NNNNN`, first, lowest number first), each called as
//!    glibc calls them, with `argc`, `argv` and `envp` ([`InitFn`]); the
//!    linker script makes one array of them, preinit entries first;
//! 3. with a `.fini_array`, [`exit`](mod@crate::exit) is told to run it
//!    (last entry first, after the `at_exit` handlers).
//!
//! If the TLS block cannot be had (the kernel refused the memory), the
//! program prints `freestand: PROG: cannot set up thread-local storage`
//! and exits with status 127, before any constructor or `main` runs.
//!
//! An entry can be written in Rust too:
//!
//! ```ignore
//! use core::ffi::{c_char, c_int};
//!
//! extern "C" fn hello(argc: c_int, _: *const *const c_char, _: *const *const c_char) {
//!     freestand_rt::println!("before main, {argc} arguments");
//! }
//!
//! #[used]
//! #[unsafe(link_section = ".init_array")]
//! static HELLO: freestand_rt::init::InitFn = hello;
//! ```
//!
//! The old `.ctors` and `.dtors` lists are refused at link time. A program
//! whose `entry!` says `init = false` leaves all of this out, and its link
//! fails if it has any of it.

use crate::arch::pc_address;
use core::ffi::{c_char, c_int};

/// What a `.preinit_array` or `.init_array` entry is: called with `argc`,
/// `argv` and `envp`, as glibc calls them. A C function that takes no
/// arguments fits too.
pub type InitFn =
    extern "C" fn(argc: c_int, argv: *const *const c_char, envp: *const *const c_char);

/// What a `.fini_array` entry is: called with no arguments.
pub type FiniFn = extern "C" fn();

/// Whether the program has anything for [`run`] to do. One comparison of
/// two addresses computed from the program counter.
#[inline(always)]
pub(crate) fn pending() -> bool {
    pc_address!("__freestand_init_end") != pc_address!("__freestand_init_start")
}

/// Sets up the main thread's TLS, runs the preinit and init arrays and
/// arms the fini array; see the [module docs](self). Called once, by
/// [`entry`](crate::entry::entry), after [`crate::stack::init`].
#[cold]
#[inline(never)]
pub(crate) fn run() {
    if crate::thread::tls::image().memsz != 0 && crate::thread::tcb::install_main().is_none() {
        fail();
    }
    let stack = crate::stack::InitialStack::current();
    let argc = stack.argc();
    // The kernel's layout (see `stack`): argc, argv[argc] and a NULL, then
    // the environment.
    let argv = stack.as_ptr().wrapping_add(1).cast::<*const c_char>();
    let envp = argv.wrapping_add(argc + 1);
    let (start, end) = (
        pc_address!("__freestand_init_array_start"),
        pc_address!("__freestand_init_array_end"),
    );
    // SAFETY: the linker script brackets the array (the `.preinit_array`
    // entries first) with these symbols; its entries are functions of the
    // program, relocated by now.
    unsafe { run_init(start, end, argc as c_int, argv, envp) };
    if pc_address!("__freestand_fini_array_end") != pc_address!("__freestand_fini_array_start") {
        crate::exit::arm_fini();
    }
}

/// Calls the entries of the array of [`InitFn`] at `start..end` in order,
/// with `argc`, `argv` and `envp`. Null entries are skipped.
///
/// # Safety
///
/// `start..end` must be an aligned, readable array of [`InitFn`]
/// addresses or 0, and each function must be safe to call with these
/// arguments.
unsafe fn run_init(
    start: usize,
    end: usize,
    argc: c_int,
    argv: *const *const c_char,
    envp: *const *const c_char,
) {
    let mut at = start;
    while at < end {
        // SAFETY: inside the array, per the caller.
        let f = unsafe { *(at as *const usize) };
        if f != 0 {
            // SAFETY: per the caller, an `InitFn`.
            let f = unsafe { core::mem::transmute::<usize, InitFn>(f) };
            f(argc, argv, envp);
        }
        at += size_of::<usize>();
    }
}

/// Reports that the main thread has no TLS block and ends the process:
/// code compiled for TLS cannot run without one.
#[cold]
fn fail() -> ! {
    let mut buf = crate::msg::Buf::uninit();
    let mut m = crate::msg::Msg::new(&mut buf);
    m.push(b"freestand: ");
    if let Some(prog) = crate::stack::InitialStack::current().args().next() {
        let prog = prog.to_bytes();
        m.push(prog.get(..256).unwrap_or(prog));
        m.push(b": ");
    }
    m.push(b"cannot set up thread-local storage");
    m.send(freestand_syscalls::io::STDERR);
    freestand_syscalls::process::exit_group(crate::relocate::EXIT_CANNOT_START)
}

#[cfg(test)]
mod tests;
