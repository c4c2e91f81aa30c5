//! The ELF header: the identification bytes every image of a layout starts
//! with, and the fields of the header the parser uses.

use crate::elf;
use crate::error::Error;
use crate::layout::{Class, Endian, Layout, u16_at, word_at};

/// The fields of the ELF header the parser uses, after validation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    pub machine: u16,
    /// Offset of the program header table.
    pub phoff: usize,
    /// Size of one program header, at least `L::PHDR_SIZE`.
    pub phentsize: usize,
    /// Number of program headers.
    pub phnum: usize,
}

impl Header {
    /// Size in bytes of the program header table.
    pub(crate) fn phdrs_len(&self) -> usize {
        // Both factors come from u16 fields, so this cannot overflow.
        self.phentsize * self.phnum
    }
}

/// Validates the ELF header at the start of `data`, which must hold at least
/// `L::EHDR_SIZE` bytes. Reads nothing past the header.
#[inline(always)]
pub(crate) fn header<L: Layout>(data: &[u8]) -> Result<Header, Error> {
    // The seven identification bytes every image of layout `L` starts with,
    // compared as one word (the eighth, EI_OSABI, is not checked); the
    // first that differs is named by `ident_error`.
    let want = u64::from_le_bytes([
        elf::ELFMAG[0],
        elf::ELFMAG[1],
        elf::ELFMAG[2],
        elf::ELFMAG[3],
        L::CLASS.ident_byte(),
        L::ENDIAN.ident_byte(),
        elf::EV_CURRENT,
        0,
    ]);
    let ehdr = match data.get(..L::EHDR_SIZE) {
        Some(ehdr)
            if ehdr
                .first_chunk::<8>()
                .is_some_and(|w| u64::from_le_bytes(*w) & 0x00ff_ffff_ffff_ffff == want) =>
        {
            ehdr
        }
        _ => return Err(ident_error::<L>(data)),
    };
    let field = |field| Error::OutOfRange { field };
    let e_type = u16_at::<L>(ehdr, L::E_TYPE).ok_or(field("e_type"))?;
    if e_type != elf::ET_DYN {
        return Err(Error::WrongType(e_type));
    }
    let machine = u16_at::<L>(ehdr, L::E_MACHINE).ok_or(field("e_machine"))?;
    let phoff = word_at::<L>(ehdr, L::E_PHOFF).ok_or(field("e_phoff"))?;
    let phentsize = u16_at::<L>(ehdr, L::E_PHENTSIZE).ok_or(field("e_phentsize"))?;
    let phnum = u16_at::<L>(ehdr, L::E_PHNUM).ok_or(field("e_phnum"))?;
    if usize::from(phentsize) < L::PHDR_SIZE {
        return Err(Error::BadPhentsize(phentsize));
    }
    if phnum == 0 {
        return Err(Error::NoLoadSegment);
    }
    let phoff = usize::try_from(phoff).map_err(|_| field("e_phoff"))?;
    let hdr = Header {
        machine,
        phoff,
        phentsize: usize::from(phentsize),
        phnum: usize::from(phnum),
    };
    // The table must be addressable; whether it is inside the image is
    // checked by the caller, which knows the image.
    phoff.checked_add(hdr.phdrs_len()).ok_or(field("e_phoff"))?;
    Ok(hdr)
}

/// Why `data` does not start with the ELF header of an image of layout `L`:
/// the first of its identification bytes that is wrong, or its length.
#[cold]
#[inline(never)]
fn ident_error<L: Layout>(data: &[u8]) -> Error {
    let Some(ident) = data.get(..elf::EI_NIDENT) else {
        return Error::OutOfRange { field: "e_ident" };
    };
    if ident[..4] != elf::ELFMAG {
        return Error::BadMagic;
    }
    let Some(class) = Class::from_ident_byte(ident[elf::EI_CLASS]) else {
        return Error::UnsupportedClass(ident[elf::EI_CLASS]);
    };
    if class != L::CLASS {
        return Error::WrongClass {
            expected: L::CLASS,
            found: class,
        };
    }
    let Some(endian) = Endian::from_ident_byte(ident[elf::EI_DATA]) else {
        return Error::UnsupportedDataEncoding(ident[elf::EI_DATA]);
    };
    if endian != L::ENDIAN {
        return Error::WrongEndian {
            expected: L::ENDIAN,
            found: endian,
        };
    }
    if ident[elf::EI_VERSION] != elf::EV_CURRENT {
        return Error::UnsupportedVersion(ident[elf::EI_VERSION]);
    }
    Error::OutOfRange {
        field: "ELF header",
    }
}
