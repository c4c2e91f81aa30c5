//! From the auxiliary vector to the routed calls: tells
//! `freestand-syscalls` where the vDSO is, so `clock_gettime` and friends
//! can run in user space.
//!
//! Nothing is parsed here. [`init`] only stores a function pointer; the
//! vDSO is parsed, and each call's symbol looked up, the first time a
//! routed call is made (see [`freestand_syscalls::route`]). A program that
//! makes no routed call pays one store.
//!
//! `FREESTAND_RSEQ=off` likewise switches off rseq registration
//! ([`freestand_syscalls::cpu::rseq`]), and the kernel's
//! `AT_RSEQ_FEATURE_SIZE` and `AT_RSEQ_ALIGN` are passed on with it.
//!
//! The environment variable `FREESTAND_VDSO=off` makes every routed call
//! use its system call. It is read from the initial environment when the
//! first routed call resolves (and each time `route::switch` is asked), and ignored when the kernel sets
//! `AT_SECURE` (setuid, setgid or file capabilities), so an unprivileged
//! caller cannot change how a privileged program behaves.

use crate::stack::{getauxval, var};
use freestand_syscalls::cpu::rseq;
use freestand_syscalls::route::{RseqStartup, SWITCH_VAR, Startup, set_startup};
use linux_raw_sys::auxvec::{AT_RSEQ_ALIGN, AT_RSEQ_FEATURE_SIZE, AT_SECURE, AT_SYSINFO_EHDR};

/// What the routing layer asks for, read from the initial stack.
fn startup() -> Startup {
    let switch = var(SWITCH_VAR.as_bytes());
    Startup {
        sysinfo_ehdr: getauxval(AT_SYSINFO_EHDR).unwrap_or(0),
        switch,
        // Only a set switch asks: `AT_SECURE` sits near the end of the
        // auxiliary vector, and finding it is a second walk of it.
        secure: switch.is_some() && secure(),
        rseq: Some(rseq_startup),
    }
}

/// What rseq registration asks for, read when a thread first registers.
fn rseq_startup() -> RseqStartup {
    let switch = var(rseq::SWITCH_VAR.as_bytes());
    RseqStartup {
        switch,
        secure: switch.is_some() && secure(),
        feature_size: getauxval(AT_RSEQ_FEATURE_SIZE).unwrap_or(0),
        align: getauxval(AT_RSEQ_ALIGN).unwrap_or(0),
    }
}

/// Whether the kernel set `AT_SECURE`.
fn secure() -> bool {
    getauxval(AT_SECURE).is_some_and(|v| v != 0)
}

/// Hands the vDSO to the routing layer. Called by [`entry`](crate::entry::entry)
/// once it has recorded the initial stack.
#[inline(always)]
pub fn init() {
    // SAFETY: `startup` reports the kernel's own AT_SYSINFO_EHDR, which maps
    // the vDSO for the life of the process.
    unsafe { set_startup(startup) };
}
