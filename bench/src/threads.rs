//! The thread benchmark: the same workloads on freestand's threads, locks
//! and `thread_local!`, and on std's (glibc's `pthread`s underneath).
//!
//! The workloads are written once, against [`Platform`]: how to spawn a
//! thread and join it, which mutex to use, how to read and write one
//! `thread_local!` `Cell<u64>`, and which clock times them. Two programs
//! implement it, and nothing else differs between them:
//!
//! - `thread-bench` (`programs/thread-bench.rs`), freestanding:
//!   `freestand_rt::thread`, `freestand_rt::sync::Mutex`,
//!   `freestand_rt::thread_local!`, freestand's heap;
//! - `thread-bench-std` (`src/bin/thread-bench-std.rs`): `std::thread`,
//!   `std::sync::Mutex`, `std::thread_local!`, glibc's `malloc`.
//!
//! Both take `WORKLOAD [--quick]` ([`Request`]) and print one line per
//! workload, `NAME NS_PER_OP` ([`Line`]). `scripts/thread-bench.sh` runs
//! them side by side; `docs/thread-bench.md` has the results.
//!
//! | workload | one operation | threads |
//! |---|---|---|
//! | `spawn-join` | spawning a thread that runs an empty closure, and joining it (2,000 times) | main + 1 at a time |
//! | `mutex-uncontended` | lock, increment (through `black_box`), unlock (10M times) | main |
//! | `mutex-2-threads` | one increment of a shared `Mutex<u64>`, 1M by each thread | 2 |
//! | `tls-read` | one read of a `thread_local!` `Cell<u64>`, added to a sum (100M times) | main |
//! | `churn-1-thread` | replacing one of the thread's 10k live objects of 16–512 B (1M per thread) | 1 spawned |
//! | `churn-2-threads` | the same, in each of 2 threads at once | 2 spawned |
//!
//! The workloads with several threads (`mutex-2-threads`, `churn-*`) time
//! only the work: each thread gets ready (allocates its live set), then
//! waits for the main thread's start signal, times its own loop from the
//! signal on, and returns the time; the wall time is the longest of
//! those, and one operation is the wall time over the operations of all
//! threads. So `churn-2-threads` at half `churn-1-thread`'s figure is
//! perfect scaling.

use crate::workloads::{Failed, Measure, Stopwatch};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::hint::black_box;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What the workloads need of a thread library, one implementation per
/// program. Every function is meant to be inlined into the workload, as a
/// direct call of the library would be.
pub trait Platform: 'static {
    /// The clock.
    type Watch: Stopwatch;
    /// A spawned thread's handle (`JoinHandle<T>`).
    type Handle<T: Send + 'static>;
    /// A mutex guarding a `T` (`Mutex<T>`).
    type Mutex<T: Send + 'static>: Send + Sync + 'static;

    /// Spawns a thread running `f`; panics if it cannot.
    fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Self::Handle<T>;
    /// Waits for the thread to end and returns its value.
    fn join<T: Send + 'static>(h: Self::Handle<T>) -> T;
    /// Gives the CPU to another thread (`sched_yield`).
    fn yield_now();

    /// A new mutex holding `value`.
    fn mutex<T: Send + 'static>(value: T) -> Self::Mutex<T>;
    /// Locks `m`, runs `f` on its value, unlocks.
    fn with_lock<T: Send + 'static, R>(m: &Self::Mutex<T>, f: impl FnOnce(&mut T) -> R) -> R;

    /// Sets the calling thread's value of the program's one
    /// `thread_local!` `Cell<u64>` (declared `= Cell::new(0)`).
    fn tls_set(value: u64);
    /// Reads it.
    fn tls_get() -> u64;
}

/// A workload: a name to ask for it by and a one-line description.
#[derive(Debug, PartialEq, Eq)]
pub struct Workload {
    /// Its name on the command line and in the output, such as `tls-read`.
    pub name: &'static str,
    /// What it does, in a few words (for the usage message).
    pub about: &'static str,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    SpawnJoin,
    MutexUncontended,
    Mutex2Threads,
    TlsRead,
    Churn { threads: usize },
}

/// Every workload, in the order `all` and the script run them.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "spawn-join",
        about: "spawn a thread running an empty closure and join it, 2,000 times",
        kind: Kind::SpawnJoin,
    },
    Workload {
        name: "mutex-uncontended",
        about: "lock, increment, unlock a Mutex<u64>, 10M times on one thread",
        kind: Kind::MutexUncontended,
    },
    Workload {
        name: "mutex-2-threads",
        about: "2 threads each increment one shared Mutex<u64> 1M times",
        kind: Kind::Mutex2Threads,
    },
    Workload {
        name: "tls-read",
        about: "read a thread_local! Cell<u64> 100M times",
        kind: Kind::TlsRead,
    },
    Workload {
        name: "churn-1-thread",
        about: "1 thread: 1M random replacements among its 10k live objects of 16-512 B",
        kind: Kind::Churn { threads: 1 },
    },
    Workload {
        name: "churn-2-threads",
        about: "2 threads at once, each as churn-1-thread",
        kind: Kind::Churn { threads: 2 },
    },
];

/// Runs `w` on `P`, full size or `quick`.
///
/// # Errors
/// [`Failed`] when a check after the timed part fails: a joined thread
/// returned another value, the counter lost increments, the sum of the
/// thread-local reads is wrong, a churned object was overwritten.
pub fn run<P: Platform>(w: &Workload, quick: bool) -> Result<Measure, Failed> {
    let size = |full: usize, small: usize| if quick { small } else { full };
    let (ns, ops) = match w.kind {
        Kind::SpawnJoin => spawn_join::<P>(size(2_000, 20))?,
        Kind::MutexUncontended => mutex_uncontended::<P>(size(10_000_000, 10_000))?,
        Kind::Mutex2Threads => mutex_threads::<P>(2, size(1_000_000, 10_000))?,
        Kind::TlsRead => tls_read::<P>(size(100_000_000, 100_000))?,
        Kind::Churn { threads } => {
            churn::<P>(threads, size(10_000, 1_000), size(1_000_000, 10_000))?
        }
    };
    Ok(Measure {
        name: w.name,
        ns_per_op: ns as f64 / ops.max(1) as f64,
    })
}

/// `Ok` if `ok`, else a [`Failed`] saying `what`.
fn check(ok: bool, what: &'static str) -> Result<(), Failed> {
    if ok { Ok(()) } else { Err(Failed(what)) }
}

/// The nanoseconds and the number of operations they were spent on.
type Timed = (u64, usize);

/// `n` times: spawn a thread that returns its number, join it. Each thread
/// maps its stack (or takes a cached one), starts, ends, and is reaped.
fn spawn_join<P: Platform>(n: usize) -> Result<Timed, Failed> {
    let mut ok = true;
    let watch = P::Watch::start();
    for i in 0..n {
        ok &= P::join(P::spawn(move || i)) == i;
    }
    let ns = watch.elapsed_ns();
    check(ok, "spawn-join: a thread returned another value")?;
    Ok((ns, n))
}

/// `n` times on the calling thread: lock a `Mutex<u64>`, increment it,
/// unlock. The `black_box` keeps the increments from being merged.
fn mutex_uncontended<P: Platform>(n: usize) -> Result<Timed, Failed> {
    let m = P::mutex(0u64);
    let watch = P::Watch::start();
    for _ in 0..n {
        P::with_lock(&m, |c| *c = black_box(*c) + 1);
    }
    let ns = watch.elapsed_ns();
    check(
        P::with_lock(&m, |c| *c) == n as u64,
        "mutex-uncontended: lost increments",
    )?;
    Ok((ns, n))
}

/// `threads` threads each increment one shared `Mutex<u64>` `n` times, as
/// [`mutex_uncontended`] does, all at once.
fn mutex_threads<P: Platform>(threads: usize, n: usize) -> Result<Timed, Failed> {
    let m = Arc::new(P::mutex(0u64));
    let gate = Arc::new(Gate::default());
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (m, gate) = (m.clone(), gate.clone());
            P::spawn(move || {
                gate.wait::<P>();
                let watch = P::Watch::start();
                for _ in 0..n {
                    P::with_lock(&*m, |c| *c = black_box(*c) + 1);
                }
                watch.elapsed_ns()
            })
        })
        .collect();
    gate.open::<P>(threads);
    let ns = handles.into_iter().map(P::join).max().unwrap_or(0);
    check(
        P::with_lock(&*m, |c| *c) == (threads * n) as u64,
        "mutex-2-threads: lost increments",
    )?;
    Ok((ns, threads * n))
}

/// `n` reads of the program's `thread_local!` `Cell<u64>` on the calling
/// thread, summed. `black_box` on each value read (an empty `asm!` that
/// may read and write all memory) makes the compiler read the cell anew
/// every time: it cannot keep the value in a register across the loop.
fn tls_read<P: Platform>(n: usize) -> Result<Timed, Failed> {
    const VALUE: u64 = 3;
    P::tls_set(VALUE);
    let mut sum = 0u64;
    let watch = P::Watch::start();
    for _ in 0..n {
        sum = sum.wrapping_add(black_box(P::tls_get()));
    }
    let ns = watch.elapsed_ns();
    check(
        sum == VALUE * n as u64,
        "tls-read: the sum of the reads is wrong",
    )?;
    Ok((ns, n))
}

/// The smallest and largest object of [`churn`], in bytes: those of the
/// heap benchmark's churn.
const CHURN_SIZES: core::ops::RangeInclusive<usize> = 16..=512;

/// `threads` threads at once, each with `live` objects of its own (a
/// `Vec<u8>` with a random capacity in [`CHURN_SIZES`], tagged with its
/// size), each replacing a random one of them by a new one `ops` times:
/// the heap benchmark's `churn-10k`, in every thread. The live sets are
/// made before the start signal and checked and freed after the joins,
/// untimed.
fn churn<P: Platform>(threads: usize, live: usize, ops: usize) -> Result<Timed, Failed> {
    let gate = Arc::new(Gate::default());
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let gate = gate.clone();
            P::spawn(move || {
                let mut rng = XorShift::new(t as u64);
                let mut slots: Vec<Vec<u8>> = (0..live).map(|_| object(&mut rng)).collect();
                gate.wait::<P>();
                let watch = P::Watch::start();
                for _ in 0..ops {
                    let i = rng.below(live);
                    slots[i] = object(&mut rng);
                }
                (watch.elapsed_ns(), slots)
            })
        })
        .collect();
    gate.open::<P>(threads);
    let mut ns = 0;
    let mut intact = true;
    for h in handles {
        let (t_ns, slots) = P::join(h);
        ns = ns.max(t_ns);
        intact &= slots.iter().all(|v| {
            v.len() == 1 && CHURN_SIZES.contains(&v.capacity()) && v[0] == v.capacity() as u8
        });
    }
    check(intact, "churn: an object's tag was overwritten")?;
    Ok((ns, threads * ops))
}

/// An object for [`churn`]: a block of a random size in [`CHURN_SIZES`],
/// its first byte tagged with its size.
#[inline(always)]
fn object(rng: &mut XorShift) -> Vec<u8> {
    let size = CHURN_SIZES.start() + rng.below(CHURN_SIZES.end() - CHURN_SIZES.start() + 1);
    let mut v = Vec::with_capacity(size);
    v.push(size as u8);
    v
}

/// A start line for worker threads: each says it is ready and waits; the
/// main thread waits until all are, then lets them go at once. Both wait
/// with `sched_yield`, so that on a machine with as many cores as workers
/// the main thread still gets to give the signal.
#[derive(Default)]
struct Gate {
    ready: AtomicUsize,
    go: AtomicBool,
}

impl Gate {
    /// In a worker: ready, then wait for the signal.
    fn wait<P: Platform>(&self) {
        self.ready.fetch_add(1, Ordering::Release);
        while !self.go.load(Ordering::Acquire) {
            P::yield_now();
        }
    }

    /// In the main thread: wait until `workers` are ready, then signal.
    fn open<P: Platform>(&self, workers: usize) {
        while self.ready.load(Ordering::Acquire) < workers {
            P::yield_now();
        }
        self.go.store(true, Ordering::Release);
    }
}

/// Marsaglia's xorshift64, as the heap benchmark's, seeded per thread so
/// that each churns differently, and the same in every run.
struct XorShift(u64);

impl XorShift {
    fn new(thread: u64) -> XorShift {
        XorShift(0x9E37_79B9_7F4A_7C15 ^ thread.wrapping_mul(0xBF58_476D_1CE4_E5B9))
    }

    #[inline(always)]
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number below `n`, by multiply-high (no division).
    #[inline(always)]
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

impl crate::cli::Catalogue for Workload {
    const ALL: &'static [Workload] = WORKLOADS;
    fn name(&self) -> &'static str {
        self.name
    }
}

/// The thread benchmark's arguments.
pub type Request = crate::cli::Args<Workload>;

impl Request {
    /// Reads the arguments after the program's name.
    ///
    /// # Errors
    /// [`Usage`] when a workload is missing, unknown or given twice, or
    /// an argument is neither a workload nor `--quick`.
    pub fn from_args<'a>(args: impl IntoIterator<Item = &'a [u8]>) -> Result<Request, Usage> {
        crate::cli::Args::parse(args).ok_or(Usage)
    }
}

/// The arguments were wrong; its `Display` is the usage message, which
/// lists the workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage;

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "usage: thread-bench WORKLOAD [--quick]  (or thread-bench-std)"
        )?;
        writeln!(
            f,
            "  all                each workload below, in one process"
        )?;
        for w in WORKLOADS {
            writeln!(f, "  {:<18} {}", w.name, w.about)?;
        }
        write!(
            f,
            "prints one line per workload: NAME NS_PER_OP; --quick: small sizes, a check"
        )
    }
}

/// One output line: `NAME NS_PER_OP`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line(pub Measure);

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:.3}", self.0.name, self.0.ns_per_op)
    }
}

#[cfg(test)]
mod tests;
