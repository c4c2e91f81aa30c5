//! Writers of the tables [`build`](super::build) lays out: `DT_HASH`,
//! `DT_GNU_HASH`, and `DT_VERSYM` with `DT_VERDEF`.

use freestand_vdso::{gnu_hash, sysv_hash};

use super::spec::{SHN_UNDEF, Spec, Sym};
use super::writer::Out;

/// Writes the System V hash table of `syms` at `hash_off`.
pub(super) fn write_sysv_hash(out: &mut Out, spec: &Spec, syms: &[Option<Sym>], hash_off: usize) {
    let nsyms = syms.len();
    let nb = spec.sysv_nbucket as usize;
    let put = |out: &mut Out, idx: usize, v: u64| {
        if spec.sysv_wide {
            out.u64(hash_off + idx * 8, v)
        } else {
            out.u32(hash_off + idx * 4, v as u32)
        }
    };
    put(out, 0, nb as u64);
    put(out, 1, nsyms as u64);
    let mut buckets = vec![0u64; nb];
    let mut chains = vec![0u64; nsyms];
    for (i, s) in syms.iter().enumerate().skip(1) {
        let b = sysv_hash(s.as_ref().unwrap().name.as_bytes()) as usize % nb;
        chains[i] = buckets[b];
        buckets[b] = i as u64;
    }
    for (i, &b) in buckets.iter().enumerate() {
        put(out, 2 + i, b);
    }
    for (i, &c) in chains.iter().enumerate() {
        put(out, 2 + nb + i, c);
    }
}

/// Writes the GNU hash table of `syms` at `gnu_off`; it covers the symbols
/// from `symoffset` on.
pub(super) fn write_gnu_hash(
    out: &mut Out,
    spec: &Spec,
    syms: &[Option<Sym>],
    gnu_off: usize,
    symoffset: usize,
) {
    let (c64, w, nsyms) = (out.class64, out.word_size(), syms.len());
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

/// Writes the version index of each of `syms` at `versym_off`, and the
/// version definitions (the base one, named `soname_off`, then one per
/// version, named `version_offs`) at `verdef_off`.
pub(super) fn write_versions(
    out: &mut Out,
    spec: &Spec,
    syms: &[Option<Sym>],
    versym_off: usize,
    verdef_off: usize,
    soname_off: u32,
    version_offs: &[u32],
) {
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
