//! The ELF writer: lays the image out, and writes its ELF header, program
//! headers, dynamic section, symbols and strings; [`super::tables`] writes
//! the hash and version tables.

use freestand_vdso::gnu_hash;

use super::spec::{Built, Offsets, SHN_ABS, SHN_UNDEF, STB_GLOBAL, STT_OBJECT, Spec, Sym, Written};
use super::tables::{write_gnu_hash, write_sysv_hash, write_versions};

pub(super) struct Out {
    big: bool,
    pub(super) class64: bool,
    pub(super) buf: Vec<u8>,
}

impl Out {
    fn put(&mut self, off: usize, le: &[u8], be: &[u8]) {
        let b = if self.big { be } else { le };
        if self.buf.len() < off + b.len() {
            self.buf.resize(off + b.len(), 0);
        }
        self.buf[off..off + b.len()].copy_from_slice(b);
    }
    fn u8(&mut self, off: usize, v: u8) {
        self.put(off, &[v], &[v]);
    }
    pub(super) fn u16(&mut self, off: usize, v: u16) {
        self.put(off, &v.to_le_bytes(), &v.to_be_bytes());
    }
    pub(super) fn u32(&mut self, off: usize, v: u32) {
        self.put(off, &v.to_le_bytes(), &v.to_be_bytes());
    }
    pub(super) fn u64(&mut self, off: usize, v: u64) {
        self.put(off, &v.to_le_bytes(), &v.to_be_bytes());
    }
    pub(super) fn word(&mut self, off: usize, v: u64) {
        if self.class64 {
            self.u64(off, v)
        } else {
            self.u32(off, v as u32)
        }
    }
    pub(super) fn word_size(&self) -> usize {
        if self.class64 { 8 } else { 4 }
    }
}

fn align(x: usize) -> usize {
    (x + 7) & !7
}

/// Writes the image `spec` describes.
pub fn build(spec: &Spec) -> Built {
    let c64 = spec.class64;
    let w = if c64 { 8 } else { 4 };
    let ehsize = if c64 { 64 } else { 52 };
    let phentsize = if c64 { 56 } else { 32 };
    let symsize = if c64 { 24 } else { 16 };
    let phnum = if spec.split { 3 } else { 2 };
    let vmask = if c64 { u64::MAX } else { u32::MAX as u64 };

    // Symbol order: null, undefined ones (not hashed), then the rest, sorted
    // by GNU bucket when there is a GNU table.
    let mut all: Vec<Sym> = spec.symbols.clone();
    if spec.versioned && spec.version_symbols {
        for (i, v) in spec.versions.iter().enumerate() {
            all.push(Sym {
                name: v.clone(),
                version: Some(i),
                hidden: false,
                kind: STT_OBJECT,
                bind: STB_GLOBAL,
                shndx: SHN_ABS,
                value: 0,
                size: 0,
            });
        }
    }
    let (undef, mut hashed): (Vec<Sym>, Vec<Sym>) =
        all.into_iter().partition(|s| s.shndx == SHN_UNDEF);
    if spec.gnu {
        hashed.sort_by_key(|s| gnu_hash(s.name.as_bytes()) % spec.gnu_nbuckets);
    }
    let symoffset = 1 + undef.len();
    let mut syms: Vec<Option<Sym>> = vec![None];
    syms.extend(undef.into_iter().map(Some));
    syms.extend(hashed.into_iter().map(Some));
    let nsyms = syms.len();

    // String table.
    let mut strtab = vec![0u8];
    let mut add_str = |s: &str| {
        let off = strtab.len();
        strtab.extend_from_slice(s.as_bytes());
        strtab.push(0);
        off as u32
    };
    let soname_off = add_str(&spec.soname);
    let version_offs: Vec<u32> = spec.versions.iter().map(|v| add_str(v)).collect();
    let name_offs: Vec<u32> = syms
        .iter()
        .map(|s| s.as_ref().map_or(0, |s| add_str(&s.name)))
        .collect();

    // Layout.
    let phoff = ehsize;
    let mut off = align(phoff + phnum * phentsize);
    let dyn_off = off;
    let ndyn = 12;
    off = align(off + ndyn * 2 * w);
    let tables_start = off;
    let hash_ent = if spec.sysv_wide { 8 } else { 4 };
    let hash_off = off;
    if spec.sysv {
        off = align(off + (2 + spec.sysv_nbucket as usize + nsyms) * hash_ent);
    }
    let gnu_off = off;
    if spec.gnu {
        off = align(
            off + 16
                + spec.gnu_bloom_words as usize * w
                + spec.gnu_nbuckets as usize * 4
                + (nsyms - symoffset) * 4,
        );
    }
    let symtab_off = off;
    off = align(off + nsyms * symsize);
    let strtab_off = off;
    off = align(off + strtab.len());
    let versym_off = off;
    let verdef_off;
    if spec.versioned {
        off = align(off + nsyms * 2);
        verdef_off = off;
        off = align(off + (1 + spec.versions.len()) * 28);
    } else {
        verdef_off = 0;
    }
    let tables_end = off;
    let text_end = 0x900.max(off);
    let total = text_end;

    // vaddr of a file offset: the tables move by `shift` in split images.
    let shift: u64 = if spec.split { 0x1000_0000 } else { 0 };
    let va = |o: usize| -> u64 {
        let s = if (tables_start..tables_end).contains(&o) {
            shift
        } else {
            0
        };
        spec.vaddr.wrapping_add(o as u64).wrapping_add(s) & vmask
    };

    let mut out = Out {
        big: spec.big,
        class64: c64,
        buf: vec![0; total],
    };

    // ELF header.
    out.put(0, &[0x7f, b'E', b'L', b'F'], &[0x7f, b'E', b'L', b'F']);
    out.u8(4, if c64 { 2 } else { 1 });
    out.u8(5, if spec.big { 2 } else { 1 });
    out.u8(6, 1);
    out.u16(16, 3); // ET_DYN
    out.u16(18, spec.machine);
    out.u32(20, 1);
    if c64 {
        out.u64(32, phoff as u64);
        out.u64(40, 0); // e_shoff
        out.u16(52, ehsize as u16);
        out.u16(54, phentsize as u16);
        out.u16(56, phnum as u16);
        out.u16(58, 64);
        out.u16(60, 0); // e_shnum
    } else {
        out.u32(28, phoff as u32);
        out.u32(32, 0);
        out.u16(40, ehsize as u16);
        out.u16(42, phentsize as u16);
        out.u16(44, phnum as u16);
        out.u16(46, 40);
        out.u16(48, 0);
    }

    // Program headers: (type, flags, offset, vaddr, filesz).
    let mut phdrs = vec![];
    if spec.split {
        phdrs.push((1u32, 7u32, 0usize, va(0), tables_start));
        phdrs.push((
            1,
            7,
            tables_start,
            va(tables_start),
            tables_end - tables_start,
        ));
        phdrs.push((2, 6, dyn_off, va(dyn_off), ndyn * 2 * w));
        // The text after the tables belongs to the first segment's mapping
        // rule; keep it out of both for simplicity: no symbol points there
        // in split images except through the first segment's vaddrs.
    } else {
        phdrs.push((1u32, 7u32, 0usize, va(0), total));
        phdrs.push((2, 6, dyn_off, va(dyn_off), ndyn * 2 * w));
    }
    for (i, &(t, f, o, v, sz)) in phdrs.iter().enumerate() {
        let p = phoff + i * phentsize;
        out.u32(p, t);
        if c64 {
            out.u32(p + 4, f);
            out.u64(p + 8, o as u64);
            out.u64(p + 16, v);
            out.u64(p + 24, v);
            out.u64(p + 32, sz as u64);
            out.u64(p + 40, sz as u64);
            out.u64(p + 48, 0x1000);
        } else {
            out.u32(p + 4, o as u32);
            out.u32(p + 8, v as u32);
            out.u32(p + 12, v as u32);
            out.u32(p + 16, sz as u32);
            out.u32(p + 20, sz as u32);
            out.u32(p + 24, f);
            out.u32(p + 28, 0x1000);
        }
    }

    // Dynamic section.
    let mut dyns: Vec<(u64, u64)> = vec![(14, soname_off as u64)];
    if spec.sysv {
        dyns.push((4, va(hash_off)));
    }
    if spec.gnu {
        dyns.push((0x6fff_fef5, va(gnu_off)));
    }
    dyns.push((5, va(strtab_off)));
    dyns.push((6, va(symtab_off)));
    if spec.write_strsz {
        dyns.push((10, strtab.len() as u64));
    }
    if spec.write_syment {
        dyns.push((11, symsize as u64));
    }
    if spec.versioned {
        dyns.push((0x6fff_fff0, va(versym_off)));
        dyns.push((0x6fff_fffc, va(verdef_off)));
        dyns.push((0x6fff_fffd, 1 + spec.versions.len() as u64));
    }
    dyns.push((0, 0));
    assert!(dyns.len() <= ndyn);
    for (i, &(t, v)) in dyns.iter().enumerate() {
        out.word(dyn_off + i * 2 * w, t);
        out.word(dyn_off + i * 2 * w + w, v);
    }

    // Symbols.
    let mut written = vec![];
    for (i, s) in syms.iter().enumerate() {
        let p = symtab_off + i * symsize;
        let Some(s) = s else {
            written.push(None);
            continue;
        };
        let value = if s.shndx == SHN_ABS || s.shndx == SHN_UNDEF {
            s.value
        } else {
            va(s.value as usize)
        };
        let info = (s.bind << 4) | s.kind;
        if c64 {
            out.u32(p, name_offs[i]);
            out.u8(p + 4, info);
            out.u8(p + 5, 0);
            out.u16(p + 6, s.shndx);
            out.u64(p + 8, value);
            out.u64(p + 16, s.size);
        } else {
            out.u32(p, name_offs[i]);
            out.u32(p + 4, value as u32);
            out.u32(p + 8, s.size as u32);
            out.u8(p + 12, info);
            out.u8(p + 13, 0);
            out.u16(p + 14, s.shndx);
        }
        written.push(Some(Written {
            name: s.name.clone(),
            version: if spec.versioned {
                s.version.map(|v| spec.versions[v].clone())
            } else {
                None
            },
            hidden: s.hidden && spec.versioned && s.version.is_some(),
            kind: s.kind,
            bind: s.bind,
            shndx: s.shndx,
            value,
            offset: s.value,
        }));
    }
    out.buf[strtab_off..strtab_off + strtab.len()].copy_from_slice(&strtab);

    // System V hash.
    if spec.sysv {
        write_sysv_hash(&mut out, spec, &syms, hash_off);
    }

    // GNU hash.
    if spec.gnu {
        write_gnu_hash(&mut out, spec, &syms, gnu_off, symoffset);
    }

    // Versions.
    if spec.versioned {
        write_versions(
            &mut out,
            spec,
            &syms,
            versym_off,
            verdef_off,
            soname_off,
            &version_offs,
        );
    }

    // Some recognisable "code".
    for b in &mut out.buf[tables_end.max(0x800)..total] {
        *b = 0xc3;
    }

    let offs = Offsets {
        phoff,
        dynamic: dyn_off,
        hash: spec.sysv.then_some(hash_off),
        gnu_hash: spec.gnu.then_some(gnu_off),
        symtab: symtab_off,
        strtab: strtab_off,
        versym: spec.versioned.then_some(versym_off),
        verdef: spec.versioned.then_some(verdef_off),
        symoffset,
        nsyms,
    };
    Built {
        bytes: out.buf,
        syms: written.into_iter().flatten().collect(),
        offs,
    }
}
