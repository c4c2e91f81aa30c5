//! Link arguments for the freestanding example binaries, and only for them:
//! host tests and build scripts are untouched. `FREESTAND_LINK` picks the
//! link (see `freestand_build::Link`).

fn main() {
    freestand_build::link_examples();
    // The demo names the architecture it was built for.
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    println!("cargo::rustc-env=FREESTAND_ARCH={arch}");
}
