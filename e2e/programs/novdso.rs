//! Runs a static program with an auxiliary vector that has no
//! `AT_SYSINFO_EHDR`, as a kernel or an emulator that maps no vDSO starts
//! it (qemu-user before 8.1, valgrind, kernels built without one).
//!
//! ```text
//! novdso PROGRAM [ARG]...
//! ```
//!
//! It is a small user-space loader:
//!
//! 1. it reads PROGRAM, a static ELF executable of this architecture
//!    (static-PIE or not, no `PT_INTERP`), and checks its headers;
//! 2. it copies the load segments into fresh anonymous memory (where the
//!    kernel chooses for `ET_DYN`, at their link address for `ET_EXEC`) and
//!    gives each the protection its program header asks for;
//! 3. it builds an initial stack on a fresh 8 MiB mapping, laid out as the
//!    kernel does: `PROGRAM ARG...` as `argv`, this process's environment,
//!    and this process's auxiliary vector without `AT_SYSINFO_EHDR`, with
//!    `AT_PHDR`, `AT_PHNUM`, `AT_PHENT`, `AT_ENTRY`, `AT_BASE` and
//!    `AT_EXECFN` describing PROGRAM. The strings are this process's own,
//!    which stay mapped;
//! 4. it enters PROGRAM's entry point with that stack
//!    ([`freestand_rt::entry::start_program`]).
//!
//! When PROGRAM cannot be loaded it prints `novdso: PROGRAM: WHAT` and
//! exits with status 127. A non-PIE PROGRAM needs its link address free,
//! so a non-PIE build of this loader cannot load a non-PIE program linked
//! at the same address (the suite uses a static-PIE loader). The suite runs freestand programs through it on
//! every platform to test start-up without a vDSO.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::ffi::CStr;
use core::fmt;
use core::mem::size_of;
use freestand_rt::syscalls::Errno;
use freestand_rt::syscalls::fs::{self, AT_FDCWD, OFlags};
use freestand_rt::syscalls::io;
use freestand_rt::syscalls::mm::{self, MapFlags, ProtFlags};
use freestand_rt::{eprintln, stack};
use linux_raw_sys::auxvec::{
    AT_BASE, AT_ENTRY, AT_EXECFN, AT_NULL, AT_PHDR, AT_PHENT, AT_PHNUM, AT_SYSINFO_EHDR,
};
use linux_raw_sys::elf::{
    ELFMAG, ET_DYN, Elf_Ehdr, Elf_Phdr, PF_R, PF_W, PF_X, PT_INTERP, PT_LOAD,
};

freestand_rt::entry!(main);

/// The ELF machine this loader runs programs for: its own.
const MACHINE: u16 = match freestand_vdso::NATIVE_MACHINE {
    Some(m) => m,
    None => panic!("no ELF machine number for this architecture"),
};

/// `ET_EXEC`, a program linked at fixed addresses (ELF gABI; linux-raw-sys
/// has `ET_DYN` only).
const ET_EXEC: u16 = 2;
const PAGE: usize = 4096;
const STACK_SIZE: usize = 8 << 20;

/// Why a program cannot be loaded.
#[derive(Debug)]
enum LoadError {
    Usage,
    Open(Errno),
    Read(Errno),
    Truncated(&'static str),
    NotElf,
    Machine(u16),
    Type(u16),
    Interpreter,
    NoLoadSegment,
    BadSegment(usize),
    Map(Errno),
    Occupied(usize),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Usage => f.write_str("usage: novdso PROGRAM [ARG]..."),
            LoadError::Open(e) => write!(f, "cannot open: {e}"),
            LoadError::Read(e) => write!(f, "cannot read: {e}"),
            LoadError::Truncated(what) => write!(f, "file too short for its {what}"),
            LoadError::NotElf => f.write_str("not a 64-bit little-endian ELF file"),
            LoadError::Machine(m) => {
                write!(f, "ELF machine {m}, this loader runs machine {MACHINE}")
            }
            LoadError::Type(t) => write!(f, "ELF type {t}, not an executable"),
            LoadError::Interpreter => {
                f.write_str("has an interpreter (PT_INTERP): only static programs")
            }
            LoadError::NoLoadSegment => f.write_str("no PT_LOAD segment"),
            LoadError::BadSegment(i) => {
                write!(f, "program header {i} lies outside the file or memory")
            }
            LoadError::Map(e) => write!(f, "cannot map memory: {e}"),
            LoadError::Occupied(at) => write!(
                f,
                "its link address {at:#x} is already in use (by this loader, if it is a \
                 non-PIE build too)"
            ),
        }
    }
}

fn main() -> i32 {
    let mut args = stack::args();
    let _self = args.next();
    let Some(program) = args.next() else {
        eprintln!("novdso: {}", LoadError::Usage);
        return 2;
    };
    let argv: Vec<&CStr> = core::iter::once(program).chain(args).collect();
    match load(program) {
        Ok(image) => {
            let sp = initial_stack(&argv, program, &image);
            match sp {
                // SAFETY: `image` is a complete, protected copy of a static
                // program, and `sp` an initial stack laid out as the kernel
                // lays one out, on memory that stays mapped.
                Ok(sp) => unsafe { freestand_rt::entry::start_program(sp, image.entry) },
                Err(e) => {
                    eprintln!("novdso: {}: {e}", program.to_string_lossy());
                    127
                }
            }
        }
        Err(e) => {
            eprintln!("novdso: {}: {e}", program.to_string_lossy());
            127
        }
    }
}

/// A program copied into memory.
struct Image {
    /// Run-time address of its program headers.
    phdr: usize,
    /// Their number.
    phnum: usize,
    /// Run-time address of its entry point.
    entry: usize,
}

/// Reads the whole file at `path`.
fn read_file(path: &CStr) -> Result<Vec<u8>, LoadError> {
    let fd =
        fs::openat(AT_FDCWD, path, OFlags::RDONLY | OFlags::CLOEXEC, 0).map_err(LoadError::Open)?;
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let result = loop {
        match io::read(fd, &mut chunk) {
            Ok(0) => break Ok(data),
            Ok(n) => data.extend_from_slice(&chunk[..n]),
            Err(Errno::EINTR) => {}
            Err(e) => break Err(LoadError::Read(e)),
        }
    };
    // Read-only: nothing is lost if close reports an error.
    let _ = fs::close(fd);
    result
}

/// Reads a `T` (a plain-integer ELF structure) at byte `at` of `file`.
fn read_at<T>(file: &[u8], at: usize, what: &'static str) -> Result<T, LoadError> {
    let bytes = at
        .checked_add(size_of::<T>())
        .and_then(|end| file.get(at..end))
        .ok_or(LoadError::Truncated(what))?;
    // SAFETY: `bytes` holds `size_of::<T>()` bytes, and every `T` used here
    // (an ELF header structure) is made of integers only, so any bytes are
    // a valid value.
    Ok(unsafe { bytes.as_ptr().cast::<T>().read_unaligned() })
}

/// Loads the program at `path`; see the module docs.
fn load(path: &CStr) -> Result<Image, LoadError> {
    let file = read_file(path)?;
    let eh: Elf_Ehdr = read_at(&file, 0, "ELF header")?;
    if eh.e_ident[..4] != ELFMAG[..4] || eh.e_ident[4] != 2 || eh.e_ident[5] != 1 {
        return Err(LoadError::NotElf);
    }
    if eh.e_machine != MACHINE {
        return Err(LoadError::Machine(eh.e_machine));
    }
    if eh.e_type != ET_DYN && eh.e_type != ET_EXEC {
        return Err(LoadError::Type(eh.e_type));
    }
    let phdrs = (0..usize::from(eh.e_phnum))
        .map(|i| {
            let at = i
                .checked_mul(size_of::<Elf_Phdr>())
                .and_then(|o| o.checked_add(eh.e_phoff))
                .ok_or(LoadError::Truncated("program headers"))?;
            read_at::<Elf_Phdr>(&file, at, "program headers")
        })
        .collect::<Result<Vec<_>, _>>()?;
    if phdrs.iter().any(|p| p.p_type == PT_INTERP) {
        return Err(LoadError::Interpreter);
    }
    // The page-aligned range the load segments cover, each checked
    // against the file and against overflow.
    let mut low = usize::MAX;
    let mut high = 0;
    for (i, p) in phdrs.iter().enumerate() {
        if p.p_type != PT_LOAD {
            continue;
        }
        let file_end = p.p_offset.checked_add(p.p_filesz);
        let mem_end = p.p_vaddr.checked_add(p.p_memsz);
        match (file_end, mem_end) {
            (Some(f), Some(m)) if f <= file.len() && p.p_filesz <= p.p_memsz => {
                low = low.min(p.p_vaddr & !(PAGE - 1));
                match m.checked_next_multiple_of(PAGE) {
                    Some(end) => high = high.max(end),
                    None => return Err(LoadError::BadSegment(i)),
                }
            }
            _ => return Err(LoadError::BadSegment(i)),
        }
    }
    if low >= high {
        return Err(LoadError::NoLoadSegment);
    }
    let len = high - low;
    // SAFETY: a new anonymous mapping; FIXED_NOREPLACE (for ET_EXEC) fails
    // with EEXIST rather than replace anything already mapped (kernels
    // before 4.17 take it as a hint, checked below).
    let at = unsafe {
        if eh.e_type == ET_DYN {
            mm::mmap(
                core::ptr::null_mut(),
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE | MapFlags::ANONYMOUS,
                -1,
                0,
            )
        } else {
            mm::mmap(
                low as *mut u8,
                len,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE | MapFlags::ANONYMOUS | MapFlags::FIXED_NOREPLACE,
                -1,
                0,
            )
        }
    }
    .map_err(|e| match e {
        Errno::EEXIST => LoadError::Occupied(low),
        e => LoadError::Map(e),
    })?;
    if eh.e_type == ET_EXEC && at.as_ptr() as usize != low {
        // SAFETY: the mapping just made, which nothing else uses.
        let _ = unsafe { mm::munmap(at.as_ptr(), len) };
        return Err(LoadError::Occupied(low));
    }
    let base = (at.as_ptr() as usize).wrapping_sub(low);
    for p in phdrs.iter().filter(|p| p.p_type == PT_LOAD) {
        let from = &file[p.p_offset..][..p.p_filesz];
        // SAFETY: the segment lies inside the new mapping (its range was
        // part of `low..high`), which nothing else uses.
        unsafe {
            core::ptr::copy_nonoverlapping(from.as_ptr(), (base + p.p_vaddr) as *mut u8, from.len())
        };
    }
    // While the mapping is still readable and writable: make the copied
    // code executable for this thread.
    // SAFETY: the range was just mapped, and written through the mapping.
    unsafe { freestand_rt::entry::sync_icache((base + low) as *const u8, high - low) };
    for p in phdrs.iter().filter(|p| p.p_type == PT_LOAD) {
        let start = (base + p.p_vaddr) & !(PAGE - 1);
        let end = (base + p.p_vaddr + p.p_memsz).next_multiple_of(PAGE);
        let mut prot = ProtFlags::empty();
        prot.set(ProtFlags::READ, p.p_flags & PF_R != 0);
        prot.set(ProtFlags::WRITE, p.p_flags & PF_W != 0);
        prot.set(ProtFlags::EXEC, p.p_flags & PF_X != 0);
        // SAFETY: pages of the new mapping, which holds only this program.
        unsafe { mm::mprotect(start as *mut u8, end - start, prot) }.map_err(LoadError::Map)?;
    }
    // The program headers, found in the load segment whose file bytes
    // hold them.
    let phdr = phdrs
        .iter()
        .find(|p| {
            p.p_type == PT_LOAD && p.p_offset <= eh.e_phoff && eh.e_phoff < p.p_offset + p.p_filesz
        })
        .map(|p| base + p.p_vaddr + (eh.e_phoff - p.p_offset))
        .ok_or(LoadError::Truncated("program headers in a load segment"))?;
    Ok(Image {
        phdr,
        phnum: phdrs.len(),
        entry: base.wrapping_add(eh.e_entry),
    })
}

/// Builds the program's initial stack on a new mapping and returns its
/// stack pointer.
fn initial_stack(argv: &[&CStr], program: &CStr, image: &Image) -> Result<*mut usize, LoadError> {
    let mut words: Vec<usize> = Vec::new();
    words.push(argv.len());
    words.extend(argv.iter().map(|a| a.as_ptr() as usize));
    words.push(0);
    words.extend(stack::env().map(|e| e.as_ptr() as usize));
    words.push(0);
    for (key, value) in stack::auxv() {
        let value = match key as u32 {
            AT_SYSINFO_EHDR => continue,
            AT_PHDR => image.phdr,
            AT_PHNUM => image.phnum,
            AT_PHENT => size_of::<Elf_Phdr>(),
            AT_ENTRY => image.entry,
            AT_BASE => 0,
            AT_EXECFN => program.as_ptr() as usize,
            _ => value,
        };
        words.extend([key, value]);
    }
    words.extend([AT_NULL as usize, 0]);
    let bytes = words.len() * size_of::<usize>();
    if bytes > STACK_SIZE / 2 {
        return Err(LoadError::Map(Errno::E2BIG));
    }
    let stack = mm::mmap_anonymous(STACK_SIZE, ProtFlags::READ | ProtFlags::WRITE)
        .map_err(LoadError::Map)?;
    let top = stack.as_ptr() as usize + STACK_SIZE;
    // 16-byte aligned, as the kernel leaves it.
    let sp = (top - bytes) & !15;
    // SAFETY: `sp..sp + bytes` lies inside the new mapping.
    unsafe { core::ptr::copy_nonoverlapping(words.as_ptr(), sp as *mut usize, words.len()) };
    Ok(sp as *mut usize)
}
