//! Hostile or unusual conditions: a stack overflow, a full disk, a closed
//! pipe, a setuid copy, a relocation the runtime refuses; and what every
//! build must be: static with no interpreter and no libc, with C mem
//! functions that never call themselves.

use std::path::{Path, PathBuf};
use std::process::Command;

use object::elf;

use crate::disasm;
use crate::elf::{Elf, file_type_name};
use crate::harness::{
    Arch, Case, Check, Ctx, Output, command, expect, expect_contains, expect_signal, output,
    probe_location, qemu_segv_line, run, tempdir, which,
};
use crate::routed::vdso_served;

/// Every program the suite builds: the examples, then the test programs.
const PROGRAMS: &[&str] = &[
    "hello", "args", "demo", "vdso", "bench", "init", "probe", "routed", "novdso", "clock",
    "child", "process",
];

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "stack_overflow_message_then_sigsegv",
            run: case_stack_overflow,
        },
        Case {
            name: "stdout_dev_full",
            run: case_dev_full,
        },
        Case {
            name: "stdout_closed_pipe",
            run: case_closed_pipe,
        },
        Case {
            name: "setuid_copy_ignores_vdso_switch",
            run: case_setuid_ignores_switch,
        },
        Case {
            name: "unsupported_relocation_exits_127",
            run: case_bad_relocation,
        },
        Case {
            name: "static_no_interpreter_no_libc",
            run: |c| {
                for (dir, pie) in [
                    (&c.dir, true),
                    (&c.release_dir, true),
                    (&c.rela_dir, true),
                    (&c.static_dir, false),
                ] {
                    for program in PROGRAMS {
                        check_static(&dir.join(program), pie)?;
                    }
                }
                Ok(())
            },
        },
        Case {
            name: "mem_functions_never_call_themselves",
            run: |c| {
                for dir in [&c.dir, &c.release_dir] {
                    disasm::check_mem_no_recursion(&dir.join("probe"), c.p.arch)?;
                }
                Ok(())
            },
        },
    ]
}

fn case_stack_overflow(c: &Ctx) -> Check {
    for dir in [&c.dir, &c.release_dir, &c.static_dir] {
        let bin = dir.join("probe");
        let out = run(c.p, &bin, &[b"overflow"], &[])?;
        let want = format!(
            "freestand: {}: stack overflow\n{}",
            bin.display(),
            qemu_segv_line(c.p)
        );
        expect_signal(&out, b"", want.as_bytes(), 11)
            .map_err(|e| format!("{}: {e}", bin.display()))?;
    }
    // A fault that is not an overflow says nothing and dies the same way.
    let out = c.run("probe", &[b"segv"], &[])?;
    expect_signal(&out, b"", qemu_segv_line(c.p).as_bytes(), 11)
}

fn case_dev_full(c: &Ctx) -> Check {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .map_err(|e| format!("/dev/full: {e}"))
    };
    let mut cmd = command(c.p, &c.bin("probe"), &[b"lines", b"3"], &[]);
    cmd.stdout(full()?);
    let out = output(&mut cmd, &c.bin("probe"))?;
    let want = format!(
        "panicked at {}:\nfailed printing to stdout: ENOSPC (errno 28)\n",
        probe_location("println!(\"line {i}\")")
    );
    expect(&out, b"", want.as_bytes(), 101)?;
    let mut cmd = command(c.p, &c.bin("probe"), &[b"try-write"], &[]);
    cmd.stdout(full()?);
    let out = output(&mut cmd, &c.bin("probe"))?;
    expect(&out, b"", b"writeln! returned ENOSPC\n", 3)
}

/// Runs `probe lines 100000` with stdout a pipe whose reader is gone,
/// with `SIGPIPE` at its default or ignored.
fn closed_pipe_run(c: &Ctx, ignore: bool) -> Result<Output, String> {
    use std::os::unix::process::CommandExt;
    let (r, w) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
    drop(r);
    let mut cmd = command(c.p, &c.bin("probe"), &[b"lines", b"100000"], &[]);
    cmd.stdout(w);
    // SAFETY: `signal` is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            let action = if ignore { libc::SIG_IGN } else { libc::SIG_DFL };
            libc::signal(libc::SIGPIPE, action);
            Ok(())
        });
    }
    output(&mut cmd, &c.bin("probe"))
}

fn case_closed_pipe(c: &Ctx) -> Check {
    // Default disposition: killed by SIGPIPE at the first write, silently,
    // as a C tool in `prog | head -1` is.
    expect_signal(&closed_pipe_run(c, false)?, b"", b"", 13)?;
    // Ignored (inherited from the parent): the write fails with EPIPE and
    // println! panics with it.
    let want = format!(
        "panicked at {}:\nfailed printing to stdout: EPIPE (errno 32)\n",
        probe_location("println!(\"line {i}\")")
    );
    expect(&closed_pipe_run(c, true)?, b"", want.as_bytes(), 101)
}

/// A copy of `bin`, owned by `nobody` (65534) and setuid, in a fresh
/// directory the suite can exec from.
fn setuid_copy(bin: &Path, dir: &Path) -> Result<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let name = bin.file_name().ok_or("no file name")?;
    let copy = dir.join(name);
    std::fs::copy(bin, &copy).map_err(|e| format!("copying {}: {e}", bin.display()))?;
    std::os::unix::fs::chown(&copy, Some(65534), Some(65534))
        .map_err(|e| format!("chown nobody {}: {e}", copy.display()))?;
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o4755))
        .map_err(|e| format!("chmod 4755 {}: {e}", copy.display()))?;
    Ok(copy)
}

/// A copy of `routed` made setuid to `nobody` and run as root gets
/// `AT_SECURE`, and ignores `FREESTAND_VDSO=off`. Under qemu-user the
/// guest's `AT_SECURE` is qemu's own, so there the setuid copy is of qemu.
fn case_setuid_ignores_switch(c: &Ctx) -> Check {
    // SAFETY: `geteuid` has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(
            "this test must run as root (it makes a setuid copy owned by \
                    another user and runs it); CI runs the suite as root"
                .into(),
        );
    }
    let dir = tempdir();
    let routed = c.bin("routed");
    let mut cmd = match c.p.qemu {
        None => Command::new(setuid_copy(&routed, &dir)?),
        Some(q) => {
            let qemu = which(q).ok_or_else(|| format!("{q} is not on PATH"))?;
            let guest = dir.join("guest");
            std::fs::copy(&routed, &guest).map_err(|e| format!("copying routed: {e}"))?;
            let mut cmd = Command::new(setuid_copy(&qemu, &dir)?);
            cmd.arg(guest);
            cmd
        }
    };
    cmd.arg("routes")
        .env_clear()
        .env("FREESTAND_VDSO", "off")
        .env("FREESTAND_RSEQ", "off");
    let out = output(&mut cmd, &routed);
    let _ = std::fs::remove_dir_all(&dir);
    let out = out?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !text.starts_with("FREESTAND_VDSO ignored (AT_SECURE): vDSO on\n") {
        return Err(format!(
            "the setuid copy did not ignore the switch:\n{text}"
        ));
    }
    // Both switches are ignored: rseq, where the kernel has it, serves
    // `getcpu`.
    let mut want = vdso_served(c);
    if c.p.qemu.is_none() {
        want.retain(|w| !w.starts_with("\ngetcpu "));
        want.push("\ngetcpu rseq area at 0x".into());
    }
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    expect_contains("setuid routes", out, &want)
}

/// A relocation other than a relative one stops the program before `main`
/// with a message and status 127: the first `DT_RELA` entry of a copy of
/// the `pie-rela` probe is rewritten to an absolute 64-bit relocation.
fn case_bad_relocation(c: &Ctx) -> Check {
    // `probe`, not `hello`: hello may have no relocation at all.
    let src = Elf::open(&c.rela_dir.join("probe"))?;
    let off = src
        .section(".rela.dyn")
        .filter(|s| s.size > 0)
        .and_then(|s| usize::try_from(s.offset).ok())
        .ok_or_else(|| format!("no non-empty .rela.dyn in {}", src.path().display()))?;
    let mut image = src.bytes().to_vec();
    // Elf64_Rela: r_offset, then r_info, whose low 32 bits are the type.
    let ty = match c.p.arch {
        Arch::X86_64 => elf::R_X86_64_64,
        Arch::Riscv64 => elf::R_RISCV_64,
        Arch::Aarch64 => elf::R_AARCH64_ABS64,
    }
    .0;
    image
        .get_mut(off + 8..off + 12)
        .ok_or("short file")?
        .copy_from_slice(&ty.to_le_bytes());
    let dir = tempdir();
    let bad = dir.join("bad-reloc");
    std::fs::write(&bad, &image).map_err(|e| e.to_string())?;
    std::fs::set_permissions(&bad, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .map_err(|e| e.to_string())?;
    let out = run(c.p, &bad, &[], &[]);
    let _ = std::fs::remove_dir_all(&dir);
    let want = format!(
        "freestand: {}: cannot relocate itself: a relocation of type {ty} (freestand \
         applies only relative relocations; link with its linker script)\n",
        bad.display()
    );
    expect(&out?, b"", want.as_bytes(), 127)
}

/// A static executable with no interpreter, no undefined symbols and no
/// glibc symbol or version. A static-PIE (`pie`) is `ET_DYN` with a
/// dynamic section and a `PT_GNU_RELRO` header (the range the runtime makes
/// read-only); a plain static one is `ET_EXEC` with neither, its RELRO
/// being part of the read-only segment.
fn check_static(bin: &Path, pie: bool) -> Check {
    let file = Elf::open(bin)?;
    let ty = file.file_type();
    if ty != if pie { elf::ET_DYN } else { elf::ET_EXEC } {
        return Err(format!("{}: {}", bin.display(), file_type_name(ty)));
    }
    if file.has_segment(elf::PT_INTERP) {
        return Err(format!("{} has an INTERP program header", bin.display()));
    }
    for (kind, name) in [
        (elf::PT_DYNAMIC, "DYNAMIC"),
        (elf::PT_GNU_RELRO, "GNU_RELRO"),
    ] {
        if file.has_segment(kind) != pie {
            return Err(format!(
                "{}: {name} program header {}",
                bin.display(),
                if pie { "missing" } else { "present" }
            ));
        }
    }
    let libc = |name: &str| name.contains("GLIBC") || name.contains("__libc_");
    for s in file.symbols() {
        if s.undefined && !s.name.is_empty() {
            return Err(format!(
                "{} has an undefined symbol: {}",
                bin.display(),
                s.name
            ));
        }
        if libc(&s.name) {
            return Err(format!("{} mentions libc: {}", bin.display(), s.name));
        }
    }
    if let Some(v) = file.symbol_versions()?.into_iter().find(|v| libc(v)) {
        return Err(format!("{} mentions libc: version {v}", bin.display()));
    }
    Ok(())
}
