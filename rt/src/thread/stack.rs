//! Thread stacks: mapped with a guard page below, freed when the thread
//! has ended. (Being written.)

/// The main thread's stack bounds, as far as they are known: from the
/// `RLIMIT_STACK` below the initial stack to its top.
pub(crate) fn main_thread_bounds() -> (usize, usize) {
    let top = crate::stack::InitialStack::current().as_ptr() as usize;
    (0, top)
}
