//! How the vDSO's `getrandom` (`vgetrandom` in the kernel's
//! `lib/vdso/getrandom.c`) wants its opaque states made: asked once, the
//! first time a call or [`route`](super::route) needs it. The states
//! themselves are per thread, from the pool in `crate::random`.

use super::call::{Call, Reason};
use super::image::find;
use crate::errno::decode;
use crate::mm::{MapFlags, ProtFlags};
use core::mem::transmute;
use core::sync::atomic::{AtomicBool, Ordering};
use linux_raw_sys::general as k;

/// The C signature of `__vdso_getrandom`: buffer, length, flags, opaque
/// state and the state's length.
pub(crate) type GetrandomFn = unsafe extern "C" fn(*mut u8, usize, u32, *mut u8, usize) -> isize;

/// The vDSO function and how its opaque states are made: what the
/// kernel's parameter query answered.
pub(crate) struct State {
    /// `__vdso_getrandom`.
    pub(crate) function: usize,
    /// The size of one state.
    pub(crate) len: usize,
    /// The protection and flags the states' mapping must have.
    pub(crate) prot: ProtFlags,
    /// See `prot`.
    pub(crate) flags: MapFlags,
}

static STATE: spin::Once<Result<State, Reason>> = spin::Once::new();

/// Set by the first caller that starts setting the state up; never cleared.
static SETTING_UP: AtomicBool = AtomicBool::new(false);

/// Sets the state up for the vDSO function `found` (the result of the one
/// [`find`] that [`set_up_once`] made).
#[cold]
fn set_up(found: Result<usize, Reason>) -> Result<State, Reason> {
    let function = found?;
    // SAFETY: `find` returns the address of `__vdso_getrandom`, whose C
    // signature `GetrandomFn` is.
    let f: GetrandomFn = unsafe { transmute(function) };
    let mut params = k::vgetrandom_opaque_params {
        size_of_opaque_state: 0,
        mmap_prot: 0,
        mmap_flags: 0,
        reserved: [0; 13],
    };
    // SAFETY: the documented parameter query: null buffer, length 0, flags
    // 0, a writable `vgetrandom_opaque_params` and state length ~0.
    let ret = unsafe {
        f(
            core::ptr::null_mut(),
            0,
            0,
            (&raw mut params).cast(),
            usize::MAX,
        )
    };
    if ret != 0 {
        return Err(Reason::StateSetup(decode(ret as usize).err()));
    }
    let len = params.size_of_opaque_state as usize;
    // One state must fit in a page (it may not cross a page boundary), and
    // the smallest page Linux has is 4 KiB.
    if len == 0 || len > 4096 {
        return Err(Reason::StateSetup(None));
    }
    let flags = MapFlags::from_bits_retain(params.mmap_flags);
    if flags.intersects(MapFlags::FIXED | MapFlags::FIXED_NOREPLACE) {
        return Err(Reason::StateSetup(None));
    }
    Ok(State {
        function,
        len,
        prot: ProtFlags::from_bits_retain(params.mmap_prot),
        flags,
    })
}

/// The state if the vDSO serves `getrandom`, else why not; set up on the
/// first call.
#[inline]
pub(crate) fn state() -> Result<&'static State, Reason> {
    let state = match STATE.get() {
        Some(s) => s,
        None => set_up_once()?,
    };
    state.as_ref().map_err(|r| *r)
}

/// Sets the state up unless that is done or in progress. As for the vDSO
/// itself (see `image::OPENING`), it never waits for a set-up in progress,
/// which may be this thread's, interrupted by a signal handler.
///
/// It looks the function up once and hands that result to [`set_up`]: a
/// second lookup could meet a transient [`Reason::Busy`], which the state
/// would then keep for good.
#[cold]
fn set_up_once() -> Result<&'static Result<State, Reason>, Reason> {
    let found = find(Call::Getrandom);
    if found == Err(Reason::Busy) || SETTING_UP.swap(true, Ordering::Acquire) {
        return STATE.get().ok_or(Reason::Busy);
    }
    Ok(STATE.call_once(|| set_up(found)))
}
