//! The heap benchmark on the C library's `malloc`: `heap-std WORKLOAD
//! [--quick]`.
//!
//! An ordinary std program, so its global allocator is `System`, which
//! calls the C library's `malloc`, `free` and `realloc`, and the compiler's
//! calls to `memcpy` and `memcmp` go to the C library too: glibc's when
//! built for `x86_64-unknown-linux-gnu`, musl's when built for
//! `x86_64-unknown-linux-musl` (statically linked, self-contained). It
//! runs the same workloads as the freestanding `heap` program, timed with
//! `std::time::Instant`, prints the same lines and exits with the same
//! codes (see `programs/heap.rs`).

use freestand_bench::cli::Request;
use freestand_bench::report::{Line, STATUS, vmhwm_kib};
use freestand_bench::workloads::{self, Stopwatch};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::process::ExitCode;
use std::time::Instant;

/// `std::time::Instant`: `CLOCK_MONOTONIC` through the C library.
struct Watch(Instant);

impl Stopwatch for Watch {
    fn start() -> Watch {
        Watch(Instant::now())
    }

    fn elapsed_ns(&self) -> u64 {
        self.0.elapsed().as_nanos() as u64
    }
}

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let request = match Request::from_args(args.iter().map(|a| a.as_bytes())) {
        Ok(r) => r,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    for w in request.workloads() {
        let measures = match workloads::run::<Watch>(w, request.quick) {
            Ok(m) => m,
            Err(failed) => {
                eprintln!("heap-std: {}: {failed}", w.name);
                return ExitCode::FAILURE;
            }
        };
        let status = OsStr::from_bytes(STATUS.to_bytes());
        let peak_rss_kib = std::fs::read(status).ok().and_then(|s| vmhwm_kib(&s));
        for m in measures.iter() {
            let line = Line {
                name: m.name,
                ns_per_op: m.ns_per_op,
                peak_rss_kib,
            };
            println!("{line}");
        }
    }
    ExitCode::SUCCESS
}
