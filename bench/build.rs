//! Link arguments for the freestanding program (`programs/heap.rs`, built
//! as an example), and only for it: the std program `heap-std`, the
//! library's tests and the build scripts link as usual.

fn main() {
    freestand_build::link_examples();
}
