//! The ELF constants the parser needs, defined here so that the crate has no
//! dependencies. Values and meanings are from the System V gABI and the Linux
//! `elf.h`; each one names the structure field it belongs to.

/// `e_ident[EI_MAG0..EI_MAG3]`: the four magic bytes every ELF file starts with.
pub(crate) const ELFMAG: [u8; 4] = [0x7f, b'E', b'L', b'F'];
/// Index of the file class byte (`ELFCLASS32` or `ELFCLASS64`) in `e_ident`.
pub(crate) const EI_CLASS: usize = 4;
/// Index of the data encoding byte (`ELFDATA2LSB` or `ELFDATA2MSB`) in `e_ident`.
pub(crate) const EI_DATA: usize = 5;
/// Index of the identification version byte in `e_ident`.
pub(crate) const EI_VERSION: usize = 6;
/// Length of `e_ident`.
pub(crate) const EI_NIDENT: usize = 16;
/// `e_ident[EI_CLASS]` of a 32-bit object.
pub(crate) const ELFCLASS32: u8 = 1;
/// `e_ident[EI_CLASS]` of a 64-bit object.
pub(crate) const ELFCLASS64: u8 = 2;
/// `e_ident[EI_DATA]`: two's complement, little endian.
pub(crate) const ELFDATA2LSB: u8 = 1;
/// `e_ident[EI_DATA]`: two's complement, big endian.
pub(crate) const ELFDATA2MSB: u8 = 2;
/// `e_ident[EI_VERSION]`: the only ELF version there is.
pub(crate) const EV_CURRENT: u8 = 1;

/// `e_type` of a shared object; every vDSO is one.
pub(crate) const ET_DYN: u16 = 3;

/// `p_type` of an unused program header.
pub(crate) const PT_NULL: u32 = 0;
/// `p_type` of a loadable segment.
pub(crate) const PT_LOAD: u32 = 1;
/// `p_type` of the segment that holds the dynamic section.
pub(crate) const PT_DYNAMIC: u32 = 2;

/// `d_tag` that ends the dynamic array.
pub(crate) const DT_NULL: u64 = 0;
/// `d_tag`: address of the System V symbol hash table.
pub(crate) const DT_HASH: u64 = 4;
/// `d_tag`: address of the dynamic string table.
pub(crate) const DT_STRTAB: u64 = 5;
/// `d_tag`: address of the dynamic symbol table.
pub(crate) const DT_SYMTAB: u64 = 6;
/// `d_tag`: size in bytes of the dynamic string table.
pub(crate) const DT_STRSZ: u64 = 10;
/// `d_tag`: size in bytes of one symbol table entry.
pub(crate) const DT_SYMENT: u64 = 11;
/// `d_tag`: string table offset of the object's own name.
pub(crate) const DT_SONAME: u64 = 14;
/// `d_tag`: address of the GNU-style hash table (with its Bloom filter).
pub(crate) const DT_GNU_HASH: u64 = 0x6fff_fef5;
/// `d_tag`: address of the symbol version table (one `u16` per symbol).
pub(crate) const DT_VERSYM: u64 = 0x6fff_fff0;
/// `d_tag`: address of the version definition chain.
pub(crate) const DT_VERDEF: u64 = 0x6fff_fffc;
/// `d_tag`: number of entries in the version definition chain.
pub(crate) const DT_VERDEFNUM: u64 = 0x6fff_fffd;

/// `st_shndx` of an undefined symbol.
pub(crate) const SHN_UNDEF: u16 = 0;

/// `vd_version` of every version definition the GNU tools write.
pub(crate) const VER_DEF_CURRENT: u16 = 1;
/// `vd_flags` bit of the definition that names the object itself, not a
/// version symbols can bind to.
pub(crate) const VER_FLG_BASE: u16 = 1;
/// Bit of a `DT_VERSYM` entry that marks a hidden (non-default) version.
pub(crate) const VERSYM_HIDDEN: u16 = 0x8000;
/// Mask of a `DT_VERSYM` entry that selects the version index.
pub(crate) const VERSYM_VERSION: u16 = 0x7fff;
/// Size of an `Elfxx_Verdef` (the same in both classes).
pub(crate) const VERDEF_SIZE: usize = 20;
/// Size of an `Elfxx_Verdaux` (the same in both classes).
pub(crate) const VERDAUX_SIZE: usize = 8;

/// `e_machine` of 64-bit s390, whose `DT_HASH` words are 8 bytes wide.
pub(crate) const EM_S390: u16 = 22;
/// `e_machine` of Alpha in the gABI, whose `DT_HASH` words are 8 bytes wide.
pub(crate) const EM_ALPHA: u16 = 41;
/// `e_machine` Linux used for Alpha before the gABI assigned one.
pub(crate) const EM_ALPHA_OLD: u16 = 0x9026;
