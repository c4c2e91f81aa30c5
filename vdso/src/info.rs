//! What a `vdso info` tool prints: the image's identity, tables and version
//! definitions.

use core::fmt;

use crate::layout::{Class, Endian};

/// An ELF `e_machine` value, with names for the architectures that have a
/// vDSO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Machine(pub u16);

impl Machine {
    /// A short name, or `None` for machines this crate does not name.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            2 => "sparc",
            3 => "i386",
            4 => "m68k",
            8 => "mips",
            15 => "parisc",
            18 => "sparc32plus",
            20 => "ppc",
            21 => "ppc64",
            22 => "s390",
            40 => "arm",
            41 | 0x9026 => "alpha",
            42 => "sh",
            43 => "sparcv9",
            62 => "x86_64",
            164 => "hexagon",
            183 => "aarch64",
            243 => "riscv",
            252 => "csky",
            258 => "loongarch",
            _ => return None,
        })
    }
}

impl fmt::Display for Machine {
    /// Prints `NUMBER (NAME)`, or the number alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{} ({n})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

/// A summary of a parsed image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Info<'a> {
    /// ELF class.
    pub class: Class,
    /// Byte order.
    pub endian: Endian,
    /// `e_machine`.
    pub machine: Machine,
    /// Address of the first byte of the image (0 for a byte slice).
    pub base: u64,
    /// Load bias: added to a symbol value to get its address.
    pub bias: u64,
    /// Length of the image in bytes (for an image in memory, the end of the
    /// furthest `PT_LOAD` segment's file contents).
    pub image_len: usize,
    /// Whether the image has `DT_GNU_HASH`.
    pub gnu_hash: bool,
    /// Whether the image has `DT_HASH`.
    pub sysv_hash: bool,
    /// Number of entries in the dynamic symbol table, including the null
    /// symbol 0.
    pub symbol_count: u32,
    /// Whether the image has `DT_VERSYM`.
    pub versym: bool,
    /// Number of version definitions.
    pub version_count: u32,
    /// `DT_SONAME`, if present and valid.
    pub soname: Option<&'a [u8]>,
}

/// A version definition (`ElfN_Verdef` with its first `ElfN_Verdaux`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VersionDef<'a> {
    /// `vd_ndx`: the index `DT_VERSYM` entries use.
    pub index: u16,
    /// `vd_flags`.
    pub flags: u16,
    /// `vd_cnt`: number of `Verdaux` entries (the first is the name).
    pub aux_count: u16,
    /// `vd_hash`: the System V hash of the name.
    pub hash: u32,
    /// The name (e.g. `LINUX_2.6`, or the soname for the base definition).
    pub name: &'a [u8],
}

impl VersionDef<'_> {
    /// Whether this is the `VER_FLG_BASE` definition, which names the
    /// object and is never a symbol's version.
    pub const fn is_base(&self) -> bool {
        self.flags & crate::elf::VER_FLG_BASE != 0
    }
}
