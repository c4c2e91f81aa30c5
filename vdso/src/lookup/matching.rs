//! Whether a candidate is the symbol a lookup asks for: its name, a type
//! and binding that can be called, and its version; and the answer when no
//! candidate is.

use crate::elf;
use crate::error::Error;
use crate::layout::{Layout, u32_at};
use crate::parse::Core;
use crate::strings::same;
use crate::symbol::{Symbol, is_callable};

use super::query::Want;
use super::symbol_table::{RawSym, scaled};

/// Collects the outcome of a lookup over a sequence of candidates.
pub(super) struct Search<'n> {
    name: &'n [u8],
    want: Want<'n>,
    /// A callable symbol of this name was seen in another version.
    other_version: bool,
    /// The first hidden match of an unversioned lookup.
    hidden: Option<u32>,
}

impl<'n> Search<'n> {
    pub(super) fn new(name: &'n [u8], want: Want<'n>) -> Self {
        Search {
            name,
            want,
            other_version: false,
            hidden: None,
        }
    }
}

impl<'a> Core<'a> {
    /// Whether the string at `off` is exactly `name`.
    #[inline(always)]
    fn name_is(&self, off: u32, name: &[u8]) -> bool {
        let Some(s) = self
            .strtab
            .get(off as usize..)
            .and_then(|s| s.get(..=name.len()))
        else {
            return false;
        };
        // A name with a NUL in it is no symbol name; checked only on a match.
        s[name.len()] == 0 && same(&s[..name.len()], name)
    }

    /// Considers symbol `i` as a result of `search`.
    #[inline(always)]
    pub(super) fn consider<L: Layout>(
        &self,
        search: &mut Search<'_>,
        i: u32,
    ) -> Option<Symbol<'a>> {
        let sym = self
            .symtab
            .get(scaled(i, L::SYM_SIZE)..)?
            .get(..L::SYM_SIZE)?;
        if !self.name_is(u32_at::<L>(sym, L::ST_NAME)?, search.name) {
            return None;
        }
        let s = self.raw_sym::<L>(i)?;
        if !is_callable(s.kind(), s.binding(), s.shndx) {
            return None;
        }
        // Without DT_VERSYM the version is not checked; with it, a symbol
        // whose entry cannot be read (past the end of a lazily opened
        // table) is no candidate.
        let versym = match self.versym {
            None => None,
            Some(_) => Some(self.versym::<L>(i)?),
        };
        let accept = match (search.want, versym) {
            (_, None) => true,
            (Want::Any, Some(v)) => {
                if v & elf::VERSYM_HIDDEN == 0 {
                    true
                } else {
                    search.hidden.get_or_insert(i);
                    false
                }
            }
            (Want::Version(want), Some(v)) => {
                let ok = matches!(
                    self.verdef::<L>(v & elf::VERSYM_VERSION),
                    Some(e) if e.flags & elf::VER_FLG_BASE == 0 && self.name_is(e.name, want)
                );
                search.other_version |= !ok;
                ok
            }
        };
        if accept {
            self.symbol::<L>(i, s, search.name)
        } else {
            None
        }
    }

    #[inline(always)]
    fn symbol<L: Layout>(&self, i: u32, s: RawSym, name: &[u8]) -> Option<Symbol<'a>> {
        let start = s.name as usize;
        Some(Symbol {
            name: self.strtab.get(start..start + name.len())?,
            index: i,
            value: s.value,
            address: s.value.wrapping_add(self.bias) & L::ADDR_MASK,
            size: s.size,
            kind: s.kind(),
            binding: s.binding(),
        })
    }

    /// The result when no candidate was accepted.
    pub(super) fn finish<L: Layout>(&self, search: Search<'_>) -> Result<Symbol<'a>, Error> {
        if let Some(i) = search.hidden
            && let Some(s) = self.raw_sym::<L>(i)
            && let Some(sym) = self.symbol::<L>(i, s, search.name)
        {
            return Ok(sym);
        }
        Err(if search.other_version {
            Error::VersionNotFound
        } else {
            Error::SymbolNotFound
        })
    }
}
