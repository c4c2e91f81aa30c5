//! Self-relocation: the first thing a static-PIE does.
//!
//! freestand links programs as static position-independent executables by
//! default: `ET_DYN` images with no `PT_INTERP`, which the kernel maps at a
//! random address (ASLR) and enters at `_start` with no dynamic loader to
//! fix them up. Until someone does, every address the linker stored in the
//! image (the pointers of string slices and vtables in `.data.rel.ro`,
//! function pointers in `.data`, GOT entries) holds its link-time value,
//! off by the load offset. [`relocate`] applies those fix-ups: the
//! `R_*_RELATIVE` entries of `DT_RELA` and the packed relative relocations
//! of `DT_RELR`. Any other relocation (a symbol reference, a `DT_REL` or
//! PLT table, text relocations) means the program was not linked as
//! freestand links it: it prints what it found and exits with status 127,
//! as a shell does for a program it cannot run.
//!
//! Then it makes `PT_GNU_RELRO` (`.data.rel.ro`, `.dynamic`, `.got`)
//! read-only. The linker script starts the writable data that follows on a
//! fresh page, so whole pages can be protected.
//!
//! A plain static (non-PIE) link has no `PT_DYNAMIC` and nothing to
//! apply; its RELRO segment is protected all the same.
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
//! - the one address it starts from, the ELF header's (`__ehdr_start`), is
//!   computed from the program counter by `arch::ehdr_start` (`lea` on
//!   x86_64, `lla` on riscv64), never loaded from memory;
//! - everything it reads (the ELF and program headers, the dynamic section,
//!   the relocation tables) holds plain numbers, link-time addresses to
//!   which it adds the load offset itself;
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
//! for a static and for `main`, and builds with `DT_RELA` only, with
//! `DT_RELR`, and not position-independent all run the whole suite.

pub mod rebase;

use crate::arch;
use core::mem::MaybeUninit;
use core::mem::size_of;
use freestand_syscalls::nr::{__NR_exit_group, __NR_mprotect, __NR_write};
use freestand_syscalls::raw::{syscall1_noreturn, syscall3};
use linux_raw_sys::elf::{
    DT_NULL, DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELSZ, Elf_Dyn, Elf_Ehdr, Elf_Phdr, Elf_Rela,
    PT_DYNAMIC, PT_GNU_RELRO, PT_LOAD,
};
use linux_raw_sys::general::PROT_READ;

// Dynamic-section tags that linux-raw-sys does not carry (ELF gABI,
// "Dynamic Section"; DT_RELR* from the 2022 gABI addition).
const DT_PLTRELSZ: usize = 2;
const DT_TEXTREL: usize = 22;
const DT_RELRSZ: usize = 35;
const DT_RELR: usize = 36;
const DT_RELRENT: usize = 37;

/// The dynamic tags [`apply`] reads or rejects, as a bit set.
const WANTED_TAGS: u64 = 1 << DT_NULL
    | 1 << DT_PLTRELSZ
    | 1 << DT_RELA
    | 1 << DT_RELASZ
    | 1 << DT_RELAENT
    | 1 << DT_RELSZ
    | 1 << DT_TEXTREL
    | 1 << DT_RELRSZ
    | 1 << DT_RELR
    | 1 << DT_RELRENT;

const WORD: usize = size_of::<usize>();
/// The page size of both supported targets under Linux.
const PAGE: usize = 4096;

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
    let ehdr = arch::ehdr_start();
    // SAFETY: `__ehdr_start` is the ELF header of this program, which the
    // linker script places in the first loaded segment.
    let eh = unsafe { &*ehdr.cast::<Elf_Ehdr>() };
    if eh.e_phentsize as usize != size_of::<Elf_Phdr>() {
        fail(sp, b"program headers of an unexpected size", None);
    }
    // Debug builds check the alignment of every dereferenced pointer and
    // would panic, which cannot work yet; these checks come first.
    if eh.e_phoff % WORD != 0 {
        fail(sp, b"misaligned program headers", None);
    }
    let phdrs = ehdr.wrapping_add(eh.e_phoff).cast::<Elf_Phdr>();
    // Link-time address of the ELF header, and (address, size) of the
    // dynamic section and of RELRO; `NONE` where absent.
    let mut link_ehdr = NONE;
    let (mut dyn_vaddr, mut dyn_size) = (NONE, 0);
    let (mut relro_vaddr, mut relro_size) = (NONE, 0);
    let mut i = 0;
    while i < eh.e_phnum as usize {
        // SAFETY: the program headers are loaded with the ELF header
        // (`SIZEOF_HEADERS` in the linker script), `e_phnum` of them.
        let ph = unsafe { &*phdrs.wrapping_add(i) };
        if ph.p_type == PT_LOAD && ph.p_offset == 0 && link_ehdr == NONE {
            link_ehdr = ph.p_vaddr;
        } else if ph.p_type == PT_DYNAMIC {
            (dyn_vaddr, dyn_size) = (ph.p_vaddr, ph.p_memsz);
        } else if ph.p_type == PT_GNU_RELRO {
            (relro_vaddr, relro_size) = (ph.p_vaddr, ph.p_memsz);
        }
        i = i.wrapping_add(1);
    }
    if link_ehdr == NONE {
        fail(sp, b"no loaded segment holds the ELF header", None);
    }
    let base = (ehdr as usize).wrapping_sub(link_ehdr);
    // Without a dynamic section (a plain static link) the linker resolved
    // every address and there is nothing to apply.
    if dyn_vaddr != NONE && dyn_vaddr % WORD != 0 {
        fail(sp, b"a misaligned dynamic section", None);
    }
    if dyn_vaddr != NONE {
        let segs = rebase::Segments {
            phdrs,
            count: eh.e_phnum as usize,
        };
        // SAFETY: forwarded from the caller; nothing is relocated yet.
        unsafe { rebase::rebase(sp, base, segs) };
        // SAFETY: forwarded from the caller.
        unsafe { apply(sp, base, dyn_vaddr, dyn_size) };
    }
    if relro_vaddr != NONE {
        let start = base.wrapping_add(relro_vaddr) & !(PAGE - 1);
        let end = base
            .wrapping_add(relro_vaddr)
            .wrapping_add(relro_size)
            .wrapping_add(PAGE - 1)
            & !(PAGE - 1);
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
        if r > usize::MAX - 4095 {
            fail(
                sp,
                b"mprotect of RELRO failed with errno",
                Some(r.wrapping_neg()),
            );
        }
    }
}

/// "Absent", for an address: no segment of ours ends at the top of memory.
const NONE: usize = usize::MAX;

/// Applies the relocations the dynamic section at `dyn_vaddr` (link-time
/// address, `dyn_size` bytes) lists, for a program loaded `base` bytes
/// above its link-time address.
///
/// # Safety
///
/// As for [`relocate`]; `base` and the dynamic section are this program's.
#[inline(always)]
unsafe fn apply(sp: *const usize, base: usize, dyn_vaddr: usize, dyn_size: usize) {
    let (mut rela, mut rela_size, mut rela_ent) = (0, 0, 0);
    let (mut relr, mut relr_size, mut relr_ent) = (0, 0, 0);
    let entries = base.wrapping_add(dyn_vaddr) as *const Elf_Dyn;
    let mut i = 0;
    while i < dyn_size / size_of::<Elf_Dyn>() {
        // SAFETY: within PT_DYNAMIC, which is loaded.
        let d = unsafe { &*entries.wrapping_add(i) };
        // SAFETY: every dynamic entry has a value in `d_un`; all its
        // members are plain integers.
        let v = unsafe { d.d_un.d_ptr };
        // An `if` chain, not a `match`: each failure names its literal
        // itself, where a table of messages chosen by tag would be a table
        // of pointers, which need relocating.
        let tag = d.d_tag;
        // Most entries (flags, the empty symbol and init tables lld always
        // writes) concern nothing here: one test skips them.
        if tag >= 64 || (WANTED_TAGS >> (tag & 63)) & 1 == 0 {
            i = i.wrapping_add(1);
            continue;
        }
        if tag == DT_NULL {
            break;
        } else if tag == DT_RELA {
            rela = v;
        } else if tag == DT_RELASZ {
            rela_size = v;
        } else if tag == DT_RELAENT {
            rela_ent = v;
        } else if tag == DT_RELR {
            relr = v;
        } else if tag == DT_RELRSZ {
            relr_size = v;
        } else if tag == DT_RELRENT {
            relr_ent = v;
        } else if tag == DT_RELSZ && v != 0 {
            fail(sp, b"a DT_REL table", None);
        } else if tag == DT_PLTRELSZ && v != 0 {
            fail(sp, b"PLT relocations (DT_JMPREL)", None);
        } else if tag == DT_TEXTREL {
            fail(sp, b"text relocations (DT_TEXTREL)", None);
        }
        i = i.wrapping_add(1);
    }
    if rela % WORD != 0 || relr % WORD != 0 {
        fail(sp, b"misaligned relocation tables", None);
    }
    if rela_size != 0 && rela_ent != size_of::<Elf_Rela>() {
        fail(sp, b"DT_RELAENT of an unexpected size", None);
    }
    if relr_size != 0 && relr_ent != WORD {
        fail(sp, b"DT_RELRENT of an unexpected size", None);
    }

    let table = base.wrapping_add(rela) as *const Elf_Rela;
    let mut i = 0;
    while i < rela_size / size_of::<Elf_Rela>() {
        // SAFETY: within DT_RELA, which the linker put in a loaded segment.
        let r = unsafe { &*table.wrapping_add(i) };
        let ty = (r.r_info & 0xffff_ffff) as u32;
        if ty != arch::R_RELATIVE || r.r_info >> 32 != 0 {
            fail(sp, b"a relocation of type", Some(ty as usize));
        }
        let at = base.wrapping_add(r.r_offset);
        if at % WORD != 0 {
            fail(sp, b"a misaligned DT_RELA target", None);
        }
        // SAFETY: the linker made every relative relocation's target a
        // word of this program's writable (or RELRO) data.
        unsafe { *(at as *mut usize) = base.wrapping_add(r.r_addend) };
        i = i.wrapping_add(1);
    }

    // DT_RELR: an even entry is the address of a word to relocate; an odd
    // one is a bitmap whose bits 1..63 mark the 63 words that follow the
    // last address (ELF gABI, "Relative relocation packing").
    let table = base.wrapping_add(relr) as *const usize;
    let mut next = 0usize;
    let mut i = 0;
    while i < relr_size / WORD {
        // SAFETY: within DT_RELR, which the linker put in a loaded segment.
        let e = unsafe { *table.wrapping_add(i) };
        if e & 1 == 0 {
            let at = base.wrapping_add(e);
            if at % WORD != 0 {
                fail(sp, b"a misaligned DT_RELR address", None);
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
        i = i.wrapping_add(1);
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

/// A message being built in a buffer on the stack, never panicking: bytes
/// past its end are dropped. The buffer is left uninitialised, because
/// zeroing it would call `memset`, whose address may itself come from the
/// GOT, which is not relocated yet.
struct Msg {
    buf: *mut u8,
    len: usize,
}

impl Msg {
    fn byte(&mut self, b: u8) {
        if self.len < MSG_LEN {
            // SAFETY: within the buffer.
            unsafe { *self.buf.wrapping_add(self.len) = b };
            self.len = self.len.wrapping_add(1);
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            // SAFETY: `i` is below the length.
            self.byte(unsafe { *bytes.as_ptr().wrapping_add(i) });
            i = i.wrapping_add(1);
        }
    }

    fn push_decimal(&mut self, n: usize) {
        if n >= 10 {
            self.push_decimal(n / 10);
        }
        self.byte(b'0'.wrapping_add((n % 10) as u8));
    }
}

const MSG_LEN: usize = 384;

/// Reports why the program cannot start and exits with
/// [`EXIT_CANNOT_START`]: `freestand: PROGRAM: cannot relocate itself:
/// WHAT [N] (...)`. Like the rest of the module it calls nothing that could
/// need relocating.
#[cold]
#[inline(never)]
fn fail(sp: *const usize, what: &[u8], number: Option<usize>) -> ! {
    // Not moved after this: a move of the buffer would be a `memcpy` call.
    let mut buf = MaybeUninit::<[u8; MSG_LEN]>::uninit();
    let mut m = Msg {
        buf: buf.as_mut_ptr().cast(),
        len: 0,
    };
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
        m.push_decimal(n);
    }
    m.push(b" (freestand applies only relative relocations; link with its linker script)\n");
    // SAFETY: writes our own buffer to stderr, then ends the process.
    unsafe {
        syscall3(__NR_write, 2, m.buf as usize, m.len);
        syscall1_noreturn(__NR_exit_group, EXIT_CANNOT_START as usize)
    }
}
