//! Does N lookups through one table of a real vDSO image, for measuring the
//! cost of one lookup with an instruction counter:
//!
//! ```text
//! lookup_cost gnu|sysv|linear|query|none N
//! ```
//!
//! `query` looks the same names up with [`Vdso::find`] and `Query`
//! constants, whose hashes were computed at compile time (the image has a
//! GNU hash table, so that is the table it goes through).
//!
//! `scripts/vdso-lookup-cost.sh` runs it under callgrind for N and 2N and
//! divides the difference by N, so that start-up and parsing cancel out.
//! `none` runs the same loop with a function that does no lookup, to
//! measure the loop itself.
//! The image is the x86_64 host fixture, parsed with the `Elf64Le` layout:
//! the runtime's own code path on x86_64.

use std::hint::black_box;

use freestand_vdso::{Elf64Le, LookupMethod, Query, Vdso};

static IMAGE: &[u8] = include_bytes!("../tests/data/host-x86_64.so");

/// The exported functions of that image, looked up in turn.
const NAMES: [&str; 12] = [
    "__vdso_clock_gettime",
    "__vdso_gettimeofday",
    "__vdso_time",
    "__vdso_getcpu",
    "__vdso_clock_getres",
    "__vdso_getrandom",
    "clock_gettime",
    "gettimeofday",
    "time",
    "getcpu",
    "clock_getres",
    "getrandom",
];

/// [`NAMES`] in `LINUX_2.6`, hashed at compile time.
const QUERIES: [Query<'static>; 12] = {
    let mut q = [Query::new("", ""); 12];
    let mut i = 0;
    while i < NAMES.len() {
        q[i] = Query::new(NAMES[i], "LINUX_2.6");
        i += 1;
    }
    q
};

/// What one iteration does.
enum Method {
    Table(LookupMethod),
    Query,
    Nothing,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let method = match args.next().as_deref() {
        Some("gnu") => Method::Table(LookupMethod::GnuHash),
        Some("sysv") => Method::Table(LookupMethod::SysvHash),
        Some("linear") => Method::Table(LookupMethod::Linear),
        Some("query") => Method::Query,
        Some("none") => Method::Nothing,
        _ => {
            eprintln!("usage: lookup_cost gnu|sysv|linear|query|none N");
            std::process::exit(2);
        }
    };
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    // black_box: the image must not be constant-folded into the lookups.
    let vdso = Vdso::<Elf64Le>::parse(black_box(IMAGE)).expect("fixture parses");
    let mut sum = 0u64;
    for i in 0..n {
        let name = black_box(NAMES[i % NAMES.len()]);
        sum = sum.wrapping_add(match method {
            Method::Table(method) => lookup(&vdso, method, name),
            Method::Query => find(&vdso, black_box(&QUERIES[i % QUERIES.len()])),
            Method::Nothing => no_lookup(&vdso, name),
        });
    }
    println!("{sum:#x}");
}

/// The loop's own cost: a call that does no lookup.
#[inline(never)]
fn no_lookup(vdso: &Vdso<'_, Elf64Le>, name: &str) -> u64 {
    black_box((vdso, name));
    0
}

/// One lookup, kept out of line as it would be in a runtime's start-up code.
#[inline(never)]
fn lookup(vdso: &Vdso<'_, Elf64Le>, method: LookupMethod, name: &str) -> u64 {
    vdso.lookup_via(method, name.as_bytes(), Some(b"LINUX_2.6"))
        .map_or(0, |s| s.address)
}

#[inline(never)]
fn find(vdso: &Vdso<'_, Elf64Le>, query: &Query<'_>) -> u64 {
    vdso.find(query).map_or(0, |s| s.address)
}
