//! Several threads making their first routed calls at once: whoever opens
//! the vDSO, the others are served by their system calls meanwhile
//! (`Reason::Busy`), and once it is open nothing stays on `Busy` — not a
//! slot, not the `getrandom` state, not `route`. The routing state lives
//! for the process, so each trial runs in a fresh child process (this test
//! binary again, with `FREESTAND_RACE_CHILD` set).

use std::process::Command;
use std::sync::{Arc, Barrier};

use freestand_syscalls::random::{GetrandomFlags, getrandom};
use freestand_syscalls::time::{ClockId, clock_gettime};
use freestand_syscalls::vdso::{self, Call, Reason, Startup};

const TRIALS: usize = 60;

fn startup() -> Startup {
    Startup {
        // SAFETY: getauxval only reads the auxiliary vector.
        sysinfo_ehdr: unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize,
        switch: None,
        secure: false,
    }
}

/// One trial: four threads start their first routed calls together.
fn race() {
    // SAFETY: the kernel's AT_SYSINFO_EHDR.
    unsafe { vdso::set_startup(startup) };
    let go = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let go = Arc::clone(&go);
            std::thread::spawn(move || {
                go.wait();
                for _ in 0..200 {
                    match t {
                        0 => drop(vdso::route(Call::ClockGettime)),
                        1 => drop(getrandom(&mut [0; 16], GetrandomFlags::empty())),
                        2 => drop(clock_gettime(ClockId::MONOTONIC)),
                        _ => drop(vdso::base()),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    for call in [Call::ClockGettime, Call::Getrandom, Call::Gettimeofday] {
        let r = vdso::route(call);
        assert_ne!(r.reason, Reason::Busy, "{r}");
    }
    assert!(vdso::base().is_ok());
}

#[test]
fn concurrent_first_calls_never_stay_busy() {
    if std::env::var_os("FREESTAND_RACE_CHILD").is_some() {
        race();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for trial in 0..TRIALS {
        let out = Command::new(&exe)
            .args([
                "--exact",
                "concurrent_first_calls_never_stay_busy",
                "--nocapture",
            ])
            .env("FREESTAND_RACE_CHILD", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "trial {trial}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
