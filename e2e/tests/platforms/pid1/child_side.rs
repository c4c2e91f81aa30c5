//! What the child gets from init: the signals init receives (or its
//! process group does, with `-g`, or init's parent's death, with `-p`),
//! its arguments and environment byte for byte, init's original signal
//! state, only the descriptors init was given, and the terminal.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};

use crate::harness::{Check, Ctx, Output, expect};

use super::run::{Env, Options, Session, alone, child, finish, init_cmd, qemu, set_start_state};

pub fn case_forwards(c: &Ctx) -> Check {
    let sigs = [
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGUSR1, "SIGUSR1"),
        (libc::SIGWINCH, "SIGWINCH"),
    ];
    let n = sigs.len().to_string();
    let mut s = Session::start(init_cmd(c, &[b"-s"], &child(c, &["signals", &n])?, &[])?)?;
    s.expect_line("ready")?;
    for (sig, name) in sigs {
        s.signal(sig);
        s.expect_line(&format!("got {name}"))?;
    }
    expect(&s.finish()?, b"", b"", 0)
}

/// `-g`, and `TINI_KILL_PROCESS_GROUP`: the grandchild, in the child's
/// group, gets the signal too.
pub fn case_group(c: &Ctx) -> Check {
    let runs: [(Options, Env); 2] = [
        (&[b"-sg"], &[]),
        (&[b"-s"], &[("TINI_KILL_PROCESS_GROUP", b"")]),
    ];
    for (options, env) in runs {
        let mut s = Session::start(init_cmd(c, options, &child(c, &["group", "USR1"])?, env)?)?;
        s.expect_line("ready")?;
        s.signal(libc::SIGUSR1);
        let want = b"grandchild got SIGUSR1\nchild got SIGUSR1\n";
        expect(&s.finish()?, want, b"", 0).map_err(|e| format!("{options:?} {env:?}: {e}"))?;
    }
    Ok(())
}

/// `-p SIGTERM`: when init's parent (a shell that waits for its stdin to
/// close) ends, init gets SIGTERM and passes it to the child.
pub fn case_pdeathsig(c: &Ctx) -> Check {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "\"$@\" & read x; exit 0", "sh"]);
    cmd.args(qemu(c)?);
    cmd.arg(c.bin("init")).args(["-s", "-p", "SIGTERM"]);
    cmd.args(
        child(c, &["signals", "1"])?
            .iter()
            .map(|w| OsStr::from_bytes(w)),
    );
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut proc = cmd.spawn().map_err(|e| format!("spawning sh: {e}"))?;
    let stdin = proc.stdin.take();
    let mut out = BufReader::new(proc.stdout.take().ok_or("no stdout")?);
    let mut first = String::new();
    let _ = out.read_line(&mut first);
    drop(stdin); // sh's `read` returns, sh exits: init's parent is gone.
    let mut rest = String::new();
    let _ = out.read_to_string(&mut rest);
    let _ = proc.wait();
    if first != "ready\n" || rest != "got SIGTERM\n" {
        return Err(format!(
            "expected \"ready\" then \"got SIGTERM\", got {first:?} {rest:?}"
        ));
    }
    Ok(())
}

pub fn case_argv(c: &Ctx) -> Check {
    let mut words = child(c, &["argv"])?;
    words.extend([&b"a b"[..], b"", b"\xff\xfe", b"-s", b"--", b"caf\xc3\xa9"].map(<[u8]>::to_vec));
    let out = finish(init_cmd(c, &[b"-s", b"--"], &words, &[])?)?;
    let want = "\"argv\"\n\"a b\"\n\"\"\n\"\\xff\\xfe\"\n\"-s\"\n\"--\"\n\"café\"\n";
    expect(&out, want.as_bytes(), b"", 0)
}

pub fn case_env(c: &Ctx) -> Check {
    let env: &[(&str, &[u8])] = &[("A", b"x y"), ("B", b"\xff"), ("C", b""), ("D", b"=")];
    let words = child(c, &["env"])?;
    let out = finish(init_cmd(c, &[b"-s"], &words, env)?)?;
    // Command sorts the variables by name.
    expect(&out, b"\"A=x y\"\n\"B=\\xff\"\n\"C=\"\n\"D==\"\n", b"", 0)
}

/// init blocks nearly every signal and ignores SIGTTIN and SIGTTOU; its
/// child gets back what init started with (SIGUSR1 blocked, SIGUSR2
/// ignored, and whatever the suite inherited) and leads a process group
/// of its own.
pub fn case_state(c: &Ctx) -> Check {
    let direct = alone(c, &["state"])?;
    let mut cmd = init_cmd(c, &[b"-s"], &child(c, &["state"])?, &[])?;
    set_start_state(&mut cmd);
    let under = finish(cmd)?;
    let text = String::from_utf8_lossy(&direct.stdout);
    let want = text.replacen("group leader: no\n", "group leader: yes\n", 1);
    let usr = text.contains("blocked: SIGUSR1\n") && text.contains("ignored: SIGUSR2");
    if !usr {
        return Err(format!(
            "the child alone did not see its start state: {text:?}"
        ));
    }
    expect(&under, want.as_bytes(), b"", 0)
}

/// The child sees the descriptors init was given (0, 1 and 2), and no
/// other: the same as without init.
pub fn case_fds(c: &Ctx) -> Check {
    expect(&alone(c, &["fds"])?, b"fds: 0 1 2\n", b"", 0)?;
    let mut cmd = init_cmd(c, &[b"-s"], &child(c, &["fds"])?, &[])?;
    set_start_state(&mut cmd);
    expect(&finish(cmd)?, b"fds: 0 1 2\n", b"", 0)
}

/// With a terminal on stdin, the child's group becomes its foreground
/// group: init runs in a new session whose controlling terminal is a
/// fresh pseudo-terminal.
pub fn case_tty(c: &Ctx) -> Check {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes the two descriptors; no name or settings.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if r != 0 {
        return Err(format!("openpty: {}", std::io::Error::last_os_error()));
    }
    let mut cmd = init_cmd(c, &[b"-s"], &child(c, &["tty"])?, &[])?;
    // SAFETY: setsid, ioctl, dup2 and close are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            libc::setsid();
            libc::ioctl(slave, libc::TIOCSCTTY, 0);
            libc::dup2(slave, 0);
            libc::close(master);
            Ok(())
        });
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let out = cmd.output().map_err(|e| format!("spawning init: {e}"));
    // SAFETY: both are descriptors openpty returned, closed once.
    unsafe {
        libc::close(slave);
        libc::close(master);
    }
    let out = out?;
    let out = Output {
        stdout: out.stdout,
        stderr: out.stderr,
        code: out.status.code(),
        signal: out.status.signal(),
    };
    expect(&out, b"foreground\n", b"", 0)
}
