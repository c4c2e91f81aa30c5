//! riscv64 entry: the body of `_start`.
//!
//! The kernel enters `_start` with `sp` pointing at `argc`, followed by
//! `argv`, `envp` and the auxiliary vector (RISC-V ELF psABI, "Process
//! Initialization"). `sp` is 16-byte aligned, `a0` holds a function to
//! register with `atexit` (0 for a static binary, ignored) and every other
//! register is unspecified, including `gp`.

/// Expands to the `naked_asm!` body of `_start`, which calls `$entry`
/// (an `extern "C" fn(*mut usize) -> !`) with the kernel's stack pointer.
///
/// Used by [`entry!`](macro@crate::entry); not meant to be called directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __start_asm {
    ($entry:path) => {
        ::core::arch::naked_asm!(
            // Load the global pointer PC-relatively. Relaxation must be off
            // here, or the linker could turn this very load into a
            // gp-relative one, which reads gp before it is set.
            ".option push",
            ".option norelax",
            "lla gp, __global_pointer$",
            ".option pop",
            // End the frame-pointer chain and the return-address chain.
            "li fp, 0",
            "li ra, 0",
            // Keep the initial stack pointer in a callee-saved register.
            "mv s1, sp",
            // Keep the 16-byte alignment the psABI requires at calls.
            "andi sp, sp, -16",
            // Apply the program's own relocations, through a direct call,
            // unless it is a plain static executable, final as linked.
            ".if {relocates}",
            "mv a0, s1",
            "call {relocate}",
            ".endif",
            // The initial stack pointer is `entry`'s only argument.
            "mv a0, s1",
            "call {entry}",
            // `entry` never returns.
            "unimp",
            relocates = const !$crate::relocate::LINK_STATIC as u8,
            relocate = sym $crate::relocate::relocate,
            entry = sym $entry,
        )
    };
}

/// `R_RISCV_RELATIVE`: store `base + addend` (RISC-V ELF psABI,
/// "Relocations").
pub(crate) const R_RELATIVE: u32 = 3;

/// The run-time address of the linker symbol `$symbol` (a string
/// literal), computed from the program counter (`lla`) so that it needs no
/// relocation. Reads and writes no memory.
macro_rules! pc_address {
    ($symbol:literal) => {{
        let p: usize;
        // SAFETY: computes an address; reads and writes no memory.
        unsafe {
            core::arch::asm!(
                concat!("lla {}, ", $symbol),
                out(reg) p,
                options(nomem, nostack, preserves_flags, pure)
            )
        };
        p
    }};
}
pub(crate) use pc_address;

/// The address window a program moves to when it re-randomises its load
/// address ([`crate::relocate::rebase`]): from 4 GiB, 2^24 pages (64 GiB),
/// so that it stays inside the smallest user address space riscv64 Linux
/// has (Sv39, 256 GiB).
pub(crate) const REBASE_START: usize = 1 << 32;
/// The window's size in pages, as a power of two.
pub(crate) const REBASE_PAGES_LOG2: u32 = 24;

/// The base-2 logarithms of the smallest and largest page size the kernel
/// may use, in steps of 2 (4, 16, 64 KiB): riscv64 Linux uses 4 KiB pages only.
pub(crate) const PAGE_SHIFTS: (u32, u32) = (12, 12);

/// Makes code just written at `start..start + len` executable. RISC-V
/// fetches instructions without seeing earlier stores until a `fence.i`,
/// which only orders this hart; the `riscv_flush_icache` system call makes
/// the kernel do it on every hart this thread may run on (RISC-V ISA manual,
/// "Zifencei"; Linux `Documentation/arch/riscv/cmodx.rst`).
///
/// # Safety
///
/// The range must be mapped (it is not accessed here).
#[inline(always)]
pub(crate) unsafe fn sync_icache(start: usize, len: usize) {
    // SAFETY: `fence.i` has no operands; the system call only flushes
    // caches (flags 0: for every thread of the process).
    unsafe {
        core::arch::asm!("fence.i", options(nostack, preserves_flags));
        freestand_syscalls::arch::syscall3(
            freestand_syscalls::nr::__NR_riscv_flush_icache,
            start,
            start.wrapping_add(len),
            0,
        );
    }
}

/// Enters `start` (a copy of `_start`) as the kernel enters a program: with
/// the stack pointer at `sp` and `a0` (the ABI's `atexit` function) 0.
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
            // Fixed registers, so that neither input can be `a0`.
            "mv sp, t1",
            "li a0, 0",
            "jr t0",
            in("t1") sp,
            in("t0") start,
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
    // SAFETY: the caller guarantees both ranges.
    unsafe {
        core::arch::asm!(
            "2:",
            "beqz {n}, 3f",
            "ld {w}, 0({src})",
            "sd {w}, 0({dst})",
            "addi {src}, {src}, 8",
            "addi {dst}, {dst}, 8",
            "addi {n}, {n}, -1",
            "j 2b",
            "3:",
            dst = inout(reg) dst => _,
            src = inout(reg) src => _,
            n = inout(reg) words => _,
            w = out(reg) _,
            options(nostack, preserves_flags)
        )
    }
}

/// This architecture's half of [`crate::mem`]: copies, fills and
/// comparisons, with the same items on every architecture.
#[path = "riscv64/mem.rs"]
pub(crate) mod mem;

/// This architecture's half of [`crate::thread`]: the thread pointer,
/// `clone` and a thread's own end, with the same items on every
/// architecture.
#[path = "riscv64/thread.rs"]
pub(crate) mod thread;
