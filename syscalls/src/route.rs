//! Routing through the vDSO: which calls the kernel serves in user space,
//! how their function pointers are found and cached, and why a call falls
//! back to the real system call.
//!
//! # How a routed call runs
//!
//! Each routed call (see [`Call`]) has one *slot*, a static function pointer
//! with the C signature of the vDSO function. The hot path of, say,
//! [`time::clock_gettime`](crate::time::clock_gettime) is one relaxed load
//! of that slot and one indirect call; nothing else is checked.
//!
//! A slot starts out pointing at a `#[cold]` *resolver* with the same
//! signature. The first call through the slot lands there. The resolver
//! opens the vDSO as a [`freestand_vdso::Resolver`] (once per process, for
//! all calls, behind a [`spin::Mutex`]), looks up this one call's symbol
//! with a [`Query`] hashed at compile time, stores either the vDSO function
//! or a syscall shim of the same signature in the slot, and finishes the
//! call through it. A program that never makes a routed call never opens
//! the vDSO, and one that calls only `clock_gettime` looks up only
//! `clock_gettime`. A `Resolver` checks the image's tables as it reads them;
//! a lookup that finds nothing validates the whole image (once per such
//! lookup), so that [`route`] can name a damaged field.
//!
//! # Where the vDSO comes from
//!
//! This crate does not read the initial stack. The runtime hands it a
//! function that returns a [`Startup`] (the `AT_SYSINFO_EHDR` value, the
//! `FREESTAND_VDSO` variable and `AT_SECURE`) with [`set_startup`];
//! `freestand-rt` does that before `main`. The routing calls that function
//! once, when the first resolution opens the vDSO ([`switch`] calls it
//! again each time it is asked). Without it, every call is served by its
//! system call and [`route`] says why ([`Reason::NotSetUp`]).
//!
//! # Turning the vDSO off
//!
//! `FREESTAND_VDSO=off` (or `0`) in the environment the process started with
//! makes every call use its system call, so the two paths can be compared
//! on one machine. `on` (or `1`, or leaving it unset) is the default. Any
//! other value leaves the vDSO on, and [`switch`] reports it as
//! [`Switch::Unrecognised`] so a typo does not go unnoticed. When the
//! process runs with `AT_SECURE` (setuid, setgid or file capabilities), the
//! variable is ignored ([`Switch::IgnoredSecure`]).
//!
//! # Return values
//!
//! A vDSO function reports errors as the system call does, as a negative
//! errno. The rule for them (musl's) is: `-EINVAL` is final; any other error
//! is retried with the system call, because some vDSOs return `-ENOSYS` for
//! clocks they do not handle. No routed call panics.
//!
//! ```
//! use freestand_syscalls::route::{self, Call, Path};
//!
//! for call in Call::ALL {
//!     let r = route::route(call);
//!     // `r` prints as `clock_gettime vdso __vdso_clock_gettime@LINUX_2.6 at
//!     // 0x7ffd…` or `clock_gettime syscall …: no runtime called …`.
//!     assert!(matches!(r.path, Path::Vdso | Path::Syscall));
//! }
//! ```

use crate::Errno;
use core::cell::UnsafeCell;
use core::fmt;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use freestand_vdso::{Error as ParseError, Query, Resolver};

/// The environment variable that switches the vDSO off: `FREESTAND_VDSO=off`.
pub const SWITCH_VAR: &str = "FREESTAND_VDSO";

/// What the routing layer needs to know about the process, supplied by the
/// runtime through [`set_startup`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Startup {
    /// The `AT_SYSINFO_EHDR` entry of the auxiliary vector, or 0 if absent.
    pub sysinfo_ehdr: usize,
    /// The value of [`SWITCH_VAR`] in the initial environment, if set.
    pub switch: Option<&'static [u8]>,
    /// Whether `AT_SECURE` is non-zero: the program runs with privileges its
    /// caller does not have, so environment knobs are ignored. Read only
    /// when `switch` is set; a runtime may leave it `false` otherwise.
    pub secure: bool,
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
    fn from_startup(s: &Startup) -> Switch {
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
}

/// Why a call takes its [`Path`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The vDSO exports the symbol at the expected version.
    Found,
    /// No runtime called [`set_startup`], so the vDSO is unknown.
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
            Reason::NotSetUp => f.write_str("no runtime called vdso::set_startup"),
            Reason::NoSysinfoEhdr => f.write_str("no AT_SYSINFO_EHDR in the auxiliary vector"),
            Reason::Parse(e) => write!(f, "vDSO image rejected: {e}"),
            Reason::SymbolNotFound => f.write_str("symbol not found"),
            Reason::VersionNotFound => f.write_str("symbol found, but not at that version"),
            Reason::AddressOutsideImage => f.write_str("symbol address outside the vDSO image"),
            Reason::Disabled => write!(f, "disabled by {SWITCH_VAR}=off"),
            Reason::NotOnThisArch => f.write_str("no vDSO function for it on this architecture"),
            Reason::StateSetup(None) => f.write_str("getrandom state parameters unusable"),
            Reason::StateSetup(Some(e)) => write!(f, "getrandom state not mapped: {e}"),
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
    /// The vDSO function's address, when [`Path::Vdso`].
    pub address: Option<usize>,
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
        };
        write!(f, "{} {path} ", c.name())?;
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
        Ok(())
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

/// Held by the one caller that opens the vDSO.
///
/// Nobody waits for it: a caller that finds it held (another thread, or
/// this thread interrupted by a signal handler that makes a routed call,
/// for which waiting would never end) gets [`Reason::Busy`], is served by
/// the system call, and leaves its slot for a later call to resolve. Once
/// the image is open ([`OPENED`]), nobody takes the lock again, so `Busy`
/// can only happen while the first open is under way. A `spin::Once`
/// would do the same, but its `panic!` for a poisoned `Once` would link
/// the panic handler and `core::fmt` into every program that routes a
/// call.
static OPENING: spin::Mutex<()> = spin::Mutex::new(());

/// The opened vDSO, or why there is none: written once, by the holder of
/// [`OPENING`], before [`OPENED`] is set, and never again.
static IMAGE: Published = Published(UnsafeCell::new(MaybeUninit::uninit()));

/// Whether [`IMAGE`] holds the opened vDSO (set with `Release` after it was
/// written; read with `Acquire`).
static OPENED: AtomicBool = AtomicBool::new(false);

/// The storage of [`IMAGE`].
struct Published(UnsafeCell<MaybeUninit<Result<Resolver<'static>, Reason>>>);

// SAFETY: the contents are written only by the holder of OPENING while
// OPENED is false, and read only after OPENED was seen true, so no access
// races a write; `Resolver` and `Reason` are plain data (`Copy`).
unsafe impl Sync for Published {}

/// The startup source [`set_startup`] stored, if any.
fn startup() -> Option<Startup> {
    let source = STARTUP.load(Ordering::Acquire);
    if source.is_null() {
        return None;
    }
    // SAFETY: only `set_startup` stores into STARTUP, and it stores a
    // `fn() -> Startup`.
    let source: fn() -> Startup = unsafe { core::mem::transmute(source) };
    Some(source())
}

/// Opens the vDSO the runtime reported, or says why there is none.
/// Inlined into [`open_once`], so that the opened image is built where it
/// is kept instead of being copied there.
#[inline(always)]
fn open() -> Result<Resolver<'static>, Reason> {
    let startup = startup().ok_or(Reason::NotSetUp)?;
    if Switch::from_startup(&startup) == Switch::Off {
        return Err(Reason::Disabled);
    }
    if startup.sysinfo_ehdr == 0 {
        return Err(Reason::NoSysinfoEhdr);
    }
    // SAFETY: `set_startup`'s contract: the address is a vDSO image mapped
    // for the rest of the process.
    unsafe { Resolver::from_sysinfo_ehdr(startup.sysinfo_ehdr) }.map_err(Reason::Parse)
}

/// The opened vDSO (opening it if no resolution has), or why there is
/// none; [`Reason::Busy`] while another caller is opening it.
#[inline]
fn opened() -> Result<&'static Resolver<'static>, Reason> {
    if !OPENED.load(Ordering::Acquire) {
        open_once()?;
    }
    // SAFETY: OPENED is true, so IMAGE was written (see `open_once`) and
    // is never written again.
    let image = unsafe { (*IMAGE.0.get()).assume_init_ref() };
    image.as_ref().map_err(|r| *r)
}

/// [`opened`] for the first callers: takes [`OPENING`], opens the image
/// and publishes it, unless another caller holds the lock or already did.
#[inline(always)]
fn open_once() -> Result<(), Reason> {
    let _opening = OPENING.try_lock().ok_or(Reason::Busy)?;
    if !OPENED.load(Ordering::Acquire) {
        // SAFETY: the only write to IMAGE: with OPENING held and OPENED
        // false, no other caller reads or writes it.
        unsafe { (*IMAGE.0.get()).write(open()) };
        OPENED.store(true, Ordering::Release);
    }
    Ok(())
}

/// The state of the `FREESTAND_VDSO` switch for this run, as the runtime
/// reports it now ([`Switch::Unset`] if no runtime called [`set_startup`]).
/// It calls the startup source each time; the routed calls use what it
/// said when the vDSO was opened.
pub fn switch() -> Switch {
    startup().map_or(Switch::Unset, |s| Switch::from_startup(&s))
}

/// The address of the vDSO the routing layer uses, or why there is none
/// (opening it if nothing has yet).
pub fn base() -> Result<usize, Reason> {
    opened().map(|v| v.image().as_ptr() as usize)
}

/// Finds `call`'s vDSO function: its address, or why it is not used.
pub(crate) fn find(call: Call) -> Result<usize, Reason> {
    find_query(call.query())
}

/// [`find`] for the call whose query is `query`.
#[cold]
#[inline(never)]
fn find_query(query: Option<Query<'static>>) -> Result<usize, Reason> {
    let vdso = opened()?;
    let query = query.ok_or(Reason::NotOnThisArch)?;
    let found = vdso.find(&query).map_err(|e| match e {
        ParseError::VersionNotFound => Reason::VersionNotFound,
        ParseError::SymbolNotFound => Reason::SymbolNotFound,
        e => Reason::Parse(e),
    })?;
    let image = vdso.image().as_ptr_range();
    let address = usize::try_from(found.address).map_err(|_| Reason::AddressOutsideImage)?;
    if !(image.start as usize..image.end as usize).contains(&address) {
        return Err(Reason::AddressOutsideImage);
    }
    Ok(address)
}

/// Reports which path serves `call`, and why, resolving it if it has not
/// been yet.
pub fn route(call: Call) -> Route {
    let found = match call {
        Call::Getrandom => crate::random::state_route(),
        Call::Time if call.symbol().is_none() => {
            let via = route(Call::ClockGettime);
            let reason = match via.path {
                Path::Vdso => Reason::Via(Call::ClockGettime),
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
        },
        Err(reason) => Route {
            call,
            path: Path::Syscall,
            reason,
            address: None,
        },
    }
}

/// The address of `call`'s vDSO function when the vDSO serves it, for
/// benchmarks and tools that call it directly.
pub fn address(call: Call) -> Option<usize> {
    route(call).address
}

/// One cached function pointer: a routed call's slot.
pub(crate) struct Slot {
    ptr: AtomicPtr<()>,
}

impl Slot {
    /// A slot that starts out at `resolver`, a function with the slot's C
    /// signature that calls [`Slot::resolve`].
    pub(crate) const fn new(resolver: *mut ()) -> Slot {
        Slot {
            ptr: AtomicPtr::new(resolver),
        }
    }

    /// The function to call: the resolver, the vDSO function or the shim.
    #[inline(always)]
    pub(crate) fn get(&self) -> *mut () {
        self.ptr.load(Ordering::Relaxed)
    }

    /// Resolves the slot: stores and returns the vDSO function if the vDSO
    /// serves the call, else `shim`. `query` is the slot's
    /// [`Call::query`].
    #[inline(always)]
    pub(crate) fn resolve(&self, shim: *mut (), query: Option<Query<'static>>) -> *mut () {
        let f = match find_query(query) {
            Ok(a) => a as *mut (),
            // Transient: leave the slot for a later call to resolve.
            Err(Reason::Busy) => return shim,
            Err(_) => shim,
        };
        self.ptr.store(f, Ordering::Relaxed);
        f
    }
}

/// Applies the return-value rule to `$ret`, the result of calling `$used`:
/// success (`>= 0`) becomes `Ok(value as usize)`; `-EINVAL` is final; any
/// other error from a vDSO function is retried with `$retry`, an expression
/// that makes the system call.
///
/// A macro rather than a function so that `$retry` (a closure capturing the
/// call's arguments) is built only on the error path: built before the
/// branch, its captures cost a few stores on every call.
macro_rules! finish {
    ($ret:expr, $used:expr, $shim:expr, $retry:expr) => {{
        let r = $crate::route::Ret::widen($ret);
        if r >= 0 {
            Ok(r as usize)
        } else {
            $crate::route::retry(r, $used != $shim, move || $crate::route::Ret::widen($retry))
        }
    }};
}
pub(crate) use finish;

/// The return types of vDSO functions: C `int` and `long`.
pub(crate) trait Ret: Copy {
    /// Sign-extends to `isize`.
    fn widen(self) -> isize;
}

impl Ret for i32 {
    #[inline(always)]
    fn widen(self) -> isize {
        self as isize
    }
}

impl Ret for isize {
    #[inline(always)]
    fn widen(self) -> isize {
        self
    }
}

/// The error path of [`finish!`].
#[cold]
#[inline(never)]
pub(crate) fn retry(
    r: isize,
    was_vdso: bool,
    syscall: impl FnOnce() -> isize,
) -> Result<usize, Errno> {
    let r = if was_vdso && r != -(Errno::EINVAL.raw() as isize) {
        syscall()
    } else {
        r
    };
    crate::errno::decode(r as usize)
}

/// Defines the slot `$slot` for `$call`, whose C signature is
/// `fn($($ty),*) -> $ret` and whose system-call shim is `$shim`. The slot
/// starts at a resolver that resolves it and finishes the call.
macro_rules! slot {
    ($slot:ident, $call:expr, $shim:path, fn($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        static $slot: $crate::route::Slot = $crate::route::Slot::new({
            unsafe extern "C" fn resolver($($arg: $ty),*) -> $ret {
                let f = $slot.resolve($shim as *mut (), const { $call.query() });
                // SAFETY: `resolve` returns either the vDSO function of
                // this call, which has this C signature, or `$shim`, which
                // has it too; the caller upholds the function's contract
                // for these arguments, as it does for the slot's function.
                unsafe {
                    core::mem::transmute::<*mut (), unsafe extern "C" fn($($ty),*) -> $ret>(f)(
                        $($arg),*
                    )
                }
            }
            resolver as *mut ()
        });
    };
}
pub(crate) use slot;
