//! `thread_local!`: per-thread values, made on first use, dropped when
//! the thread ends.
//!
//! Stable Rust has no `#[thread_local]`, so each key gets a slot number
//! the first time any thread uses it, and each thread keeps, in its
//! control block, a table from slot numbers to its own boxed values. The
//! first 16 slots sit in the control block itself; later ones in a table
//! on the heap. A read is: the thread pointer, the slot, the value.
//!
//! A thread's values are dropped when it ends, in the reverse order of
//! their first use, after its closure has returned. The main thread's
//! values are dropped when the process exits through `main`'s return or
//! [`crate::exit::exit`] (not after a panic, which ends the process at
//! once).

use super::tcb;
use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use core::ptr;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

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
            fn __init() -> $t {
                $init
            }
            $crate::thread::LocalKey::new(__init)
        };
    };
}

/// Slots kept in the control block itself.
const INLINE: usize = 16;

/// A slot whose value was dropped as its thread ends (an address no
/// value can have).
const GONE: *mut u8 = ptr::dangling_mut::<u8>();

/// The next slot number to give a key.
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

/// A key of [`thread_local!`](crate::thread_local): how to make the value,
/// and the slot where each thread keeps its own.
pub struct LocalKey<T: 'static> {
    init: fn() -> T,
    /// The slot number plus one; 0 until first used.
    slot: AtomicUsize,
}

/// Why [`LocalKey::try_with`] found no value: the thread is ending and
/// the value was dropped already, or there was no memory to make it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("thread-local value unavailable: dropped as its thread ends, or no memory")
    }
}

impl<T: 'static> LocalKey<T> {
    /// A key whose values `init` makes. Use [`thread_local!`](crate::thread_local).
    #[doc(hidden)]
    pub const fn new(init: fn() -> T) -> LocalKey<T> {
        LocalKey {
            init,
            slot: AtomicUsize::new(0),
        }
    }

    /// Calls `f` with this thread's value, made first if needed.
    ///
    /// # Panics
    ///
    /// If the value is gone (used from another value's destructor after
    /// it was dropped) or could not be made; [`try_with`](Self::try_with)
    /// returns the error instead.
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
    /// ending) or could not be made.
    #[inline]
    pub fn try_with<R>(&'static self, f: impl FnOnce(&T) -> R) -> Result<R, AccessError> {
        let p = self.get().ok_or(AccessError { _private: () })?;
        // SAFETY: the calling thread's own value, alive until the thread
        // ends (after this call).
        Ok(f(unsafe { &*p }))
    }

    /// This thread's value.
    #[inline(always)]
    fn get(&'static self) -> Option<*const T> {
        let slot = self.slot.load(Relaxed).wrapping_sub(1);
        if let Some(t) = tcb::try_current() {
            // SAFETY: the calling thread's own block.
            let slots = unsafe { &(*t.as_ptr()).locals };
            if let Some(&p) = slots.inline.get(slot)
                && p.addr() > GONE.addr()
            {
                return Some(p.cast_const().cast());
            }
        }
        self.get_slow()
    }

    /// [`get`](Self::get) when the value is not in an inline slot yet.
    #[cold]
    #[inline(never)]
    fn get_slow(&'static self) -> Option<*const T> {
        let slot = self.slot_number();
        let t = tcb::current()?;
        // SAFETY: the calling thread's own block; the borrow ends before
        // `init` runs (which may use other keys).
        let found = unsafe { (*t.as_ptr()).locals.lookup(slot) };
        match found {
            p if p == GONE => return None,
            p if !p.is_null() => return Some(p.cast_const().cast()),
            _ => {}
        }
        let value = Box::into_raw(Box::new((self.init)()));
        // SAFETY: as above; `init` is done.
        let slots = unsafe { &mut (*t.as_ptr()).locals };
        if !slots.lookup(slot).is_null() {
            // `init` used this very key; as std, the first value made wins
            // and this one is dropped.
            // SAFETY: made just above and shared with nobody.
            drop(unsafe { Box::from_raw(value) });
        } else {
            slots.store(slot, value.cast());
            slots.dtors.push((value.cast(), drop_box::<T>));
        }
        Some(slots.lookup(slot).cast_const().cast())
    }

    /// This key's slot number, given out on first use.
    fn slot_number(&self) -> usize {
        let s = self.slot.load(Relaxed);
        if s != 0 {
            return s - 1;
        }
        let mine = NEXT_SLOT.fetch_add(1, Relaxed) + 1;
        match self.slot.compare_exchange(0, mine, Relaxed, Relaxed) {
            Ok(_) => mine - 1,
            Err(theirs) => theirs - 1,
        }
    }
}

/// Drops a value boxed by [`LocalKey`].
///
/// # Safety
///
/// `p` must come from `Box::<T>::into_raw` and not be used again.
unsafe fn drop_box<T>(p: *mut u8) {
    // SAFETY: per the caller.
    drop(unsafe { Box::from_raw(p.cast::<T>()) })
}

/// A thread's values: the slot table and the destructors in order of
/// first use.
pub(crate) struct Slots {
    inline: [*mut u8; INLINE],
    more: Vec<*mut u8>,
    dtors: Vec<Dtor>,
}

/// A value and the function that drops it.
type Dtor = (*mut u8, unsafe fn(*mut u8));

impl Slots {
    /// No values.
    pub(crate) const fn new() -> Slots {
        Slots {
            inline: [ptr::null_mut(); INLINE],
            more: Vec::new(),
            dtors: Vec::new(),
        }
    }

    /// The value in `slot`: null if none yet, [`GONE`] if dropped.
    fn lookup(&self, slot: usize) -> *mut u8 {
        match slot.checked_sub(INLINE) {
            None => self.inline[slot],
            Some(i) => self.more.get(i).copied().unwrap_or(ptr::null_mut()),
        }
    }

    /// Puts `p` in `slot`.
    fn store(&mut self, slot: usize, p: *mut u8) {
        match slot.checked_sub(INLINE) {
            None => self.inline[slot] = p,
            Some(i) => {
                if self.more.len() <= i {
                    self.more.resize(i + 1, ptr::null_mut());
                }
                self.more[i] = p;
            }
        }
    }

    /// Whether any value was ever made.
    pub(crate) fn is_empty(&self) -> bool {
        self.dtors.is_empty()
    }
}

/// Drops a thread's values, the last used first; values made meanwhile
/// (by a destructor) are dropped too. Their slots then read as gone.
pub(crate) fn run_destructors(slots: *mut Slots) {
    loop {
        // SAFETY: the ending thread's own table; the borrow ends before
        // the destructor runs, which may use other keys.
        let next = unsafe { (*slots).dtors.pop() };
        let Some((p, dtor)) = next else { break };
        // SAFETY: as above.
        unsafe { (*slots).mark_gone(p) };
        // SAFETY: `p` was boxed by `get_slow` with this destructor and is
        // no longer reachable through the table.
        unsafe { dtor(p) };
    }
    // SAFETY: as above; no destructor is left to run.
    unsafe {
        (*slots).more = Vec::new();
        (*slots).dtors = Vec::new();
    }
}

impl Slots {
    /// Marks the slot holding `p` as gone.
    fn mark_gone(&mut self, p: *mut u8) {
        for s in self.inline.iter_mut().chain(self.more.iter_mut()) {
            if *s == p {
                *s = GONE;
            }
        }
    }
}
