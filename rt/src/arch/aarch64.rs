//! aarch64 entry: the body of `_start`.
//!
//! The kernel enters `_start` with `sp` pointing at `argc`, followed by
//! `argv`, `envp` and the auxiliary vector (the generic ELF process start,
//! as `arch/arm64/include/asm/elf.h` sets it up). `sp` is 16-byte aligned,
//! which aarch64 requires of every access through `sp`; `x0` may hold a
//! function to register with `atexit` (0 for a static binary, ignored) and
//! every other register is unspecified.

/// Expands to the `naked_asm!` body of `_start`, which calls `$entry`
/// (an `extern "C" fn(*mut usize) -> !`) with the kernel's stack pointer.
///
/// Used by [`entry!`](macro@crate::entry); not meant to be called directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __start_asm {
    ($entry:path) => {
        ::core::arch::naked_asm!(
            // End the frame-record chain and the return-address chain.
            "mov x29, #0",
            "mov x30, #0",
            // Keep the initial stack pointer in a callee-saved register.
            // `sp` stays 16-byte aligned: the kernel aligned it, and the
            // hardware faults on a misaligned `sp` access.
            "mov x19, sp",
            // Apply the program's own relocations, through a direct call,
            // unless it is a plain static executable, final as linked.
            ".if {relocates}",
            "mov x0, x19",
            "bl {relocate}",
            ".endif",
            // The initial stack pointer is `entry`'s only argument.
            "mov x0, x19",
            "bl {entry}",
            // `entry` never returns.
            "udf #0",
            relocates = const !$crate::relocate::LINK_STATIC as u8,
            relocate = sym $crate::relocate::relocate,
            entry = sym $entry,
        )
    };
}

/// `R_AARCH64_RELATIVE`: store `base + addend` (ELF for the Arm 64-bit
/// Architecture, "Dynamic relocations").
pub(crate) const R_RELATIVE: u32 = 1027;

/// The run-time address of the linker symbol `$symbol` (a string
/// literal), computed from the program counter (`adrp` and `add`, within
/// ±4 GiB) so that it needs no relocation. Reads and writes no memory.
macro_rules! pc_address {
    ($symbol:literal) => {{
        let p: usize;
        // SAFETY: computes an address; reads and writes no memory.
        unsafe {
            core::arch::asm!(
                concat!("adrp {0}, ", $symbol),
                concat!("add {0}, {0}, :lo12:", $symbol),
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
/// so that it stays inside the smallest user address space aarch64 Linux
/// has with 4 KiB pages (39-bit, 512 GiB).
pub(crate) const REBASE_START: usize = 1 << 32;
/// The window's size in pages, as a power of two.
pub(crate) const REBASE_PAGES_LOG2: u32 = 24;

/// Whether to use the ARMv8.1 atomic instructions (`FEAT_LSE`), as read by
/// compiler-rt's outline atomics helpers (`__aarch64_cas8_acq` and friends,
/// in `compiler_builtins`), which every atomic read-modify-write calls under
/// aarch64's default `outline-atomics` target feature. compiler-rt sets its
/// own copy from a static constructor that calls `getauxval(AT_HWCAP)`,
/// a C library function freestand does not have; defining the flag here
/// keeps that constructor out of the link. It stays
/// `false`: the helpers then use load/store-exclusive pairs, which every
/// ARMv8 core has, and no program pays at start-up for choosing. Build with
/// `-C target-feature=+lse` to inline the LSE instructions instead, for
/// cores that have them.
#[unsafe(no_mangle)]
#[allow(non_upper_case_globals, reason = "compiler-rt's name for it")]
static __aarch64_have_lse_atomics: bool = false;

/// The base-2 logarithms of the smallest and largest page size the kernel
/// may use, in steps of 2 (4, 16, 64 KiB): aarch64 Linux is built for 4,
/// 16 or 64 KiB pages.
pub(crate) const PAGE_SHIFTS: (u32, u32) = (12, 16);

/// Makes code just written at `start..start + len` executable. aarch64
/// instruction fetches do not see earlier stores until the data cache is
/// cleaned to the point of unification and the instruction cache
/// invalidated, line by line (`dc cvau`, `ic ivau`, each followed by
/// `dsb ish`), and this thread's pipeline resynchronised (`isb`). The line
/// sizes come from `CTR_EL0`, which Linux lets user space read (Arm ARM,
/// "Concurrent modification and execution of instructions";
/// `arch/arm64/kernel/sys_compat.c` does the same for 32-bit tasks).
///
/// # Safety
///
/// The range must be mapped (it is read by the cache maintenance, not
/// written).
#[inline(always)]
pub(crate) unsafe fn sync_icache(start: usize, len: usize) {
    let end = start.wrapping_add(len);
    // SAFETY: reads a system register and maintains caches over mapped
    // memory; no data changes.
    unsafe {
        core::arch::asm!(
            "mrs {ctr}, ctr_el0",
            // Data cache line: 4 << CTR_EL0.DminLine (bits 19:16) bytes.
            "ubfx {tmp}, {ctr}, #16, #4",
            "mov {line}, #4",
            "lsl {line}, {line}, {tmp}",
            "sub {tmp}, {line}, #1",
            "bic {addr}, {start}, {tmp}",
            "2:",
            "cmp {addr}, {end}",
            "b.hs 3f",
            "dc cvau, {addr}",
            "add {addr}, {addr}, {line}",
            "b 2b",
            "3:",
            "dsb ish",
            // Instruction cache line: 4 << CTR_EL0.IminLine (bits 3:0).
            "and {tmp}, {ctr}, #15",
            "mov {line}, #4",
            "lsl {line}, {line}, {tmp}",
            "sub {tmp}, {line}, #1",
            "bic {addr}, {start}, {tmp}",
            "4:",
            "cmp {addr}, {end}",
            "b.hs 5f",
            "ic ivau, {addr}",
            "add {addr}, {addr}, {line}",
            "b 4b",
            "5:",
            "dsb ish",
            "isb",
            start = in(reg) start,
            end = in(reg) end,
            ctr = out(reg) _,
            tmp = out(reg) _,
            line = out(reg) _,
            addr = out(reg) _,
            options(nostack)
        );
    }
}

/// Enters `start` (a copy of `_start`) as the kernel enters a program: with
/// the stack pointer at `sp` and `x0` (the `atexit` function) 0.
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
            // Fixed registers, so that neither input can be `x0`.
            "mov sp, x9",
            "mov x0, #0",
            "br x10",
            in("x9") sp,
            in("x10") start,
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
            "cbz {n}, 3f",
            "ldr {w}, [{src}], #8",
            "str {w}, [{dst}], #8",
            "sub {n}, {n}, #1",
            "b 2b",
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
#[path = "aarch64/mem.rs"]
pub(crate) mod mem;

/// This architecture's half of [`crate::thread`]: the thread pointer,
/// `clone` and a thread's own end, with the same items on every
/// architecture.
#[path = "aarch64/thread.rs"]
pub(crate) mod thread;
