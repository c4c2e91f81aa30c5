//! Resource limits: [`getrlimit`] and [`setrlimit`], through `prlimit64`
//! on the calling process (riscv64 has no `getrlimit`/`setrlimit`
//! system calls).

use crate::arch::syscall4;
use crate::errno::{Errno, decode_unit};
use crate::nr::__NR_prlimit64;
use linux_raw_sys::general as k;

/// A resource with a limit (`RLIMIT_*`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    /// CPU time, in seconds.
    Cpu,
    /// The size of files written, in bytes.
    Fsize,
    /// The data segment and heap, in bytes.
    Data,
    /// The main thread's stack, in bytes.
    Stack,
    /// Core dump files, in bytes; 0 turns core dumps to files off.
    Core,
    /// Processes and threads of the real user.
    Nproc,
    /// Open file descriptors (one more than the highest number).
    Nofile,
    /// Locked memory, in bytes.
    Memlock,
    /// Address space, in bytes.
    As,
    /// Signals queued for the real user.
    Sigpending,
}

impl Resource {
    fn raw(self) -> u32 {
        match self {
            Resource::Cpu => k::RLIMIT_CPU,
            Resource::Fsize => k::RLIMIT_FSIZE,
            Resource::Data => k::RLIMIT_DATA,
            Resource::Stack => k::RLIMIT_STACK,
            Resource::Core => k::RLIMIT_CORE,
            Resource::Nproc => k::RLIMIT_NPROC,
            Resource::Nofile => k::RLIMIT_NOFILE,
            Resource::Memlock => k::RLIMIT_MEMLOCK,
            Resource::As => k::RLIMIT_AS,
            Resource::Sigpending => k::RLIMIT_SIGPENDING,
        }
    }
}

/// A soft and a hard limit; `None` is no limit (`RLIM_INFINITY`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rlimit {
    /// The limit the kernel enforces.
    pub soft: Option<u64>,
    /// The ceiling for `soft`; only a privileged process may raise it.
    pub hard: Option<u64>,
}

/// `RLIM_INFINITY` as the 64-bit value `prlimit64` takes.
const INFINITY: u64 = k::RLIM_INFINITY as u64;

fn to_raw(v: Option<u64>) -> u64 {
    v.unwrap_or(INFINITY)
}

fn from_raw(v: u64) -> Option<u64> {
    (v != INFINITY).then_some(v)
}

/// The calling process's limits for `resource`.
///
/// # Errors
/// None in practice.
///
/// # References
/// getrlimit(2) (`prlimit64`)
pub fn getrlimit(resource: Resource) -> Result<Rlimit, Errno> {
    let mut old = k::rlimit64 {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: no new limit (null); the kernel writes one `rlimit64` into
    // `old`, a live local. Pid 0 is the caller.
    decode_unit(unsafe {
        syscall4(
            __NR_prlimit64,
            0,
            resource.raw() as usize,
            0,
            (&raw mut old) as usize,
        )
    })?;
    Ok(Rlimit {
        soft: from_raw(old.rlim_cur),
        hard: from_raw(old.rlim_max),
    })
}

/// Sets the calling process's limits for `resource` (kept across
/// `execve`, inherited by children).
///
/// # Errors
/// `EINVAL` when `soft` exceeds `hard`; `EPERM` when raising `hard`
/// without `CAP_SYS_RESOURCE`.
///
/// # References
/// setrlimit(2) (`prlimit64`)
pub fn setrlimit(resource: Resource, limit: Rlimit) -> Result<(), Errno> {
    let new = k::rlimit64 {
        rlim_cur: to_raw(limit.soft),
        rlim_max: to_raw(limit.hard),
    };
    // SAFETY: the kernel reads one `rlimit64` from `new`, a live local; no
    // old limit is asked for. Pid 0 is the caller.
    decode_unit(unsafe {
        syscall4(
            __NR_prlimit64,
            0,
            resource.raw() as usize,
            (&raw const new) as usize,
            0,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_round_trip() {
        let nofile = getrlimit(Resource::Nofile).unwrap();
        assert!(nofile.soft.is_some());
        // Setting what is already there changes nothing for other tests.
        setrlimit(Resource::Nofile, nofile).unwrap();
        assert_eq!(getrlimit(Resource::Nofile), Ok(nofile));
        let bad = Rlimit {
            soft: Some(2),
            hard: Some(1),
        };
        assert_eq!(setrlimit(Resource::Core, bad), Err(Errno::EINVAL));
    }
}
