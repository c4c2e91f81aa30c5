//! Process attributes through `prctl`: the child subreaper, the parent
//! death signal and the thread's name.

use crate::arch::syscall2;
use crate::errno::{Errno, decode};
use crate::nr::__NR_prctl;
use crate::signal::Signal;
use core::ffi::CStr;
use linux_raw_sys::prctl as pr;

/// `prctl(option, arg)`, the other arguments 0.
///
/// # Safety
///
/// `arg` must be what `option` takes: an integer, or a pointer to memory
/// of the size and access that `option` reads or writes.
unsafe fn prctl(option: u32, arg: usize) -> Result<usize, Errno> {
    // SAFETY: the caller matches `arg` to `option`; the remaining
    // arguments are unused by the options called here.
    decode(unsafe { syscall2(__NR_prctl, option as usize, arg) })
}

/// Makes the calling process a subreaper (or stops it being one): orphans
/// among its descendants are reparented to it instead of to the
/// namespace's init, so it can wait for them. What an init that is not
/// pid 1 (such as `tini -s`) sets.
///
/// # Errors
/// None in practice (`EINVAL` before Linux 3.4).
///
/// # References
/// PR_SET_CHILD_SUBREAPER(2const), prctl(2)
pub fn set_child_subreaper(on: bool) -> Result<(), Errno> {
    // SAFETY: the option takes an integer.
    unsafe { prctl(pr::PR_SET_CHILD_SUBREAPER, usize::from(on)) }.map(drop)
}

/// Whether the calling process is a subreaper.
///
/// # Errors
/// None in practice.
///
/// # References
/// PR_GET_CHILD_SUBREAPER(2const), prctl(2)
pub fn child_subreaper() -> Result<bool, Errno> {
    let mut on: i32 = 0;
    // SAFETY: the option writes one `int` at the address given, a live
    // local.
    unsafe { prctl(pr::PR_GET_CHILD_SUBREAPER, (&raw mut on) as usize) }?;
    Ok(on != 0)
}

/// Sets the signal the calling thread gets when the thread that created
/// it ends (`None`: no signal). Cleared by `fork` in the child, and by
/// `execve` of a set-user-id program. A child sets this right after
/// `fork`, then checks that its parent is still the one it expects, as
/// the parent may have ended before.
///
/// # Errors
/// `EINVAL` for a number that is not a signal.
///
/// # References
/// PR_SET_PDEATHSIG(2const), prctl(2)
pub fn set_pdeathsig(sig: Option<Signal>) -> Result<(), Errno> {
    // SAFETY: the option takes an integer.
    unsafe { prctl(pr::PR_SET_PDEATHSIG, sig.map_or(0, |s| s.0 as usize)) }.map(drop)
}

/// The calling thread's parent death signal, if any.
///
/// # Errors
/// None in practice.
///
/// # References
/// PR_GET_PDEATHSIG(2const), prctl(2)
pub fn pdeathsig() -> Result<Option<Signal>, Errno> {
    let mut sig: i32 = 0;
    // SAFETY: the option writes one `int` at the address given, a live
    // local.
    unsafe { prctl(pr::PR_GET_PDEATHSIG, (&raw mut sig) as usize) }?;
    Ok(Signal::new(sig))
}

/// Sets the calling thread's name (its `comm`, shown by `ps` and in
/// `/proc/self/task/*/comm`), cut to its first 15 bytes.
///
/// # Errors
/// None in practice.
///
/// # References
/// PR_SET_NAME(2const), prctl(2)
pub fn set_thread_name(name: &CStr) -> Result<(), Errno> {
    // The kernel reads at most 16 bytes; copying into a buffer of that
    // size first spares it from reading past a short string's end.
    let mut buf = [0u8; 16];
    let bytes = name.to_bytes();
    let n = bytes.len().min(15);
    buf[..n].copy_from_slice(&bytes[..n]);
    // SAFETY: the option reads a NUL-terminated string of at most 16
    // bytes from `buf`, which is 16 bytes long and ends with a NUL.
    unsafe { prctl(pr::PR_SET_NAME, buf.as_ptr() as usize) }.map(drop)
}

/// The calling thread's name: up to 15 bytes, then NULs.
///
/// # Errors
/// None in practice.
///
/// # References
/// PR_GET_NAME(2const), prctl(2)
pub fn thread_name() -> Result<[u8; 16], Errno> {
    let mut buf = [0u8; 16];
    // SAFETY: the option writes 16 bytes at the address given, a live
    // 16-byte local.
    unsafe { prctl(pr::PR_GET_NAME, buf.as_mut_ptr() as usize) }?;
    Ok(buf)
}

/// Sets whether the process may dump core and be attached to with
/// `ptrace` by its user (reset by `execve`).
///
/// # Errors
/// None in practice.
///
/// # References
/// PR_SET_DUMPABLE(2const), prctl(2)
pub fn set_dumpable(on: bool) -> Result<(), Errno> {
    // SAFETY: the option takes an integer.
    unsafe { prctl(pr::PR_SET_DUMPABLE, usize::from(on)) }.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_parent_death_signal_round_trip() {
        // The test harness runs this on a thread of its own: both
        // attributes are per thread.
        set_thread_name(c"freestand-test-with-a-long-name").unwrap();
        assert_eq!(&thread_name().unwrap(), b"freestand-test-\0");
        set_pdeathsig(Some(Signal::TERM)).unwrap();
        assert_eq!(pdeathsig(), Ok(Some(Signal::TERM)));
        set_pdeathsig(None).unwrap();
        assert_eq!(pdeathsig(), Ok(None));
        assert_eq!(set_pdeathsig(Some(Signal(99))), Err(crate::Errno::EINVAL));
        // Only read: making the test process a subreaper would change
        // where other tests' orphans go.
        assert!(child_subreaper().is_ok());
    }
}
