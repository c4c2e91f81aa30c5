//! Self-relocation: the first thing a static-PIE does.
//!
//! freestand links programs as static position-independent executables by
//! default: `ET_DYN` images with no `PT_INTERP`, which the kernel maps at a
//! random address (ASLR) and enters at `_start` with no dynamic loader to
//! fix them up. Until someone does, every address the linker stored in the
//! image (the pointers of string slices and vtables in `.data.rel.ro`,
//! function pointers in `.data`, GOT entries) holds its link-time value,
//! off by the load offset. [`relocate`] applies those fix-ups: the
//! `R_*_RELATIVE` entries of the `RELA` table and the packed relative
//! relocations of the `RELR` table. Any other relocation type (a symbol
//! reference, a PLT slot, which the linker script also gathers into the
//! `RELA` table) means the program was not linked as freestand links it: it
//! prints what it found and exits with status 127, as a shell does for a
//! program it cannot run. (Text relocations are refused at link time by
//! `-z text`; these targets have no `REL` tables.)
//!
//! It finds everything without walking a header: the load offset is where
//! `_start` runs less its link-time address (the ELF header's `e_entry`),
//! and the tables and the RELRO range are bracketed by symbols of
//! freestand's linker script (`__freestand_rela_start` and `_end`,
//! `__freestand_relr_*`, `__freestand_relro_*`). A program linked without
//! that script fails to link, naming the missing symbols.
//!
//! Then it makes RELRO (`.data.rel.ro`, `.dynamic`, `.got`) read-only. The
//! linker script starts the writable data that follows on a fresh page, so
//! whole pages can be protected.
//!
//! A plain static (non-PIE) executable runs where it was linked and has
//! nothing to apply. Built with `FREESTAND_LINK=static`, `_start` does not
//! call [`relocate`] at all, and the linker script maps RELRO read-only
//! from the start ([`LINK_STATIC`]). A non-PIE link with the default
//! (static-PIE) script stops at link time with an `ERROR(freestand)`
//! message, since it would run at address 0.
//!
//! Before applying anything, a static-PIE that finds itself at the fixed
//! address qemu-user always gives it moves itself to a random one
//! ([`rebase`]), so that it gets ASLR under qemu too.
//!
//! # Why it cannot use what it has not relocated
//!
//! [`relocate`] runs before anything reads a global, and is written so that
//! it needs no relocated value itself:
//!
//! - the addresses it starts from (the ELF header, `_start`, the
//!   linker-script symbols) are computed from the program counter by
//!   `arch::pc_address!` (`lea` on x86_64, `lla` on riscv64), never loaded
//!   from memory;
//! - everything it reads (the ELF header, the relocation tables, and for
//!   [`rebase`] the program headers) holds plain numbers, link-time
//!   addresses to which it adds the load offset itself;
//! - it touches one static, [`rebase`]'s plain word that holds no address
//!   the linker wrote, which private linkage makes PC-relative;
//! - it calls nothing through a pointer, not even `memset` or `memcpy`
//!   (whose address the compiler may load from the GOT): its buffers start
//!   uninitialised, structures are read field by field, and [`rebase`]
//!   copies with inline assembly (`arch::copy_words`);
//! - it cannot panic, since a panic reads its location through a relocated
//!   pointer: there is no indexing, `unwrap` or overflow check, only
//!   wrapping arithmetic and explicit tests;
//! - its error path builds its message on the stack from byte-string
//!   literals, which are addressed relative to the program counter, and
//!   calls `write` and `exit_group` directly.
//!
//! The platform tests check the result: two runs print different addresses
//! for a static and for `main`, and builds with `RELA` only, with `RELR`,
//! and not position-independent all run the whole suite.

pub mod rebase;

use crate::arch;
use crate::msg::{self, Msg};
use core::mem::size_of;
use freestand_syscalls::arch::{syscall1_noreturn, syscall3};
use freestand_syscalls::io::STDERR;
use freestand_syscalls::nr::{__NR_exit_group, __NR_mprotect};
use linux_raw_sys::elf::{Elf_Ehdr, Elf_Rela};
use linux_raw_sys::general::PROT_READ;

const WORD: usize = size_of::<usize>();
/// The page size the qemu-user rebase assumes: that of the x86_64 hosts
/// qemu-user runs on (`rebase` runs only under qemu-user).
const PAGE: usize = 4096;
/// `EINVAL`, as `mprotect` returns it for a misaligned start.
const EINVAL: usize = linux_raw_sys::errno::EINVAL as usize;

/// Whether freestand-rt was built for `FREESTAND_LINK=static`, a plain
/// static executable, which runs where it was linked and whose RELRO
/// segment the kernel maps read-only, so that nothing is left to do:
/// `_start` then does not call [`relocate`]. False for the static-PIE links
/// (`pie`, the default, and `pie-rela`).
pub const LINK_STATIC: bool = cfg!(freestand_link = "static");

/// The exit status of a program that cannot be started (as `sh` uses for
/// a command it cannot run).
pub const EXIT_CANNOT_START: i32 = 127;

/// Applies this program's own relative relocations and protects its RELRO
/// segment; see the [module docs](self).
///
/// The loops are `while` loops over plain integers, with no iterators,
/// `Option` methods or other library calls: in a debug build those are
/// calls into the precompiled `core`, which x86_64 code reaches through the
/// GOT. (Matching on an `Option` is fine: it compiles to a test.)
///
/// `_start` calls it directly, before [`entry`](crate::entry::entry): a
/// call from Rust code in another crate may go through the GOT.
///
/// # Safety
///
/// Call once, first thing in `_start`, before any code reads a global or a
/// relocated address. `sp` is the kernel's initial stack pointer (for the
/// program name in error messages, and for [`rebase`] to restart from and
/// to update the auxiliary vector after a move).
#[doc(hidden)]
#[inline(never)]
pub unsafe extern "C" fn relocate(sp: *mut usize) {
    let ehdr = ehdr_start();
    // SAFETY: `__ehdr_start` is the ELF header of this program, which the
    // linker script places in the first loaded segment.
    let entry = unsafe { (*ehdr.cast::<Elf_Ehdr>()).e_entry };
    // The load offset: where `_start` runs less where it was linked
    // (`e_entry`). A static-PIE is linked at 0 and loaded elsewhere; a
    // non-PIE runs where it was linked, has no relocations (the linker
    // resolved every address) and its offset is 0.
    let base = start_address().wrapping_sub(entry);
    if base != 0 {
        // SAFETY: forwarded from the caller; nothing is relocated yet.
        unsafe { rebase::rebase(sp, base, ehdr) };
        // SAFETY: forwarded from the caller.
        unsafe { apply(sp, base) };
    }
    // SAFETY: forwarded from the caller.
    unsafe { protect_relro(sp) };
}

/// Makes the RELRO pages read-only. The page size is the kernel's: 4 KiB
/// on x86_64 and riscv64, 4, 16 or 64 KiB on aarch64. `mprotect` refuses a
/// start that is not page-aligned with `EINVAL`, so each size the
/// architecture allows is tried in turn, smallest first
/// (`arch::PAGE_SHIFTS`); one system call on a 4 KiB kernel. The linker
/// script starts every segment on a fresh page of the largest size (lld's
/// max-page-size), so rounding to any of them covers RELRO's pages only.
///
/// # Safety
///
/// As for [`relocate`], after relocation.
#[inline(always)]
unsafe fn protect_relro(sp: *mut usize) {
    let relro_start = arch::pc_address!("__freestand_relro_start");
    let relro_end = arch::pc_address!("__freestand_relro_end");
    let (mut shift, last) = arch::PAGE_SHIFTS;
    loop {
        let page = 1usize << shift;
        let start = relro_start & !(page - 1);
        let end = relro_end.wrapping_add(page - 1) & !(page - 1);
        if end <= start {
            return;
        }
        // SAFETY: the pages hold only RELRO data (the linker script starts
        // the next segment on a fresh page), which nothing writes again.
        let r = unsafe {
            syscall3(
                __NR_mprotect,
                start,
                end.wrapping_sub(start),
                PROT_READ as usize,
            )
        };
        // The kernel returns -4095..=-1 for an error.
        if r <= usize::MAX - 4095 {
            return;
        }
        if r.wrapping_neg() != EINVAL || shift >= last {
            fail(
                sp,
                b"mprotect of RELRO failed with errno",
                Some(r.wrapping_neg()),
                false,
            );
        }
        shift = shift.wrapping_add(2);
    }
}

/// The run-time address of this program's ELF header (`__ehdr_start`, which
/// the linker defines).
#[inline(always)]
fn ehdr_start() -> *const u8 {
    arch::pc_address!("__ehdr_start") as *const u8
}

/// The run-time address of `_start`.
#[inline(always)]
fn start_address() -> usize {
    arch::pc_address!("_start")
}

/// Applies the relocations of the tables the linker script brackets with
/// `__freestand_rela_*` and `__freestand_relr_*`, for a program loaded
/// `base` bytes above its link-time address.
///
/// # Safety
///
/// As for [`relocate`]; `base` is this program's load offset.
#[inline(always)]
unsafe fn apply(sp: *const usize, base: usize) {
    let (rela, rela_end) = (
        arch::pc_address!("__freestand_rela_start"),
        arch::pc_address!("__freestand_rela_end"),
    );
    let (relr, relr_end) = (
        arch::pc_address!("__freestand_relr_start"),
        arch::pc_address!("__freestand_relr_end"),
    );
    // The tables are 8-aligned (debug builds check the alignment of every
    // dereferenced pointer and would panic, which cannot work yet): the
    // linker script computes the four symbols so, and ASSERTs it; the
    // load offset is a whole number of pages.

    let mut at = rela;
    while at < rela_end {
        // SAFETY: within `.rela.dyn`, which the linker put in a loaded
        // segment.
        let r = unsafe { &*(at as *const Elf_Rela) };
        let ty = (r.r_info & 0xffff_ffff) as u32;
        if ty != arch::R_RELATIVE || r.r_info >> 32 != 0 {
            fail(sp, b"a relocation of type", Some(ty as usize), true);
        }
        let target = base.wrapping_add(r.r_offset);
        if target % WORD != 0 {
            fail(sp, b"a misaligned DT_RELA target", None, true);
        }
        // SAFETY: the linker made every relative relocation's target a
        // word of this program's writable (or RELRO) data.
        unsafe { *(target as *mut usize) = base.wrapping_add(r.r_addend) };
        at = at.wrapping_add(size_of::<Elf_Rela>());
    }

    // DT_RELR: an even entry is the address of a word to relocate; an odd
    // one is a bitmap whose bits 1..63 mark the 63 words that follow the
    // last address (ELF gABI, "Relative relocation packing").
    let mut next = 0usize;
    let mut entry = relr;
    while entry < relr_end {
        // SAFETY: within `.relr.dyn`, which the linker put in a loaded
        // segment.
        let e = unsafe { *(entry as *const usize) };
        if e & 1 == 0 {
            let at = base.wrapping_add(e);
            if at % WORD != 0 {
                fail(sp, b"a misaligned DT_RELR address", None, true);
            }
            // SAFETY: as for DT_RELA above.
            unsafe { add_base(at, base) };
            next = at.wrapping_add(WORD);
        } else {
            // Visit only the set bits: `trailing_zeros` skips each run of
            // clear ones (`tzcnt` on x86_64, an inline sequence on riscv64).
            let mut bits = e >> 1;
            let mut at = next;
            while bits != 0 {
                let skip = bits.trailing_zeros();
                at = at.wrapping_add((skip as usize).wrapping_mul(WORD));
                // SAFETY: as for DT_RELA above.
                unsafe { add_base(at, base) };
                // Two shifts: `skip + 1` may be 64, too far for one.
                bits = (bits >> (skip & 63)) >> 1;
                at = at.wrapping_add(WORD);
            }
            next = next.wrapping_add((WORD * 8 - 1) * WORD);
        }
        entry = entry.wrapping_add(WORD);
    }
}

/// Adds `base` to the word at `at`.
///
/// # Safety
///
/// `at` must be a writable word of this program.
#[inline(always)]
unsafe fn add_base(at: usize, base: usize) {
    let p = at as *mut usize;
    // SAFETY: forwarded from the caller.
    unsafe { *p = (*p).wrapping_add(base) };
}

/// Reports why the program cannot start and exits with
/// [`EXIT_CANNOT_START`]: `freestand: PROGRAM: cannot relocate itself:
/// WHAT [N]`, followed for a relocation freestand does not apply
/// (`relocation`) by a hint at the likely cause. Like the rest of the
/// module it calls nothing that could need relocating.
#[cold]
#[inline(never)]
fn fail(sp: *const usize, what: &[u8], number: Option<usize>, relocation: bool) -> ! {
    let mut buf = msg::Buf::uninit();
    let mut m = Msg::new(&mut buf);
    m.push(b"freestand: ");
    // SAFETY: the kernel's initial stack: argc, then argv; argv[0] is a
    // NUL-terminated string when argc > 0.
    unsafe {
        if *sp > 0 {
            let mut p = *sp.wrapping_add(1) as *const u8;
            let mut n = 0usize;
            while *p != 0 && n < 256 {
                m.byte(*p);
                p = p.wrapping_add(1);
                n = n.wrapping_add(1);
            }
            m.push(b": ");
        }
    }
    m.push(b"cannot relocate itself: ");
    m.push(what);
    // A `match`, not a method: it compiles to a test, never to a call.
    if let Some(n) = number {
        m.push(b" ");
        m.decimal(n);
    }
    if relocation {
        m.push(b" (freestand applies only relative relocations; link with its linker script)");
    }
    m.send(STDERR);
    // SAFETY: ends the process.
    unsafe { syscall1_noreturn(__NR_exit_group, EXIT_CANNOT_START as usize) }
}
