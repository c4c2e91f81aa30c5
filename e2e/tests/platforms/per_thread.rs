//! Per-thread vDSO getrandom states and rseq (`e2e/programs/random.rs`):
//! no state shared between threads, a signal handler never re-enters its
//! thread's state, rseq's CPU matches the CPU a thread is pinned to, the
//! rseq switch, and (natively) how few `getrandom` system calls 8 busy
//! threads make. Under qemu-user, which has no vDSO getrandom and answers
//! rseq with `ENOSYS`, the cases check that the fallback is the one
//! `route` reports.

use std::process::{Command, Stdio};

use crate::harness::{Case, Check, Ctx, expect, show, tempdir};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "getrandom_16_threads_never_repeat",
            run: |c| {
                let out = c.run("random", &[b"unique"], &[])?;
                expect(&out, b"unique: 160000 results, 0 repeated\n", b"", 0)
            },
        },
        Case {
            name: "getrandom_from_a_signal_handler",
            run: |c| {
                // On a vDSO path some handler lands inside its thread's
                // call and must have taken the system call; without one
                // (qemu) there is nothing to re-enter and no fallback.
                let out = c.run("random", &[b"reentry"], &[])?;
                let want =
                    b"reentry: lengths right true, handlers ran true, fallbacks counted true\n";
                expect(&out, want, b"", 0)
            },
        },
        Case {
            name: "rseq_cpu_follows_pinning",
            run: case_cpus,
        },
        Case {
            name: "rseq_switch_off",
            run: case_switch_off,
        },
        Case {
            name: "getrandom_8_threads_few_syscalls",
            run: case_strace,
        },
    ]
}

/// Pinned to each CPU in turn, the rseq area and `getcpu` say that CPU
/// (natively); under qemu the route names rseq's `ENOSYS` fallback.
fn case_cpus(c: &Ctx) -> Check {
    let out = c.run("random", &[b"cpus"], &[])?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let ok = match c.p.qemu {
        None => text.contains("rseq and getcpu agree: true; getcpu rseq area at 0x"),
        Some(_) => text.contains("(rseq refused: ENOSYS (errno 38))"),
    };
    if !ok {
        return Err(format!(
            "random cpus on {}: {}",
            c.p.name,
            show(&out.stdout)
        ));
    }
    expect(&out, &out.stdout, b"", 0)
}

/// With `FREESTAND_RSEQ=off`, `getcpu` goes to the vDSO (or, on aarch64,
/// the system call) and the program may register its own area.
fn case_switch_off(c: &Ctx) -> Check {
    let out = c.run("random", &[b"own-rseq"], &[("FREESTAND_RSEQ", b"off")])?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let path_ok = text.contains("(rseq off (FREESTAND_RSEQ=off))") && !text.contains(" rseq area");
    // qemu-user has no rseq at all: its refusal is the documented one.
    let own = match c.p.qemu {
        None => "own registration ok",
        Some(_) => "own registration refused",
    };
    if !path_ok || !text.contains(own) {
        return Err(format!(
            "random own-rseq on {}: {}",
            c.p.name,
            show(&out.stdout)
        ));
    }
    expect(&out, &out.stdout, b"", 0)
}

/// Natively, under `strace -f`, 8 threads making 10,000 `getrandom` calls
/// each make at most a handful of `getrandom` system calls (none is
/// needed: every thread has its own state). Under qemu, which has no vDSO
/// `getrandom`, the route must say so.
fn case_strace(c: &Ctx) -> Check {
    if c.p.qemu.is_some() {
        let out = c.run("random", &[b"routes"], &[])?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if !text
            .lines()
            .any(|l| l.starts_with("getrandom syscall ") && l.ends_with(": symbol not found"))
        {
            return Err(format!(
                "random routes on {}: {}",
                c.p.name,
                show(&out.stdout)
            ));
        }
        return expect(&out, &out.stdout, b"", 0);
    }
    const HANDFUL: usize = 8;
    let dir = tempdir();
    let log = dir.join("strace.txt");
    let out = Command::new("strace")
        .args(["-f", "-c", "-e", "trace=getrandom", "-o"])
        .arg(&log)
        .arg(c.bin("random"))
        .arg("many")
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("strace not found ({e}); run scripts/test.sh, or apt-get install strace")
        })?;
    let summary = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    if out.status.code() != Some(0) || !out.stdout.starts_with(b"many: done") {
        return Err(format!(
            "strace random many: {:?} {}",
            out.status,
            show(&out.stdout)
        ));
    }
    // `% time seconds usecs/call calls [errors] syscall`
    let count = summary
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.last() == Some(&"getrandom"))
        .map_or(0, |w| w[3].parse::<usize>().unwrap_or(usize::MAX));
    if count > HANDFUL {
        return Err(format!(
            "8 threads x 10,000 calls made {count} getrandom system calls, want at most {HANDFUL}:\n{summary}"
        ));
    }
    Ok(())
}
