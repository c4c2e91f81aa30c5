//! The process and its threads: ids, yielding the CPU, and the end.

// Ids, sched_yield and exit_group.
mod id;

pub use id::{exit_group, getpid, gettid, sched_yield};
