//! The version definitions (`DT_VERDEF`): the chain validated once, and its
//! first entries kept at hand for lookups.

use crate::elf;
use crate::error::Error;
use crate::layout::{Layout, u16_at, u32_at};
use crate::strings::string;

/// Longest version definition chain accepted when `DT_VERDEFNUM` does not
/// bound it (a vDSO has two entries).
pub(crate) const MAX_VERDEFS: u32 = 1024;

/// How many version definitions a [`Core`] keeps at hand for lookups (a
/// vDSO has two or three); longer chains are walked.
///
/// [`Core`]: super::Core
pub(crate) const VERDEF_CACHE: usize = 4;

/// The fields of one version definition a lookup needs.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct VerdefEntry {
    /// `vd_ndx` without the hidden bit.
    pub ndx: u16,
    pub flags: u16,
    /// `vda_name` of the first `Verdaux`: a string table offset, validated
    /// for the cached entries of a full [`Core`]; a lookup checks it again
    /// as it compares.
    ///
    /// [`Core`]: super::Core
    pub name: u32,
}

/// Walks and validates the version definition chain starting at `t[0]`;
/// returns its length and fills `cache` with its first entries.
pub(super) fn verdef_chain<L: Layout>(
    t: &[u8],
    strtab: &[u8],
    verdefnum: Option<u64>,
    cache: &mut [VerdefEntry; VERDEF_CACHE],
) -> Result<u32, Error> {
    let mut off = 0usize;
    let mut count = 0u32;
    loop {
        if verdefnum.is_some_and(|n| u64::from(count) >= n) {
            break;
        }
        if count >= MAX_VERDEFS {
            return Err(Error::ChainTooLong {
                field: "verdef vd_next",
            });
        }
        let field = if count == 0 {
            "DT_VERDEF"
        } else {
            "verdef vd_next"
        };
        let vd = t
            .get(off..)
            .and_then(|v| v.get(..elf::VERDEF_SIZE))
            .ok_or(Error::OutOfRange { field })?;
        let oob = |field| Error::OutOfRange { field };
        let version = u16_at::<L>(vd, 0).ok_or(oob("verdef vd_version"))?;
        if version != elf::VER_DEF_CURRENT {
            return Err(Error::InvalidValue {
                field: "verdef vd_version",
            });
        }
        let aux = u32_at::<L>(vd, 12).ok_or(oob("verdef vd_aux"))?;
        let next = u32_at::<L>(vd, 16).ok_or(oob("verdef vd_next"))?;
        let aux_off = off.checked_add(aux as usize).ok_or(oob("verdef vd_aux"))?;
        let name = t
            .get(aux_off..)
            .and_then(|a| a.get(..elf::VERDAUX_SIZE))
            .and_then(|a| u32_at::<L>(a, 0))
            .ok_or(oob("verdef vd_aux"))?;
        string(strtab, u64::from(name), "verdaux vda_name")?;
        if let Some(slot) = cache.get_mut(count as usize) {
            *slot = VerdefEntry {
                ndx: u16_at::<L>(vd, 4).ok_or(oob("verdef vd_ndx"))? & elf::VERSYM_VERSION,
                flags: u16_at::<L>(vd, 2).ok_or(oob("verdef vd_flags"))?,
                name,
            };
        }
        count += 1;
        if next == 0 {
            break;
        }
        off = off
            .checked_add(next as usize)
            .ok_or(oob("verdef vd_next"))?;
    }
    Ok(count)
}
