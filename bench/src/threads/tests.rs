//! The thread benchmark's own checks: its arguments and its output.

use super::*;
extern crate std;
use std::cell::Cell;
use std::string::ToString;

/// std, as `thread-bench-std` has it.
struct Std;

struct Watch(std::time::Instant);

impl Stopwatch for Watch {
    fn start() -> Watch {
        Watch(std::time::Instant::now())
    }
    fn elapsed_ns(&self) -> u64 {
        self.0.elapsed().as_nanos() as u64
    }
}

std::thread_local! {
    #[allow(clippy::missing_const_for_thread_local)]
    static VALUE: Cell<u64> = Cell::new(0);
}

impl Platform for Std {
    type Watch = Watch;
    type Handle<T: Send + 'static> = std::thread::JoinHandle<T>;
    type Mutex<T: Send + 'static> = std::sync::Mutex<T>;

    fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Self::Handle<T> {
        std::thread::spawn(f)
    }
    fn join<T: Send + 'static>(h: Self::Handle<T>) -> T {
        h.join().unwrap()
    }
    fn yield_now() {
        std::thread::yield_now()
    }
    fn mutex<T: Send + 'static>(value: T) -> Self::Mutex<T> {
        std::sync::Mutex::new(value)
    }
    fn with_lock<T: Send + 'static, R>(m: &Self::Mutex<T>, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut m.lock().unwrap())
    }
    fn tls_set(value: u64) {
        VALUE.with(|c| c.set(value))
    }
    fn tls_get() -> u64 {
        VALUE.with(|c| c.get())
    }
}

#[test]
fn every_workload_runs_quick_and_checks_out() {
    for w in WORKLOADS {
        let m = run::<Std>(w, true).unwrap_or_else(|e| panic!("{}: {e}", w.name));
        assert_eq!(m.name, w.name);
        assert!(m.ns_per_op.is_finite() && m.ns_per_op > 0.0, "{}", w.name);
    }
}

#[test]
fn names_are_unique() {
    for (i, a) in WORKLOADS.iter().enumerate() {
        assert!(WORKLOADS[i + 1..].iter().all(|b| b.name != a.name));
        assert_ne!(a.name, "all");
    }
}

#[test]
fn parses_like_the_heap_benchmark() {
    let parse = |args: &[&str]| Request::from_args(args.iter().map(|a| a.as_bytes()));
    let r = parse(&["tls-read", "--quick"]).unwrap();
    assert_eq!(r.workload.map(|w| w.name), Some("tls-read"));
    assert!(r.quick);
    assert_eq!(parse(&["all"]).unwrap().workloads().len(), WORKLOADS.len());
    assert_eq!(parse(&[]), Err(Usage));
    assert_eq!(parse(&["nope"]), Err(Usage));
    assert_eq!(parse(&["all", "tls-read"]), Err(Usage));
}

#[test]
fn prints_name_and_time() {
    let m = Measure {
        name: "tls-read",
        ns_per_op: 0.51234,
    };
    assert_eq!(Line(m).to_string(), "tls-read 0.512");
}
