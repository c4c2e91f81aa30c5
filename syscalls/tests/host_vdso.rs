//! The routed calls on the test process's own vDSO, found with libc's
//! `getauxval`, against the system calls.

use freestand_syscalls::cpu;
use freestand_syscalls::random::{GetrandomFlags, getrandom};
use freestand_syscalls::route::{self, Call, Path, Startup, Switch};
use freestand_syscalls::time::{self, ClockId, Instant, SystemTime};

fn startup() -> Startup {
    Startup {
        // SAFETY: getauxval only reads the auxiliary vector.
        sysinfo_ehdr: unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize,
        switch: None,
        secure: false,
        ..Startup::default()
    }
}

#[test]
fn host_vdso_serves_and_agrees_with_the_kernel() {
    // SAFETY: the kernel's AT_SYSINFO_EHDR.
    unsafe { route::set_startup(startup) };
    assert_eq!(route::switch(), Switch::Unset);
    assert!(route::base().is_ok());
    for call in [
        Call::ClockGettime,
        Call::ClockGetres,
        Call::Gettimeofday,
        Call::Getcpu,
    ] {
        let r = route::route(call);
        assert_eq!(r.path, Path::Vdso, "{r}");
    }
    for (id, name) in ClockId::NAMED {
        for _ in 0..100 {
            let a = time::clock_gettime_syscall(id);
            let b = time::clock_gettime(id);
            let c = time::clock_gettime_syscall(id);
            match (a, b, c) {
                (Ok(a), Ok(b), Ok(c)) => assert!(a <= b && b <= c, "{name}"),
                (a, b, c) => assert!(a.is_err() && a == b && b == c, "{name}"),
            }
        }
    }
    let t0 = Instant::now();
    assert!(Instant::now() >= t0);
    assert!(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            > 1_600_000_000
    );
    assert!(cpu::getcpu().is_ok());
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    assert_eq!(getrandom(&mut a, GetrandomFlags::empty()), Ok(32));
    assert_eq!(getrandom(&mut b, GetrandomFlags::empty()), Ok(32));
    assert_ne!(a, b);
}
