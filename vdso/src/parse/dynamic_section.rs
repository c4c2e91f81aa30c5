//! The dynamic section: the values of the entries the parser uses, read
//! once from the `PT_DYNAMIC` segment.

use crate::elf;
use crate::error::Error;
use crate::layout::{Layout, word_at};

use super::program_headers::Phdr;

/// The dynamic tags the parser uses, each an index into [`Dynamic`].
#[derive(Clone, Copy)]
pub(super) enum Tag {
    Hash,
    GnuHash,
    Strtab,
    Symtab,
    Strsz,
    Syment,
    Soname,
    Versym,
    Verdef,
    Verdefnum,
}

/// Values of the dynamic entries the parser uses: the value of [`Tag`] `t`
/// is `vals[t]` if bit `t` of `present` is set. Kept this small because it
/// is built on every parse.
#[derive(Default)]
pub(super) struct Dynamic {
    vals: [u64; 10],
    present: u16,
}

impl Dynamic {
    #[inline(always)]
    pub(super) fn get(&self, tag: Tag) -> Option<u64> {
        let i = tag as usize;
        (self.present & (1 << i) != 0).then(|| self.vals[i])
    }
}

/// Reads the dynamic entries the parser uses. The first of each tag wins;
/// reading stops at `DT_NULL` or at the end of the segment (or image).
#[inline(always)]
pub(super) fn dynamic_entries<L: Layout>(data: &[u8], ph: &Phdr) -> Result<Dynamic, Error> {
    let oob = Error::OutOfRange {
        field: "PT_DYNAMIC p_offset",
    };
    let start = usize::try_from(ph.offset).map_err(|_| oob)?;
    let rest = data.get(start..).ok_or(oob)?;
    let len = usize::try_from(ph.filesz)
        .unwrap_or(usize::MAX)
        .min(rest.len());
    let mut d = Dynamic::default();
    for entry in rest[..len].chunks_exact(L::DYN_SIZE) {
        // chunks_exact guarantees both words are present.
        let tag = word_at::<L>(entry, 0).ok_or(oob)?;
        let value = word_at::<L>(entry, L::WORD).ok_or(oob)?;
        // One arm per tag, each with its own constant bit, so that no arm
        // computes a bit or an index at run time.
        macro_rules! keep {
            ($tag:expr) => {{
                let bit = 1 << $tag as usize;
                if d.present & bit == 0 {
                    d.present |= bit;
                    d.vals[$tag as usize] = value;
                }
            }};
        }
        match tag {
            elf::DT_NULL => break,
            elf::DT_HASH => keep!(Tag::Hash),
            elf::DT_GNU_HASH => keep!(Tag::GnuHash),
            elf::DT_STRTAB => keep!(Tag::Strtab),
            elf::DT_SYMTAB => keep!(Tag::Symtab),
            elf::DT_STRSZ => keep!(Tag::Strsz),
            elf::DT_SYMENT => keep!(Tag::Syment),
            elf::DT_SONAME => keep!(Tag::Soname),
            elf::DT_VERSYM => keep!(Tag::Versym),
            elf::DT_VERDEF => keep!(Tag::Verdef),
            elf::DT_VERDEFNUM => keep!(Tag::Verdefnum),
            _ => {}
        }
    }
    Ok(d)
}
