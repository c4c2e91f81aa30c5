//! Files: opening, closing and their status.

// openat, close, OFlags and AT_FDCWD.
mod open;
// fstat and Stat.
mod stat;

pub use open::{AT_FDCWD, OFlags, close, openat};
pub use stat::{Stat, fstat};
