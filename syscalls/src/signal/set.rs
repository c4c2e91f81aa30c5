//! Sets of signals and the calling thread's mask: [`SigSet`],
//! [`sigprocmask`], [`sigpending`] and [`sigsuspend`].

use super::Signal;
use crate::arch::{syscall2, syscall4};
use crate::errno::{Errno, decode_unit};
use crate::nr::{__NR_rt_sigpending, __NR_rt_sigprocmask, __NR_rt_sigsuspend};
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
        self.0 & bit(sig) != 0
    }

    /// The set of the given signals (numbers out of range are left out).
    pub const fn of(sigs: &[Signal]) -> SigSet {
        let mut set = SigSet::EMPTY;
        let mut i = 0;
        while i < sigs.len() {
            set = set.with(sigs[i]);
            i += 1;
        }
        set
    }

    /// This set with `sig` added (unchanged for a number out of range).
    #[must_use]
    pub const fn with(self, sig: Signal) -> SigSet {
        SigSet(self.0 | bit(sig))
    }

    /// This set without `sig`.
    #[must_use]
    pub const fn without(self, sig: Signal) -> SigSet {
        SigSet(self.0 & !bit(sig))
    }

    /// Adds `sig` (nothing for a number out of range).
    pub fn insert(&mut self, sig: Signal) {
        *self = self.with(sig);
    }

    /// Removes `sig`.
    pub fn remove(&mut self, sig: Signal) {
        *self = self.without(sig);
    }

    /// Whether the set holds no signal.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The signals in the set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = Signal> {
        Signal::all().filter(move |&s| self.contains(s))
    }
}

/// The bit of `sig` in a set: `1 << (sig - 1)`, or 0 for a number that
/// is not a signal.
const fn bit(sig: Signal) -> u64 {
    if sig.is_valid() { 1 << (sig.0 - 1) } else { 0 }
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

/// The signals pending for the calling thread or its process while
/// blocked: raised, not yet delivered.
///
/// # Errors
/// None in practice.
///
/// # References
/// rt_sigpending(2), sigpending(2)
pub fn sigpending() -> Result<SigSet, Errno> {
    let mut set = SigSet::EMPTY;
    // SAFETY: the kernel writes one `sigset_t` of the size passed into
    // `set`, a live local.
    let r = unsafe {
        syscall2(
            __NR_rt_sigpending,
            (&raw mut set) as usize,
            core::mem::size_of::<SigSet>(),
        )
    };
    decode_unit(r).map(|()| set)
}

/// Replaces the calling thread's mask with `mask` and sleeps until a
/// signal runs a handler (or ends the process), then restores the mask
/// and returns.
///
/// The kernel's answer is always `EINTR`, which here is the normal
/// return, so there is nothing to retry and nothing to report. Used with
/// a mask that blocks a signal everywhere else, it waits for that signal
/// without the race of unblocking and then sleeping.
///
/// # References
/// rt_sigsuspend(2), sigsuspend(2)
pub fn sigsuspend(mask: SigSet) {
    // SAFETY: the kernel reads one `sigset_t` of the size passed from
    // `mask`, a live local.
    unsafe {
        syscall2(
            __NR_rt_sigsuspend,
            (&raw const mask) as usize,
            core::mem::size_of::<SigSet>(),
        )
    };
}
