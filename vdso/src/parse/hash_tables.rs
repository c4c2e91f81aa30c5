//! The hash tables: `DT_GNU_HASH` (header, Bloom filter, buckets and where
//! its chains end) and `DT_HASH` (sizes, with 8-byte entries on 64-bit s390
//! and Alpha).

use core::num::NonZeroU32;

use crate::elf;
use crate::error::Error;
use crate::layout::{Layout, u32_at};

use super::table_placement::{Image, prefix, split};

/// The GNU hash table: its header validated; its buckets and chain end
/// only in a full [`Core`].
///
/// [`Core`]: super::Core
#[derive(Clone, Copy, Debug)]
pub(crate) struct GnuHash<'a> {
    pub nbuckets: NonZeroU32,
    /// Index of the first symbol the table covers.
    pub symoffset: u32,
    /// Bloom filter word count minus one (the count is not required to be a
    /// power of two; like glibc, the index is masked with this).
    pub bloom_mask: u32,
    pub bloom_shift: u32,
    pub bloom: &'a [u8],
    pub buckets: &'a [u8],
    /// Chain words; entry 0 belongs to symbol `symoffset`. In a lazy core,
    /// everything to the end of the segment.
    pub chain: &'a [u8],
    /// One past the last symbol index any chain reaches (0 if every bucket
    /// is empty): every chain walk ends before it. `u32::MAX` in a lazy
    /// core, where a walk ends at its end marker or the end of `chain`.
    pub end: u32,
}

/// The System V hash table, its sizes validated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SysvHash<'a> {
    pub nbucket: NonZeroU32,
    /// Number of chain entries, which is the number of symbols.
    pub nchain: u32,
    pub buckets: &'a [u8],
    pub chains: &'a [u8],
    /// Whether entries are 8 bytes wide (64-bit s390 and Alpha) instead of 4.
    pub wide: bool,
}

/// Validates the System V hash table at `addr`.
pub(super) fn sysv_hash<'a, L: Layout>(
    img: &Image<'a, '_>,
    addr: u64,
    machine: u16,
) -> Result<SysvHash<'a>, Error> {
    let wide = L::IS64 && matches!(machine, elf::EM_S390 | elf::EM_ALPHA | elf::EM_ALPHA_OLD);
    let ent = if wide { 8 } else { 4 };
    let (_, t) = img.table::<L>(addr, "DT_HASH")?;
    let read = |off: usize, field| {
        let v = if wide {
            crate::layout::u64_at::<L>(t, off)
        } else {
            u32_at::<L>(t, off).map(u64::from)
        };
        let v = v.ok_or(Error::OutOfRange { field })?;
        u32::try_from(v).map_err(|_| Error::OutOfRange { field })
    };
    let nbucket = read(0, "DT_HASH nbucket")?;
    let nchain = read(ent, "DT_HASH nchain")?;
    let nbucket = NonZeroU32::new(nbucket).ok_or(Error::InvalidValue {
        field: "DT_HASH nbucket",
    })?;
    let (_, rest) = split(t, 2, ent, "DT_HASH nchain")?;
    let (buckets, rest) = split(rest, u64::from(nbucket.get()), ent, "DT_HASH bucket")?;
    let chains = prefix(rest, u64::from(nchain), ent, "DT_HASH chain")?;
    Ok(SysvHash {
        nbucket,
        nchain,
        buckets,
        chains,
        wide,
    })
}

/// Validates the GNU hash table at `addr` and, with `FULL`, its buckets, and
/// finds where its chains end.
pub(super) fn gnu_hash<'a, L: Layout, const FULL: bool>(
    img: &Image<'a, '_>,
    addr: u64,
) -> Result<GnuHash<'a>, Error> {
    let (_, t) = img.table::<L>(addr, "DT_GNU_HASH")?;
    // One bounds check for the four header words; a shorter table is
    // named by the first word it lacks.
    let Some(head) = t.get(..16) else {
        // A match, not a table of names: a table of string slices would be
        // pointers a static-PIE has to relocate.
        let field = match t.len() / 4 {
            0 => "DT_GNU_HASH nbuckets",
            1 => "DT_GNU_HASH symoffset",
            2 => "DT_GNU_HASH bloom size",
            _ => "DT_GNU_HASH bloom shift",
        };
        return Err(Error::OutOfRange { field });
    };
    let word = |off| u32_at::<L>(head, off).unwrap_or(0);
    let (nbuckets, symoffset, bloom_size, bloom_shift) = (word(0), word(4), word(8), word(12));
    let nbuckets = NonZeroU32::new(nbuckets).ok_or(Error::InvalidValue {
        field: "DT_GNU_HASH nbuckets",
    })?;
    if bloom_size == 0 {
        return Err(Error::InvalidValue {
            field: "DT_GNU_HASH bloom size",
        });
    }
    if bloom_shift >= 32 {
        return Err(Error::InvalidValue {
            field: "DT_GNU_HASH bloom shift",
        });
    }
    let rest = t.get(16..).unwrap_or_default();
    let (bloom, rest) = split(rest, u64::from(bloom_size), L::WORD, "DT_GNU_HASH bloom")?;
    let (buckets, chain_all) = split(rest, u64::from(nbuckets.get()), 4, "DT_GNU_HASH bucket")?;
    // Lazily, a lookup reads the chain entries checked and stops at the end
    // of the segment.
    let (chain, end) = if FULL {
        chain_end::<L>(buckets, chain_all, symoffset)?
    } else {
        (chain_all, u32::MAX)
    };
    Ok(GnuHash {
        nbuckets,
        symoffset,
        bloom_mask: bloom_size - 1,
        bloom_shift,
        bloom,
        buckets,
        chain,
        end,
    })
}

/// Checks every GNU hash bucket against `symoffset` and finds where the
/// chains end: returns the chain words up to that point and one past the
/// last symbol index any chain reaches (0 if every bucket is empty).
fn chain_end<'a, L: Layout>(
    buckets: &[u8],
    chain_all: &'a [u8],
    symoffset: u32,
) -> Result<(&'a [u8], u32), Error> {
    let too_long = Error::ChainTooLong {
        field: "DT_GNU_HASH chain",
    };
    // Every non-empty bucket starts a chain at or after symoffset. The chain
    // of the highest start ends at the first end-marked entry after it, and
    // every other chain ends at or before that one.
    let mut max_start = 0u32;
    for b in buckets.chunks_exact(4) {
        let start = u32_at::<L>(b, 0).ok_or(Error::OutOfRange {
            field: "DT_GNU_HASH bucket",
        })?;
        if start != 0 && start < symoffset {
            return Err(Error::InvalidValue {
                field: "DT_GNU_HASH bucket",
            });
        }
        max_start = max_start.max(start);
    }
    let end = if max_start == 0 {
        0
    } else {
        let mut i = max_start;
        loop {
            let word = (i - symoffset) as usize;
            let h = word
                .checked_mul(4)
                .and_then(|off| u32_at::<L>(chain_all, off))
                .ok_or(too_long)?;
            if h & 1 != 0 {
                break;
            }
            i = i.checked_add(1).ok_or(too_long)?;
        }
        // The last index may be u32::MAX; one past it is no u32.
        i.checked_add(1).ok_or(too_long)?
    };
    let chain = prefix(
        chain_all,
        u64::from(end.saturating_sub(symoffset)),
        4,
        "DT_GNU_HASH chain",
    )?;
    Ok((chain, end))
}
