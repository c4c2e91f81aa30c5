//! Mounting filesystems: [`mount`] and [`umount2`].

use crate::arch::{syscall2, syscall5};
use crate::errno::{Errno, decode_unit};
use core::ffi::CStr;
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Flags for [`mount`] (`MS_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct MountFlags: u32 {
        /// Read-only.
        const RDONLY = k::MS_RDONLY;
        /// Ignore set-user-id and set-group-id bits.
        const NOSUID = k::MS_NOSUID;
        /// No access to device files.
        const NODEV = k::MS_NODEV;
        /// No program runs from it.
        const NOEXEC = k::MS_NOEXEC;
        /// Writes are synchronous.
        const SYNCHRONOUS = k::MS_SYNCHRONOUS;
        /// Change the flags of an existing mount.
        const REMOUNT = k::MS_REMOUNT;
        /// Directory changes are synchronous.
        const DIRSYNC = k::MS_DIRSYNC;
        /// Do not follow symbolic links.
        const NOSYMFOLLOW = k::MS_NOSYMFOLLOW;
        /// Do not update access times.
        const NOATIME = k::MS_NOATIME;
        /// Do not update directories' access times.
        const NODIRATIME = k::MS_NODIRATIME;
        /// Make `source` (a file or directory) visible at `target` too.
        const BIND = k::MS_BIND;
        /// Move the mount at `source` to `target`.
        const MOVE = k::MS_MOVE;
        /// With `BIND` or a propagation flag: the whole subtree.
        const REC = k::MS_REC;
        /// Fewer kernel log messages.
        const SILENT = k::MS_SILENT;
        /// Propagation: cannot be bind-mounted.
        const UNBINDABLE = k::MS_UNBINDABLE;
        /// Propagation: private.
        const PRIVATE = k::MS_PRIVATE;
        /// Propagation: receives from its peer group, sends nothing.
        const SLAVE = k::MS_SLAVE;
        /// Propagation: shared with its peer group.
        const SHARED = k::MS_SHARED;
        /// Update access times relative to modification times.
        const RELATIME = k::MS_RELATIME;
        /// Always update access times.
        const STRICTATIME = k::MS_STRICTATIME;
        /// Keep time updates in memory only.
        const LAZYTIME = k::MS_LAZYTIME;
    }
}

bitflags::bitflags! {
    /// Flags for [`umount2`] (`MNT_*`, `UMOUNT_*`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct UnmountFlags: u32 {
        /// Force it, even when busy (NFS), losing data.
        const FORCE = k::MNT_FORCE;
        /// Detach it now, and clean up when it is no longer busy.
        const DETACH = k::MNT_DETACH;
        /// Mark it expired; a second call unmounts it if still unused.
        const EXPIRE = k::MNT_EXPIRE;
        /// Do not follow a final symbolic link in `target`.
        const NOFOLLOW = k::UMOUNT_NOFOLLOW;
    }
}

/// Mounts filesystem `fstype` from `source` at directory `target`, with
/// filesystem options `data` (such as `c"mode=755"`); or, with `REMOUNT`,
/// `BIND`, `MOVE` or a propagation flag, changes a mount (then `fstype`
/// and often `source` are ignored, and may be `None`).
///
/// # Errors
/// `EPERM` without `CAP_SYS_ADMIN`; `ENODEV` for an unknown filesystem
/// type; `ENOENT`, `ENOTDIR`; `EBUSY`; `EINVAL` for bad flags or a
/// `source` that is not a mount for `MOVE`.
///
/// # References
/// mount(2)
pub fn mount(
    source: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: MountFlags,
    data: Option<&CStr>,
) -> Result<(), Errno> {
    let ptr = |s: Option<&CStr>| s.map_or(0, |s| s.as_ptr() as usize);
    // SAFETY: the kernel reads the NUL-terminated strings given (null for
    // `None`) and nothing else.
    decode_unit(unsafe {
        syscall5(
            crate::nr::__NR_mount,
            ptr(source),
            target.as_ptr() as usize,
            ptr(fstype),
            flags.bits() as usize,
            ptr(data),
        )
    })
}

/// Unmounts the filesystem mounted at `target`.
///
/// # Errors
/// `EBUSY` while in use (unless `DETACH`); `EINVAL` when `target` is not
/// a mount point; `EPERM`; `EAGAIN` for the first `EXPIRE` call.
///
/// # References
/// umount(2) (`umount2`)
pub fn umount2(target: &CStr, flags: UnmountFlags) -> Result<(), Errno> {
    // SAFETY: the kernel reads the NUL-terminated `target` only.
    decode_unit(unsafe {
        syscall2(
            crate::nr::__NR_umount2,
            target.as_ptr() as usize,
            flags.bits() as usize,
        )
    })
}
