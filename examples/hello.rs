//! Writes `hello` and a newline to stdout, and nothing else: freestand's
//! footprint benchmark.
#![no_std]
#![no_main]

freestand_rt::entry!(main);

fn main() {
    freestand_rt::print!("hello\n");
}
