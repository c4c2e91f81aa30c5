//! The terminal's foreground process group: [`tcgetpgrp`],
//! [`tcsetpgrp`], and [`isatty`].

use super::Pid;
use crate::arch::syscall3;
use crate::errno::{Errno, decode_unit};
use crate::io::Fd;
use crate::nr::__NR_ioctl;
use core::mem::MaybeUninit;
use linux_raw_sys::general as k;
use linux_raw_sys::ioctl as io;

/// The foreground process group of the terminal open as `fd`.
///
/// # Errors
/// `ENOTTY` when `fd` is not the caller's controlling terminal; `EBADF`.
///
/// # References
/// tcgetpgrp(3), TIOCGPGRP(2const), ioctl_tty(2)
pub fn tcgetpgrp(fd: Fd) -> Result<Pid, Errno> {
    let mut pgrp: i32 = 0;
    // SAFETY: `TIOCGPGRP` writes one `pid_t` (an `int`) at the address
    // given, a live local.
    decode_unit(unsafe {
        syscall3(
            __NR_ioctl,
            fd as usize,
            io::TIOCGPGRP as usize,
            (&raw mut pgrp) as usize,
        )
    })?;
    Pid::from_raw(pgrp).ok_or(Errno::ENOTTY)
}

/// Makes process group `pgrp` the foreground group of the terminal open
/// as `fd` (the caller's controlling terminal): it gets the terminal's
/// input and its `SIGINT`. A caller in a background group gets `SIGTTOU`
/// unless it blocks or ignores it, which is what an init does around
/// this call.
///
/// # Errors
/// `ENOTTY` when `fd` is not the caller's controlling terminal; `EPERM`
/// when `pgrp` is in another session; `EINTR` when `SIGTTOU` ran a
/// handler (not retried); `EBADF`.
///
/// # References
/// tcsetpgrp(3), TIOCSPGRP(2const), ioctl_tty(2)
pub fn tcsetpgrp(fd: Fd, pgrp: Pid) -> Result<(), Errno> {
    let pgrp = pgrp.as_raw();
    // SAFETY: `TIOCSPGRP` reads one `pid_t` (an `int`) at the address
    // given, a live local.
    decode_unit(unsafe {
        syscall3(
            __NR_ioctl,
            fd as usize,
            io::TIOCSPGRP as usize,
            (&raw const pgrp) as usize,
        )
    })
}

/// Whether `fd` is a terminal (its terminal settings can be read); false
/// also for a descriptor that is not open.
///
/// # References
/// isatty(3), TCGETS(2const), ioctl_tty(2)
pub fn isatty(fd: Fd) -> bool {
    let mut t = MaybeUninit::<k::termios>::uninit();
    // SAFETY: `TCGETS` writes one kernel `struct termios`, which is what
    // `k::termios` is, at the address given; it is never read here.
    let r = unsafe {
        syscall3(
            __NR_ioctl,
            fd as usize,
            io::TCGETS as usize,
            t.as_mut_ptr() as usize,
        )
    };
    decode_unit(r).is_ok()
}
