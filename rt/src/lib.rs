//! A freestanding runtime for Linux `#![no_std]`, `#![no_main]` programs:
//! no libc, no dynamic loader, just the kernel.
//!
//! # The first program
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! freestand_rt::entry!(main);
//!
//! fn main() -> i32 {
//!     freestand_rt::println!("hello from {} arguments", freestand_rt::stack::args().count());
//!     0
//! }
//! ```
//!
//! Build it with `freestand-build` as a build-dependency and a one-line
//! `build.rs`, `fn main() { freestand_build::link(); }`, which passes
//! freestand's linker script and flags to your binaries only, and
//! `panic = "abort"` in both profiles; for riscv64 and aarch64,
//! `.cargo/config.toml` names `rust-lld` as the linker and qemu-user as the
//! runner. The repository README's quick start ("Use it in your own
//! crate") shows each file; the suite's `quick_start_from_the_readme`
//! builds it in a new crate, runs it on every platform and runs its unit
//! tests with `cargo test`.
//!
//! # From `execve` to `exit_group`
//!
//! The modules follow the path a process takes:
//!
//! 1. `arch/` — `_start`, a few instructions per architecture that pass the
//!    kernel's stack pointer to [`entry::entry`].
//! 2. [`entry`](mod@entry) — records the initial stack and calls `main`.
//! 3. [`stack`] — argc, argv, envp and the auxiliary vector, parsed lazily.
//!    [`overflow`] then installs the handler that reports a stack overflow.
//! 4. [`handover`] — `AT_SYSINFO_EHDR` handed to the routed calls of
//!    `freestand-syscalls` (`clock_gettime`, `getcpu`, `getrandom`...),
//!    which parse the vDSO on first use.
//! 5. [`init`] — if the program has any: the main thread's thread-local
//!    storage (`PT_TLS`), then the `.preinit_array` and `.init_array`.
//! 6. `main` — yours, wired in by [`entry!`].
//! 7. [`exit`] — `main`'s [`Termination`](exit::Termination) value becomes
//!    the exit status, after the [`at_exit`] handlers and the
//!    `.fini_array` have run.
//!
//! Beside that path: [`io`] (`print!` and friends), [`heap`] (the heap),
//! [`panic`](mod@panic) (the panic handler), [`mem`] (`memcpy` and
//! friends), [`thread`] (spawn and join, the thread control block, ELF TLS
//! and [`thread_local!`]), [`sync`] (`Mutex` and `Condvar` on the
//! futex) and [`process`] (a `fork` that leaves the runtime's locks free in
//! the child).
//!
//! # What `entry!` defines
//!
//! The items a program needs exactly once are defined in the program's own
//! crate by [`entry!`], never in this library, so the library also links into
//! ordinary host programs and tests: `_start`, the `#[panic_handler]`, the
//! `#[global_allocator]` and the C symbols `memcpy`, `memmove`, `memset`,
//! `memcmp`, `bcmp` and `strlen`.
//!
//! # Supported targets
//!
//! `x86_64-unknown-linux-gnu`, `riscv64gc-unknown-linux-gnu` and
//! `aarch64-unknown-linux-gnu`.
#![no_std]

extern crate alloc;

// One file per architecture, with the same items in each. The build
// script has already refused any architecture not in
// `freestand_build::ARCHES`.
#[cfg_attr(target_arch = "x86_64", path = "arch/x86_64.rs")]
#[cfg_attr(target_arch = "riscv64", path = "arch/riscv64.rs")]
#[cfg_attr(target_arch = "aarch64", path = "arch/aarch64.rs")]
mod arch;

pub mod entry;
pub mod exit;
pub mod handover;
pub mod init;
pub mod overflow;
pub mod relocate;
pub mod stack;

pub mod heap;
pub mod io;
pub mod mem;
mod msg;
pub mod panic;
pub mod process;
pub mod sync;
pub mod thread;

pub use exit::at_exit;
pub use freestand_syscalls as syscalls;
pub use freestand_syscalls::time;
