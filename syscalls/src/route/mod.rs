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
//! [`Call::Getrandom`] has no slot: its vDSO function also needs an opaque
//! state, one per process, which the routing sets up once, at the first
//! call or the first [`route`] that asks ([`Reason::StateSetup`] says why
//! that failed). The call's own module uses that state; the routing knows
//! nothing of that module.
//!
//! [`Query`]: freestand_vdso::Query
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

// The routed calls, their paths and reasons, and `route`.
mod call;
// The opened vDSO, published once, and the lookup of a call's function.
mod image;
// The per-call slots and the return-value rule with its retry.
mod slot;
// The start-up source a runtime hands over and the FREESTAND_VDSO switch.
mod startup;
// The opaque state of the vDSO's getrandom, on which its path depends.
mod vgetrandom;

pub use call::{Call, Path, Reason, Route, address, route};
pub use image::base;
pub(crate) use startup::rseq_startup;
pub use startup::{RseqStartup, SWITCH_VAR, Startup, Switch, set_startup, switch};

pub(crate) use slot::{Ret, Slot, finish, retry, slot};
pub(crate) use vgetrandom::{GetrandomFn, State, state};
