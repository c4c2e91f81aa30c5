//! Starting programs against the real kernel: vfork_spawn, the PATH
//! search of execvpe, and the environment an exec passes on.

mod common;

use common::{c, code, in_child, temp_dir, wait_for};
use freestand_syscalls::Errno;
use freestand_syscalls::fs::{CloseRangeFlags, PipeFlags, close, close_range, pipe2};
use freestand_syscalls::io::{read, write_all};
use freestand_syscalls::process::{
    Arg, SPAWN_STACK_MIN, WaitFor, WaitOptions, WaitStatus, execve, execvpe, raise, vfork_spawn,
    vfork_spawn_on, wait4,
};
use freestand_syscalls::signal::{Action, SaFlags, Signal, sigaction};
use freestand_syscalls::time::nanosleep;
use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[test]
fn vfork_spawn_runs_a_program() {
    let argv = [
        Some(Arg::new(c"sh")),
        Some(Arg::new(c"-c")),
        Some(Arg::new(c"exit 5")),
        None,
    ];
    let envp = [None];
    // SAFETY: the closure only makes a system call on borrowed data.
    let pid = unsafe { vfork_spawn(|| execve(c"/bin/sh", &argv, &envp)) }.unwrap();
    assert_eq!(wait_for(pid), WaitStatus::Exited(5));
    // On a lent stack.
    let mut stack = vec![MaybeUninit::<u8>::uninit(); SPAWN_STACK_MIN + 64];
    // SAFETY: as above.
    let pid = unsafe { vfork_spawn_on(&mut stack, || execve(c"/bin/sh", &argv, &envp)) }.unwrap();
    assert_eq!(wait_for(pid), WaitStatus::Exited(5));
    // SAFETY: as above.
    let small = unsafe { vfork_spawn_on(&mut stack[..1024], || Errno::EPERM) };
    assert_eq!(small, Err(Errno::EINVAL));
}

#[test]
fn vfork_spawn_reports_a_failed_exec() {
    let argv = [Some(Arg::new(c"nothing")), None];
    // SAFETY: the closure only makes a system call on borrowed data.
    let r = unsafe { vfork_spawn(|| execve(c"/nonexistent/nothing", &argv, &[None])) };
    assert_eq!(r, Err(Errno::ENOENT));
    // The child returned an error of its own choosing.
    // SAFETY: the closure makes no call at all.
    assert_eq!(unsafe { vfork_spawn(|| Errno::E2BIG) }, Err(Errno::E2BIG));
    // The child closed every descriptor above stderr (its own copy of the
    // table), the report pipe with them: the error still arrives.
    // SAFETY: the closure only makes system calls on borrowed data.
    let r = unsafe {
        vfork_spawn(|| {
            let _ = close_range(3, u32::MAX, CloseRangeFlags::empty());
            execve(c"/nonexistent/nothing", &argv, &[None])
        })
    };
    assert_eq!(r, Err(Errno::ENOENT));
}

/// Set by the handler below, which must never run in a vfork child.
static HANDLED: AtomicBool = AtomicBool::new(false);

unsafe extern "C" fn mark(_: i32, _: *mut core::ffi::c_void, _: *mut core::ffi::c_void) {
    HANDLED.store(true, Ordering::Relaxed);
}

#[test]
fn vfork_children_never_run_the_parents_handlers() {
    // In a forked child, so the test process's dispositions stay as they
    // are. The vfork child raises SIGUSR1: with the handler reset, the
    // signal's default action ends it; had the handler run, it would
    // have set the flag in the shared memory and returned EPERM.
    let status = in_child(|| {
        // SAFETY: `mark` only stores to an atomic.
        if unsafe { sigaction(Signal::USR1, Action::Handle(mark), SaFlags::empty()) }.is_err() {
            return 10;
        }
        // SAFETY: the closure only makes system calls.
        let spawned = unsafe {
            vfork_spawn(|| {
                let _ = raise(Signal::USR1);
                Errno::EPERM
            })
        };
        let Ok(pid) = spawned else {
            return 11;
        };
        match wait4(WaitFor::Child(pid), WaitOptions::empty()) {
            Ok(Some((
                _,
                WaitStatus::Signaled {
                    signal: Signal::USR1,
                    ..
                },
            ))) => {}
            _ => return 12,
        }
        if HANDLED.load(Ordering::Relaxed) {
            return 13;
        }
        // The handler is still installed here, in the parent.
        let _ = raise(Signal::USR1);
        if !HANDLED.load(Ordering::Relaxed) {
            return 14;
        }
        0
    });
    assert_eq!(status, WaitStatus::Exited(0));
}

#[test]
fn path_search_finds_runs_and_reports() {
    let argv = [
        Some(Arg::new(c"sh")),
        Some(Arg::new(c"-c")),
        Some(Arg::new(c"exit 7")),
        None,
    ];
    let envp = [None];
    let status = in_child(|| {
        code(execvpe(
            c"sh",
            &argv,
            &envp,
            Some(b"/nonexistent:/usr/bin:/bin"),
        ))
    });
    assert_eq!(status, WaitStatus::Exited(7));
    // PATH unset: the default list.
    let status = in_child(|| code(execvpe(c"sh", &argv, &envp, None)));
    assert_eq!(status, WaitStatus::Exited(7));

    let dir = temp_dir("path");
    let empty = temp_dir("path-empty");
    let (dir_c, empty_c) = (c(&dir), c(&empty));
    // A file without any execute bit: EACCES, even for root.
    let plain = dir.join("plain");
    std::fs::write(&plain, "#!/bin/sh\nexit 1\n").unwrap();
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Nothing found, or only something not runnable: no exec happens, so
    // these run in the test process itself.
    let path = |dirs: &[&CStr]| {
        let v: Vec<&[u8]> = dirs.iter().map(|d| d.to_bytes()).collect();
        v.join(&b':')
    };
    let only_empty = path(&[&empty_c]);
    assert_eq!(
        execvpe(c"plain", &argv, &envp, Some(&only_empty)),
        Errno::ENOENT
    );
    let with_plain = path(&[&empty_c, &dir_c, &empty_c]);
    assert_eq!(
        execvpe(c"plain", &argv, &envp, Some(&with_plain)),
        Errno::EACCES
    );
    // A PATH element that is a file, not a directory: ENOTDIR, skipped.
    let c_plain = c(&plain);
    let through_file = path(&[&c_plain, &empty_c]);
    assert_eq!(
        execvpe(c"x", &argv, &envp, Some(&through_file)),
        Errno::ENOENT
    );
    // A name with a slash is not searched.
    assert_eq!(
        execvpe(c"sub/sh", &argv, &envp, Some(b"/bin")),
        Errno::ENOENT
    );
    // EACCES is remembered but the search goes on and finds sh.
    std::fs::copy(&plain, dir.join("sh")).unwrap();
    let shadowed = path(&[&dir_c, c"/usr/bin", c"/bin"]);
    let status = in_child(|| code(execvpe(c"sh", &argv, &envp, Some(&shadowed))));
    assert_eq!(status, WaitStatus::Exited(7));
    // An empty element is the current directory.
    let script = dir.join("script");
    std::fs::write(&script, "#!/bin/sh\nexit 9\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let status = in_child(|| {
        if freestand_syscalls::fs::chdir(&dir_c).is_err() {
            return 100;
        }
        let argv = [Some(Arg::new(c"script")), None];
        loop {
            // Another test's fork may briefly hold the file open for
            // writing (it was just written): ETXTBSY until that child execs.
            match execvpe(c"script", &argv, &envp, Some(b"/nonexistent:")) {
                Errno::ETXTBSY => {
                    let _ = nanosleep(Duration::from_millis(5));
                }
                e => return code(e),
            }
        }
    });
    assert_eq!(status, WaitStatus::Exited(9));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn exec_keeps_the_environment_it_is_given() {
    let (r, w) = pipe2(PipeFlags::CLOEXEC).unwrap();
    let status = in_child(|| {
        // Only the write end on stdout, for the program.
        if freestand_syscalls::fs::dup3(w, 1, freestand_syscalls::fs::DupFlags::empty()).is_err() {
            return 100;
        }
        let argv = [
            Some(Arg::new(c"sh")),
            Some(Arg::new(c"-c")),
            Some(Arg::new(c"printf %s \"$GREETING\"")),
            None,
        ];
        let envp = [Some(Arg::new(c"GREETING=hello from envp")), None];
        code(execve(c"/bin/sh", &argv, &envp))
    });
    assert_eq!(status, WaitStatus::Exited(0));
    close(w).unwrap();
    let mut buf = [0u8; 64];
    let n = read(r, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"hello from envp");
    close(r).unwrap();
    // write_all on a closed pipe: EPIPE, once SIGPIPE is ignored (the
    // test harness ignores it, as Rust programs do).
    let (r, w) = pipe2(PipeFlags::CLOEXEC).unwrap();
    close(r).unwrap();
    assert_eq!(write_all(w, b"x"), Err(Errno::EPIPE));
    close(w).unwrap();
}
