//! Around `main`: thread-local storage (`PT_TLS`) in the main thread, the
//! init and fini arrays and the `at_exit` handlers, in every link
//! (`e2e/programs/tls.rs`, `init_order.rs`, `init_off.rs`); the segment
//! and sections as the runtime's linker symbols describe them; and the
//! links the linker script refuses.

mod refused;

use std::path::Path;

use object::elf;

use crate::elf::{Elf, Segment};
use crate::harness::{Case, Check, Ctx, expect, run};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "tls_main_thread_every_link",
            run: |c| {
                for dir in dirs(c) {
                    let out = run(c.p, &dir.join("tls"), &[], &[])?;
                    expect(
                        &out,
                        b"tls: main thread ok\ntls: spawned threads ok\n",
                        b"",
                        0,
                    )
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                Ok(())
            },
        },
        Case {
            name: "tls_segment_matches_linker_symbols",
            run: case_tls_segment,
        },
        Case {
            name: "init_arrays_in_relro_where_symbols_say",
            run: case_arrays,
        },
        Case {
            name: "init_order",
            run: case_init_order,
        },
        Case {
            name: "init_off_at_exit_refuses",
            run: |c| {
                for dir in dirs(c) {
                    let out = run(c.p, &dir.join("init_off"), &[], &[])?;
                    expect(&out, b"at_exit: Err(ENOSYS)\n", b"", 0)
                        .map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                Ok(())
            },
        },
        Case {
            name: "init_off_and_ctors_links_refused",
            run: refused::case,
        },
    ]
}

/// The four builds: debug, and release with each link.
fn dirs<'a>(c: &'a Ctx) -> [&'a Path; 4] {
    [&c.dir, &c.release_dir, &c.rela_dir, &c.static_dir]
}

/// The one program header of type `kind`.
fn segment(file: &Elf, kind: elf::ProgramType) -> Result<Segment, String> {
    let mut found: Vec<Segment> = file
        .segments()
        .into_iter()
        .filter(|s| s.kind == kind)
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        n => Err(format!(
            "{}: {n} headers of type {kind:#x}",
            file.path().display()
        )),
    }
}

/// The value of the linker-script symbol `name`.
fn symbol(file: &Elf, name: &str) -> Result<u64, String> {
    file.symbols()
        .into_iter()
        .find(|s| s.name == name)
        .map(|s| s.value)
        .ok_or_else(|| format!("{}: no symbol {name}", file.path().display()))
}

fn round_up(n: u64, align: u64) -> u64 {
    n.div_ceil(align.max(1)) * align.max(1)
}

/// `tls`: a `PT_TLS` header aligned to 64 (its most aligned variable)
/// holding 128 bytes of `.tdata` and 320 in all (its own 16 and 192, and
/// the per-thread data of freestand-syscalls that its spawned threads
/// link: the 64-byte rseq area and 16 bytes of `.tbss`), inside the writable load
/// segment; the symbols through which the runtime finds it agree with it
/// (the external check of `linker/common.ld`'s arithmetic). A program
/// without TLS (`probe`) has the header too, empty, and an empty start-up
/// range.
fn case_tls_segment(c: &Ctx) -> Check {
    for dir in dirs(c) {
        let file = Elf::open(&dir.join("tls"))?;
        let bin = file.path().display().to_string();
        let tls = segment(&file, elf::PT_TLS)?;
        let got = (tls.align, tls.filesz, round_up(tls.memsz, tls.align));
        if got != (64, 128, 320) || tls.vaddr % 64 != 0 || tls.flags != elf::PF_R.0 {
            return Err(format!(
                "{bin}: PT_TLS (align, filesz, memsz) {got:?}, expected (64, 128, 320), \
                 at {:#x}, flags {:#x}",
                tls.vaddr, tls.flags
            ));
        }
        let start = symbol(&file, "__freestand_tls_start")?;
        let syms = (
            start,
            symbol(&file, "__freestand_tdata_end")? - start,
            round_up(symbol(&file, "__freestand_tls_end")? - start, tls.align),
            symbol(&file, "__freestand_tls_align")? - start,
        );
        let want = (
            tls.vaddr,
            tls.filesz,
            round_up(tls.memsz, tls.align),
            tls.align,
        );
        if syms != want {
            return Err(format!(
                "{bin}: the symbols say (start, filesz, memsz, align) {syms:#x?}, PT_TLS {want:#x?}"
            ));
        }
        let inside = file.segments().iter().any(|s| {
            s.kind == elf::PT_LOAD
                && s.flags & elf::PF_W.0 != 0
                && s.vaddr <= tls.vaddr
                && tls.vaddr + tls.filesz <= s.vaddr + s.filesz
                && s.offset + (tls.vaddr - s.vaddr) == tls.offset
        });
        if !inside {
            return Err(format!("{bin}: PT_TLS is not in a writable load segment"));
        }
        let probe = Elf::open(&dir.join("probe"))?;
        let empty = segment(&probe, elf::PT_TLS)?;
        let range = symbol(&probe, "__freestand_init_end")?
            .wrapping_sub(symbol(&probe, "__freestand_init_start")?);
        if empty.memsz != 0 || range != 0 {
            return Err(format!(
                "{}: PT_TLS of {} bytes, start-up range of {range}",
                probe.path().display(),
                empty.memsz
            ));
        }
    }
    Ok(())
}

/// An array section of `init_order`, its bracket symbols' prefix and its
/// size: `.init_array` holds the two `.preinit_array` entries first.
const ARRAYS: [(&str, &str, u64); 2] = [
    (".init_array", "__freestand_init_array", 48),
    (".fini_array", "__freestand_fini_array", 24),
];

/// `init_order`'s arrays are where their bracket symbols say, and
/// read-only once running: in `PT_GNU_RELRO` in a static-PIE, in the
/// read-only load segment in a plain static executable.
fn case_arrays(c: &Ctx) -> Check {
    for (dir, pie) in [
        (&c.release_dir, true),
        (&c.rela_dir, true),
        (&c.static_dir, false),
    ] {
        let file = Elf::open(&dir.join("init_order"))?;
        let bin = file.path().display().to_string();
        let guard = if pie {
            segment(&file, elf::PT_GNU_RELRO)?
        } else {
            file.segments()
                .into_iter()
                .find(|s| s.kind == elf::PT_LOAD && s.flags == elf::PF_R.0)
                .ok_or_else(|| format!("{bin}: no read-only load segment"))?
        };
        for (name, sym, size) in ARRAYS {
            let s = file
                .section(name)
                .ok_or_else(|| format!("{bin}: no {name}"))?;
            let (start, end) = (
                symbol(&file, &format!("{sym}_start"))?,
                symbol(&file, &format!("{sym}_end"))?,
            );
            if (s.address, s.size) != (start, size) || end - start != size {
                return Err(format!(
                    "{bin}: {name} at {:#x}, {} bytes; symbols {start:#x}..{end:#x}; \
                     expected {size} bytes",
                    s.address, s.size
                ));
            }
            if s.address < guard.vaddr || guard.vaddr + guard.memsz < s.address + s.size {
                return Err(format!("{bin}: {name} is outside the read-only range"));
            }
        }
    }
    Ok(())
}

/// One run of `init_order`: its mode, what it prints after the
/// constructors' lines, and its status.
struct Order {
    mode: &'static str,
    after_main: &'static [&'static str],
    status: i32,
}

/// What every run prints at the end: the `.fini_array`, last first (the
/// entry with a priority was sorted first).
const FINI: [&str; 3] = ["fini_b", "fini_a", "fini_prio_100"];

const ORDERS: [Order; 5] = [
    Order {
        mode: "return",
        after_main: &["at_exit_2", "registers_late", "late", "at_exit_1"],
        status: 3,
    },
    Order {
        mode: "exit",
        after_main: &["at_exit_2", "registers_late", "late", "at_exit_1"],
        status: 4,
    },
    Order {
        mode: "nested",
        after_main: &["at_exit_2", "calls_exit", "at_exit_1"],
        status: 5,
    },
    Order {
        mode: "full",
        after_main: &["32 registered (AT_EXIT_MAX 32), then Err(ENOMEM)"],
        status: 0,
    },
    Order {
        mode: "threads",
        after_main: &["registered from 4 threads: true"],
        status: 0,
    },
];

/// The exact lines of each mode, in the debug build and the plain static
/// one: preinit, init (prioritised first), `main`, handlers, fini.
fn case_init_order(c: &Ctx) -> Check {
    for Order {
        mode,
        after_main,
        status,
    } in ORDERS
    {
        let mut want = vec![
            format!("preinit_1 argc=2 argv[1]={mode} envp=ok"),
            "preinit_2".into(),
            "init_prio_100".into(),
            "init_prio_200".into(),
            format!("init_a argc=2 argv[1]={mode} envp=ok"),
            "init_b".into(),
            format!("main {mode}"),
        ];
        want.extend(after_main.iter().map(|l| l.to_string()));
        want.extend(FINI.iter().map(|l| l.to_string()));
        if matches!(mode, "full" | "threads") {
            want.push("32 handlers ran".into());
        }
        let text = want.join("\n") + "\n";
        for dir in [&c.dir, &c.static_dir] {
            let out = run(c.p, &dir.join("init_order"), &[mode.as_bytes()], &[])?;
            expect(&out, text.as_bytes(), b"", status)
                .map_err(|e| format!("{} {mode}: {e}", dir.display()))?;
        }
    }
    Ok(())
}
