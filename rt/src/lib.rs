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
//! 5. `main` — yours, wired in by [`entry!`].
//! 6. [`exit`] — `main`'s [`Termination`](exit::Termination) value becomes
//!    the exit status.
//!
//! Beside that path: [`io`] (`print!` and friends), [`alloc`] (the heap),
//! [`panic`](mod@panic) (the panic handler) and [`mem`] (`memcpy` and friends).
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

// One file per architecture, with the same items in each. The build
// script has already refused any architecture not in
// `freestand_build::ARCHES`.
#[cfg_attr(target_arch = "x86_64", path = "arch/x86_64.rs")]
#[cfg_attr(target_arch = "riscv64", path = "arch/riscv64.rs")]
#[cfg_attr(target_arch = "aarch64", path = "arch/aarch64.rs")]
mod arch;

pub mod entry;
pub mod exit;
pub mod overflow;
pub mod relocate;
pub mod stack;
pub mod handover;

pub mod alloc;
pub mod io;
pub mod mem;
mod msg;
pub mod panic;

pub use freestand_syscalls as syscalls;
pub use freestand_syscalls::time;

/// Makes `$main` the program's entry point and defines the items every
/// freestanding binary needs once (see the [crate docs](crate)).
///
/// `$main` is a `fn() -> T` where `T` is `()`, `i32` or
/// `Result<T, E: Debug>` (see [`exit::Termination`]).
///
/// `entry!(main, overflow_report = false)` leaves out the stack-overflow
/// report ([`overflow`]): no alternate signal stack, no `SIGSEGV` handler,
/// two system calls and 32 KiB of `.bss` fewer. An overflow then kills the
/// program with a plain `SIGSEGV`, as in a C program. For programs whose
/// start-up cost is the point, such as the `hello` example.
///
/// # Test builds
///
/// In a test build (`cfg(test)`: `cargo test`, `cargo clippy
/// --all-targets`) the macro expands to nothing, so the crate's unit tests
/// build with std's entry point and panic handler.
///
/// # Mistakes it reports
///
/// A `main` that takes arguments is refused ("function is expected to take
/// 0 arguments"), and one that returns a type that is not an exit status
/// with a message that lists the signatures `main` may have:
///
/// ```compile_fail,E0593
/// #![no_std]
/// #![no_main]
/// freestand_rt::entry!(main);
/// fn main(argc: usize) -> i32 {
///     argc as i32
/// }
/// ```
///
/// ```compile_fail,E0277
/// #![no_std]
/// #![no_main]
/// freestand_rt::entry!(main);
/// fn main() -> &'static str {
///     "done"
/// }
/// ```
///
/// A program has one entry point, so the macro may be used once:
///
/// ```compile_fail,E0428
/// #![no_std]
/// #![no_main]
/// freestand_rt::entry!(main);
/// freestand_rt::entry!(main);
/// fn main() {}
/// ```
///
/// A crate without `#![no_main]` gets Rust's own entry point as well, which
/// needs std; the compiler says to add `#![no_main]`:
///
/// ```compile_fail
/// #![no_std]
/// freestand_rt::entry!(main);
/// fn main() {}
/// ```
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        $crate::entry!($main, overflow_report = true);
    };
    ($main:path, overflow_report = $report:literal) => {
        // A second `entry!` in the crate defines this name again, and the
        // compiler's "defined multiple times" error then says why.
        #[cfg(not(test))]
        #[allow(non_upper_case_globals, dead_code)]
        const freestand_rt_entry_may_be_used_once_per_program: () = ();

        #[cfg(not(test))]
        const _: () = {
            #[unsafe(naked)]
            #[unsafe(no_mangle)]
            unsafe extern "C" fn _start() -> ! {
                $crate::__start_asm!(__freestand_entry)
            }

            extern "C" fn __freestand_entry(sp: *mut usize) -> ! {
                // SAFETY: called once, from `_start`, with the kernel's stack
                // pointer.
                unsafe { $crate::entry::entry(sp, $main, $report) }
            }

            #[panic_handler]
            fn __freestand_panic(info: &::core::panic::PanicInfo<'_>) -> ! {
                $crate::panic::report(info)
            }

            // `core` is precompiled with unwind tables that name this symbol.
            // Nothing ever unwinds (panic = "abort"), so it is never called.
            #[unsafe(no_mangle)]
            extern "C" fn rust_eh_personality() {}

            // Likewise named by the precompiled `alloc`'s landing pads, which
            // are never entered without unwinding.
            #[unsafe(no_mangle)]
            extern "C" fn _Unwind_Resume() -> ! {
                $crate::panic::unwinding_unsupported()
            }

            #[global_allocator]
            static __FREESTAND_HEAP: $crate::alloc::Heap = $crate::alloc::Heap::new();

            #[unsafe(no_mangle)]
            unsafe extern "C" fn memcpy(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
                // SAFETY: the C contract of memcpy is the contract of this one.
                unsafe { $crate::mem::memcpy(d, s, n) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn memmove(d: *mut u8, s: *const u8, n: usize) -> *mut u8 {
                // SAFETY: the C contract of memmove is the contract of this one.
                unsafe { $crate::mem::memmove(d, s, n) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn memset(d: *mut u8, c: i32, n: usize) -> *mut u8 {
                // SAFETY: the C contract of memset is the contract of this one.
                unsafe { $crate::mem::memset(d, c, n) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
                // SAFETY: the C contract of memcmp is the contract of this one.
                unsafe { $crate::mem::memcmp(a, b, n) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
                // SAFETY: the C contract of bcmp is the contract of this one.
                unsafe { $crate::mem::bcmp(a, b, n) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn strlen(s: *const u8) -> usize {
                // SAFETY: the C contract of strlen is the contract of this one.
                unsafe { $crate::mem::strlen(s) }
            }
        };
    };
}
