//! Where the vDSO comes from: the start-up source a runtime hands over
//! with [`set_startup`], and the [`SWITCH_VAR`] switch read from it.

use core::fmt;
use core::sync::atomic::{AtomicPtr, Ordering};

/// The environment variable that switches the vDSO off: `FREESTAND_VDSO=off`.
pub const SWITCH_VAR: &str = "FREESTAND_VDSO";

/// What the routing layer needs to know about the process, supplied by the
/// runtime through [`set_startup`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Startup {
    /// The `AT_SYSINFO_EHDR` entry of the auxiliary vector, or 0 if absent.
    pub sysinfo_ehdr: usize,
    /// The value of [`SWITCH_VAR`] in the initial environment, if set.
    pub switch: Option<&'static [u8]>,
    /// Whether `AT_SECURE` is non-zero: the program runs with privileges its
    /// caller does not have, so environment knobs are ignored. Read only
    /// when `switch` is set; a runtime may leave it `false` otherwise.
    pub secure: bool,
    /// Where the rseq settings come from
    /// ([`crate::cpu::rseq`]): asked only when a thread first registers an
    /// rseq area, so that a program that routes a time call does not read
    /// the environment and the auxiliary vector for them. `None`: the
    /// defaults of [`RseqStartup`].
    pub rseq: Option<fn() -> RseqStartup>,
}

/// What rseq registration needs to know about the process, supplied by
/// the runtime through [`Startup::rseq`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RseqStartup {
    /// The value of `FREESTAND_RSEQ` ([`crate::cpu::rseq::SWITCH_VAR`]) in
    /// the initial environment, if set: `off` or `0` switches rseq
    /// registration off.
    pub switch: Option<&'static [u8]>,
    /// Whether `AT_SECURE` is non-zero, which makes the switch ignored.
    /// Read only when `switch` is set; a runtime may leave it `false`
    /// otherwise.
    pub secure: bool,
    /// `AT_RSEQ_FEATURE_SIZE`, or 0 if the auxiliary vector has none.
    pub feature_size: usize,
    /// `AT_RSEQ_ALIGN`, or 0 if the auxiliary vector has none.
    pub align: usize,
}

impl RseqStartup {
    /// Whether rseq registration is switched off for the run.
    pub(crate) fn off(&self) -> bool {
        !self.secure && matches!(self.switch, Some(b"off" | b"0"))
    }
}

/// The rseq settings the runtime gives, asked once (all defaults if no
/// runtime called [`set_startup`] before the first question).
pub(crate) fn rseq_startup() -> &'static RseqStartup {
    static INFO: spin::Once<RseqStartup> = spin::Once::new();
    INFO.call_once(|| {
        startup()
            .and_then(|s| s.rseq)
            .map_or_else(RseqStartup::default, |f| f())
    })
}

/// The state of the [`SWITCH_VAR`] switch for this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    /// Not set: the vDSO is used.
    Unset,
    /// Set to `on` or `1`: the vDSO is used.
    On,
    /// Set to `off` or `0`: every call uses its system call.
    Off,
    /// Set, but the process runs with `AT_SECURE`, so it is ignored and the
    /// vDSO is used.
    IgnoredSecure,
    /// Set to a value that is none of `on`, `1`, `off`, `0`: ignored, the
    /// vDSO is used.
    Unrecognised(&'static [u8]),
}

impl Switch {
    pub(super) fn from_startup(s: &Startup) -> Switch {
        match s.switch {
            None => Switch::Unset,
            Some(_) if s.secure => Switch::IgnoredSecure,
            Some(b"on" | b"1") => Switch::On,
            Some(b"off" | b"0") => Switch::Off,
            Some(v) => Switch::Unrecognised(v),
        }
    }
}

impl fmt::Display for Switch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Switch::Unset => write!(f, "{SWITCH_VAR} unset: vDSO on"),
            Switch::On => write!(f, "{SWITCH_VAR}=on: vDSO on"),
            Switch::Off => write!(f, "{SWITCH_VAR}=off: vDSO off"),
            Switch::IgnoredSecure => {
                write!(f, "{SWITCH_VAR} ignored (AT_SECURE): vDSO on")
            }
            Switch::Unrecognised(v) => {
                write!(f, "{SWITCH_VAR}=")?;
                for c in v.utf8_chunks() {
                    write!(f, "{}", c.valid().escape_debug())?;
                    for b in c.invalid() {
                        write!(f, "\\x{b:02x}")?;
                    }
                }
                f.write_str(" not understood (want on or off): vDSO on")
            }
        }
    }
}

static STARTUP: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Tells the routing layer how to learn about the process. `freestand-rt`
/// calls this before `main`; a runtime with its own start-up code calls it
/// before the first routed call. The routing runs `source` once, at the
/// first resolution, and keeps what it said; a later `set_startup` changes
/// what [`switch`] reports, not how calls are routed.
///
/// # Safety
///
/// The `sysinfo_ehdr` that `source` returns must be 0 or the address of a
/// vDSO image that stays mapped and unmodified for the rest of the process,
/// as the kernel's `AT_SYSINFO_EHDR` is: its functions will be called.
#[inline]
pub unsafe fn set_startup(source: fn() -> Startup) {
    STARTUP.store(source as *mut (), Ordering::Release);
}

/// The startup source [`set_startup`] stored, if any.
pub(super) fn startup() -> Option<Startup> {
    let source = STARTUP.load(Ordering::Acquire);
    if source.is_null() {
        return None;
    }
    // SAFETY: only `set_startup` stores into STARTUP, and it stores a
    // `fn() -> Startup`.
    let source: fn() -> Startup = unsafe { core::mem::transmute(source) };
    Some(source())
}

/// The state of the `FREESTAND_VDSO` switch for this run, as the runtime
/// reports it now ([`Switch::Unset`] if no runtime called [`set_startup`]).
/// It calls the startup source each time; the routed calls use what it
/// said when the vDSO was opened.
pub fn switch() -> Switch {
    startup().map_or(Switch::Unset, |s| Switch::from_startup(&s))
}
