//! Threads: spawn and join, Mutex and Condvar, thread_local!, stacks freed,
//! overflow and panic reports naming the thread, spawning until the kernel
//! refuses, and signals during spawns (`e2e/programs/threads.rs`).

use std::os::unix::process::CommandExt;

use crate::harness::{
    Case, Check, Ctx, command, expect, expect_signal, output, qemu_segv_line, show,
};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "threads_spawn_join_names",
            run: |c| {
                let out = c.run("threads", &[b"smoke"], &[])?;
                expect(&out, b"smoke: 42 worker 3 main 1\n", b"", 0)
            },
        },
        Case {
            name: "threads_64_add_to_one_mutex",
            run: |c| {
                let out = c.run("threads", &[b"mutex"], &[])?;
                expect(&out, b"mutex: 640000 true\n", b"", 0)
            },
        },
        Case {
            name: "threads_condvar_producers_consumers",
            run: |c| {
                let out = c.run("threads", &[b"condvar"], &[])?;
                expect(&out, b"condvar: 100000 items, 0 missing, 0 twice\n", b"", 0)
            },
        },
        Case {
            name: "threads_thread_local_values",
            run: |c| {
                // Each thread counts from 0 (1..=8 hits), main keeps its
                // 100; OWNED is made by the 4 odd threads only and dropped
                // as each ends.
                let out = c.run("threads", &[b"locals"], &[])?;
                let want = b"locals: [1, 2, 3, 4, 5, 6, 7, 8] main 100 made 4 dropped 4\n";
                expect(&out, want, b"", 0)
            },
        },
        Case {
            name: "threads_stacks_are_freed",
            run: case_many,
        },
        Case {
            name: "threads_overflow_names_the_thread",
            run: |c| {
                let bin = c.bin("threads");
                let out = c.run("threads", &[b"overflow"], &[])?;
                let prefix = format!(
                    "freestand: {}: stack overflow in thread deep (tid ",
                    bin.display()
                );
                let err = String::from_utf8_lossy(&out.stderr);
                let Some(rest) = err.strip_prefix(&prefix) else {
                    return Err(format!(
                        "stderr {} does not start with {prefix:?}",
                        show(&out.stderr)
                    ));
                };
                let tail = rest
                    .split_once(")\n")
                    .map(|(tid, tail)| (tid.parse::<u32>().is_ok(), tail));
                let want = qemu_segv_line(c.p);
                if tail != Some((true, want)) {
                    return Err(format!(
                        "stderr {} should end with a tid, then {want:?}",
                        show(&out.stderr)
                    ));
                }
                expect_signal(&out, b"", &out.stderr, 11)
            },
        },
        Case {
            name: "threads_panic_names_the_thread",
            run: |c| {
                let out = c.run("threads", &[b"panic"], &[])?;
                let err = String::from_utf8_lossy(&out.stderr);
                let ok = err.starts_with("panicked in thread doomed (tid ")
                    && err.contains(") at e2e/programs/threads.rs:")
                    && err.ends_with(":\ndoomed thread gives up\n");
                if !ok {
                    return Err(format!("unexpected panic report {}", show(&out.stderr)));
                }
                expect(&out, b"", &out.stderr, 101)
            },
        },
        Case {
            name: "threads_spawn_until_refused",
            run: case_limit,
        },
        Case {
            name: "threads_spawn_under_a_1ms_timer",
            run: |c| {
                let out = c.run("threads", &[b"alarm"], &[])?;
                expect(&out, b"alarm: sum 499500, signals seen: true\n", b"", 0)
            },
        },
    ]
}

/// 10,000 joined and 1,000 detached threads leave no mapping behind.
fn case_many(c: &Ctx) -> Check {
    let out = c.run("threads", &[b"many"], &[])?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let grew: Vec<usize> = text
        .split(|ch: char| !ch.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // "many: sum 49995000, mappings grew by J joined, D detached"
    match grew[..] {
        [49_995_000, joined, detached] if joined <= 4 && detached <= 4 => {
            expect(&out, text.as_bytes(), b"", 0)
        }
        _ => Err(format!(
            "expected the sum 49995000 and at most 4 new mappings: {text:?}"
        )),
    }
}

/// Under a 4 GiB address-space limit, threads with 64 MiB stacks are
/// refused with `ENOMEM` (or `EAGAIN`), not a crash.
fn case_limit(c: &Ctx) -> Check {
    let bin = c.bin("threads");
    let mut cmd = command(c.p, &bin, &[b"limit"], &[]);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4 << 30,
                rlim_max: 4 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = output(&mut cmd, &bin)?;
    let text = String::from_utf8_lossy(&out.stdout);
    let refused = [
        "limit: ENOMEM (errno 12) after some threads\n",
        "limit: EAGAIN (errno 11) after some threads\n",
    ];
    if !refused.contains(&&*text) {
        return Err(format!(
            "expected a refusal after some threads, got {}",
            show(&out.stdout)
        ));
    }
    expect(&out, &out.stdout, b"", 0)
}
