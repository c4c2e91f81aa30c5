//! Raw Linux system calls for freestanding Rust, with no libc.
//!
//! `freestand-syscalls` is the bottom layer of freestand: one function per
//! system-call arity for each supported architecture ([`arch`]), a checked
//! [`Errno`] type, and typed wrappers that return `Result<T, Errno>`.
//! System-call numbers and kernel constants come from `linux-raw-sys`, which
//! is generated from the kernel headers of each architecture.
//!
//! # Modules
//!
//! - [`arch`]: the system-call instruction of the target architecture, one
//!   function per arity.
//! - [`errno`]: [`Errno`] and [`errno::decode`], the one place a return
//!   value becomes an error.
//! - [`fs`], [`io`], [`mm`], [`process`], [`signal`], [`futex`]: typed
//!   wrappers that always make their system call: files, directories and mounts;
//!   descriptor I/O; memory maps; processes (fork, exec with a `PATH`
//!   search, `vfork_spawn`, wait statuses, groups and sessions, pidfds);
//!   signals (dispositions that can be restored, masks, `sigtimedwait`,
//!   `signalfd`, every signal with its name). `docs/process-api.md` in
//!   the repository is the map of these.
//! - [`time`], [`cpu`], [`random`] and, on riscv64, `riscv`: the modules
//!   whose calls the vDSO may serve (below).
//! - [`route`]: which path (vDSO or system call) serves each routed call,
//!   and why.
//! - [`nr`]: the system-call numbers.
//!
//! # Supported targets
//!
//! `x86_64-unknown-linux-gnu` (the `syscall` instruction),
//! `riscv64gc-unknown-linux-gnu` (`ecall`) and `aarch64-unknown-linux-gnu`
//! (`svc #0`). Building for any other architecture stops in the build
//! script, with a message that names these.
//!
//! # A first program
//!
//! With `freestand-rt` (or your own `_start`) around it:
//!
//! ```no_run
//! use freestand_syscalls::{io, process};
//!
//! let n = io::write(io::STDOUT, b"hello\n").unwrap_or(0);
//! process::exit_group(if n == 6 { 0 } else { 1 });
//! ```
//!
//! # Calls served by the vDSO
//!
//! [`time`] (`clock_gettime`, `clock_getres`, `gettimeofday`, `time`, and
//! `Instant`/`SystemTime`), [`cpu::getcpu`], [`random::getrandom`] and, on
//! riscv64, `riscv::hwprobe` and `riscv::flush_icache` go through the
//! kernel's vDSO when it offers them: one load of a cached pointer and one
//! indirect call, resolved on first use, with the system call as fallback.
//! Each has a `_syscall` sibling that never uses the vDSO. [`route`] explains
//! the routing, the `FREESTAND_VDSO=off` switch, and [`route::route`], which
//! says which path serves a call and why. A runtime must call
//! [`route::set_startup`] before the first routed call (`freestand-rt` does);
//! without it every call uses its system call.
//!
//! # Errors
//!
//! The kernel reports failure as a return value in `-4095..=-1`;
//! [`errno::decode`] is the single place that turns it into an [`Errno`].
//! Wrappers never retry on `EINTR` or loop over short reads and writes:
//! a call that can be interrupted says so in its docs, and the caller
//! decides (an init's wait loop, a timeout to recompute). The helpers
//! that exist to finish a job do retry, and say so: [`io::write_all`],
//! and the reaping of a failed child inside
//! [`process::vfork_spawn`].
#![no_std]

// One file per architecture, with the same items in each. The build
// script has already refused any architecture not in
// `freestand_build::ARCHES`.
#[cfg_attr(target_arch = "x86_64", path = "arch/x86_64.rs")]
#[cfg_attr(target_arch = "riscv64", path = "arch/riscv64.rs")]
#[cfg_attr(target_arch = "aarch64", path = "arch/aarch64.rs")]
pub mod arch;

pub mod errno;
pub mod fs;
pub mod futex;
pub mod io;
mod local;
pub mod mm;
pub mod process;
pub mod signal;

pub mod route;

pub mod cpu;
pub mod random;
#[cfg(target_arch = "riscv64")]
pub mod riscv;
pub mod time;

pub use errno::Errno;

/// System-call numbers for the target architecture, from `linux-raw-sys`.
pub use linux_raw_sys::general as nr;
