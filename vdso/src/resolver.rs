//! [`Resolver`]: an image opened for symbol lookups, its tables checked as
//! they are read.

use core::fmt;
use core::marker::PhantomData;

use crate::error::Error;
use crate::layout::{Layout, Native};
use crate::lookup::{Query, Want};
use crate::parse::{Core, headers};
use crate::symbol::Symbol;
use crate::vdso::Vdso;

/// A vDSO image opened for symbol lookups only, for the start-up path of a
/// runtime that wants a few functions as cheaply as possible.
///
/// Where [`Vdso`] validates every header, table and chain when it is built,
/// a `Resolver` checks at construction only what every lookup needs: the
/// ELF header, the program headers, the dynamic section, the placement of
/// the string, symbol and version tables, and the placement and header of
/// the one hash table lookups go through (`DT_GNU_HASH` if present, and
/// then `DT_HASH` is not read at all). The rest (buckets, hash chains,
/// symbol and version entries, version definitions, strings) is read
/// through the same bounds-checked views as a lookup needs it, and a
/// candidate must still match hash, name and version. So:
///
/// - no image, however damaged, makes it read outside the image, panic or
///   loop without bound;
/// - a symbol it returns is one [`Vdso::lookup`] would return for the same
///   image, whenever [`Vdso`] accepts that image;
/// - damage in a part no lookup reads (the other hash table, an unrelated
///   symbol, a version definition other than the one wanted, of which a
///   lookup reads only `vd_version`, `vd_ndx` and `vd_next`) goes
///   unnoticed, and a lookup may then find a symbol in an image [`Vdso`]
///   rejects;
/// - a lookup that finds nothing validates the whole image before it
///   answers, so its error names the damaged field when there is one, and
///   is [`Error::SymbolNotFound`] or [`Error::VersionNotFound`] only for
///   an image [`Vdso`] accepts.
///
/// `freestand-syscalls` resolves its routed calls with a `Resolver` and
/// constant [`Query`]s; `scripts/footprint.sh` counts what that costs a
/// program. Call [`Resolver::validate`] to get the [`Vdso`] of the same
/// image when you want the full check after all.
///
/// [`Query`]: crate::Query
///
/// A `Resolver` is `Copy`, holds no pointers other than into the image, and
/// can be stored in a `static` once built.
#[derive(Clone, Copy)]
pub struct Resolver<'a, L: Layout = Native> {
    core: Core<'a>,
    _layout: PhantomData<L>,
}

impl<L: Layout> fmt::Debug for Resolver<'_, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolver")
            .field("base", &self.core.base)
            .field("len", &self.core.data.len())
            .field("bias", &self.core.bias)
            .finish_non_exhaustive()
    }
}

impl<'a, L: Layout> Resolver<'a, L> {
    /// Opens `image`, the bytes of a vDSO starting with its ELF header, as
    /// an image of layout `L`. Addresses in results are relative to the
    /// start of `image`, as with [`Vdso::parse`].
    ///
    /// # Errors
    ///
    /// An [`Error`] naming the first problem found in the headers, the
    /// dynamic section, or the placement of a table (see the type's docs
    /// for what is checked later).
    pub fn parse(image: &'a [u8]) -> Result<Self, Error> {
        let (hdr, segs) = headers::<L>(image)?;
        Core::build::<L, false>(image, 0, &hdr, &segs).map(Self::from_core)
    }

    /// Wraps a lazily built core.
    pub(crate) fn from_core(core: Core<'a>) -> Self {
        Self {
            core,
            _layout: PhantomData,
        }
    }

    /// Finds the function `name` in version `version`, with the rules of
    /// [`Vdso::lookup`].
    ///
    /// # Errors
    ///
    /// When nothing is found, the error [`Resolver::validate`] gives if the
    /// image is damaged; otherwise [`Error::VersionNotFound`] if the name
    /// exists only in other versions, and [`Error::SymbolNotFound`].
    #[inline]
    pub fn lookup(&self, name: &str, version: &str) -> Result<Symbol<'a>, Error> {
        self.core
            .lookup::<L>(name.as_bytes(), Want::Version(version.as_bytes()))
            .map_err(|e| self.explain(e))
    }

    /// Finds the function `name` in any version, with the rules of
    /// [`Vdso::lookup_unversioned`].
    ///
    /// # Errors
    ///
    /// As [`Resolver::lookup`].
    #[inline]
    pub fn lookup_unversioned(&self, name: &str) -> Result<Symbol<'a>, Error> {
        self.core
            .lookup::<L>(name.as_bytes(), Want::Any)
            .map_err(|e| self.explain(e))
    }

    /// Finds `query`, with the rules of [`Vdso::find`]: the lookup a
    /// runtime's start-up path wants, with the name hashed at compile time.
    ///
    /// # Errors
    ///
    /// As [`Resolver::lookup`].
    #[inline]
    pub fn find(&self, query: &Query<'_>) -> Result<Symbol<'a>, Error> {
        self.core.find::<L>(query).map_err(|e| self.explain(e))
    }

    /// Validates the whole image, as [`Vdso::parse`] does (for an image
    /// from [`Resolver::from_sysinfo_ehdr`], with the same absolute
    /// addresses as [`Vdso::from_sysinfo_ehdr`]).
    ///
    /// # Errors
    ///
    /// The first problem found, as [`Vdso::parse`].
    pub fn validate(&self) -> Result<Vdso<'a, L>, Error> {
        Vdso::parse_at(self.core.data, self.core.base)
    }

    /// The load bias: what is added to a symbol's `st_value` to get its
    /// address.
    pub fn bias(&self) -> u64 {
        self.core.bias
    }

    /// The whole image: from the ELF header to the end of the furthest
    /// `PT_LOAD` segment's file contents.
    pub fn image(&self) -> &'a [u8] {
        self.core.data
    }

    /// The error a lookup that found nothing returns: the image's damage if
    /// it has any, else `not_found`.
    #[cold]
    #[inline(never)]
    fn explain(&self, not_found: Error) -> Error {
        self.validate().err().unwrap_or(not_found)
    }
}
