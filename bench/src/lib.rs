//! The heap benchmark's shared code: the same workloads run on freestand's
//! heap and on the C library's `malloc`.
//!
//! Two programs use this library, and nothing else differs between them:
//!
//! - `heap` (`programs/heap.rs`), a freestanding `no_std` program whose
//!   global allocator is freestand's heap, timed with
//!   `freestand_rt::time::Instant`;
//! - `heap-std` (`src/bin/heap-std.rs`), an ordinary std program, timed
//!   with `std::time::Instant`, whose allocator is the C library's
//!   `malloc`: glibc's when built for `x86_64-unknown-linux-gnu`, musl's
//!   when built for `x86_64-unknown-linux-musl`.
//!
//! Both take the same arguments, `WORKLOAD [--quick]` ([`cli`]), run the
//! workload ([`workloads`]) and print one line per measure, `NAME
//! NS_PER_OP PEAK_RSS_KIB` ([`report`]). `scripts/heap-bench.sh` runs the
//! three side by side; `docs/heap-bench.md` says what each workload
//! measures.
//!
//! [`threads`] is the thread benchmark, built the same way: its
//! workloads are written once against a small trait that the programs
//! `thread-bench` (`programs/thread-bench.rs`, freestand) and
//! `thread-bench-std` (std) implement; `scripts/thread-bench.sh` runs it
//! and `docs/thread-bench.md` describes it.
//!
//! The library is `no_std`: it uses `core`, `alloc`, `hashbrown` for the
//! hash map, and `miniz_oxide` and (with the feature `json`) `serde_json`
//! for the workloads that put real crates on top of the heap. So the code that allocates is the
//! same on every heap, built by the same compiler with the same options.
#![no_std]

extern crate alloc;

pub mod cli;
pub mod report;
pub mod threads;
pub mod workloads;
