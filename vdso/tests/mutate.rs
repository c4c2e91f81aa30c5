//! Robustness: parse well over 100,000 damaged images (truncations, random
//! byte changes, and header, dynamic-entry and table fields set to 0, huge
//! or overlapping values), each constructed, listed, inspected and looked up
//! in. Nothing may panic, and each mutant must finish in bounded time.
//!
//! Each mutant is also opened lazily, as a [`Resolver`], and its answers
//! are held to the promises of that type: it rejects only images `Vdso`
//! rejects; on an image `Vdso` accepts, every lookup agrees; and a lookup
//! that finds nothing on an image `Vdso` rejects reports `Vdso`'s error.
//!
//! The PRNG is a fixed-seed xorshift64*; set FREESTAND_VDSO_MUTATION_SEED to
//! replay another seed.

mod common;

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use common::{FIXTURES, Spec, build, fixture, interesting_fields};
use freestand_vdso::{
    AnyVdso, Elf32Be, Elf32Le, Elf64Be, Elf64Le, Error, Layout, LookupMethod, Native, Query,
    Resolver, Symbol, Vdso,
};

/// xorshift64* (Vigna), enough for choosing mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A `fmt::Write` that discards, to run `Display` without allocating.
struct Sink;

impl std::fmt::Write for Sink {
    fn write_str(&mut self, _: &str) -> std::fmt::Result {
        Ok(())
    }
}

const NAMES: [&str; 5] = [
    "__vdso_clock_gettime",
    "__kernel_clock_gettime",
    "__vdso_time",
    "LINUX_2.6",
    "x",
];
const VERSIONS: [&str; 2] = ["LINUX_2.6", "LINUX_2.6.39"];

/// Everything a user can do with an image. Returns whether it parsed.
fn exercise(bytes: &[u8]) -> bool {
    match bytes.get(4..6) {
        Some([2, 1]) => lazy_agrees::<Elf64Le>(bytes),
        Some([2, 2]) => lazy_agrees::<Elf64Be>(bytes),
        Some([1, 1]) => lazy_agrees::<Elf32Le>(bytes),
        Some([1, 2]) => lazy_agrees::<Elf32Be>(bytes),
        _ => {}
    }
    let Ok(v) = AnyVdso::parse(bytes) else {
        return false;
    };
    let info = v.info();
    let _ = write!(Sink, "{info:?}");
    let mut n = 0;
    for s in v.all_symbols().take(4096) {
        if let Ok(s) = s {
            let _ = write!(Sink, "{s}");
        }
        n += 1;
    }
    assert!(n <= info.symbol_count as usize);
    for s in v.symbols().take(4096) {
        let _ = s.map(|s| write!(Sink, "{s}"));
    }
    for d in v.versions().take(4096) {
        let _ = (d.name, d.index, d.hash);
    }
    for name in NAMES {
        for ver in VERSIONS {
            if let Ok(s) = v.lookup(name, ver) {
                assert_eq!(s.name, name.as_bytes());
            }
        }
        if let Ok(s) = v.lookup_unversioned(name) {
            assert_eq!(s.name, name.as_bytes());
        }
        for m in [
            LookupMethod::GnuHash,
            LookupMethod::SysvHash,
            LookupMethod::Linear,
        ] {
            if let Ok(s) = v.lookup_via(m, name.as_bytes(), Some(VERSIONS[0].as_bytes())) {
                assert_eq!(s.name, name.as_bytes());
            }
        }
    }
    true
}

/// The [`Resolver`] of `bytes` against the [`Vdso`] of the same bytes.
fn lazy_agrees<L: Layout>(bytes: &[u8]) {
    let full = Vdso::<L>::parse(bytes);
    let lazy = match Resolver::<L>::parse(bytes) {
        Ok(r) => r,
        Err(e) => {
            assert!(
                full.is_err(),
                "Resolver rejected ({e}) an image Vdso accepts"
            );
            return;
        }
    };
    assert_eq!(
        lazy.validate().map(|v| v.image().len()),
        full.map(|v| v.image().len())
    );
    compare(full.map(|v| move |q: &Query<'_>| v.find(q)), |q| {
        lazy.find(q)
    });
}

/// Holds the lazy answers (`lazy`) to the full ones (`full`, or the error
/// that rejected the image) for every name and version of the test.
fn compare<'a, F, G>(full: Result<F, Error>, lazy: G)
where
    F: Fn(&Query<'_>) -> Result<Symbol<'a>, Error>,
    G: Fn(&Query<'_>) -> Result<Symbol<'a>, Error>,
{
    for name in NAMES {
        let queries = VERSIONS
            .map(|v| Query::new(name, v))
            .into_iter()
            .chain([Query::unversioned(name)]);
        for q in queries {
            let got = lazy(&q);
            match &full {
                Ok(full) => assert_eq!(got, full(&q), "{q:?}"),
                Err(rejected) => {
                    if let Err(e) = got {
                        assert_eq!(e, *rejected, "{q:?}");
                    }
                }
            }
        }
    }
}

/// Room for the from-address path: mutants of native images are copied
/// here, and parsed by address when everything their headers describe
/// lies inside.
const MAPPED_ROOM: usize = 64 * 1024;

/// The length the address path would read, if the headers are sane enough
/// to say (an independent, checked computation).
fn mapped_extent(b: &[u8]) -> Option<usize> {
    let rd = |off: usize, n: usize| -> Option<u64> {
        let s = b.get(off..off.checked_add(n)?)?;
        Some(
            s.iter()
                .rev()
                .fold(0u64, |acc, &x| (acc << 8) | u64::from(x)),
        )
    };
    if b.get(..6)? != [0x7f, b'E', b'L', b'F', 2, 1] {
        return None;
    }
    let phoff = usize::try_from(rd(32, 8)?).ok()?;
    let phentsize = rd(54, 2)? as usize;
    let phnum = rd(56, 2)? as usize;
    let mut end = phoff.checked_add(phentsize.checked_mul(phnum)?)?.max(64);
    for i in 0..phnum {
        let p = phoff + i * phentsize;
        if rd(p, 4)? == 1 {
            let e = rd(p + 8, 8)?.checked_add(rd(p + 32, 8)?)?;
            end = end.max(usize::try_from(e).ok()?);
        }
    }
    Some(end)
}

fn images() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = FIXTURES
        .iter()
        .map(|n| (n.to_string(), std::fs::read(fixture(n)).unwrap()))
        .collect();
    for (c64, big, machine) in [
        (true, false, 62),
        (true, true, 21),
        (false, false, 3),
        (false, true, 20),
    ] {
        for (gnu, sysv) in [(true, true), (true, false), (false, true), (false, false)] {
            let s = Spec {
                class64: c64,
                big,
                machine,
                gnu,
                sysv,
                ..Spec::x86_64()
            };
            v.push((
                format!("synthetic c64={c64} big={big} gnu={gnu} sysv={sysv}"),
                build(&s).bytes,
            ));
        }
    }
    let s = Spec {
        class64: true,
        big: true,
        machine: 22,
        sysv_wide: true,
        ..Spec::x86_64()
    };
    v.push(("synthetic s390x".into(), build(&s).bytes));
    let s = Spec {
        split: true,
        vaddr: 0xffff_ffff_ff70_0000,
        ..Spec::x86_64()
    };
    v.push(("synthetic split prelinked".into(), build(&s).bytes));
    v
}

#[test]
fn mutants_never_panic_or_hang() {
    let seed = std::env::var("FREESTAND_VDSO_MUTATION_SEED")
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or(0x5eed_f00d_cafe_d00d);
    println!("mutation seed: {seed:#x} (replay with FREESTAND_VDSO_MUTATION_SEED={seed:x})");
    let mut rng = Rng(seed | 1);
    let start = Instant::now();
    let mut mutants = 0usize;
    let mut parsed = 0usize;
    let mut mapped = 0usize;
    let mut room = vec![0u8; MAPPED_ROOM];

    let mut run = |what: &dyn Fn() -> String, bytes: &[u8], room: &mut Vec<u8>, native: bool| {
        let t = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| {
            let ok = exercise(bytes);
            let mut by_address = false;
            if native
                && mapped_extent(bytes)
                    .is_some_and(|e| e <= MAPPED_ROOM && bytes.len() <= MAPPED_ROOM)
            {
                room[..bytes.len()].copy_from_slice(bytes);
                room[bytes.len()..].fill(0);
                // SAFETY: everything the headers describe (checked by
                // `mapped_extent`) lies inside `room`, which outlives `v`.
                let full = unsafe { Vdso::<Native>::from_sysinfo_ehdr(room.as_ptr() as usize) };
                if let Ok(v) = full {
                    let _ = v.lookup("__vdso_clock_gettime", "LINUX_2.6");
                    let _ = v.symbols().count();
                }
                // SAFETY: as above.
                match unsafe { Resolver::<Native>::from_sysinfo_ehdr(room.as_ptr() as usize) } {
                    Ok(lazy) => compare(full.map(|v| move |q: &Query<'_>| v.find(q)), |q| {
                        lazy.find(q)
                    }),
                    Err(e) => assert!(full.is_err(), "Resolver rejected ({e}) what Vdso accepts"),
                }
                by_address = true;
            }
            (ok, by_address)
        }));
        let elapsed = t.elapsed();
        match r {
            Ok((ok, by_address)) => {
                parsed += ok as usize;
                mapped += by_address as usize;
            }
            Err(_) => panic!("panic on mutant {} (seed {seed:#x})", what()),
        }
        assert!(
            elapsed < Duration::from_millis(500),
            "mutant {} took {elapsed:?} (seed {seed:#x})",
            what()
        );
        mutants += 1;
    };

    const VALUES: [u64; 10] = [
        0,
        1,
        2,
        0x10,
        0x7fff_ffff,
        0x8000_0000,
        u32::MAX as u64,
        u64::MAX,
        0xffff,
        0x7ff0,
    ];
    for (name, img) in images() {
        let native = cfg!(all(target_arch = "x86_64", target_pointer_width = "64"))
            && img[4] == 2
            && img[5] == 1
            && img[18] == 62;
        let big = img[5] == 2;
        assert!(exercise(&img), "{name} must parse unmodified");

        // Truncations: every length through the headers, then every third.
        for len in (0..img.len()).filter(|&l| l < 512 || l % 3 == 0) {
            run(
                &|| format!("{name} truncated to {len}"),
                &img[..len],
                &mut room,
                native,
            );
        }

        // Each interesting field set to each special value, to the image
        // length (and just below), and to another field's value.
        let fields = interesting_fields(&img);
        let mut m = img.clone();
        for (i, &(off, size)) in fields.iter().enumerate() {
            let other = fields[(i * 7 + 3) % fields.len()];
            let other_val = read(&img, other.0, other.1, big);
            let len = img.len() as u64;
            for val in VALUES.iter().copied().chain([
                len,
                len - 1,
                other_val,
                read(&img, off, size, big) + 1,
            ]) {
                write(&mut m, off, size, val, big);
                run(
                    &|| format!("{name} field at {off:#x} ({size} bytes) = {val:#x}"),
                    &m,
                    &mut room,
                    native,
                );
            }
            m[off..off + size].copy_from_slice(&img[off..off + size]);
        }

        // Random damage: 1-3 fields set at once, plus 0-4 random bytes.
        for round in 0..1500 {
            m.copy_from_slice(&img);
            for _ in 0..1 + rng.below(3) {
                let (off, size) = fields[rng.below(fields.len())];
                let val = match rng.below(3) {
                    0 => VALUES[rng.below(VALUES.len())],
                    1 => rng.next() % (2 * img.len() as u64),
                    _ => rng.next(),
                };
                write(&mut m, off, size, val, big);
            }
            for _ in 0..rng.below(5) {
                let at = rng.below(m.len());
                m[at] = rng.next() as u8;
            }
            run(
                &|| format!("{name} random round {round}"),
                &m,
                &mut room,
                native,
            );
        }
    }
    let elapsed = start.elapsed();
    println!("{mutants} mutants, {parsed} parsed, {mapped} also parsed by address, in {elapsed:?}");
    assert!(mutants >= 100_000, "only {mutants} mutants");
}

fn read(b: &[u8], off: usize, size: usize, big: bool) -> u64 {
    let s = &b[off..off + size];
    let mut v = 0u64;
    for i in 0..size {
        let byte = if big { s[i] } else { s[size - 1 - i] };
        v = (v << 8) | u64::from(byte);
    }
    v
}

fn write(b: &mut [u8], off: usize, size: usize, v: u64, big: bool) {
    for i in 0..size {
        let byte = (v >> (8 * i)) as u8;
        let at = if big { off + size - 1 - i } else { off + i };
        b[at] = byte;
    }
}
