//! The command line and the environment: what init was asked to do.
//!
//! Options are read as POSIX `getopt` reads them: short options combine
//! (`-sgw`), an option's value may follow it in the same word (`-e3`) or
//! be the next word (`-e 3`), the first word that is not an option is
//! PROGRAM, and `--` ends the options so that PROGRAM may start with `-`.
//! Unlike tini, which uses GNU `getopt` and so also reads options after
//! PROGRAM (`tini ls -l` shows tini's licence), init leaves everything
//! from PROGRAM on to PROGRAM: `init ls -l` runs `ls -l`.
//!
//! The environment comes first and the options add to it:
//! `TINI_SUBREAPER` and `TINI_KILL_PROCESS_GROUP` act when present with
//! any value, `TINI_VERBOSITY` sets the level that each `-v` raises.

use freestand_rt::syscalls::process::Arg;
use freestand_rt::syscalls::signal::Signal;

use crate::out::{Text, WARN, err};

/// What init was asked to run, and how.
pub struct Config {
    /// `-s`: become a child subreaper.
    pub subreaper: bool,
    /// `-g`: signal the child's process group rather than the child.
    pub group: bool,
    /// `-e`: the exit codes reported as 0, one bit each.
    remap: [u64; 4],
    /// `-p`: the signal to get when init's parent dies.
    pub pdeathsig: Option<Signal>,
    /// How much to say: 0 nothing but fatal errors, 1 warnings, 2 what
    /// init does, 3 every signal and reap.
    pub verbosity: u32,
    /// `-w`: warn about each zombie that is not the main child.
    pub warn_zombies: bool,
    /// Where PROGRAM is in `argv`.
    pub program: usize,
}

impl Config {
    /// The exit status init reports for the child's `code`.
    pub fn remapped(&self, code: u8) -> u8 {
        let (word, bit) = (usize::from(code / 64), code % 64);
        match self.remap.get(word) {
            Some(w) if w & (1 << bit) != 0 => 0,
            _ => code,
        }
    }

    /// Whether messages of `level` are printed.
    pub fn says(&self, level: u32) -> bool {
        self.verbosity >= level
    }
}

/// What the command line asks for.
pub enum Request<'a> {
    /// Run PROGRAM under supervision.
    Run(Config),
    /// `-h`.
    Help,
    /// `-l`.
    Licence,
    /// `--version`, alone.
    Version,
    /// A mistake; nothing runs.
    Mistake(Mistake<'a>),
}

/// What is wrong with the command line or the environment.
pub enum Mistake<'a> {
    /// An option init does not have (`-x`).
    UnknownOption(u8),
    /// A long option other than `--version` alone.
    UnknownLong(&'a [u8]),
    /// `-e` or `-p` as the last word, without its value.
    MissingValue(u8),
    /// A value of `-e` that is not a number from 0 to 255.
    BadCode(&'a [u8]),
    /// A value of `-p` that is not a signal name.
    BadSignal(&'a [u8]),
    /// `TINI_VERBOSITY` is not a number.
    BadVerbosity(&'a [u8]),
    /// Nothing to run.
    NoProgram,
}

impl Mistake<'_> {
    /// Prints what is wrong, on one line of stderr.
    pub fn report(&self) {
        let (what, value): (&[u8], &[u8]) = match *self {
            Mistake::UnknownOption(ref c) => (b"unknown option -", core::slice::from_ref(c)),
            Mistake::UnknownLong(word) => (b"unknown option ", word),
            Mistake::MissingValue(ref c) => {
                (b"a value must follow option -", core::slice::from_ref(c))
            }
            Mistake::BadCode(v) => (b"-e wants an exit code from 0 to 255, not ", v),
            Mistake::BadSignal(v) => (b"-p wants a signal name such as SIGTERM, not ", v),
            Mistake::BadVerbosity(v) => (b"TINI_VERBOSITY wants a number, not ", v),
            Mistake::NoProgram => (b"no PROGRAM to run", b""),
        };
        err(&[Text(what), Text(value)]);
    }
}

/// The bytes of argument `i`, if there is one.
fn word<'a>(argv: &[Option<Arg<'a>>], i: usize) -> Option<&'a [u8]> {
    argv.get(i)
        .copied()
        .flatten()
        .map(|a| a.as_cstr().to_bytes())
}

/// Whether `a` and `b` hold the same bytes. A loop rather than `==`,
/// which calls `bcmp`: keeping the `mem*` functions out of init is a
/// tenth of its size.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// The value of variable `name` in the environment `envp`, if it is
/// there (`env_var` of freestand-syscalls, without `bcmp`).
pub fn var<'a>(envp: &[Option<Arg<'a>>], name: &[u8]) -> Option<&'a [u8]> {
    envp.iter().map_while(|a| *a).find_map(|a| {
        let entry = a.as_cstr().to_bytes();
        let (key, rest) = entry.split_at_checked(name.len())?;
        if !same(key, name) {
            return None;
        }
        rest.strip_prefix(b"=")
    })
}

/// A decimal number of at most `max`, digits only.
fn number(s: &[u8], max: u32) -> Option<u32> {
    if s.is_empty() || s.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    u32::try_from(n).ok().filter(|&n| n <= max)
}

/// Reads the environment `envp`, then the command line `argv` (a C
/// `argv` ending with `None`, `argv[0]` being init's own name).
pub fn parse<'a>(argv: &[Option<Arg<'a>>], envp: &[Option<Arg<'a>>]) -> Request<'a> {
    let mut cfg = Config {
        subreaper: var(envp, b"TINI_SUBREAPER").is_some(),
        group: var(envp, b"TINI_KILL_PROCESS_GROUP").is_some(),
        remap: [0; 4],
        pdeathsig: None,
        verbosity: WARN,
        warn_zombies: false,
        program: 0,
    };
    if let Some(v) = var(envp, b"TINI_VERBOSITY") {
        match number(v, 1000) {
            Some(n) => cfg.verbosity = n,
            None => return Request::Mistake(Mistake::BadVerbosity(v)),
        }
    }
    // `argv` ends with its `None`: `argc` is one less.
    let argc = argv.len().saturating_sub(1);
    if argc == 2 && word(argv, 1).is_some_and(|w| same(w, b"--version")) {
        return Request::Version;
    }
    let mut i = 1;
    while let Some(w) = word(argv, i) {
        if same(w, b"--") {
            i += 1;
            break;
        }
        // "-" alone, and anything not starting with '-', is PROGRAM.
        let Some(flags) = w.strip_prefix(b"-").filter(|f| !f.is_empty()) else {
            break;
        };
        if flags.first() == Some(&b'-') {
            return Request::Mistake(Mistake::UnknownLong(w));
        }
        let mut j = 0;
        while let Some(&c) = flags.get(j) {
            j += 1;
            match c {
                b's' => cfg.subreaper = true,
                b'g' => cfg.group = true,
                b'v' => cfg.verbosity = cfg.verbosity.saturating_add(1),
                b'w' => cfg.warn_zombies = true,
                b'h' => return Request::Help,
                b'l' => return Request::Licence,
                b'e' | b'p' => {
                    // The value is the rest of this word, or the next one.
                    let rest = flags.get(j..).unwrap_or_default();
                    let value = if rest.is_empty() {
                        i += 1;
                        match word(argv, i) {
                            Some(v) => v,
                            None => return Request::Mistake(Mistake::MissingValue(c)),
                        }
                    } else {
                        rest
                    };
                    if let Err(m) = take_value(&mut cfg, c, value) {
                        return Request::Mistake(m);
                    }
                    break;
                }
                other => return Request::Mistake(Mistake::UnknownOption(other)),
            }
        }
        i += 1;
    }
    if word(argv, i).is_none() {
        return Request::Mistake(Mistake::NoProgram);
    }
    cfg.program = i;
    Request::Run(cfg)
}

/// The signal called `name`: `SIGTERM` or `TERM`, in any case, and the
/// real-time ones as `SIGRTMIN+3` or `SIGRTMAX-2`. freestand-syscalls'
/// `Signal::from_name` knows aliases too, but weighs a kilobyte more;
/// this goes through the names `Signal::name` already links.
fn signal_named(name: &[u8]) -> Option<Signal> {
    let bare = match name.split_at_checked(3) {
        Some((sig, rest)) if sig.eq_ignore_ascii_case(b"SIG") => rest,
        _ => name,
    };
    Signal::all().find(|s| {
        let full = s.name().map_or(&b""[..], str::as_bytes);
        let known = full.get(3..).unwrap_or_default();
        !known.is_empty() && known.eq_ignore_ascii_case(bare)
    })
}

/// Records the value of `-e` or `-p`.
fn take_value<'a>(cfg: &mut Config, option: u8, value: &'a [u8]) -> Result<(), Mistake<'a>> {
    if option == b'e' {
        let code = number(value, 255).ok_or(Mistake::BadCode(value))?;
        if let Some(w) = cfg.remap.get_mut(code as usize / 64) {
            *w |= 1 << (code % 64);
        }
    } else {
        let sig = signal_named(value).ok_or(Mistake::BadSignal(value))?;
        cfg.pdeathsig = Some(sig);
    }
    Ok(())
}
