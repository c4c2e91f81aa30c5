//! Writes `hello` and a newline to stdout, and nothing else: freestand's
//! footprint benchmark. It leaves out the stack-overflow report, whose two
//! system calls would be most of its start-up, and the code that would set
//! up thread-local storage and run init and fini arrays and `at_exit`
//! handlers, which it has none of (see `entry!`).
#![no_std]
#![no_main]

freestand_rt::entry!(main, overflow_report = false, init = false);

fn main() {
    freestand_rt::print!("hello\n");
}
