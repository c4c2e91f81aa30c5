//! The parsed image, [`Vdso`], and its iterators.

use core::fmt;
use core::marker::PhantomData;

use crate::error::Error;
use crate::info::{Info, Machine, VersionDef};
use crate::layout::{Layout, Native, u16_at, u32_at};
use crate::lookup::{LookupMethod, Query, Want};
use crate::parse::Core;
use crate::strings::string;
use crate::symbol::{DynSymbol, Symbol};

/// A validated vDSO image of layout `L`, ready for lookups.
///
/// Build one with [`Vdso::from_sysinfo_ehdr`] (the running program's own
/// vDSO, layout [`Native`]) or [`Vdso::parse`] (any byte slice of layout
/// `L`; use [`AnyVdso`](crate::AnyVdso) when the layout is not known in
/// advance). Construction checks every header, table and chain once; lookups
/// then only hash, walk and compare.
///
/// A `Vdso` is `Copy`, holds no pointers other than into the image, and can
/// be stored in a `static` once built.
#[derive(Clone, Copy)]
pub struct Vdso<'a, L: Layout = Native> {
    core: Core<'a>,
    _layout: PhantomData<L>,
}

impl<L: Layout> fmt::Debug for Vdso<'_, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vdso")
            .field("info", &self.info())
            .finish_non_exhaustive()
    }
}

impl<'a, L: Layout> Vdso<'a, L> {
    /// Validates `image`, the bytes of a vDSO (a file, a dump, or a copy)
    /// starting with its ELF header, as an image of layout `L`.
    ///
    /// Any `e_machine` is accepted. Addresses in the result are relative to
    /// the start of `image`: [`Symbol::address`] is the offset in `image` of
    /// the symbol's code.
    ///
    /// # Errors
    ///
    /// An [`Error`] naming the first problem found: a class or byte order
    /// other than `L`'s, a missing table, or a field pointing outside
    /// `image`.
    pub fn parse(image: &'a [u8]) -> Result<Self, Error> {
        Self::parse_at(image, 0)
    }

    /// Like [`Vdso::parse`], for an image whose first byte is at `base`.
    pub(crate) fn parse_at(image: &'a [u8], base: u64) -> Result<Self, Error> {
        Core::parse::<L>(image, base).map(Self::from_core)
    }

    /// Wraps a fully validated core.
    pub(crate) fn from_core(core: Core<'a>) -> Self {
        Self {
            core,
            _layout: PhantomData,
        }
    }

    /// Finds the function `name` in version `version`, e.g.
    /// `("__vdso_clock_gettime", "LINUX_2.6")`.
    ///
    /// Uses `DT_GNU_HASH` if the image has it, else `DT_HASH`, else a linear
    /// walk. Only defined `FUNC` and `NOTYPE` symbols with `GLOBAL` or `WEAK`
    /// binding are returned. A symbol matches if its `DT_VERSYM` entry
    /// (hidden bit ignored) names a non-base version definition called
    /// `version`; unversioned symbols (index 0 or 1) do not match. If the
    /// image has no `DT_VERSYM` at all, the version is not checked, as in
    /// the kernel's reference parser.
    ///
    /// # Errors
    ///
    /// [`Error::VersionNotFound`] if the name exists only in other versions,
    /// otherwise [`Error::SymbolNotFound`].
    #[inline]
    pub fn lookup(&self, name: &str, version: &str) -> Result<Symbol<'a>, Error> {
        self.core
            .lookup::<L>(name.as_bytes(), Want::Version(version.as_bytes()))
    }

    /// Finds the function `name` in any version.
    ///
    /// If several versions define it, the default one (hidden bit clear) is
    /// returned; a hidden one only if there is no default.
    ///
    /// # Errors
    ///
    /// [`Error::SymbolNotFound`].
    #[inline]
    pub fn lookup_unversioned(&self, name: &str) -> Result<Symbol<'a>, Error> {
        self.core.lookup::<L>(name.as_bytes(), Want::Any)
    }

    /// Finds `query`: [`Vdso::lookup`] or [`Vdso::lookup_unversioned`]
    /// with the name hashed in advance (see [`Query`]).
    ///
    /// # Errors
    ///
    /// As [`Vdso::lookup`].
    #[inline]
    pub fn find(&self, query: &Query<'_>) -> Result<Symbol<'a>, Error> {
        self.core.find::<L>(query)
    }

    /// Finds `name` (in `version`, or any version if `None`) through the
    /// table `method`, whatever else the image has. For tests, benchmarks
    /// and tools; [`Vdso::lookup`] picks the best table itself.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchHashTable`] if the image lacks that table, otherwise
    /// as [`Vdso::lookup`].
    pub fn lookup_via(
        &self,
        method: LookupMethod,
        name: &[u8],
        version: Option<&[u8]>,
    ) -> Result<Symbol<'a>, Error> {
        let want = version.map_or(Want::Any, Want::Version);
        self.core.lookup_via::<L>(method, name, want)
    }

    /// The defined `FUNC`, `OBJECT` and `NOTYPE` symbols in symbol-table
    /// order, which is what a `vdso symbols` tool lists (print each with
    /// `Display`). The version-definition symbols (`LINUX_2.6`, absolute
    /// `OBJECT`s) are included.
    ///
    /// An entry whose name is not a valid string is yielded as an error and
    /// the iteration goes on.
    pub fn symbols(&self) -> Symbols<'a> {
        Symbols::new::<L>(self.core, false)
    }

    /// Every entry of the dynamic symbol table, from the null symbol 0 on,
    /// including undefined and local ones.
    pub fn all_symbols(&self) -> Symbols<'a> {
        Symbols::new::<L>(self.core, true)
    }

    /// The version definitions in chain order, the base one included.
    pub fn versions(&self) -> VersionDefs<'a> {
        VersionDefs {
            core: self.core,
            off: 0,
            left: if self.core.verdef.is_some() {
                self.core.verdef_count
            } else {
                0
            },
            read: read_verdef::<L>,
        }
    }

    /// A summary: class, byte order, machine, addresses, tables, counts.
    pub fn info(&self) -> Info<'a> {
        let c = &self.core;
        Info {
            class: c.class,
            endian: c.endian,
            machine: Machine(c.machine),
            base: c.base,
            bias: c.bias,
            image_len: c.data.len(),
            gnu_hash: c.gnu.is_some(),
            sysv_hash: c.sysv.is_some(),
            symbol_count: c.nsyms,
            versym: c.versym.is_some(),
            version_count: if c.verdef.is_some() {
                c.verdef_count
            } else {
                0
            },
            soname: c
                .soname
                .and_then(|off| string(c.strtab, off, "DT_SONAME").ok()),
        }
    }

    /// The load bias: what is added to a symbol's `st_value` to get its
    /// address.
    pub fn bias(&self) -> u64 {
        self.core.bias
    }

    /// The whole image as validated.
    pub fn image(&self) -> &'a [u8] {
        self.core.data
    }
}

/// Iterator over symbols; see [`Vdso::symbols`] and [`Vdso::all_symbols`].
#[derive(Clone)]
pub struct Symbols<'a> {
    core: Core<'a>,
    next: u32,
    all: bool,
    listed: fn(&Core<'a>, u32) -> bool,
    read: fn(&Core<'a>, u32) -> Result<DynSymbol<'a>, Error>,
}

impl<'a> Symbols<'a> {
    fn new<L: Layout>(core: Core<'a>, all: bool) -> Self {
        Symbols {
            core,
            next: 0,
            all,
            listed: Core::listed::<L>,
            read: Core::dyn_symbol::<L>,
        }
    }
}

impl<'a> Iterator for Symbols<'a> {
    type Item = Result<DynSymbol<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.next < self.core.nsyms {
            let i = self.next;
            self.next += 1;
            if self.all || (self.listed)(&self.core, i) {
                return Some((self.read)(&self.core, i));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some((self.core.nsyms - self.next) as usize))
    }
}

impl fmt::Debug for Symbols<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Symbols")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// Iterator over version definitions; see [`Vdso::versions`].
#[derive(Clone)]
pub struct VersionDefs<'a> {
    core: Core<'a>,
    off: usize,
    left: u32,
    read: fn(&Core<'a>, usize) -> Option<(VersionDef<'a>, usize)>,
}

impl<'a> Iterator for VersionDefs<'a> {
    type Item = VersionDef<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let Some((def, next)) = (self.read)(&self.core, self.off) else {
            self.left = 0;
            return None;
        };
        self.off = next;
        Some(def)
    }
}

impl fmt::Debug for VersionDefs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VersionDefs")
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

/// Reads the version definition at offset `off` of the chain; returns it
/// and the offset of the next one.
fn read_verdef<'a, L: Layout>(core: &Core<'a>, off: usize) -> Option<(VersionDef<'a>, usize)> {
    let t = core.verdef?;
    let vd = t.get(off..)?;
    let aux = off.checked_add(u32_at::<L>(vd, 12)? as usize)?;
    let def = VersionDef {
        flags: u16_at::<L>(vd, 2)?,
        index: u16_at::<L>(vd, 4)?,
        aux_count: u16_at::<L>(vd, 6)?,
        hash: u32_at::<L>(vd, 8)?,
        name: string(core.strtab, u64::from(u32_at::<L>(t, aux)?), "").ok()?,
    };
    let next = off.checked_add(u32_at::<L>(vd, 16)? as usize)?;
    Some((def, next))
}
