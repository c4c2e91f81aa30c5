//! A test subject for threads: each subcommand checks one promise of
//! `freestand_rt::thread` and prints what it saw.
//!
//! ```text
//! threads smoke       spawn, join, names, ids
//! ```
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use freestand_rt::thread::{self, Builder};
use freestand_rt::{println, stack};

freestand_rt::entry!(main);

fn main() -> i32 {
    let mut args = stack::args().skip(1).map(|a| a.to_bytes());
    match args.next() {
        Some(b"smoke") => smoke(),
        _ => {
            freestand_rt::eprintln!("usage: threads smoke");
            2
        }
    }
}

fn smoke() -> i32 {
    let h = thread::spawn(|| 6 * 7);
    let v = h.join();
    let h = Builder::new()
        .name(String::from("worker"))
        .stack_size(64 * 1024)
        .spawn(|| {
            let me = thread::current();
            (
                String::from(me.name().unwrap_or("?")),
                me.id().as_u64().get(),
            )
        });
    let (name, id) = match h {
        Ok(h) => h.join(),
        Err(e) => {
            println!("spawn failed: {e}");
            return 1;
        }
    };
    let hs: Vec<_> = (0..8u64).map(|i| thread::spawn(move || i * i)).collect();
    let sum: u64 = hs.into_iter().map(|h| h.join()).sum();
    let main = thread::current();
    println!(
        "smoke: {v} {name} {id} {sum} {} {}",
        main.name().unwrap_or("?"),
        main.id().as_u64()
    );
    let _ = Cell::new(0);
    0
}
