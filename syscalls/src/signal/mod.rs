//! Signals: numbers and names ([`Signal`]), handlers ([`sigaction`] and
//! the [`Disposition`] it replaces), masks ([`SigSet`], [`sigprocmask`],
//! [`sigpending`], [`sigsuspend`]), taking signals synchronously
//! ([`sigtimedwait`], [`signalfd`]) and the stack handlers run on
//! ([`sigaltstack`]). Sending signals is in [`process`](crate::process)
//! (`kill`, `tgkill`, `pidfd_send_signal`).
//!
//! A handler is a `SA_SIGINFO` function taking the signal number, the
//! `siginfo` and the `ucontext`. [`sigaction`] supplies what the kernel
//! returns through when the handler returns, so callers never deal with
//! it (see `action.rs` for the per-architecture details).
//!
//! # `EINTR`
//!
//! [`sigtimedwait`], [`sigwaitinfo`] and [`signalfd_read`] report `EINTR`
//! when a handler ran while they waited, and do not retry: the caller
//! decides (and recomputes a timeout). [`sigsuspend`] returns after a
//! handler ran, which is its purpose.

// Signal numbers and names.
mod number;
// Handlers: sigaction, its flags and the previous disposition.
mod action;
// Signal sets and the thread's mask.
mod set;
// sigtimedwait and the typed siginfo.
mod info;
// signalfd.
mod fd;
// The alternate stack and the handler's view of the interrupted code.
mod stack;

pub use action::{
    Action, Disposition, Handler, SaFlags, reset_handlers, sigaction, sigaction_query,
    sigaction_replace, sigaction_restore,
};
pub use fd::{SfdFlags, SignalfdSiginfo, signalfd, signalfd_read};
pub use info::{SigInfo, sigtimedwait, sigwaitinfo};
pub use number::Signal;
pub use set::{How, SigSet, sigpending, sigprocmask, sigsuspend};
pub use stack::{fault_address, interrupted_sp, sigaltstack};
