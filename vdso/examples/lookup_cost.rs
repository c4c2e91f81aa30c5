//! Does N lookups through one table of a real vDSO image, for measuring the
//! cost of one lookup with an instruction counter:
//!
//! ```text
//! lookup_cost gnu|sysv|linear|none N
//! ```
//!
//! `scripts/vdso-lookup-cost.sh` runs it under callgrind for N and 2N and
//! divides the difference by N, so that start-up and parsing cancel out.
//! `none` runs the same loop with a function that does no lookup, to
//! measure the loop itself.
//! The image is the x86_64 host fixture, parsed with the `Elf64Le` layout:
//! the runtime's own code path on x86_64.

use std::hint::black_box;

use freestand_vdso::{Elf64Le, LookupMethod, Vdso};

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

fn main() {
    let mut args = std::env::args().skip(1);
    let method = match args.next().as_deref() {
        Some("gnu") => Some(LookupMethod::GnuHash),
        Some("sysv") => Some(LookupMethod::SysvHash),
        Some("linear") => Some(LookupMethod::Linear),
        Some("none") => None,
        _ => {
            eprintln!("usage: lookup_cost gnu|sysv|linear|none N");
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
            Some(method) => lookup(&vdso, method, name),
            None => no_lookup(&vdso, name),
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
