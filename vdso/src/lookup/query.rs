//! What a lookup asks for: a [`Query`], whose name is hashed once, and the
//! version it wants.

use crate::strings::nul_at;

use super::name_hash::{gnu_hash, sysv_hash};

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
    pub(super) name: &'n [u8],
    version: Option<&'n [u8]>,
    pub(super) gnu: u32,
    pub(super) sysv: u32,
    /// Neither the name nor the version contains a NUL byte.
    pub(super) valid: bool,
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

    pub(super) fn want(&self) -> Want<'n> {
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
    pub(super) fn is_valid(&self, name: &[u8]) -> bool {
        !has_nul(name) && !matches!(self, Want::Version(v) if has_nul(v))
    }
}
