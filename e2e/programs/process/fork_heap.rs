//! Forks while another thread holds the heap's lock.

#[allow(unused_imports)]
use super::*;

pub(crate) const FORKS: usize = 200;

/// Allocates and frees blocks of every size class path (small, mid-size,
/// large) until `stop` is set; returns how many.
pub(crate) fn churn(stop: &AtomicBool) -> usize {
    let sizes = [24usize, 200, 3_000, 20_000, 40_000, 100_000, 1 << 20];
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        for &size in &sizes {
            let v: Vec<u8> = Vec::with_capacity(size);
            black_box(&v);
            drop(v);
            n += 1;
        }
        let b = Box::new([n; 4]);
        black_box(&b);
    }
    n
}

pub(crate) fn fork_heap() -> Check {
    static STOP: AtomicBool = AtomicBool::new(false);
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let worker = thread::spawn(|| {
        STARTED.store(1, Ordering::Release);
        churn(&STOP)
    });
    while STARTED.load(Ordering::Acquire) == 0 {
        thread::yield_now();
    }
    let mut failures = Vec::new();
    let mut clean = 0;
    for i in 0..FORKS {
        // The runtime's fork leaves the heap usable in the child whatever
        // the other thread was doing.
        let pid = match fork() {
            Ok(Fork::Child) => {
                let big = alloc::vec![7u8; 1 << 20];
                let mid = alloc::vec![3u8; 32 << 10];
                let small = Box::new(i);
                let code = if !(big.iter().all(|&b| b == 7) && mid[100] == 3 && *small == i) {
                    3
                } else if thread::current().tid() != gettid() {
                    // The runtime's cached thread id is the parent's.
                    4
                } else if thread::spawn(move || i * 2).join() != i * 2 {
                    5
                } else {
                    0
                };
                exit_group(code)
            }
            Ok(Fork::Parent(pid)) => pid,
            Err(e) => {
                failures.push(format!("fork {i}: {e}"));
                break;
            }
        };
        match wait_for(pid, WaitOptions::empty()) {
            Ok(WaitStatus::Exited(0)) => clean += 1,
            Ok(s) => failures.push(format!("child {i} (pid {pid}): {}", status_text(s))),
            Err(e) => failures.push(format!("child {i}: {e}")),
        }
        // A stuck child costs a second or more: a few say enough.
        if failures.len() == 5 {
            failures.push(String::from("stopped after 5 failures"));
            break;
        }
    }
    STOP.store(true, Ordering::Relaxed);
    let churned = worker.join();
    if !failures.is_empty() {
        return Err(format!(
            "{clean} children exited 0; {}",
            failures.join("; ")
        ));
    }
    println!(
        "fork-heap: {clean} of {FORKS} children forked while a thread allocated exited 0 \
         (the thread went on: {})",
        churned > 0
    );
    Ok(())
}
