//! A test subject for threads: each subcommand checks one promise of
//! `freestand_rt::thread` or `freestand_rt::sync` and prints what it saw.
//!
//! ```text
//! threads smoke       spawn, join, names, ids
//! threads mutex       64 threads each add 10,000 to one Mutex<u64>; each
//!                     join returns the thread's own value
//! threads condvar     2 producers, 2 consumers, 100k items through a
//!                     bounded queue: none lost, none twice
//! threads locals      thread_local!: per thread, lazy, destructors counted
//! threads many        10,000 threads spawned and joined one after another,
//!                     then 1,000 detached: /proc/self/maps lines before and
//!                     after
//! threads overflow    a thread named "deep" overflows its stack
//! threads panic       a thread named "doomed" panics
//! threads limit       threads with 64 MiB stacks until the kernel refuses
//!                     (run it under a memory limit)
//! threads alarm       a 1 ms SIGALRM timer while 1,000 threads are
//!                     spawned and joined
//! ```
#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use core::time::Duration;
use freestand_rt::sync::{Condvar, Mutex};
use freestand_rt::syscalls::fs;
use freestand_rt::syscalls::signal::{Action, SaFlags, Signal, sigaction};
use freestand_rt::thread::{self, Builder};
use freestand_rt::{println, stack};

freestand_rt::entry!(main);

fn main() -> i32 {
    let mut args = stack::args().skip(1).map(|a| a.to_bytes());
    match args.next() {
        Some(b"smoke") => smoke(),
        Some(b"mutex") => mutex(),
        Some(b"condvar") => condvar(),
        Some(b"locals") => locals(),
        Some(b"many") => many(),
        Some(b"overflow") => overflow(),
        Some(b"panic") => {
            let h = Builder::new()
                .name(String::from("doomed"))
                .spawn(|| panic!("doomed thread gives up"));
            let _ = h.map(|h| h.join());
            1
        }
        Some(b"limit") => limit(),
        Some(b"alarm") => alarm(),
        _ => {
            freestand_rt::eprintln!(
                "usage: threads smoke|mutex|condvar|locals|many|overflow|panic|limit|alarm"
            );
            2
        }
    }
}

fn smoke() -> i32 {
    let v = thread::spawn(|| 6 * 7).join();
    let h = Builder::new()
        .name(String::from("worker"))
        .stack_size(64 * 1024)
        .spawn(|| {
            let me = thread::current();
            (
                String::from(me.name().unwrap_or("?")),
                me.id().as_u64().get(),
            )
        });
    let (name, id) = match h {
        Ok(h) => h.join(),
        Err(e) => {
            println!("spawn failed: {e}");
            return 1;
        }
    };
    let main = thread::current();
    thread::yield_now();
    thread::sleep(Duration::from_millis(1));
    println!(
        "smoke: {v} {name} {id} {} {}",
        main.name().unwrap_or("?"),
        main.id().as_u64()
    );
    0
}

fn mutex() -> i32 {
    static COUNT: Mutex<u64> = Mutex::new(0);
    let hs: Vec<_> = (0..64u64)
        .map(|i| {
            thread::spawn(move || {
                for _ in 0..10_000 {
                    *COUNT.lock() += 1;
                }
                i * 1000 + 7
            })
        })
        .collect();
    let own = hs
        .into_iter()
        .enumerate()
        .all(|(i, h)| h.join() == i as u64 * 1000 + 7);
    println!("mutex: {} {own}", *COUNT.lock());
    0
}

fn condvar() -> i32 {
    const ITEMS: usize = 100_000;
    const CAP: usize = 64;
    struct Queue {
        items: VecDeque<u32>,
        produced: usize,
    }
    static Q: Mutex<Option<Queue>> = Mutex::new(None);
    static NOT_EMPTY: Condvar = Condvar::new();
    static NOT_FULL: Condvar = Condvar::new();
    *Q.lock() = Some(Queue {
        items: VecDeque::new(),
        produced: 0,
    });
    let producers: Vec<_> = (0..2)
        .map(|_| {
            thread::spawn(|| {
                loop {
                    let mut g = NOT_FULL.wait_while(Q.lock(), |q| {
                        q.as_ref().is_some_and(|q| q.items.len() >= CAP)
                    });
                    let Some(q) = g.as_mut() else { return };
                    if q.produced == ITEMS {
                        return;
                    }
                    q.items.push_back(q.produced as u32);
                    q.produced += 1;
                    NOT_EMPTY.notify_one();
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            thread::spawn(|| {
                let mut got = Vec::new();
                loop {
                    let mut g = NOT_EMPTY.wait_while(Q.lock(), |q| {
                        q.as_ref()
                            .is_some_and(|q| q.items.is_empty() && q.produced < ITEMS)
                    });
                    let Some(q) = g.as_mut() else { return got };
                    match q.items.pop_front() {
                        Some(v) => got.push(v),
                        None => {
                            // All produced and taken: wake the other consumer.
                            NOT_EMPTY.notify_all();
                            return got;
                        }
                    }
                    NOT_FULL.notify_one();
                }
            })
        })
        .collect();
    for p in producers {
        p.join();
    }
    NOT_EMPTY.notify_all();
    let mut seen = alloc::vec![false; ITEMS];
    let (mut count, mut twice) = (0, 0);
    for c in consumers {
        for v in c.join() {
            count += 1;
            if core::mem::replace(&mut seen[v as usize], true) {
                twice += 1;
            }
        }
    }
    let missing = seen.iter().filter(|s| !**s).count();
    println!("condvar: {count} items, {missing} missing, {twice} twice");
    0
}

static MADE: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicUsize = AtomicUsize::new(0);

struct Counted(u32);

impl Drop for Counted {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, SeqCst);
    }
}

freestand_rt::thread_local! {
    static HITS: Cell<u32> = Cell::new(0);
    static OWNED: RefCell<Counted> = {
        MADE.fetch_add(1, SeqCst);
        RefCell::new(Counted(0))
    };
}

fn locals() -> i32 {
    HITS.with(|h| h.set(100));
    let hs: Vec<_> = (0..8u32)
        .map(|i| {
            thread::spawn(move || {
                for _ in 0..=i {
                    HITS.with(|h| h.set(h.get() + 1));
                }
                // Only the odd threads touch OWNED: made lazily, for them.
                if i % 2 == 1 {
                    OWNED.with(|o| o.borrow_mut().0 = i);
                }
                HITS.with(|h| h.get())
            })
        })
        .collect();
    let mine: Vec<u32> = hs.into_iter().map(|h| h.join()).collect();
    println!(
        "locals: {mine:?} main {} made {} dropped {}",
        HITS.with(|h| h.get()),
        MADE.load(SeqCst),
        DROPPED.load(SeqCst)
    );
    0
}

/// Lines of /proc/self/maps.
fn mappings() -> usize {
    let mut buf = alloc::vec![0u8; 1 << 20];
    let Ok(fd) =
        freestand_rt::syscalls::fs::openat(fs::AT_FDCWD, c"/proc/self/maps", fs::OFlags::RDONLY, 0)
    else {
        return 0;
    };
    let mut len = 0;
    while let Ok(n) = freestand_rt::syscalls::io::read(fd, &mut buf[len..]) {
        if n == 0 {
            break;
        }
        len += n;
    }
    let _ = fs::close(fd);
    buf[..len].iter().filter(|&&b| b == b'\n').count()
}

fn many() -> i32 {
    thread::spawn(|| ()).join();
    let before = mappings();
    let mut sum = 0u64;
    for i in 0..10_000u64 {
        sum += thread::spawn(move || i).join();
    }
    let joined = mappings();
    static DONE: AtomicUsize = AtomicUsize::new(0);
    for _ in 0..1_000 {
        drop(thread::spawn(|| {
            DONE.fetch_add(1, SeqCst);
        }));
    }
    while DONE.load(SeqCst) < 1_000 {
        thread::sleep(Duration::from_millis(1));
    }
    // The last detached threads may still be unmapping themselves.
    thread::sleep(Duration::from_millis(50));
    let detached = mappings();
    println!(
        "many: sum {sum}, mappings grew by {} joined, {} detached",
        joined.saturating_sub(before),
        detached.saturating_sub(before)
    );
    0
}

fn overflow() -> i32 {
    #[inline(never)]
    #[allow(unconditional_recursion)]
    fn deep(n: u64) -> u64 {
        let buf = core::hint::black_box([n; 64]);
        buf[(n % 64) as usize] + deep(n + 1)
    }
    let h = Builder::new()
        .name(String::from("deep"))
        .stack_size(128 * 1024)
        .spawn(|| deep(0));
    println!("overflow: survived {}", h.map(|h| h.join()).unwrap_or(0));
    1
}

fn limit() -> i32 {
    static GO: AtomicBool = AtomicBool::new(false);
    let mut held = Vec::new();
    let err = loop {
        match Builder::new().stack_size(64 << 20).spawn(|| {
            while !GO.load(SeqCst) {
                thread::sleep(Duration::from_millis(1));
            }
        }) {
            Ok(h) => held.push(h),
            Err(e) => break e,
        }
        if held.len() > 100_000 {
            println!("limit: never refused");
            return 1;
        }
    };
    GO.store(true, SeqCst);
    let n = held.len();
    for h in held {
        h.join();
    }
    println!(
        "limit: {err} after {} threads",
        if n > 0 { "some" } else { "no" }
    );
    0
}

static ALARMS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn on_alarm(_: i32, _: *mut core::ffi::c_void, _: *mut core::ffi::c_void) {
    ALARMS.fetch_add(1, SeqCst);
}

fn alarm() -> i32 {
    // SAFETY: the handler only bumps an atomic.
    if unsafe { sigaction(Signal(14), Action::Handle(on_alarm), SaFlags::RESTART) }.is_err() {
        println!("alarm: sigaction failed");
        return 1;
    }
    // struct itimerval { interval, value }, each { sec, usec }: 1 ms.
    let timer: [i64; 4] = [0, 1000, 0, 1000];
    // SAFETY: the kernel reads one `itimerval` from a live local.
    let r = unsafe {
        freestand_rt::syscalls::arch::syscall3(
            freestand_rt::syscalls::nr::__NR_setitimer,
            0,
            timer.as_ptr() as usize,
            0,
        )
    };
    if r != 0 {
        println!("alarm: setitimer failed");
        return 1;
    }
    let mut sum = 0u64;
    for i in 0..1_000u64 {
        sum += thread::spawn(move || {
            thread::yield_now();
            i
        })
        .join();
    }
    let stop = [0i64; 4];
    // SAFETY: as above.
    unsafe {
        freestand_rt::syscalls::arch::syscall3(
            freestand_rt::syscalls::nr::__NR_setitimer,
            0,
            stop.as_ptr() as usize,
            0,
        )
    };
    println!(
        "alarm: sum {sum}, signals seen: {}",
        ALARMS.load(SeqCst) > 0
    );
    0
}
