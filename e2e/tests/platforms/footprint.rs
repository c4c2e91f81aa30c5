//! Size: `hello` within its budget, and `clock`, which routes one call,
//! links no panic handler.

use std::ffi::OsStr;
use std::process::Command;

use crate::harness::{Arch, Case, Check, Ctx, expect, tool};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "hello_size_within_budget",
            run: case_hello_size,
        },
        Case {
            name: "clock_one_call_exits_0",
            run: |c| expect(&c.run("clock", &[], &[])?, b"", b"", 0),
        },
        Case {
            name: "clock_links_no_panic_handler",
            run: case_clock_no_panic_handler,
        },
    ]
}

/// The most the stripped release `hello` of one architecture may weigh, in
/// bytes.
struct Budget {
    arch: Arch,
    /// Static-PIE, the default link.
    static_pie: u64,
    /// Plain static (`FREESTAND_LINK=static`).
    plain_static: u64,
}

/// The stripped size of the release `hello` may not grow past these
/// budgets: today's sizes with the pinned toolchain, which makes them
/// deterministic (`scripts/footprint.sh` prints the same figures). A change
/// that makes `hello` bigger must say so by raising them; one that makes it
/// smaller should lower them. The plain static x86_64 `hello` must stay at
/// 1,600 bytes or less: the `PT_TLS` program header, which the linker
/// scripts declare for every program (an empty one without TLS), added 56,
/// and recording the initial stack pointer as an integer (so that a
/// program that never reads it has no writable memory) took 72 away.
const HELLO_BUDGET: [Budget; 3] = [
    Budget {
        arch: Arch::X86_64,
        static_pie: 4_008,
        plain_static: 1_576,
    },
    Budget {
        arch: Arch::Riscv64,
        static_pie: 4_264,
        plain_static: 1_808,
    },
    Budget {
        arch: Arch::Aarch64,
        static_pie: 4_312,
        plain_static: 1_616,
    },
];

fn case_hello_size(c: &Ctx) -> Check {
    let strip = ["llvm-strip", "rust-strip"]
        .into_iter()
        .find(|t| Command::new(t).arg("--version").output().is_ok())
        .ok_or("llvm-strip not found; install llvm")?;
    let budget = HELLO_BUDGET
        .iter()
        .find(|b| b.arch == c.p.arch)
        .ok_or("no budget for this architecture")?;
    for (dir, budget) in [
        (&c.release_dir, budget.static_pie),
        (&c.static_dir, budget.plain_static),
    ] {
        let bin = dir.join("hello");
        let stripped = std::env::temp_dir().join(format!(
            "freestand-hello-{}-{}",
            c.p.name,
            std::process::id()
        ));
        tool(
            strip,
            &[bin.as_os_str(), OsStr::new("-o"), stripped.as_os_str()],
        )?;
        let size = std::fs::metadata(&stripped)
            .map_err(|e| e.to_string())?
            .len();
        let _ = std::fs::remove_file(&stripped);
        if size > budget {
            return Err(format!(
                "{}: {size} bytes stripped, over its budget of {budget} (HELLO_BUDGET)",
                bin.display()
            ));
        }
    }
    Ok(())
}

/// A program that routes a call but cannot panic links no panic handler
/// (and so no `core::fmt`, and none of their relocations): nothing on the
/// routing path, the vDSO parser included, has a panic site a release
/// build keeps. The handler's message is the witness.
fn case_clock_no_panic_handler(c: &Ctx) -> Check {
    for dir in [&c.release_dir, &c.static_dir] {
        let bin = dir.join("clock");
        let bytes = std::fs::read(&bin).map_err(|e| format!("{}: {e}", bin.display()))?;
        if bytes
            .windows(b"panicked at".len())
            .any(|w| w == b"panicked at")
        {
            return Err(format!(
                "{}: links the panic handler (a panic site on the routing path?)",
                bin.display()
            ));
        }
    }
    Ok(())
}
