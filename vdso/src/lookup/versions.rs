//! A symbol's version: its `DT_VERSYM` index, and the version definition
//! that index names, from the cache of a full core or walked.

use crate::elf;
use crate::layout::{Layout, u16_at, u32_at};
use crate::parse::{Core, VERDEF_CACHE, VerdefEntry};
use crate::strings::string;
use crate::symbol::Version;

use super::symbol_table::scaled;

impl<'a> Core<'a> {
    /// The `DT_VERSYM` entry of symbol `i`.
    #[inline(always)]
    pub(super) fn versym<L: Layout>(&self, i: u32) -> Option<u16> {
        u16_at::<L>(self.versym?, scaled(i, 2))
    }

    /// Finds the version definition with index `ndx` (hidden bit clear).
    #[inline(always)]
    pub(super) fn verdef<L: Layout>(&self, ndx: u16) -> Option<VerdefEntry> {
        self.verdef?;
        let cached = usize::from(self.verdef_cached).min(VERDEF_CACHE);
        if let Some(e) = self.verdef_cache[..cached].iter().find(|e| e.ndx == ndx) {
            return Some(*e);
        }
        if self.verdef_count as usize > cached {
            self.verdef_walk::<L>(ndx)
        } else {
            None
        }
    }

    /// [`Core::verdef`] for definitions past the cached ones: walks at most
    /// `verdef_count` entries of the chain, each read checked.
    fn verdef_walk<L: Layout>(&self, ndx: u16) -> Option<VerdefEntry> {
        let t = self.verdef?;
        let mut off = 0usize;
        for _ in 0..self.verdef_count {
            // One bounds check for the entry's fixed fields.
            let vd = t.get(off..)?.get(..elf::VERDEF_SIZE)?;
            if u16_at::<L>(vd, 0)? != elf::VER_DEF_CURRENT {
                return None;
            }
            if u16_at::<L>(vd, 4)? & elf::VERSYM_VERSION == ndx {
                let aux = off.checked_add(u32_at::<L>(vd, 12)? as usize)?;
                return Some(VerdefEntry {
                    ndx,
                    flags: u16_at::<L>(vd, 2)?,
                    name: u32_at::<L>(t, aux)?,
                });
            }
            let next = u32_at::<L>(vd, 16)?;
            if next == 0 {
                return None;
            }
            off = off.checked_add(next as usize)?;
        }
        None
    }

    /// The version of symbol `i`, for a listing.
    pub(crate) fn version<L: Layout>(&self, i: u32) -> Version<'a> {
        let Some(v) = self.versym::<L>(i) else {
            return Version::None;
        };
        let index = v & elf::VERSYM_VERSION;
        let hidden = v & elf::VERSYM_HIDDEN != 0;
        if index <= 1 {
            return Version::None;
        }
        let name = self
            .verdef::<L>(index)
            .and_then(|e| string(self.strtab, u64::from(e.name), "").ok());
        match name {
            Some(name) => Version::Defined {
                name,
                index,
                hidden,
            },
            None => Version::Unknown { index, hidden },
        }
    }
}
