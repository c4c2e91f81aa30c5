//! What runs before and after `main`, and in which order: the
//! `.preinit_array`, the `.init_array` (entries with a priority first),
//! `main`, the `at_exit` handlers (last registered first), the
//! `.fini_array` (last entry first). Each prints its name on a line.
//!
//! ```text
//! init_order return    main returns 3
//! init_order exit      main calls exit(4)
//! init_order nested    a handler calls exit(5): the others still run,
//!                      once each
//! init_order full      registers handlers until at_exit refuses, and
//!                      says how many it took
//! init_order threads   four threads register 8 handlers each at once;
//!                      the last fini entry says how many ran
//! ```
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_int};
use core::sync::atomic::{AtomicUsize, Ordering};
use freestand_rt::exit::{AT_EXIT_MAX, exit};
use freestand_rt::init::{FiniFn, InitFn};
use freestand_rt::{at_exit, println, stack};

freestand_rt::entry!(main);

/// Prints the name of an init-array entry, with what it was called with.
fn init_line(name: &str, argc: c_int, argv: *const *const c_char, envp: *const *const c_char) {
    // SAFETY: the runtime passes the kernel's argv (argc entries and a
    // NULL) and envp (NULL-terminated).
    let (arg1, env_ok) = unsafe {
        let arg1 = if argc > 1 {
            CStr::from_ptr(*argv.add(1)).to_str().unwrap_or("?")
        } else {
            "-"
        };
        (
            arg1,
            (*argv.add(argc as usize)).is_null() && !envp.is_null(),
        )
    };
    println!(
        "{name} argc={argc} argv[1]={arg1} envp={}",
        if env_ok { "ok" } else { "bad" }
    );
}

extern "C" fn preinit_1(argc: c_int, argv: *const *const c_char, envp: *const *const c_char) {
    init_line("preinit_1", argc, argv, envp);
}
extern "C" fn preinit_2(_: c_int, _: *const *const c_char, _: *const *const c_char) {
    println!("preinit_2");
}
extern "C" fn init_a(argc: c_int, argv: *const *const c_char, envp: *const *const c_char) {
    init_line("init_a", argc, argv, envp);
}
extern "C" fn init_b(_: c_int, _: *const *const c_char, _: *const *const c_char) {
    println!("init_b");
}
extern "C" fn init_prio_100(_: c_int, _: *const *const c_char, _: *const *const c_char) {
    println!("init_prio_100");
}
extern "C" fn init_prio_200(_: c_int, _: *const *const c_char, _: *const *const c_char) {
    println!("init_prio_200");
}
extern "C" fn fini_a() {
    println!("fini_a");
}
extern "C" fn fini_b() {
    println!("fini_b");
}
extern "C" fn fini_prio_100() {
    println!("fini_prio_100");
    let n = RAN.load(Ordering::Relaxed);
    if n > 0 {
        println!("{n} handlers ran");
    }
}

// Two entries per section, in one static each (an array keeps their
// order), and the priority sections declared in the wrong order: the
// linker sorts them.
#[used]
#[unsafe(link_section = ".preinit_array")]
static PREINIT: [InitFn; 2] = [preinit_1, preinit_2];
#[used]
#[unsafe(link_section = ".init_array.00200")]
static INIT_200: InitFn = init_prio_200;
#[used]
#[unsafe(link_section = ".init_array")]
static INIT: [InitFn; 2] = [init_a, init_b];
#[used]
#[unsafe(link_section = ".init_array.00100")]
static INIT_100: InitFn = init_prio_100;
#[used]
#[unsafe(link_section = ".fini_array")]
static FINI: [FiniFn; 2] = [fini_a, fini_b];
#[used]
#[unsafe(link_section = ".fini_array.00100")]
static FINI_100: FiniFn = fini_prio_100;

/// How many counting handlers ran.
static RAN: AtomicUsize = AtomicUsize::new(0);

fn at_exit_1() {
    println!("at_exit_1");
}
fn at_exit_2() {
    println!("at_exit_2");
}
fn registers_late() {
    println!("registers_late");
    at_exit(late).unwrap();
}
fn late() {
    println!("late");
}
fn calls_exit() {
    println!("calls_exit");
    exit(5);
}
fn count() {
    RAN.fetch_add(1, Ordering::Relaxed);
}

fn main() -> i32 {
    let mode = stack::args()
        .nth(1)
        .and_then(|a| a.to_str().ok())
        .unwrap_or("");
    println!("main {mode}");
    match mode {
        "return" | "exit" => {
            at_exit(at_exit_1).unwrap();
            at_exit(registers_late).unwrap();
            at_exit(at_exit_2).unwrap();
            if mode == "exit" {
                exit(4);
            }
            3
        }
        "nested" => {
            at_exit(at_exit_1).unwrap();
            at_exit(calls_exit).unwrap();
            at_exit(at_exit_2).unwrap();
            0
        }
        "full" => {
            let mut n = 0;
            while at_exit(count).is_ok() {
                n += 1;
            }
            println!(
                "{n} registered (AT_EXIT_MAX {AT_EXIT_MAX}), then {:?}",
                at_exit(count)
            );
            0
        }
        "threads" => {
            let spawned: Vec<_> = (0..4)
                .map(|_| freestand_rt::thread::spawn(|| (0..8).all(|_| at_exit(count).is_ok())))
                .collect();
            let all = spawned.into_iter().all(|h| h.join());
            println!("registered from 4 threads: {all}");
            0
        }
        _ => 2,
    }
}
