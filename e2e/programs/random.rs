//! A test subject for per-thread getrandom states and rseq: each
//! subcommand checks one promise of `freestand_syscalls::random` or
//! `freestand_syscalls::cpu` and prints what it saw.
//!
//! ```text
//! random unique     16 threads x 10,000 calls of 32 bytes: no two equal
//! random reentry    a 100 us SIGALRM timer whose handler calls getrandom,
//!                   1 s of calls meanwhile: lengths right, fallbacks counted
//! random cpus       pinned to each allowed CPU in turn: the rseq cpu_id and
//!                   getcpu agree with it
//! random own-rseq   getcpu's route, then a raw rseq registration of the
//!                   program's own area (run with FREESTAND_RSEQ=off)
//! random many       8 threads x 10,000 calls (for counting system calls)
//! random routes     the route of getrandom and getcpu on this thread
//! ```
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use freestand_rt::syscalls::cpu::{self, CpuSet, rseq};
use freestand_rt::syscalls::random::{self, GetrandomFlags, getrandom};
use freestand_rt::syscalls::route::{self, Call, Path};
use freestand_rt::syscalls::signal::{Action, SaFlags, Signal, sigaction};
use freestand_rt::syscalls::time::Instant;
use freestand_rt::syscalls::{arch, nr, process};
use freestand_rt::thread;
use freestand_rt::{eprintln, println, stack};

freestand_rt::entry!(main);

fn main() -> i32 {
    let mut args = stack::args().skip(1).map(|a| a.to_bytes());
    match args.next() {
        Some(b"unique") => unique(),
        Some(b"reentry") => reentry(),
        Some(b"cpus") => cpus(),
        Some(b"own-rseq") => own_rseq(),
        Some(b"many") => many(),
        Some(b"routes") => {
            println!("{}", route::route(Call::Getrandom));
            println!("{}", route::route(Call::Getcpu));
            0
        }
        _ => {
            eprintln!("usage: random unique|reentry|cpus|own-rseq|many|routes");
            2
        }
    }
}

fn fill32() -> [u8; 32] {
    let mut b = [0u8; 32];
    match getrandom(&mut b, GetrandomFlags::empty()) {
        Ok(32) => b,
        other => {
            eprintln!("getrandom gave {other:?}");
            process::exit_group(1)
        }
    }
}

fn unique() -> i32 {
    let hs: Vec<_> = (0..16)
        .map(|_| thread::spawn(|| (0..10_000).map(|_| fill32()).collect::<Vec<_>>()))
        .collect();
    let mut all: Vec<[u8; 32]> = hs.into_iter().flat_map(|h| h.join()).collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    println!("unique: {n} results, {} repeated", n - all.len());
    0
}

static IN_HANDLER: AtomicUsize = AtomicUsize::new(0);
static BAD: AtomicBool = AtomicBool::new(false);

unsafe extern "C" fn on_alarm(_: i32, _: *mut core::ffi::c_void, _: *mut core::ffi::c_void) {
    let mut b = [0u8; 16];
    if getrandom(&mut b, GetrandomFlags::empty()) != Ok(16) {
        BAD.store(true, SeqCst);
    }
    IN_HANDLER.fetch_add(1, SeqCst);
}

/// Sets a `setitimer(ITIMER_REAL)` period of `us` microseconds (0 stops it).
fn timer(us: i64) {
    let t: [i64; 4] = [0, us, 0, us];
    // SAFETY: the kernel reads one `itimerval` from a live local.
    unsafe { arch::syscall3(nr::__NR_setitimer, 0, t.as_ptr() as usize, 0) };
}

fn reentry() -> i32 {
    // SAFETY: the handler only calls getrandom (which never takes a lock a
    // handler could wait on) and touches atomics.
    if unsafe { sigaction(Signal(14), Action::Handle(on_alarm), SaFlags::RESTART) }.is_err() {
        println!("reentry: sigaction failed");
        return 1;
    }
    let before = random::fallbacks();
    timer(100);
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed().as_millis() < 1000 {
        let mut b = [0u8; 64];
        if getrandom(&mut b, GetrandomFlags::empty()) != Ok(64) {
            BAD.store(true, SeqCst);
        }
        calls += 1;
    }
    timer(0);
    let vdso = route::route(Call::Getrandom).path == Path::Vdso;
    let fallbacks = random::fallbacks() - before;
    println!(
        "reentry: lengths right {}, handlers ran {}, fallbacks counted {}",
        !BAD.load(SeqCst),
        IN_HANDLER.load(SeqCst) > 0,
        // Only the vDSO path can be re-entered; the system call has no state.
        if vdso { fallbacks > 0 } else { fallbacks == 0 }
    );
    let _ = calls;
    0
}

fn cpus() -> i32 {
    let Ok(allowed) = cpu::sched_getaffinity(0) else {
        println!("cpus: sched_getaffinity failed");
        return 1;
    };
    let mut ok = true;
    let mut n = 0;
    for c in allowed.iter() {
        let mut one = CpuSet::new();
        one.insert(c);
        if cpu::sched_setaffinity(0, &one).is_err() {
            println!("cpus: cannot pin to {c}");
            return 1;
        }
        thread::yield_now();
        let from_area = rseq::area().map(|a| {
            // SAFETY: the thread's registered area; the kernel updates it.
            unsafe { core::ptr::read_volatile(&raw const (*a.as_ptr()).cpu_id) }
        });
        let routed = cpu::getcpu().map(|c| c.cpu);
        if from_area != Some(c as u32) || routed != Ok(c as u32) {
            println!("cpus: pinned to {c}, rseq says {from_area:?}, getcpu {routed:?}");
            ok = false;
        }
        n += 1;
    }
    let _ = cpu::sched_setaffinity(0, &allowed);
    println!(
        "cpus: {n} cpus, rseq and getcpu agree: {ok}; {}",
        route::route(Call::Getcpu)
    );
    0
}

fn own_rseq() -> i32 {
    let r = route::route(Call::Getcpu);
    #[repr(C, align(32))]
    struct Area([u32; 8]);
    static mut MINE: Area = Area([0, u32::MAX, 0, 0, 0, 0, 0, 0]);
    // SAFETY: registers a static, 32-byte aligned area of 32 bytes for this
    // thread, with this architecture's signature; it is never freed.
    let ret = unsafe {
        arch::syscall4(
            nr::__NR_rseq,
            (&raw mut MINE) as usize,
            32,
            0,
            rseq::SIGNATURE as usize,
        )
    };
    let own = match freestand_rt::syscalls::errno::decode(ret) {
        Ok(_) => "ok",
        Err(e) if e == freestand_rt::syscalls::Errno::EBUSY => "EBUSY",
        Err(_) => "refused",
    };
    println!("own-rseq: {r}; own registration {own}");
    0
}

fn many() -> i32 {
    let hs: Vec<_> = (0..8)
        .map(|_| {
            thread::spawn(|| {
                for _ in 0..10_000 {
                    fill32();
                }
            })
        })
        .collect();
    for h in hs {
        h.join();
    }
    println!("many: done, fallbacks {}", random::fallbacks());
    0
}
