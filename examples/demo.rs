//! The README's main demo: what a freestanding program can see and do
//! without libc.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use freestand_rt::io::Escaped;
use freestand_rt::stack::{self, getauxval};
use freestand_rt::syscalls::route::{self, Call};
use freestand_rt::syscalls::time::{ClockId, Instant, SystemTime, Timespec, clock_gettime};
use freestand_rt::{println, syscalls::Errno};
use linux_raw_sys::auxvec::{AT_EXECFN, AT_PAGESZ, AT_RANDOM, AT_SYSINFO_EHDR};

freestand_rt::entry!(main);

fn main() -> Result<(), Errno> {
    println!(
        "freestand demo: a Rust program with no libc, on {}",
        core::env!("FREESTAND_ARCH")
    );

    let args: Vec<_> = stack::args().collect();
    println!("arguments ({}):", args.len());
    for a in &args {
        println!("  {:?}", Escaped(a.to_bytes()));
    }
    println!("environment: {} entries", stack::env().count());

    println!("auxiliary vector:");
    match getauxval(AT_SYSINFO_EHDR) {
        Some(v) => println!("  AT_SYSINFO_EHDR {v:#x} (the vDSO)"),
        None => println!("  AT_SYSINFO_EHDR missing (no vDSO)"),
    }
    if let Some(v) = getauxval(AT_PAGESZ) {
        println!("  AT_PAGESZ       {v}");
    }
    if let Some(p) = getauxval(AT_RANDOM).filter(|&p| p != 0) {
        // SAFETY: the kernel points AT_RANDOM at 16 random bytes on the
        // initial stack, which live for the whole process.
        let bytes = unsafe { core::slice::from_raw_parts(p as *const u8, 16) };
        let mut hex = String::new();
        for b in bytes {
            let _ = write!(hex, "{b:02x}");
        }
        println!("  AT_RANDOM       {hex}");
    }
    if let Some(p) = getauxval(AT_EXECFN).filter(|&p| p != 0) {
        // SAFETY: AT_EXECFN points at the NUL-terminated file name the
        // kernel copied onto the initial stack.
        let name = unsafe { core::ffi::CStr::from_ptr(p as *const core::ffi::c_char) };
        println!("  AT_EXECFN       {:?}", Escaped(name.to_bytes()));
    }

    // The heap: a sieve in a Vec and a String built with format!.
    let limit = 100_000;
    let mut composite = alloc::vec![false; limit];
    let mut primes = Vec::new();
    for n in 2..limit {
        if !composite[n] {
            primes.push(n);
            (n * n..limit).step_by(n).for_each(|m| composite[m] = true);
        }
    }
    let last: Vec<String> = primes
        .iter()
        .rev()
        .take(3)
        .map(|p| alloc::format!("{p}"))
        .collect();
    println!(
        "heap: {} primes below {limit}, the largest {}",
        primes.len(),
        last.join(", ")
    );

    // The vDSO: found through AT_SYSINFO_EHDR, parsed on the first routed
    // call, then one cached pointer per call.
    let t0 = Instant::now();
    match route::base() {
        Ok(base) => println!("vDSO at {base:#x} ({})", route::switch()),
        Err(why) => println!("no vDSO: {why}"),
    }
    println!("routed calls:");
    for call in Call::ALL {
        println!("  {}", route::route(call));
    }
    println!("clocks:");
    for (id, name) in ClockId::NAMED {
        match clock_gettime(id) {
            Ok(t) => println!("  {name:<24} {:>10}.{:09} s", t.sec, t.nsec),
            Err(e) => println!("  {name:<24} {e}"),
        }
    }
    let now = SystemTime::now().timespec();
    println!("  UTC                      {}", Utc(now));
    println!("the vDSO part took {:?}", t0.elapsed());
    Ok(())
}

/// Formats a `CLOCK_REALTIME` reading as an ISO 8601 UTC date and time.
struct Utc(Timespec);

impl core::fmt::Display for Utc {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let days = self.0.sec.div_euclid(86_400);
        let secs = self.0.sec.rem_euclid(86_400);
        // Days since 1970-01-01 to a proleptic Gregorian date, counting in
        // 400-year eras that start on March 1st.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}
