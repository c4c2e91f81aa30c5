//! End-to-end tests: every example and test program, built for each
//! target, run on each platform (native x86_64, x86_64 under qemu-x86_64,
//! riscv64 under qemu-riscv64, aarch64 under qemu-aarch64), with exact
//! stdout, stderr and exit status checked.
//!
//! This is a custom harness (`harness = false`): it builds the examples
//! (`freestand-examples`) and the test programs (`e2e/programs`) with one
//! nested `cargo build` per architecture, profile and link kind into its
//! own target directory (they need `panic = "abort"`, which `cargo test`
//! never uses), then runs the cases and prints how many passed on each
//! platform. A platform that cannot run (qemu missing or too old) fails
//! every one of its cases with a message that says how to fix it; nothing
//! is skipped silently.
//!
//! Pass a substring to run only the cases (or platforms) whose name
//! contains it.
//!
//! The cases live in one module per area, each with its own `cases()`;
//! `harness` builds, runs and compares, `elf` reads the built files and
//! `disasm` reads their disassembly.

mod disasm;
mod elf;
mod footprint;
mod hardening;
mod harness;
mod heap;
mod init;
mod link;
mod mem;
mod per_thread;
mod pid1;
mod process;
mod quick_start;
mod routed;
mod startup;
mod threads;
mod vdso_tool;

use harness::{Builds, Case, Ctx, Platform};

/// Every case, area by area, in the order they run on each platform.
fn cases() -> Vec<Case> {
    [
        startup::cases(),
        init::cases(),
        hardening::cases(),
        heap::cases(),
        threads::cases(),
        mem::cases(),
        routed::cases(),
        per_thread::cases(),
        vdso_tool::cases(),
        link::cases(),
        footprint::cases(),
        pid1::cases(),
        process::cases(),
        quick_start::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// How many cases passed and failed on one platform.
#[derive(Default)]
struct Tally {
    pass: usize,
    fail: usize,
}

/// Runs the cases that `filter` selects on `p`, printing one line each.
fn run_platform(p: &Platform, builds: &Builds, cases: &[Case], filter: Option<&str>) -> Tally {
    let dirs = builds.dirs(p.arch);
    let mut tally = Tally::default();
    for case in cases {
        if filter.is_some_and(|f| !case.name.contains(f) && !p.name.contains(f)) {
            continue;
        }
        let result = match (&p.broken, &dirs) {
            (Some(why), _) => Err(format!("cannot run on {}: {why}", p.name)),
            (None, Ok(dirs)) => (case.run)(&Ctx::new(p, dirs)),
            (None, Err(e)) => Err(e.clone()),
        };
        match result {
            Ok(()) => {
                tally.pass += 1;
                println!("test {}::{} ... ok", p.name, case.name);
            }
            Err(e) => {
                tally.fail += 1;
                println!("test {}::{} ... FAILED\n      {e}", p.name, case.name);
            }
        }
    }
    tally
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let platforms = harness::platforms();
    let builds = Builds::all();
    let cases = cases();
    let mut totals = Tally::default();
    let mut summary = Vec::new();
    for p in &platforms {
        let t = run_platform(p, &builds, &cases, filter.as_deref());
        summary.push(format!("{}: {} passed, {} failed", p.name, t.pass, t.fail));
        totals.pass += t.pass;
        totals.fail += t.fail;
    }
    println!();
    for s in &summary {
        println!("platform {s}");
    }
    println!("{} passed, {} failed", totals.pass, totals.fail);
    let empty = filter.is_none() && summary.iter().any(|s| s.contains(": 0 passed, 0 failed"));
    if totals.fail > 0 || totals.pass == 0 || empty {
        std::process::exit(1);
    }
}
