//! The checked [`Errno`] type and the one function that decodes a raw
//! system-call return value.

use core::fmt;
use core::num::NonZeroU16;
use linux_raw_sys::errno as e;

/// A Linux error number, always in the kernel's range `1..=4095`.
///
/// The only ways to get one are [`decode`] (from a raw return value),
/// [`Errno::from_raw`] (which checks the range) and the named constants, so
/// an `Errno` can never hold 0 or an out-of-range value.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct Errno(NonZeroU16);

/// The largest error number the kernel returns (`MAX_ERRNO`).
pub const MAX_ERRNO: u16 = 4095;

/// Splits a raw system-call return value into success or an [`Errno`].
///
/// The kernel reports failure by returning `-errno`, a value in
/// `-4095..=-1`; anything else is a result.
#[inline]
pub fn decode(ret: usize) -> Result<usize, Errno> {
    let neg = ret.wrapping_neg();
    if neg <= MAX_ERRNO as usize {
        // `neg` is 1..=4095 here unless `ret` was 0, which is a success.
        match NonZeroU16::new(neg as u16) {
            Some(n) => Err(Errno(n)),
            None => Ok(ret),
        }
    } else {
        Ok(ret)
    }
}

/// Like [`decode`], for calls whose only success value is 0.
#[inline]
pub fn decode_unit(ret: usize) -> Result<(), Errno> {
    decode(ret).map(drop)
}

/// One table of names: the names run together in one string, with two
/// tables of plain numbers beside it. A `match` returning `&str`s would
/// compile to a table of string pointers, which a static-PIE must
/// relocate at every start (one relocation per name).
macro_rules! name_table {
    ($code:expr, $($name:ident),*) => {{
        const NAMES: &str = concat!($(stringify!($name)),*);
        const { assert!(NAMES.is_ascii(), "errno names are identifiers") };
        // Bytes: every errno named here is below 256 (checked at compile
        // time), and a `u32` table would be 3 bytes of zeros per name in
        // every binary that reports an error.
        const CODES: &[u8] = &[$({
            const { assert!(e::$name < 256, "errno table entry above 255") };
            e::$name as u8
        }),*];
        const LENS: &[u8] = &[$(stringify!($name).len() as u8),*];
        lookup($code, CODES, LENS, NAMES.as_bytes())
    }};
}

/// The name of error number `code` in one table made by `name_table!`,
/// whose names are ASCII (checked where the table is made).
fn lookup(code: u16, codes: &[u8], lens: &[u8], names: &'static [u8]) -> Option<&'static str> {
    let mut rest = names;
    for (&c, &len) in codes.iter().zip(lens) {
        let (name, after) = rest.split_at_checked(len.into())?;
        if u16::from(c) == code {
            // SAFETY: ASCII is UTF-8.
            return Some(unsafe { core::str::from_utf8_unchecked(name) });
        }
        rest = after;
    }
    None
}

macro_rules! errnos {
    (io: [$($io:ident),* $(,)?], other: [$($name:ident),* $(,)?] $(,)?) => {
        /// Every name with its number, in table order, for the tests.
        #[cfg(test)]
        const ALL_NAMES: &[(u32, &str)] =
            &[$((e::$io, stringify!($io)),)* $((e::$name, stringify!($name))),*];

        impl Errno {
            $(
                #[doc = concat!("`", stringify!($io), "`")]
                pub const $io: Errno = Errno::from_const(e::$io);
            )*
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                pub const $name: Errno = Errno::from_const(e::$name);
            )*

            /// The symbolic name of this error number, such as `"EINVAL"`.
            pub fn name(self) -> Option<&'static str> {
                self.io_name()
                    .or_else(|| name_table!(self.0.get(), $($name),*))
            }

            /// The name of this error number if it is one that reading
            /// or writing a file, pipe, terminal or socket reports
            /// (`EPIPE`, `ENOSPC`, `EIO`...), else `None`. [`name`] looks
            /// here first; a program whose only report is a failed write
            /// (such as freestand's failed `print!`) links only this
            /// smaller table.
            ///
            /// [`name`]: Errno::name
            pub fn io_name(self) -> Option<&'static str> {
                name_table!(self.0.get(), $($io),*)
            }
        }
    };
}

errnos!(
    // What read(2) and write(2) report, on any kind of file.
    io: [
        EPERM, EINTR, EIO, ENXIO, EBADF, EAGAIN, EFAULT, EINVAL, EFBIG, ENOSPC, EPIPE,
        ECONNRESET, EDQUOT,
    ],
    other: [
        ENOENT,
        ESRCH,
        E2BIG,
        ENOEXEC,
        ECHILD,
        ENOMEM,
        EACCES,
        ENOTBLK,
        EBUSY,
        EEXIST,
        EXDEV,
        ENODEV,
        ENOTDIR,
        EISDIR,
        ENFILE,
        EMFILE,
        ENOTTY,
        ETXTBSY,
        ESPIPE,
        EROFS,
        EMLINK,
        EDOM,
        ERANGE,
        EDEADLK,
        ENAMETOOLONG,
        ENOLCK,
        ENOSYS,
        ENOTEMPTY,
        ELOOP,
        ENODATA,
        ETIME,
        EOVERFLOW,
        EILSEQ,
        ENOTSOCK,
        EOPNOTSUPP,
        EADDRINUSE,
        ECONNREFUSED,
        ETIMEDOUT,
        ECANCELED,
    ],
);

impl Errno {
    /// Checks that `raw` is a valid error number (`1..=4095`).
    pub const fn from_raw(raw: i32) -> Option<Errno> {
        if raw <= 0 || raw > MAX_ERRNO as i32 {
            return None;
        }
        match NonZeroU16::new(raw as u16) {
            Some(n) => Some(Errno(n)),
            None => None,
        }
    }

    /// Builds a constant from a `linux-raw-sys` value; a value out of range
    /// is a compile-time error because it is only used in constants.
    const fn from_const(raw: u32) -> Errno {
        match Errno::from_raw(raw as i32) {
            Some(e) => e,
            None => panic!("errno constant out of range"),
        }
    }

    /// The positive error number, as C's `errno` holds it.
    pub const fn raw(self) -> i32 {
        self.0.get() as i32
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Errno({})", self.raw()),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} (errno {})", self.raw()),
            None => write!(f, "errno {}", self.raw()),
        }
    }
}

impl core::error::Error for Errno {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_kernel_error_range() {
        assert_eq!(decode(0), Ok(0));
        assert_eq!(decode(42), Ok(42));
        assert_eq!(decode(-1isize as usize), Err(Errno::EPERM));
        assert_eq!(decode(-22isize as usize), Err(Errno::EINVAL));
        assert_eq!(decode(-4095isize as usize).unwrap_err().raw(), 4095);
        // Just outside the range is a (large) success value, e.g. an mmap
        // address in the top page of a 32-bit address space.
        assert_eq!(decode(-4096isize as usize), Ok(-4096isize as usize));
        assert_eq!(decode(usize::MAX / 2), Ok(usize::MAX / 2));
    }

    #[test]
    fn from_raw_checks_the_range() {
        assert_eq!(Errno::from_raw(0), None);
        assert_eq!(Errno::from_raw(-1), None);
        assert_eq!(Errno::from_raw(4096), None);
        assert_eq!(Errno::from_raw(i32::MIN), None);
        assert_eq!(Errno::from_raw(22), Some(Errno::EINVAL));
        assert_eq!(Errno::from_raw(4095).map(Errno::raw), Some(4095));
    }

    #[test]
    fn every_name_round_trips() {
        extern crate std;
        let mut seen = std::collections::BTreeSet::new();
        for &(code, name) in ALL_NAMES {
            // An alias (a second name for a number) reads as the first.
            if seen.insert(code) {
                let e = Errno::from_raw(code as i32).unwrap();
                assert_eq!(e.name(), Some(name), "errno {code}");
            }
        }
        assert!(ALL_NAMES.len() > 30);
        assert_eq!(Errno::from_raw(4000).unwrap().name(), None);
    }

    #[test]
    fn names_and_display() {
        extern crate std;
        use std::format;
        assert_eq!(Errno::ENOMEM.name(), Some("ENOMEM"));
        assert_eq!(Errno::ENOMEM.io_name(), None);
        assert_eq!(Errno::EPIPE.io_name(), Some("EPIPE"));
        assert_eq!(Errno::EDQUOT.name(), Some("EDQUOT"));
        assert_eq!(format!("{}", Errno::EINVAL), "EINVAL (errno 22)");
        assert_eq!(format!("{:?}", Errno::EBADF), "EBADF");
        assert_eq!(format!("{}", Errno::from_raw(4000).unwrap()), "errno 4000");
    }
}
