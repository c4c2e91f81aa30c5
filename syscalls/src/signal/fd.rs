//! Signals as a file: [`signalfd`] and the records read from it
//! ([`SignalfdSiginfo`]).

use super::{SigInfo, SigSet, Signal};
use crate::arch::{syscall3, syscall4};
use crate::errno::{Errno, decode};
use crate::io::Fd;
use crate::nr::{__NR_read, __NR_signalfd4};
use linux_raw_sys::general as k;

bitflags::bitflags! {
    /// Flags for [`signalfd`] (`SFD_*`). The kernel defines them as the
    /// `O_*` flags of the same names (`include/uapi/linux/signalfd.h`),
    /// which `linux-raw-sys` does not list under their own names.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct SfdFlags: u32 {
        /// Close the descriptor on `execve`.
        const CLOEXEC = k::O_CLOEXEC;
        /// Reads fail with `EAGAIN` instead of waiting.
        const NONBLOCK = k::O_NONBLOCK;
    }
}

/// One record read from a signalfd: the kernel's `struct signalfd_siginfo`
/// (`include/uapi/linux/signalfd.h`), 128 bytes on every architecture.
/// `linux-raw-sys` does not generate it, so it is declared here field by
/// field; [`SignalfdSiginfo::info`] gives the typed subset.
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SignalfdSiginfo {
    /// The signal.
    pub ssi_signo: u32,
    /// An error number attached by the sender.
    pub ssi_errno: i32,
    /// Why it was sent (`si_code`).
    pub ssi_code: i32,
    /// The sending process, or the child for `SIGCHLD`.
    pub ssi_pid: u32,
    /// The sender's real user id.
    pub ssi_uid: u32,
    /// The descriptor, for `SIGIO`.
    pub ssi_fd: i32,
    /// The kernel timer id, for POSIX timers.
    pub ssi_tid: u32,
    /// The band event, for `SIGIO`.
    pub ssi_band: u32,
    /// The overrun count, for POSIX timers.
    pub ssi_overrun: u32,
    /// The trap number of a hardware fault.
    pub ssi_trapno: u32,
    /// The exit status or signal, for `SIGCHLD`.
    pub ssi_status: i32,
    /// The integer sent by `sigqueue`.
    pub ssi_int: i32,
    /// The pointer sent by `sigqueue`.
    pub ssi_ptr: u64,
    /// User CPU time consumed, for `SIGCHLD`.
    pub ssi_utime: u64,
    /// System CPU time consumed, for `SIGCHLD`.
    pub ssi_stime: u64,
    /// The faulting address, for hardware faults.
    pub ssi_addr: u64,
    /// The least significant bit of the address, for `SIGBUS`.
    pub ssi_addr_lsb: u16,
    /// Padding.
    pub pad2: u16,
    /// The system call number, for `SIGSYS` from seccomp.
    pub ssi_syscall: i32,
    /// The address of the system call instruction, for `SIGSYS`.
    pub ssi_call_addr: u64,
    /// The architecture of the system call, for `SIGSYS`.
    pub ssi_arch: u32,
    /// Padding to 128 bytes.
    pub pad: [u8; 28],
}

const _: () = assert!(core::mem::size_of::<SignalfdSiginfo>() == 128);

impl SignalfdSiginfo {
    /// The same fields as [`sigtimedwait`](super::sigtimedwait) reports.
    pub fn info(&self) -> SigInfo {
        SigInfo {
            signal: Signal(self.ssi_signo as i32),
            code: self.ssi_code,
            errno: self.ssi_errno,
            pid: self.ssi_pid as i32,
            uid: self.ssi_uid,
            status: self.ssi_status,
        }
    }
}

/// Creates a descriptor from which the signals of `mask` are read instead
/// of delivered (`fd` is `None`), or changes the mask of signalfd `fd`.
/// The signals must be blocked ([`sigprocmask`](super::sigprocmask)), or
/// they are delivered as usual.
///
/// # Errors
/// `EINVAL` when `fd` is not a signalfd; `EMFILE`, `ENFILE`, `ENOMEM`.
///
/// # References
/// signalfd(2) (`signalfd4`)
pub fn signalfd(fd: Option<Fd>, mask: SigSet, flags: SfdFlags) -> Result<Fd, Errno> {
    // SAFETY: the kernel reads one `sigset_t` of the size passed from
    // `mask`, a live local.
    let r = unsafe {
        syscall4(
            __NR_signalfd4,
            fd.unwrap_or(-1) as usize,
            (&raw const mask) as usize,
            core::mem::size_of::<SigSet>(),
            flags.bits() as usize,
        )
    };
    decode(r).map(|fd| fd as Fd)
}

/// Reads as many pending signals from signalfd `fd` as `out` holds (at
/// least one: it waits unless the descriptor is non-blocking) and
/// returns how many records were filled.
///
/// # Errors
/// `EAGAIN` for a non-blocking descriptor with nothing pending; `EINTR`
/// when a handler ran while waiting (not retried); `EINVAL` when `out` is
/// empty.
///
/// # References
/// signalfd(2) ("Reading from the file descriptor"), read(2)
pub fn signalfd_read(fd: Fd, out: &mut [SignalfdSiginfo]) -> Result<usize, Errno> {
    let bytes = core::mem::size_of_val(out);
    // SAFETY: the kernel writes at most `bytes` bytes, whole records, into
    // `out`, which is exclusively borrowed; any bytes are valid for its
    // all-integer fields.
    let n = decode(unsafe { syscall3(__NR_read, fd as usize, out.as_mut_ptr() as usize, bytes) })?;
    Ok(n / core::mem::size_of::<SignalfdSiginfo>())
}
