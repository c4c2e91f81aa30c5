//! Starting the child: `fork`, then, in the child, its own process group,
//! the terminal when there is one, init's original signal state, and the
//! exec.
//!
//! A plain `fork` rather than `vfork_spawn`: init is one small thread
//! with a few pages to copy, and the child has nothing to undo (init
//! installs no handler), whereas `vfork_spawn` pays for a report pipe
//! and a reset of all 64 dispositions in the child. As tini does, the
//! child itself reports a failed exec and ends with 127, 126 or 1, which
//! init then reaps and reports like any other exit status.

use freestand_rt::io::STDIN;
use freestand_rt::syscalls::Errno;
use freestand_rt::syscalls::process::{
    Arg, Fork, Pid, exit_group, fork, getpid, setpgid, tcsetpgrp,
};

use crate::out::{Text, Why, err, fatal};
use crate::signals::{Saved, give_back};

/// What the child does before the exec.
fn prepare(saved: &Saved, tty: bool) -> Result<(), Errno> {
    // Its own process group, so that `-g` and the terminal's job control
    // reach it and its descendants, and not init.
    setpgid(None, None)?;
    if tty && let Some(me) = Pid::from_raw(getpid()) {
        // The foreground group of init's terminal. SIGTTOU is still
        // ignored here, so a background init may do it. A terminal that
        // is not init's controlling one (ENOTTY) or that went away
        // (ENXIO) is no reason to stop.
        match tcsetpgrp(STDIN, me) {
            Ok(()) | Err(Errno::ENOTTY | Errno::ENXIO) => {}
            Err(e) => return Err(e),
        }
    }
    give_back(saved)
}

/// The child's side: prepares, execs, and if that fails says why and
/// returns the exit status.
fn child(argv: &[Option<Arg<'_>>], envp: &[Option<Arg<'_>>], saved: &Saved, tty: bool) -> i32 {
    if let Err(e) = prepare(saved, tty) {
        return fatal(b"cannot prepare the child: ", e);
    }
    let Some(Some(program)) = argv.first() else {
        return 127;
    };
    let path = crate::options::var(envp, b"PATH");
    let e = crate::search::exec(program.as_cstr(), argv, envp, path);
    let name = program.as_cstr().to_bytes();
    err(&[Text(b"exec "), Text(name), Text(b" failed: "), Why(e)]);
    exec_status(e)
}

/// Starts `argv[0]` (searched in the `PATH` of `envp`, as `execvp`
/// does) with exactly `argv` and `envp`, which end with `None`. `tty`:
/// whether stdin is a terminal that the child should take.
///
/// # Errors
/// `fork`'s: `EAGAIN` at the process limit, `ENOMEM`.
pub fn spawn(
    argv: &[Option<Arg<'_>>],
    envp: &[Option<Arg<'_>>],
    saved: &Saved,
    tty: bool,
) -> Result<Pid, Errno> {
    // SAFETY: init has a single thread, so the child's copy of memory is
    // consistent; the child makes system calls, writes on its own stack
    // and ends with `exit_group` or an exec.
    match unsafe { fork() }? {
        Fork::Parent(child) => {
            // The child makes the same call. Making it here too means the
            // group exists before init passes any signal to it with -g;
            // it fails harmlessly (EACCES) once the child has exec'd.
            let _ = setpgid(Some(child), Some(child));
            Ok(child)
        }
        Fork::Child => exit_group(child(argv, envp, saved, tty)),
    }
}

/// The exit status of a failed exec, as shells give it: 127 when there
/// was nothing to run, 126 when it was found but cannot run (tini gives
/// 1 for `ENOEXEC`), 1 otherwise.
fn exec_status(e: Errno) -> i32 {
    match e {
        Errno::ENOENT | Errno::ENOTDIR => 127,
        Errno::EACCES | Errno::ENOEXEC => 126,
        _ => 1,
    }
}
