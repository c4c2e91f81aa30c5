//! init's command line and what it says: `-v`, the help, licence and
//! version, the usage errors, failed execs; and its size.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::harness::{Check, Ctx, expect, run, show, tempdir, tool};

use super::run::{Env, Options, child, finish, init, init_cmd};

pub fn case_verbose(c: &Ctx) -> Check {
    let out = init(c, &[b"-s", b"-v"], &["exit", "3"])?;
    let text = String::from_utf8_lossy(&out.stdout);
    let program = String::from_utf8_lossy(&child(c, &[])?[0]).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let ok = lines.len() == 2
        && lines[0].starts_with(&format!("init: started {program} as pid "))
        && lines[1].starts_with(&format!("init: {program} (pid "))
        && lines[1].ends_with(") exited with status 3");
    if !ok || !out.stderr.is_empty() || out.code != Some(3) {
        return Err(format!("-v printed {text:?}, stderr {}", show(&out.stderr)));
    }
    Ok(())
}

/// What `init -h` prints: the usage that follows every usage error.
fn help(c: &Ctx) -> Result<Vec<u8>, String> {
    let out = run(c.p, &c.bin("init"), &[b"-h"], &[])?;
    if !out
        .stdout
        .starts_with(b"Usage: init [OPTIONS] [--] PROGRAM [ARGS...]\n")
    {
        return Err(format!("init -h printed {}", show(&out.stdout)));
    }
    Ok(out.stdout)
}

/// Each mistake prints its message and the usage, exits 1 and runs
/// nothing (the child would exit 7 and print).
pub fn case_usage(c: &Ctx) -> Check {
    let usage = help(c)?;
    let runs: [(Options, Env, &str); 10] = [
        (&[b"-x"], &[], "unknown option -x"),
        (&[b"-sx"], &[], "unknown option -x"),
        (&[b"--foo"], &[], "unknown option --foo"),
        (&[b"--version", b"-s"], &[], "unknown option --version"),
        (
            &[b"-e", b"256"],
            &[],
            "-e wants an exit code from 0 to 255, not 256",
        ),
        (
            &[b"-eabc"],
            &[],
            "-e wants an exit code from 0 to 255, not abc",
        ),
        (
            &[b"-p", b"SIGFOO"],
            &[],
            "-p wants a signal name such as SIGTERM, not SIGFOO",
        ),
        (&[b"-s"], &[], "no PROGRAM to run"),
        (&[b"-s", b"-e"], &[], "a value must follow option -e"),
        (
            &[b"-s"],
            &[("TINI_VERBOSITY", b"x")],
            "TINI_VERBOSITY wants a number, not x",
        ),
    ];
    for (options, env, msg) in runs {
        // The two cases that need PROGRAM missing get no child.
        let words = if msg.starts_with("no PROGRAM") || msg.starts_with("a value") {
            Vec::new()
        } else {
            child(c, &["exit", "7"])?
        };
        let out = finish(init_cmd(c, options, &words, env)?)?;
        let mut want = format!("init: {msg}\n").into_bytes();
        want.extend_from_slice(&usage);
        expect(&out, b"", &want, 1).map_err(|e| format!("{options:?} {env:?}: {e}"))?;
    }
    Ok(())
}

pub fn case_help(c: &Ctx) -> Check {
    let usage = help(c)?;
    expect(&run(c.p, &c.bin("init"), &[b"-sh"], &[])?, &usage, b"", 0)?;
    let licence = run(c.p, &c.bin("init"), &[b"-l"], &[])?;
    if !String::from_utf8_lossy(&licence.stdout).contains("MIT") || licence.code != Some(0) {
        return Err(format!("init -l printed {}", show(&licence.stdout)));
    }
    let version = format!("init (freestand) {}\n", env!("CARGO_PKG_VERSION"));
    expect(
        &run(c.p, &c.bin("init"), &[b"--version"], &[])?,
        version.as_bytes(),
        b"",
        0,
    )
}

/// Nothing to run: 127; a file that cannot run: 126; both with init's
/// message. The exec is the host kernel's under qemu too.
pub fn case_exec_failures(c: &Ctx) -> Check {
    let dir = tempdir();
    let plain = dir.join("not-executable");
    std::fs::write(&plain, "data\n").map_err(|e| e.to_string())?;
    let plain_arg = plain.as_os_str().as_bytes();
    let runs: [(&[u8], Env, &str, i32); 3] = [
        (
            b"/nonexistent/program",
            &[],
            "No such file or directory",
            127,
        ),
        (
            b"no-such-program-here",
            &[("PATH", b"/nonexistent:/also-not")],
            "No such file or directory",
            127,
        ),
        (plain_arg, &[], "Permission denied", 126),
    ];
    let result = runs.iter().try_for_each(|&(program, env, why, code)| {
        let out = finish(init_cmd(c, &[b"-s", program], &[], env)?)?;
        let want = format!(
            "init: exec {} failed: {why}\n",
            String::from_utf8_lossy(program)
        );
        expect(&out, b"", want.as_bytes(), code)
    });
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The stripped release build weighs at most 16 KiB, on every
/// architecture and with both links, and has no panic handler (whose
/// `core::fmt` alone would break the budget).
pub fn case_size(c: &Ctx) -> Check {
    for dir in [&c.release_dir, &c.static_dir] {
        let bin = dir.join("init");
        let stripped = tempdir().join("init");
        tool(
            "llvm-strip",
            &[bin.as_os_str(), OsStr::new("-o"), stripped.as_os_str()],
        )?;
        let size = std::fs::metadata(&stripped)
            .map_err(|e| e.to_string())?
            .len();
        let _ = std::fs::remove_dir_all(stripped.parent().unwrap_or(&stripped));
        if size > 16 * 1024 {
            return Err(format!(
                "{}: {size} bytes stripped, over 16 KiB",
                bin.display()
            ));
        }
    }
    let out = run(c.p, &c.release_dir.join("init"), &[b"-h"], &[])?;
    if out.code != Some(0) || out.stdout.windows(11).any(|w| w == b"panicked at") {
        return Err("the release init links a panic handler (a panic site?)".into());
    }
    Ok(())
}
