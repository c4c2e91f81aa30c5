//! Reading the built programs as ELF files, with the `object` crate: file
//! type, program headers, sections, relocations, symbols and the words the
//! file places at a virtual address.

use std::path::{Path, PathBuf};

use object::elf::{self, FileType, ProgramType};
use object::read::elf::{ElfFile64, FileHeader, ProgramHeader, SectionHeader};
use object::{Endian, Endianness, Object, ObjectSection, ObjectSymbol};

/// A 64-bit ELF file, read whole.
pub struct Elf {
    path: PathBuf,
    data: Vec<u8>,
}

/// A program header.
pub struct Segment {
    /// `p_type`.
    pub kind: ProgramType,
    /// `p_flags`: `PF_R`, `PF_W`, `PF_X`.
    pub flags: u32,
    /// `p_offset`.
    pub offset: u64,
    /// `p_vaddr`.
    pub vaddr: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
    /// `p_align`.
    pub align: u64,
}

/// A section's place in memory and in the file.
pub struct Section {
    /// `sh_addr`.
    pub address: u64,
    /// `sh_size`.
    pub size: u64,
    /// `sh_offset` (0 for a section with no file data).
    pub offset: u64,
}

/// A symbol of `.symtab` or `.dynsym`.
pub struct Symbol {
    /// Its name, as stored (mangled).
    pub name: String,
    /// `st_value`.
    pub value: u64,
    /// Whether it is undefined (`SHN_UNDEF`).
    pub undefined: bool,
}

impl Elf {
    /// Reads `path`; fails unless it is a 64-bit ELF file.
    pub fn open(path: &Path) -> Result<Elf, String> {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        ElfFile64::<Endianness>::parse(&*data).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Elf {
            path: path.to_owned(),
            data,
        })
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    fn file(&self) -> ElfFile64<'_, Endianness> {
        ElfFile64::parse(&*self.data).expect("parsed once in Elf::open")
    }

    /// `e_type`.
    pub fn file_type(&self) -> FileType {
        let f = self.file();
        f.elf_header().e_type(f.endian())
    }

    /// The program headers.
    pub fn segments(&self) -> Vec<Segment> {
        let f = self.file();
        let e = f.endian();
        f.elf_program_headers()
            .iter()
            .map(|ph| Segment {
                kind: ph.p_type(e),
                flags: ph.p_flags(e).0,
                offset: ph.p_offset(e),
                vaddr: ph.p_vaddr(e),
                filesz: ph.p_filesz(e),
                memsz: ph.p_memsz(e),
                align: ph.p_align(e),
            })
            .collect()
    }

    /// Whether a program header of type `kind` is present.
    pub fn has_segment(&self, kind: ProgramType) -> bool {
        self.segments().iter().any(|s| s.kind == kind)
    }

    /// The section called `name`, if there is one.
    pub fn section(&self, name: &str) -> Option<Section> {
        let f = self.file();
        let s = f.section_by_name(name)?;
        Some(Section {
            address: s.address(),
            size: s.size(),
            offset: s.file_range().map_or(0, |(offset, _)| offset),
        })
    }

    /// The type of every entry of every `SHT_RELA` section, in file order.
    pub fn rela_types(&self) -> Result<Vec<u32>, String> {
        let f = self.file();
        let e = f.endian();
        let mut types = Vec::new();
        for s in f.elf_section_table().iter() {
            let table = s
                .rela(e, &*self.data)
                .map_err(|err| format!("{}: {err}", self.path.display()))?;
            if let Some((entries, _)) = table {
                types.extend(entries.iter().map(|r| r.r_type(e, false).0));
            }
        }
        Ok(types)
    }

    /// Every symbol of `.symtab` and `.dynsym` but the null one.
    pub fn symbols(&self) -> Vec<Symbol> {
        let f = self.file();
        f.symbols()
            .chain(f.dynamic_symbols())
            .map(|s| Symbol {
                name: String::from_utf8_lossy(s.name_bytes().unwrap_or(b"")).into_owned(),
                value: s.address(),
                undefined: s.is_undefined(),
            })
            .collect()
    }

    /// The names of the symbol versions the dynamic symbols refer to
    /// (`.gnu.version`, with `.gnu.version_d` and `.gnu.version_r`).
    pub fn symbol_versions(&self) -> Result<Vec<String>, String> {
        let f = self.file();
        let e = f.endian();
        let err = |err| format!("{}: {err}", self.path.display());
        let Some(table) = f
            .elf_section_table()
            .versions(e, &*self.data)
            .map_err(err)?
        else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for s in f.dynamic_symbols() {
            let index = table.version_index(e, s.index()).index();
            if let Some(v) = table.version(index).map_err(err)? {
                names.push(String::from_utf8_lossy(v.name()).into_owned());
            }
        }
        Ok(names)
    }

    /// The link-time value of the one symbol whose name contains `part`.
    pub fn symbol_value(&self, part: &str) -> Result<u64, String> {
        let hits: Vec<u64> = self
            .symbols()
            .into_iter()
            .filter(|s| s.name.contains(part))
            .map(|s| s.value)
            .collect();
        match hits[..] {
            [v] => Ok(v),
            _ => Err(format!(
                "{}: {} symbols match {part:?}",
                self.path.display(),
                hits.len()
            )),
        }
    }

    /// Where the file holds the 8 bytes at virtual address `vaddr`, in the
    /// file part of a `PT_LOAD` segment: (file offset, whether the segment
    /// is writable).
    pub fn loaded_word(&self, vaddr: u64) -> Option<(usize, bool)> {
        for s in self.segments() {
            if s.kind == elf::PT_LOAD && s.vaddr <= vaddr && vaddr + 8 <= s.vaddr + s.filesz {
                let offset = usize::try_from(s.offset + (vaddr - s.vaddr)).ok()?;
                return Some((offset, s.flags & elf::PF_W.0 != 0));
            }
        }
        None
    }

    /// The 8-byte word the file places at virtual address `vaddr`.
    pub fn read_u64(&self, vaddr: u64) -> Option<u64> {
        let (offset, _) = self.loaded_word(vaddr)?;
        let bytes = self.data.get(offset..offset + 8)?.try_into().ok()?;
        Some(self.file().endian().read_u64(bytes))
    }
}

/// `e_type` as its constant's name.
pub fn file_type_name(t: FileType) -> String {
    match t {
        elf::ET_EXEC => "ET_EXEC".into(),
        elf::ET_DYN => "ET_DYN".into(),
        other => format!("e_type {}", other.0),
    }
}
