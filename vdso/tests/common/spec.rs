//! What the writer is asked for (a [`Spec`] of [`Sym`]s) and what it
//! reports back (a [`Built`] image, its [`Written`] symbols and the
//! [`Offsets`] of its tables).

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
