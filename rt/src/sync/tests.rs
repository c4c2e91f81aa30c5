//! Host tests of the locks, with `std`'s threads.

extern crate std;
use super::*;
use core::time::Duration;
use std::format;
use std::thread;
use std::time::Instant;
use std::vec::Vec;

#[test]
fn many_threads_count_exactly() {
    const THREADS: u64 = 64;
    const ADDS: u64 = 10_000;
    let count = Mutex::new(0u64);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..ADDS {
                    *count.lock() += 1;
                }
            });
        }
    });
    assert_eq!(count.into_inner(), THREADS * ADDS);
}

#[test]
fn a_long_hold_puts_the_waiter_to_sleep_and_wakes_it() {
    let m = Mutex::new(0u32);
    let hold = Duration::from_millis(30);
    thread::scope(|s| {
        let guard = m.lock();
        let t0 = Instant::now();
        let m = &m;
        let waiter = s.spawn(move || {
            *m.lock() += 1;
            t0.elapsed()
        });
        thread::sleep(hold);
        drop(guard);
        // The waiter got the lock only after the release.
        assert!(waiter.join().unwrap() >= hold);
    });
    assert_eq!(*m.lock(), 1);
}

#[test]
fn try_lock_never_waits() {
    let mut m = Mutex::new(7);
    {
        let guard = m.try_lock().unwrap();
        assert_eq!(*guard, 7);
        assert!(m.try_lock().is_none());
        thread::scope(|s| {
            assert!(s.spawn(|| m.try_lock().is_none()).join().unwrap());
        });
        assert_eq!(format!("{m:?}"), "Mutex { data: <locked>, .. }");
    }
    assert_eq!(format!("{m:?}"), "Mutex { data: 7, .. }");
    *m.try_lock().unwrap() += 1;
    *m.get_mut() += 1;
    assert_eq!(m.into_inner(), 9);
}

#[test]
fn guards_hand_out_the_value() {
    // Unsized values too.
    let slice: std::boxed::Box<Mutex<[u8]>> = std::boxed::Box::new(Mutex::new([1u8, 2, 3]));
    slice.lock()[0] = 9;
    assert_eq!(&*slice.lock(), &[9, 2, 3]);
    let m = Mutex::new(std::string::String::from("a"));
    m.lock().push('b');
    let guard = m.lock();
    assert_eq!(format!("{guard} {guard:?}"), "ab \"ab\"");
}

/// A bounded queue: a fixed ring of slots behind one mutex.
struct Ring {
    slots: [u32; 64],
    head: usize,
    len: usize,
    producers_done: u32,
}

#[test]
fn producers_and_consumers_lose_and_duplicate_nothing() {
    const ITEMS: u32 = 100_000;
    const PRODUCERS: u32 = 2;
    const CONSUMERS: usize = 2;
    let ring = Mutex::new(Ring {
        slots: [0; 64],
        head: 0,
        len: 0,
        producers_done: 0,
    });
    let (not_empty, not_full) = (Condvar::new(), Condvar::new());
    let per = ITEMS / PRODUCERS;
    let taken: Vec<Vec<u32>> = thread::scope(|s| {
        for p in 0..PRODUCERS {
            let (ring, not_empty, not_full) = (&ring, &not_empty, &not_full);
            s.spawn(move || {
                for item in p * per..(p + 1) * per {
                    let mut r = not_full.wait_while(ring.lock(), |r| r.len == r.slots.len());
                    let tail = (r.head + r.len) % r.slots.len();
                    r.slots[tail] = item;
                    r.len += 1;
                    drop(r);
                    not_empty.notify_one();
                }
                ring.lock().producers_done += 1;
                not_empty.notify_all();
            });
        }
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| {
                s.spawn(|| {
                    let mut got = Vec::new();
                    loop {
                        let mut r = not_empty.wait_while(ring.lock(), |r| {
                            r.len == 0 && r.producers_done < PRODUCERS
                        });
                        if r.len == 0 {
                            return got;
                        }
                        got.push(r.slots[r.head]);
                        r.head = (r.head + 1) % r.slots.len();
                        r.len -= 1;
                        drop(r);
                        not_full.notify_one();
                    }
                })
            })
            .collect();
        consumers.into_iter().map(|c| c.join().unwrap()).collect()
    });
    let mut seen = std::vec![false; ITEMS as usize];
    let mut sum = 0u64;
    for &item in taken.iter().flatten() {
        assert!(
            !core::mem::replace(&mut seen[item as usize], true),
            "{item} twice"
        );
        sum += u64::from(item);
    }
    assert!(seen.iter().all(|&s| s), "an item was lost");
    assert_eq!(sum, u64::from(ITEMS) * u64::from(ITEMS - 1) / 2);
}

#[test]
fn wait_timeout_times_out() {
    let m = Mutex::new(());
    let cv = Condvar::new();
    let d = Duration::from_millis(20);
    let t0 = Instant::now();
    let (guard, result) = cv.wait_timeout(m.lock(), d);
    assert!(result.timed_out());
    assert!(t0.elapsed() >= d);
    // The lock is held again.
    assert!(m.try_lock().is_none());
    drop(guard);

    let t0 = Instant::now();
    let (guard, result) = cv.wait_timeout_while(m.lock(), d, |_| true);
    assert!(result.timed_out());
    assert!(t0.elapsed() >= d);
    drop(guard);

    let (_guard, result) = cv.wait_timeout(m.lock(), Duration::ZERO);
    assert!(result.timed_out());
}

#[test]
fn a_notification_ends_a_timed_wait() {
    let flag = Mutex::new(false);
    let cv = Condvar::new();
    thread::scope(|s| {
        s.spawn(|| {
            thread::sleep(Duration::from_millis(5));
            *flag.lock() = true;
            cv.notify_all();
        });
        let (guard, result) = cv.wait_timeout_while(flag.lock(), Duration::from_secs(10), |f| !*f);
        assert!(!result.timed_out());
        assert!(*guard);
    });
}

#[test]
fn notifying_nobody_is_harmless() {
    let cv = Condvar::default();
    cv.notify_one();
    cv.notify_all();
    // Single-threaded, a satisfied condition never waits.
    let m = Mutex::new(1);
    assert_eq!(*cv.wait_while(m.lock(), |v| *v == 0), 1);
}
