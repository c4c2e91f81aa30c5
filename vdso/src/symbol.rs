//! Symbols: what a lookup returns, what a listing yields, and the readelf
//! spellings of their types and bindings.

use core::fmt;

/// The type of a symbol (`ELF_ST_TYPE(st_info)`), printed as readelf does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SymbolType(pub u8);

impl SymbolType {
    /// `STT_NOTYPE`: no type given (some vDSO entry points).
    pub const NOTYPE: Self = Self(0);
    /// `STT_OBJECT`: data (the version-definition symbols, e.g. `LINUX_2.6`).
    pub const OBJECT: Self = Self(1);
    /// `STT_FUNC`: a function (the vDSO entry points).
    pub const FUNC: Self = Self(2);
    /// `STT_SECTION`: a section.
    pub const SECTION: Self = Self(3);
    /// `STT_FILE`: a source file name.
    pub const FILE: Self = Self(4);
    /// `STT_COMMON`: an uninitialised common block.
    pub const COMMON: Self = Self(5);
    /// `STT_TLS`: a thread-local object.
    pub const TLS: Self = Self(6);
    /// `STT_GNU_IFUNC`: an indirect function.
    pub const GNU_IFUNC: Self = Self(10);

    /// readelf's name for this type, if it has one.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "NOTYPE",
            1 => "OBJECT",
            2 => "FUNC",
            3 => "SECTION",
            4 => "FILE",
            5 => "COMMON",
            6 => "TLS",
            10 => "IFUNC",
            _ => return None,
        })
    }
}

impl fmt::Display for SymbolType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "<unknown>:{}", self.0),
        }
    }
}

/// The binding of a symbol (`ELF_ST_BIND(st_info)`), printed as readelf does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SymbolBinding(pub u8);

impl SymbolBinding {
    /// `STB_LOCAL`: not visible outside the object.
    pub const LOCAL: Self = Self(0);
    /// `STB_GLOBAL`: visible to everyone.
    pub const GLOBAL: Self = Self(1);
    /// `STB_WEAK`: visible, with lower precedence.
    pub const WEAK: Self = Self(2);
    /// `STB_GNU_UNIQUE`: unique in the process.
    pub const GNU_UNIQUE: Self = Self(10);

    /// readelf's name for this binding, if it has one.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "LOCAL",
            1 => "GLOBAL",
            2 => "WEAK",
            10 => "UNIQUE",
            _ => return None,
        })
    }
}

impl fmt::Display for SymbolBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "<unknown>:{}", self.0),
        }
    }
}

/// A symbol returned by a lookup: a defined `STT_FUNC` or `STT_NOTYPE`
/// symbol with `STB_GLOBAL` or `STB_WEAK` binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Symbol<'a> {
    /// The symbol's name, as stored in the string table.
    pub name: &'a [u8],
    /// Its index in the dynamic symbol table.
    pub index: u32,
    /// `st_value` as stored in the image.
    pub value: u64,
    /// Where the symbol is: `value` plus the load bias, wrapped to the class
    /// width. For an image parsed from an address this is the address to
    /// call; for an image parsed from a byte slice it is relative to the
    /// start of the slice (so it is also an index into it).
    pub address: u64,
    /// `st_size`.
    pub size: u64,
    /// The symbol's type (`FUNC` or `NOTYPE`).
    pub kind: SymbolType,
    /// The symbol's binding (`GLOBAL` or `WEAK`).
    pub binding: SymbolBinding,
}

/// The version of a listed symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version<'a> {
    /// Unversioned: the image has no `DT_VERSYM`, or the symbol's entry is 0
    /// (local) or 1 (global, the base version). Printed as `-`.
    None,
    /// A version from the version definitions. Printed as `@@NAME`, or
    /// `@NAME` when hidden.
    Defined {
        /// The version's name (e.g. `LINUX_2.6`).
        name: &'a [u8],
        /// Its index (`vd_ndx`, the `DT_VERSYM` entry without the hidden bit).
        index: u16,
        /// Whether the hidden bit (0x8000) is set: the symbol is only found
        /// by asking for this version, and is not the default.
        hidden: bool,
    },
    /// A `DT_VERSYM` index that no version definition has (an image with
    /// `DT_VERNEED`, or a corrupt one). Printed as `@@?N` (or `@?N`).
    Unknown {
        /// The index.
        index: u16,
        /// Whether the hidden bit is set.
        hidden: bool,
    },
}

impl fmt::Display for Version<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |hidden| if hidden { "@" } else { "@@" };
        match *self {
            Version::None => f.write_str("-"),
            Version::Defined { name, hidden, .. } => {
                f.write_str(at(hidden))?;
                write_name(f, name)
            }
            Version::Unknown { index, hidden } => write!(f, "{}?{index}", at(hidden)),
        }
    }
}

/// One entry of the dynamic symbol table, as a listing yields it.
///
/// Its `Display` prints the one-line form a `vdso symbols` tool shows, which
/// readelf's output can be normalised to:
///
/// ```text
/// NAME VERSION TYPE BIND VALUE_HEX
/// __vdso_clock_gettime @@LINUX_2.6 FUNC GLOBAL 0xaf0
/// LINUX_2.6 @@LINUX_2.6 OBJECT GLOBAL 0x0
/// ```
///
/// `VERSION` is printed by [`Version`]'s `Display`; `TYPE` and `BIND` use
/// readelf's words; `VALUE_HEX` is the raw `st_value` in lowercase hex
/// without padding. Bytes of the name outside printable ASCII, and spaces,
/// are printed as `\xNN`. No newline is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DynSymbol<'a> {
    /// Index in the dynamic symbol table.
    pub index: u32,
    /// The name, as stored in the string table.
    pub name: &'a [u8],
    /// The version.
    pub version: Version<'a>,
    /// The type.
    pub kind: SymbolType,
    /// The binding.
    pub binding: SymbolBinding,
    /// `st_other` (its low two bits are the visibility).
    pub other: u8,
    /// `st_shndx`: the section index, 0 (`SHN_UNDEF`) for an undefined
    /// symbol, 0xfff1 (`SHN_ABS`) for an absolute one.
    pub shndx: u16,
    /// `st_value` as stored.
    pub value: u64,
    /// `st_size`.
    pub size: u64,
}

impl DynSymbol<'_> {
    /// Whether the symbol is defined (`st_shndx != SHN_UNDEF`).
    pub const fn is_defined(&self) -> bool {
        self.shndx != crate::elf::SHN_UNDEF
    }

    /// Whether a lookup can return this symbol: defined, `FUNC` or
    /// `NOTYPE`, `GLOBAL` or `WEAK`.
    pub fn is_callable(&self) -> bool {
        is_callable(self.kind, self.binding, self.shndx)
    }
}

impl fmt::Display for DynSymbol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_name(f, self.name)?;
        write!(
            f,
            " {} {} {} {:#x}",
            self.version, self.kind, self.binding, self.value
        )
    }
}

/// Whether a symbol with these attributes is a lookup result.
#[inline(always)]
pub(crate) fn is_callable(kind: SymbolType, binding: SymbolBinding, shndx: u16) -> bool {
    matches!(kind, SymbolType::FUNC | SymbolType::NOTYPE)
        && matches!(binding, SymbolBinding::GLOBAL | SymbolBinding::WEAK)
        && shndx != crate::elf::SHN_UNDEF
}

/// Writes a name, escaping bytes that would break a one-line listing.
pub(crate) fn write_name(f: &mut fmt::Formatter<'_>, name: &[u8]) -> fmt::Result {
    for &b in name {
        if b.is_ascii_graphic() {
            fmt::Write::write_char(f, char::from(b))?;
        } else {
            write!(f, "\\x{b:02x}")?;
        }
    }
    Ok(())
}

/// A byte string printed like a symbol name (see [`DynSymbol`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Name<'a>(pub &'a [u8]);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_name(f, self.0)
    }
}
