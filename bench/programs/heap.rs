//! The heap benchmark on freestand's heap: `heap WORKLOAD [--quick]`.
//!
//! A freestanding program: `entry!` installs freestand's heap as the
//! global allocator and defines `memcpy` and friends, so every allocation
//! and copy of the workload goes through freestand-rt. It runs the
//! workload of `freestand_bench::workloads` named by its argument, timed
//! with `freestand_rt::time::Instant`, and prints one line per measure,
//! `NAME NS_PER_OP PEAK_RSS_KIB`. `heap-std` is the same on the C
//! library's `malloc`; `scripts/heap-bench.sh` compares them.
//!
//! Exits 0 when the workload ran and its data checked out, 1 when a check
//! failed (the heap lost or overlapped a block), 2 on a usage error. So
//! `heap all --quick` is a test: it runs every workload at small sizes.
#![no_std]
#![no_main]

use freestand_bench::cli::Request;
use freestand_bench::report::{Line, STATUS, vmhwm_kib};
use freestand_bench::workloads::{self, Stopwatch};
use freestand_rt::syscalls::fs::{AT_FDCWD, OFlags, close, openat};
use freestand_rt::syscalls::io::read;
use freestand_rt::time::Instant;
use freestand_rt::{eprintln, println, stack};

freestand_rt::entry!(main);

/// `freestand_rt::time::Instant`: `CLOCK_MONOTONIC` through the vDSO.
struct Watch(Instant);

impl Stopwatch for Watch {
    fn start() -> Watch {
        Watch(Instant::now())
    }

    fn elapsed_ns(&self) -> u64 {
        Instant::now().duration_since(self.0).as_nanos() as u64
    }
}

fn main() -> i32 {
    let request = match Request::from_args(stack::args().skip(1).map(|a| a.to_bytes())) {
        Ok(r) => r,
        Err(usage) => {
            eprintln!("{usage}");
            return 2;
        }
    };
    for w in request.workloads() {
        let measures = match workloads::run::<Watch>(w, request.quick) {
            Ok(m) => m,
            Err(failed) => {
                eprintln!("heap: {}: {failed}", w.name);
                return 1;
            }
        };
        let peak_rss_kib = peak_rss_kib();
        for m in measures.iter() {
            let line = Line {
                name: m.name,
                ns_per_op: m.ns_per_op,
                peak_rss_kib,
            };
            println!("{line}");
        }
    }
    0
}

/// `VmHWM` from `/proc/self/status`, read with freestand's own system
/// calls into a buffer on the stack (the heap is what is being measured).
fn peak_rss_kib() -> Option<u64> {
    let mut buf = [0u8; 8192];
    let fd = openat(AT_FDCWD, STATUS, OFlags::RDONLY | OFlags::CLOEXEC, 0).ok()?;
    let mut len = 0;
    while len < buf.len() {
        match read(fd, &mut buf[len..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    // Nothing to do if close fails: the descriptor is released anyway.
    let _ = close(fd);
    vmhwm_kib(&buf[..len])
}
