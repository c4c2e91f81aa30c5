//! Files and directories: opening and closing ([`openat`], [`close`]),
//! descriptors ([`dup3`], [`pipe2`], [`close_range`], [`lseek`]...),
//! status ([`fstat`], [`fstatat`], [`statx`]), reading directories
//! ([`Dir`]), names ([`mkdirat`], [`unlinkat`], [`renameat2`],
//! [`readlinkat`], [`chdir`]) and mounts ([`mount`], [`umount2`]).
//!
//! # `EINTR`
//!
//! No call here retries. Most of them never report `EINTR` on local
//! filesystems; [`openat`] of a FIFO or a device, [`close`] and
//! [`ftruncate`] may, and the caller decides. After an `EINTR` from
//! `close` the descriptor is closed anyway: never close it again.

// openat, close, OFlags and AT_FDCWD.
mod open;
// dup, dup3, pipe2, close_range, lseek, fsync, ftruncate.
mod fd;
// fstat, fstatat, statx.
mod stat;
// getdents64 and the Dir reader.
mod dir;
// mkdirat, unlinkat, renameat2, readlinkat, chdir, fchdir; AtFlags.
mod path;
// mount and umount2.
mod mount;

pub use dir::{Dir, DirEntry, FileType, getdents64};
pub use fd::{
    CloseRangeFlags, DupFlags, PipeFlags, SeekFrom, close_range, dup, dup3, fdatasync, fsync,
    ftruncate, lseek, pipe2,
};
pub use mount::{MountFlags, UnmountFlags, mount, umount2};
pub use open::{AT_FDCWD, OFlags, close, openat};
pub use path::{AtFlags, RenameFlags, chdir, fchdir, mkdirat, readlinkat, renameat2, unlinkat};
pub use stat::{Stat, Statx, StatxMask, fstat, fstatat, statx};
