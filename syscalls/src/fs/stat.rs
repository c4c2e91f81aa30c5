//! File status: [`fstat`].

use crate::arch::syscall2;
use crate::errno::{Errno, decode_unit};
use crate::io::Fd;
use crate::nr::__NR_fstat;
use core::mem::MaybeUninit;

/// File status, as the kernel's `struct stat` for this architecture.
pub use linux_raw_sys::general::stat as Stat;

/// The status of the open file `fd`.
///
/// # References
/// fstat(2)
#[inline]
pub fn fstat(fd: Fd) -> Result<Stat, Errno> {
    let mut st = MaybeUninit::<Stat>::uninit();
    // SAFETY: the kernel writes one `struct stat` of this architecture,
    // which is what `Stat` is, into `st`.
    decode_unit(unsafe { syscall2(__NR_fstat, fd as usize, st.as_mut_ptr() as usize) })?;
    // SAFETY: a successful `fstat` filled every field.
    Ok(unsafe { st.assume_init() })
}
