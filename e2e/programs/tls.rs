//! ELF thread-local storage (`PT_TLS`) in the main thread: variables in
//! `.tdata` (with initial values) and `.tbss` (zero), one of them 64-byte
//! aligned, reached the way compiled C reaches `__thread` variables in an
//! executable: the thread pointer plus an offset the linker computed
//! (local-exec relocations). The variables and their accessors are
//! assembly, since stable Rust has no `#[thread_local]`.
//!
//! ```text
//! tls      checks the initial values, that .tbss reads zero, the
//!          alignment, that writes read back through both access forms,
//!          and that a constructor (.init_array) saw the initial values;
//!          prints "tls: main thread ok"
//! ```
//!
//! [`check_tls`] is written to run in any thread: each thread has a
//! fresh copy of the template, whatever another thread wrote to its own.
#![no_std]
#![no_main]

extern crate alloc;

use core::ffi::{c_char, c_int};
use core::sync::atomic::{AtomicU64, Ordering};
use freestand_rt::{eprintln, println};

freestand_rt::entry!(main);

/// The initial value of `tls_a`.
const A_INIT: u64 = 0x0123_4567_89ab_cdef;
/// The initial value of `tls_b`.
const B_INIT: u64 = 42;

// The template: 16 bytes of `.tdata`, then `.tbss` with a 64-byte aligned
// variable, so that the segment's alignment (64) exceeds that of its
// initial values (8).
core::arch::global_asm!(
    ".section .tdata.freestand_e2e,\"awT\",@progbits",
    ".p2align 3",
    "tls_a: .quad 0x0123456789abcdef",
    "tls_b: .quad 42",
    ".section .tbss.freestand_e2e,\"awT\",@nobits",
    ".p2align 3",
    "tls_zero: .zero 8",
    ".p2align 6",
    "tls_aligned: .zero 64",
    ".text",
);

// The accessors: `tls_addr_N` returns a variable's address (thread pointer
// plus its offset), `tls_load_a` loads `tls_a` in one access form.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".macro tls_addr name, sym",
    ".globl \\name",
    ".p2align 4",
    "\\name:",
    "    mov rax, qword ptr fs:[0]",
    "    lea rax, [rax + \\sym@tpoff]",
    "    ret",
    ".endm",
    "tls_addr freestand_e2e_tls_a, tls_a",
    "tls_addr freestand_e2e_tls_b, tls_b",
    "tls_addr freestand_e2e_tls_zero, tls_zero",
    "tls_addr freestand_e2e_tls_aligned, tls_aligned",
    ".globl freestand_e2e_tls_load_a",
    "freestand_e2e_tls_load_a:",
    "    mov rax, qword ptr fs:tls_a@tpoff",
    "    ret",
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".macro tls_addr name, sym",
    ".globl \\name",
    ".p2align 2",
    "\\name:",
    "    mrs x0, tpidr_el0",
    "    add x0, x0, :tprel_hi12:\\sym",
    "    add x0, x0, :tprel_lo12_nc:\\sym",
    "    ret",
    ".endm",
    "tls_addr freestand_e2e_tls_a, tls_a",
    "tls_addr freestand_e2e_tls_b, tls_b",
    "tls_addr freestand_e2e_tls_zero, tls_zero",
    "tls_addr freestand_e2e_tls_aligned, tls_aligned",
    ".globl freestand_e2e_tls_load_a",
    "freestand_e2e_tls_load_a:",
    "    mrs x0, tpidr_el0",
    "    add x0, x0, :tprel_hi12:tls_a",
    "    ldr x0, [x0, :tprel_lo12_nc:tls_a]",
    "    ret",
);

#[cfg(target_arch = "riscv64")]
core::arch::global_asm!(
    ".macro tls_addr name, sym",
    ".globl \\name",
    ".p2align 2",
    "\\name:",
    "    lui a0, %tprel_hi(\\sym)",
    "    add a0, a0, tp, %tprel_add(\\sym)",
    "    addi a0, a0, %tprel_lo(\\sym)",
    "    ret",
    ".endm",
    "tls_addr freestand_e2e_tls_a, tls_a",
    "tls_addr freestand_e2e_tls_b, tls_b",
    "tls_addr freestand_e2e_tls_zero, tls_zero",
    "tls_addr freestand_e2e_tls_aligned, tls_aligned",
    ".globl freestand_e2e_tls_load_a",
    "freestand_e2e_tls_load_a:",
    "    lui a0, %tprel_hi(tls_a)",
    "    add a0, a0, tp, %tprel_add(tls_a)",
    "    ld a0, %tprel_lo(tls_a)(a0)",
    "    ret",
);

unsafe extern "C" {
    /// This thread's `tls_a`.
    safe fn freestand_e2e_tls_a() -> *mut u64;
    /// This thread's `tls_b`.
    safe fn freestand_e2e_tls_b() -> *mut u64;
    /// This thread's `tls_zero`.
    safe fn freestand_e2e_tls_zero() -> *mut u64;
    /// This thread's `tls_aligned`: 8 words.
    safe fn freestand_e2e_tls_aligned() -> *mut [u64; 8];
    /// This thread's `tls_a`, loaded in one instruction.
    safe fn freestand_e2e_tls_load_a() -> u64;
}

/// What the constructor below read from `tls_b`, plus one (0: it did not
/// run).
static SEEN_BY_CONSTRUCTOR: AtomicU64 = AtomicU64::new(0);

/// A constructor that reads TLS: it needs the main thread's block in
/// place before the init arrays run.
extern "C" fn constructor(_: c_int, _: *const *const c_char, _: *const *const c_char) {
    // SAFETY: the runtime has set up this thread's TLS block before the
    // init arrays; the variable is this thread's own.
    let b = unsafe { freestand_e2e_tls_b().read() };
    SEEN_BY_CONSTRUCTOR.store(b + 1, Ordering::Relaxed);
}

#[used]
#[unsafe(link_section = ".init_array")]
static CONSTRUCTOR: freestand_rt::init::InitFn = constructor;

/// Checks the calling thread's TLS block: initial values, zeroes, the
/// alignment, and writes read back through both access forms. Prints
/// what differed to stderr, prefixed with `tag`, and returns whether all
/// was well. Leaves the block written.
pub fn check_tls(tag: &str) -> bool {
    let (a, b, zero, aligned) = (
        freestand_e2e_tls_a(),
        freestand_e2e_tls_b(),
        freestand_e2e_tls_zero(),
        freestand_e2e_tls_aligned(),
    );
    let mut ok = true;
    let mut fail = |what: core::fmt::Arguments<'_>| {
        eprintln!("{tag}: {what}");
        ok = false;
    };
    if !(aligned as usize).is_multiple_of(64) {
        fail(format_args!(
            "tls_aligned at {aligned:p}, not 64-byte aligned"
        ));
    }
    if [a, b, zero]
        .iter()
        .any(|p| !(*p as usize).is_multiple_of(8))
    {
        fail(format_args!("misaligned: {a:p} {b:p} {zero:p}"));
    }
    // SAFETY: the accessors return this thread's variables, which live as
    // long as the thread and which nothing else touches.
    unsafe {
        let (va, vb, vz, varr) = (a.read(), b.read(), zero.read(), aligned.read());
        if va != A_INIT || vb != B_INIT {
            fail(format_args!("initial values {va:#x} {vb}"));
        }
        if vz != 0 || varr != [0; 8] {
            fail(format_args!(".tbss not zero: {vz:#x} {varr:x?}"));
        }
        if freestand_e2e_tls_load_a() != va {
            fail(format_args!("the two access forms disagree"));
        }
        a.write(!A_INIT);
        b.write(7);
        zero.write(0x5555);
        (*aligned)[7] = 0xaaaa;
        let back = (a.read(), b.read(), zero.read(), (*aligned)[7]);
        if back != (!A_INIT, 7, 0x5555, 0xaaaa) || freestand_e2e_tls_load_a() != !A_INIT {
            fail(format_args!("writes read back as {back:x?}"));
        }
    }
    ok
}

fn main() -> i32 {
    let seen = SEEN_BY_CONSTRUCTOR.load(Ordering::Relaxed);
    if seen != B_INIT + 1 {
        eprintln!("the constructor read tls_b as {}", seen.wrapping_sub(1));
        return 1;
    }
    if !check_tls("main") {
        return 1;
    }
    println!("tls: main thread ok");
    // Each spawned thread starts from the image again, whatever the main
    // thread (or an earlier thread) wrote into its own copy; a reused
    // stack (kept after a join) too.
    for round in 0..3 {
        let hs: alloc::vec::Vec<_> = (0..4)
            .map(|_| freestand_rt::thread::spawn(|| check_tls("spawned")))
            .collect();
        if !hs.into_iter().all(|h| h.join()) {
            eprintln!("round {round} failed");
            return 1;
        }
    }
    println!("tls: spawned threads ok");
    0
}
