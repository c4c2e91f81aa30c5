//! Re-randomising the load address where the loader did not.
//!
//! The kernel maps a static-PIE at a random address. qemu-user does not: it
//! puts an `ET_DYN` main program at the same address in every run
//! (0x555555556000 with qemu 10.0, on both guests), whatever the host's
//! ASLR setting. A program under qemu would then always have the same
//! addresses, which ASLR exists to prevent.
//!
//! So when [`relocate`](super::relocate) finds a static-PIE in the
//! [`FIXED_WINDOW`] where such loaders put it, before it has applied any relocation, it moves the program:
//!
//! 1. unless the process asked for a fixed layout: the personality flag
//!    `ADDR_NO_RANDOMIZE` (`setarch -R`, gdb) or the system setting
//!    `kernel.randomize_va_space = 0`;
//! 2. it picks a random page in the architecture's window
//!    (`arch::REBASE_START`, `arch::REBASE_PAGES_LOG2`) with `getrandom`;
//! 3. it maps anonymous memory there (the address is a hint: the kernel
//!    never replaces a mapping for one), copies the file bytes of every
//!    `PT_LOAD` segment (the rest, `.bss`, is still all zeros because
//!    nothing has run yet), records in the copy where the original is, and
//!    gives each segment its own protection;
//! 4. it makes the new code visible to instruction fetch (riscv64) and
//!    enters the copy's `_start` with the kernel's stack pointer, exactly as
//!    the kernel entered the original.
//!
//! The copy's `relocate` sees where it came from, unmaps the original,
//! points the auxiliary vector's `AT_PHDR` and `AT_ENTRY` at itself (so
//! anything that reads them later finds this program), and carries on as
//! any program does.
//!
//! A failure on the way (no randomness, a refused `mmap` or `mprotect`)
//! leaves the program where it is: it runs normally at the fixed address.
//!
//! Costs: on the usual path one load and two comparisons. The move itself
//! costs about ten system calls and a copy of the file-backed bytes. The
//! moved code is anonymous memory, so `/proc/self/maps` no longer names the
//! executable for it.
//!
//! The code obeys the rules of the [parent module](super): it reads only
//! plain numbers, touches no relocated address and calls nothing through
//! a pointer.

// Ranges are tested with two comparisons: `Range::contains` is a call into
// `core`, which a debug build makes through the not yet relocated GOT.
#![allow(clippy::manual_range_contains)]

use super::{PAGE, WORD};
use crate::arch;
use core::mem::MaybeUninit;
use core::mem::size_of;
use freestand_syscalls::arch::{syscall1, syscall2, syscall3, syscall4, syscall6};
use freestand_syscalls::nr::{
    __NR_close, __NR_getrandom, __NR_mmap, __NR_mprotect, __NR_munmap, __NR_openat,
    __NR_personality, __NR_read,
};
use linux_raw_sys::auxvec::{AT_ENTRY, AT_NULL, AT_PHDR};
use linux_raw_sys::elf::{Elf_Ehdr, Elf_Phdr, PF_R, PF_W, PF_X, PT_LOAD};
use linux_raw_sys::general::{
    AT_FDCWD, GRND_NONBLOCK, MAP_ANONYMOUS, MAP_PRIVATE, O_CLOEXEC, O_RDONLY, PROT_EXEC, PROT_NONE,
    PROT_READ, PROT_WRITE,
};

/// Where a loader that does not randomise puts a static-PIE main program:
/// from x86_64 Linux's `ELF_ET_DYN_BASE` (0x555555554000, used when
/// randomisation is off) to 16 MiB above it. qemu-user, for both guests,
/// uses two-thirds of its 47-bit guest address space rounded up to the
/// segments' alignment: 0x555555556000 for 4 KiB pages.
///
/// A program the kernel did randomise lands in this window about once in
/// 65,536 runs (16 MiB of x86_64's 1 TiB of load offsets); it then moves
/// once more, which costs a little time and harms nothing.
pub const FIXED_WINDOW: core::ops::Range<usize> = 0x5555_5555_4000..0x5555_5655_4000;

/// `ADDR_NO_RANDOMIZE`, the personality flag of `setarch -R`
/// (`include/uapi/linux/personality.h`; linux-raw-sys does not carry it).
const ADDR_NO_RANDOMIZE: usize = 0x0004_0000;

/// In a moved copy, the load address of the original it was copied from;
/// 0 in a program that was not moved. Written only by the original, into
/// the copy, before the copy runs.
static mut MOVED_FROM: usize = 0;

/// The program's load segments: the program headers and their number.
#[derive(Clone, Copy)]
struct Segments {
    /// The first program header.
    phdrs: *const Elf_Phdr,
    /// How many there are; 0 if the headers are not as expected.
    count: usize,
}

impl Segments {
    /// The program headers of the ELF header at `ehdr`.
    ///
    /// # Safety
    ///
    /// `ehdr` must be this program's loaded ELF header.
    unsafe fn of(ehdr: *const u8) -> Segments {
        // SAFETY: forwarded from the caller.
        let eh = unsafe { &*ehdr.cast::<Elf_Ehdr>() };
        // Checked before anything is dereferenced: a debug build would
        // panic on a misaligned pointer, which cannot work yet.
        let usable = eh.e_phentsize as usize == size_of::<Elf_Phdr>() && eh.e_phoff % WORD == 0;
        Segments {
            phdrs: ehdr.wrapping_add(eh.e_phoff).cast(),
            count: if usable { eh.e_phnum as usize } else { 0 },
        }
    }
}

/// Finishes or attempts a move, for a static-PIE loaded `base` bytes above
/// its link-time address; see the [module docs](self). Does not return if
/// it moves the program.
///
/// # Safety
///
/// As for [`relocate`](super::relocate), which calls it before applying
/// any relocation; `sp` is the kernel's initial stack pointer, and `ehdr`
/// this program's ELF header.
#[inline(always)]
pub(super) unsafe fn rebase(sp: *mut usize, base: usize, ehdr: *const u8) {
    // SAFETY: a static of this program, addressed from the program counter.
    // A plain read (`read_volatile` would be a call into `core`, through
    // the GOT in a debug build); the compiler cannot assume it is still 0,
    // since its address escapes in `try_move`.
    let from = unsafe { MOVED_FROM };
    if from != 0 {
        // SAFETY: forwarded from the caller; `from` is the original's base.
        unsafe { finish(sp, base, from, Segments::of(ehdr)) };
    } else if base >= FIXED_WINDOW.start && base < FIXED_WINDOW.end && randomisation_wanted() {
        // SAFETY: forwarded from the caller.
        unsafe { try_move(sp, base, Segments::of(ehdr)) };
    }
}

/// The page-aligned link-time range `(low, high)` the load segments cover.
fn span(segs: Segments) -> (usize, usize) {
    let (mut low, mut high) = (usize::MAX, 0);
    let mut i = 0;
    while i < segs.count {
        // SAFETY: one of the program's own headers, which are loaded.
        let ph = unsafe { &*segs.phdrs.wrapping_add(i) };
        if ph.p_type == PT_LOAD {
            let start = ph.p_vaddr & !(PAGE - 1);
            let end = page_up(ph.p_vaddr.wrapping_add(ph.p_memsz));
            if start < low {
                low = start;
            }
            if end > high {
                high = end;
            }
        }
        i = i.wrapping_add(1);
    }
    (low, high)
}

fn page_up(a: usize) -> usize {
    a.wrapping_add(PAGE - 1) & !(PAGE - 1)
}

/// The kernel returns -4095..=-1 for an error.
fn failed(r: usize) -> bool {
    r > usize::MAX - 4095
}

/// Whether the process wants a random layout: not if its personality has
/// `ADDR_NO_RANDOMIZE`, nor if `/proc/sys/kernel/randomize_va_space` says
/// 0. When either cannot be read, it does.
fn randomisation_wanted() -> bool {
    // SAFETY: `personality(0xffffffff)` only reads the current personality.
    let p = unsafe { syscall1(__NR_personality, 0xffff_ffff) };
    if !failed(p) && p & ADDR_NO_RANDOMIZE != 0 {
        return false;
    }
    let path = b"/proc/sys/kernel/randomize_va_space\0";
    // SAFETY: opens a NUL-terminated path for reading.
    let fd = unsafe {
        syscall4(
            __NR_openat,
            AT_FDCWD as usize,
            path.as_ptr() as usize,
            (O_RDONLY | O_CLOEXEC) as usize,
            0,
        )
    };
    if failed(fd) {
        return true;
    }
    let mut c = MaybeUninit::<u8>::uninit();
    // SAFETY: reads one byte into `c`, then closes the descriptor opened
    // above.
    let n = unsafe {
        let n = syscall3(__NR_read, fd, c.as_mut_ptr() as usize, 1);
        syscall1(__NR_close, fd);
        n
    };
    // SAFETY: `read` filled `c` when it returned 1.
    !(n == 1 && unsafe { c.assume_init() } == b'0')
}

/// Moves the program loaded at `base` to a random address and enters the
/// copy; returns, leaving the program where it is, if any step fails.
///
/// # Safety
///
/// As for [`rebase`].
#[cold]
#[inline(never)]
unsafe fn try_move(sp: *mut usize, base: usize, segs: Segments) {
    let mut random = MaybeUninit::<usize>::uninit();
    // SAFETY: fills `random`, a word on our stack.
    let n = unsafe {
        syscall3(
            __NR_getrandom,
            random.as_mut_ptr() as usize,
            WORD,
            GRND_NONBLOCK as usize,
        )
    };
    if n != WORD {
        return;
    }
    // SAFETY: `getrandom` filled all of it.
    let random = unsafe { random.assume_init() };
    let page = random & ((1 << arch::REBASE_PAGES_LOG2) - 1);
    let hint = arch::REBASE_START.wrapping_add(page.wrapping_mul(PAGE));
    let (low, high) = span(segs);
    if low >= high {
        return;
    }
    let len = high.wrapping_sub(low);
    // SAFETY: a new private anonymous mapping; without MAP_FIXED the kernel
    // takes the hint only if nothing is mapped there.
    let new = unsafe {
        syscall6(
            __NR_mmap,
            hint,
            len,
            (PROT_READ | PROT_WRITE) as usize,
            (MAP_PRIVATE | MAP_ANONYMOUS) as usize,
            usize::MAX,
            0,
        )
    };
    if failed(new) {
        return;
    }
    let new_base = new.wrapping_sub(low);
    // SAFETY: copies this program's loaded bytes into the new mapping,
    // which covers the same range at `new_base`.
    unsafe { copy_segments(segs, base, new_base) };
    let moved_from = (&raw mut MOVED_FROM as usize)
        .wrapping_sub(base)
        .wrapping_add(new_base);
    // SAFETY: the copy's `MOVED_FROM`, in its writable segment.
    unsafe { *(moved_from as *mut usize) = base };
    // SAFETY: changes the protection of the new mapping only.
    if !unsafe { protect(segs, new, len, new_base) } {
        // SAFETY: unmaps the mapping made above, which nothing uses.
        unsafe { syscall2(__NR_munmap, new, len) };
        return;
    }
    // SAFETY: the range is the new mapping; then `_start` of the copy,
    // complete and executable, is entered on the kernel's stack pointer.
    unsafe {
        arch::sync_icache(new, len);
        arch::restart(
            sp,
            super::start_address()
                .wrapping_sub(base)
                .wrapping_add(new_base),
        )
    }
}

/// Copies the file-backed bytes of each load segment from the program at
/// `base` to the mapping at `new_base`.
///
/// # Safety
///
/// Both ranges must be mapped, the first readable and the second writable.
unsafe fn copy_segments(segs: Segments, base: usize, new_base: usize) {
    let mut i = 0;
    while i < segs.count {
        // SAFETY: one of the program's own headers, which are loaded.
        let ph = unsafe { &*segs.phdrs.wrapping_add(i) };
        if ph.p_type == PT_LOAD {
            // From the page start (mapped, whatever the segment's offset in
            // it) to the last file byte, rounded up to a word, which stays
            // in the same page.
            let start = ph.p_vaddr & !(PAGE - 1);
            let end = ph.p_vaddr.wrapping_add(ph.p_filesz);
            let words = end.wrapping_sub(start).wrapping_add(WORD - 1) / WORD;
            // SAFETY: within the segment's pages in both images.
            unsafe {
                arch::copy_words(
                    new_base.wrapping_add(start),
                    base.wrapping_add(start),
                    words,
                )
            };
        }
        i = i.wrapping_add(1);
    }
}

/// Gives the new mapping `new..new + len` the load segments' protections,
/// and none between them. Returns whether every `mprotect` succeeded.
///
/// # Safety
///
/// `new..new + len` must be the copy's mapping, with the copy's segments
/// `new_base` bytes above their link-time addresses.
unsafe fn protect(segs: Segments, new: usize, len: usize, new_base: usize) -> bool {
    // SAFETY: the caller's mapping.
    if failed(unsafe { syscall3(__NR_mprotect, new, len, PROT_NONE as usize) }) {
        return false;
    }
    let mut i = 0;
    while i < segs.count {
        // SAFETY: one of the program's own headers, which are loaded.
        let ph = unsafe { &*segs.phdrs.wrapping_add(i) };
        if ph.p_type == PT_LOAD {
            let start = new_base.wrapping_add(ph.p_vaddr) & !(PAGE - 1);
            let end = page_up(new_base.wrapping_add(ph.p_vaddr).wrapping_add(ph.p_memsz));
            let mut prot = 0;
            if ph.p_flags & PF_R != 0 {
                prot |= PROT_READ;
            }
            if ph.p_flags & PF_W != 0 {
                prot |= PROT_WRITE;
            }
            if ph.p_flags & PF_X != 0 {
                prot |= PROT_EXEC;
            }
            let len = end.wrapping_sub(start);
            // SAFETY: pages of the caller's mapping.
            if failed(unsafe { syscall3(__NR_mprotect, start, len, prot as usize) }) {
                return false;
            }
        }
        i = i.wrapping_add(1);
    }
    true
}

/// In a moved copy loaded `base` bytes above its link-time address: unmaps
/// the original at `from` and points `AT_PHDR` and `AT_ENTRY` at the copy.
///
/// # Safety
///
/// As for [`rebase`]; `from` is the original's base, which nothing runs any
/// more.
unsafe fn finish(sp: *mut usize, base: usize, from: usize, segs: Segments) {
    let (low, high) = span(segs);
    if low >= high {
        return;
    }
    // SAFETY: the original's pages; nothing refers to them any more (the
    // stack was reset to the kernel's stack pointer when the copy started).
    // If this fails the original just stays mapped.
    unsafe { syscall2(__NR_munmap, from.wrapping_add(low), high.wrapping_sub(low)) };
    // SAFETY: the kernel's stack layout (see `crate::stack`): argc, argv
    // and a NULL, the environment and a NULL, then auxv pairs up to
    // AT_NULL. It is writable, and nothing has read the auxv yet.
    unsafe {
        let mut p = sp.wrapping_add((*sp).wrapping_add(2));
        while *p != 0 {
            p = p.wrapping_add(1);
        }
        p = p.wrapping_add(1);
        while *p != AT_NULL as usize {
            let value = p.wrapping_add(1);
            let old = *value;
            let inside = old >= from.wrapping_add(low) && old < from.wrapping_add(high);
            if (*p == AT_PHDR as usize || *p == AT_ENTRY as usize) && inside {
                *value = old.wrapping_sub(from).wrapping_add(base);
            }
            p = p.wrapping_add(2);
        }
    }
}
