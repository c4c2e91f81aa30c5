//! Running init and its child on a platform: the words that start the
//! child (with the host's qemu first under emulation), init's command,
//! a session that reads init's output line by line while the case sends
//! it signals, and the start state some cases give init.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::{Check, Ctx, Output, output, which};

/// Init's options, word by word.
pub type Options<'a> = &'a [&'a [u8]];
/// An environment: names and values.
pub type Env<'a> = &'a [(&'a str, &'a [u8])];

/// The words that run `child ARGS` on this platform: the host's qemu
/// first under emulation (see the module docs).
pub fn child(c: &Ctx, args: &[&str]) -> Result<Vec<Vec<u8>>, String> {
    let mut words = Vec::new();
    if let Some(q) = qemu(c)? {
        words.push(q.into_os_string().into_vec());
    }
    words.push(c.bin("child").into_os_string().into_vec());
    words.extend(args.iter().map(|a| a.as_bytes().to_vec()));
    Ok(words)
}

/// The host's qemu for this platform, by its full path (a `PATH` in a
/// case's environment must not change which one runs).
pub fn qemu(c: &Ctx) -> Result<Option<PathBuf>, String> {
    c.p.qemu
        .map(|q| which(q).ok_or_else(|| format!("{q} is not on PATH")))
        .transpose()
}

/// `init OPTIONS CHILD...` with exactly `env`, on this platform.
pub fn init_cmd(
    c: &Ctx,
    options: &[&[u8]],
    child: &[Vec<u8>],
    env: &[(&str, &[u8])],
) -> Result<Command, String> {
    let mut cmd = match qemu(c)? {
        Some(q) => {
            let mut cmd = Command::new(q);
            cmd.arg(c.bin("init"));
            cmd
        }
        None => Command::new(c.bin("init")),
    };
    cmd.args(options.iter().map(|o| OsStr::from_bytes(o)));
    cmd.args(child.iter().map(|w| OsStr::from_bytes(w)));
    cmd.env_clear();
    for (k, v) in env {
        cmd.env(k, OsStr::from_bytes(v));
    }
    Ok(cmd)
}

/// Runs `cmd` (an init) to its end.
pub fn finish(mut cmd: Command) -> Result<Output, String> {
    output(&mut cmd, Path::new("init"))
}

/// Runs `init OPTIONS child ARGS` with no environment.
pub fn init(c: &Ctx, options: &[&[u8]], args: &[&str]) -> Result<Output, String> {
    finish(init_cmd(c, options, &child(c, args)?, &[])?)
}

/// A running init whose stdout the case reads line by line; killed if it
/// outlives a minute.
pub struct Session {
    proc: Child,
    out: BufReader<ChildStdout>,
    /// Dropped (ending the watchdog) when the session is done.
    _watchdog: mpsc::Sender<()>,
}

impl Session {
    pub fn start(mut cmd: Command) -> Result<Session, String> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut proc = cmd.spawn().map_err(|e| format!("spawning init: {e}"))?;
        let out = BufReader::new(proc.stdout.take().ok_or("no stdout")?);
        let (tx, rx) = mpsc::channel::<()>();
        let pid = proc.id() as i32;
        std::thread::spawn(move || {
            if rx.recv_timeout(Duration::from_secs(60)) == Err(mpsc::RecvTimeoutError::Timeout) {
                // SAFETY: kill has no memory preconditions.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        });
        Ok(Session {
            proc,
            out,
            _watchdog: tx,
        })
    }

    /// Reads the next line of stdout and checks it is `want`.
    pub fn expect_line(&mut self, want: &str) -> Check {
        let mut line = String::new();
        let _ = self.out.read_line(&mut line);
        if line != format!("{want}\n") {
            let mut err = String::new();
            if let Some(e) = self.proc.stderr.as_mut() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(format!("expected {want:?}, got {line:?}; stderr {err:?}"));
        }
        Ok(())
    }

    /// Sends `sig` to init.
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill has no memory preconditions.
        unsafe { libc::kill(self.proc.id() as i32, sig) };
    }

    /// What is left of the output, and how init ended.
    pub fn finish(mut self) -> Result<Output, String> {
        let mut stdout = Vec::new();
        let _ = self.out.read_to_end(&mut stdout);
        let mut stderr = Vec::new();
        if let Some(e) = self.proc.stderr.as_mut() {
            let _ = e.read_to_end(&mut stderr);
        }
        let status = self.proc.wait().map_err(|e| e.to_string())?;
        Ok(Output {
            stdout,
            stderr,
            code: status.code(),
            signal: status.signal(),
        })
    }
}

/// Blocks SIGUSR1, ignores SIGUSR2 and closes every descriptor above 2
/// in the process that `cmd` starts.
pub fn set_start_state(cmd: &mut Command) {
    // SAFETY: sigprocmask, signal and close_range are async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            libc::signal(libc::SIGUSR2, libc::SIG_IGN);
            libc::syscall(libc::SYS_close_range, 3, u32::MAX, 0);
            Ok(())
        });
    }
}

/// `child ARGS` run directly, from the state [`set_start_state`] sets.
pub fn alone(c: &Ctx, args: &[&str]) -> Result<Output, String> {
    let words = child(c, args)?;
    let (bin, rest) = words.split_first().ok_or("no child")?;
    let mut cmd = Command::new(OsStr::from_bytes(bin));
    cmd.args(rest.iter().map(|a| OsStr::from_bytes(a)))
        .env_clear();
    set_start_state(&mut cmd);
    output(&mut cmd, &c.bin("child"))
}
