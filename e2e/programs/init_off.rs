//! A program whose `entry!` says `init = false`: nothing runs around
//! `main`, and `at_exit` says so.
//!
//! ```text
//! init_off    prints what at_exit returned: "at_exit: Err(ENOSYS)"
//! ```
#![no_std]
#![no_main]

freestand_rt::entry!(main, init = false);

fn main() {
    freestand_rt::println!("at_exit: {:?}", freestand_rt::at_exit(|| {}));
}
