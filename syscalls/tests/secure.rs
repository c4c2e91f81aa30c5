//! Under `AT_SECURE` the switch is ignored: the vDSO stays on.

use freestand_syscalls::route::{self, Call, Path, Startup, Switch};

fn startup() -> Startup {
    Startup {
        // SAFETY: getauxval only reads the auxiliary vector.
        sysinfo_ehdr: unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize,
        switch: Some(b"off"),
        secure: true,
        ..Startup::default()
    }
}

#[test]
fn secure_mode_ignores_the_switch() {
    // SAFETY: the kernel's AT_SYSINFO_EHDR.
    unsafe { route::set_startup(startup) };
    assert_eq!(route::switch(), Switch::IgnoredSecure);
    assert_eq!(route::route(Call::ClockGettime).path, Path::Vdso);
}
