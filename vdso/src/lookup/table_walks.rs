//! The three ways to the candidates for a name: the chain of its
//! `DT_GNU_HASH` bucket (behind the Bloom filter), the chain of its
//! `DT_HASH` bucket, or every symbol in table order.

use crate::error::Error;
use crate::layout::{Layout, u32_at, u64_at, word_at};
use crate::parse::{Core, GnuHash, SysvHash};
use crate::symbol::Symbol;

use super::matching::Search;
use super::query::Want;
use super::symbol_table::scaled;

impl<'a> Core<'a> {
    /// Looks `name`, whose GNU hash is `h`, up through `gnu`. Inlined into
    /// each of its three callers, as it was into one before `Query`.
    #[inline(always)]
    pub(super) fn lookup_gnu<L: Layout>(
        &self,
        gnu: &GnuHash<'a>,
        h: u32,
        name: &[u8],
        want: Want<'_>,
    ) -> Result<Symbol<'a>, Error> {
        let mut search = Search::new(name, want);
        let bits = (L::WORD * 8) as u32;
        let word = word_at::<L>(gnu.bloom, scaled((h / bits) & gnu.bloom_mask, L::WORD));
        let mask = (1u64 << (h % bits)) | (1u64 << ((h >> gnu.bloom_shift) % bits));
        if word.is_some_and(|w| w & mask == mask)
            && let Some(mut i) = u32_at::<L>(gnu.buckets, scaled(h % gnu.nbuckets, 4))
            && i != 0
        {
            // A full core's chains were checked to end before `gnu.end`; a
            // lazy core's walk ends at its end marker or its last readable
            // chain word.
            while i < gnu.end {
                let Some(h2) = u32_at::<L>(gnu.chain, scaled(i.wrapping_sub(gnu.symoffset), 4))
                else {
                    break;
                };
                if (h ^ h2) >> 1 == 0
                    && let Some(sym) = self.consider::<L>(&mut search, i)
                {
                    return Ok(sym);
                }
                if h2 & 1 != 0 {
                    break;
                }
                i += 1;
            }
        }
        self.finish::<L>(search)
    }

    /// Looks `name`, whose System V hash is `h`, up through `sysv`. Inlined
    /// like [`Core::lookup_gnu`].
    #[inline(always)]
    pub(super) fn lookup_sysv<L: Layout>(
        &self,
        sysv: &SysvHash<'a>,
        h: u32,
        name: &[u8],
        want: Want<'_>,
    ) -> Result<Symbol<'a>, Error> {
        let mut search = Search::new(name, want);
        let entry = |table: &[u8], i: u32| -> Option<u32> {
            if sysv.wide {
                u32::try_from(u64_at::<L>(table, scaled(i, 8))?).ok()
            } else {
                u32_at::<L>(table, scaled(i, 4))
            }
        };
        let mut i = entry(sysv.buckets, h % sysv.nbucket);
        // A chain visits each symbol at most once unless it loops; stop
        // after `nchain` steps either way.
        for _ in 0..sysv.nchain {
            let Some(idx) = i.filter(|&i| i != 0 && i < sysv.nchain) else {
                break;
            };
            if let Some(sym) = self.consider::<L>(&mut search, idx) {
                return Ok(sym);
            }
            i = entry(sysv.chains, idx);
        }
        self.finish::<L>(search)
    }

    /// Looks `name` up by walking every symbol.
    pub(super) fn lookup_linear<L: Layout>(
        &self,
        name: &[u8],
        want: Want<'_>,
    ) -> Result<Symbol<'a>, Error> {
        let mut search = Search::new(name, want);
        for i in 1..self.nsyms {
            if let Some(sym) = self.consider::<L>(&mut search, i) {
                return Ok(sym);
            }
        }
        self.finish::<L>(search)
    }
}
