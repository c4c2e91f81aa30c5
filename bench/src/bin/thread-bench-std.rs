//! The thread benchmark on std: `thread-bench-std WORKLOAD [--quick]`.
//!
//! An ordinary std program: the workloads of `freestand_bench::threads`
//! run on `std::thread` (glibc's `pthread_create` underneath when built
//! for `x86_64-unknown-linux-gnu`), `std::sync::Mutex`,
//! `std::thread_local!` and the C library's `malloc`, timed with
//! `std::time::Instant`. Same lines and exit codes as the freestanding
//! `thread-bench` (see `programs/thread-bench.rs`).

use freestand_bench::threads::{self, Line, Platform, Request};
use freestand_bench::workloads::Stopwatch;
use std::cell::Cell;
use std::os::unix::ffi::OsStrExt;
use std::process::ExitCode;
use std::sync::Mutex;
use std::thread::{self, JoinHandle};
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

thread_local! {
    // Declared as in the freestanding `thread-bench`, whose macro has no
    // `const { }` form: a lazily made value, so std checks on each access
    // whether it was made yet, as freestand does.
    #[allow(clippy::missing_const_for_thread_local)]
    static VALUE: Cell<u64> = Cell::new(0);
}

/// std's threads, mutex and `thread_local!`.
struct Std;

impl Platform for Std {
    type Watch = Watch;
    type Handle<T: Send + 'static> = JoinHandle<T>;
    type Mutex<T: Send + 'static> = Mutex<T>;

    #[inline]
    fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> JoinHandle<T> {
        thread::spawn(f)
    }

    #[inline]
    fn join<T: Send + 'static>(h: JoinHandle<T>) -> T {
        // A panicking thread aborts the process (`panic = "abort"`), so
        // the join never sees one.
        h.join().expect("a benchmark thread panicked")
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
        // Never poisoned: a panic aborts.
        f(&mut m.lock().expect("poisoned"))
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
        match threads::run::<Std>(w, request.quick) {
            Ok(m) => println!("{}", Line(m)),
            Err(failed) => {
                eprintln!("thread-bench-std: {}: {failed}", w.name);
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
