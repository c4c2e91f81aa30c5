//! Refuses, before anything is compiled for it, a target architecture
//! freestand does not support (`freestand_build::ARCHES`), with a message
//! that names the supported targets.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    freestand_build::check_arch("freestand-syscalls");
}
