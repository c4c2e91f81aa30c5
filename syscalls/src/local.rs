//! This crate's per-thread data: the thread's vDSO getrandom state and
//! its rseq area, kept in the program's ELF TLS segment (`PT_TLS`), so
//! that reaching them costs two or three instructions and no call.
//!
//! The data are defined in assembly (stable Rust has no
//! `#[thread_local]`) and reached by local-exec TLS sequences
//! ([`__tls_address!`](crate::__tls_address)). Every thread that calls
//! `getrandom` or `getcpu` needs its thread pointer set up and its own copy
//! of the TLS block: freestand-rt does that for the main thread at start-up
//! and for every thread it spawns, as libc does for its threads. Programs
//! that never call these functions do not link this data.

use core::cell::Cell;

// `.tbss`: zero on every new thread. `.tdata`: copied from the image on
// every new thread. `%nobits`/`%progbits` are understood by the assemblers
// of all three architectures (`@` starts a comment on aarch64).
core::arch::global_asm!(
    ".pushsection .tbss.__freestand_thread, \"awT\", %nobits",
    ".p2align 3",
    ".globl __freestand_thread",
    ".hidden __freestand_thread",
    "__freestand_thread:",
    ".zero {thread}",
    ".popsection",
    ".pushsection .tdata.__freestand_rseq, \"awT\", %progbits",
    ".p2align 6",
    ".globl __freestand_rseq",
    ".hidden __freestand_rseq",
    "__freestand_rseq:",
    // cpu_id_start 0, cpu_id RSEQ_CPU_ID_UNINITIALIZED (-1), the rest 0.
    ".long 0",
    ".long -1",
    ".zero {rest}",
    ".popsection",
    thread = const core::mem::size_of::<Thread>(),
    rest = const RSEQ_AREA - 8,
);

/// Bytes set aside for the thread's rseq area: room for the kernel's
/// `struct rseq` as it grows past its original 32 bytes.
pub(crate) const RSEQ_AREA: usize = 64;

/// The alignment of the rseq area, as defined above.
pub(crate) const RSEQ_ALIGN: usize = 64;

/// The thread's own data, all zero when it starts.
#[repr(C)]
pub(crate) struct Thread {
    /// Its vDSO getrandom state when free: null until its first call, and
    /// while a call uses it, so that a signal handler interrupting that
    /// call finds none and takes the system call. One load and one test
    /// on the hot path cover both.
    pub(crate) random: Cell<*mut u8>,
    /// Its state, in use or not; null until its first call. Tells the two
    /// reasons for a null `random` apart.
    pub(crate) random_held: Cell<*mut u8>,
    /// `__vdso_getrandom`, copied here with `random_held` so that the hot
    /// path reads nothing outside this block.
    pub(crate) random_fn: Cell<usize>,
    /// The state's length, likewise.
    pub(crate) random_len: Cell<usize>,
    /// Whether registering the rseq area was tried on this thread.
    pub(crate) rseq_tried: Cell<bool>,
    /// The errno of a refused rseq registration; 0 if none.
    pub(crate) rseq_refused: Cell<u16>,
    /// The length the rseq area was registered with; 0 if it is not.
    pub(crate) rseq_len: Cell<u32>,
}

/// The calling thread's [`Thread`].
#[inline(always)]
pub(crate) fn thread() -> &'static Thread {
    let p = crate::__tls_address!("__freestand_thread");
    // SAFETY: every thread has its own zero-initialised copy, aligned to 8,
    // which only that thread touches; all-zero is a valid `Thread`. The
    // reference is not `Send` (`Cell`), so it stays on its thread.
    unsafe { &*(p as *const Thread) }
}

/// The address of the calling thread's rseq area ([`RSEQ_AREA`] bytes,
/// aligned to [`RSEQ_ALIGN`]).
#[inline(always)]
pub(crate) fn rseq_area() -> *mut u8 {
    crate::__tls_address!("__freestand_rseq") as *mut u8
}
