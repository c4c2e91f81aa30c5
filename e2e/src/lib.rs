//! freestand's end-to-end suite, as a package of its own.
//!
//! The suite is the `platforms` test (`tests/platforms/main.rs`, a custom
//! harness): it builds freestand's example gallery (the `freestand-examples`
//! package) and this package's test programs (`programs/`: `probe`,
//! `routed`, `novdso` and `clock`, built as examples with the `programs`
//! feature) for x86_64, riscv64 and aarch64, then runs every case on native
//! x86_64 and under qemu-user for each architecture:
//!
//! ```text
//! cargo test -p freestand-e2e --test platforms [-- NAME_SUBSTRING]
//! ```
//!
//! To build or run one program by hand, turn the feature on:
//!
//! ```text
//! cargo run -p freestand-e2e --features programs --example probe -- heap
//! ```
//!
//! This library is empty: a package needs a library or a binary target, and
//! a binary would be built by `cargo test` with `panic = "unwind"`.
