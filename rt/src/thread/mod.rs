//! Threads: spawn and join, the thread control block, static TLS and
//! `thread_local!`. (Being written.)

// TEMPORARY while threads are being built: removed before merge.
#![allow(dead_code)]

pub(crate) mod local;
pub(crate) mod stack;
pub(crate) mod tcb;
pub(crate) mod tls;

/// The id number of the main thread.
pub(crate) const MAIN_ID: u64 = 1;
