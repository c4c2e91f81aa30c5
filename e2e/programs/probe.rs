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
//! probe addr          where a static, `main` and the heap are, values
//!                     read through relocated pointers, and whether the
//!                     auxv's AT_PHDR and AT_ENTRY point into this image
//! probe at-random     the 16 AT_RANDOM bytes, in hex
//! probe overflow      recurses until the stack runs out
//! probe segv          writes to address 16: a fault that is not an overflow
//! probe lines N       prints N numbered lines with println!
//! probe try-write     writeln!(Stdout, ..) twice; reports its Err on stderr
//! probe argsize       the number of arguments and their total length
//! probe mem           memcpy, memmove, memset, memcmp and bcmp, as this
//!                     program exports them, against a byte-wise
//!                     reference (`freestand_rt::mem::check`): "mem: ok"
//! ```
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::hint::black_box;
use freestand_rt::io::{Escaped, Stdout};
use freestand_rt::mem::check;
use freestand_rt::{eprintln, println, stack};

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
/// Page-aligned on purpose: RELRO then starts on a page of its own, past
/// the place where the linker script's cursor stood, and the range the
/// runtime makes read-only must still begin at the section, not before it.
static COUNTER_REF: PageAligned = PageAligned(&COUNTER);

#[repr(align(4096))]
struct PageAligned(&'static core::sync::atomic::AtomicUsize);

/// Uses about 1 KiB of stack per level, forever.
#[inline(never)]
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 128]);
    if depth == u64::MAX {
        return 0;
    }
    recurse(depth + 1).wrapping_add(frame[7])
}

fn pick(i: usize) -> &'static str {
    NAMES.get(i).copied().unwrap_or("none")
}

fn main() -> Result<i32, ProbeError> {
    let mut args = stack::args().skip(1);
    let cmd = args.next().ok_or(ProbeError::Usage)?;
    match cmd.to_bytes() {
        b"exit" => number(args.next()),
        b"overflow" => Ok(recurse(black_box(0)) as i32),
        b"segv" => {
            // SAFETY: none: this write faults on purpose, to check that a
            // fault which is not a stack overflow is reported as nothing.
            unsafe { core::ptr::write_volatile(black_box(16usize) as *mut u8, 1) };
            Ok(0)
        }
        b"lines" => {
            for i in 0..number(args.next())? {
                println!("line {i}");
            }
            Ok(0)
        }
        b"try-write" => {
            for i in 0..2 {
                if let Err(e) = writeln!(Stdout, "try {i}") {
                    eprintln!("writeln! returned {e:?}");
                    return Ok(3);
                }
            }
            Ok(0)
        }
        b"argsize" => {
            let (n, len) = stack::args().fold((0usize, 0usize), |(n, l), a| {
                (n + 1, l + a.to_bytes().len())
            });
            let (e, elen) = stack::env()
                .vars()
                .fold((0usize, 0usize), |(n, l), (k, v)| {
                    (n + 1, l + k.len() + v.len())
                });
            println!("args {n} bytes {len} env {e} bytes {elen}");
            Ok(0)
        }
        b"mem" => {
            let mut workspace = alloc::vec![0u8; check::WORKSPACE];
            match check::all(&EXPORTED, &mut workspace) {
                Ok(_) => println!("mem: ok"),
                Err(e) => {
                    println!("mem: {e}");
                    return Ok(1);
                }
            }
            Ok(0)
        }
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
            COUNTER_REF
                .0
                .fetch_add(1, core::sync::atomic::Ordering::Relaxed);
            let names: Vec<&str> = (0..4).map(|i| core::hint::black_box(PICK)(i)).collect();
            println!(
                "relocated {names:?} {}",
                COUNTER.load(core::sync::atomic::Ordering::Relaxed)
            );
            println!("auxv {}", auxv_matches_image());
            println!("relro {}", protection_of(&raw const COUNTER_REF as usize));
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

/// The permissions (`r--p`...) of the mapping that holds `addr`, from
/// `/proc/self/maps`, or what went wrong. `COUNTER_REF` holds a pointer,
/// so it lives in RELRO (`.data.rel.ro`), which must end up read-only
/// however the program was linked.
fn protection_of(addr: usize) -> String {
    use freestand_rt::syscalls::fs::{AT_FDCWD, OFlags, close, openat};
    use freestand_rt::syscalls::io::read;
    let Ok(fd) = openat(
        AT_FDCWD,
        c"/proc/self/maps",
        OFlags::RDONLY | OFlags::CLOEXEC,
        0,
    ) else {
        return String::from("cannot open /proc/self/maps");
    };
    let mut maps = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = read(fd, &mut buf) {
        maps.extend_from_slice(&buf[..n]);
    }
    let _ = close(fd);
    // "55d0c5a8e000-55d0c5a8f000 r--p 00002000 08:01 1234   /path"
    let found = maps.split(|&b| b == b'\n').find_map(|line| {
        let line = core::str::from_utf8(line).ok()?;
        let (range, rest) = line.split_once(' ')?;
        let (start, end) = range.split_once('-')?;
        let (start, end) = (
            usize::from_str_radix(start, 16).ok()?,
            usize::from_str_radix(end, 16).ok()?,
        );
        (start..end)
            .contains(&addr)
            .then(|| rest.split(' ').next().map(String::from))?
    });
    found.unwrap_or_else(|| alloc::format!("{addr:#x} not in /proc/self/maps"))
}

unsafe extern "C" {
    fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8;
    fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8;
    fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8;
    fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32;
    fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32;
}

/// The C mem functions `entry!` defined in this program, which the
/// compiler's own calls reach.
const EXPORTED: check::Functions = check::Functions {
    memcpy,
    memmove,
    memset,
    memcmp,
    bcmp,
};

unsafe extern "C" {
    /// The ELF header of this program, defined by the linker.
    static __ehdr_start: linux_raw_sys::elf::Elf_Ehdr;
}

/// "ok" if the auxiliary vector's `AT_PHDR` and `AT_ENTRY` point at this
/// program's own headers and entry point (after a move by the runtime, at
/// the copy), or what they hold instead.
fn auxv_matches_image() -> String {
    use linux_raw_sys::auxvec::{AT_ENTRY, AT_PHDR};
    // SAFETY: the linker defines `__ehdr_start` at the loaded ELF header.
    let eh = unsafe { &__ehdr_start };
    let at = &raw const __ehdr_start as usize;
    // An ET_DYN image is linked at 0, so its entry is relative to the
    // header; an ET_EXEC one is linked where it runs.
    let entry = if eh.e_type == linux_raw_sys::elf::ET_DYN {
        at + eh.e_entry
    } else {
        eh.e_entry
    };
    let want = (Some(at + eh.e_phoff), Some(entry));
    let got = (stack::getauxval(AT_PHDR), stack::getauxval(AT_ENTRY));
    if got == want {
        "ok".into()
    } else {
        alloc::format!("AT_PHDR/AT_ENTRY {got:x?}, image {want:x?}")
    }
}
