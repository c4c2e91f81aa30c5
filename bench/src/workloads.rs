//! The workloads: what each allocates and frees, and what it times.
//!
//! Every workload runs in a process of its own (the script starts one per
//! workload), so that the peak RSS printed after it is its own. Each one
//! checks its data after the timed part, so that `--quick` is also a test
//! that the heap kept every byte where it belongs; a mismatch is a
//! [`Failed`].
//!
//! The code here is generic over the clock ([`Stopwatch`]) and nothing
//! else: the freestanding program and the std program run the same code
//! on their own heap.
//!
//! | workload | measures | one operation |
//! |---|---|---|
//! | `baseline` | nothing: the program's own peak RSS | |
//! | `hashmap` | `hashmap-insert`, `hashmap-drop` | one of 1M random `u64` keys |
//! | `btreemap` | `btreemap-insert`, `btreemap-drop` | one of 1M random `u64` keys |
//! | `churn-10k`, `churn-100k` | the same name | replacing one of 10k (100k) live objects of 16–512 B by a new one |
//! | `churn-floor` | `churn-floor-10k`, `churn-floor-100k` | churn's loop with no heap at all: the same random slot and size, the tag written in place into the slot's own block (blocks 272 B apart, churn's mean footprint) |
//! | `fragment` | `fragment` | one of 200k allocations of 64 B, 100k frees, 100k allocations of 128 B |
//! | `vec-growth` | `vec-growth` | one `push` onto a `Vec<u64>` growing to 256 MiB |
//! | `strings` | `strings-build`, `strings-drop` | one of 1M `String`s of 5–40 bytes, built by `push` |
//! | `memory` | `memcpy-16`, `memcpy-256`, `memcpy-4k`, `memcpy-1m`, `memcmp-4k` | one call |
//! | `transient` | `transient` | one 256 KiB buffer allocated, filled and freed, then one small block |
//! | `json` (feature `json`) | `json-serialize`, `json-parse` | one of 100k generated records, with `serde_json` |
//! | `deflate` | `deflate`, `inflate` | one KiB of 4 MiB of generated text, with `miniz_oxide` |

mod collections;
mod deflate;
#[cfg(feature = "json")]
mod json;
mod memory;
mod patterns;

use alloc::string::String;
use core::fmt;

/// A clock for timing, one per program: `freestand_rt::time::Instant` or
/// `std::time::Instant` behind it.
pub trait Stopwatch {
    /// Starts timing.
    fn start() -> Self;
    /// Nanoseconds since [`start`](Stopwatch::start).
    fn elapsed_ns(&self) -> u64;
}

/// A workload: a name to ask for it by and a one-line description.
#[derive(Debug, PartialEq, Eq)]
pub struct Workload {
    /// Its name on the command line, such as `churn-10k`.
    pub name: &'static str,
    /// What it does, in a few words (for the usage message).
    pub about: &'static str,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Baseline,
    HashMap,
    BTreeMap,
    Churn {
        live: usize,
    },
    ChurnFloor,
    Fragment,
    VecGrowth,
    Strings,
    Memory,
    Transient,
    #[cfg(feature = "json")]
    Json,
    Deflate,
}

/// Every workload, in the order `all` and the script run them.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "baseline",
        about: "nothing: the program's own peak RSS",
        kind: Kind::Baseline,
    },
    Workload {
        name: "hashmap",
        about: "1M random u64 keys into a hashbrown map, then drop it",
        kind: Kind::HashMap,
    },
    Workload {
        name: "btreemap",
        about: "1M random u64 keys into a BTreeMap, then drop it",
        kind: Kind::BTreeMap,
    },
    Workload {
        name: "churn-10k",
        about: "1M random replacements among 10k live objects of 16-512 B",
        kind: Kind::Churn { live: 10_000 },
    },
    Workload {
        name: "churn-100k",
        about: "1M random replacements among 100k live objects of 16-512 B",
        kind: Kind::Churn { live: 100_000 },
    },
    Workload {
        name: "churn-floor",
        about: "churn's loop and memory traffic with no heap, for 10k and 100k live objects",
        kind: Kind::ChurnFloor,
    },
    Workload {
        name: "fragment",
        about: "200k x 64 B, free every other one, then 100k x 128 B",
        kind: Kind::Fragment,
    },
    Workload {
        name: "vec-growth",
        about: "push u64s onto a Vec until it holds 256 MiB",
        kind: Kind::VecGrowth,
    },
    Workload {
        name: "strings",
        about: "build 1M small Strings by push, then drop them",
        kind: Kind::Strings,
    },
    Workload {
        name: "memory",
        about: "memcpy of 16 B, 256 B, 4 KiB, 1 MiB; memcmp of 4 KiB",
        kind: Kind::Memory,
    },
    Workload {
        name: "transient",
        about: "a 256 KiB buffer allocated, filled and freed, then a small block, repeatedly",
        kind: Kind::Transient,
    },
    #[cfg(feature = "json")]
    Workload {
        name: "json",
        about: "100k generated records to JSON and back, with serde_json",
        kind: Kind::Json,
    },
    Workload {
        name: "deflate",
        about: "4 MiB of generated text through miniz_oxide, deflate and inflate",
        kind: Kind::Deflate,
    },
];

/// Runs `w`, full size or `quick`, timed by `S`.
///
/// # Errors
/// [`Failed`] when the data read back after the timed part is not what
/// was written: the heap lost or overlapped a block.
pub fn run<S: Stopwatch>(w: &Workload, quick: bool) -> Result<Measures, Failed> {
    let mut ctx = Ctx {
        quick,
        measures: Measures::default(),
    };
    match w.kind {
        Kind::Baseline => ctx.record("baseline", 0, 1),
        Kind::HashMap => collections::hashmap::<S>(&mut ctx)?,
        Kind::BTreeMap => collections::btreemap::<S>(&mut ctx)?,
        Kind::Churn { live } => patterns::churn::<S>(&mut ctx, w.name, live)?,
        Kind::ChurnFloor => patterns::churn_floor::<S>(&mut ctx)?,
        Kind::Fragment => patterns::fragment::<S>(&mut ctx)?,
        Kind::VecGrowth => collections::vec_growth::<S>(&mut ctx)?,
        Kind::Strings => collections::strings::<S>(&mut ctx)?,
        Kind::Memory => memory::memory::<S>(&mut ctx)?,
        Kind::Transient => patterns::transient::<S>(&mut ctx)?,
        #[cfg(feature = "json")]
        Kind::Json => json::json::<S>(&mut ctx)?,
        Kind::Deflate => deflate::deflate::<S>(&mut ctx)?,
    }
    Ok(ctx.measures)
}

/// A workload's check found data other than what it wrote; the message
/// says which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failed(pub &'static str);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "check failed: {}", self.0)
    }
}

/// `Ok` if `ok`, else a [`Failed`] saying `what`.
fn check(ok: bool, what: &'static str) -> Result<(), Failed> {
    if ok { Ok(()) } else { Err(Failed(what)) }
}

/// One measure: a name and nanoseconds per operation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measure {
    /// Its name in the output, such as `hashmap-insert`.
    pub name: &'static str,
    /// Nanoseconds per operation.
    pub ns_per_op: f64,
}

/// The most measures one workload records.
const MAX_MEASURES: usize = 6;

/// A workload's measures, in a fixed array: recording them allocates
/// nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measures {
    list: [Measure; MAX_MEASURES],
    len: usize,
}

impl Measures {
    /// The measures, in the order they were taken.
    pub fn iter(&self) -> impl Iterator<Item = &Measure> {
        self.list[..self.len].iter()
    }
}

/// What a workload gets: its size and where its measures go.
struct Ctx {
    quick: bool,
    measures: Measures,
}

impl Ctx {
    /// `full`, or `quick` in quick mode.
    fn size(&self, full: usize, quick: usize) -> usize {
        if self.quick { quick } else { full }
    }

    /// Records `ns` nanoseconds spent on `ops` operations as `name`.
    fn record(&mut self, name: &'static str, ns: u64, ops: usize) {
        let m = &mut self.measures;
        assert!(m.len < MAX_MEASURES, "more than {MAX_MEASURES} measures");
        m.list[m.len] = Measure {
            name,
            ns_per_op: ns as f64 / ops.max(1) as f64,
        };
        m.len += 1;
    }
}

/// Runs `f` and returns its result and the nanoseconds it took.
#[inline(always)]
fn timed<S: Stopwatch, R>(f: impl FnOnce() -> R) -> (R, u64) {
    let watch = S::start();
    let r = f();
    (r, watch.elapsed_ns())
}

/// Marsaglia's xorshift64 ("Xorshift RNGs", 2003) with a fixed seed: the
/// same sequence on every heap and every run. Its 64-bit outputs do not
/// repeat before 2^64 - 1 steps, so they make distinct map keys.
struct XorShift(u64);

impl XorShift {
    fn new() -> XorShift {
        XorShift(0x9E37_79B9_7F4A_7C15)
    }

    #[inline(always)]
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number below `n`, by multiply-high (no division).
    #[inline(always)]
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// Words for generated text, of various lengths.
#[rustfmt::skip]
const WORDS: [&str; 16] = [
    "heap", "span", "class", "block", "free", "list", "page", "region", "mapping", "kernel",
    "allocator", "fragment", "churn", "transient", "a", "of",
];

/// `count` words of [`WORDS`] chosen by `rng`, joined by `sep`, onto `out`.
fn words(rng: &mut XorShift, count: usize, sep: char, out: &mut String) {
    for k in 0..count {
        if k > 0 {
            out.push(sep);
        }
        out.push_str(WORDS[rng.below(WORDS.len())]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;

    struct Watch(std::time::Instant);

    impl Stopwatch for Watch {
        fn start() -> Watch {
            Watch(std::time::Instant::now())
        }
        fn elapsed_ns(&self) -> u64 {
            self.0.elapsed().as_nanos() as u64
        }
    }

    #[test]
    fn every_workload_runs_quick_and_keeps_its_data() {
        for w in WORKLOADS {
            let m = run::<Watch>(w, true).unwrap_or_else(|e| panic!("{}: {e}", w.name));
            assert!(m.iter().count() > 0, "{} measured nothing", w.name);
            for x in m.iter() {
                assert!(x.ns_per_op.is_finite(), "{}: {}", w.name, x.name);
            }
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in WORKLOADS.iter().enumerate() {
            assert!(
                WORKLOADS[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
            assert_ne!(a.name, "all");
        }
    }

    #[test]
    fn below_stays_below() {
        let mut r = XorShift::new();
        assert!((0..10_000).all(|_| r.below(497) < 497));
    }
}
