//! Rebooting, halting and powering off: [`reboot`].

use crate::arch::syscall4;
use crate::errno::{Errno, decode_unit};
use crate::nr::__NR_reboot;
use linux_raw_sys::general as k;

/// What [`reboot`] does (`LINUX_REBOOT_CMD_*`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RebootCmd {
    /// Restart the machine at once.
    Restart,
    /// Stop the machine, leaving it on.
    Halt,
    /// Turn the machine off, if it can.
    PowerOff,
    /// Ctrl-Alt-Del restarts at once.
    CadOn,
    /// Ctrl-Alt-Del sends `SIGINT` to init instead.
    CadOff,
}

/// Restarts, halts or powers off the machine at once, or sets what
/// Ctrl-Alt-Del does. Nothing is synced or unmounted first: call
/// `sync` and unmount before. Needs `CAP_SYS_BOOT`. In a pid namespace
/// other than the first, `Restart`, `Halt` and `PowerOff` end the
/// namespace's init instead (with `SIGHUP` or `SIGINT`).
///
/// # Errors
/// `EPERM` without `CAP_SYS_BOOT`; `EINVAL` for a command the namespace
/// does not allow.
///
/// # References
/// reboot(2)
pub fn reboot(cmd: RebootCmd) -> Result<(), Errno> {
    let cmd = match cmd {
        RebootCmd::Restart => k::LINUX_REBOOT_CMD_RESTART,
        RebootCmd::Halt => k::LINUX_REBOOT_CMD_HALT,
        RebootCmd::PowerOff => k::LINUX_REBOOT_CMD_POWER_OFF,
        RebootCmd::CadOn => k::LINUX_REBOOT_CMD_CAD_ON,
        RebootCmd::CadOff => k::LINUX_REBOOT_CMD_CAD_OFF,
    };
    // SAFETY: the magic numbers and command are integers; the fourth
    // argument (a string for `RESTART2`) is unused by these commands.
    decode_unit(unsafe {
        syscall4(
            __NR_reboot,
            k::LINUX_REBOOT_MAGIC1 as usize,
            k::LINUX_REBOOT_MAGIC2 as usize,
            cmd as usize,
            0,
        )
    })
}
