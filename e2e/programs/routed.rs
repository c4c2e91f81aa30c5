//! The routed calls checked against the kernel itself (the suite runs this
//! on every platform, with the vDSO on and switched off).
//!
//! - `routed check [PLATFORM]`: every check; prints `ok NAME` per check and
//!   `all N checks passed`, or `FAIL NAME: ...` on stderr and exits 1.
//!   PLATFORM (`native-x86_64`, `qemu-x86_64`, `qemu-riscv64`) tells the
//!   `getcpu` check what to expect (qemu-x86_64's vDSO always says CPU 0).
//! - `routed routes`: the switch and the path of every routed call.
//! - `routed loop N`: N routed `clock_gettime`, `gettimeofday`, `time` and
//!   `getcpu` calls each, for counting system calls under strace.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use freestand_rt::syscalls::cpu::{self, CpuSet};
use freestand_rt::syscalls::random::{GetrandomFlags, getrandom, getrandom_syscall};
use freestand_rt::syscalls::route::{self, Call, Path};
use freestand_rt::syscalls::time::{self, ClockId};
use freestand_rt::syscalls::{Errno, process};
use freestand_rt::{eprintln, println, stack};

freestand_rt::entry!(main);

/// How often each sandwich is taken.
const ROUNDS: usize = 1000;

type Check = Result<(), String>;

/// A named check; the argument is the platform name.
type NamedCheck = (&'static str, fn(&[u8]) -> Check);

fn main() -> i32 {
    let args: Vec<&[u8]> = stack::args().skip(1).map(|a| a.to_bytes()).collect();
    match args.as_slice() {
        [b"check"] => check(b""),
        [b"check", platform] => check(platform),
        [b"routes"] => {
            println!("{}", route::switch());
            for call in Call::ALL {
                println!("{}", route::route(call));
            }
            0
        }
        [b"loop", n] => match core::str::from_utf8(n).ok().and_then(|n| n.parse().ok()) {
            Some(n) => run_loop(n),
            None => usage(),
        },
        _ => usage(),
    }
}

fn usage() -> i32 {
    eprintln!("routed: usage: routed check [PLATFORM] | routed routes | routed loop N");
    2
}

fn run_loop(n: u64) -> i32 {
    let mut sum = 0i64;
    for _ in 0..n {
        let ts = time::clock_gettime(ClockId::MONOTONIC);
        let tv = time::gettimeofday();
        let t = time::time();
        let c = cpu::getcpu();
        match (ts, tv, t, c) {
            (Ok(ts), Ok(tv), Ok(t), Ok(c)) => sum ^= ts.nsec ^ tv.usec ^ t ^ i64::from(c.cpu),
            _ => {
                eprintln!("routed: a routed call failed");
                return 1;
            }
        }
    }
    println!("{n} rounds ({})", sum & 1);
    0
}

fn check(platform: &[u8]) -> i32 {
    let checks: [NamedCheck; 9] = [
        ("clock_gettime_sandwich_every_clock", |_| clock_sandwich()),
        ("clock_gettime_invalid_ids", |_| invalid_clocks()),
        ("clock_getres_equals_syscall", |_| clock_getres()),
        ("gettimeofday_sandwich", |_| gettimeofday()),
        ("time_sandwich", |_| time_check()),
        ("getcpu_follows_affinity", getcpu),
        ("getrandom_lengths_and_uniqueness", |_| getrandom_values()),
        ("getrandom_flags_match_syscall", |_| getrandom_flags()),
        ("arch_calls", |_| arch_calls()),
    ];
    let mut failed = 0;
    for (name, f) in checks {
        match f(platform) {
            Ok(()) => println!("ok {name}"),
            Err(e) => {
                failed += 1;
                eprintln!("FAIL {name}: {e}");
            }
        }
    }
    if failed == 0 {
        println!("all {} checks passed", checks.len());
        0
    } else {
        eprintln!("{failed} of {} checks failed", checks.len());
        1
    }
}

/// Every clock id worth asking: the named ones, the unused ones up to 15,
/// and this process's and thread's CPU-time clocks by pid.
fn clock_ids() -> Vec<(ClockId, String)> {
    let mut ids: Vec<(ClockId, String)> = (0..16)
        .map(|i| {
            let name = ClockId::NAMED
                .iter()
                .find(|(c, _)| c.0 == i)
                .map_or(format!("clock {i}"), |(_, n)| String::from(*n));
            (ClockId(i), name)
        })
        .collect();
    let pid = process::getpid();
    // MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) and its per-thread variant,
    // from the kernel's include/linux/posix-timers_types.h.
    ids.push((ClockId((!pid) << 3 | 2), format!("process {pid} cputime")));
    ids.push((ClockId((!pid) << 3 | 6), format!("thread {pid} cputime")));
    ids
}

fn clock_sandwich() -> Check {
    for (id, name) in clock_ids() {
        for _ in 0..ROUNDS {
            let a = time::clock_gettime_syscall(id);
            let b = time::clock_gettime(id);
            let c = time::clock_gettime_syscall(id);
            match (a, b, c) {
                (Ok(a), Ok(b), Ok(c)) if a <= b && b <= c => {}
                (Err(x), Err(y), Err(z)) if x == y && y == z => {}
                r => return Err(format!("{name}: syscall, routed, syscall gave {r:?}")),
            }
        }
    }
    Ok(())
}

fn invalid_clocks() -> Check {
    for id in [-1, i32::MIN, i32::MAX, 10] {
        let id = ClockId(id);
        let got = [
            time::clock_gettime(id).err(),
            time::clock_gettime_syscall(id).err(),
            time::clock_getres(id).err(),
            time::clock_getres_syscall(id).err(),
        ];
        if got != [Some(Errno::EINVAL); 4] {
            return Err(format!(
                "clock {}: {got:?}, want EINVAL from all four",
                id.0
            ));
        }
    }
    Ok(())
}

fn clock_getres() -> Check {
    for (id, name) in clock_ids() {
        let (a, b) = (time::clock_getres(id), time::clock_getres_syscall(id));
        if a != b {
            return Err(format!("{name}: routed {a:?}, syscall {b:?}"));
        }
    }
    Ok(())
}

fn gettimeofday() -> Check {
    for i in 0..ROUNDS {
        let a = time::gettimeofday_syscall().map_err(|e| format!("syscall: {e}"))?;
        let b = if i % 2 == 0 {
            time::gettimeofday()
        } else {
            time::gettimeofday_tz().map(|(tv, _)| tv)
        }
        .map_err(|e| format!("routed: {e}"))?;
        let c = time::gettimeofday_syscall().map_err(|e| format!("syscall: {e}"))?;
        if !(a <= b && b <= c) {
            return Err(format!("not ordered: {a:?} {b:?} {c:?}"));
        }
    }
    let tz = time::gettimeofday_tz().map(|(_, tz)| tz);
    let want = time::gettimeofday_tz_syscall().map(|(_, tz)| tz);
    if tz != want {
        return Err(format!("timezone: routed {tz:?}, syscall {want:?}"));
    }
    Ok(())
}

fn time_check() -> Check {
    for i in 0..ROUNDS {
        let a = time::time_syscall().map_err(|e| format!("syscall: {e}"))?;
        let b = if i % 2 == 0 {
            time::time().map_err(|e| format!("routed: {e}"))?
        } else {
            let mut out = 0;
            let t = time::time_to(&mut out).map_err(|e| format!("routed: {e}"))?;
            if out != t {
                return Err(format!("time(&out) returned {t} but stored {out}"));
            }
            t
        };
        let c = time::time_syscall().map_err(|e| format!("syscall: {e}"))?;
        if !(a <= b && b <= c) {
            return Err(format!("not ordered: {a} {b} {c}"));
        }
    }
    Ok(())
}

fn getcpu(platform: &[u8]) -> Check {
    let allowed = cpu::sched_getaffinity(0).map_err(|e| format!("sched_getaffinity: {e}"))?;
    let vdso_says_zero =
        platform == b"qemu-x86_64" && route::route(Call::Getcpu).path == Path::Vdso;
    let mut seen = 0;
    for n in allowed.iter() {
        let mut one = CpuSet::new();
        one.insert(n);
        cpu::sched_setaffinity(0, &one).map_err(|e| format!("pin to {n}: {e}"))?;
        for _ in 0..100 {
            let sys = cpu::getcpu_syscall().map_err(|e| format!("syscall: {e}"))?;
            let routed = cpu::getcpu().map_err(|e| format!("routed: {e}"))?;
            let want = if vdso_says_zero { 0 } else { n as u32 };
            if sys.cpu != n as u32 || routed.cpu != want {
                return Err(format!(
                    "pinned to CPU {n}: syscall says {}, routed says {} (want {want})",
                    sys.cpu, routed.cpu
                ));
            }
            if !vdso_says_zero && routed.node != sys.node {
                return Err(format!(
                    "node: routed {}, syscall {}",
                    routed.node, sys.node
                ));
            }
        }
        seen += 1;
    }
    cpu::sched_setaffinity(0, &allowed).map_err(|e| format!("restore affinity: {e}"))?;
    if seen == 0 {
        return Err("sched_getaffinity returned no CPU".into());
    }
    if vdso_says_zero {
        println!(
            "note getcpu: qemu-x86_64's vDSO reports CPU 0 on every CPU; the system call does not"
        );
    }
    Ok(())
}

fn getrandom_values() -> Check {
    for len in [0, 1, 7, 32, 255, 4096, 1 << 20] {
        let mut buf = alloc::vec![0u8; len];
        let n =
            getrandom(&mut buf, GetrandomFlags::empty()).map_err(|e| format!("len {len}: {e}"))?;
        if n != len {
            return Err(format!("asked for {len} bytes, got {n}"));
        }
        if len >= 32 && buf.iter().all(|&b| b == 0) {
            return Err(format!("{len} zero bytes"));
        }
    }
    let mut draws: Vec<[u8; 32]> = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let mut b = [0u8; 32];
        match getrandom(&mut b, GetrandomFlags::empty()) {
            Ok(32) => draws.push(b),
            r => return Err(format!("getrandom(32) gave {r:?}")),
        }
    }
    draws.sort_unstable();
    draws.dedup();
    if draws.len() != ROUNDS {
        return Err(format!("{} repeated 32-byte draws", ROUNDS - draws.len()));
    }
    Ok(())
}

fn getrandom_flags() -> Check {
    let (nb, rnd, ins) = (
        GetrandomFlags::NONBLOCK,
        GetrandomFlags::RANDOM,
        GetrandomFlags::INSECURE,
    );
    let cases = [
        GetrandomFlags::empty(),
        nb,
        rnd,
        ins,
        nb | ins,
        nb | rnd,
        rnd | ins,
        GetrandomFlags::from_bits_retain(8),
        GetrandomFlags::from_bits_retain(0x100),
        GetrandomFlags::from_bits_retain(u32::MAX),
    ];
    for flags in cases {
        let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
        let routed = getrandom(&mut a, flags);
        let sys = getrandom_syscall(&mut b, flags);
        if routed != sys {
            return Err(format!(
                "flags {:#x}: routed {routed:?}, syscall {sys:?}",
                flags.bits()
            ));
        }
    }
    Ok(())
}

#[cfg(target_arch = "riscv64")]
fn arch_calls() -> Check {
    use freestand_rt::syscalls::riscv;
    let mut a: Vec<riscv::HwprobePair> = (0..16).map(riscv::HwprobePair::new).collect();
    let mut b = a.clone();
    let (ra, rb) = (riscv::hwprobe(&mut a, 0), riscv::hwprobe_syscall(&mut b, 0));
    if ra != rb || a != b {
        return Err(format!(
            "hwprobe: routed {ra:?} {a:?}, syscall {rb:?} {b:?}"
        ));
    }
    let (ra, rb) = (
        riscv::hwprobe(&mut a, 0xff00),
        riscv::hwprobe_syscall(&mut b, 0xff00),
    );
    if ra != rb || ra != Err(Errno::EINVAL) {
        return Err(format!("hwprobe bad flags: routed {ra:?}, syscall {rb:?}"));
    }
    for flags in [0, 1, 2] {
        let (x, y) = (
            riscv::flush_icache(0, 0, flags),
            riscv::flush_icache_syscall(0, 0, flags),
        );
        if x != y {
            return Err(format!(
                "flush_icache flags {flags}: routed {x:?}, syscall {y:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(not(target_arch = "riscv64"))]
fn arch_calls() -> Check {
    Ok(())
}
