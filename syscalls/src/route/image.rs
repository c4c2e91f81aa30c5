//! The opened vDSO, published once: opened by the first resolution (or
//! the first [`base`]), then read without a lock; and the lookup of a
//! call's function in it.

use super::call::{Call, Reason};
use super::startup::{Switch, startup};
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};
use freestand_vdso::{Error as ParseError, Query, Resolver};

/// Held by the one caller that opens the vDSO.
///
/// Nobody waits for it: a caller that finds it held (another thread, or
/// this thread interrupted by a signal handler that makes a routed call,
/// for which waiting would never end) gets [`Reason::Busy`], is served by
/// the system call, and leaves its slot for a later call to resolve. Once
/// the image is open ([`OPENED`]), nobody takes the lock again, so `Busy`
/// can only happen while the first open is under way. A `spin::Once`
/// would do the same, but its `panic!` for a poisoned `Once` would link
/// the panic handler and `core::fmt` into every program that routes a
/// call.
static OPENING: spin::Mutex<()> = spin::Mutex::new(());

/// The opened vDSO, or why there is none: written once, by the holder of
/// [`OPENING`], before [`OPENED`] is set, and never again.
static IMAGE: Published = Published(UnsafeCell::new(MaybeUninit::uninit()));

/// Whether [`IMAGE`] holds the opened vDSO (set with `Release` after it was
/// written; read with `Acquire`).
static OPENED: AtomicBool = AtomicBool::new(false);

/// The storage of [`IMAGE`].
struct Published(UnsafeCell<MaybeUninit<Result<Resolver<'static>, Reason>>>);

// SAFETY: the contents are written only by the holder of OPENING while
// OPENED is false, and read only after OPENED was seen true, so no access
// races a write; `Resolver` and `Reason` are plain data (`Copy`).
unsafe impl Sync for Published {}

/// Opens the vDSO the runtime reported, or says why there is none.
/// Inlined into [`open_once`], so that the opened image is built where it
/// is kept instead of being copied there.
#[inline(always)]
fn open() -> Result<Resolver<'static>, Reason> {
    let startup = startup().ok_or(Reason::NotSetUp)?;
    if Switch::from_startup(&startup) == Switch::Off {
        return Err(Reason::Disabled);
    }
    if startup.sysinfo_ehdr == 0 {
        return Err(Reason::NoSysinfoEhdr);
    }
    // SAFETY: `set_startup`'s contract: the address is a vDSO image mapped
    // for the rest of the process.
    unsafe { Resolver::from_sysinfo_ehdr(startup.sysinfo_ehdr) }.map_err(Reason::Parse)
}

/// The opened vDSO (opening it if no resolution has), or why there is
/// none; [`Reason::Busy`] while another caller is opening it.
#[inline]
fn opened() -> Result<&'static Resolver<'static>, Reason> {
    if !OPENED.load(Ordering::Acquire) {
        open_once()?;
    }
    // SAFETY: OPENED is true, so IMAGE was written (see `open_once`) and
    // is never written again.
    let image = unsafe { (*IMAGE.0.get()).assume_init_ref() };
    image.as_ref().map_err(|r| *r)
}

/// [`opened`] for the first callers: takes [`OPENING`], opens the image
/// and publishes it, unless another caller holds the lock or already did.
#[inline(always)]
fn open_once() -> Result<(), Reason> {
    let _opening = OPENING.try_lock().ok_or(Reason::Busy)?;
    if !OPENED.load(Ordering::Acquire) {
        // SAFETY: the only write to IMAGE: with OPENING held and OPENED
        // false, no other caller reads or writes it.
        unsafe { (*IMAGE.0.get()).write(open()) };
        OPENED.store(true, Ordering::Release);
    }
    Ok(())
}

/// The address of the vDSO the routing layer uses, or why there is none
/// (opening it if nothing has yet).
pub fn base() -> Result<usize, Reason> {
    opened().map(|v| v.image().as_ptr() as usize)
}

/// Finds `call`'s vDSO function: its address, or why it is not used.
pub(super) fn find(call: Call) -> Result<usize, Reason> {
    find_query(call.query())
}

/// [`find`] for the call whose query is `query`.
#[cold]
#[inline(never)]
pub(super) fn find_query(query: Option<Query<'static>>) -> Result<usize, Reason> {
    let vdso = opened()?;
    let query = query.ok_or(Reason::NotOnThisArch)?;
    let found = vdso.find(&query).map_err(|e| match e {
        ParseError::VersionNotFound => Reason::VersionNotFound,
        ParseError::SymbolNotFound => Reason::SymbolNotFound,
        e => Reason::Parse(e),
    })?;
    let image = vdso.image().as_ptr_range();
    let address = usize::try_from(found.address).map_err(|_| Reason::AddressOutsideImage)?;
    if !(image.start as usize..image.end as usize).contains(&address) {
        return Err(Reason::AddressOutsideImage);
    }
    Ok(address)
}
