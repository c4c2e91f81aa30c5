//! The routed calls: checked against the kernel with the vDSO on, off and
//! absent (no `AT_SYSINFO_EHDR`); the route each call takes and why; no
//! time system call when the vDSO serves; and `bench`'s report.

use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Stdio};

use crate::harness::{
    Arch, Case, Check, Ctx, expect, expect_clean_exit, expect_contains, run, show, tempdir,
};
use crate::link::PROBE_ADDR_TAIL;

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "auxv_without_sysinfo_ehdr",
            run: case_no_sysinfo_ehdr,
        },
        Case {
            name: "routed_calls_match_the_kernel",
            run: |c| case_routed_check(c, &[]),
        },
        Case {
            name: "routed_calls_match_the_kernel_vdso_off",
            run: |c| case_routed_check(c, &[("FREESTAND_VDSO", b"off")]),
        },
        Case {
            name: "routes_report_the_vdso",
            run: case_routes_on,
        },
        Case {
            name: "routes_report_the_switch_off",
            run: case_routes_off,
        },
        Case {
            name: "vdso_switch_bad_value_is_reported",
            run: |c| {
                let out = c.run("routed", &[b"routes"], &[("FREESTAND_VDSO", b"maybe")])?;
                let served = format!(
                    "\nclock_gettime vdso {}clock_gettime@",
                    c.p.arch.vdso_prefix()
                );
                let want = [
                    "FREESTAND_VDSO=maybe not understood (want on or off): vDSO on\n",
                    served.as_str(),
                ];
                expect_contains("routed routes", out, &want)
            },
        },
        Case {
            name: "no_time_syscalls_in_vdso_mode",
            run: case_no_time_syscalls,
        },
        Case {
            name: "bench_prints_every_path",
            run: case_bench,
        },
    ]
}

/// Start-up with no `AT_SYSINFO_EHDR`, as on a kernel or emulator that
/// maps no vDSO: the `novdso` test program loads a program and starts it
/// with this process's auxv minus that entry. Every routed call then names
/// that reason, the kernel-oracle checks all pass on the syscall path, and
/// static-PIE (debug, release) and non-PIE builds start, relocate and find
/// their own `AT_PHDR`/`AT_ENTRY`. The loader's own failures are checked
/// too: a missing file, and a non-PIE program whose link address a non-PIE
/// loader already occupies.
fn case_no_sysinfo_ehdr(c: &Ctx) -> Check {
    let routed = c.bin("routed");
    let routed = routed.as_os_str().as_bytes();
    let out = c.run("novdso", &[routed, b"routes"], RSEQ_OFF)?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    let first = lines.next();
    let rest: Vec<&str> = lines.map(without_rseq).collect();
    if first != Some("FREESTAND_VDSO unset: vDSO on")
        || rest.len() != 8
        || rest.iter().any(|l| {
            !l.contains(" syscall ") || !l.ends_with(": no AT_SYSINFO_EHDR in the auxiliary vector")
        })
    {
        return Err(format!("novdso routed routes:\n{text}"));
    }
    expect_clean_exit(out)?;
    let out = c.run("novdso", &[routed, b"check", c.p.name.as_bytes()], &[])?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !text.ends_with("all 9 checks passed\n") || text.contains("\nnote ") {
        return Err(format!("novdso routed check:\n{text}{}", show(&out.stderr)));
    }
    expect_clean_exit(out)?;
    let want = PROBE_ADDR_TAIL;
    for dir in [&c.dir, &c.release_dir, &c.static_dir] {
        let probe = dir.join("probe");
        let out = c.run("novdso", &[probe.as_os_str().as_bytes(), b"addr"], &[])?;
        if !String::from_utf8_lossy(&out.stdout).ends_with(want) {
            return expect(&out, want.as_bytes(), b"", 0);
        }
        expect_clean_exit(out)?;
    }
    // A non-PIE loader occupies the address a non-PIE program is linked at.
    let (loader, probe) = (c.static_dir.join("novdso"), c.static_dir.join("probe"));
    let probe = probe.as_os_str().as_bytes();
    let out = run(c.p, &loader, &[probe, b"addr"], &[])?;
    let mut want = b"novdso: ".to_vec();
    want.extend_from_slice(probe);
    want.extend_from_slice(b": its link address ");
    if !out.stderr.starts_with(&want)
        || !out
            .stderr
            .ends_with(b" is already in use (by this loader, if it is a non-PIE build too)\n")
    {
        return expect(&out, b"", &want, 127);
    }
    expect(&out, b"", &out.stderr, 127)?;
    let out = c.run("novdso", &[b"/nonexistent"], &[])?;
    expect(
        &out,
        b"",
        b"novdso: /nonexistent: cannot open: ENOENT (errno 2)\n",
        127,
    )
}

/// `routed check PLATFORM`: the kernel as the oracle of every routed call.
fn case_routed_check(c: &Ctx, env: &[(&str, &[u8])]) -> Check {
    let out = c.run("routed", &[b"check", c.p.name.as_bytes()], env)?;
    let text = String::from_utf8_lossy(&out.stdout);
    if out.code != Some(0) || !out.stderr.is_empty() || !text.ends_with("all 9 checks passed\n") {
        return Err(format!(
            "routed check: status {:?}\n{text}{}",
            out.code,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // qemu-x86_64's vDSO says CPU 0 everywhere; the check says so, and
    // only there.
    let note = text.contains("note getcpu: qemu-x86_64's vDSO reports CPU 0");
    let vdso_on = env.is_empty();
    if note != (vdso_on && c.p.name == "qemu-x86_64") {
        return Err(format!(
            "getcpu note {} expected:\n{text}",
            if note { "not" } else { "" }
        ));
    }
    Ok(())
}

/// The calls each platform's vDSO must serve, as `routed routes` prints
/// their lines' starts.
/// The environment that switches rseq off, so that `getcpu`'s route is the
/// vDSO's (the cases here are about the vDSO; `per_thread.rs` tests rseq).
pub const RSEQ_OFF: &[(&str, &[u8])] = &[("FREESTAND_RSEQ", b"off")];

/// A route line without the note rseq's switch adds to `getcpu`'s.
pub fn without_rseq(l: &str) -> &str {
    l.strip_suffix(" (rseq off (FREESTAND_RSEQ=off))")
        .unwrap_or(l)
}

/// The route lines expected when the vDSO serves what it can, with rseq
/// switched off ([`RSEQ_OFF`]).
pub fn vdso_served(c: &Ctx) -> Vec<String> {
    let mut calls = vec!["clock_gettime", "clock_getres", "gettimeofday"];
    let mut want: Vec<String> = Vec::new();
    match c.p.arch {
        Arch::X86_64 => calls.extend(["time", "getcpu"]),
        Arch::Riscv64 => {
            calls.extend(["getcpu", "riscv_flush_icache"]);
            want.push("\ntime vdso - at 0x".into());
        }
        // No `time` (served through clock_gettime) and no `getcpu`.
        Arch::Aarch64 => {
            want.push("\ntime vdso - at 0x".into());
            want.push("\ngetcpu syscall -: no vDSO function for it on this architecture".into());
        }
    }
    let prefix = c.p.arch.vdso_prefix();
    want.extend(calls.iter().map(|n| format!("\n{n} vdso {prefix}")));
    want
}

fn case_routes_on(c: &Ctx) -> Check {
    let out = c.run("routed", &[b"routes"], RSEQ_OFF)?;
    let want = vdso_served(c);
    let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
    want.push("FREESTAND_VDSO unset: vDSO on\n");
    // qemu's vDSOs have no getrandom; the host's has since Linux 6.11.
    let getrandom = format!("\ngetrandom syscall {}getrandom@", c.p.arch.vdso_prefix());
    if c.p.qemu.is_some() {
        want.push(&getrandom);
    }
    expect_contains("routed routes", out, &want)
}

fn case_routes_off(c: &Ctx) -> Check {
    let env: &[(&str, &[u8])] = &[("FREESTAND_VDSO", b"off"), RSEQ_OFF[0]];
    let out = c.run("routed", &[b"routes"], env)?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    if lines.next() != Some("FREESTAND_VDSO=off: vDSO off") {
        return Err(format!("first line of routes: {text}"));
    }
    let rest: Vec<&str> = lines.map(without_rseq).collect();
    if rest.len() != 8
        || rest
            .iter()
            .any(|l| !l.contains(" syscall ") || !l.ends_with(": disabled by FREESTAND_VDSO=off"))
    {
        return Err(format!("routes with the vDSO off:\n{text}"));
    }
    expect_clean_exit(out)
}

/// Natively, strace counts the time system calls of `routed loop N`: none
/// with the vDSO, N of each without. Under qemu-user the emulator's own
/// vDSO makes the system call, so there the check is that introspection
/// reports the vDSO path (as `routes_report_the_vdso` does too).
fn case_no_time_syscalls(c: &Ctx) -> Check {
    if c.p.qemu.is_some() {
        let out = c.run("routed", &[b"routes"], &[])?;
        let want = vdso_served(c);
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        return expect_contains("routed routes", out, &want);
    }
    const N: usize = 1000;
    let calls = ["clock_gettime", "gettimeofday", "time", "getcpu"];
    for (env, want) in [(None, 0), (Some("off"), N)] {
        let dir = tempdir();
        let log = dir.join("strace.txt");
        let mut cmd = Command::new("strace");
        cmd.arg("-f").arg("-c").arg("-o").arg(&log);
        cmd.arg("-e").arg(format!("trace={}", calls.join(",")));
        cmd.arg(c.bin("routed")).arg("loop").arg(N.to_string());
        // The getcpu count is the vDSO's: rseq, which needs no system
        // call either, is switched off.
        cmd.env_clear().env("FREESTAND_RSEQ", "off");
        if let Some(v) = env {
            cmd.env("FREESTAND_VDSO", v);
        }
        let out = cmd.stdin(Stdio::null()).output().map_err(|e| {
            format!(
                "strace not found ({e}); run scripts/test.sh as root, or apt-get install strace"
            )
        })?;
        let summary = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        if out.status.code() != Some(0) {
            return Err(format!(
                "strace routed loop: {:?}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        for call in calls {
            // `% time seconds usecs/call calls [errors] syscall`
            let count = summary
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>())
                .find(|w| w.last() == Some(&call))
                .map_or(0, |w| w[3].parse::<usize>().unwrap_or(usize::MAX));
            if count != want {
                return Err(format!(
                    "FREESTAND_VDSO={}: strace counted {count} {call} calls, want {want}:\n{summary}",
                    env.unwrap_or("(unset)")
                ));
            }
        }
    }
    Ok(())
}

/// `bench --quick`: every call, every path, in the documented format;
/// the many-threads `getrandom4` lines, with no call of theirs taking the
/// system call where the vDSO serves `getrandom`.
fn case_bench(c: &Ctx) -> Check {
    let out = c.run("bench", &[b"--quick"], &[])?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // The third word of the `CALL PATH VALUE` line (a `-` may be followed
    // by why).
    let value = |call: &str, path: &str| -> Result<String, String> {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{call} {path} ")))
            .ok_or_else(|| format!("no `{call} {path}` line:\n{text}"))?;
        Ok(line.split_whitespace().nth(2).unwrap_or("").to_owned())
    };
    for call in [
        "clock_gettime",
        "clock_getres",
        "gettimeofday",
        "time",
        "getcpu",
        "getrandom4",
        "getrandom32",
    ] {
        for path in ["routed", "direct", "syscall"] {
            let v = value(call, path)?;
            if v.parse::<f64>().is_err() && !(path == "direct" && v == "-") {
                return Err(format!("not a number in `{call} {path} {v}`"));
            }
        }
        if !text.contains(&format!("\n{call} ratio routed/direct ")) {
            return Err(format!("no ratio line for {call}:\n{text}"));
        }
    }
    let v = value("getrandom4", "routed-8-threads")?;
    if v.parse::<f64>().is_err() {
        return Err(format!("not a number in `getrandom4 routed-8-threads {v}`"));
    }
    let v = value("getrandom4", "fallbacks-8-threads")?;
    if v != "0" {
        return Err(format!(
            "`getrandom4 fallbacks-8-threads {v}`, want 0:\n{text}"
        ));
    }
    expect_clean_exit(out)
}
