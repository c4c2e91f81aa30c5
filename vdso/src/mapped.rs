//! The one constructor that reads memory by address: the running program's
//! vDSO, found through `AT_SYSINFO_EHDR`.
//!
//! # Safety
//!
//! This module turns an address into byte slices, in three bounded steps:
//! the ELF header (its fixed size), then the program header table (the size
//! the validated header gives), then the image up to the end of the
//! furthest `PT_LOAD` segment's file contents (from the validated program
//! headers). Nothing else is read from the address; the resulting slice is
//! handed to the same bounds-checked parser as any other byte slice. The
//! caller's promise, stated on [`Vdso::from_sysinfo_ehdr`], is what makes
//! each of the three slices valid.
#![allow(unsafe_code)]

use core::slice;

use crate::arch::NATIVE_MACHINE;
use crate::error::Error;
use crate::layout::{Layout, Native};
use crate::parse::{Core, header, segments};
use crate::resolver::Resolver;
use crate::vdso::Vdso;

/// Maps the running program's vDSO at `addr` into a slice and builds its
/// [`Core`], validated in full with `FULL`, lazily without: the one
/// constructor behind [`Vdso::from_sysinfo_ehdr`] and
/// [`Resolver::from_sysinfo_ehdr`]. Reads the ELF header and the program
/// headers once.
///
/// # Safety
///
/// As [`Vdso::from_sysinfo_ehdr`].
#[inline(always)]
unsafe fn map<'a, const FULL: bool>(addr: usize) -> Result<Core<'a>, Error> {
    if addr == 0 {
        return Err(Error::NoVdso);
    }
    let expected = NATIVE_MACHINE.ok_or(Error::UnsupportedArchitecture)?;
    let ptr = addr as *const u8;
    // An image whose end does not fit the address space cannot be real.
    let fits = |len: usize| addr.checked_add(len).is_some() && len <= isize::MAX as usize;

    // SAFETY: the caller promises the ELF header at `addr` is readable and
    // unmodified for 'a; the header has this fixed size.
    let ehdr: &'a [u8] = unsafe { slice::from_raw_parts(ptr, Native::EHDR_SIZE) };
    let hdr = header::<Native>(ehdr)?;
    if hdr.machine != expected {
        return Err(Error::WrongMachine {
            expected,
            found: hdr.machine,
        });
    }
    let phdrs_end = hdr.phoff + hdr.phdrs_len();
    if !fits(phdrs_end) {
        return Err(Error::OutOfRange { field: "e_phoff" });
    }
    // SAFETY: the caller promises the program header table the validated
    // header describes is readable and unmodified for 'a; `header` checked
    // that `phoff + phdrs_len` does not overflow, and `fits` that the range
    // stays inside the address space.
    let phdrs: &'a [u8] = unsafe { slice::from_raw_parts(ptr.add(hdr.phoff), hdr.phdrs_len()) };
    let segs = segments::<Native>(phdrs, &hdr)?;
    let len = segs.mapped_len::<Native>(&hdr)?;
    if !fits(len) {
        return Err(Error::OutOfRange {
            field: "PT_LOAD p_filesz",
        });
    }
    // SAFETY: the caller promises that every PT_LOAD segment's file
    // contents, up to `p_offset + p_filesz` from `addr`, are readable and
    // unmodified for 'a; `len` is the largest such end, it covers the header
    // and program headers already read, and `fits` checked it stays within
    // the address space and `isize::MAX`.
    let image: &'a [u8] = unsafe { slice::from_raw_parts(ptr, len) };
    Core::build::<Native, FULL>(image, addr as u64, &hdr, &segs)
}

impl<'a> Vdso<'a, Native> {
    /// Validates the running program's vDSO, whose ELF header is at `addr`:
    /// the value of the `AT_SYSINFO_EHDR` entry of the auxiliary vector.
    ///
    /// Besides what [`Vdso::parse`] checks, the image must be of the
    /// running program's class, byte order and `e_machine` (for example
    /// `EM_X86_64` on x86_64, `EM_RISCV` on riscv64, `EM_AARCH64` on
    /// aarch64). Symbol addresses are absolute: a [`Symbol::address`] can be
    /// cast to a function pointer of the right signature.
    ///
    /// `addr == 0` (the kernel gave no vDSO) is not undefined behaviour: it
    /// returns [`Error::NoVdso`].
    ///
    /// # Safety
    ///
    /// If `addr` is not 0, then for the whole lifetime `'a`, nothing writes
    /// to, and the program can read:
    ///
    /// - the ELF header at `addr` and the program header table it points to
    ///   (`e_phnum` entries of `e_phentsize` bytes at `addr + e_phoff`), and
    /// - the first `len` bytes from `addr`, where `len` is the largest
    ///   `p_offset + p_filesz` among the `PT_LOAD` program headers.
    ///
    /// The value the kernel puts in `AT_SYSINFO_EHDR` satisfies this for the
    /// life of the process (`'static`) unless the program unmaps or remaps
    /// the vDSO itself; so does qemu-user's.
    ///
    /// [`Symbol::address`]: crate::Symbol::address
    ///
    /// # Errors
    ///
    /// [`Error::NoVdso`] for `addr == 0`;
    /// [`Error::UnsupportedArchitecture`] where this crate does not know the
    /// native `e_machine`; [`Error::WrongMachine`] and the errors of
    /// [`Vdso::parse`] otherwise.
    pub unsafe fn from_sysinfo_ehdr(addr: usize) -> Result<Self, Error> {
        // SAFETY: the caller's promise is `map`'s.
        unsafe { map::<true>(addr) }.map(Vdso::from_core)
    }
}

impl<'a> Resolver<'a, Native> {
    /// Opens the running program's vDSO, whose ELF header is at `addr` (the
    /// value of `AT_SYSINFO_EHDR`), for lookups. Checks what
    /// [`Resolver::parse`] checks, plus the class, byte order and
    /// `e_machine` of the running program, as [`Vdso::from_sysinfo_ehdr`]
    /// does. Symbol addresses are absolute.
    ///
    /// # Safety
    ///
    /// As [`Vdso::from_sysinfo_ehdr`].
    ///
    /// # Errors
    ///
    /// As [`Vdso::from_sysinfo_ehdr`], for the parts a `Resolver` checks
    /// when it is opened.
    //
    // Inlined: a runtime opens its vDSO in one place, and there the
    // opened image is then built where the caller keeps it, not copied.
    #[inline(always)]
    pub unsafe fn from_sysinfo_ehdr(addr: usize) -> Result<Self, Error> {
        // SAFETY: the caller's promise is `map`'s.
        unsafe { map::<false>(addr) }.map(Resolver::from_core)
    }
}
