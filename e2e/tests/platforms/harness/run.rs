//! Running a program on a platform, and the host tools the cases use.

use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::Platform;

/// What a run produced.
pub struct Output {
    /// Everything written to standard output.
    pub stdout: Vec<u8>,
    /// Everything written to standard error.
    pub stderr: Vec<u8>,
    /// The exit status, if it exited.
    pub code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
}

/// Runs `bin` on `p` with exactly `args` and `env`.
pub fn run(
    p: &Platform,
    bin: &Path,
    args: &[&[u8]],
    env: &[(&str, &[u8])],
) -> Result<Output, String> {
    output(&mut command(p, bin, args, env), bin)
}

/// The command that runs `bin` on `p` with exactly `args` and `env`.
pub fn command(p: &Platform, bin: &Path, args: &[&[u8]], env: &[(&str, &[u8])]) -> Command {
    let mut cmd = match p.qemu {
        Some(q) => {
            let mut c = Command::new(q);
            c.arg(bin);
            c
        }
        None => Command::new(bin),
    };
    cmd.args(args.iter().map(|a| OsStr::from_bytes(a)));
    cmd.env_clear();
    for (k, v) in env {
        cmd.env(k, OsStr::from_bytes(v));
    }
    cmd
}

/// The limits every run gets, so that results do not depend on the shell
/// the suite runs from: an 8 MiB stack (the argument-size limit is a
/// quarter of it) and no core dumps (a program killed by `SIGSEGV` would
/// otherwise leave one, and qemu writes its own).
fn child_limits(cmd: &mut Command) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            let stack = libc::rlimit {
                rlim_cur: 8 << 20,
                rlim_max: libc::RLIM_INFINITY,
            };
            if libc::setrlimit(libc::RLIMIT_CORE, &core) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Lowering the soft limit always works; raising it may not
            // (a hard limit below 8 MiB), and then the run keeps its own.
            let _ = libc::setrlimit(libc::RLIMIT_STACK, &stack);
            Ok(())
        });
    }
}

/// Runs `cmd` with no input and collects what it printed and its status.
/// Standard output is captured unless `cmd` already redirects it.
pub fn output(cmd: &mut Command, bin: &Path) -> Result<Output, String> {
    child_limits(cmd);
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("spawning {}: {e}", bin.display()))?;
    Ok(Output {
        stdout: out.stdout,
        stderr: out.stderr,
        code: out.status.code(),
        signal: out.status.signal(),
    })
}

/// Runs `bin` with an empty argv (argc 0 as far as execve is concerned).
/// Natively the kernel (>= 5.18) then supplies `argv = [""]`; under qemu,
/// `-0 ""` gives the guest the same.
pub fn run_empty_argv(p: &Platform, bin: &Path) -> Result<Output, String> {
    if let Some(q) = p.qemu {
        let mut cmd = Command::new(q);
        cmd.args(["-0", ""]).arg(bin).env_clear();
        return output(&mut cmd, bin);
    }
    let dir = tempdir();
    let (outp, errp) = (dir.join("out"), dir.join("err"));
    let path = CString::new(bin.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    let out_c = CString::new(outp.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    let err_c = CString::new(errp.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    // SAFETY: plain fork/exec: the child only calls async-signal-safe
    // functions (open, dup2, execve, _exit) before replacing itself.
    let code = unsafe {
        let pid = libc::fork();
        if pid == 0 {
            let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC;
            let o = libc::open(out_c.as_ptr(), flags, 0o600);
            let e = libc::open(err_c.as_ptr(), flags, 0o600);
            libc::dup2(o, 1);
            libc::dup2(e, 2);
            let argv: [*const libc::c_char; 1] = [std::ptr::null()];
            let envp: [*const libc::c_char; 1] = [std::ptr::null()];
            libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
        if libc::WIFEXITED(status) {
            Some(libc::WEXITSTATUS(status))
        } else {
            None
        }
    };
    let out = Output {
        stdout: std::fs::read(&outp).unwrap_or_default(),
        stderr: std::fs::read(&errp).unwrap_or_default(),
        code,
        signal: None,
    };
    let _ = std::fs::remove_dir_all(&dir);
    Ok(out)
}

/// A fresh directory of this process's own, for a case's files.
pub fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "freestand-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs a host tool and returns its standard output; fails if it is
/// missing or fails.
pub fn tool(cmd: &str, args: &[&OsStr]) -> Result<String, String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("{cmd} not found ({e}); install binutils"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The file `name` resolves to on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}
