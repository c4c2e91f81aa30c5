//! Restartable sequences: each thread registers an rseq area with the
//! kernel, which keeps the thread's current CPU (and NUMA node) in it, so
//! [`getcpu`](super::getcpu) is a load instead of a call.
//!
//! The area lives in the program's TLS segment (64 bytes, 64-byte
//! aligned), registered with the architecture's signature (x86_64
//! `0x53053053`, aarch64 `0xd428bc00`, riscv64 `0xf1401073`: the values
//! glibc uses, so code written for either recognises the other's aborts).
//! Its length is the original 32 bytes, or the kernel's
//! `AT_RSEQ_FEATURE_SIZE` rounded up to `AT_RSEQ_ALIGN` when that is
//! larger and fits; `node_id` is read only when the feature size covers
//! it (Linux 6.3 and later).
//!
//! freestand-rt registers every thread it spawns before the thread's
//! first line of user code; the main thread registers on its first
//! `getcpu` or [`area`] (so a program that never asks pays nothing).
//! `FREESTAND_RSEQ=off` in the initial environment (read like
//! `FREESTAND_VDSO`, ignored under `AT_SECURE`) switches registration off
//! for the run, for programs that register rseq themselves. qemu-user
//! answers `ENOSYS`; everything then falls back to the vDSO or the system
//! call, and [`status`] says why.
//!
//! # Writing your own critical sections
//!
//! [`area`] gives the calling thread's registered area. Runtime authors
//! may build rseq critical sections on it as the kernel's rseq(2)
//! describes: store a `struct rseq_cs` pointer in `rseq_cs` (offset 8), end
//! each abort handler's preceding 4 bytes with [`SIGNATURE`], never keep
//! the area's address past the thread's end, and never unregister it
//! (freestand-rt does that itself for a thread that frees its own stack).

use crate::arch::syscall4;
use crate::errno::{Errno, decode_unit};
use crate::local::{RSEQ_ALIGN, RSEQ_AREA, rseq_area, thread};
use crate::nr::__NR_rseq;
use core::ptr::NonNull;

/// The signature that must precede every abort handler of this thread's
/// critical sections.
pub const SIGNATURE: u32 = crate::arch::RSEQ_SIG;

/// `struct rseq`'s original size; a registration of this length is
/// accepted by every kernel with rseq (4.18 and later).
const ORIG_LEN: u32 = 32;

/// `RSEQ_FLAG_UNREGISTER` (`include/uapi/linux/rseq.h`, `enum
/// rseq_flags`), which `linux-raw-sys` does not carry.
const FLAG_UNREGISTER: usize = 1;

/// Offsets in `struct rseq` (`include/uapi/linux/rseq.h`).
const CPU_ID: usize = 4;
const NODE_ID: usize = 20;

/// The kernel's `struct rseq`, as far as the kernel fills it in
/// (`include/uapi/linux/rseq.h`).
#[repr(C, align(32))]
#[derive(Debug)]
pub struct Rseq {
    /// The CPU the thread runs on, always valid once registered.
    pub cpu_id_start: u32,
    /// The CPU the thread runs on, or a negative value when not
    /// registered (-1) or registration failed (-2).
    pub cpu_id: u32,
    /// The current critical section's descriptor, or 0.
    pub rseq_cs: u64,
    /// Flags (`RSEQ_CS_FLAG_*`, deprecated).
    pub flags: u32,
    /// The NUMA node of `cpu_id` (feature size 24 and up).
    pub node_id: u32,
    /// The memory-map concurrency id (feature size 28 and up).
    pub mm_cid: u32,
}

/// Whether the calling thread's rseq area is registered, and if not why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Registered, with this length; `node` says whether the kernel fills
    /// in `node_id`.
    Registered {
        /// The length given to the kernel.
        len: u32,
        /// Whether `node_id` is kept up to date.
        node: bool,
    },
    /// Not tried yet on this thread.
    NotTried,
    /// Switched off by `FREESTAND_RSEQ=off`.
    Off,
    /// The kernel refused: `ENOSYS` (no rseq, or qemu-user), `EBUSY`
    /// (someone else registered an area for this thread), `EINVAL`.
    Refused(Errno),
}

impl core::fmt::Display for Status {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Status::Registered { len, node: true } => {
                write!(f, "rseq registered ({len} bytes, cpu and node)")
            }
            Status::Registered { len, node: false } => {
                write!(f, "rseq registered ({len} bytes, cpu only)")
            }
            Status::NotTried => f.write_str("rseq not registered yet on this thread"),
            Status::Off => write!(f, "rseq off ({}=off)", SWITCH_VAR),
            Status::Refused(e) => write!(f, "rseq refused: {e}"),
        }
    }
}

/// The environment variable that switches rseq registration off:
/// `FREESTAND_RSEQ=off`.
pub const SWITCH_VAR: &str = "FREESTAND_RSEQ";

/// The length to register and whether `node_id` is filled in, from the
/// kernel's feature size and alignment (0 when the auxiliary vector has
/// none: a kernel older than 6.3 fills the original fields only).
fn plan(feature_size: usize, align: usize) -> (u32, bool) {
    let node = feature_size >= NODE_ID + 4;
    let wanted = feature_size.next_multiple_of(align.max(1));
    if feature_size > ORIG_LEN as usize && wanted <= RSEQ_AREA && align <= RSEQ_ALIGN {
        (wanted as u32, node)
    } else {
        (ORIG_LEN, node)
    }
}

/// Registers the calling thread's rseq area, unless it is already or the
/// switch is off; a refusal is kept, so later calls do not ask again.
///
/// # Errors
/// Why the area is not registered (see [`Status`]), as an errno for a
/// refusal, `EPERM` for the switch.
///
/// # References
/// rseq(2), the kernel's `include/uapi/linux/rseq.h`
pub fn register() -> Result<(), Errno> {
    match status() {
        Status::Registered { .. } => Ok(()),
        Status::Off => Err(Errno::EPERM),
        Status::Refused(e) => Err(e),
        Status::NotTried => try_register(),
    }
}

/// Registers the area for the first time on this thread.
#[cold]
fn try_register() -> Result<(), Errno> {
    let t = thread();
    t.rseq_tried.set(true);
    let startup = crate::route::rseq_startup();
    if startup.off() {
        return Err(Errno::EPERM);
    }
    let (len, _) = plan(startup.feature_size, startup.align);
    // SAFETY: the area is this thread's own, in its TLS block, which lives
    // as long as the thread; it is aligned and `len` bytes long (`plan`
    // keeps within it). The kernel writes to it until the thread ends or
    // it is unregistered.
    let r = decode_unit(unsafe {
        syscall4(
            __NR_rseq,
            rseq_area() as usize,
            len as usize,
            0,
            SIGNATURE as usize,
        )
    });
    match r {
        Ok(()) => {
            t.rseq_len.set(len);
            Ok(())
        }
        Err(e) => {
            t.rseq_refused.set(e.raw() as u16);
            Err(e)
        }
    }
}

/// Unregisters the calling thread's area, if registered: a thread must do
/// this before the memory of its TLS block goes away while it still runs
/// (freestand-rt does, for a thread that unmaps its own stack).
///
/// # References
/// rseq(2) (`RSEQ_FLAG_UNREGISTER`)
pub fn unregister() {
    let t = thread();
    let len = t.rseq_len.replace(0);
    if len != 0 {
        // SAFETY: the same area, length and signature as registered.
        unsafe {
            syscall4(
                __NR_rseq,
                rseq_area() as usize,
                len as usize,
                FLAG_UNREGISTER,
                SIGNATURE as usize,
            )
        };
    }
}

/// The calling thread's rseq status.
///
/// # References
/// rseq(2)
pub fn status() -> Status {
    let t = thread();
    if t.rseq_len.get() != 0 {
        let node = crate::route::rseq_startup().feature_size >= NODE_ID + 4;
        return Status::Registered {
            len: t.rseq_len.get(),
            node,
        };
    }
    if !t.rseq_tried.get() {
        return Status::NotTried;
    }
    match t.rseq_refused.get() {
        0 => Status::Off,
        e => Status::Refused(Errno::from_raw(e as i32).unwrap_or(Errno::EINVAL)),
    }
}

/// The calling thread's registered rseq area, registering it first if this
/// thread has not tried yet; `None` if it cannot be (see [`status`]).
///
/// # References
/// rseq(2)
pub fn area() -> Option<NonNull<Rseq>> {
    register().ok()?;
    NonNull::new(rseq_area().cast())
}

/// The CPU (and node, if kept) from the registered area, or `None` if the
/// area is not registered.
#[inline(always)]
pub(super) fn read() -> Option<(u32, Option<u32>)> {
    let a = rseq_area();
    // SAFETY: the area is this thread's; the kernel updates it between
    // this thread's instructions, never concurrently with them, but the
    // compiler must not assume it unchanged: volatile.
    let cpu = unsafe { a.add(CPU_ID).cast::<u32>().read_volatile() };
    if (cpu as i32) < 0 {
        return None;
    }
    let node = node_kept().then(|| {
        // SAFETY: as above.
        unsafe { a.add(NODE_ID).cast::<u32>().read_volatile() }
    });
    Some((cpu, node))
}

/// Whether the kernel keeps `node_id` (read once from the start-up data).
#[inline(always)]
fn node_kept() -> bool {
    use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
    static KEPT: AtomicU8 = AtomicU8::new(0);
    match KEPT.load(Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let yes = crate::route::rseq_startup().feature_size >= NODE_ID + 4;
            KEPT.store(1 + yes as u8, Relaxed);
            yes
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_follows_the_feature_size_and_alignment() {
        assert_eq!(plan(0, 0), (32, false));
        assert_eq!(plan(20, 32), (32, false));
        assert_eq!(plan(28, 32), (32, true));
        assert_eq!(plan(33, 32), (64, true));
        assert_eq!(
            plan(40, 128),
            (32, true),
            "an alignment above the area's own"
        );
        assert_eq!(plan(100, 32), (32, true), "a feature size beyond the area");
    }
}
