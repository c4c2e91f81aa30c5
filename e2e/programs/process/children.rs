//! Children: starting them, waiting for them, naming what happened.

#[allow(unused_imports)]
use super::*;

/// This program, and what runs it (see the module docs).
pub(crate) struct Me<'a> {
    pub(crate) path: &'a CStr,
    pub(crate) runner: Option<&'a CStr>,
}

impl Me<'_> {
    /// Starts this program with `args` in a child, through the runner if
    /// there is one; `prepare` runs in the child first.
    pub(crate) fn exec(
        &self,
        args: &[&CStr],
        prepare: fn() -> Result<(), Errno>,
    ) -> Result<Pid, String> {
        let mut argv: Vec<Option<Arg<'_>>> = Vec::new();
        argv.extend(self.runner.map(|r| Some(Arg::new(r))));
        argv.push(Some(Arg::new(self.path)));
        argv.extend(args.iter().map(|a| Some(Arg::new(a))));
        argv.push(None);
        let program = self.runner.unwrap_or(self.path);
        exec_child(program, &argv, prepare)
    }
}

/// Runs `f` in a forked child, whose exit status is what `f` returns.
pub(crate) fn fork_child(f: impl FnOnce() -> i32) -> Result<Pid, String> {
    match fork() {
        Ok(Fork::Child) => exit_group(f()),
        Ok(Fork::Parent(pid)) => Ok(pid),
        Err(e) => Err(format!("fork: {e}")),
    }
}

/// Starts `path` with `argv` (and no environment) in a child, after
/// `prepare` ran there, and returns once the exec has happened: the
/// child's end of a close-on-exec pipe closes then. An exec that failed
/// sends its errno down the pipe instead, and that child is reaped.
pub(crate) fn exec_child(
    path: &CStr,
    argv: &[Option<Arg<'_>>],
    prepare: fn() -> Result<(), Errno>,
) -> Result<Pid, String> {
    let (r, w) = pipe2(PipeFlags::CLOEXEC).map_err(|e| format!("pipe2: {e}"))?;
    let pid = fork_child(|| {
        let _ = close(r);
        let e = match prepare() {
            Ok(()) => execve(path, argv, &[None]),
            Err(e) => e,
        };
        let _ = write_all(w, &e.raw().to_ne_bytes());
        127
    });
    let _ = close(w);
    let pid = pid?;
    let mut buf = [0u8; 4];
    let got = read(r, &mut buf);
    let _ = close(r);
    match got {
        Ok(0) => Ok(pid),
        Ok(_) => {
            let _ = wait_for(pid, WaitOptions::empty());
            let e = Errno::from_raw(i32::from_ne_bytes(buf)).unwrap_or(Errno::EIO);
            Err(format!("exec {path:?}: {e}"))
        }
        Err(e) => Err(format!("reading the exec report: {e}")),
    }
}

/// Nothing to do before the exec.
pub(crate) fn nothing() -> Result<(), Errno> {
    Ok(())
}

/// No core dumps, and stderr to /dev/null: for a child that dies by a
/// signal whose default action dumps core. The limit makes the kernel
/// report "no core"; qemu-user writes "qemu: uncaught target signal 6
/// (Aborted) - core dumped" to stderr all the same (see
/// docs/process-api.md), so stderr goes where nobody reads it.
pub(crate) fn no_core() -> Result<(), Errno> {
    let none = Rlimit {
        soft: Some(0),
        hard: Some(0),
    };
    setrlimit(Resource::Core, none)?;
    let null = openat(AT_FDCWD, c"/dev/null", OFlags::WRONLY, 0)?;
    dup3(null, STDERR, DupFlags::empty())?;
    close(null)
}

/// Waits (polling, at most [`PATIENCE`]) for `pid` to report a change of
/// state that `options` asks for, through `wait4`. A child that reports
/// nothing in time is killed and reaped, and that is the error.
pub(crate) fn wait_for(pid: Pid, options: WaitOptions) -> Result<WaitStatus, String> {
    poll(pid, || {
        wait4(WaitFor::Child(pid), options | WaitOptions::NOHANG)
    })
}

/// [`wait_for`] through `waitid` (`options` must name the events).
pub(crate) fn waitid_for(pid: Pid, options: WaitOptions) -> Result<WaitStatus, String> {
    poll(pid, || {
        waitid(WaitFor::Child(pid), options | WaitOptions::NOHANG)
    })
}

/// Calls `wait` every millisecond until it reports `pid`, for at most
/// [`PATIENCE`].
pub(crate) fn poll(
    pid: Pid,
    mut wait: impl FnMut() -> Result<Option<(Pid, WaitStatus)>, Errno>,
) -> Result<WaitStatus, String> {
    let start = Instant::now();
    loop {
        match wait() {
            Ok(Some((p, status))) if p == pid => return Ok(status),
            Ok(Some((p, status))) => {
                return Err(format!(
                    "waiting for {pid}, got {p}: {}",
                    status_text(status)
                ));
            }
            Ok(None) => {}
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(format!("waiting for {pid}: {e}")),
        }
        if start.elapsed() > PATIENCE {
            let _ = kill(pid, Signal::KILL);
            let _ = wait4(WaitFor::Child(pid), WaitOptions::empty());
            return Err(format!(
                "child {pid} reported nothing within {PATIENCE:?}: killed"
            ));
        }
        let _ = nanosleep(Duration::from_millis(1));
    }
}

/// Whether `pid` has nothing to report now (`wait4` with `NOHANG`).
pub(crate) fn quiet(pid: Pid) -> Result<&'static str, String> {
    let any = WaitOptions::UNTRACED | WaitOptions::CONTINUED | WaitOptions::NOHANG;
    match wait4(WaitFor::Child(pid), any) {
        Ok(None) => Ok("none"),
        Ok(Some((_, s))) => Err(format!("child {pid} reported {}", status_text(s))),
        Err(e) => Err(format!("wait4 NOHANG: {e}")),
    }
}

/// A status as the suite's lines spell it: `exit 3`, `SIGTERM` (with
/// ` (core dumped)` if one was), `stopped SIGSTOP`, `continued`.
pub(crate) fn status_text(s: WaitStatus) -> String {
    match s {
        WaitStatus::Exited(code) => format!("exit {code}"),
        WaitStatus::Signaled {
            signal,
            core_dumped,
        } => {
            let core = if core_dumped { " (core dumped)" } else { "" };
            format!("{}{core}", name(signal))
        }
        WaitStatus::Stopped(signal) => format!("stopped {}", name(signal)),
        WaitStatus::Continued => String::from("continued"),
    }
}

pub(crate) fn name(s: Signal) -> String {
    match s.name() {
        Some(n) => String::from(n),
        None => format!("signal {}", s.0),
    }
}

/// `si_code` by name, for the codes these cases expect.
pub(crate) fn code_name(code: i32) -> String {
    match code {
        SigInfo::USER => String::from("SI_USER"),
        SigInfo::TKILL => String::from("SI_TKILL"),
        SigInfo::QUEUE => String::from("SI_QUEUE"),
        SigInfo::KERNEL => String::from("SI_KERNEL"),
        other => format!("si_code {other}"),
    }
}

/// A child that sleeps until killed (at most [`PATIENCE`], whatever
/// stops, continues or handlers interrupt the sleep), then exits 2.
pub(crate) fn sleeper() -> i32 {
    let start = Instant::now();
    while let Some(left) = PATIENCE.checked_sub(start.elapsed()) {
        let _ = nanosleep(left);
    }
    2
}
