//! The heap: a randomized stress run, memory given back, no quadratic
//! slow-down, the out-of-memory report under a memory limit, and a program
//! that brings its own allocator (`e2e/programs/heap.rs`, `bump.rs`).

use std::os::unix::process::CommandExt;

use crate::harness::{Case, Check, Ctx, command, expect, output, run, show};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "heap_stress_fixed_seed",
            run: |c| stress(c, Some(b"20251203")),
        },
        Case {
            name: "heap_stress_random_seed",
            run: |c| stress(c, None),
        },
        Case {
            name: "heap_gives_memory_back",
            run: case_rss,
        },
        Case {
            name: "heap_churn_is_not_quadratic",
            run: case_churn,
        },
        Case {
            name: "heap_out_of_memory_under_a_limit",
            run: case_oom,
        },
        Case {
            name: "heap_stats",
            run: |c| {
                let out = c.run("heap", &[b"stats"], &[])?;
                let want = b"before Stats { in_use: 0, mapped: 0, large_blocks: 0 }\n\
                             during Stats { in_use: 1056576, mapped: 2097152, large_blocks: 1 }\n\
                             after Stats { in_use: 0, mapped: 2097152, large_blocks: 0 }\n";
                expect(&out, want, b"", 0)
            },
        },
        Case {
            name: "heap_reports_bad_frees_in_debug_builds",
            run: |c| {
                let out = c.run("heap", &[b"double-free"], &[])?;
                expect(&out, b"", b"freestand: double free of a heap block\n", 134)?;
                let out = c.run("heap", &[b"inner-free"], &[])?;
                let err = b"freestand: free of a pointer inside a block, not at its start\n";
                expect(&out, b"", err, 134)
            },
        },
        Case {
            name: "heap_bring_your_own_allocator",
            run: |c| {
                let out = c.run("bump", &[], &[])?;
                let want = b"bump: 2 allocations, sum 4950, freestand heap in use 0 mapped 0\n";
                expect(&out, want, b"", 0)
            },
        },
    ]
}

/// Runs the release build of `heap` (the debug build checks every free,
/// which is what the other cases use it for, but is slow under qemu).
fn run_release(c: &Ctx, args: &[&[u8]]) -> Result<crate::harness::Output, String> {
    let bin = c.release_dir.join("heap");
    run(c.p, &bin, args, &[])
}

/// `heap stress [SEED]`: every block's bytes intact through alloc,
/// realloc and free. Its first line names the seed, which a failure shows.
fn stress(c: &Ctx, seed: Option<&[u8]>) -> Check {
    let args: Vec<&[u8]> = [&b"stress"[..]].into_iter().chain(seed).collect();
    let out = run_release(c, &args)?;
    let text = String::from_utf8_lossy(&out.stdout);
    let ok = text
        .lines()
        .nth(1)
        .is_some_and(|l| l.starts_with("stress: ok, 30000 operations"));
    if !ok || out.code != Some(0) || !out.stderr.is_empty() {
        return Err(format!(
            "heap stress failed (status {:?}):\n{text}{}",
            out.code,
            show(&out.stderr)
        ));
    }
    Ok(())
}

/// `heap rss`: 512 MiB in 64 KiB pieces, all freed, and RSS ends within
/// 16 MiB of where it started.
fn case_rss(c: &Ctx) -> Check {
    let out = run_release(c, &[b"rss"])?;
    let text = String::from_utf8_lossy(&out.stdout);
    if out.code != Some(0) || !text.ends_with(": returned\n") {
        return Err(format!("heap rss: {text:?}, status {:?}", out.code));
    }
    Ok(())
}

/// `heap churn`: the cost of a random replace with 100k live blocks
/// against 10k. A coarse bound: the figures themselves are the
/// benchmark's (`scripts/heap-bench.sh`, which runs glibc's malloc on the
/// same workload). Caches and TLBs make every allocator slower at 100k
/// (glibc about 5 times on the machine this was written on), so the ratio
/// alone cannot tell a search from a cache miss; a heap that searched its
/// free blocks was also a thousand times slower per operation, which the
/// bound on the cost at 100k catches (generous: qemu emulates).
fn case_churn(c: &Ctx) -> Check {
    let out = run_release(c, &[b"churn"])?;
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<f64> = text
        .split(|ch: char| ch.is_whitespace() || ch == ',')
        .filter_map(|w| w.parse().ok())
        .collect();
    let [_, at_100k, ratio] = numbers[..] else {
        return Err(format!("heap churn printed {text:?}"));
    };
    let ns_bound = if c.p.qemu.is_some() {
        20_000.0
    } else {
        2_000.0
    };
    if out.code != Some(0) || ratio > 12.0 || at_100k > ns_bound {
        return Err(format!(
            "heap churn: {text:?} (bounds: ratio 12, {ns_bound} ns at 100k), status {:?}",
            out.code
        ));
    }
    Ok(())
}

/// `heap oom` under a 2 GiB address-space limit (`ulimit -v`, on qemu
/// itself under emulation): the runtime's report and status 134.
fn case_oom(c: &Ctx) -> Check {
    let bin = c.bin("heap");
    let mut cmd = command(c.p, &bin, &[b"oom"], &[]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = output(&mut cmd, &bin)?;
    expect(
        &out,
        b"",
        b"out of memory: allocating 16777216 bytes (align 1)\n",
        134,
    )
}
