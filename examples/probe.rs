//! A test subject for the suite: each subcommand exercises one runtime
//! behaviour whose exact output and exit status the tests check.
//!
//! ```text
//! probe exit N        main returns N
//! probe err           main returns Err: "Error: ..." and status 1
//! probe panic         a panic: message and status 101
//! probe alloc MIB     allocates, fills and checks MIB MiB on the heap
//! probe oom           an allocation that cannot succeed: status 134
//! probe getenv NAME   prints the value of NAME, or "unset"
//! probe heap          many small and growing allocations
//! probe addr          where a static, `main` and the heap are, and values
//!                     read through relocated pointers
//! probe at-random     the 16 AT_RANDOM bytes, in hex
//! ```
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;
use freestand_rt::io::Escaped;
use freestand_rt::{println, stack};

freestand_rt::entry!(main);

#[derive(Debug)]
enum ProbeError {
    Usage,
    BadNumber,
}

fn number(arg: Option<&CStr>) -> Result<i32, ProbeError> {
    let s = arg
        .and_then(|a| a.to_str().ok())
        .ok_or(ProbeError::BadNumber)?;
    s.parse().map_err(|_| ProbeError::BadNumber)
}

/// Pointers the linker stores in the image: in a static-PIE each one is a
/// relative relocation that the runtime applies before `main`.
static NAMES: [&str; 3] = ["alpha", "beta", "gamma"];
static PICK: fn(usize) -> &'static str = pick;
static COUNTER: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(7);
static COUNTER_REF: &core::sync::atomic::AtomicUsize = &COUNTER;

fn pick(i: usize) -> &'static str {
    NAMES.get(i).copied().unwrap_or("none")
}

fn main() -> Result<i32, ProbeError> {
    let mut args = stack::args().skip(1);
    let cmd = args.next().ok_or(ProbeError::Usage)?;
    match cmd.to_bytes() {
        b"exit" => number(args.next()),
        b"err" => Err(ProbeError::Usage),
        b"panic" => panic!("probe panicked with {}", 42),
        b"alloc" => {
            let mib = number(args.next())? as usize;
            let mut v: Vec<u8> = alloc::vec![0; mib << 20];
            for (i, b) in v.iter_mut().enumerate().step_by(4096) {
                *b = (i >> 12) as u8;
            }
            let ok = v
                .iter()
                .enumerate()
                .step_by(4096)
                .all(|(i, &b)| b == (i >> 12) as u8);
            println!("allocated {mib} MiB: {}", if ok { "ok" } else { "CORRUPT" });
            Ok(if ok { 0 } else { 1 })
        }
        b"oom" => {
            let v: Vec<u8> = Vec::with_capacity(1 << 46);
            println!("unexpectedly got {} bytes", v.capacity());
            Ok(1)
        }
        b"getenv" => {
            let name = args.next().ok_or(ProbeError::Usage)?;
            match stack::var(name.to_bytes()) {
                Some(v) => println!("{}", Escaped(v)),
                None => println!("unset"),
            }
            Ok(0)
        }
        b"heap" => {
            // Many arenas' worth of small blocks, freed in a scattered order,
            // plus a string that grows past the first arena.
            let mut blocks: Vec<Vec<u32>> = (0..20_000)
                .map(|i| alloc::vec![i; 1 + i as usize % 17])
                .collect();
            let mut s = String::new();
            for i in 0..50_000 {
                s.push(char::from(b'a' + (i % 26) as u8));
            }
            blocks.retain(|b| b[0] % 3 != 0);
            let sum: u64 = blocks
                .iter()
                .map(|b| u64::from(b[0]) * b.len() as u64)
                .sum();
            println!("blocks {} sum {sum} string {}", blocks.len(), s.len());
            Ok(0)
        }
        b"addr" => {
            let heap = alloc::boxed::Box::new(0u8);
            println!(
                "static {:p} main {:p} heap {:p}",
                &COUNTER, main as fn() -> Result<i32, ProbeError>, &*heap
            );
            COUNTER_REF.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
            let names: Vec<&str> = (0..4).map(|i| core::hint::black_box(PICK)(i)).collect();
            println!(
                "relocated {names:?} {}",
                COUNTER.load(core::sync::atomic::Ordering::Relaxed)
            );
            Ok(0)
        }
        b"at-random" => {
            let bytes = stack::at_random().ok_or(ProbeError::Usage)?;
            for b in bytes {
                freestand_rt::print!("{b:02x}");
            }
            println!();
            Ok(0)
        }
        _ => Err(ProbeError::Usage),
    }
}
