//! The routed calls, the paths that serve them and why: [`Call`],
//! [`Path`], [`Reason`], and [`route`], which reports a call's [`Route`].

use super::image::find;
use super::startup::SWITCH_VAR;
use crate::Errno;
use core::fmt;
use freestand_vdso::{Error as ParseError, Query};

/// A call that the kernel may serve from the vDSO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    /// [`time::clock_gettime`](crate::time::clock_gettime).
    ClockGettime,
    /// [`time::clock_getres`](crate::time::clock_getres).
    ClockGetres,
    /// [`time::gettimeofday`](crate::time::gettimeofday).
    Gettimeofday,
    /// [`time::time`](crate::time::time).
    Time,
    /// [`cpu::getcpu`](crate::cpu::getcpu).
    Getcpu,
    /// [`random::getrandom`](crate::random::getrandom).
    Getrandom,
    /// `riscv::hwprobe` (riscv64 only).
    RiscvHwprobe,
    /// `riscv::flush_icache` (riscv64 only).
    RiscvFlushIcache,
}

impl Call {
    /// Every routed call, in declaration order.
    pub const ALL: [Call; 8] = [
        Call::ClockGettime,
        Call::ClockGetres,
        Call::Gettimeofday,
        Call::Time,
        Call::Getcpu,
        Call::Getrandom,
        Call::RiscvHwprobe,
        Call::RiscvFlushIcache,
    ];

    /// The call's C name, e.g. `clock_gettime`.
    pub fn name(self) -> &'static str {
        match self {
            Call::ClockGettime => "clock_gettime",
            Call::ClockGetres => "clock_getres",
            Call::Gettimeofday => "gettimeofday",
            Call::Time => "time",
            Call::Getcpu => "getcpu",
            Call::Getrandom => "getrandom",
            Call::RiscvHwprobe => "riscv_hwprobe",
            Call::RiscvFlushIcache => "riscv_flush_icache",
        }
    }

    /// The vDSO symbol that serves the call on this architecture, if the
    /// architecture's kernel ABI has one (riscv64 has no `__vdso_time`,
    /// x86_64 no `__vdso_riscv_hwprobe`).
    pub fn symbol(self) -> Option<&'static str> {
        crate::arch::vdso_symbol(self)
    }

    /// The query for the call's vDSO symbol, or `None` as for
    /// [`Call::symbol`]. A `const fn`: a slot's resolver passes its call's
    /// query as a constant, so that a lookup hashes nothing at run time.
    pub(crate) const fn query(self) -> Option<Query<'static>> {
        match crate::arch::vdso_symbol(self) {
            Some(name) => Some(Query::new(name, crate::arch::VDSO_VERSION)),
            None => None,
        }
    }

    /// The symbol version of this architecture's vDSO (`LINUX_2.6` on
    /// x86_64, `LINUX_4.15` on riscv64, `LINUX_2.6.39` on aarch64).
    pub fn version(self) -> &'static str {
        crate::arch::VDSO_VERSION
    }
}

/// Which path serves a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Path {
    /// The vDSO function.
    Vdso,
    /// The system call.
    Syscall,
    /// A load from the calling thread's registered rseq area (`getcpu`
    /// only; see [`crate::cpu::rseq`]).
    Rseq,
}

/// Why a call takes its [`Path`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The vDSO exports the symbol at the expected version.
    Found,
    /// No runtime called [`set_startup`], so the vDSO is unknown.
    ///
    /// [`set_startup`]: super::set_startup
    NotSetUp,
    /// The auxiliary vector has no `AT_SYSINFO_EHDR`: the kernel (or the
    /// emulator) mapped no vDSO.
    NoSysinfoEhdr,
    /// The vDSO image was rejected by the parser.
    Parse(ParseError),
    /// The vDSO does not export the symbol.
    SymbolNotFound,
    /// The vDSO exports the symbol, but not at the expected version.
    VersionNotFound,
    /// The symbol's address lies outside the vDSO image.
    AddressOutsideImage,
    /// Switched off by `FREESTAND_VDSO=off`.
    Disabled,
    /// This architecture's vDSO has no such function.
    NotOnThisArch,
    /// `getrandom` only: the vDSO function exists but its per-thread state
    /// could not be set up (the parameter query failed, or mapping the state
    /// failed with this errno).
    StateSetup(Option<Errno>),
    /// `getrandom` only: the vDSO serves it, but no state could be had for
    /// the calling thread (the pool could not grow: this errno).
    PoolExhausted(Errno),
    /// Another caller (or a signal handler's interrupted thread) is
    /// opening the vDSO right now; this call used the system call and the
    /// next one will look again.
    Busy,
    /// Served through another routed call (`time` through `clock_gettime`
    /// on riscv64, whose vDSO has no `__vdso_time`).
    Via(Call),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Found => f.write_str("found"),
            Reason::NotSetUp => f.write_str("no runtime called route::set_startup"),
            Reason::NoSysinfoEhdr => f.write_str("no AT_SYSINFO_EHDR in the auxiliary vector"),
            Reason::Parse(e) => write!(f, "vDSO image rejected: {e}"),
            Reason::SymbolNotFound => f.write_str("symbol not found"),
            Reason::VersionNotFound => f.write_str("symbol found, but not at that version"),
            Reason::AddressOutsideImage => f.write_str("symbol address outside the vDSO image"),
            Reason::Disabled => write!(f, "disabled by {SWITCH_VAR}=off"),
            Reason::NotOnThisArch => f.write_str("no vDSO function for it on this architecture"),
            Reason::StateSetup(None) => f.write_str("getrandom state parameters unusable"),
            Reason::StateSetup(Some(e)) => write!(f, "getrandom state not mapped: {e}"),
            Reason::PoolExhausted(e) => write!(f, "no getrandom state for this thread: {e}"),
            Reason::Busy => f.write_str("another caller is opening the vDSO"),
            Reason::Via(c) => write!(f, "served by {}", c.name()),
        }
    }
}

/// How one call is served: the answer of [`route`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// The call.
    pub call: Call,
    /// The path that serves it.
    pub path: Path,
    /// Why.
    pub reason: Reason,
    /// The vDSO function's address, when [`Path::Vdso`]; the rseq area's,
    /// when [`Path::Rseq`].
    pub address: Option<usize>,
    /// For `getcpu` on another path than [`Path::Rseq`]: why the calling
    /// thread's rseq area does not serve it.
    pub rseq: Option<crate::cpu::rseq::Status>,
}

impl fmt::Display for Route {
    /// `clock_gettime vdso __vdso_clock_gettime@LINUX_2.6 at 0x7ffd8a1c2a40`,
    /// `time syscall __vdso_time@LINUX_2.6: symbol not found`, or
    /// `riscv_hwprobe syscall -: no vDSO function for it on this architecture`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.call;
        let path = match self.path {
            Path::Vdso => "vdso",
            Path::Syscall => "syscall",
            Path::Rseq => "rseq",
        };
        write!(f, "{} {path} ", c.name())?;
        if self.path == Path::Rseq {
            f.write_str("area")?;
            if let Some(a) = self.address {
                write!(f, " at {a:#x}")?;
            }
            return Ok(());
        }
        match c.symbol() {
            Some(s) => write!(f, "{s}@{}", c.version())?,
            None => f.write_str("-")?,
        }
        if let Some(a) = self.address {
            write!(f, " at {a:#x}")?;
        }
        if self.reason != Reason::Found {
            write!(f, ": {}", self.reason)?;
        }
        if let Some(r) = self.rseq {
            write!(f, " ({r})")?;
        }
        Ok(())
    }
}

/// Reports which path serves `call`, and why, resolving it if it has not
/// been yet.
pub fn route(call: Call) -> Route {
    let mut rseq = None;
    let found = match call {
        Call::Getcpu => match crate::cpu::rseq_route() {
            Ok(area) => {
                return Route {
                    call,
                    path: Path::Rseq,
                    reason: Reason::Found,
                    address: Some(area),
                    rseq: None,
                };
            }
            Err(status) => {
                rseq = Some(status);
                find(call)
            }
        },
        Call::Getrandom => crate::random::thread_route(),
        Call::Time if call.symbol().is_none() => {
            let via = route(Call::ClockGettime);
            let reason = match via.path {
                Path::Vdso | Path::Rseq => Reason::Via(Call::ClockGettime),
                Path::Syscall => via.reason,
            };
            return Route {
                call,
                reason,
                ..via
            };
        }
        _ => find(call),
    };
    match found {
        Ok(a) => Route {
            call,
            path: Path::Vdso,
            reason: Reason::Found,
            address: Some(a),
            rseq,
        },
        Err(reason) => Route {
            call,
            path: Path::Syscall,
            reason,
            address: None,
            rseq,
        },
    }
}

/// The address of `call`'s vDSO function when the vDSO serves it, for
/// benchmarks and tools that call it directly.
pub fn address(call: Call) -> Option<usize> {
    match call {
        // Its route may be the rseq area; the vDSO function is asked for.
        Call::Getcpu => find(call).ok(),
        _ => route(call).address,
    }
}
