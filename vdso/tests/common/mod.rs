//! A small ELF writer for synthetic vDSO-like images, and helpers shared by
//! the integration tests.
//!
//! The images have what a vDSO has (one `PT_LOAD`, `PT_DYNAMIC`, dynamic
//! symbols and strings, optional `DT_HASH`/`DT_GNU_HASH`, `DT_VERSYM` and
//! `DT_VERDEF`) and never any section headers (`e_shoff = e_shnum = 0`).

#![allow(dead_code)]

use freestand_vdso::{gnu_hash, sysv_hash};

pub const STT_NOTYPE: u8 = 0;
pub const STT_OBJECT: u8 = 1;
pub const STT_FUNC: u8 = 2;
pub const STB_LOCAL: u8 = 0;
pub const STB_GLOBAL: u8 = 1;
pub const STB_WEAK: u8 = 2;
pub const SHN_UNDEF: u16 = 0;
pub const SHN_ABS: u16 = 0xfff1;
/// Section index given to defined code symbols (any non-special value).
pub const SHN_TEXT: u16 = 7;

/// One symbol to write.
#[derive(Clone, Debug)]
pub struct Sym {
    pub name: String,
    /// Index into [`Spec::versions`], or `None` for the base version (1).
    pub version: Option<usize>,
    pub hidden: bool,
    pub kind: u8,
    pub bind: u8,
    pub shndx: u16,
    /// Offset of the symbol in the image (the writer adds the link address),
    /// or the raw value for `SHN_ABS` and undefined symbols.
    pub value: u64,
    pub size: u64,
}

impl Sym {
    pub fn func(name: &str, version: Option<usize>, value: u64) -> Sym {
        Sym {
            name: name.into(),
            version,
            hidden: false,
            kind: STT_FUNC,
            bind: STB_GLOBAL,
            shndx: SHN_TEXT,
            value,
            size: 16,
        }
    }
}

/// What to write.
#[derive(Clone, Debug)]
pub struct Spec {
    pub class64: bool,
    pub big: bool,
    pub machine: u16,
    pub gnu: bool,
    pub sysv: bool,
    /// 8-byte `DT_HASH` entries (64-bit s390, Alpha).
    pub sysv_wide: bool,
    pub gnu_nbuckets: u32,
    pub gnu_bloom_words: u32,
    pub sysv_nbucket: u32,
    /// Link address of file offset 0.
    pub vaddr: u64,
    /// Put the symbol, string, hash and version tables in a second
    /// `PT_LOAD` whose vaddr - offset differs from the first one's.
    pub split: bool,
    pub soname: String,
    /// Whether to write `DT_VERSYM` and `DT_VERDEF`.
    pub versioned: bool,
    /// Non-base version names, indices 2, 3, ...
    pub versions: Vec<String>,
    /// Add an `ABS OBJECT` symbol for each version, as ld does.
    pub version_symbols: bool,
    pub write_strsz: bool,
    pub write_syment: bool,
    pub symbols: Vec<Sym>,
}

impl Spec {
    /// A 64-bit little-endian x86_64 image with both hash tables and one
    /// version, `LINUX_2.6`.
    pub fn x86_64() -> Spec {
        Spec {
            class64: true,
            big: false,
            machine: 62,
            gnu: true,
            sysv: true,
            sysv_wide: false,
            gnu_nbuckets: 3,
            gnu_bloom_words: 1,
            sysv_nbucket: 3,
            vaddr: 0,
            split: false,
            soname: "linux-vdso.so.1".into(),
            versioned: true,
            versions: vec!["LINUX_2.6".into()],
            version_symbols: true,
            write_strsz: true,
            write_syment: true,
            symbols: vec![
                Sym::func("__vdso_clock_gettime", Some(0), 0x800),
                Sym::func("__vdso_gettimeofday", Some(0), 0x820),
                Sym::func("__vdso_time", Some(0), 0x840),
                Sym::func("__vdso_getcpu", Some(0), 0x860),
                Sym {
                    bind: STB_WEAK,
                    ..Sym::func("clock_gettime", Some(0), 0x800)
                },
                Sym {
                    bind: STB_WEAK,
                    ..Sym::func("time", Some(0), 0x840)
                },
                Sym::func("__vdso_clock_getres", Some(0), 0x880),
            ],
        }
    }
}

/// A symbol as written, in table order.
#[derive(Clone, Debug)]
pub struct Written {
    pub name: String,
    pub version: Option<String>,
    pub hidden: bool,
    pub kind: u8,
    pub bind: u8,
    pub shndx: u16,
    /// The raw `st_value`.
    pub value: u64,
    /// The offset in the image the symbol's address corresponds to.
    pub offset: u64,
}

impl Written {
    /// The listing line the crate should print for this symbol, if listed.
    pub fn line(&self) -> Option<String> {
        if self.shndx == SHN_UNDEF || self.kind > STT_FUNC {
            return None;
        }
        let version = match (&self.version, self.hidden) {
            (None, _) => "-".to_string(),
            (Some(v), true) => format!("@{v}"),
            (Some(v), false) => format!("@@{v}"),
        };
        let kind = ["NOTYPE", "OBJECT", "FUNC"][self.kind as usize];
        let bind = ["LOCAL", "GLOBAL", "WEAK"][self.bind as usize];
        Some(format!(
            "{} {version} {kind} {bind} {:#x}",
            self.name, self.value
        ))
    }
}

/// Where the writer put each table (file offsets).
#[derive(Clone, Copy, Debug, Default)]
pub struct Offsets {
    pub phoff: usize,
    pub dynamic: usize,
    pub hash: Option<usize>,
    pub gnu_hash: Option<usize>,
    pub symtab: usize,
    pub strtab: usize,
    pub versym: Option<usize>,
    pub verdef: Option<usize>,
    /// Index of the first hashed symbol (GNU `symoffset`).
    pub symoffset: usize,
    pub nsyms: usize,
}

/// The image and its symbols in table order (index 0 is the null symbol).
pub struct Built {
    pub bytes: Vec<u8>,
    pub syms: Vec<Written>,
    pub offs: Offsets,
}

impl Built {
    pub fn lines(&self) -> Vec<String> {
        self.syms.iter().filter_map(Written::line).collect()
    }
}

struct Out {
    big: bool,
    class64: bool,
    buf: Vec<u8>,
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
    fn u16(&mut self, off: usize, v: u16) {
        self.put(off, &v.to_le_bytes(), &v.to_be_bytes());
    }
    fn u32(&mut self, off: usize, v: u32) {
        self.put(off, &v.to_le_bytes(), &v.to_be_bytes());
    }
    fn u64(&mut self, off: usize, v: u64) {
        self.put(off, &v.to_le_bytes(), &v.to_be_bytes());
    }
    fn word(&mut self, off: usize, v: u64) {
        if self.class64 {
            self.u64(off, v)
        } else {
            self.u32(off, v as u32)
        }
    }
    fn word_size(&self) -> usize {
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
        let nb = spec.sysv_nbucket as usize;
        let put = |out: &mut Out, idx: usize, v: u64| {
            if spec.sysv_wide {
                out.u64(hash_off + idx * 8, v)
            } else {
                out.u32(hash_off + idx * 4, v as u32)
            }
        };
        put(&mut out, 0, nb as u64);
        put(&mut out, 1, nsyms as u64);
        let mut buckets = vec![0u64; nb];
        let mut chains = vec![0u64; nsyms];
        for (i, s) in syms.iter().enumerate().skip(1) {
            let b = sysv_hash(s.as_ref().unwrap().name.as_bytes()) as usize % nb;
            chains[i] = buckets[b];
            buckets[b] = i as u64;
        }
        for (i, &b) in buckets.iter().enumerate() {
            put(&mut out, 2 + i, b);
        }
        for (i, &c) in chains.iter().enumerate() {
            put(&mut out, 2 + nb + i, c);
        }
    }

    // GNU hash.
    if spec.gnu {
        let nb = spec.gnu_nbuckets;
        let bloom_words = spec.gnu_bloom_words;
        let bits = (w * 8) as u32;
        let shift = if c64 { 6 } else { 5 };
        out.u32(gnu_off, nb);
        out.u32(gnu_off + 4, symoffset as u32);
        out.u32(gnu_off + 8, bloom_words);
        out.u32(gnu_off + 12, shift);
        let mut bloom = vec![0u64; bloom_words as usize];
        let bloom_at = gnu_off + 16;
        let buckets_at = bloom_at + bloom_words as usize * w;
        let chain_at = buckets_at + nb as usize * 4;
        for i in symoffset..nsyms {
            let h = gnu_hash(syms[i].as_ref().unwrap().name.as_bytes());
            let word = ((h / bits) & (bloom_words - 1)) as usize;
            bloom[word] |= (1u64 << (h % bits)) | (1u64 << ((h >> shift) % bits));
            let b = h % nb;
            let bucket_at = buckets_at + b as usize * 4;
            if out.buf[bucket_at..bucket_at + 4] == [0; 4] {
                out.u32(bucket_at, i as u32);
            }
            let last =
                i + 1 == nsyms || gnu_hash(syms[i + 1].as_ref().unwrap().name.as_bytes()) % nb != b;
            out.u32(chain_at + (i - symoffset) * 4, (h & !1) | last as u32);
        }
        for (i, &b) in bloom.iter().enumerate() {
            out.word(bloom_at + i * w, b);
        }
    }

    // Versions.
    if spec.versioned {
        for (i, s) in syms.iter().enumerate() {
            let v: u16 = match s {
                None => 0,
                Some(s) if s.shndx == SHN_UNDEF => 0,
                Some(s) => match s.version {
                    None => 1,
                    Some(v) => (v as u16 + 2) | if s.hidden { 0x8000 } else { 0 },
                },
            };
            out.u16(versym_off + i * 2, v);
        }
        let names: Vec<(u16, u16, u32, &str)> =
            std::iter::once((1u16, 1u16, soname_off, spec.soname.as_str()))
                .chain(
                    spec.versions
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (0, i as u16 + 2, version_offs[i], v.as_str())),
                )
                .collect();
        for (i, &(flags, ndx, name, s)) in names.iter().enumerate() {
            let p = verdef_off + i * 28;
            out.u16(p, 1);
            out.u16(p + 2, flags);
            out.u16(p + 4, ndx);
            out.u16(p + 6, 1);
            out.u32(p + 8, sysv_hash(s.as_bytes()));
            out.u32(p + 12, 20);
            out.u32(p + 16, if i + 1 == names.len() { 0 } else { 28 });
            out.u32(p + 20, name);
            out.u32(p + 24, 0);
        }
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

/// Path of a committed fixture.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The real images committed under tests/data.
pub const FIXTURES: &[&str] = &[
    "host-x86_64.so",
    "qemu-aarch64.so",
    "qemu-aarch64_be.so",
    "qemu-riscv64.so",
    "qemu-riscv32.so",
    "qemu-x86_64.so",
    "qemu-i386.so",
    "qemu-arm.so",
    "qemu-armeb.so",
    "qemu-s390x.so",
    "qemu-ppc64.so",
    "qemu-ppc64le.so",
    "qemu-ppc.so",
    "qemu-hppa.so",
    "qemu-loongarch64.so",
];

/// Reads and writes the fields of a real image, independently of the crate,
/// to relocate it the way qemu-user relocates its vDSO in place.
struct Raw<'b> {
    b: &'b mut [u8],
    c64: bool,
    big: bool,
}

impl Raw<'_> {
    fn rd(&self, off: usize, n: usize) -> u64 {
        let s = &self.b[off..off + n];
        let mut v = 0u64;
        for i in 0..n {
            let byte = if self.big { s[i] } else { s[n - 1 - i] };
            v = (v << 8) | u64::from(byte);
        }
        v
    }
    fn wr(&mut self, off: usize, n: usize, v: u64) {
        for i in 0..n {
            let byte = (v >> (8 * i)) as u8;
            let at = if self.big { off + n - 1 - i } else { off + i };
            self.b[at] = byte;
        }
    }
    fn w(&self) -> usize {
        if self.c64 { 8 } else { 4 }
    }
    fn add(&mut self, off: usize, n: usize, delta: u64) {
        let mask = if n == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        };
        let v = self.rd(off, n).wrapping_add(delta) & mask;
        self.wr(off, n, v);
    }
}

/// Returns a copy of `img` relocated by `delta` in place, as qemu-user does
/// when it maps its vDSO: program header addresses, address-valued dynamic
/// entries and the values of defined, non-absolute symbols all move by
/// `delta`; file offsets do not. Needs `DT_HASH` for the symbol count and a
/// single `PT_LOAD` (true of every fixture).
pub fn relocate(img: &[u8], delta: u64) -> Vec<u8> {
    let mut v = img.to_vec();
    let c64 = v[4] == 2;
    let big = v[5] == 2;
    let mut r = Raw {
        b: &mut v,
        c64,
        big,
    };
    let w = r.w();
    let machine = r.rd(18, 2);
    let (phoff, phentsize, phnum) = if c64 {
        (
            r.rd(32, 8) as usize,
            r.rd(54, 2) as usize,
            r.rd(56, 2) as usize,
        )
    } else {
        (
            r.rd(28, 4) as usize,
            r.rd(42, 2) as usize,
            r.rd(44, 2) as usize,
        )
    };
    let (vaddr_at, paddr_at, offset_at, filesz_at) =
        if c64 { (16, 24, 8, 32) } else { (8, 12, 4, 16) };
    let mut load = None;
    let mut dynamic = None;
    for i in 0..phnum {
        let p = phoff + i * phentsize;
        let t = r.rd(p, 4);
        let off = r.rd(p + offset_at, w);
        let va = r.rd(p + vaddr_at, w);
        let sz = r.rd(p + filesz_at, w);
        if t == 1 && load.is_none() {
            load = Some((off, va));
        }
        if t == 2 {
            dynamic = Some((off as usize, sz as usize));
        }
        r.add(p + vaddr_at, w, delta);
        r.add(p + paddr_at, w, delta);
    }
    let (load_off, load_va) = load.expect("PT_LOAD");
    let to_off = |va: u64| (va - load_va + load_off) as usize;
    let (dyn_off, dyn_sz) = dynamic.expect("PT_DYNAMIC");
    let (mut symtab, mut hash) = (None, None);
    for i in 0..dyn_sz / (2 * w) {
        let e = dyn_off + i * 2 * w;
        let tag = r.rd(e, w);
        let val = r.rd(e + w, w);
        match tag {
            0 => break,
            6 => symtab = Some(val),
            4 => hash = Some(val),
            _ => {}
        }
        if matches!(tag, 4 | 5 | 6 | 0x6fff_fef5 | 0x6fff_fff0 | 0x6fff_fffc) {
            r.add(e + w, w, delta);
        }
    }
    let symtab = to_off(symtab.expect("DT_SYMTAB"));
    let hash = to_off(hash.expect("DT_HASH"));
    let hent = if c64 && machine == 22 { 8 } else { 4 };
    let nsyms = r.rd(hash + hent, hent) as usize;
    let (symsize, value_at, shndx_at) = if c64 { (24, 8, 6) } else { (16, 4, 14) };
    for i in 0..nsyms {
        let s = symtab + i * symsize;
        let shndx = r.rd(s + shndx_at, 2);
        if shndx != 0 && shndx != u64::from(SHN_ABS) {
            r.add(s + value_at, w, delta);
        }
    }
    v
}

/// Runs `readelf --dyn-syms -V -W` on `path` and normalises its symbol table
/// to the crate's one-line form: defined FUNC/OBJECT/NOTYPE symbols, as
/// `NAME VERSION TYPE BIND VALUE_HEX`. Panics (fails the test) if readelf
/// cannot be run.
///
/// GNU readelf prints no version after a symbol whose name is the version's
/// own name string (the `LINUX_2.6` ABS symbols), although its `DT_VERSYM`
/// entry names that version; the version is then taken from readelf's
/// `-V` listing of the version symbol table.
pub fn readelf_symbols(path: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new("readelf")
        .args(["--dyn-syms", "-V", "-W"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `readelf` ({e}): install binutils; the real-image tests need it as their oracle")
        });
    assert!(
        out.status.success(),
        "readelf failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("readelf output is UTF-8");

    enum Part {
        None,
        Symbols,
        Versym,
    }
    let mut part = Part::None;
    // (num, value, type, bind, ndx, name with version)
    let mut rows: Vec<(usize, u64, String, String, String, String)> = vec![];
    // symbol number -> (hidden, version name)
    let mut versym: std::collections::HashMap<usize, (bool, String)> = Default::default();
    for line in text.lines() {
        if line.starts_with("Symbol table '.dynsym'") {
            part = Part::Symbols;
            continue;
        }
        if line.starts_with("Version symbols section") {
            part = Part::Versym;
            continue;
        }
        if line.trim().is_empty() {
            part = Part::None;
            continue;
        }
        match part {
            Part::None => {}
            Part::Symbols => {
                let mut tok: Vec<&str> = line.split_whitespace().collect();
                if tok.first() == Some(&"Num:") {
                    continue;
                }
                // A reference to a needed version is followed by "(N)".
                if tok
                    .last()
                    .is_some_and(|t| t.starts_with('(') && t.ends_with(')'))
                {
                    tok.pop();
                }
                // Num: Value Size Type Bind Vis [other] Ndx Name
                if tok.len() < 8 {
                    continue; // no name: the null symbol
                }
                let num = tok[0].trim_end_matches(':').parse().expect("symbol number");
                let value = u64::from_str_radix(tok[1], 16).expect("hex value");
                rows.push((
                    num,
                    value,
                    tok[3].to_string(),
                    tok[4].to_string(),
                    tok[tok.len() - 2].to_string(),
                    tok[tok.len() - 1].to_string(),
                ));
            }
            Part::Versym => {
                // "  004:   2 (LINUX_2.6)     2h(LINUX_2.6)  "
                let Some((first, rest)) = line.trim_start().split_once(':') else {
                    continue;
                };
                let Ok(mut num) = usize::from_str_radix(first, 16) else {
                    continue;
                };
                let mut rest = rest;
                while let Some(open) = rest.find('(') {
                    let idx = rest[..open].trim();
                    let close = rest[open..].find(')').expect("closing paren") + open;
                    let name = &rest[open + 1..close];
                    let hidden = idx.ends_with('h');
                    let idx: u32 = idx
                        .trim_end_matches('h')
                        .trim()
                        .parse()
                        .expect("version index");
                    if idx >= 2 {
                        versym.insert(num, (hidden, name.to_string()));
                    }
                    num += 1;
                    rest = &rest[close + 1..];
                }
            }
        }
    }
    let mut lines = vec![];
    for (num, value, kind, bind, ndx, full) in rows {
        if ndx == "UND" || !matches!(kind.as_str(), "FUNC" | "OBJECT" | "NOTYPE") {
            continue;
        }
        let (name, version) = if let Some(i) = full.find("@@") {
            (&full[..i], full[i..].to_string())
        } else if let Some(i) = full.find('@') {
            (&full[..i], full[i..].to_string())
        } else {
            match versym.get(&num) {
                Some((hidden, v)) => (
                    full.as_str(),
                    format!("{}{v}", if *hidden { "@" } else { "@@" }),
                ),
                None => (full.as_str(), "-".to_string()),
            }
        };
        lines.push(format!("{name} {version} {kind} {bind} {value:#x}"));
    }
    lines
}

/// Writes `bytes` to a fresh file in the target directory and returns its path.
pub fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("freestand-vdso-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Offsets and sizes of the fields worth corrupting in an image: header,
/// program headers, dynamic entries, and the first entries of every table
/// the dynamic section names. Found independently of the crate, and
/// tolerant of damage (it stops where the image stops making sense).
pub fn interesting_fields(img: &[u8]) -> Vec<(usize, usize)> {
    let mut v = img.to_vec();
    let mut f = vec![(4, 1), (5, 1), (6, 1)];
    if img.len() < 64 || (img[4] != 1 && img[4] != 2) {
        return f;
    }
    let c64 = img[4] == 2;
    let big = img[5] == 2;
    let r = Raw {
        b: &mut v,
        c64,
        big,
    };
    let w = r.w();
    let (phoff_at, phent_at, phnum_at) = if c64 { (32, 54, 56) } else { (28, 42, 44) };
    f.extend([
        (16, 2),
        (18, 2),
        (phoff_at, w),
        (phent_at, 2),
        (phnum_at, 2),
    ]);
    let phoff = r.rd(phoff_at, w) as usize;
    let phentsize = r.rd(phent_at, 2) as usize;
    let phnum = r.rd(phnum_at, 2) as usize;
    let (vaddr_at, offset_at, filesz_at) = if c64 { (16, 8, 32) } else { (8, 4, 16) };
    let mut load = None;
    let mut dynamic = None;
    for i in 0..phnum.min(16) {
        let p = phoff + i * phentsize;
        if p + phentsize > img.len() || phentsize < 32 {
            break;
        }
        f.extend([
            (p, 4),
            (p + offset_at, w),
            (p + vaddr_at, w),
            (p + filesz_at, w),
        ]);
        let t = r.rd(p, 4);
        if t == 1 && load.is_none() {
            load = Some((r.rd(p + offset_at, w), r.rd(p + vaddr_at, w)));
        }
        if t == 2 && dynamic.is_none() {
            dynamic = Some(r.rd(p + offset_at, w) as usize);
        }
    }
    let (Some((load_off, load_va)), Some(dyn_off)) = (load, dynamic) else {
        return f;
    };
    let to_off = |va: u64| va.wrapping_sub(load_va).wrapping_add(load_off) as usize;
    let mut tables = vec![];
    for i in 0..32 {
        let e = dyn_off + i * 2 * w;
        if e + 2 * w > img.len() {
            break;
        }
        f.extend([(e, w), (e + w, w)]);
        let tag = r.rd(e, w);
        if tag == 0 {
            break;
        }
        tables.push((tag, to_off(r.rd(e + w, w))));
    }
    let symsize = if c64 { 24 } else { 16 };
    for (tag, off) in tables {
        let (count, size) = match tag {
            4 => (8, 4),                    // DT_HASH words
            0x6fff_fef5 => (12, 4),         // DT_GNU_HASH header, bloom, buckets
            6 => (6 * symsize / 4, 4),      // DT_SYMTAB, word by word
            0x6fff_fff0 => (8, 2),          // DT_VERSYM
            0x6fff_fffc => (28 * 3 / 2, 2), // DT_VERDEF, half-word by half-word
            _ => continue,
        };
        for k in 0..count {
            let at = off.wrapping_add(k * size);
            if at.checked_add(size).is_some_and(|end| end <= img.len()) {
                f.push((at, size));
            }
        }
    }
    f
}
