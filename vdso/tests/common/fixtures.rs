//! The committed real images, and scratch files for readelf to read.

/// Path of a committed fixture.
pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The real images committed under tests/data.
pub const FIXTURES: &[&str] = &[
    "host-x86_64.so",
    "qemu-aarch64.so",
    "qemu-aarch64_be.so",
    "qemu-riscv64.so",
    "qemu-riscv32.so",
    "qemu-x86_64.so",
    "qemu-i386.so",
    "qemu-arm.so",
    "qemu-armeb.so",
    "qemu-s390x.so",
    "qemu-ppc64.so",
    "qemu-ppc64le.so",
    "qemu-ppc.so",
    "qemu-hppa.so",
    "qemu-loongarch64.so",
];

/// Writes `bytes` to a fresh file in the target directory and returns its path.
pub fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("freestand-vdso-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
