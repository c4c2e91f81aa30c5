//! Writes `hello` and a newline to stdout, and nothing else: freestand's
//! footprint benchmark. It leaves out the stack-overflow report, whose two
//! system calls would be most of its start-up (see `entry!`).
#![no_std]
#![no_main]

freestand_rt::entry!(main, overflow_report = false);

fn main() {
    freestand_rt::print!("hello\n");
}
