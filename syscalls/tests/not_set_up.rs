//! Without `set_startup`, every routed call is served by its system call,
//! and introspection says why.

use freestand_syscalls::route::{self, Call, Path, Reason};
use freestand_syscalls::time::{self, ClockId};

#[test]
fn routed_calls_fall_back_and_say_why() {
    let t = time::clock_gettime(ClockId::MONOTONIC).unwrap();
    assert!(t.nsec < 1_000_000_000);
    assert_eq!(
        time::clock_gettime(ClockId(-1)),
        Err(freestand_syscalls::Errno::EINVAL)
    );
    for call in Call::ALL {
        let r = route::route(call);
        assert_eq!(r.path, Path::Syscall, "{r}");
        assert!(
            matches!(r.reason, Reason::NotSetUp | Reason::NotOnThisArch),
            "{r}"
        );
    }
    assert_eq!(route::base(), Err(Reason::NotSetUp));
    let r = route::route(Call::ClockGettime).to_string();
    assert!(r.ends_with(": no runtime called route::set_startup"), "{r}");
}
