//! `thread_local!`: per-thread values, made on first use, dropped when
//! the thread ends. (Being written.)

/// A thread's `thread_local!` values.
pub(crate) struct Slots {}

impl Slots {
    /// None yet.
    pub(crate) const fn new() -> Slots {
        Slots {}
    }
}
