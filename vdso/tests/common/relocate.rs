//! Raw access to the fields of a real image, and the in-place relocation
//! qemu-user applies to its vDSO.

use super::spec::SHN_ABS;

/// Reads and writes the fields of a real image, independently of the crate,
/// to relocate it the way qemu-user relocates its vDSO in place.
pub(super) struct Raw<'b> {
    pub(super) b: &'b mut [u8],
    pub(super) c64: bool,
    pub(super) big: bool,
}

impl Raw<'_> {
    pub(super) fn rd(&self, off: usize, n: usize) -> u64 {
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
    pub(super) fn w(&self) -> usize {
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
