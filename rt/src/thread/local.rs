//! `thread_local!`: per-thread values, made on first use, dropped when
//! the thread ends.
//!
//! Stable Rust has no `#[thread_local]`, so the macro defines each key's
//! storage in assembly, in the program's ELF TLS segment (`.tbss`), and
//! reaches it with the architecture's local-exec sequence
//! ([`__tls_address!`](crate::syscalls::__tls_address)): the thread
//! pointer plus a link-time constant. A read is that address, a state
//! check and the value, as with std's `thread_local!`.
//!
//! A thread's values are dropped when it ends, in the reverse order of
//! their first use, after its closure has returned; a value used again by
//! another value's destructor after it was dropped gives
//! [`AccessError`]. The main thread's values are dropped when the process
//! exits through `main`'s return or [`crate::exit::exit`] (not after a
//! panic, which ends the process at once). Types without drop glue
//! register nothing.
//!
//! Outside a freestand process (a crate's host unit tests, where libc
//! made the threads) the storage still works, through libc's TLS, but
//! destructors do not run.

use super::tcb;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::fmt;
use core::mem::MaybeUninit;

/// Declares per-thread values, as std's macro does:
///
/// ```ignore
/// use core::cell::Cell;
/// freestand_rt::thread_local! {
///     static COUNT: Cell<u32> = Cell::new(0);
///     pub static NAME: core::cell::RefCell<alloc::string::String> = Default::default();
/// }
///
/// COUNT.with(|c| c.set(c.get() + 1));
/// ```
///
/// Each thread gets its own value, made by the initialiser the first time
/// that thread uses the key, and dropped when the thread ends.
#[macro_export]
macro_rules! thread_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr; $($rest:tt)*) => {
        $crate::thread_local!($(#[$attr])* $vis static $name: $t = $init);
        $crate::thread_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr) => {
        $(#[$attr])*
        $vis static $name: $crate::thread::LocalKey<$t> = {
            #[inline(always)]
            fn __storage() -> *mut $crate::thread::LocalStorage<$t> {
                $crate::syscalls::__tls_address!($crate::__local_symbol!($name))
                    as *mut $crate::thread::LocalStorage<$t>
            }
            fn __init() -> $t {
                $init
            }
            // SAFETY: `__storage` gives the calling thread's own storage
            // for this key (defined below), zeroed on every new thread.
            unsafe { $crate::thread::LocalKey::new(__storage, __init) }
        };
        // The storage, one per thread, zero (not yet made) on every new
        // thread. `global_asm!` must stand where a module's items do, also
        // when the macro is used inside a function, hence the module.
        const _: () = {
            #[allow(unused_imports)]
            mod __freestand_local {
                use super::*;
                ::core::arch::global_asm!(
                    ::core::concat!(
                        ".pushsection .tbss.freestand_local, \"awT\", %nobits\n",
                        ".p2align {align}\n",
                        ".globl ", $crate::__local_symbol!($name), "\n",
                        ".hidden ", $crate::__local_symbol!($name), "\n",
                        $crate::__local_symbol!($name), ":\n",
                        ".zero {size}\n",
                        ".popsection"
                    ),
                    size = const ::core::mem::size_of::<$crate::thread::LocalStorage<$t>>(),
                    align = const ::core::mem::align_of::<$crate::thread::LocalStorage<$t>>()
                        .trailing_zeros(),
                );
            }
        };
    };
}

/// The assembler name of a `thread_local!` key's storage, quoted: unique
/// in the program, from the package, file, line and column of the
/// macro's use and the key's name. Not meant to be used directly.
#[doc(hidden)]
#[macro_export]
macro_rules! __local_symbol {
    ($name:ident) => {
        ::core::concat!(
            "\"freestand_local.",
            ::core::env!("CARGO_PKG_NAME"),
            ".",
            ::core::file!(),
            ":",
            ::core::line!(),
            ":",
            ::core::column!(),
            ".",
            ::core::stringify!($name),
            "\""
        )
    };
}

// A state of 0: not yet made on this thread (every new thread's TLS is
// zero).
/// Made and alive.
const ALIVE: u8 = 1;
/// Dropped as the thread ends.
const GONE: u8 = 2;

/// A key's storage on one thread: its state and its value. Used by
/// [`thread_local!`](crate::thread_local); not meant to be used directly.
#[doc(hidden)]
#[repr(C)]
pub struct LocalStorage<T> {
    state: UnsafeCell<u8>,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// A key of [`thread_local!`](crate::thread_local): where each thread's
/// value lives, and how to make it.
pub struct LocalKey<T: 'static> {
    storage: fn() -> *mut LocalStorage<T>,
    init: fn() -> T,
}

/// Why [`LocalKey::try_with`] found no value: the thread is ending and
/// the value was dropped already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("thread-local value used after it was dropped as its thread ends")
    }
}

impl<T: 'static> LocalKey<T> {
    /// A key whose storage `storage` finds and whose values `init` makes.
    /// Use [`thread_local!`](crate::thread_local).
    ///
    /// # Safety
    ///
    /// `storage` must return the calling thread's own storage for this
    /// key, zeroed when the thread started, and the same address each time
    /// on one thread.
    #[doc(hidden)]
    pub const unsafe fn new(storage: fn() -> *mut LocalStorage<T>, init: fn() -> T) -> LocalKey<T> {
        LocalKey { storage, init }
    }

    /// Calls `f` with this thread's value, made first if needed.
    ///
    /// # Panics
    ///
    /// If the value is gone (used from another value's destructor after
    /// it was dropped); [`try_with`](Self::try_with) returns the error
    /// instead.
    #[inline(always)]
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        match self.try_with(f) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    /// Calls `f` with this thread's value, made first if needed.
    ///
    /// # Errors
    /// [`AccessError`] if the value was dropped already (the thread is
    /// ending).
    #[inline(always)]
    pub fn try_with<R>(&'static self, f: impl FnOnce(&T) -> R) -> Result<R, AccessError> {
        let s = (self.storage)();
        // SAFETY: the calling thread's own storage (`new`'s contract); the
        // state byte says whether the value is made. The value's address
        // is taken after `make` rather than returned by it, so that the
        // hot path computes it from `s` alone.
        unsafe {
            if *(*s).state.get() != ALIVE {
                self.make(s)?;
            }
            // Alive until the thread ends, after this call.
            Ok(f(&*(*(*s).value.get()).as_ptr()))
        }
    }

    /// Makes this thread's value: the first use on the thread.
    ///
    /// # Safety
    ///
    /// `s` must be the calling thread's storage for this key.
    #[cold]
    #[inline(never)]
    unsafe fn make(&'static self, s: *mut LocalStorage<T>) -> Result<(), AccessError> {
        // SAFETY: the thread's own storage, per the caller.
        unsafe {
            if *(*s).state.get() == GONE {
                return Err(AccessError { _private: () });
            }
            let value = (self.init)();
            // `init` may have used this very key; as std, the first value
            // made wins and this one is dropped.
            if *(*s).state.get() == ALIVE {
                drop(value);
            } else {
                (*(*s).value.get()).write(value);
                *(*s).state.get() = ALIVE;
                if core::mem::needs_drop::<T>() {
                    register(s.cast(), drop_value::<T>);
                }
            }
            Ok(())
        }
    }
}

/// Drops the value in a key's storage and marks it gone.
///
/// # Safety
///
/// `p` must be the calling thread's storage of a `LocalStorage<T>` whose
/// value is alive, and the value not in use.
unsafe fn drop_value<T>(p: *mut u8) {
    let s = p.cast::<LocalStorage<T>>();
    // SAFETY: per the caller. Marked gone first, so that a destructor that
    // uses the key again gets `AccessError` instead of the dropped value.
    unsafe {
        *(*s).state.get() = GONE;
        (*(*s).value.get()).assume_init_drop();
    }
}

/// A value to drop and the function that drops it.
type Dtor = (*mut u8, unsafe fn(*mut u8));

/// A thread's destructors, in the order of first use.
pub(crate) struct Destructors {
    dtors: Vec<Dtor>,
}

impl Destructors {
    /// None.
    pub(crate) const fn new() -> Destructors {
        Destructors { dtors: Vec::new() }
    }
}

/// Registers a value's destructor on the calling thread, if this is a
/// freestand process (elsewhere it is skipped: see the module docs).
///
/// # Safety
///
/// `dtor(p)` must be safe to call once, when the thread ends.
unsafe fn register(p: *mut u8, dtor: unsafe fn(*mut u8)) {
    if !crate::stack::entered() {
        return;
    }
    let Some(t) = tcb::current() else { return };
    // SAFETY: the calling thread's own block.
    let list = unsafe { &mut (*t.as_ptr()).destructors };
    if list.dtors.is_empty() && t_is_main(t) {
        // The main thread's values are dropped at exit.
        let _ = crate::at_exit(run_main_destructors);
    }
    list.dtors.push((p, dtor));
}

/// Whether `t` is the main thread's block.
fn t_is_main(t: core::ptr::NonNull<tcb::Tcb>) -> bool {
    // SAFETY: a live block; `id` never changes.
    unsafe { (*t.as_ptr()).id == super::MAIN_ID }
}

/// Drops the main thread's values, at exit.
fn run_main_destructors() {
    if let Some(t) = tcb::try_current() {
        // SAFETY: the calling thread's own table.
        run_destructors(unsafe { &raw mut (*t.as_ptr()).destructors });
    }
}

/// Drops a thread's values, the last used first; values made meanwhile
/// (by a destructor) are dropped too.
pub(crate) fn run_destructors(list: *mut Destructors) {
    loop {
        // SAFETY: the ending thread's own table; the borrow ends before
        // the destructor runs, which may use other keys.
        let next = unsafe { (*list).dtors.pop() };
        let Some((p, dtor)) = next else { break };
        // SAFETY: registered by `make` with this destructor, once.
        unsafe { dtor(p) };
    }
    // SAFETY: as above; no destructor is left to run.
    unsafe { (*list).dtors = Vec::new() };
}
