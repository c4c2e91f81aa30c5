//! `vdso`: inspect a vDSO image, the running process's own or one in a file.
//!
//! ```text
//! vdso info [FILE]      class, endianness, machine, base, bias, size,
//!                       hash tables and version definitions
//! vdso symbols [FILE]   one line per defined FUNC, OBJECT or NOTYPE symbol:
//!                       NAME VERSION TYPE BIND VALUE_HEX
//! vdso dump FILE        write this process's vDSO image to FILE
//! ```
//!
//! Without FILE, `info` and `symbols` read the vDSO the kernel (or qemu)
//! mapped into this process. On bad input the parser's error is printed and
//! the status is 1; a usage error gives status 2.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use core::ffi::CStr;
use core::fmt;
use freestand_rt::io::{Escaped, write_all};
use freestand_rt::syscalls::Errno;
use freestand_rt::syscalls::fs::{self, AT_FDCWD, OFlags};
use freestand_rt::syscalls::io::{self as sysio, Fd};
use freestand_rt::{eprintln, println, stack};
use freestand_vdso::{AnyVdso, Info, Symbols, Vdso, VersionDefs};
use linux_raw_sys::auxvec::AT_SYSINFO_EHDR;

freestand_rt::entry!(main);

const USAGE: &str = "usage: vdso info [FILE] | vdso symbols [FILE] | vdso dump FILE";

enum Failure {
    Usage,
    Parse(freestand_vdso::Error),
    File(&'static str, Errno, &'static CStr),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage => f.write_str(USAGE),
            Failure::Parse(e) => write!(f, "{e}"),
            Failure::File(op, e, path) => write!(f, "{op} {}: {e}", Escaped(path.to_bytes())),
        }
    }
}

fn main() -> i32 {
    match run() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("vdso: {e}");
            if matches!(e, Failure::Usage) { 2 } else { 1 }
        }
    }
}

fn run() -> Result<(), Failure> {
    let mut args = stack::args().skip(1);
    let cmd = args.next().ok_or(Failure::Usage)?;
    let file = args.next();
    if args.next().is_some() {
        return Err(Failure::Usage);
    }
    match (cmd.to_bytes(), file) {
        (b"dump", Some(path)) => dump(path),
        (b"info", None) => {
            let v = own_vdso()?;
            print_info(v.info(), v.versions());
            Ok(())
        }
        (b"symbols", None) => print_symbols(own_vdso()?.symbols()),
        (b"info" | b"symbols", Some(path)) => {
            let bytes = read_file(path)?;
            let v = AnyVdso::parse(&bytes).map_err(Failure::Parse)?;
            if cmd.to_bytes() == b"info" {
                print_info(v.info(), v.versions());
                Ok(())
            } else {
                print_symbols(v.symbols())
            }
        }
        _ => Err(Failure::Usage),
    }
}

/// The vDSO mapped into this process, found through `AT_SYSINFO_EHDR`.
fn own_vdso() -> Result<Vdso<'static>, Failure> {
    let addr = stack::getauxval(AT_SYSINFO_EHDR).unwrap_or(0);
    // SAFETY: AT_SYSINFO_EHDR is the address of the vDSO image the kernel
    // mapped for the life of the process (or 0, which the parser rejects).
    unsafe { Vdso::from_sysinfo_ehdr(addr) }.map_err(Failure::Parse)
}

fn print_info(info: Info<'_>, versions: VersionDefs<'_>) {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    println!("class         {}", info.class);
    println!("endianness    {}", info.endian);
    println!("machine       {}", info.machine);
    println!("base          {:#x}", info.base);
    println!("bias          {:#x}", info.bias);
    println!("image size    {} bytes", info.image_len);
    println!("DT_GNU_HASH   {}", yes_no(info.gnu_hash));
    println!("DT_HASH       {}", yes_no(info.sysv_hash));
    println!("DT_VERSYM     {}", yes_no(info.versym));
    println!("symbols       {}", info.symbol_count);
    if let Some(soname) = info.soname {
        println!("soname        {}", Escaped(soname));
    }
    println!("versions      {}", info.version_count);
    for d in versions {
        let base = if d.is_base() { " (base)" } else { "" };
        println!(
            "  [{}] {}{base} hash {:#x}",
            d.index,
            Escaped(d.name),
            d.hash
        );
    }
}

/// Prints each symbol; a table entry the parser rejects ends the listing
/// with its error.
fn print_symbols(symbols: Symbols<'_>) -> Result<(), Failure> {
    for s in symbols {
        println!("{}", s.map_err(Failure::Parse)?);
    }
    Ok(())
}

fn read_file(path: &'static CStr) -> Result<Vec<u8>, Failure> {
    let fail = |op, e| Failure::File(op, e, path);
    let fd = fs::openat(AT_FDCWD, path, OFlags::RDONLY | OFlags::CLOEXEC, 0)
        .map_err(|e| fail("cannot open", e))?;
    let result = read_all(fd).map_err(|e| fail("cannot read", e));
    let _ = fs::close(fd);
    result
}

fn read_all(fd: Fd) -> Result<Vec<u8>, Errno> {
    let size = fs::fstat(fd).map(|st| st.st_size as usize).unwrap_or(0);
    let mut buf = Vec::with_capacity(size.max(4096));
    let mut chunk = [0u8; 4096];
    loop {
        match sysio::read(fd, &mut chunk) {
            Ok(0) => return Ok(buf),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
}

/// The bytes to dump: the validated image, extended to the end of the
/// section headers when they lie past it (the parser never reads them, but
/// readelf and objdump do). The kernel maps the vDSO in whole pages, so
/// anything up to the next page boundary is mapped too; nothing beyond that
/// is read.
fn dump_bytes(v: &Vdso<'static>) -> &'static [u8] {
    let image = v.image();
    let field = |at: usize, len: usize| -> Option<u64> {
        let b = image.get(at..at + len)?;
        Some(b.iter().rev().fold(0, |acc, &x| (acc << 8) | u64::from(x)))
    };
    // ELF64 little endian, the layout of both supported targets:
    // e_shoff at 0x28, e_shentsize at 0x3a, e_shnum at 0x3c.
    let shdr_end = match (field(0x28, 8), field(0x3a, 2), field(0x3c, 2)) {
        (Some(off), Some(size), Some(num)) => off.saturating_add(size * num),
        _ => 0,
    };
    let page = stack::getauxval(linux_raw_sys::auxvec::AT_PAGESZ)
        .unwrap_or(4096)
        .max(1);
    let mapped = image.len().div_ceil(page) * page;
    let len = usize::try_from(shdr_end)
        .unwrap_or(usize::MAX)
        .clamp(image.len(), mapped);
    // SAFETY: the image starts a mapping of whole pages that lives for the
    // whole process, and `len` stays within the page holding its last byte.
    unsafe { core::slice::from_raw_parts(image.as_ptr(), len) }
}

fn dump(path: &'static CStr) -> Result<(), Failure> {
    let image = dump_bytes(&own_vdso()?);
    let flags = OFlags::WRONLY | OFlags::CREAT | OFlags::TRUNC | OFlags::CLOEXEC;
    let fd = fs::openat(AT_FDCWD, path, flags, 0o644)
        .map_err(|e| Failure::File("cannot create", e, path))?;
    let written = write_all(fd, image);
    let closed = fs::close(fd);
    written
        .and(closed)
        .map_err(|e| Failure::File("cannot write", e, path))?;
    println!(
        "wrote {} bytes to {}",
        image.len(),
        Escaped(path.to_bytes())
    );
    Ok(())
}
