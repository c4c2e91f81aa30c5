//! Stack overflow: a message instead of a bare segfault.
//!
//! Before `main`, the runtime gives the main thread an alternate signal
//! stack (32 KiB of `.bss`, touched only if a signal arrives) and a
//! `SIGSEGV` handler that runs on it. When the main thread runs out of
//! stack, the kernel cannot grow it and raises `SIGSEGV` for an address
//! next to the stack pointer; the handler recognises that and writes
//!
//! ```text
//! freestand: PROG: stack overflow
//! ```
//!
//! to standard error (`PROG` is `argv[0]`). Whatever the fault, the handler
//! was installed with `SA_RESETHAND`, so by the time it returns the
//! disposition is the default again: the faulting instruction runs again,
//! faults again and the process dies by `SIGSEGV`, as it would without the
//! handler (a core dump if the limits allow one). Other faults print
//! nothing.
//!
//! A fault counts as an overflow when its address is within 64 KiB of the
//! interrupted stack pointer and below the top of the initial stack. Every
//! stack page between the stack pointer and that top is mapped, so an
//! unmapped address that close to the stack pointer is the page the
//! stack failed to grow into. Rust's stack probes touch each page of a
//! large frame in turn, so the first fault is always that close.
//!
//! The alternate stack installed here serves the main thread; every
//! spawned thread gets its own when it starts ([`crate::thread`]), with a
//! guard page below its stack. Once a thread has been spawned, the
//! message names the faulting thread:
//!
//! ```text
//! freestand: PROG: stack overflow in thread NAME (tid N)
//! ```
//!
//! and the bounds come from the thread's control block.

use crate::msg::{self, Msg};
use crate::stack::InitialStack;
use core::ffi::c_void;
use freestand_syscalls::io::STDERR;
use freestand_syscalls::signal::{
    Action, SaFlags, Signal, fault_address, interrupted_sp, sigaction, sigaltstack,
};

/// The alternate signal stack's size: several times the kernel's
/// `MINSIGSTKSZ` (2 KiB), and above the `AT_MINSIGSTKSZ` that machines with
/// AVX-512 or AMX report (up to about 11 KiB).
const ALT_STACK_LEN: usize = 32 * 1024;

/// How far from the stack pointer a fault may be and still count as the
/// stack failing to grow.
const NEAR_SP: usize = 64 * 1024;

#[repr(C, align(16))]
struct AltStack(core::cell::UnsafeCell<[u8; ALT_STACK_LEN]>);

// SAFETY: only the kernel writes to it, while delivering a signal to the
// main thread; Rust code never reads or writes it.
unsafe impl Sync for AltStack {}

static ALT_STACK: AltStack = AltStack(core::cell::UnsafeCell::new([0; ALT_STACK_LEN]));

/// Installs the alternate stack and the `SIGSEGV` handler. Called by
/// [`entry`](crate::entry::entry) before `main`. If the kernel refuses
/// either (a seccomp filter, say), the program runs without the message.
pub(crate) fn install() {
    // SAFETY: `ALT_STACK` is static, writable through its `UnsafeCell`, and
    // used for nothing else.
    if unsafe { sigaltstack(ALT_STACK.0.get().cast(), ALT_STACK_LEN) }.is_err() {
        return;
    }
    // SAFETY: `on_segv` only reads the kernel's arguments and the initial
    // stack and writes to stderr: no lock, no allocation.
    let _ = unsafe {
        sigaction(
            Signal::SEGV,
            Action::Handle(on_segv),
            SaFlags::ONSTACK | SaFlags::RESETHAND,
        )
    };
}

/// Whether a fault at `addr`, with the stack pointer at `sp`, is the stack
/// failing to grow, for a stack whose top is at `top`.
fn is_overflow(addr: usize, sp: usize, top: usize) -> bool {
    addr < top && addr.abs_diff(sp) <= NEAR_SP
}

/// The `SIGSEGV` handler; see the module docs.
///
/// # Safety
///
/// Called by the kernel only, with the arguments of a `SA_SIGINFO` handler.
unsafe extern "C" fn on_segv(_sig: i32, info: *mut c_void, ucontext: *mut c_void) {
    // SAFETY: the kernel's `siginfo` of a `SIGSEGV` and its `ucontext`.
    let (addr, sp) = unsafe { (fault_address(info), interrupted_sp(ucontext)) };
    let initial = InitialStack::current();
    let me = crate::thread::tcb::try_current();
    let top = match me {
        // SAFETY: the calling thread's own block; its stack bounds are
        // set before its first instruction and never change.
        Some(t) => unsafe { (*t.as_ptr()).stack.1 },
        None => initial.as_ptr() as usize,
    };
    if !is_overflow(addr, sp, top) {
        return;
    }
    let mut buf = msg::Buf::uninit();
    let mut m = Msg::new(&mut buf);
    m.push(b"freestand: ");
    if let Some(prog) = initial.args().next() {
        let prog = prog.to_bytes();
        m.push(prog.get(..256).unwrap_or(prog));
        m.push(b": ");
    }
    m.push(b"stack overflow");
    if crate::thread::spawned()
        && let Some(t) = me
    {
        m.push(b" in thread ");
        // SAFETY: as above; only this thread changes its name (to `None`
        // as it ends), and it is running this handler.
        let t = unsafe { &*t.as_ptr() };
        crate::thread::push_name(&mut m, t);
    }
    m.send(STDERR);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_is_a_fault_next_to_sp_below_the_top() {
        let top = 0x7fff_0000_0000;
        let sp = top - 8 * 1024 * 1024;
        assert!(is_overflow(sp - 8, sp, top));
        assert!(is_overflow(sp - 4096, sp, top));
        assert!(is_overflow(sp + 100, sp, top));
        assert!(!is_overflow(0, sp, top));
        assert!(!is_overflow(sp - NEAR_SP - 1, sp, top));
        assert!(!is_overflow(top, top - 8, top));
    }
}
