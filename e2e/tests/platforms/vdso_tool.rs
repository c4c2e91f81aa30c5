//! The `vdso` example, freestand-vdso's command-line face: its symbol
//! listing equals what readelf says of the same image (the platform's own
//! vDSO, and every committed image), and its info and errors.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::harness::{
    Arch, Case, Check, Ctx, expect, expect_contains, show, tempdir, tool, workspace,
};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "vdso_symbols_match_readelf",
            run: case_vdso_symbols,
        },
        Case {
            name: "vdso_symbols_of_committed_images_match_readelf",
            run: case_committed_images,
        },
        Case {
            name: "vdso_info",
            run: |c| {
                let out = c.run("vdso", &[b"info"], &[])?;
                let version = match c.p.arch {
                    Arch::X86_64 => "LINUX_2.6",
                    Arch::Riscv64 => "LINUX_4.15",
                    Arch::Aarch64 => "LINUX_2.6.39",
                };
                let want = [
                    "class         ELF64",
                    "endianness    little",
                    "DT_GNU_HASH",
                    version,
                ];
                expect_contains("vdso info", out, &want)
            },
        },
        Case {
            name: "vdso_bad_input",
            run: case_bad_input,
        },
    ]
}

/// Images cut from qemu-user (aarch64, ELF32 i386 and arm, big endian,
/// s390x...) and the host, in vdso/tests/data.
fn case_committed_images(c: &Ctx) -> Check {
    let data = workspace().join("vdso/tests/data");
    let mut n = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&data)
        .map_err(|e| format!("{}: {e}", data.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "so"))
        .collect();
    entries.sort();
    for file in entries {
        let out = c.run("vdso", &[b"symbols", file.as_os_str().as_bytes()], &[])?;
        expect(&out, readelf_symbols(&file)?.as_bytes(), b"", 0)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        n += 1;
    }
    if n < 5 {
        Err(format!("only {n} images in {}", data.display()))
    } else {
        Ok(())
    }
}

fn case_bad_input(c: &Ctx) -> Check {
    let dir = tempdir();
    let junk = dir.join("junk");
    std::fs::write(&junk, b"this is not an ELF file").unwrap();
    let out = c.run("vdso", &[b"info", junk.as_os_str().as_bytes()], &[])?;
    let _ = std::fs::remove_dir_all(&dir);
    expect(&out, b"", b"vdso: bad ELF magic\n", 1)?;
    let out = c.run("vdso", &[b"symbols", b"/nonexistent/vdso.so"], &[])?;
    expect(
        &out,
        b"",
        b"vdso: cannot open /nonexistent/vdso.so: ENOENT (errno 2)\n",
        1,
    )?;
    let out = c.run("vdso", &[b"frobnicate"], &[])?;
    let usage = b"vdso: usage: vdso info [FILE] | vdso symbols [FILE] | vdso dump FILE\n";
    expect(&out, b"", usage, 2)
}

/// Dumps the platform's own vDSO with `vdso dump`, then checks that
/// `vdso symbols FILE` equals what readelf says of the same file, and that
/// `vdso symbols` on the live image lists the same symbols.
fn case_vdso_symbols(c: &Ctx) -> Check {
    let dir = tempdir();
    let file = dir.join("vdso.so");
    let f = file.as_os_str().as_bytes();
    let out = c.run("vdso", &[b"dump", f], &[])?;
    if out.code != Some(0) || !file.exists() {
        return Err(format!("vdso dump failed: {}", show(&out.stderr)));
    }
    let from_file = c.run("vdso", &[b"symbols", f], &[])?;
    let live = c.run("vdso", &[b"symbols"], &[])?;
    let oracle = readelf_symbols(&file)?;
    let _ = std::fs::remove_dir_all(&dir);
    expect(&from_file, oracle.as_bytes(), b"", 0)?;
    // The live image may sit elsewhere (qemu relocates its vDSO in place),
    // so compare everything but the value.
    let strip = |b: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(b)
            .lines()
            .map(|l| l.rsplit_once(' ').map_or("", |(head, _)| head).to_string())
            .collect()
    };
    if strip(&live.stdout) != strip(&from_file.stdout) || live.code != Some(0) {
        return Err(format!(
            "live listing {} differs from the dump's {}",
            show(&live.stdout),
            show(&from_file.stdout)
        ));
    }
    if oracle.lines().count() < 4 {
        return Err(format!("suspiciously few symbols: {oracle:?}"));
    }
    Ok(())
}

/// `readelf --dyn-syms -V -W`, normalised to `vdso symbols`' format:
/// defined FUNC/OBJECT/NOTYPE symbols as `NAME VERSION TYPE BIND VALUE`.
///
/// readelf prints the symbol that names a version definition (the ABS
/// `LINUX_2.6`) without a suffix although its version is that definition;
/// the format spells it `LINUX_2.6 @@LINUX_2.6`, so such symbols get
/// `@@NAME` when `NAME` is a non-base definition in readelf's own listing.
fn readelf_symbols(file: &Path) -> Result<String, String> {
    let text = tool(
        "readelf",
        &[
            OsStr::new("--dyn-syms"),
            OsStr::new("-V"),
            OsStr::new("-W"),
            file.as_os_str(),
        ],
    )?;
    let defs: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Index:") && !l.contains("Flags: BASE"))
        .filter_map(|l| l.split("Name: ").nth(1))
        .map(str::trim)
        .collect();
    let mut out = String::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        // Num: Value Size Type Bind Vis Ndx Name
        if f.len() < 8 || !f[0].ends_with(':') || f[6] == "UND" {
            continue;
        }
        if !["FUNC", "OBJECT", "NOTYPE"].contains(&f[3]) {
            continue;
        }
        let (name, version) = match f[7].split_once("@@") {
            Some((n, v)) => (n, format!("@@{v}")),
            None => match f[7].split_once('@') {
                Some((n, v)) => (n, format!("@{v}")),
                None if f[6] == "ABS" && defs.contains(&f[7]) => (f[7], format!("@@{}", f[7])),
                None => (f[7], "-".to_string()),
            },
        };
        let value = u64::from_str_radix(f[1], 16).map_err(|e| format!("{line}: {e}"))?;
        out.push_str(&format!("{name} {version} {} {} {value:#x}\n", f[3], f[4]));
    }
    Ok(out)
}
