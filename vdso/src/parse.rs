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

use core::num::NonZeroU32;

use crate::elf;
use crate::error::Error;
use crate::layout::{Class, Endian, Layout, u16_at, u32_at, word_at};

/// Longest version definition chain accepted when `DT_VERDEFNUM` does not
/// bound it (a vDSO has two entries).
pub(crate) const MAX_VERDEFS: u32 = 1024;

/// How many version definitions a [`Core`] keeps at hand for lookups (a
/// vDSO has two or three); longer chains are walked.
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
    pub name: u32,
}

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

/// The fields of one program header the parser uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Phdr {
    pub p_type: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
}

/// Reads program header `i` from `table` (the program header table).
pub(crate) fn phdr<L: Layout>(table: &[u8], hdr: &Header, i: usize) -> Result<Phdr, Error> {
    let off = i
        .checked_mul(hdr.phentsize)
        .ok_or(Error::OutOfRange { field: "e_phoff" })?;
    phdr_at::<L>(table, off)
}

/// Reads the program header at offset `off` of `table`. One bounds check
/// covers the whole entry, so the field reads need none.
#[inline(always)]
fn phdr_at<L: Layout>(table: &[u8], off: usize) -> Result<Phdr, Error> {
    let oob = Error::OutOfRange { field: "e_phoff" };
    let ph = table
        .get(off..)
        .and_then(|t| t.get(..L::PHDR_SIZE))
        .ok_or(oob)?;
    Ok(Phdr {
        p_type: u32_at::<L>(ph, L::P_TYPE).ok_or(oob)?,
        offset: word_at::<L>(ph, L::P_OFFSET).ok_or(oob)?,
        vaddr: word_at::<L>(ph, L::P_VADDR).ok_or(oob)?,
        filesz: word_at::<L>(ph, L::P_FILESZ).ok_or(oob)?,
    })
}

/// What one pass over the program headers finds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segments {
    /// The first `PT_LOAD` (meaningful when `nloads > 0`): every vDSO has
    /// exactly one, so addresses are translated through it alone unless
    /// there are more.
    load: Phdr,
    /// How many `PT_LOAD` headers there are.
    nloads: usize,
    /// The first `PT_DYNAMIC`, if `p_type` says so.
    dynamic: Phdr,
    /// The end of the furthest `PT_LOAD` segment's file contents, `None` if
    /// it overflows.
    end: Option<u64>,
}

/// Reads the program headers.
#[inline(always)]
pub(crate) fn segments<L: Layout>(table: &[u8], hdr: &Header) -> Result<Segments, Error> {
    let none = Phdr {
        p_type: elf::PT_NULL,
        offset: 0,
        vaddr: 0,
        filesz: 0,
    };
    let mut s = Segments {
        load: none,
        nloads: 0,
        dynamic: none,
        end: Some(0),
    };
    // Walked by offset: `header` checked that `phnum * phentsize` fits.
    let mut off = 0usize;
    for _ in 0..hdr.phnum {
        let ph = phdr_at::<L>(table, off)?;
        off = off.saturating_add(hdr.phentsize);
        match ph.p_type {
            elf::PT_LOAD => {
                if s.nloads == 0 {
                    s.load = ph;
                }
                s.nloads += 1;
                s.end = match (s.end, ph.offset.checked_add(ph.filesz)) {
                    (Some(end), Some(seg_end)) => Some(end.max(seg_end)),
                    _ => None,
                };
            }
            elf::PT_DYNAMIC if s.dynamic.p_type != elf::PT_DYNAMIC => s.dynamic = ph,
            _ => {}
        }
    }
    Ok(s)
}

impl Segments {
    /// The length of the image as mapped: the end of the furthest `PT_LOAD`
    /// segment's file contents. The header and the program header table
    /// must lie inside it.
    pub(crate) fn mapped_len<L: Layout>(&self, hdr: &Header) -> Result<usize, Error> {
        if self.nloads == 0 {
            return Err(Error::NoLoadSegment);
        }
        let oob = Error::OutOfRange {
            field: "PT_LOAD p_filesz",
        };
        let end = self
            .end
            .and_then(|end| usize::try_from(end).ok())
            .ok_or(oob)?;
        if end < L::EHDR_SIZE {
            return Err(oob);
        }
        if hdr.phoff + hdr.phdrs_len() > end {
            return Err(Error::OutOfRange { field: "e_phoff" });
        }
        Ok(end)
    }
}

/// The GNU hash table: its header validated; its buckets and chain end
/// only in a full [`Core`].
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

/// The dynamic tags the parser uses, each an index into [`Dynamic`].
#[derive(Clone, Copy)]
enum Tag {
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
struct Dynamic {
    vals: [u64; 10],
    present: u16,
}

impl Dynamic {
    #[inline(always)]
    fn get(&self, tag: Tag) -> Option<u64> {
        let i = tag as usize;
        (self.present & (1 << i) != 0).then(|| self.vals[i])
    }
}

/// Parse-time state: the image, its program header table, and what the
/// pass over it found.
struct Image<'a, 'p> {
    data: &'a [u8],
    hdr: &'p Header,
    phdrs: &'a [u8],
    segs: &'p Segments,
    /// For an image with one `PT_LOAD` (every vDSO), its virtual address,
    /// its offset, and its file contents as far as they lie in `data`
    /// (empty if none do): [`Image::table`]'s fast path.
    load: (u64, usize, &'a [u8]),
}

impl<'a> Image<'a, '_> {
    /// Translates the virtual address `vaddr` (from the field `field`) to the
    /// range of the image from that address to the end of the file contents of
    /// the `PT_LOAD` segment holding it.
    #[inline(always)]
    fn translate<L: Layout>(
        &self,
        vaddr: u64,
        field: &'static str,
    ) -> Result<(usize, usize), Error> {
        if self.segs.nloads != 1 {
            return self.translate_uncached::<L>(vaddr, field);
        }
        match self.within::<L>(&self.segs.load, vaddr, field)? {
            Some(range) => Ok(range),
            None => Err(Error::AddressNotMapped {
                field,
                address: vaddr,
            }),
        }
    }

    /// [`Image::translate`] for an image with more than one `PT_LOAD`
    /// header: reads them from the table. Out of line, so that the common
    /// path needs few registers.
    #[cold]
    #[inline(never)]
    fn translate_uncached<L: Layout>(
        &self,
        vaddr: u64,
        field: &'static str,
    ) -> Result<(usize, usize), Error> {
        for i in 0..self.hdr.phnum {
            let ph = phdr::<L>(self.phdrs, self.hdr, i)?;
            if ph.p_type == elf::PT_LOAD
                && let Some(range) = self.within::<L>(&ph, vaddr, field)?
            {
                return Ok(range);
            }
        }
        Err(Error::AddressNotMapped {
            field,
            address: vaddr,
        })
    }

    /// [`Image::translate`] for one `PT_LOAD` header: `None` if `vaddr`
    /// is not in its file contents.
    #[inline(always)]
    fn within<L: Layout>(
        &self,
        ph: &Phdr,
        vaddr: u64,
        field: &'static str,
    ) -> Result<Option<(usize, usize)>, Error> {
        let delta = vaddr.wrapping_sub(ph.vaddr) & L::ADDR_MASK;
        if delta >= ph.filesz {
            return Ok(None);
        }
        let oob = Error::OutOfRange { field };
        let start = ph.offset.checked_add(delta).ok_or(oob)?;
        let end = ph.offset.checked_add(ph.filesz).ok_or(oob)?;
        let len = self.data.len() as u64;
        if start >= len {
            return Err(oob);
        }
        // Both fit in usize: they are at most the slice length.
        Ok(Some((start as usize, end.min(len) as usize)))
    }

    /// Like [`Image::translate`], but returns the bytes. Inline for the
    /// one-`PT_LOAD` image every vDSO is, through the segment contents
    /// [`Image::load_contents`] sliced once; anything else, and every error,
    /// goes through [`Image::translate`] out of line. The fast path gives
    /// what [`Image::within`] would, without building errors: through
    /// `within`, opening the vDSO for a routed call cost 21 instructions
    /// more, and slicing the segment for each table 30 more.
    #[inline(always)]
    fn table<L: Layout>(
        &self,
        vaddr: u64,
        field: &'static str,
    ) -> Result<(usize, &'a [u8]), Error> {
        let (load_vaddr, offset, contents) = self.load;
        let delta = vaddr.wrapping_sub(load_vaddr) & L::ADDR_MASK;
        // `delta < contents.len()`, so it fits in usize and `offset + delta`
        // is inside `data`.
        if delta < contents.len() as u64 {
            let delta = delta as usize;
            return Ok((offset + delta, &contents[delta..]));
        }
        self.table_slow::<L>(vaddr, field)
    }

    /// The contents `table`'s fast path reads through: the one `PT_LOAD`
    /// segment's file contents clamped to `data`, or none (more than one
    /// `PT_LOAD`, or an offset or end that [`Image::within`] rejects).
    #[inline(always)]
    fn load_contents(data: &'a [u8], segs: &Segments) -> (u64, usize, &'a [u8]) {
        let ph = &segs.load;
        if segs.nloads == 1
            && ph.offset.checked_add(ph.filesz).is_some()
            && let Ok(start) = usize::try_from(ph.offset)
            && let Some(rest) = data.get(start..)
        {
            let len = usize::try_from(ph.filesz).unwrap_or(usize::MAX);
            return (ph.vaddr, start, rest.get(..len).unwrap_or(rest));
        }
        (0, 0, &[])
    }

    /// [`Image::table`] in full.
    #[cold]
    #[inline(never)]
    fn table_slow<L: Layout>(
        &self,
        vaddr: u64,
        field: &'static str,
    ) -> Result<(usize, &'a [u8]), Error> {
        let (start, end) = self.translate::<L>(vaddr, field)?;
        let t = self
            .data
            .get(start..end)
            .ok_or(Error::OutOfRange { field })?;
        Ok((start, t))
    }
}

/// `count * size` bytes from the start of `table`, or an error naming `field`.
fn prefix<'a>(
    table: &'a [u8],
    count: u64,
    size: usize,
    field: &'static str,
) -> Result<&'a [u8], Error> {
    split(table, count, size, field).map(|(head, _)| head)
}

/// `table` split after `count * size` bytes, or an error naming `field`.
fn split<'a>(
    table: &'a [u8],
    count: u64,
    size: usize,
    field: &'static str,
) -> Result<(&'a [u8], &'a [u8]), Error> {
    let oob = Error::OutOfRange { field };
    let len = count.checked_mul(size as u64).ok_or(oob)?;
    let len = usize::try_from(len).map_err(|_| oob)?;
    table.split_at_checked(len).ok_or(oob)
}

/// Checks that `off` names a NUL-terminated string in `strtab`, and returns
/// it without the NUL.
pub(crate) fn string<'a>(
    strtab: &'a [u8],
    off: u64,
    field: &'static str,
) -> Result<&'a [u8], Error> {
    let rest = usize::try_from(off)
        .ok()
        .and_then(|off| strtab.get(off..))
        .ok_or(Error::OutOfRange { field })?;
    let len = nul_at(rest).ok_or(Error::UnterminatedString { field })?;
    Ok(rest.get(..len).unwrap_or(rest))
}

/// The index of the first NUL byte in `bytes`, looked for eight bytes at
/// a time: in a word `w`, `(w - 0x01..01) & !w & 0x80..80` has its lowest
/// set bit in the first zero byte (a borrow only runs upwards, so bytes
/// above it may be flagged too, never bytes below).
#[inline]
pub(crate) fn nul_at(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let (words, tail) = bytes.as_chunks::<8>();
    for (i, w) in words.iter().enumerate() {
        let w = u64::from_le_bytes(*w);
        let zero = w.wrapping_sub(ONES) & !w & HIGHS;
        if zero != 0 {
            return Some(i * 8 + (zero.trailing_zeros() / 8) as usize);
        }
    }
    let at = tail.iter().position(|&b| b == 0)?;
    Some(words.len() * 8 + at)
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

/// Reads the dynamic entries the parser uses. The first of each tag wins;
/// reading stops at `DT_NULL` or at the end of the segment (or image).
#[inline(always)]
fn dynamic_entries<L: Layout>(data: &[u8], ph: &Phdr) -> Result<Dynamic, Error> {
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

/// Validates the System V hash table at `addr`.
fn sysv_hash<'a, L: Layout>(
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
fn gnu_hash<'a, L: Layout, const FULL: bool>(
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

/// Walks and validates the version definition chain starting at `t[0]`;
/// returns its length and fills `cache` with its first entries.
fn verdef_chain<L: Layout>(
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
