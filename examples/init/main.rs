//! `init [OPTIONS] [--] PROGRAM [ARGS...]`: a tini-compatible init for
//! containers, in about 16 KiB.
//!
//! It runs PROGRAM as its child, in a process group of its own; passes
//! every signal it receives on to it (or to its group, `-g`); reaps every
//! zombie that ends up in its care, as PID 1 or as a child subreaper
//! (`-s`); and exits with PROGRAM's status as soon as PROGRAM has ended
//! (128+N when signal N killed it; `-e CODE` reports CODE as 0). The
//! options and `TINI_*` variables are tini's, so it drops in where tini
//! was: `ENTRYPOINT ["/init", "--"]`.
//!
//! The life of init, in this file's order: read the options
//! ([`options`]), become a subreaper and set the parent-death signal,
//! block the signals ([`signals`]), start the child ([`spawn`]), then
//! wait for signals and reap ([`supervise`]). Nothing is allocated and
//! nothing goes through `core::fmt` ([`out`]): the stripped binary stays
//! under 16 KiB. `docs/init.md` compares it with tini and dumb-init.
#![no_std]
#![no_main]

mod options;
mod out;
mod search;
mod signals;
mod spawn;
mod supervise;

use core::ffi::c_char;
use freestand_rt::io::{STDERR, STDIN, STDOUT};
use freestand_rt::stack::InitialStack;
use freestand_rt::syscalls::process::{
    Arg, child_subreaper, getpid, isatty, set_child_subreaper, set_pdeathsig,
};

use options::{Config, Request};
use out::{DEBUG, INFO, Num, Text, WARN, fatal, raw};

// No stack-overflow report: init's stack use is small and fixed, and
// the report's SIGSEGV handler and alternate stack would cost two system
// calls at every launch. No TLS, constructors or `at_exit` either
// (`init = false`): their start-up and exit code would cost 2.8 KiB.
freestand_rt::entry!(main, overflow_report = false, init = false);

/// Init's `argv` and `envp` as the kernel laid them out, each ending with
/// its `None`: PROGRAM's arguments and environment are passed on from
/// here, byte for byte, without a copy.
fn lists() -> (
    &'static [Option<Arg<'static>>],
    &'static [Option<Arg<'static>>],
) {
    let argv = InitialStack::current()
        .as_ptr()
        .wrapping_add(1)
        .cast::<*const c_char>();
    // SAFETY: the initial stack holds argc, then argv's pointers and a
    // null one, then envp's and a null one, all pointing to strings that
    // live, unchanged, as long as the process (or it is freestand's empty
    // stand-in, with the same layout).
    let args = unsafe { Arg::list_from_raw(argv) };
    // SAFETY: envp starts just past argv's null pointer; as above.
    let env = unsafe { Arg::list_from_raw(argv.wrapping_add(args.len())) };
    (args, env)
}

fn main() -> i32 {
    let (argv, envp) = lists();
    let cfg = match options::parse(argv, envp) {
        Request::Run(cfg) => cfg,
        Request::Help => return done(out::HELP),
        Request::Licence => return done(out::LICENCE),
        Request::Version => return done(out::VERSION),
        Request::Mistake(m) => {
            m.report();
            raw(STDERR, out::HELP);
            return 1;
        }
    };
    if let Err(code) = become_parent(&cfg) {
        return code;
    }
    let saved = match signals::take_over() {
        Ok(saved) => saved,
        Err(e) => return fatal(b"cannot block signals: ", e),
    };
    let program = argv.get(cfg.program..).unwrap_or_default();
    let name = program
        .first()
        .copied()
        .flatten()
        .map_or(&b""[..], |a| a.as_cstr().to_bytes());
    let child = match spawn::spawn(program, envp, &saved, isatty(STDIN)) {
        Ok(child) => child,
        Err(e) => return fatal(b"cannot start a child: ", e),
    };
    if cfg.says(INFO) {
        let pid = Num(child.as_raw().unsigned_abs().into());
        out::info(&[Text(b"started "), Text(name), Text(b" as pid "), pid]);
    }
    supervise::supervise(&cfg, child, name)
}

/// Prints `text` on stdout; status 0.
fn done(text: &[u8]) -> i32 {
    raw(STDOUT, text);
    0
}

/// Makes init the parent its descendants need: a child subreaper when
/// asked, with the parent-death signal when asked; warns when orphans
/// will not come to init. `Err` holds the status to exit with.
fn become_parent(cfg: &Config) -> Result<(), i32> {
    if cfg.subreaper {
        if let Err(e) = set_child_subreaper(true) {
            return Err(fatal(b"cannot become a child subreaper: ", e));
        }
        if cfg.says(DEBUG) {
            out::info(&[Text(b"became a child subreaper")]);
        }
    }
    if let Some(sig) = cfg.pdeathsig
        && let Err(e) = set_pdeathsig(Some(sig))
    {
        return Err(fatal(b"cannot set the parent-death signal: ", e));
    }
    // A subreaper set before init was exec'd counts too: it survives exec.
    if cfg.says(WARN) && getpid() != 1 && !cfg.subreaper && child_subreaper() != Ok(true) {
        raw(
            STDERR,
            b"init: warning: init is not PID 1 and not a child subreaper, so the zombies \
              of orphaned descendants will not come to it to be reaped.\n\
              init: to fix it, pass -s or set TINI_SUBREAPER to make init a child \
              subreaper, or run it as PID 1.\n",
        );
    }
    Ok(())
}
