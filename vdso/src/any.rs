//! [`AnyVdso`]: an image of whatever layout its header says.

use crate::elf;
use crate::error::Error;
use crate::info::Info;
use crate::layout::{Class, Elf32Be, Elf32Le, Elf64Be, Elf64Le, Endian};
use crate::lookup::{LookupMethod, Query};
use crate::symbol::Symbol;
use crate::vdso::{Symbols, Vdso, VersionDefs};

/// A validated image of any of the four layouts, chosen at run time from
/// `e_ident`. For tools that read files or dumps from other machines; a
/// runtime resolving its own vDSO uses [`Vdso`] with the
/// [`Native`](crate::Native) layout and never instantiates the other three.
///
/// Every method forwards to the [`Vdso`] method of the same name.
#[derive(Clone, Copy, Debug)]
pub enum AnyVdso<'a> {
    /// A 64-bit little-endian image.
    Elf64Le(Vdso<'a, Elf64Le>),
    /// A 64-bit big-endian image.
    Elf64Be(Vdso<'a, Elf64Be>),
    /// A 32-bit little-endian image.
    Elf32Le(Vdso<'a, Elf32Le>),
    /// A 32-bit big-endian image.
    Elf32Be(Vdso<'a, Elf32Be>),
}

macro_rules! forward {
    ($self:ident, $v:ident => $e:expr) => {
        match $self {
            AnyVdso::Elf64Le($v) => $e,
            AnyVdso::Elf64Be($v) => $e,
            AnyVdso::Elf32Le($v) => $e,
            AnyVdso::Elf32Be($v) => $e,
        }
    };
}

impl<'a> AnyVdso<'a> {
    /// Validates `image` as an ELF image of whichever class and byte order
    /// its `e_ident` gives. See [`Vdso::parse`].
    ///
    /// # Errors
    ///
    /// As [`Vdso::parse`], plus [`Error::BadMagic`],
    /// [`Error::UnsupportedClass`] and [`Error::UnsupportedDataEncoding`] for
    /// an unusable `e_ident`.
    pub fn parse(image: &'a [u8]) -> Result<Self, Error> {
        let ident = image
            .get(..elf::EI_NIDENT)
            .ok_or(Error::OutOfRange { field: "e_ident" })?;
        if ident[..4] != elf::ELFMAG {
            return Err(Error::BadMagic);
        }
        let class = Class::from_ident_byte(ident[elf::EI_CLASS])
            .ok_or(Error::UnsupportedClass(ident[elf::EI_CLASS]))?;
        let endian = Endian::from_ident_byte(ident[elf::EI_DATA])
            .ok_or(Error::UnsupportedDataEncoding(ident[elf::EI_DATA]))?;
        Ok(match (class, endian) {
            (Class::Elf64, Endian::Little) => AnyVdso::Elf64Le(Vdso::parse(image)?),
            (Class::Elf64, Endian::Big) => AnyVdso::Elf64Be(Vdso::parse(image)?),
            (Class::Elf32, Endian::Little) => AnyVdso::Elf32Le(Vdso::parse(image)?),
            (Class::Elf32, Endian::Big) => AnyVdso::Elf32Be(Vdso::parse(image)?),
        })
    }

    /// See [`Vdso::lookup`].
    ///
    /// # Errors
    ///
    /// As [`Vdso::lookup`].
    pub fn lookup(&self, name: &str, version: &str) -> Result<Symbol<'a>, Error> {
        forward!(self, v => v.lookup(name, version))
    }

    /// See [`Vdso::lookup_unversioned`].
    ///
    /// # Errors
    ///
    /// As [`Vdso::lookup_unversioned`].
    pub fn lookup_unversioned(&self, name: &str) -> Result<Symbol<'a>, Error> {
        forward!(self, v => v.lookup_unversioned(name))
    }

    /// See [`Vdso::find`].
    ///
    /// # Errors
    ///
    /// As [`Vdso::find`].
    pub fn find(&self, query: &Query<'_>) -> Result<Symbol<'a>, Error> {
        forward!(self, v => v.find(query))
    }

    /// See [`Vdso::lookup_via`].
    ///
    /// # Errors
    ///
    /// As [`Vdso::lookup_via`].
    pub fn lookup_via(
        &self,
        method: LookupMethod,
        name: &[u8],
        version: Option<&[u8]>,
    ) -> Result<Symbol<'a>, Error> {
        forward!(self, v => v.lookup_via(method, name, version))
    }

    /// See [`Vdso::symbols`].
    pub fn symbols(&self) -> Symbols<'a> {
        forward!(self, v => v.symbols())
    }

    /// See [`Vdso::all_symbols`].
    pub fn all_symbols(&self) -> Symbols<'a> {
        forward!(self, v => v.all_symbols())
    }

    /// See [`Vdso::versions`].
    pub fn versions(&self) -> VersionDefs<'a> {
        forward!(self, v => v.versions())
    }

    /// See [`Vdso::info`].
    pub fn info(&self) -> Info<'a> {
        forward!(self, v => v.info())
    }

    /// See [`Vdso::bias`].
    pub fn bias(&self) -> u64 {
        forward!(self, v => v.bias())
    }

    /// See [`Vdso::image`].
    pub fn image(&self) -> &'a [u8] {
        forward!(self, v => v.image())
    }
}
