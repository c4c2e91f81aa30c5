//! Link arguments for the test programs (`programs/`, built as examples),
//! and only for them: the harness and the build scripts are untouched.
//! `FREESTAND_LINK` picks the link (see `freestand_build::Link`).

fn main() {
    freestand_build::link_examples();
}
