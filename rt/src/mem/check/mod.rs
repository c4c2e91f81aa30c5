//! Checks of the C mem functions against a byte-wise reference, exhaustive
//! on short lengths. Shared by the unit tests (`cargo test -p
//! freestand-rt`, on the host) and the suite's `probe mem`, which runs them
//! in a freestanding program on every platform
//! (`mem_functions_match_a_bytewise_reference`). Not part of the API.
//!
//! The reference is arithmetic: before a call, every byte of the workspace
//! holds `pattern` of its index, so what a byte should hold afterwards is
//! computed, never copied. The checking loops compare memory with computed
//! values and write computed values, so the compiler cannot turn them into
//! calls to the functions they check, and the functions are called through
//! pointers it cannot see through, so it cannot assume what they do.
//!
//! - `disjoint`: `memcpy` and `memmove` between separate ranges, every
//!   length up to `SHORT`, every source and destination offset below
//!   `OFFSETS`.
//! - `overlapping`: `memmove` within one range, every length up to
//!   `SHORT`, every overlap in both directions (and the two just apart).
//! - `fills`: `memset`, every length and offset, with values whose bits
//!   above the byte are set.
//! - `compares`: `memcmp` and `bcmp`, every length, every relative
//!   alignment, equal ranges and ranges that differ at many positions.
//! - `long`: all of them on lengths from 257 bytes to 1 MiB + 13,
//!   around every threshold the implementations use.
//!
//! Every check also looks at `GUARD` bytes on each side of what a call
//! may write, and every call must return its destination (`memcmp` only
//! its sign is checked).

mod compares;
mod copies;
mod long;

pub use compares::compares;
pub use copies::{disjoint, fills, overlapping};
pub use long::{LONG, long};

use core::fmt;
use core::hint::black_box;
use core::ops::Range;

/// Every length up to this one is checked.
pub const SHORT: usize = 256;
/// Every offset below this one, of source and destination, is checked.
pub const OFFSETS: usize = 16;
/// Bytes checked on each side of what a call may write.
pub const GUARD: usize = 16;
/// The bytes of workspace `all` needs.
pub const WORKSPACE: usize = 2 * (LONG + 4 * GUARD);

/// A C `memcpy` or `memmove`.
pub type CopyFn = unsafe extern "C" fn(*mut u8, *const u8, usize) -> *mut u8;
/// A C `memset`.
pub type FillFn = unsafe extern "C" fn(*mut u8, i32, usize) -> *mut u8;
/// A C `memcmp` or `bcmp`.
pub type CompareFn = unsafe extern "C" fn(*const u8, *const u8, usize) -> i32;

/// One of the checks: `disjoint`, `overlapping`, `fills`,
/// `compares` or `long`.
pub type Check = fn(&Functions, &mut [u8]) -> Result<usize, Failure>;

/// The functions to check, by their C signatures.
#[derive(Clone, Copy)]
pub struct Functions {
    /// `memcpy`.
    pub memcpy: CopyFn,
    /// `memmove`.
    pub memmove: CopyFn,
    /// `memset`.
    pub memset: FillFn,
    /// `memcmp`.
    pub memcmp: CompareFn,
    /// `bcmp`.
    pub bcmp: CompareFn,
}

/// A call that went wrong, with its arguments as offsets into the
/// workspace (`memset`'s value as given).
#[derive(Debug)]
pub struct Failure {
    /// The function.
    pub function: &'static str,
    /// Its three arguments.
    pub args: [usize; 3],
    /// What was wrong.
    pub problem: Problem,
}

/// What was wrong after a call.
#[derive(Debug)]
pub enum Problem {
    /// The byte at offset `at` of the workspace.
    Byte {
        /// Its offset.
        at: usize,
        /// What it holds.
        got: u8,
        /// What it should hold.
        want: u8,
    },
    /// It returned something else than its destination.
    Returned(usize),
    /// A comparison's sign: it returned `got` where the sign should be
    /// `want` (-1, 0 or 1; for `bcmp`, 1 means any non-zero value).
    Order {
        /// What it returned.
        got: i32,
        /// The sign it should have.
        want: i32,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, n] = self.args;
        match self.function {
            "memset" => write!(f, "memset(+{a}, {:#x}, {n})", b as i32)?,
            name => write!(f, "{name}(+{a}, +{b}, {n})")?,
        }
        match self.problem {
            Problem::Byte { at, got, want } => {
                write!(f, ": byte +{at} is {got:#04x}, should be {want:#04x}")
            }
            Problem::Returned(r) => write!(f, " returned +{r}, not its destination"),
            Problem::Order { got, want } => write!(f, " returned {got}, should have sign {want}"),
        }
    }
}

/// Runs every check; the number of calls checked. `ws` is the workspace,
/// at least `WORKSPACE` bytes; its contents do not matter.
///
/// # Panics
///
/// If `ws` is too short.
pub fn all(f: &Functions, ws: &mut [u8]) -> Result<usize, Failure> {
    assert!(
        ws.len() >= WORKSPACE,
        "the mem checks need {WORKSPACE} bytes"
    );
    Ok(disjoint(f, ws)? + overlapping(f, ws)? + fills(f, ws)? + compares(f, ws)? + long(f, ws)?)
}

/// The byte at index `i` of a buffer painted with `salt`: a hash of `i`,
/// so that a byte taken from the wrong place almost never looks right.
pub fn pattern(i: usize, salt: u8) -> u8 {
    let x = (i as u64 ^ u64::from(salt) << 48).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (x >> 56) as u8
}

/// Sets `ws[range]` to the pattern of `salt`.
fn paint(ws: &mut [u8], range: Range<usize>, salt: u8) {
    for i in range {
        ws[i] = pattern(i, salt);
    }
}

/// Sets `ws[range]` to the pattern of `salt` moved from `from` to `to`:
/// then `ws[to + k]` holds what `paint` puts at `from + k`.
fn paint_moved(ws: &mut [u8], range: Range<usize>, from: usize, to: usize, salt: u8) {
    let start = range.start;
    for (i, b) in ws[range].iter_mut().enumerate() {
        *b = pattern((start + i + from).wrapping_sub(to), salt);
    }
}

/// Checks that every byte of `ws[range]` is `want(index)`.
fn verify(ws: &[u8], range: Range<usize>, want: impl Fn(usize) -> u8) -> Result<(), Problem> {
    for at in range {
        let (got, want) = (ws[at], want(at));
        if got != want {
            return Err(Problem::Byte { at, got, want });
        }
    }
    Ok(())
}

/// A call's arguments, for `Failure`.
#[derive(Clone, Copy)]
struct Call {
    function: &'static str,
    args: [usize; 3],
}

impl Call {
    fn fails(self, problem: Problem) -> Failure {
        Failure {
            function: self.function,
            args: self.args,
            problem,
        }
    }
}

/// Calls `f(ws + d, ws + s, n)` (a copy) and checks what it returns.
fn copy(call: Call, f: CopyFn, ws: &mut [u8]) -> Result<(), Failure> {
    let [d, s, n] = call.args;
    assert!(d.max(s) + n <= ws.len());
    let base = ws.as_mut_ptr();
    // SAFETY: both ranges are inside `ws` (asserted); `f` is a copy with
    // the C contract, called with ranges it accepts (the checks pass
    // overlapping ones to `memmove` only).
    let r = unsafe { black_box(f)(base.add(d), base.add(s), n) };
    match (r as usize).wrapping_sub(base as usize) {
        r if r == d => Ok(()),
        r => Err(call.fails(Problem::Returned(r))),
    }
}

/// `memmove` of `len` bytes from `ws + s` to `ws + d`, in a buffer painted
/// with `salt`: checks the moved bytes and `GUARD` bytes around both
/// ranges, then paints the destination back.
fn moved(
    f: &Functions,
    ws: &mut [u8],
    d: usize,
    s: usize,
    len: usize,
    salt: u8,
) -> Result<(), Failure> {
    let call = Call {
        function: "memmove",
        args: [d, s, len],
    };
    copy(call, f.memmove, ws)?;
    let want = |i| match i >= d && i < d + len {
        true => pattern(s + i - d, salt),
        false => pattern(i, salt),
    };
    let span = s.min(d) - GUARD..s.max(d) + len + GUARD;
    verify(ws, span, want).map_err(|p| call.fails(p))?;
    paint(ws, d..d + len, salt);
    Ok(())
}

/// Calls `f(ws + d, c, n)` (a fill) and checks what it returns.
fn set(call: Call, f: FillFn, ws: &mut [u8]) -> Result<(), Failure> {
    let [d, c, n] = call.args;
    assert!(d + n <= ws.len());
    let base = ws.as_mut_ptr();
    // SAFETY: the range is inside `ws` (asserted); `f` has the C contract
    // of `memset`.
    let r = unsafe { black_box(f)(base.add(d), c as i32, n) };
    match (r as usize).wrapping_sub(base as usize) {
        r if r == d => Ok(()),
        r => Err(call.fails(Problem::Returned(r))),
    }
}

/// Calls `f(ws + a, ws + b, n)` (a comparison) and checks the sign of its
/// answer: `want` for `memcmp`, only zero or not for `bcmp`.
fn compare(call: Call, f: CompareFn, ws: &[u8], want: i32) -> Result<(), Failure> {
    let [a, b, n] = call.args;
    assert!(a.max(b) + n <= ws.len());
    // SAFETY: both ranges are inside `ws` (asserted); `f` has the C
    // contract of `memcmp`.
    let got = unsafe { black_box(f)(ws.as_ptr().add(a), ws.as_ptr().add(b), n) };
    let right = match call.function {
        "bcmp" => (got != 0) == (want != 0),
        _ => got.signum() == want,
    };
    if right {
        Ok(())
    } else {
        Err(call.fails(Problem::Order { got, want }))
    }
}
