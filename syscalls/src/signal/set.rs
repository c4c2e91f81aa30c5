//! Sets of signals and the calling thread's mask: [`SigSet`] and
//! [`sigprocmask`].

use super::Signal;
use crate::arch::syscall4;
use crate::errno::{Errno, decode_unit};
use crate::nr::__NR_rt_sigprocmask;
use linux_raw_sys::general as k;

/// A set of signals, as the kernel's 64-bit `sigset_t`: bit `n - 1` for
/// signal `n`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SigSet(pub u64);

impl SigSet {
    /// No signal.
    pub const EMPTY: SigSet = SigSet(0);
    /// Every signal (the kernel leaves `SIGKILL` and `SIGSTOP` unblocked
    /// whatever the mask says).
    pub const ALL: SigSet = SigSet(!0);

    /// Whether `sig` is in the set (false for a number out of range).
    pub fn contains(self, sig: Signal) -> bool {
        (1..=64).contains(&sig.0) && self.0 & (1 << (sig.0 - 1)) != 0
    }
}

/// How [`sigprocmask`] changes the mask.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum How {
    /// Add the set to the blocked signals.
    Block,
    /// Remove the set from them.
    Unblock,
    /// Make the set the blocked signals.
    SetMask,
}

/// Changes the calling thread's blocked signals as `how` says and returns
/// the mask as it was before.
///
/// # Errors
/// None in practice (`EINVAL` for a bad `how` cannot happen here).
///
/// # References
/// rt_sigprocmask(2)
pub fn sigprocmask(how: How, set: SigSet) -> Result<SigSet, Errno> {
    let how = match how {
        How::Block => k::SIG_BLOCK,
        How::Unblock => k::SIG_UNBLOCK,
        How::SetMask => k::SIG_SETMASK,
    };
    let mut old = SigSet::EMPTY;
    // SAFETY: the kernel reads one `sigset_t` from `set` and writes one to
    // `old`, both live locals of that size.
    let r = unsafe {
        syscall4(
            __NR_rt_sigprocmask,
            how as usize,
            (&raw const set) as usize,
            (&raw mut old) as usize,
            core::mem::size_of::<SigSet>(),
        )
    };
    decode_unit(r).map(|()| old)
}
