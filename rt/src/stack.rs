//! The initial process stack: arguments, environment and auxiliary vector.
//!
//! At `_start` the stack pointer points at this layout, built by the kernel
//! (`fs/binfmt_elf.c`, `create_elf_tables`):
//!
//! ```text
//! sp -> argc
//!       argv[0] .. argv[argc - 1], NULL
//!       envp[0] .. envp[n - 1],    NULL
//!       (a_type, a_val) pairs ..., (AT_NULL, _)
//!       ... the strings themselves, higher up
//! ```
//!
//! [`entry`](crate::entry::entry) records `sp` and nothing else, so a
//! program pays only for what it reads: [`args()`] and [`env()`] are O(1) to
//! start, [`auxv()`] walks past the environment once and caches where the
//! vector starts.
//!
//! The kernel may start a program with `argc == 0` (older kernels) or, since
//! Linux 5.18, turns an empty `argv` into `[""]`. Both are handled: the
//! iterators simply yield what is there.
//!
//! # Safety
//!
//! This module reads raw pointers from the stack the kernel built. That
//! memory lives for the whole process and nothing in freestand writes it
//! after start-up (only [`crate::relocate::rebase`], before anything reads
//! the auxiliary vector, re-points `AT_PHDR` and `AT_ENTRY` when it has
//! moved the program), so
//! the `'static` borrows handed out are sound as long as the program does not
//! write to it through raw pointers itself.

use core::ffi::{CStr, c_char};
use core::sync::atomic::{AtomicPtr, Ordering};

/// The stack pointer `_start` received; null until [`init`] runs (for
/// example in a host test that never went through `_start`).
static SP: Recorded = Recorded(core::cell::UnsafeCell::new(0));

/// A pointer written once, by [`init`], before `main` and before any
/// other thread exists, and only read after that. A plain (not atomic)
/// store, of an address kept as an integer, so that the optimiser drops
/// both the store and the variable from a program that never reads it
/// (LLVM keeps a never-read global that holds a pointer, as a root for
/// leak checkers): `hello` then has no writable memory at all.
struct Recorded(core::cell::UnsafeCell<usize>);

// SAFETY: the one write happens before any other thread is made (thread
// creation orders it before everything the new thread does); every other
// access is a read.
unsafe impl Sync for Recorded {}

impl Recorded {
    /// The recorded pointer (null before [`init`]).
    #[inline(always)]
    fn get(&self) -> *mut usize {
        // SAFETY: see the `Sync` impl: no write can race this read.
        core::ptr::with_exposed_provenance_mut(unsafe { *self.0.get() })
    }
}
/// Where the auxiliary vector starts, found on first use.
static AUXV: AtomicPtr<usize> = AtomicPtr::new(core::ptr::null_mut());

/// An empty stack (`argc` 0, no environment, no auxv) for programs that did
/// not start through freestand's `_start`.
static EMPTY: [usize; 5] = [0; 5];

/// Records the initial stack pointer.
///
/// # Safety
///
/// `sp` must be the stack pointer the kernel passed to `_start`, or point at
/// memory of the same layout that lives and stays unchanged for the rest of
/// the process.
#[inline(always)]
pub(crate) unsafe fn init(sp: *mut usize) {
    // SAFETY: the one write, from `entry`, before any other thread exists
    // (see `Recorded`).
    unsafe { *SP.0.get() = sp.expose_provenance() };
}

/// A view of an initial process stack.
#[derive(Copy, Clone, Debug)]
pub struct InitialStack<'a> {
    sp: *const usize,
    _life: core::marker::PhantomData<&'a CStr>,
}

// SAFETY: the view only reads memory that, by the contract of `from_sp`,
// is immutable for `'a`; sharing it between threads is as safe as sharing
// `&'a [usize]`.
unsafe impl Send for InitialStack<'_> {}
// SAFETY: as above.
unsafe impl Sync for InitialStack<'_> {}

impl<'a> InitialStack<'a> {
    /// Views the stack at `sp`.
    ///
    /// # Safety
    ///
    /// `sp` must point at a word `argc`, followed by `argc` pointers and a
    /// NULL, then environment pointers and a NULL, then auxiliary-vector pairs
    /// ending with an `AT_NULL` key. Every non-NULL pointer must point at a
    /// NUL-terminated string. All of it must stay valid and unchanged for `'a`.
    pub unsafe fn from_sp(sp: *const usize) -> Self {
        InitialStack {
            sp,
            _life: core::marker::PhantomData,
        }
    }

    /// The stack this process started with (empty if `_start` was not
    /// freestand's).
    pub fn current() -> InitialStack<'static> {
        let sp = SP.get();
        let sp = if sp.is_null() {
            EMPTY.as_ptr()
        } else {
            sp.cast_const()
        };
        // SAFETY: `init`'s contract (or `EMPTY`, which has the layout of an
        // empty stack) gives a kernel-format stack that lives forever.
        unsafe { InitialStack::from_sp(sp) }
    }

    /// The raw stack pointer.
    pub fn as_ptr(&self) -> *const usize {
        self.sp
    }

    /// `argc`.
    pub fn argc(&self) -> usize {
        // SAFETY: `from_sp` guarantees `sp` points at `argc`.
        unsafe { *self.sp }
    }

    fn argv(&self) -> *const *const c_char {
        // SAFETY: `argv` follows `argc` (see `from_sp`), so this stays inside
        // the stack.
        unsafe { self.sp.add(1).cast() }
    }

    fn envp(&self) -> *const *const c_char {
        // SAFETY: `argv` has `argc` entries and a NULL; `envp` follows.
        unsafe { self.argv().add(self.argc() + 1) }
    }

    /// The command-line arguments, `argv[0]` first.
    pub fn args(&self) -> Args<'a> {
        Args {
            next: self.argv(),
            left: self.argc(),
            _life: core::marker::PhantomData,
        }
    }

    /// The environment entries, each normally `KEY=VALUE`.
    pub fn env(&self) -> Env<'a> {
        Env {
            next: self.envp(),
            _life: core::marker::PhantomData,
        }
    }

    fn find_auxv(&self) -> *const usize {
        let mut p = self.envp();
        // SAFETY: the environment is NULL-terminated (see `from_sp`), so
        // every pointer read here is inside it, and the auxv follows the NULL.
        unsafe {
            while !(*p).is_null() {
                p = p.add(1);
            }
            p.add(1).cast()
        }
    }

    /// The auxiliary vector, as `(key, value)` pairs, without the final
    /// `AT_NULL`.
    pub fn auxv(&self) -> Auxv<'a> {
        Auxv {
            next: self.find_auxv(),
            _life: core::marker::PhantomData,
        }
    }
}

mod iter;
pub use iter::{Args, Auxv, Env};

/// Whether the runtime's entry recorded an initial stack: true in a
/// freestand program, false in a host test that merely links the library.
pub(crate) fn entered() -> bool {
    !SP.get().is_null()
}

/// This process's arguments.
pub fn args() -> Args<'static> {
    InitialStack::current().args()
}

/// This process's environment.
pub fn env() -> Env<'static> {
    InitialStack::current().env()
}

/// The value of environment variable `name`, as bytes.
pub fn var(name: &[u8]) -> Option<&'static [u8]> {
    env().get(name)
}

/// This process's auxiliary vector. The first call walks past the
/// environment; later calls start at the cached position.
pub fn auxv() -> Auxv<'static> {
    let mut p = AUXV.load(Ordering::Relaxed);
    if p.is_null() {
        p = InitialStack::current().find_auxv().cast_mut();
        AUXV.store(p, Ordering::Relaxed);
    }
    Auxv {
        next: p,
        _life: core::marker::PhantomData,
    }
}

/// The auxiliary-vector value for `key` (an `AT_*` constant), like
/// getauxval(3) but with `None` for a missing key instead of 0.
pub fn getauxval(key: u32) -> Option<usize> {
    auxv().get(key as usize)
}

/// The 16 random bytes the kernel puts on every process's initial stack
/// (`AT_RANDOM`), or `None` if the auxiliary vector has none (a host
/// program that never ran freestand's `_start`).
///
/// They are the process's only randomness that costs no system call.
/// freestand itself seeds nothing with them: its heap
/// (`linked_list_allocator`) takes no seed and it has no hasher. Programs
/// that need a seed (a hash map's, a stack canary's) can use them; for
/// more randomness use `freestand_syscalls::random::getrandom`.
pub fn at_random() -> Option<&'static [u8; 16]> {
    let p = getauxval(linux_raw_sys::auxvec::AT_RANDOM)?;
    if p == 0 {
        return None;
    }
    // SAFETY: the kernel points AT_RANDOM at 16 bytes in the initial
    // stack's information block, which lives as long as the process and
    // which nothing writes.
    Some(unsafe { &*(p as *const [u8; 16]) })
}

macro_rules! aux_names {
    ($($name:ident),* $(,)?) => {
        /// The name of auxiliary-vector key `key`, such as `"AT_PAGESZ"`.
        pub fn aux_name(key: usize) -> Option<&'static str> {
            use linux_raw_sys::auxvec as a;
            match key {
                $(k if k == a::$name as usize => Some(stringify!($name)),)*
                _ => None,
            }
        }
    };
}

aux_names!(
    AT_NULL,
    AT_IGNORE,
    AT_EXECFD,
    AT_PHDR,
    AT_PHENT,
    AT_PHNUM,
    AT_PAGESZ,
    AT_BASE,
    AT_FLAGS,
    AT_ENTRY,
    AT_NOTELF,
    AT_UID,
    AT_EUID,
    AT_GID,
    AT_EGID,
    AT_PLATFORM,
    AT_HWCAP,
    AT_CLKTCK,
    AT_SECURE,
    AT_BASE_PLATFORM,
    AT_RANDOM,
    AT_HWCAP2,
    AT_RSEQ_FEATURE_SIZE,
    AT_RSEQ_ALIGN,
    AT_HWCAP3,
    AT_HWCAP4,
    AT_EXECFN,
    AT_MINSIGSTKSZ,
    AT_SYSINFO_EHDR,
);

#[cfg(test)]
mod tests;
