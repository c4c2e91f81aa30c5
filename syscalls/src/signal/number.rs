//! Signal numbers: [`Signal`], its constants, the real-time range and the
//! names.
//!
//! The names live in one table of fixed-width byte strings built at
//! compile time, indexed by signal number: no string pointers, so a
//! static-PIE has nothing to relocate for them (the same reason as
//! `errno`'s table).

use core::ffi::c_int;
use core::fmt;
use linux_raw_sys::general as k;

/// A signal number.
///
/// The field is public, so any number can be wrapped; the kernel checks
/// it. Valid signals are `1..=64` ([`Signal::new`] checks that). Number 0
/// is no signal: given to `kill`, it only checks that the target exists
/// and may be signalled.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(pub c_int);

/// Defines the standard signals' constants and the list of their names,
/// from the `SIG*` constants of `linux-raw-sys`.
macro_rules! standard {
    ($($(#[$doc:meta])* $name:ident = $sig:ident,)*) => {
        impl Signal {
            $(
                $(#[$doc])*
                pub const $name: Signal = Signal(k::$sig as c_int);
            )*
        }

        /// Every standard signal with its name, for building [`NAMES`].
        const STANDARD: &[(u32, &str)] = &[$((k::$sig, stringify!($sig))),*];
    };
}

standard! {
    /// Hangup: the controlling terminal closed, or a daemon's "reload".
    HUP = SIGHUP,
    /// Interrupt from the keyboard (Ctrl-C).
    INT = SIGINT,
    /// Quit from the keyboard (Ctrl-\\), with a core dump.
    QUIT = SIGQUIT,
    /// Illegal instruction.
    ILL = SIGILL,
    /// Breakpoint or trace trap.
    TRAP = SIGTRAP,
    /// Abort, as `abort(3)` raises.
    ABRT = SIGABRT,
    /// Bus error.
    BUS = SIGBUS,
    /// Arithmetic error.
    FPE = SIGFPE,
    /// Kill: cannot be caught, blocked or ignored.
    KILL = SIGKILL,
    /// User-defined signal 1.
    USR1 = SIGUSR1,
    /// Invalid memory reference.
    SEGV = SIGSEGV,
    /// User-defined signal 2.
    USR2 = SIGUSR2,
    /// Write to a pipe with no reader.
    PIPE = SIGPIPE,
    /// Timer from `alarm(2)`.
    ALRM = SIGALRM,
    /// Termination request: what `kill` sends by default.
    TERM = SIGTERM,
    /// Coprocessor stack fault (unused on these architectures).
    STKFLT = SIGSTKFLT,
    /// A child stopped, continued or ended.
    CHLD = SIGCHLD,
    /// Continue if stopped.
    CONT = SIGCONT,
    /// Stop: cannot be caught, blocked or ignored.
    STOP = SIGSTOP,
    /// Stop from the terminal (Ctrl-Z).
    TSTP = SIGTSTP,
    /// A background process read from its terminal.
    TTIN = SIGTTIN,
    /// A background process wrote to its terminal (with `TOSTOP`) or
    /// changed its settings.
    TTOU = SIGTTOU,
    /// Urgent data on a socket.
    URG = SIGURG,
    /// CPU time limit exceeded.
    XCPU = SIGXCPU,
    /// File size limit exceeded.
    XFSZ = SIGXFSZ,
    /// Virtual timer expired.
    VTALRM = SIGVTALRM,
    /// Profiling timer expired.
    PROF = SIGPROF,
    /// The terminal's window size changed.
    WINCH = SIGWINCH,
    /// I/O is possible on a descriptor (also called `SIGPOLL`).
    IO = SIGIO,
    /// Power failure.
    PWR = SIGPWR,
    /// Bad system call (also what seccomp sends).
    SYS = SIGSYS,
}

/// The kernel's last signal: `_NSIG`, 64 on these architectures.
const MAX: c_int = k::_NSIG as c_int;

/// The kernel's first real-time signal. C libraries reserve the first
/// two or three for themselves and report a larger `SIGRTMIN` (34 in
/// glibc, 35 in musl); this crate uses the kernel's numbering.
const RT_MIN: c_int = k::SIGRTMIN as c_int;

/// Real-time signals named from `SIGRTMIN` up to here, and from
/// `SIGRTMAX` down above it (the split bash's `kill -l` uses, moved to
/// the kernel's numbering).
const RT_SPLIT: c_int = RT_MIN + 16;

impl Signal {
    /// The first real-time signal, as the kernel numbers it (32).
    pub const RTMIN: Signal = Signal(RT_MIN);
    /// The last real-time signal, and the last signal (64).
    pub const RTMAX: Signal = Signal(MAX);

    /// `n` as a signal, if it is one (`1..=64`).
    pub const fn new(n: c_int) -> Option<Signal> {
        if n >= 1 && n <= MAX {
            Some(Signal(n))
        } else {
            None
        }
    }

    /// Real-time signal `n`: `SIGRTMIN + n`, for `n` in `0..=32`.
    pub const fn rt(n: u32) -> Option<Signal> {
        if n <= (MAX - RT_MIN) as u32 {
            Some(Signal(RT_MIN + n as c_int))
        } else {
            None
        }
    }

    /// The number, as the kernel takes it.
    pub const fn raw(self) -> c_int {
        self.0
    }

    /// Whether this is a valid signal number (`1..=64`).
    pub const fn is_valid(self) -> bool {
        Signal::new(self.0).is_some()
    }

    /// Whether this is a real-time signal (`SIGRTMIN..=SIGRTMAX`).
    pub const fn is_realtime(self) -> bool {
        self.0 >= RT_MIN && self.0 <= MAX
    }

    /// Every valid signal, from 1 to 64.
    pub fn all() -> impl Iterator<Item = Signal> {
        (1..=MAX).map(Signal)
    }

    /// The signal's name, such as `"SIGTERM"`, or `"SIGRTMIN+3"` and
    /// `"SIGRTMAX-2"` in the real-time range (numbered from the kernel's
    /// `SIGRTMIN`, 32: see [`Signal::RTMIN`]). `None` for a number that
    /// is not a signal.
    pub fn name(self) -> Option<&'static str> {
        let i = usize::try_from(self.0).ok()?;
        let (bytes, len) = (NAMES.bytes.get(i)?, NAMES.lens.get(i)?);
        let name = bytes.get(..usize::from(*len))?;
        // The table holds ASCII only (checked where it is built).
        core::str::from_utf8(name).ok().filter(|s| !s.is_empty())
    }

    /// The signal named `name`: `"SIGTERM"` or `"TERM"`, in any case;
    /// also the aliases `SIGIOT`, `SIGPOLL` and `SIGCLD`, and
    /// `SIGRTMIN`, `SIGRTMIN+n`, `SIGRTMAX` and `SIGRTMAX-n` within the
    /// real-time range (kernel numbering, see [`Signal::RTMIN`]). Numbers
    /// are not names: `"15"` gives `None`.
    pub fn from_name(name: impl AsRef<[u8]>) -> Option<Signal> {
        let name = name.as_ref();
        let bare = match name.get(..3) {
            Some(p) if p.eq_ignore_ascii_case(b"SIG") => &name[3..],
            _ => name,
        };
        if bare.is_empty() {
            return None;
        }
        if let Some(sig) = realtime(bare) {
            return Some(sig);
        }
        let aliases: [(&[u8], u32); 3] = [
            (b"IOT", k::SIGIOT),
            (b"POLL", k::SIGPOLL),
            (b"CLD", k::SIGCHLD),
        ];
        if let Some((_, n)) = aliases.iter().find(|(a, _)| a.eq_ignore_ascii_case(bare)) {
            return Some(Signal(*n as c_int));
        }
        (1..RT_MIN).map(Signal).find(|s| {
            s.name()
                .and_then(|full| full.as_bytes().get(3..))
                .is_some_and(|n| n.eq_ignore_ascii_case(bare))
        })
    }
}

/// `RTMIN`, `RTMIN+n`, `RTMAX`, `RTMAX-n` (without `SIG`, any case), if
/// `bare` is one of them and in range.
fn realtime(bare: &[u8]) -> Option<Signal> {
    let (base, rest) = bare.split_at_checked(5)?;
    let (from, sign) = if base.eq_ignore_ascii_case(b"RTMIN") {
        (RT_MIN, 1)
    } else if base.eq_ignore_ascii_case(b"RTMAX") {
        (MAX, -1)
    } else {
        return None;
    };
    let offset = match rest {
        [] => 0,
        [s, digits @ ..] if (*s == b'+' && sign > 0) || (*s == b'-' && sign < 0) => {
            small_number(digits)?
        }
        _ => return None,
    };
    let n = from + sign * offset;
    (RT_MIN..=MAX).contains(&n).then_some(Signal(n))
}

/// A decimal number of one or two digits.
fn small_number(digits: &[u8]) -> Option<c_int> {
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    digits.iter().try_fold(0, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + c_int::from(d - b'0'))
    })
}

impl fmt::Display for Signal {
    /// The name, or `signal N` for a number that is not a signal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "signal {}", self.0),
        }
    }
}

/// The longest name: `SIGRTMIN+16`.
const WIDTH: usize = 11;

/// Every signal's name, by number (entry 0 is empty).
struct Names {
    bytes: [[u8; WIDTH]; MAX as usize + 1],
    lens: [u8; MAX as usize + 1],
}

static NAMES: Names = build_names();

/// Fills [`NAMES`] from [`STANDARD`] and the real-time range. Evaluated at
/// compile time: a missing or duplicate entry fails the build.
const fn build_names() -> Names {
    let mut t = Names {
        bytes: [[0; WIDTH]; MAX as usize + 1],
        lens: [0; MAX as usize + 1],
    };
    let mut i = 0;
    while i < STANDARD.len() {
        let (n, name) = STANDARD[i];
        let n = n as usize;
        assert!(
            n > 0 && n < RT_MIN as usize,
            "a standard signal out of range"
        );
        assert!(t.lens[n] == 0, "two names for one standard signal");
        put(&mut t, n, name.as_bytes(), None);
        i += 1;
    }
    let mut n = RT_MIN;
    while n <= MAX {
        let (base, offset) = if n == RT_MIN {
            (b"SIGRTMIN", None)
        } else if n <= RT_SPLIT {
            (b"SIGRTMIN", Some((b'+', n - RT_MIN)))
        } else if n < MAX {
            (b"SIGRTMAX", Some((b'-', MAX - n)))
        } else {
            (b"SIGRTMAX", None)
        };
        put(&mut t, n as usize, base, offset);
        n += 1;
    }
    let mut n = 1;
    while n <= MAX as usize {
        assert!(t.lens[n] > 0, "a signal without a name");
        n += 1;
    }
    t
}

/// Writes `base` followed by `sign` and the one- or two-digit offset, if
/// any, as the name of signal `n`.
const fn put(t: &mut Names, n: usize, base: &[u8], offset: Option<(u8, c_int)>) {
    let mut len = 0;
    while len < base.len() {
        assert!(base[len].is_ascii(), "signal names are ASCII");
        t.bytes[n][len] = base[len];
        len += 1;
    }
    if let Some((sign, off)) = offset {
        t.bytes[n][len] = sign;
        len += 1;
        if off >= 10 {
            t.bytes[n][len] = b'0' + (off / 10) as u8;
            len += 1;
        }
        t.bytes[n][len] = b'0' + (off % 10) as u8;
        len += 1;
    }
    t.lens[n] = len as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signal_has_a_name_that_parses_back() {
        for sig in Signal::all() {
            let name = sig.name().unwrap();
            assert_eq!(Signal::from_name(name), Some(sig), "{name}");
            assert_eq!(Signal::from_name(&name[3..]), Some(sig), "{name}");
        }
        assert_eq!(Signal::all().count(), 64);
    }

    #[test]
    fn names_of_well_known_signals() {
        assert_eq!(Signal::TERM.name(), Some("SIGTERM"));
        assert_eq!(Signal::KILL.name(), Some("SIGKILL"));
        assert_eq!(Signal::SYS.name(), Some("SIGSYS"));
        assert_eq!(Signal::RTMIN.name(), Some("SIGRTMIN"));
        assert_eq!(Signal(33).name(), Some("SIGRTMIN+1"));
        assert_eq!(Signal(48).name(), Some("SIGRTMIN+16"));
        assert_eq!(Signal(49).name(), Some("SIGRTMAX-15"));
        assert_eq!(Signal::RTMAX.name(), Some("SIGRTMAX"));
        assert_eq!(Signal(0).name(), None);
        assert_eq!(Signal(65).name(), None);
        assert_eq!(Signal(-1).name(), None);
    }

    #[test]
    fn parses_names_aliases_and_offsets() {
        assert_eq!(Signal::from_name("SIGTERM"), Some(Signal::TERM));
        assert_eq!(Signal::from_name("term"), Some(Signal::TERM));
        assert_eq!(Signal::from_name(b"SigHup"), Some(Signal::HUP));
        assert_eq!(Signal::from_name("SIGIOT"), Some(Signal::ABRT));
        assert_eq!(Signal::from_name("POLL"), Some(Signal::IO));
        assert_eq!(Signal::from_name("SIGCLD"), Some(Signal::CHLD));
        assert_eq!(Signal::from_name("RTMIN+20"), Signal::rt(20));
        assert_eq!(Signal::from_name("SIGRTMAX-0"), Some(Signal::RTMAX));
        assert_eq!(Signal::from_name("SIGRTMIN+32"), Some(Signal::RTMAX));
        for bad in [
            "",
            "SIG",
            "15",
            "SIGRTMIN+33",
            "SIGRTMAX-33",
            "SIGRTMIN-1",
            "SIGRTMAX+1",
            "SIGRTMIN+",
            "SIGRTMIN+123",
            "RTMIN+x",
            "SIGTERMX",
            "XSIGTERM",
            "SIGSIGTERM",
        ] {
            assert_eq!(Signal::from_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn realtime_range() {
        assert_eq!(Signal::rt(0), Some(Signal(32)));
        assert_eq!(Signal::rt(32), Some(Signal(64)));
        assert_eq!(Signal::rt(33), None);
        assert!(Signal(40).is_realtime() && !Signal::TERM.is_realtime());
        assert_eq!(Signal::new(0), None);
        assert_eq!(Signal::new(64), Some(Signal::RTMAX));
        assert!(!Signal(65).is_valid());
    }

    #[test]
    fn displays_names_and_numbers() {
        extern crate std;
        use std::format;
        assert_eq!(format!("{}", Signal::INT), "SIGINT");
        assert_eq!(format!("{}", Signal(99)), "signal 99");
    }
}
