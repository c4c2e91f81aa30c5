//! Per-thread caches of small blocks. (Placeholder: being written.)

/// A thread's cache of small blocks, kept in its control block.
#[derive(Default)]
pub(crate) struct Cache {}

impl Cache {
    /// An empty cache.
    pub(crate) const fn new() -> Cache {
        Cache {}
    }

    /// Gives every cached block back to the shared heap; called when the
    /// thread ends.
    pub(crate) fn flush(&mut self) {}
}
