//! The kinds of executable (`FREESTAND_LINK`): each has the relocation
//! tables it should, relocates itself (or needs not), and runs; a
//! static-PIE moves from run to run (ASLR); and each kind's linker script
//! refuses the other kind of link.

mod scripts;

use std::path::Path;

use object::elf;

use crate::disasm::check_relocate_self_contained;
use crate::elf::Elf;
use crate::harness::{Arch, Case, Check, Ctx, command, expect, output, probe_location, run, show};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "aslr_moves_static_and_main",
            run: case_aslr,
        },
        Case {
            name: "link_kinds_relr_rela_static",
            run: case_link_kinds,
        },
        Case {
            name: "kind_scripts_refuse_the_other_link",
            run: scripts::case_kind_scripts_refuse_other_link,
        },
    ]
}

/// How `probe addr` ends when all is well: the relocated pointers read
/// right; `AT_PHDR` and `AT_ENTRY` point at the image that runs (the
/// runtime updates them when it moves the program); and RELRO is mapped
/// read-only (protected by the runtime in a static-PIE, by its program
/// header in a plain static executable).
pub const PROBE_ADDR_TAIL: &str =
    "relocated [\"alpha\", \"beta\", \"gamma\", \"none\"] 8\nauxv ok\nrelro r--p\n";

/// The run-time addresses `probe addr` prints.
struct Addresses {
    /// A static's.
    counter: u64,
    /// `main`'s.
    main: u64,
    /// A heap block's.
    heap: u64,
}

/// Runs `probe addr` from `dir`, with the personality flag
/// `ADDR_NO_RANDOMIZE` (as `setarch -R` does) when `fixed`.
fn probe_addresses(c: &Ctx, dir: &Path, fixed: bool) -> Result<Addresses, String> {
    use std::os::unix::process::CommandExt;
    let bin = dir.join("probe");
    let mut cmd = command(c.p, &bin, &[b"addr"], &[]);
    if fixed {
        // SAFETY: one async-signal-safe call between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let current = libc::personality(0xffff_ffff);
                if libc::personality((current | libc::ADDR_NO_RANDOMIZE) as _) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let out = output(&mut cmd, &bin)?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.code != Some(0) || !out.stderr.is_empty() || !text.ends_with(PROBE_ADDR_TAIL) {
        return Err(format!(
            "probe addr: status {:?}, stdout {text:?}, stderr {}",
            out.code,
            show(&out.stderr)
        ));
    }
    let f: Vec<&str> = text.split_whitespace().collect();
    let hex = |i: usize| {
        f.get(i)
            .and_then(|v| u64::from_str_radix(v.trim_start_matches("0x"), 16).ok())
            .ok_or_else(|| format!("probe addr printed {text:?}"))
    };
    Ok(Addresses {
        counter: hex(1)?,
        main: hex(3)?,
        heap: hex(5)?,
    })
}

/// Checks that `probe addr` in `dir` runs and that its static and `main`
/// moved by the same page-aligned load offset from their link-time
/// addresses; returns the offset and the run-time addresses.
fn check_load_offset(c: &Ctx, dir: &Path) -> Result<(u64, Addresses), String> {
    let bin = Elf::open(&dir.join("probe"))?;
    let got = probe_addresses(c, dir, false)?;
    let counter = bin.symbol_value("5probe7COUNTER")?;
    let main = bin.symbol_value("5probe4main")?;
    let offset = got.counter.wrapping_sub(counter);
    if got.main.wrapping_sub(main) != offset || offset % 4096 != 0 {
        return Err(format!(
            "{}: static at {:#x} (linked at {counter:#x}), main at {:#x} (linked at \
             {main:#x}): not one page-aligned load offset",
            bin.path().display(),
            got.counter,
            got.main,
        ));
    }
    Ok((offset, got))
}

/// Static-PIE: two runs put the program at different addresses, on every
/// platform. qemu-user itself loads it at one fixed address
/// (0x555555556000); the runtime then moves itself to a random one
/// (`freestand_rt::relocate::rebase`), so under qemu the check is also
/// that it left that address. With `ADDR_NO_RANDOMIZE` (`setarch -R`) the
/// addresses stay the same from run to run.
fn case_aslr(c: &Ctx) -> Check {
    let (off1, a) = check_load_offset(c, &c.release_dir)?;
    let (off2, b) = check_load_offset(c, &c.release_dir)?;
    if a.heap == b.heap {
        return Err(format!("the heap was at {:#x} in both runs", a.heap));
    }
    if off1 == off2 {
        return Err(format!(
            "static and main at the same addresses in two runs ({:#x}, {:#x})",
            a.counter, a.main
        ));
    }
    let qemu_base = 0x5555_5555_6000;
    if c.p.qemu.is_some() && (off1 == qemu_base || off2 == qemu_base) {
        return Err(format!(
            "the program stayed at qemu's fixed load address {qemu_base:#x}"
        ));
    }
    let fixed1 = probe_addresses(c, &c.release_dir, true)?;
    let fixed2 = probe_addresses(c, &c.release_dir, true)?;
    if (fixed1.counter, fixed1.main) != (fixed2.counter, fixed2.main) {
        return Err(format!(
            "with ADDR_NO_RANDOMIZE, static and main moved from {:#x}, {:#x} to {:#x}, {:#x}",
            fixed1.counter, fixed1.main, fixed2.counter, fixed2.main
        ));
    }
    Ok(())
}

/// A release build of one link kind, and what it should hold.
struct LinkKind<'a> {
    /// `FREESTAND_LINK`.
    name: &'a str,
    /// Where it was built.
    dir: &'a Path,
    /// Whether `.rela.dyn` holds entries (all relative ones).
    rela: bool,
    /// Whether `.relr.dyn` holds entries.
    relr: bool,
    /// A static-PIE (relocates itself), or final as linked.
    pie: bool,
}

/// Every link kind runs: `DT_RELR` (default), `DT_RELA` (`pie-rela`) and
/// non-PIE (`static`), each checked for the tables it should have, then
/// run with pointers the runtime must have relocated (string slices, a
/// function pointer, a reference between statics, the panic location, the
/// vDSO call slots).
fn case_link_kinds(c: &Ctx) -> Check {
    // The debug build (default link) once; each release kind below.
    check_relocate_self_contained(&c.dir.join("probe"))?;
    let kinds = [
        LinkKind {
            name: "pie",
            dir: &c.release_dir,
            rela: false,
            relr: true,
            pie: true,
        },
        LinkKind {
            name: "pie-rela",
            dir: &c.rela_dir,
            rela: true,
            relr: false,
            pie: true,
        },
        LinkKind {
            name: "static",
            dir: &c.static_dir,
            rela: false,
            relr: false,
            pie: false,
        },
    ];
    for k in kinds {
        check_link_kind(c, &k).map_err(|e| format!("{}: {e}", k.name))?;
    }
    Ok(())
}

fn check_link_kind(c: &Ctx, k: &LinkKind) -> Check {
    let bin = k.dir.join("probe");
    let file = Elf::open(&bin)?;
    // The linker script always makes both sections (it brackets them with
    // symbols); what matters is whether they hold anything.
    let non_empty = |name: &str| file.section(name).is_some_and(|s| s.size > 0);
    let got = (non_empty(".rela.dyn"), non_empty(".relr.dyn"));
    if got != (k.rela, k.relr) {
        return Err(format!(
            "(.rela.dyn, .relr.dyn) non-empty = {got:?}, expected {:?}",
            (k.rela, k.relr)
        ));
    }
    if k.rela {
        let want = match c.p.arch {
            Arch::X86_64 => elf::R_X86_64_RELATIVE,
            Arch::Riscv64 => elf::R_RISCV_RELATIVE,
            Arch::Aarch64 => elf::R_AARCH64_RELATIVE,
        }
        .0;
        let types = file.rela_types()?;
        if types.is_empty() || types.iter().any(|t| *t != want) {
            return Err(format!(
                "relocations other than type {want} (relative): {types:?}"
            ));
        }
    }
    if k.pie {
        check_relocate_self_contained(&bin)?;
    } else {
        check_final_as_linked(&file)?;
    }
    let (offset, _) = check_load_offset(c, k.dir)?;
    if (offset != 0) != k.pie {
        return Err(format!("load offset {offset:#x}"));
    }
    let msg = format!(
        "panicked at {}:\nprobe panicked with 42\n",
        probe_location("panic!(\"probe panicked")
    );
    expect(&run(c.p, &bin, &[b"panic"], &[])?, b"", msg.as_bytes(), 101)?;
    let platform = c.p.name.as_bytes();
    let out = run(c.p, &k.dir.join("routed"), &[b"check", platform], &[])?;
    if out.code != Some(0) {
        return Err(format!(
            "routed check failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// A plain static executable (`FREESTAND_LINK=static`) is final as linked:
/// it holds no self-relocation code at all (`_start` leaves out the call),
/// and its RELRO (`.data.rel.ro`) lies in the read-only load segment, which
/// the kernel maps so; it has no `PT_GNU_RELRO` or `PT_DYNAMIC` header.
fn check_final_as_linked(file: &Elf) -> Check {
    let bin = file.path().display();
    let symbols = file.symbols();
    if let Some(s) = symbols
        .iter()
        .find(|s| s.name.contains("freestand_rt8relocate"))
    {
        return Err(format!("{bin}: self-relocation code linked in: {}", s.name));
    }
    let segments = file.segments();
    let unneeded = [elf::PT_GNU_RELRO, elf::PT_DYNAMIC, elf::PT_NULL];
    if let Some(s) = segments.iter().find(|s| unneeded.contains(&s.kind)) {
        return Err(format!(
            "{bin}: a header it does not need: type {:#x}",
            s.kind
        ));
    }
    let relro = file
        .section(".data.rel.ro")
        .ok_or_else(|| format!("{bin}: no .data.rel.ro section"))?;
    let inside = segments.iter().any(|s| {
        s.kind == elf::PT_LOAD
            && s.flags == elf::PF_R.0
            && s.vaddr <= relro.address
            && relro.address + relro.size <= s.vaddr + s.memsz
    });
    if !inside {
        return Err(format!(
            "{bin}: .data.rel.ro at {:#x} is not in a read-only load segment",
            relro.address
        ));
    }
    Ok(())
}
