//! Validation of an image: ELF header, program headers, dynamic section and
//! the tables it names. For a [`Vdso`](crate::Vdso) everything a lookup
//! needs is checked here once and cached in a [`Core`]; for a
//! [`Resolver`](crate::Resolver) only part of it (see [`Core::build`]), and
//! lookups check the rest as they read it.
//!
//! Only program headers are read, never section headers. Virtual addresses
//! from the dynamic section are turned into offsets in the image through the
//! `PT_LOAD` headers, so images linked at 0, prelinked at a high address, or
//! relocated in place (qemu-user) all resolve the same way.
//!
//! The steps, in the order the data flows:
//!
//! 1. [`elf_header`]: the identification bytes and the header fields.
//! 2. [`program_headers`]: the `PT_LOAD` segments and `PT_DYNAMIC`.
//! 3. [`dynamic_section`]: the entries the parser uses.
//! 4. [`table_placement`]: the addresses those entries give, turned into
//!    ranges of the image.
//! 5. [`hash_tables`]: `DT_GNU_HASH` and `DT_HASH`.
//! 6. [`version_defs`]: the `DT_VERDEF` chain.
//!
//! [`Core::build`], in this module, runs them in that order and places the
//! symbol, string and version index tables itself.

use crate::elf;
use crate::error::Error;
use crate::layout::{Class, Endian, Layout};

mod elf_header;
pub(crate) use elf_header::{Header, header};

mod program_headers;
pub(crate) use program_headers::{Segments, segments};

mod dynamic_section;
use dynamic_section::{Tag, dynamic_entries};

mod table_placement;
use table_placement::{Image, prefix};

mod hash_tables;
pub(crate) use hash_tables::{GnuHash, SysvHash};
use hash_tables::{gnu_hash, sysv_hash};

mod version_defs;
use version_defs::verdef_chain;
pub(crate) use version_defs::{MAX_VERDEFS, VERDEF_CACHE, VerdefEntry};

/// Everything a lookup or a listing needs: validated once when built in
/// full, partly when built lazily (see [`Core::build`]). Not generic: the
/// layout-specific code lives in functions generic over [`Layout`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Core<'a> {
    /// The whole image.
    pub data: &'a [u8],
    /// Address of `data[0]` (0 for a byte slice).
    pub base: u64,
    /// Added to a symbol value to get its address.
    pub bias: u64,
    pub class: Class,
    pub endian: Endian,
    pub machine: u16,
    /// Symbol table, exactly as long as every index below needs (in a lazy
    /// core with a GNU hash table, to the end of its segment).
    pub symtab: &'a [u8],
    /// Number of symbols a listing shows.
    pub nsyms: u32,
    /// String table, `DT_STRSZ` long if given.
    pub strtab: &'a [u8],
    /// Version index table, covering every symbol in `symtab` (in a lazy
    /// core, to the end of its segment, which may cover fewer).
    pub versym: Option<&'a [u8]>,
    /// Version definitions, from the first to the end of its segment.
    pub verdef: Option<&'a [u8]>,
    /// Number of version definitions in the validated chain (for a lazy
    /// core, at most this many are walked).
    pub verdef_count: u32,
    /// The first [`VERDEF_CACHE`] of them.
    pub verdef_cache: [VerdefEntry; VERDEF_CACHE],
    /// How many entries of `verdef_cache` are filled.
    pub verdef_cached: u8,
    pub gnu: Option<GnuHash<'a>>,
    pub sysv: Option<SysvHash<'a>>,
    /// `DT_SONAME`, unvalidated string table offset.
    pub soname: Option<u64>,
}

/// Reads the ELF header and the program headers of `data`.
pub(crate) fn headers<L: Layout>(data: &[u8]) -> Result<(Header, Segments), Error> {
    let hdr = header::<L>(data)?;
    let phdrs = data
        .get(hdr.phoff..hdr.phoff + hdr.phdrs_len())
        .ok_or(Error::OutOfRange { field: "e_phoff" })?;
    let segs = segments::<L>(phdrs, &hdr)?;
    Ok((hdr, segs))
}

impl<'a> Core<'a> {
    /// Validates `data` as an image of layout `L` whose first byte is at
    /// address `base`.
    pub(crate) fn parse<L: Layout>(data: &'a [u8], base: u64) -> Result<Self, Error> {
        let (hdr, segs) = headers::<L>(data)?;
        Self::build::<L, true>(data, base, &hdr, &segs)
    }

    /// Builds the core of `data`, whose headers `hdr` and `segs` have been
    /// read (the program header table is sliced again here, which measured
    /// cheaper than passing it in). With `FULL`, validates everything [`Core`] documents. Without
    /// it, checks only the dynamic section, the presence and placement of
    /// the tables a lookup uses, and the headers of the hash table it will
    /// go through (with a GNU hash table, `DT_HASH` is not read at all and
    /// `sysv` is `None`). With a GNU hash table, `symtab` and its chain run
    /// to the end of their segment and `gnu.end` is `u32::MAX`, and bucket
    /// values are not checked against `symoffset`; `versym` always runs to
    /// the end of its segment; no version definition is cached
    /// (`verdef_count` is only a bound). Lookups read every entry checked,
    /// so they stay in bounds and end either way.
    #[inline(always)]
    pub(crate) fn build<L: Layout, const FULL: bool>(
        data: &'a [u8],
        base: u64,
        hdr: &Header,
        segs: &Segments,
    ) -> Result<Self, Error> {
        let phdrs = data
            .get(hdr.phoff..hdr.phoff + hdr.phdrs_len())
            .ok_or(Error::OutOfRange { field: "e_phoff" })?;
        let img = Image {
            data,
            hdr,
            phdrs,
            segs,
            load: Image::load_contents(data, segs),
        };
        // The load bias comes from the first PT_LOAD.
        if segs.nloads == 0 {
            return Err(Error::NoLoadSegment);
        }
        let bias = base
            .wrapping_add(segs.load.offset)
            .wrapping_sub(segs.load.vaddr)
            & L::ADDR_MASK;
        let dynamic = segs.dynamic;
        if dynamic.p_type != elf::PT_DYNAMIC {
            return Err(Error::NoDynamicSegment);
        }
        let dyns = dynamic_entries::<L>(data, &dynamic)?;

        let symtab_addr = dyns.get(Tag::Symtab).ok_or(Error::NoSymbolTable)?;
        let strtab_addr = dyns.get(Tag::Strtab).ok_or(Error::NoStringTable)?;
        if let Some(syment) = dyns.get(Tag::Syment)
            && syment != L::SYM_SIZE as u64
        {
            return Err(Error::BadSymbolEntrySize(syment));
        }

        let (_, strtab) = img.table::<L>(strtab_addr, "DT_STRTAB")?;
        let strtab = match dyns.get(Tag::Strsz) {
            Some(size) => prefix(strtab, size, 1, "DT_STRSZ")?,
            None => strtab,
        };
        let (symtab_off, symtab_avail) = img.table::<L>(symtab_addr, "DT_SYMTAB")?;

        let machine = hdr.machine;
        let sysv = match dyns.get(Tag::Hash) {
            Some(addr) if FULL || dyns.get(Tag::GnuHash).is_none() => {
                Some(sysv_hash::<L>(&img, addr, machine)?)
            }
            _ => None,
        };
        let gnu = match dyns.get(Tag::GnuHash) {
            Some(addr) => Some(gnu_hash::<L, FULL>(&img, addr)?),
            None => None,
        };

        // How many symbols there are: the System V table says it; the GNU
        // table implies it; without either, the table runs to the next known
        // table after it (or to the end of its segment).
        let (nsyms, reach) = match (&sysv, &gnu) {
            (Some(s), g) => (u64::from(s.nchain), g.map_or(0, |g| g.end)),
            (None, Some(g)) if FULL => {
                let n = if g.end == 0 { g.symoffset } else { g.end };
                (u64::from(n), g.end)
            }
            // Only a listing needs the count, and a lazy core is not listed.
            (None, Some(_)) => (0, 0),
            (None, None) => {
                let mut next = symtab_off + symtab_avail.len();
                let mut consider = |addr: Option<u64>| {
                    if let Some(addr) = addr
                        && let Ok((off, _)) = img.translate::<L>(addr, "")
                        && off > symtab_off
                    {
                        next = next.min(off);
                    }
                };
                consider(Some(strtab_addr));
                consider(dyns.get(Tag::Versym));
                consider(dyns.get(Tag::Verdef));
                if dynamic.offset > symtab_off as u64 {
                    next = next.min(usize::try_from(dynamic.offset).unwrap_or(usize::MAX));
                }
                (((next - symtab_off) / L::SYM_SIZE) as u64, 0)
            }
        };
        let nsyms = u32::try_from(nsyms).map_err(|_| Error::OutOfRange { field: "DT_SYMTAB" })?;
        let table_syms = u64::from(nsyms).max(u64::from(reach));
        let symtab = if FULL || gnu.is_none() {
            prefix(symtab_avail, table_syms, L::SYM_SIZE, "DT_SYMTAB")?
        } else {
            symtab_avail
        };

        let versym = match dyns.get(Tag::Versym) {
            Some(addr) => {
                let (_, t) = img.table::<L>(addr, "DT_VERSYM")?;
                Some(if FULL {
                    prefix(t, table_syms, 2, "DT_VERSYM")?
                } else {
                    t
                })
            }
            None => None,
        };
        let mut verdef_cache = [VerdefEntry::default(); VERDEF_CACHE];
        let (verdef, verdef_count) = match dyns.get(Tag::Verdef) {
            Some(addr) => {
                let (_, t) = img.table::<L>(addr, "DT_VERDEF")?;
                let count = if FULL {
                    verdef_chain::<L>(t, strtab, dyns.get(Tag::Verdefnum), &mut verdef_cache)?
                } else {
                    dyns.get(Tag::Verdefnum)
                        .map_or(MAX_VERDEFS, |n| n.min(u64::from(MAX_VERDEFS)) as u32)
                };
                (Some(t), count)
            }
            None => (None, 0),
        };
        let verdef_cached = if FULL {
            (verdef_count as usize).min(VERDEF_CACHE) as u8
        } else {
            0
        };

        Ok(Core {
            data,
            base,
            bias,
            class: L::CLASS,
            endian: L::ENDIAN,
            machine,
            symtab,
            nsyms,
            strtab,
            versym,
            verdef,
            verdef_count,
            verdef_cache,
            verdef_cached,
            gnu,
            sysv,
            soname: dyns.get(Tag::Soname),
        })
    }
}
