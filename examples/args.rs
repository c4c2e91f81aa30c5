//! Prints what the kernel put on the initial stack: argc, each argument
//! (non-UTF-8 bytes escaped), the number of environment entries, and the
//! auxiliary vector by name.
#![no_std]
#![no_main]

use freestand_rt::io::Escaped;
use freestand_rt::println;
use freestand_rt::stack;

freestand_rt::entry!(main);

fn main() {
    println!("argc: {}", stack::InitialStack::current().argc());
    for (i, a) in stack::args().enumerate() {
        println!("argv[{i}]: {:?}", Escaped(a.to_bytes()));
    }
    println!("env: {} entries", stack::env().count());
    println!("auxv:");
    for (key, value) in stack::auxv() {
        match stack::aux_name(key) {
            Some(name) => println!("  {name} {value:#x}"),
            None => println!("  AT_#{key} {value:#x}"),
        }
    }
}
