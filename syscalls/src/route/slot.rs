//! The per-call slots (one cached function pointer each, resolved on
//! first use) and the return-value rule with its retry.

use super::call::Reason;
use super::image::find_query;
use crate::Errno;
use core::sync::atomic::{AtomicPtr, Ordering};
use freestand_vdso::Query;

/// One cached function pointer: a routed call's slot.
pub(crate) struct Slot {
    ptr: AtomicPtr<()>,
}

impl Slot {
    /// A slot that starts out at `resolver`, a function with the slot's C
    /// signature that calls [`Slot::resolve`].
    pub(crate) const fn new(resolver: *mut ()) -> Slot {
        Slot {
            ptr: AtomicPtr::new(resolver),
        }
    }

    /// The function to call: the resolver, the vDSO function or the shim.
    #[inline(always)]
    pub(crate) fn get(&self) -> *mut () {
        self.ptr.load(Ordering::Relaxed)
    }

    /// Resolves the slot: stores and returns the vDSO function if the vDSO
    /// serves the call, else `shim`. `query` is the slot's
    /// [`Call::query`].
    ///
    /// [`Call::query`]: super::Call::query
    #[inline(always)]
    pub(crate) fn resolve(&self, shim: *mut (), query: Option<Query<'static>>) -> *mut () {
        let f = match find_query(query) {
            Ok(a) => a as *mut (),
            // Transient: leave the slot for a later call to resolve.
            Err(Reason::Busy) => return shim,
            Err(_) => shim,
        };
        self.ptr.store(f, Ordering::Relaxed);
        f
    }
}

/// Applies the return-value rule to `$ret`, the result of calling `$used`:
/// success (`>= 0`) becomes `Ok(value as usize)`; `-EINVAL` is final; any
/// other error from a vDSO function is retried with `$retry`, an expression
/// that makes the system call.
///
/// A macro rather than a function so that `$retry` (a closure capturing the
/// call's arguments) is built only on the error path: built before the
/// branch, its captures cost a few stores on every call.
macro_rules! finish {
    ($ret:expr, $used:expr, $shim:expr, $retry:expr) => {{
        let r = $crate::route::Ret::widen($ret);
        if r >= 0 {
            Ok(r as usize)
        } else {
            $crate::route::retry(r, $used != $shim, move || $crate::route::Ret::widen($retry))
        }
    }};
}
pub(crate) use finish;

/// The return types of vDSO functions: C `int` and `long`.
pub(crate) trait Ret: Copy {
    /// Sign-extends to `isize`.
    fn widen(self) -> isize;
}

impl Ret for i32 {
    #[inline(always)]
    fn widen(self) -> isize {
        self as isize
    }
}

impl Ret for isize {
    #[inline(always)]
    fn widen(self) -> isize {
        self
    }
}

/// The error path of [`finish!`].
#[cold]
#[inline(never)]
pub(crate) fn retry(
    r: isize,
    was_vdso: bool,
    syscall: impl FnOnce() -> isize,
) -> Result<usize, Errno> {
    let r = if was_vdso && r != -(Errno::EINVAL.raw() as isize) {
        syscall()
    } else {
        r
    };
    crate::errno::decode(r as usize)
}

/// Defines the slot `$slot` for `$call`, whose C signature is
/// `fn($($ty),*) -> $ret` and whose system-call shim is `$shim`. The slot
/// starts at a resolver that resolves it and finishes the call.
macro_rules! slot {
    ($slot:ident, $call:expr, $shim:path, fn($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        static $slot: $crate::route::Slot = $crate::route::Slot::new({
            unsafe extern "C" fn resolver($($arg: $ty),*) -> $ret {
                let f = $slot.resolve($shim as *mut (), const { $call.query() });
                // SAFETY: `resolve` returns either the vDSO function of
                // this call, which has this C signature, or `$shim`, which
                // has it too; the caller upholds the function's contract
                // for these arguments, as it does for the slot's function.
                unsafe {
                    core::mem::transmute::<*mut (), unsafe extern "C" fn($($ty),*) -> $ret>(f)(
                        $($arg),*
                    )
                }
            }
            resolver as *mut ()
        });
    };
}
pub(crate) use slot;
