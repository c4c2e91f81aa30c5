//! The `getrandom` lines: 4 and 32 bytes on each path, and 4 bytes from
//! 8 threads at once.
//!
//! `direct` calls `__vdso_getrandom` with an opaque state of its own,
//! mapped here as the kernel documents, so it has neither the routing
//! layer nor the thread's state and its in-use mark.
//!
//! `routed-8-threads`: 8 threads (`freestand_rt::thread::spawn`) each make
//! the same fixed number of routed 4-byte calls, all at once. Each thread
//! makes one untimed call first (it takes the thread's state from the
//! pool), then waits at a gate; the time runs from the opening of the gate
//! to the last thread's last call. The figure is that wall time times the
//! number of CPUs the threads can use (`min(8, CPUs in the
//! sched_getaffinity mask)`), divided by the number of calls: the cost of
//! one call on one CPU, comparable with the single-thread `routed` when
//! every usable CPU is busy throughout. The median over the rounds is
//! printed, then, as a comment, how many CPUs the threads had (the
//! process's CPU time over the wall time): less than all of them when
//! other processes ran, or in the tail of a round when fewer threads than
//! CPUs are left. `fallbacks-8-threads` is how many calls of all those rounds
//! took the system call although the vDSO serves `getrandom`
//! ([`random::fallbacks`]).

use super::timing::median;
use super::{GETRANDOM, Keep, Plan, bench, direct, direct_fn, keep};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::hint::black_box;
use freestand_rt::println;
use freestand_rt::sync::{Condvar, Mutex};
use freestand_rt::syscalls::cpu::sched_getaffinity;
use freestand_rt::syscalls::mm::{MapFlags, ProtFlags, mmap};
use freestand_rt::syscalls::random::{self, GetrandomFlags};
use freestand_rt::syscalls::route::{self, Call};
use freestand_rt::syscalls::time::{self, ClockId, Instant};
use freestand_rt::thread;

/// Threads of the many-threads measure.
const THREADS: usize = 8;

/// Prints the `getrandom4` lines, the many-threads lines, then the
/// `getrandom32` lines.
pub(crate) fn bench_all(plan: &Plan) {
    println!("# {}", route::route(Call::Getrandom));
    let state = direct::<GETRANDOM>(Call::Getrandom).and_then(|()| private_state());
    let routed = bench_bytes::<4>("getrandom4", plan, state);
    many_threads(plan, routed);
    bench_bytes::<32>("getrandom32", plan, state);
}

type GetrandomFn = unsafe extern "C" fn(*mut u8, usize, u32, *mut u8, usize) -> isize;

/// The three paths of an `N`-byte `getrandom`; returns the median ns per
/// routed call.
fn bench_bytes<const N: usize>(name: &str, plan: &Plan, state: Option<(*mut u8, usize)>) -> f64 {
    bench(
        name,
        plan,
        || {
            let mut b = [0u8; N];
            keep(random::getrandom(&mut b, GetrandomFlags::empty()));
            black_box(b);
        },
        state.map(|(state, len)| {
            move || {
                let mut b = [0u8; N];
                // SAFETY: the slot holds `__vdso_getrandom`.
                let f = unsafe { direct_fn::<GETRANDOM, GetrandomFn>() };
                // SAFETY: `b` is writable for `N` bytes; the state is this
                // benchmark's own mapping of the size the kernel asked for,
                // used by one call at a time.
                let r = unsafe { f(b.as_mut_ptr(), N, 0, state, len) };
                if r >= 0 {
                    (r as usize).keep();
                }
                black_box(b);
            }
        }),
        || {
            let mut b = [0u8; N];
            keep(random::getrandom_syscall(&mut b, GetrandomFlags::empty()));
            black_box(b);
        },
    )
}

/// An opaque state of the benchmark's own for calling `__vdso_getrandom`
/// directly, set up as the kernel documents (see
/// `freestand_syscalls::random`).
fn private_state() -> Option<(*mut u8, usize)> {
    // SAFETY: `direct` stored `__vdso_getrandom`.
    let f = unsafe { direct_fn::<GETRANDOM, GetrandomFn>() };
    let mut params = [0u32; 16];
    // SAFETY: the parameter query writes a 64-byte
    // `vgetrandom_opaque_params` to `params`.
    let ret = unsafe {
        f(
            core::ptr::null_mut(),
            0,
            0,
            params.as_mut_ptr().cast(),
            usize::MAX,
        )
    };
    let len = params[0] as usize;
    if ret != 0 || len == 0 || len > 4096 {
        return None;
    }
    // SAFETY: no MAP_FIXED: the kernel picks a free range.
    let state = unsafe {
        mmap(
            core::ptr::null_mut(),
            len,
            ProtFlags::from_bits_retain(params[1]),
            MapFlags::from_bits_retain(params[2]) - MapFlags::FIXED,
            -1,
            0,
        )
    }
    .ok()?;
    Some((state.as_ptr(), len))
}

/// The `routed-8-threads` and `fallbacks-8-threads` lines (see the module
/// docs); `routed_ns` is the single-thread routed figure, which sizes the
/// threads' work and is compared with.
fn many_threads(plan: &Plan, routed_ns: f64) {
    let cpus = sched_getaffinity(0).map_or(1, |set| set.iter().count());
    let cpus = cpus.clamp(1, THREADS);
    let calls = ((plan.thread_ns as f64 / routed_ns) as usize).max(1000);
    let before = random::fallbacks();
    let rounds: Vec<(u64, u64)> = (0..plan.thread_rounds).map(|_| one_round(calls)).collect();
    let fallbacks = random::fallbacks() - before;
    let total = (THREADS * calls) as f64;
    let mut per_call: Vec<f64> = rounds
        .iter()
        .map(|&(wall, _)| wall as f64 * cpus as f64 / total)
        .collect();
    let mut cpu_per_call: Vec<f64> = rounds.iter().map(|&(_, cpu)| cpu as f64 / total).collect();
    let mut busy: Vec<f64> = rounds
        .iter()
        .map(|&(wall, cpu)| cpu as f64 / wall as f64)
        .collect();
    let ns = median(&mut per_call);
    println!(
        "# getrandom4 routed-{THREADS}-threads: {THREADS} threads at once, {calls} calls each; \
         wall time x {cpus} usable CPUs / calls, median of the rounds (rounds: {})",
        plan.thread_rounds
    );
    println!("getrandom4 routed-{THREADS}-threads {ns:.1}");
    println!("getrandom4 fallbacks-{THREADS}-threads {fallbacks}");
    // What the normalisation assumes: that the threads had every usable
    // CPU throughout. Other processes on the machine take CPUs away, and
    // the process's CPU time shows how much.
    println!(
        "# getrandom4 routed-{THREADS}-threads/routed {:.3}; CPUs the threads had {:.2} of {cpus}; \
         process CPU time per call {:.1} ns",
        ns / routed_ns,
        median(&mut busy),
        median(&mut cpu_per_call)
    );
}

/// One round of the many-threads measure: the wall time in ns from the
/// opening of the gate to the last call of the last thread, and the
/// process's CPU time in ns from the opening of the gate to the last join.
fn one_round(calls: usize) -> (u64, u64) {
    // How many threads wait at the gate, and whether it is open.
    let gate = Arc::new((Mutex::new((0usize, false)), Condvar::new()));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                let mut b = [0u8; 4];
                // Untimed: the first call takes the thread's state.
                keep(random::getrandom(&mut b, GetrandomFlags::empty()));
                let (lock, cv) = &*gate;
                let mut g = lock.lock();
                g.0 += 1;
                cv.notify_all();
                drop(cv.wait_while(g, |g| !g.1));
                for _ in 0..calls {
                    keep(random::getrandom(&mut b, GetrandomFlags::empty()));
                    black_box(b);
                }
                Instant::now()
            })
        })
        .collect();
    let (lock, cv) = &*gate;
    let mut g = cv.wait_while(lock.lock(), |g| g.0 < THREADS);
    g.1 = true;
    let cpu_start = cpu_time();
    let start = Instant::now();
    drop(g);
    cv.notify_all();
    let end = handles.into_iter().map(|h| h.join()).max();
    let cpu = cpu_time().saturating_sub(cpu_start);
    (
        end.map_or(0, |e| e.duration_since(start).as_nanos() as u64),
        cpu,
    )
}

/// The process's CPU time in ns, all threads together (0 if the clock
/// cannot be read).
fn cpu_time() -> u64 {
    time::clock_gettime(ClockId::PROCESS_CPUTIME_ID)
        .map_or(0, |t| (t.sec * 1_000_000_000 + t.nsec) as u64)
}
