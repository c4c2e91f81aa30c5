//! Signals: handlers ([`sigaction`]) and the stack they run on
//! ([`sigaltstack`]).
//!
//! Only what a runtime needs to catch a fault is here. A handler is a
//! `SA_SIGINFO` function taking the signal number, the `siginfo` and the
//! `ucontext`; on x86_64 [`sigaction`] supplies the `SA_RESTORER`
//! trampoline the kernel returns through, and on riscv64 the kernel uses
//! the vDSO's, so callers never deal with it.

// Signal numbers.
mod number;
// Handlers: sigaction and its flags.
mod action;
// Signal sets and the thread's mask.
mod set;
// The alternate stack and the handler's view of the interrupted code.
mod stack;

pub use action::{Action, Handler, SaFlags, sigaction};
pub use number::Signal;
pub use set::{How, SigSet, sigprocmask};
pub use stack::{fault_address, interrupted_sp, sigaltstack};
