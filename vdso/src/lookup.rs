//! Symbol lookup through the GNU hash table, the System V hash table, or a
//! linear walk, and the per-symbol reads a listing needs.
//!
//! In a fully built [`Core`] every index read here was bounded when the
//! core was built; in a lazy one (a [`Resolver`](crate::Resolver)'s) the
//! tables run to the end of their segments. Either way every read is a
//! checked slice access: a lookup cannot go out of bounds, and a corrupt
//! entry makes it return "not found" rather than panic.
//!
//! The steps, in the order the data flows:
//!
//! 1. [`name_hash`]: the GNU and System V hashes of a name.
//! 2. [`query`]: the name and version asked for, hashed once in a
//!    [`Query`].
//! 3. [`table_walks`]: the candidates, through the GNU hash table, the
//!    System V one, or every symbol.
//! 4. [`matching`]: whether a candidate is the symbol asked for.
//! 5. [`symbol_table`]: the symbol table's entries, which listings read
//!    too.
//! 6. [`versions`]: a symbol's version index and the definition it names.
//!
//! This module picks the table a lookup goes through.

use crate::error::Error;
use crate::layout::Layout;
use crate::parse::Core;
use crate::symbol::Symbol;

mod name_hash;
pub use name_hash::{gnu_hash, sysv_hash};

mod query;
pub use query::Query;
pub(crate) use query::Want;

mod table_walks;

mod matching;

mod symbol_table;

mod versions;

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

impl<'a> Core<'a> {
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
}
