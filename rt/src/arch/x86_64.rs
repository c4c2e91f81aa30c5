//! x86_64 entry: the body of `_start`.
//!
//! The kernel enters `_start` with `rsp` pointing at `argc`, followed by
//! `argv`, `envp` and the auxiliary vector (System V AMD64 ABI, §3.4.1).
//! `rsp` is 16-byte aligned there, `rdx` holds a function the ABI says to
//! register with `atexit` (always 0 for a static binary, so it is ignored),
//! and every other register is unspecified.

/// Expands to the `naked_asm!` body of `_start`, which calls `$entry`
/// (an `extern "C" fn(*mut usize) -> !`) with the kernel's stack pointer.
///
/// Used by [`entry!`](macro@crate::entry); not meant to be called directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __start_asm {
    ($entry:path) => {
        ::core::arch::naked_asm!(
            // End the frame-pointer chain for backtraces.
            "xor ebp, ebp",
            // The initial stack pointer is the only argument of both calls.
            "mov rdi, rsp",
            // Align to 16 before the calls (the kernel already does, but the
            // ABI requires it here and a stray `-8` would break SSE spills).
            "and rsp, -16",
            // Apply the program's own relocations, through a direct call,
            // unless it is a plain static executable, final as linked. The
            // argument waits in a callee-saved register.
            ".if {relocates}",
            "mov rbx, rdi",
            "call {relocate}",
            "mov rdi, rbx",
            ".endif",
            "call {entry}",
            // `entry` never returns.
            "ud2",
            relocates = const !$crate::relocate::LINK_STATIC as u8,
            relocate = sym $crate::relocate::relocate,
            entry = sym $entry,
        )
    };
}

/// `R_X86_64_RELATIVE`: store `base + addend` (System V AMD64 psABI, table
/// "Relocation Types").
pub(crate) const R_RELATIVE: u32 = 8;

/// The run-time address of the linker symbol `$symbol` (a string
/// literal), computed from the instruction pointer (`lea`) so that it needs no
/// relocation. Reads and writes no memory.
macro_rules! pc_address {
    ($symbol:literal) => {{
        let p: usize;
        // SAFETY: computes an address; reads and writes no memory.
        unsafe {
            core::arch::asm!(
                concat!("lea {}, [rip + ", $symbol, "]"),
                out(reg) p,
                options(nomem, nostack, preserves_flags, pure)
            )
        };
        p
    }};
}
pub(crate) use pc_address;

/// The address window a program moves to when it re-randomises its load
/// address ([`crate::relocate::rebase`]): from 1 TiB, 2^28 pages (28 bits,
/// the kernel's default `mmap_rnd_bits` on x86_64), well inside the 47-bit
/// user address space and away from the stack and the mmap area near its top.
pub(crate) const REBASE_START: usize = 1 << 40;
/// The window's size in pages, as a power of two.
pub(crate) const REBASE_PAGES_LOG2: u32 = 28;

/// The base-2 logarithms of the smallest and largest page size the kernel
/// may use, in steps of 2 (4, 16, 64 KiB): x86_64 Linux uses 4 KiB pages only.
pub(crate) const PAGE_SHIFTS: (u32, u32) = (12, 12);

/// Makes code just written at `start..start + len` executable by this
/// thread. x86_64 keeps instruction fetches coherent with stores, so there
/// is nothing to do.
///
/// # Safety
///
/// The range must be mapped (it is not accessed here).
#[inline(always)]
pub(crate) unsafe fn sync_icache(_start: usize, _len: usize) {}

/// Enters `start` (a copy of `_start`) as the kernel enters a program: with
/// the stack pointer at `sp` and `rdx` (the ABI's `atexit` function) 0.
///
/// # Safety
///
/// `sp` must be the kernel's initial stack pointer and `start` the address
/// of a `_start` ready to run; nothing on the stack below `sp` is kept.
#[inline(always)]
pub(crate) unsafe fn restart(sp: *mut usize, start: usize) -> ! {
    // SAFETY: the caller provides a stack and code to run on it.
    unsafe {
        core::arch::asm!(
            // Fixed registers, so that neither input can be `rdx`.
            "mov rsp, rdi",
            "xor edx, edx",
            "jmp rsi",
            in("rdi") sp,
            in("rsi") start,
            options(noreturn)
        )
    }
}

/// Copies `words` machine words from `src` to `dst`, in inline assembly so
/// that the compiler can neither turn it into a `memcpy` call nor call a
/// helper (code that runs before relocation may do neither).
///
/// # Safety
///
/// `src` must be readable and `dst` writable for `words` words; the ranges
/// must not overlap.
#[inline(always)]
pub(crate) unsafe fn copy_words(dst: usize, src: usize, words: usize) {
    // SAFETY: the caller guarantees both ranges; the ABI keeps the direction
    // flag clear, so `rep movsq` copies upwards.
    unsafe {
        core::arch::asm!(
            "rep movsq",
            inout("rdi") dst => _,
            inout("rsi") src => _,
            inout("rcx") words => _,
            options(nostack, preserves_flags)
        )
    }
}

/// This architecture's half of [`crate::mem`]: copies, fills and
/// comparisons, with the same items on every architecture.
#[path = "x86_64/mem.rs"]
pub(crate) mod mem;

/// This architecture's half of [`crate::thread`]: the thread pointer,
/// `clone` and a thread's own end, with the same items on every
/// architecture.
#[path = "x86_64/thread.rs"]
pub(crate) mod thread;
