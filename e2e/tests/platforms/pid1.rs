//! `examples/init`, the tini-compatible init: exit statuses, signals
//! passed on, zombies reaped as a subreaper and as PID 1 of a PID
//! namespace, the child's arguments, environment, descriptors and signal
//! state, usage errors, failed execs, and its size. The child it runs is
//! `e2e/programs/child.rs`.
//!
//! Every case runs on all four platforms. Under qemu-user, init is
//! emulated and the child must be too, but this machine has no
//! `binfmt_misc` entry for the guest architectures: an emulated `execve`
//! of a riscv64 file is the host kernel's, which refuses it (`ENOEXEC`).
//! So there init runs the host's qemu, which runs the child:
//! `qemu-riscv64 init -s -- /usr/bin/qemu-riscv64 child exit 3`. The child
//! is then a qemu process, whose exits, deaths by signal, process group,
//! descriptors and signal state are the guest's (qemu takes the mask and
//! the ignored signals it starts with for the guest's).

mod child_side;
mod cli;
mod run;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{Case, Check, Ctx, Output, expect, show, which};
use run::{child, finish, init, init_cmd, qemu};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    let case = |name, run| Case { name, run };
    vec![
        case("pid1_exit_codes", case_exit_codes),
        case("pid1_killed_child_is_128_plus_n", case_killed),
        case("pid1_exit_code_remapped_by_e", case_remap),
        case("pid1_forwards_signals", child_side::case_forwards),
        case(
            "pid1_group_signal_reaches_grandchild",
            child_side::case_group,
        ),
        case("pid1_reaps_zombies_as_subreaper", case_subreaper),
        case("pid1_reaps_zombies_as_namespace_pid1", case_namespace),
        case("pid1_warns_when_zombies_cannot_come", case_warning),
        case("pid1_parent_death_signal", child_side::case_pdeathsig),
        case(
            "pid1_exits_without_waiting_for_descendants",
            case_no_wait_for_descendants,
        ),
        case("pid1_argv_byte_for_byte", child_side::case_argv),
        case("pid1_environment_byte_for_byte", child_side::case_env),
        case("pid1_child_state_restored", child_side::case_state),
        case("pid1_no_descriptor_leaked", child_side::case_fds),
        case("pid1_child_takes_the_terminal", child_side::case_tty),
        case("pid1_verbose_lines", cli::case_verbose),
        case("pid1_usage_errors_run_nothing", cli::case_usage),
        case("pid1_help_licence_version", cli::case_help),
        case("pid1_exec_failures_127_126", cli::case_exec_failures),
        case("pid1_init_size_within_16_kib", cli::case_size),
    ]
}

fn case_exit_codes(c: &Ctx) -> Check {
    for code in ["0", "3", "255"] {
        let out = init(c, &[b"-s"], &["exit", code])?;
        expect(&out, b"", b"", code.parse().unwrap()).map_err(|e| format!("exit {code}: {e}"))?;
    }
    Ok(())
}

fn case_killed(c: &Ctx) -> Check {
    for (sig, code) in [("TERM", 143), ("KILL", 137), ("USR1", 138)] {
        let out = init(c, &[b"-s"], &["kill", sig])?;
        expect(&out, b"", b"", code).map_err(|e| format!("kill {sig}: {e}"))?;
    }
    Ok(())
}

fn case_remap(c: &Ctx) -> Check {
    let runs: [(&[&[u8]], &str, i32); 4] = [
        (&[b"-s", b"-e", b"3"], "3", 0),
        (&[b"-se3", b"-e", b"4"], "4", 0),
        (&[b"-s", b"-e3"], "5", 5),
        (&[b"-s", b"-e", b"143"], "TERM", 0),
    ];
    for (options, arg, code) in runs {
        let sub = if arg == "TERM" { "kill" } else { "exit" };
        let out = init(c, options, &[sub, arg])?;
        expect(&out, b"", b"", code).map_err(|e| format!("{options:?} {sub} {arg}: {e}"))?;
    }
    Ok(())
}

/// `child zombies 3` and init's `-w` lines name the same three pids.
fn check_zombies(out: &Output) -> Check {
    let text = String::from_utf8_lossy(&out.stdout);
    let mut made: Vec<&str> = text
        .strip_prefix("zombies ")
        .ok_or_else(|| format!("stdout {}", show(&out.stdout)))?
        .trim_end()
        .split(' ')
        .collect();
    let errs = String::from_utf8_lossy(&out.stderr);
    let mut reaped: Vec<&str> = errs
        .lines()
        .map(|l| l.strip_prefix("init: reaped zombie pid ").unwrap_or(l))
        .collect();
    made.sort();
    reaped.sort();
    if made.len() != 3 || made != reaped || out.code != Some(0) {
        return Err(format!(
            "made {made:?}, reaped {reaped:?} (stderr {}), status {:?}",
            show(&out.stderr),
            out.code
        ));
    }
    Ok(())
}

fn case_subreaper(c: &Ctx) -> Check {
    check_zombies(&init(c, &[b"-s", b"-w"], &["zombies", "3"])?)?;
    let words = child(c, &["zombies", "3"])?;
    let env: &[(&str, &[u8])] = &[("TINI_SUBREAPER", b"")];
    let out = finish(init_cmd(c, &[b"-w"], &words, env)?)?;
    check_zombies(&out)
}

/// As PID 1 of a new PID namespace (`unshare`, as root), init needs no
/// `-s` and gives no warning; once the child exits, init exits at once,
/// and the kernel ends the rest of the namespace. Under qemu-user the
/// namespace's PID 1 is the qemu running init, which works the same.
fn case_namespace(c: &Ctx) -> Check {
    let unshare = which("unshare").ok_or("unshare not found; install util-linux")?;
    let mut cmd = Command::new(unshare);
    cmd.args(["--pid", "--fork", "--mount-proc"]).env_clear();
    cmd.args(qemu(c)?);
    cmd.arg(c.bin("init")).arg("-w");
    cmd.args(
        child(c, &["zombies", "3"])?
            .iter()
            .map(|w| OsStr::from_bytes(w)),
    );
    let out = finish(cmd)?;
    if out.stderr.starts_with(b"unshare: ") {
        return Err(format!(
            "unshare failed (this case needs root): {}",
            show(&out.stderr)
        ));
    }
    check_zombies(&out)
}

fn case_warning(c: &Ctx) -> Check {
    let out = init(c, &[], &["exit", "0"])?;
    let want = b"init: warning: init is not PID 1 and not a child subreaper, so the zombies \
        of orphaned descendants will not come to it to be reaped.\n\
        init: to fix it, pass -s or set TINI_SUBREAPER to make init a child \
        subreaper, or run it as PID 1.\n";
    expect(&out, b"", want, 0)?;
    let words = child(c, &["exit", "0"])?;
    let quiet: &[(&str, &[u8])] = &[("TINI_VERBOSITY", b"0")];
    let out = finish(init_cmd(c, &[], &words, quiet)?)?;
    expect(&out, b"", b"", 0)
}

/// The child leaves a grandchild that lives 6 s more; init, its
/// subreaper, exits with the child all the same.
fn case_no_wait_for_descendants(c: &Ctx) -> Check {
    let started = Instant::now();
    let out = init(c, &[b"-s"], &["linger", "6"])?;
    expect(&out, b"", b"", 0)?;
    if started.elapsed() > Duration::from_secs(4) {
        return Err(format!(
            "init took {:?}: it waited for the grandchild",
            started.elapsed()
        ));
    }
    Ok(())
}
