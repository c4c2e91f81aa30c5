//! One routed `clock_gettime(CLOCK_MONOTONIC)` call, then exit: the
//! footprint of a program that asks the time once. That call resolves the
//! vDSO (parse, symbol lookup) on first use, so `scripts/footprint.sh`
//! counts the whole cost of routing.
//!
//! Exits 0 when the call succeeded, 1 otherwise; prints nothing.
#![no_std]
#![no_main]

use freestand_rt::syscalls::time::{ClockId, clock_gettime};

freestand_rt::entry!(main);

fn main() -> i32 {
    match clock_gettime(ClockId::MONOTONIC) {
        Ok(_) => 0,
        Err(_) => 1,
    }
}
