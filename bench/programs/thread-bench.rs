//! The thread benchmark on freestand: `thread-bench WORKLOAD [--quick]`.
//!
//! A freestanding program: the workloads of `freestand_bench::threads`
//! run on `freestand_rt::thread`, `freestand_rt::sync::Mutex`,
//! `freestand_rt::thread_local!` and freestand's heap, timed with
//! `freestand_rt::time::Instant`. It prints one line per workload, `NAME
//! NS_PER_OP`. `thread-bench-std` is the same on std and glibc;
//! `scripts/thread-bench.sh` compares them.
//!
//! Exits 0 when the workload ran and its checks passed, 1 when a check
//! failed, 2 on a usage error; `thread-bench all --quick` is a test.
#![no_std]
#![no_main]

use core::cell::Cell;
use freestand_bench::threads::{self, Line, Platform, Request};
use freestand_bench::workloads::Stopwatch;
use freestand_rt::sync::Mutex;
use freestand_rt::thread::{self, JoinHandle};
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

// Declared as in `thread-bench-std`: a lazily made value.
freestand_rt::thread_local! {
    static VALUE: Cell<u64> = Cell::new(0);
}

/// freestand's threads, mutex and `thread_local!`.
struct Freestand;

impl Platform for Freestand {
    type Watch = Watch;
    type Handle<T: Send + 'static> = JoinHandle<T>;
    type Mutex<T: Send + 'static> = Mutex<T>;

    #[inline]
    fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> JoinHandle<T> {
        thread::spawn(f)
    }

    #[inline]
    fn join<T: Send + 'static>(h: JoinHandle<T>) -> T {
        h.join()
    }

    #[inline]
    fn yield_now() {
        thread::yield_now();
    }

    #[inline]
    fn mutex<T: Send + 'static>(value: T) -> Mutex<T> {
        Mutex::new(value)
    }

    #[inline]
    fn with_lock<T: Send + 'static, R>(m: &Mutex<T>, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut m.lock())
    }

    #[inline]
    fn tls_set(value: u64) {
        VALUE.with(|c| c.set(value));
    }

    #[inline]
    fn tls_get() -> u64 {
        VALUE.with(|c| c.get())
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
        match threads::run::<Freestand>(w, request.quick) {
            Ok(m) => println!("{}", Line(m)),
            Err(failed) => {
                eprintln!("thread-bench: {}: {failed}", w.name);
                return 1;
            }
        }
    }
    0
}
