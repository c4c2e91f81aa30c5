//! The one error type of the crate.

use core::fmt;

use crate::layout::{Class, Endian};

/// Why an image was rejected or a symbol was not returned.
///
/// Every variant says what was wrong; those that concern one ELF field carry
/// its name (`e_phoff`, `DT_STRTAB`, `DT_GNU_HASH bucket`, `verdef vd_next`,
/// ...) as a `&'static str`, so the error can be printed without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The address given to
    /// [`Vdso::from_sysinfo_ehdr`](crate::Vdso::from_sysinfo_ehdr) was 0:
    /// the kernel passed no `AT_SYSINFO_EHDR`, so there is no vDSO.
    NoVdso,
    /// This crate does not know the `e_machine` of the architecture it was
    /// compiled for, so it cannot check that a vDSO in memory is the right
    /// one. Parse it from a byte slice instead.
    UnsupportedArchitecture,
    /// The image does not start with `\x7fELF`.
    BadMagic,
    /// `e_ident[EI_CLASS]` is neither `ELFCLASS32` nor `ELFCLASS64`.
    UnsupportedClass(u8),
    /// `e_ident[EI_DATA]` is neither `ELFDATA2LSB` nor `ELFDATA2MSB`.
    UnsupportedDataEncoding(u8),
    /// `e_ident[EI_VERSION]` is not `EV_CURRENT` (1).
    UnsupportedVersion(u8),
    /// The image is of another class than the layout it was parsed as.
    WrongClass {
        /// The class of the layout (for the running program's vDSO, its own).
        expected: Class,
        /// The class in the image.
        found: Class,
    },
    /// The image has another byte order than the layout it was parsed as.
    WrongEndian {
        /// The byte order of the layout.
        expected: Endian,
        /// The byte order in the image.
        found: Endian,
    },
    /// `e_machine` is not the running program's architecture.
    WrongMachine {
        /// The `e_machine` of the running program.
        expected: u16,
        /// The `e_machine` in the image.
        found: u16,
    },
    /// `e_type` is not `ET_DYN`; every vDSO is a shared object.
    WrongType(u16),
    /// `e_phentsize` is smaller than a program header of this class.
    BadPhentsize(u16),
    /// There is no `PT_LOAD` program header.
    NoLoadSegment,
    /// There is no `PT_DYNAMIC` program header.
    NoDynamicSegment,
    /// The dynamic section has no `DT_SYMTAB`.
    NoSymbolTable,
    /// The dynamic section has no `DT_STRTAB`.
    NoStringTable,
    /// `DT_SYMENT` is not the size of a symbol of this class.
    BadSymbolEntrySize(u64),
    /// A table, entry or string named by `field` does not fit in the image
    /// (or its size computation overflows).
    OutOfRange {
        /// The field whose value points outside.
        field: &'static str,
    },
    /// A virtual address from the field `field` lies in no `PT_LOAD`
    /// segment's file contents.
    AddressNotMapped {
        /// The field holding the address.
        field: &'static str,
        /// The address.
        address: u64,
    },
    /// A string named by `field` has no terminating NUL inside the string
    /// table.
    UnterminatedString {
        /// The field holding the string offset.
        field: &'static str,
    },
    /// A chain (hash chain or version definition list) named by `field` is
    /// longer than its table allows, or loops.
    ChainTooLong {
        /// The field that links the chain.
        field: &'static str,
    },
    /// The field `field` holds a value that no valid image has (a zero bucket
    /// count, a Bloom shift of 32 or more, an unknown `vd_version`, ...).
    InvalidValue {
        /// The offending field.
        field: &'static str,
    },
    /// [`Vdso::lookup_via`](crate::Vdso::lookup_via) was asked for a hash
    /// table the image does not have.
    NoSuchHashTable,
    /// No defined function (or untyped) symbol of that name exists.
    SymbolNotFound,
    /// Symbols of that name exist, but none has the requested version.
    VersionNotFound,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::NoVdso => f.write_str("no vDSO: AT_SYSINFO_EHDR is absent or 0"),
            Error::UnsupportedArchitecture => {
                f.write_str("the e_machine of this architecture is unknown to freestand-vdso")
            }
            Error::BadMagic => f.write_str("bad ELF magic"),
            Error::UnsupportedClass(c) => write!(f, "unsupported ELF class {c}"),
            Error::UnsupportedDataEncoding(d) => {
                write!(f, "unsupported ELF data encoding (endianness) {d}")
            }
            Error::UnsupportedVersion(v) => write!(f, "unsupported ELF version {v}"),
            Error::WrongClass { expected, found } => {
                write!(f, "wrong ELF class: expected {expected}, found {found}")
            }
            Error::WrongEndian { expected, found } => {
                write!(f, "wrong byte order: expected {expected}, found {found}")
            }
            Error::WrongMachine { expected, found } => {
                write!(f, "wrong e_machine: expected {expected}, found {found}")
            }
            Error::WrongType(t) => write!(f, "wrong e_type {t}: a vDSO is ET_DYN (3)"),
            Error::BadPhentsize(s) => write!(f, "bad e_phentsize {s}"),
            Error::NoLoadSegment => f.write_str("no PT_LOAD program header"),
            Error::NoDynamicSegment => f.write_str("no PT_DYNAMIC program header"),
            Error::NoSymbolTable => f.write_str("no symbol table (DT_SYMTAB)"),
            Error::NoStringTable => f.write_str("no string table (DT_STRTAB)"),
            Error::BadSymbolEntrySize(s) => write!(f, "bad DT_SYMENT {s}"),
            Error::OutOfRange { field } => write!(f, "offset out of range at field {field}"),
            Error::AddressNotMapped { field, address } => {
                write!(
                    f,
                    "address {address:#x} in {field} is in no PT_LOAD segment"
                )
            }
            Error::UnterminatedString { field } => {
                write!(f, "unterminated string at field {field}")
            }
            Error::ChainTooLong { field } => write!(f, "chain too long or cyclic at {field}"),
            Error::InvalidValue { field } => write!(f, "invalid value at field {field}"),
            Error::NoSuchHashTable => f.write_str("the image has no such hash table"),
            Error::SymbolNotFound => f.write_str("symbol not found"),
            Error::VersionNotFound => f.write_str("symbol found, but not in that version"),
        }
    }
}

impl core::error::Error for Error {}
