//! Entries of the symbol table, read one at a time, each read checked: for
//! a lookup's candidates and for a listing.

use crate::elf;
use crate::error::Error;
use crate::layout::{Layout, u8_at, u16_at, u32_at, word_at};
use crate::parse::Core;
use crate::strings::string;
use crate::symbol::{DynSymbol, SymbolBinding, SymbolType};

/// Byte offset of entry `i` of `size` bytes; saturates (and so fails the
/// following bounds check) instead of overflowing on 32-bit hosts.
#[inline(always)]
pub(super) fn scaled(i: u32, size: usize) -> usize {
    (i as usize).saturating_mul(size)
}

/// The fields of one symbol table entry.
#[derive(Clone, Copy)]
pub(crate) struct RawSym {
    pub name: u32,
    pub info: u8,
    pub other: u8,
    pub shndx: u16,
    pub value: u64,
    pub size: u64,
}

impl RawSym {
    #[inline(always)]
    pub(super) fn kind(&self) -> SymbolType {
        SymbolType(self.info & 0xf)
    }

    #[inline(always)]
    pub(super) fn binding(&self) -> SymbolBinding {
        SymbolBinding(self.info >> 4)
    }
}

impl<'a> Core<'a> {
    /// Reads symbol `i`, or `None` if it is outside the validated table.
    #[inline(always)]
    pub(crate) fn raw_sym<L: Layout>(&self, i: u32) -> Option<RawSym> {
        let s = self
            .symtab
            .get(scaled(i, L::SYM_SIZE)..)?
            .get(..L::SYM_SIZE)?;
        Some(RawSym {
            name: u32_at::<L>(s, L::ST_NAME)?,
            info: u8_at(s, L::ST_INFO)?,
            other: u8_at(s, L::ST_INFO + 1)?,
            shndx: u16_at::<L>(s, L::ST_SHNDX)?,
            value: word_at::<L>(s, L::ST_VALUE)?,
            size: word_at::<L>(s, L::ST_SIZE)?,
        })
    }

    /// Reads symbol `i` for a listing.
    pub(crate) fn dyn_symbol<L: Layout>(&self, i: u32) -> Result<DynSymbol<'a>, Error> {
        let s = self
            .raw_sym::<L>(i)
            .ok_or(Error::OutOfRange { field: "DT_SYMTAB" })?;
        Ok(DynSymbol {
            index: i,
            name: string(self.strtab, u64::from(s.name), "st_name")?,
            version: self.version::<L>(i),
            kind: s.kind(),
            binding: s.binding(),
            other: s.other,
            shndx: s.shndx,
            value: s.value,
            size: s.size,
        })
    }

    /// Whether symbol `i` is defined and of a type a listing shows.
    pub(crate) fn listed<L: Layout>(&self, i: u32) -> bool {
        self.raw_sym::<L>(i).is_some_and(|s| {
            s.shndx != elf::SHN_UNDEF
                && matches!(
                    s.kind(),
                    SymbolType::FUNC | SymbolType::OBJECT | SymbolType::NOTYPE
                )
        })
    }
}
