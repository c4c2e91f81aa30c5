//! Symbol lookup through the GNU hash table, the System V hash table, or a
//! linear walk, and the per-symbol reads a listing needs.
//!
//! In a fully built [`Core`] every index read here was bounded when the
//! core was built; in a lazy one (a [`Resolver`](crate::Resolver)'s) the
//! tables run to the end of their segments. Either way every read is a
//! checked slice access: a lookup cannot go out of bounds, and a corrupt
//! entry makes it return "not found" rather than panic.

use crate::elf;
use crate::error::Error;
use crate::layout::{Layout, u8_at, u16_at, u32_at, u64_at, word_at};
use crate::parse::{Core, GnuHash, SysvHash, VERDEF_CACHE, VerdefEntry};
use crate::strings::{nul_at, string};
use crate::symbol::{DynSymbol, Symbol, SymbolBinding, SymbolType, Version, is_callable};

/// Which table a lookup goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LookupMethod {
    /// `DT_GNU_HASH`, with its Bloom filter.
    GnuHash,
    /// `DT_HASH`, the System V hash table.
    SysvHash,
    /// Every symbol in table order.
    Linear,
}

/// The GNU hash of a name (`h = h * 33 + c`, from 5381), as `DT_GNU_HASH`
/// uses it. A `const fn`, so that [`Query`] can hash at compile time.
#[inline]
pub const fn gnu_hash(name: &[u8]) -> u32 {
    // Four steps of the recurrence at a time: h * 33^4 + c0 * 33^3 + ...,
    // which the compiler does not find on its own at opt-level "s".
    const P1: u32 = 33;
    const P2: u32 = 33 * 33;
    const P3: u32 = 33 * 33 * 33;
    const P4: u32 = 33 * 33 * 33 * 33;
    let mut h = 5381u32;
    let mut rest = name;
    while let [a, b, c, d, tail @ ..] = rest {
        h = h
            .wrapping_mul(P4)
            .wrapping_add(*a as u32 * P3)
            .wrapping_add(*b as u32 * P2)
            .wrapping_add(*c as u32 * P1)
            .wrapping_add(*d as u32);
        rest = tail;
    }
    while let [c, tail @ ..] = rest {
        h = h.wrapping_mul(P1).wrapping_add(*c as u32);
        rest = tail;
    }
    h
}

/// The System V ELF hash of a name, as `DT_HASH` and `vd_hash` use it. A
/// `const fn`, like [`gnu_hash`].
#[inline]
pub const fn sysv_hash(name: &[u8]) -> u32 {
    let mut h = 0u32;
    let mut rest = name;
    while let [c, tail @ ..] = rest {
        h = (h << 4).wrapping_add(*c as u32);
        let g = h & 0xf000_0000;
        h = (h ^ (g >> 24)) & !g;
        rest = tail;
    }
    h
}

/// A symbol to look up, with both hashes of its name and whether it can
/// name anything at all, computed once: at compile time when the query is
/// a `const`. A runtime that resolves the same few functions every run
/// keeps them as constants and looks them up with [`Vdso::find`] or
/// [`Resolver::find`], which then only walk and compare; [`Vdso::lookup`]
/// hashes the name on every call.
///
/// ```
/// use freestand_vdso::Query;
///
/// const CLOCK_GETTIME: Query<'static> = Query::new("__vdso_clock_gettime", "LINUX_2.6");
/// assert_eq!(CLOCK_GETTIME.name(), b"__vdso_clock_gettime");
/// ```
///
/// [`Vdso::find`]: crate::Vdso::find
/// [`Vdso::lookup`]: crate::Vdso::lookup
/// [`Resolver::find`]: crate::Resolver::find
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Query<'n> {
    name: &'n [u8],
    version: Option<&'n [u8]>,
    gnu: u32,
    sysv: u32,
    /// Neither the name nor the version contains a NUL byte.
    valid: bool,
}

impl<'n> Query<'n> {
    /// The function `name` in version `version`, as [`Vdso::lookup`]
    /// finds it.
    ///
    /// [`Vdso::lookup`]: crate::Vdso::lookup
    pub const fn new(name: &'n str, version: &'n str) -> Self {
        Self::of(name.as_bytes(), Some(version.as_bytes()))
    }

    /// The function `name` in any version, as
    /// [`Vdso::lookup_unversioned`](crate::Vdso::lookup_unversioned) finds
    /// it.
    pub const fn unversioned(name: &'n str) -> Self {
        Self::of(name.as_bytes(), None)
    }

    const fn of(name: &'n [u8], version: Option<&'n [u8]>) -> Self {
        let valid = !const_has_nul(name)
            && match version {
                Some(v) => !const_has_nul(v),
                None => true,
            };
        Query {
            name,
            version,
            gnu: gnu_hash(name),
            sysv: sysv_hash(name),
            valid,
        }
    }

    /// The symbol name.
    pub const fn name(&self) -> &'n [u8] {
        self.name
    }

    /// The version, or `None` for any.
    pub const fn version(&self) -> Option<&'n [u8]> {
        self.version
    }

    fn want(&self) -> Want<'n> {
        self.version.map_or(Want::Any, Want::Version)
    }
}

/// Whether `bytes` contains a NUL byte, one byte at a time (for `const`
/// evaluation; lookups at run time use [`has_nul`]).
const fn const_has_nul(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0 {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `bytes` contains a NUL byte: such a name or version names
/// nothing, and the comparisons below assume there is none.
#[inline(always)]
fn has_nul(bytes: &[u8]) -> bool {
    nul_at(bytes).is_some()
}

/// Whether `a` and `b` hold the same bytes, compared eight at a time (the
/// last eight bytes, overlapping, cover a length that is not a multiple
/// of eight): a byte loop cost a routed call's first lookup about 180
/// instructions.
#[inline(always)]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(a_last), Some(b_last)) => {
            let (a_words, _) = a.as_chunks::<8>();
            let (b_words, _) = b.as_chunks::<8>();
            a_last == b_last && a_words.iter().zip(b_words).all(|(x, y)| x == y)
        }
        _ => a == b,
    }
}

/// Byte offset of entry `i` of `size` bytes; saturates (and so fails the
/// following bounds check) instead of overflowing on 32-bit hosts.
#[inline(always)]
fn scaled(i: u32, size: usize) -> usize {
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
    fn kind(&self) -> SymbolType {
        SymbolType(self.info & 0xf)
    }

    #[inline(always)]
    fn binding(&self) -> SymbolBinding {
        SymbolBinding(self.info >> 4)
    }
}

/// What a lookup asks for.
#[derive(Clone, Copy)]
pub(crate) enum Want<'n> {
    /// Any version; the default (non-hidden) one is preferred.
    Any,
    /// Exactly this version name.
    Version(&'n [u8]),
}

impl Want<'_> {
    /// Whether a lookup of `name` for this can find anything: neither the
    /// name nor the version may contain a NUL byte.
    #[inline(always)]
    fn is_valid(&self, name: &[u8]) -> bool {
        !has_nul(name) && !matches!(self, Want::Version(v) if has_nul(v))
    }
}

/// Collects the outcome of a lookup over a sequence of candidates.
struct Search<'n> {
    name: &'n [u8],
    want: Want<'n>,
    /// A callable symbol of this name was seen in another version.
    other_version: bool,
    /// The first hidden match of an unversioned lookup.
    hidden: Option<u32>,
}

impl<'n> Search<'n> {
    fn new(name: &'n [u8], want: Want<'n>) -> Self {
        Search {
            name,
            want,
            other_version: false,
            hidden: None,
        }
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

    /// The `DT_VERSYM` entry of symbol `i`.
    #[inline(always)]
    fn versym<L: Layout>(&self, i: u32) -> Option<u16> {
        u16_at::<L>(self.versym?, scaled(i, 2))
    }

    /// Finds the version definition with index `ndx` (hidden bit clear).
    #[inline(always)]
    fn verdef<L: Layout>(&self, ndx: u16) -> Option<VerdefEntry> {
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
    fn consider<L: Layout>(&self, search: &mut Search<'_>, i: u32) -> Option<Symbol<'a>> {
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
    fn finish<L: Layout>(&self, search: Search<'_>) -> Result<Symbol<'a>, Error> {
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

    /// Looks `name` up with the best table the image has, hashing the name
    /// for that table.
    #[inline]
    pub(crate) fn lookup<L: Layout>(
        &self,
        name: &[u8],
        want: Want<'_>,
    ) -> Result<Symbol<'a>, Error> {
        if !want.is_valid(name) {
            return Err(Error::SymbolNotFound);
        }
        self.lookup_best::<L>(name, want, || gnu_hash(name), || sysv_hash(name))
    }

    /// Looks `query` up with the best table the image has.
    #[inline]
    pub(crate) fn find<L: Layout>(&self, query: &Query<'_>) -> Result<Symbol<'a>, Error> {
        if !query.valid {
            return Err(Error::SymbolNotFound);
        }
        self.lookup_best::<L>(query.name, query.want(), || query.gnu, || query.sysv)
    }

    /// Looks `name` up through the GNU hash table if the image has one, else
    /// the System V one, else the linear walk; computes only the hash of the
    /// table it uses.
    #[inline(always)]
    fn lookup_best<L: Layout>(
        &self,
        name: &[u8],
        want: Want<'_>,
        gnu_h: impl FnOnce() -> u32,
        sysv_h: impl FnOnce() -> u32,
    ) -> Result<Symbol<'a>, Error> {
        if let Some(gnu) = &self.gnu {
            self.lookup_gnu::<L>(gnu, gnu_h(), name, want)
        } else if let Some(sysv) = &self.sysv {
            self.lookup_sysv::<L>(sysv, sysv_h(), name, want)
        } else {
            self.lookup_linear::<L>(name, want)
        }
    }

    /// Looks `name` up with the table `method`.
    pub(crate) fn lookup_via<L: Layout>(
        &self,
        method: LookupMethod,
        name: &[u8],
        want: Want<'_>,
    ) -> Result<Symbol<'a>, Error> {
        if !want.is_valid(name) {
            return Err(Error::SymbolNotFound);
        }
        match method {
            LookupMethod::GnuHash => {
                let gnu = self.gnu.as_ref().ok_or(Error::NoSuchHashTable)?;
                self.lookup_gnu::<L>(gnu, gnu_hash(name), name, want)
            }
            LookupMethod::SysvHash => {
                let sysv = self.sysv.as_ref().ok_or(Error::NoSuchHashTable)?;
                self.lookup_sysv::<L>(sysv, sysv_hash(name), name, want)
            }
            LookupMethod::Linear => self.lookup_linear::<L>(name, want),
        }
    }

    /// Looks `name`, whose GNU hash is `h`, up through `gnu`. Inlined into
    /// each of its three callers, as it was into one before `Query`.
    #[inline(always)]
    fn lookup_gnu<L: Layout>(
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
    fn lookup_sysv<L: Layout>(
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
    fn lookup_linear<L: Layout>(&self, name: &[u8], want: Want<'_>) -> Result<Symbol<'a>, Error> {
        let mut search = Search::new(name, want);
        for i in 1..self.nsyms {
            if let Some(sym) = self.consider::<L>(&mut search, i) {
                return Ok(sym);
            }
        }
        self.finish::<L>(search)
    }
}
