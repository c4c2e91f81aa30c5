//! Where to damage a real image: the fields the mutation tests corrupt.

use super::relocate::Raw;

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
