//! `FREESTAND_VDSO=off` turns the vDSO off, except under `AT_SECURE`.
//! (One process per routing state: the secure case is in `secure.rs`.)

use freestand_syscalls::route::{self, Call, Path, Reason, Startup, Switch};
use freestand_syscalls::time::{self, ClockId};

fn startup() -> Startup {
    Startup {
        // SAFETY: getauxval only reads the auxiliary vector.
        sysinfo_ehdr: unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize,
        switch: Some(b"off"),
        secure: false,
        ..Startup::default()
    }
}

#[test]
fn switched_off() {
    // SAFETY: the kernel's AT_SYSINFO_EHDR.
    unsafe { route::set_startup(startup) };
    assert_eq!(route::switch(), Switch::Off);
    assert!(time::clock_gettime(ClockId::MONOTONIC).is_ok());
    for call in Call::ALL {
        let r = route::route(call);
        assert_eq!((r.path, r.reason), (Path::Syscall, Reason::Disabled), "{r}");
    }
}
