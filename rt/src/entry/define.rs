//! [`entry!`](crate::entry!): the items a program defines once.

/// Makes `$main` the program's entry point and defines the items every
/// freestanding binary needs once (see the [crate docs](crate)).
///
/// `$main` is a `fn() -> T` where `T` is `()`, `i32` or
/// `Result<T, E: Debug>` (see [`Termination`](crate::exit::Termination)).
///
/// # Options
///
/// Written after `main`, in any order: `entry!(main, overflow_report =
/// false, heap = false, init = false)`.
///
/// - `overflow_report = false` leaves out the stack-overflow report
///   ([`overflow`](crate::overflow)): no alternate signal stack, no
///   `SIGSEGV` handler, two system calls and 32 KiB of `.bss` fewer. An
///   overflow then kills the program with a plain `SIGSEGV`, as in a C
///   program. For programs whose start-up cost is the point, such as the
///   `hello` example.
/// - `heap = false` leaves the `#[global_allocator]` to the program, which
///   then defines its own (another allocator crate, an arena, a bump
///   allocator). [`heap::stats`](crate::heap::stats) then reports zeros.
///   The suite's `e2e/programs/bump.rs` is such a program, run on every
///   platform:
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// use core::alloc::{GlobalAlloc, Layout};
///
/// /// Never frees; enough for a short-lived tool.
/// struct Bump;
///
/// unsafe impl GlobalAlloc for Bump {
///     unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
///         // ...
/// #       core::ptr::null_mut()
///     }
///     unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
/// }
///
/// #[global_allocator]
/// static ALLOCATOR: Bump = Bump;
///
/// freestand_rt::entry!(main, heap = false);
///
/// fn main() {}
/// ```
///
/// - `init = false` leaves out what runs around `main`
///   ([`init`](mod@crate::init), [`exit`](mod@crate::exit)): the check
///   for thread-local storage and init, preinit and fini arrays at
///   start-up, and the run of [`at_exit`](crate::exit::at_exit) handlers
///   and the fini array when `main` returns. Nothing of it is linked, not
///   even the check: for programs whose size is the point, such as the
///   `hello` example. The link fails if the program has thread-local
///   storage or any of those arrays after all, with a message that says
///   to remove the option, and [`at_exit`](crate::exit::at_exit) returns
///   `ENOSYS`.
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
/// An option it does not know, or a value other than `true` or `false`, is
/// refused with the list of options:
///
/// ```compile_fail
/// #![no_std]
/// #![no_main]
/// freestand_rt::entry!(main, heap = maybe);
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
    ($main:path $(, $key:ident = $value:tt)* $(,)?) => {
        $crate::__entry_options!([$main] [true, true, true] $($key = $value,)*);
    };
}

/// Reads the options of [`entry!`](crate::entry!): `[main] [overflow_report,
/// heap, init]`, then the `key = value,` pairs still to read. Not meant to
/// be used directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __entry_options {
    ([$main:path] [$report:tt, $heap:tt, $init:tt]) => {
        $crate::__entry_items!($main, $report, $heap, $init);
    };
    ([$main:path] [$report:tt, $heap:tt, $init:tt] overflow_report = true, $($rest:tt)*) => {
        $crate::__entry_options!([$main] [true, $heap, $init] $($rest)*);
    };
    ([$main:path] [$report:tt, $heap:tt, $init:tt] overflow_report = false, $($rest:tt)*) => {
        $crate::__entry_options!([$main] [false, $heap, $init] $($rest)*);
    };
    ([$main:path] [$report:tt, $heap:tt, $init:tt] heap = true, $($rest:tt)*) => {
        $crate::__entry_options!([$main] [$report, true, $init] $($rest)*);
    };
    ([$main:path] [$report:tt, $heap:tt, $init:tt] heap = false, $($rest:tt)*) => {
        $crate::__entry_options!([$main] [$report, false, $init] $($rest)*);
    };
    ([$main:path] [$report:tt, $heap:tt, $init:tt] init = true, $($rest:tt)*) => {
        $crate::__entry_options!([$main] [$report, $heap, true] $($rest)*);
    };
    ([$main:path] [$report:tt, $heap:tt, $init:tt] init = false, $($rest:tt)*) => {
        $crate::__entry_options!([$main] [$report, $heap, false] $($rest)*);
    };
    ([$main:path] [$($o:tt)*] $key:ident = $v:tt, $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "entry!: `", ::core::stringify!($key), " = ", ::core::stringify!($v),
            "` is no option; the options are `overflow_report = true|false`, \
             `heap = true|false` and `init = true|false`"
        ));
        // The items all the same, so that this is the only error.
        $crate::__entry_items!($main, true, true, true);
    };
}

/// The global allocator [`entry!`](crate::entry!) installs unless told
/// `heap = false`. Not meant to be used directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __entry_heap {
    (true) => {
        #[global_allocator]
        static __FREESTAND_HEAP: $crate::heap::Heap = $crate::heap::Heap::new();
    };
    (false) => {};
}

/// What `init = false` adds: the symbol that tells freestand's linker
/// script so (an absolute symbol, no bytes), which then refuses a program
/// that has TLS or init or fini arrays and makes `at_exit` refuse. Not
/// meant to be used directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __entry_init {
    (true) => {};
    (false) => {
        #[cfg(not(test))]
        ::core::arch::global_asm!(
            ".globl __freestand_init_off",
            ".hidden __freestand_init_off",
            ".set __freestand_init_off, 1",
        );
    };
}

/// The items [`entry!`](crate::entry!) defines. Not meant to be used
/// directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __entry_items {
    ($main:path, $report:tt, $heap:tt, $init:tt) => {
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
                unsafe { $crate::entry::entry(sp, $main, $report, $init) }
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

            $crate::__entry_heap!($heap);

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

        $crate::__entry_init!($init);
    };
}
