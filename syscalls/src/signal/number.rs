//! Signal numbers.

use core::ffi::c_int;
use linux_raw_sys::general as k;

/// A signal number.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Signal(pub c_int);

impl Signal {
    /// Invalid memory reference.
    pub const SEGV: Signal = Signal(k::SIGSEGV as c_int);
    /// Bus error.
    pub const BUS: Signal = Signal(k::SIGBUS as c_int);
    /// Write to a pipe with no reader.
    pub const PIPE: Signal = Signal(k::SIGPIPE as c_int);
}
