//! The four ELF layouts (class x data encoding) and the bounds-checked
//! readers every other module uses.
//!
//! The parser is generic over [`Layout`], so code that only ever sees the
//! running program's own vDSO instantiates [`Native`] alone: every field
//! offset below is a constant and every endianness branch folds away.

use core::fmt;

use crate::elf;

/// ELF file class: the width of addresses and offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// `ELFCLASS32`: 32-bit addresses (i386, arm, riscv32, x32, ...).
    Elf32,
    /// `ELFCLASS64`: 64-bit addresses (x86_64, aarch64, riscv64, s390x, ...).
    Elf64,
}

impl Class {
    /// The `e_ident[EI_CLASS]` byte of this class.
    pub const fn ident_byte(self) -> u8 {
        match self {
            Class::Elf32 => elf::ELFCLASS32,
            Class::Elf64 => elf::ELFCLASS64,
        }
    }

    pub(crate) const fn from_ident_byte(b: u8) -> Option<Self> {
        match b {
            elf::ELFCLASS32 => Some(Class::Elf32),
            elf::ELFCLASS64 => Some(Class::Elf64),
            _ => None,
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Class::Elf32 => "ELF32",
            Class::Elf64 => "ELF64",
        })
    }
}

/// ELF data encoding: the byte order of every multi-byte field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endian {
    /// `ELFDATA2LSB`: little endian.
    Little,
    /// `ELFDATA2MSB`: big endian.
    Big,
}

impl Endian {
    /// The `e_ident[EI_DATA]` byte of this encoding.
    pub const fn ident_byte(self) -> u8 {
        match self {
            Endian::Little => elf::ELFDATA2LSB,
            Endian::Big => elf::ELFDATA2MSB,
        }
    }

    pub(crate) const fn from_ident_byte(b: u8) -> Option<Self> {
        match b {
            elf::ELFDATA2LSB => Some(Endian::Little),
            elf::ELFDATA2MSB => Some(Endian::Big),
            _ => None,
        }
    }
}

impl fmt::Display for Endian {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Endian::Little => "little endian",
            Endian::Big => "big endian",
        })
    }
}

mod sealed {
    pub trait Sealed {}
}

/// One ELF layout: a class and a data encoding.
///
/// This trait is sealed; its four implementations are [`Elf64Le`],
/// [`Elf64Be`], [`Elf32Le`] and [`Elf32Be`], and [`Native`] names the one of
/// the running program. Everything in it is a constant, so a
/// [`Vdso<L>`](crate::Vdso) compiles to straight-line reads at fixed offsets.
pub trait Layout: sealed::Sealed + Copy + fmt::Debug + 'static {
    /// The class of this layout.
    const CLASS: Class;
    /// The data encoding of this layout.
    const ENDIAN: Endian;

    #[doc(hidden)]
    const IS64: bool = matches!(Self::CLASS, Class::Elf64);
    /// Size of an address-sized word (`ElfN_Addr`, `ElfN_Off`).
    #[doc(hidden)]
    const WORD: usize = if Self::IS64 { 8 } else { 4 };
    /// Mask that wraps address arithmetic to the class width.
    #[doc(hidden)]
    const ADDR_MASK: u64 = if Self::IS64 {
        u64::MAX
    } else {
        u32::MAX as u64
    };

    // ElfN_Ehdr
    #[doc(hidden)]
    const EHDR_SIZE: usize = if Self::IS64 { 64 } else { 52 };
    #[doc(hidden)]
    const E_TYPE: usize = 16;
    #[doc(hidden)]
    const E_MACHINE: usize = 18;
    #[doc(hidden)]
    const E_PHOFF: usize = if Self::IS64 { 32 } else { 28 };
    #[doc(hidden)]
    const E_PHENTSIZE: usize = if Self::IS64 { 54 } else { 42 };
    #[doc(hidden)]
    const E_PHNUM: usize = if Self::IS64 { 56 } else { 44 };

    // ElfN_Phdr
    #[doc(hidden)]
    const PHDR_SIZE: usize = if Self::IS64 { 56 } else { 32 };
    #[doc(hidden)]
    const P_TYPE: usize = 0;
    #[doc(hidden)]
    const P_OFFSET: usize = if Self::IS64 { 8 } else { 4 };
    #[doc(hidden)]
    const P_VADDR: usize = if Self::IS64 { 16 } else { 8 };
    #[doc(hidden)]
    const P_FILESZ: usize = if Self::IS64 { 32 } else { 16 };

    // ElfN_Dyn
    #[doc(hidden)]
    const DYN_SIZE: usize = 2 * Self::WORD;

    // ElfN_Sym
    #[doc(hidden)]
    const SYM_SIZE: usize = if Self::IS64 { 24 } else { 16 };
    #[doc(hidden)]
    const ST_NAME: usize = 0;
    #[doc(hidden)]
    const ST_INFO: usize = if Self::IS64 { 4 } else { 12 };
    #[doc(hidden)]
    const ST_SHNDX: usize = if Self::IS64 { 6 } else { 14 };
    #[doc(hidden)]
    const ST_VALUE: usize = if Self::IS64 { 8 } else { 4 };
    #[doc(hidden)]
    const ST_SIZE: usize = if Self::IS64 { 16 } else { 8 };
}

macro_rules! layouts {
    ($($(#[$doc:meta])* $name:ident = ($class:ident, $endian:ident);)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {}
        impl sealed::Sealed for $name {}
        impl Layout for $name {
            const CLASS: Class = Class::$class;
            const ENDIAN: Endian = Endian::$endian;
        }
    )*};
}

layouts! {
    /// 64-bit little endian: x86_64, aarch64, riscv64, loongarch64, ppc64le.
    Elf64Le = (Elf64, Little);
    /// 64-bit big endian: s390x, ppc64, aarch64_be, sparc64, mips64.
    Elf64Be = (Elf64, Big);
    /// 32-bit little endian: i386, arm, riscv32, x32, mipsel.
    Elf32Le = (Elf32, Little);
    /// 32-bit big endian: ppc, armeb, hppa, mips, m68k.
    Elf32Be = (Elf32, Big);
}

/// The layout of the running program, and so of its own vDSO.
#[cfg(all(target_pointer_width = "64", target_endian = "little"))]
pub type Native = Elf64Le;
/// The layout of the running program, and so of its own vDSO.
#[cfg(all(target_pointer_width = "64", target_endian = "big"))]
pub type Native = Elf64Be;
/// The layout of the running program, and so of its own vDSO.
#[cfg(all(target_pointer_width = "32", target_endian = "little"))]
pub type Native = Elf32Le;
/// The layout of the running program, and so of its own vDSO.
#[cfg(all(target_pointer_width = "32", target_endian = "big"))]
pub type Native = Elf32Be;
#[cfg(not(any(target_pointer_width = "32", target_pointer_width = "64")))]
compile_error!("freestand-vdso: Linux has no vDSO for this pointer width");

/// Reads `N` bytes at `off`, or `None` when they are not all inside `data`.
#[inline(always)]
fn bytes<const N: usize>(data: &[u8], off: usize) -> Option<[u8; N]> {
    data.get(off..)?.first_chunk::<N>().copied()
}

/// Reads a `u8` at `off`.
#[inline(always)]
pub(crate) fn u8_at(data: &[u8], off: usize) -> Option<u8> {
    data.get(off).copied()
}

/// Reads a `u16` in the byte order of `L` at `off`.
#[inline(always)]
pub(crate) fn u16_at<L: Layout>(data: &[u8], off: usize) -> Option<u16> {
    let b = bytes::<2>(data, off)?;
    Some(match L::ENDIAN {
        Endian::Little => u16::from_le_bytes(b),
        Endian::Big => u16::from_be_bytes(b),
    })
}

/// Reads a `u32` in the byte order of `L` at `off`.
#[inline(always)]
pub(crate) fn u32_at<L: Layout>(data: &[u8], off: usize) -> Option<u32> {
    let b = bytes::<4>(data, off)?;
    Some(match L::ENDIAN {
        Endian::Little => u32::from_le_bytes(b),
        Endian::Big => u32::from_be_bytes(b),
    })
}

/// Reads a `u64` in the byte order of `L` at `off`.
#[inline(always)]
pub(crate) fn u64_at<L: Layout>(data: &[u8], off: usize) -> Option<u64> {
    let b = bytes::<8>(data, off)?;
    Some(match L::ENDIAN {
        Endian::Little => u64::from_le_bytes(b),
        Endian::Big => u64::from_be_bytes(b),
    })
}

/// Reads an address-sized word (`ElfN_Addr`, `ElfN_Off`, `ElfN_Xword` of a
/// `d_val`) of `L` at `off`, widened to `u64`.
#[inline(always)]
pub(crate) fn word_at<L: Layout>(data: &[u8], off: usize) -> Option<u64> {
    if L::IS64 {
        u64_at::<L>(data, off)
    } else {
        u32_at::<L>(data, off).map(u64::from)
    }
}
