//! A routed call made while another thread is opening the vDSO is served
//! by its system call (`Reason::Busy`), and once the vDSO is open nothing
//! stays on `Busy`: not a slot, not the `getrandom` state, not `route`.
//!
//! Deterministic: the startup source, which the opener calls with the
//! opening lock held, waits until the other thread has seen `Busy` (for
//! at most ten seconds, then the test fails for want of the race).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use freestand_syscalls::random::{GetrandomFlags, getrandom};
use freestand_syscalls::route::{self, Call, Path, Reason, Startup};
use freestand_syscalls::time::{ClockId, clock_gettime};

/// Set by the opener inside the startup source.
static OPENING: AtomicBool = AtomicBool::new(false);
/// Set by the other thread once it was told `Busy`.
static SAW_BUSY: AtomicBool = AtomicBool::new(false);

fn wait_for(flag: &AtomicBool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !flag.load(Ordering::SeqCst) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::yield_now();
    }
    true
}

fn startup() -> Startup {
    OPENING.store(true, Ordering::SeqCst);
    wait_for(&SAW_BUSY);
    Startup {
        // SAFETY: getauxval only reads the auxiliary vector.
        sysinfo_ehdr: unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize,
        switch: None,
        secure: false,
        ..Startup::default()
    }
}

#[test]
fn calls_during_the_open_use_syscalls_and_nothing_stays_busy() {
    // SAFETY: the kernel's AT_SYSINFO_EHDR.
    unsafe { route::set_startup(startup) };
    // The opener: its first getrandom opens the vDSO and sets its state up.
    let opener = std::thread::spawn(|| {
        let mut buf = [0u8; 16];
        getrandom(&mut buf, GetrandomFlags::empty()).unwrap();
    });
    assert!(wait_for(&OPENING), "the opener never reached the open");
    // Meanwhile: every kind of first call is served, and says Busy.
    assert!(clock_gettime(ClockId::MONOTONIC).is_ok());
    assert!(getrandom(&mut [0u8; 16], GetrandomFlags::empty()).is_ok());
    for call in [Call::ClockGettime, Call::Getrandom] {
        let r = route::route(call);
        assert_eq!((r.path, r.reason), (Path::Syscall, Reason::Busy), "{r}");
    }
    assert_eq!(route::base(), Err(Reason::Busy));
    SAW_BUSY.store(true, Ordering::SeqCst);
    opener.join().unwrap();
    // Open now: nothing is Busy any more, however often it is asked.
    for _ in 0..3 {
        for call in [Call::ClockGettime, Call::Getrandom, Call::Gettimeofday] {
            let r = route::route(call);
            assert_ne!(r.reason, Reason::Busy, "{r}");
        }
        assert!(route::base().is_ok());
        assert!(clock_gettime(ClockId::MONOTONIC).is_ok());
    }
    assert_eq!(route::route(Call::ClockGettime).path, Path::Vdso);
}
