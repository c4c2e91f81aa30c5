//! Checks read from `llvm-objdump`'s disassembly, the oracle of what the
//! compiled code does: the self-relocation code uses nothing it has not
//! relocated, and the C mem functions never call one another.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;

use crate::elf::Elf;
use crate::harness::{Arch, Check, tool};

/// The self-relocation code runs before the GOT and every stored pointer
/// are relocated, so it must not load an address from memory or call
/// anything outside `freestand_rt::relocate` and `::msg` (a call to `memset` may go
/// through the GOT). From the disassembly: no load PC-relative to a
/// writable segment (the GOT, `.data.rel.ro`, `.data`; read-only constants
/// are fine), no jump through memory (a `match` may jump through a
/// register loaded from a table of relative offsets), and calls only to
/// functions of the module, to the raw system calls, and to a debug
/// build's checks (`panic_const_div_by_zero` for constant divisors,
/// `panic_misaligned_pointer_dereference`), which cannot fire: the
/// divisors are not zero and the module checks alignment itself.
pub fn check_relocate_self_contained(bin: &Path) -> Check {
    let dis = disassemble(bin)?;
    let image = Elf::open(bin)?;
    let module = "freestand_rt8relocate";
    // The message its failure path builds (`freestand_rt::msg`), checked
    // by the same rules.
    let msg = "freestand_rt3msg";
    // The raw system calls (inline `syscall`/`ecall`), which debug builds
    // do not inline.
    let raw = "freestand_syscalls4arch";
    // Function start addresses, to name the target of a riscv64 call
    // (`auipc ra, HI` + `jalr LO(ra)`).
    let starts: BTreeMap<u64, &str> = dis.lines().filter_map(function_label).collect();
    // The one static it reads: a plain word, not a relocated address
    // (`freestand_rt::relocate::rebase`).
    let moved_from = Some(image.symbol_value("rebase10MOVED_FROM")?);
    let mut inside = false;
    let mut seen = 0;
    let mut auipc: BTreeMap<String, u64> = BTreeMap::new();
    for line in dis.lines() {
        if let Some((_, name)) = function_label(line) {
            inside = name.contains(module) || name.contains(msg);
            seen += usize::from(inside);
            auipc.clear();
            continue;
        }
        if !inside || line.ends_with(">:") {
            continue;
        }
        let pc = line
            .split_once(':')
            .and_then(|(a, _)| u64::from_str_radix(a.trim(), 16).ok())
            .unwrap_or(0);
        let insn = line.split_once(':').map_or("", |(_, i)| i.trim());
        let mut f = insn.split_whitespace();
        let op = f.next().unwrap_or("");
        let args = f.collect::<Vec<_>>().join(" ");
        let bad = match op {
            "callq" | "call" | "jmpq" | "jmp" | "jal" | "j"
                if args.contains('<') && !args.starts_with('*') =>
            {
                // A direct call or jump: to a place inside a function
                // (`<f+0x27>`, or a local label `<.L0 >`), to the module, or
                // to the raw system calls.
                !args.contains(module)
                    && !args.contains(msg)
                    && !args.contains(raw)
                    && !args.contains("panic")
                    && args
                        .split('<')
                        .nth(1)
                        .is_some_and(|t| !t.contains('+') && !t.starts_with(".L"))
            }
            // A jump through a register is a `match` compiled to a table of
            // offsets relative to the table (position-independent, no
            // relocation); a call or jump through memory is not allowed.
            "jmpq" | "jmp" => args.starts_with('*') && !args.starts_with("*%"),
            // Through a GOT slot: only a debug build's checks (see above).
            "callq" | "call" if args.starts_with('*') => !commented_address(&args)
                .and_then(|slot| image.read_u64(slot))
                .and_then(|t| starts.get(&t))
                .is_some_and(|name| name.contains("panic")),
            "callq" | "call" => false,
            // A `%rip`-relative operand: same rule as riscv64's `ld`.
            _ if args.contains("(%rip)") && !op.starts_with("lea") => commented_address(&args)
                .is_none_or(|a| {
                    Some(a) != moved_from && image.loaded_word(a).is_none_or(|(_, w)| w)
                }),
            "jalr" => {
                // "1932(ra)" or "ra, 1932(ra)": a call to a computed address,
                // allowed only into the module.
                let (off, reg) = jalr_operand(&args);
                !auipc
                    .get(reg)
                    .and_then(|base| starts.get(&base.wrapping_add(off as u64)))
                    .is_some_and(|name| {
                        name.contains(module)
                            || name.contains(msg)
                            || name.contains(raw)
                            || name.contains("panic")
                    })
            }
            "auipc" => {
                let (reg, value) = auipc_value(pc, &args);
                auipc.insert(reg, value);
                false
            }
            // A load PC-relative to `auipc`: fine from read-only data (a
            // constant, such as a division's magic multiplier), not from
            // a writable segment (the GOT, `.data.rel.ro`, `.data`).
            "ld" => {
                let (off, reg) = jalr_operand(&args);
                auipc.get(reg).is_some_and(|base| {
                    let at = base.wrapping_add(off as u64);
                    Some(at) != moved_from && image.loaded_word(at).is_none_or(|(_, w)| w)
                })
            }
            _ => false,
        };
        // Any other riscv64 instruction that writes its first operand ends
        // what `auipc` put there (stores and branches write no register).
        let stores = ["sd", "sw", "sh", "sb", "fsd", "fsw"];
        if op != "auipc" && !stores.contains(&op) && !op.starts_with('b') {
            auipc.remove(args.split(", ").next().unwrap_or(""));
        }
        if bad {
            return Err(format!(
                "{}: the relocation code uses what it has not relocated: {line}",
                bin.display()
            ));
        }
    }
    if seen == 0 {
        return Err(format!("{}: no function of {module}", bin.display()));
    }
    Ok(())
}

/// `llvm-objdump -d` of `bin`, without raw instruction bytes.
fn disassemble(bin: &Path) -> Result<String, String> {
    tool(
        "llvm-objdump",
        &[
            OsStr::new("-d"),
            OsStr::new("--no-show-raw-insn"),
            bin.as_os_str(),
        ],
    )
}

/// A function label of the disassembly, `"0000000000018d40 <memset>:"`,
/// as (address, name). Assembler-local labels (`.L0`, `.Lpcrel_hi3`) sit
/// inside functions and are not function labels.
fn function_label(line: &str) -> Option<(u64, &str)> {
    let (addr, name) = line.strip_suffix(">:")?.split_once(" <")?;
    let addr = u64::from_str_radix(addr.trim(), 16).ok()?;
    (!name.starts_with(".L")).then_some((addr, name))
}

/// The address in the comment of a memory operand,
/// `"*75281(%rip)  # 0x21cbb8 <...>"`: the GOT slot a call goes through.
fn commented_address(args: &str) -> Option<u64> {
    let t = args.split("# 0x").nth(1)?.split_whitespace().next()?;
    u64::from_str_radix(t, 16).ok()
}

/// riscv64 `auipc REG, IMM` at `pc`: the register and the value it gets.
fn auipc_value(pc: u64, args: &str) -> (String, u64) {
    let mut a = args.split(", ");
    let reg = a.next().unwrap_or("").to_string();
    let imm: i64 = a.next().unwrap_or("0").parse().unwrap_or(0);
    let imm = (imm << 44) >> 44; // sign-extend the 20-bit field
    (reg, pc.wrapping_add((imm << 12) as u64))
}

/// The (offset, base register) of a riscv64 `jalr`/`jr`/`ld` operand:
/// `"-326(ra)"`, `"ra, -326(ra)"` or `"t1"`.
fn jalr_operand(args: &str) -> (i64, &str) {
    let operand = args.rsplit(", ").next().unwrap_or("");
    match operand.split_once('(') {
        Some((o, r)) => (o.parse().unwrap_or(0), r.trim_end_matches(')')),
        None => (0, operand),
    }
}

/// Builds the call graph of `bin` from its disassembly and fails if any of
/// the C mem functions can reach one of them again: a recursion the
/// compiler would have created by turning a loop into a `memcpy` call.
///
/// x86_64 calls name their target (`call ... <memcpy>`); riscv64 calls are
/// `auipc rX, hi` + `jalr lo(rX)` (or `jr`), whose target is computed.
pub fn check_mem_no_recursion(bin: &Path, arch: Arch) -> Check {
    let dis = disassemble(bin)?;
    let c_names = ["memcpy", "memmove", "memset", "memcmp", "bcmp", "strlen"];
    let mut starts: BTreeMap<u64, String> = BTreeMap::new();
    let mut calls: BTreeMap<String, Vec<Callee>> = BTreeMap::new();
    let mut current = String::new();
    let mut hi: BTreeMap<String, u64> = BTreeMap::new();
    let image = Elf::open(bin)?;
    let load = |vaddr: u64| image.read_u64(vaddr);
    for line in dis.lines() {
        if line.ends_with(">:") {
            if let Some((addr, name)) = function_label(line) {
                current = name.to_string();
                starts.insert(addr, current.clone());
                hi.clear();
            }
            continue;
        }
        // "   18d4a:      \tauipc\tra, 3"
        let Some((addr, insn)) = line.split_once(':') else {
            continue;
        };
        let Ok(pc) = u64::from_str_radix(addr.trim(), 16) else {
            continue;
        };
        let mut f = insn.split_whitespace();
        let (op, args) = (f.next().unwrap_or(""), f.collect::<Vec<_>>().join(" "));
        let edges = calls.entry(current.clone()).or_default();
        if (op.starts_with("call") || op.starts_with("jmp")) && args.starts_with("*") {
            // Through a pointer slot (the GOT).
            if let Some(target) = commented_address(&args).and_then(load) {
                edges.push(Callee::Addr(target));
            }
        } else if op.starts_with("call") || op.starts_with("jmp") {
            // `<f+0x27>` is a jump inside a function, `<f>` a call of it.
            if let Some(t) = args.split('<').nth(1).and_then(|t| t.strip_suffix('>'))
                && !t.contains('+')
            {
                edges.push(Callee::Name(t.to_string()));
            }
        } else if op == "ld" {
            // A GOT load: "auipc a0, hi" then "ld a0, lo(a0)".
            let mut a = args.split(", ");
            let dst = a.next().unwrap_or("").to_string();
            let src = a.next().unwrap_or("");
            if let Some((off, reg)) = src.split_once('(') {
                let reg = reg.trim_end_matches(')');
                let off: i64 = off.parse().unwrap_or(0);
                match hi.get(reg).and_then(|b| load(b.wrapping_add(off as u64))) {
                    Some(v) => hi.insert(dst, v),
                    None => hi.remove(&dst),
                };
            }
        } else if op == "auipc" {
            let (reg, value) = auipc_value(pc, &args);
            hi.insert(reg, value);
        } else if op == "jalr" || op == "jr" {
            let (off, reg) = jalr_operand(&args);
            if let Some(base) = hi.get(reg) {
                edges.push(Callee::Addr(base.wrapping_add(off as u64)));
            }
        } else if arch == Arch::Aarch64 {
            aarch64_edge(op, &args, &mut hi, edges, &load);
        }
    }
    let name_of = |c: &Callee| match c {
        Callee::Name(n) => Some(n.clone()),
        Callee::Addr(a) => starts.get(a).cloned(),
    };
    // The linker drops the ones a program never calls; memcpy and memset
    // are always there (struct copies, zeroing), so they must be checked.
    for must in ["memcpy", "memset"] {
        if !calls.contains_key(must) {
            return Err(format!("{} has no function {must}", bin.display()));
        }
    }
    for root in c_names.into_iter().filter(|n| calls.contains_key(*n)) {
        // Walk everything reachable from `root`; reaching any C mem name
        // (through at least one call) is the bug.
        let mut stack: Vec<String> = vec![root.to_string()];
        let mut seen: Vec<String> = Vec::new();
        while let Some(f) = stack.pop() {
            // Debug builds reach the panic machinery through overflow and
            // precondition checks; a panic ends the process (the handler
            // exits), so those calls cannot recurse and are not followed.
            let callees = calls.get(&f).into_iter().flatten().filter_map(name_of);
            for callee in callees.filter(|c| !c.contains("panic")) {
                if c_names.contains(&callee.as_str()) {
                    return Err(format!(
                        "{root} reaches {callee} (via {f}) in {}",
                        bin.display()
                    ));
                }
                if !seen.contains(&callee) {
                    seen.push(callee.clone());
                    stack.push(callee);
                }
            }
        }
    }
    Ok(())
}

/// The call edges of one aarch64 instruction, for [`check_mem_no_recursion`]:
/// `bl <f>` and the tail call `b <f>` name their target; `blr`/`br xN`
/// call through a register, whose value is followed from `adrp` (a page
/// address), `add xN, xM, #lo` (an address) and `ldr xN, [xM, #lo]` (a
/// GOT slot, read from the file). Any other instruction that writes a
/// followed register forgets it.
fn aarch64_edge(
    op: &str,
    args: &str,
    hi: &mut BTreeMap<String, u64>,
    edges: &mut Vec<Callee>,
    load: &dyn Fn(u64) -> Option<u64>,
) {
    let mut a = args.split(", ");
    let first = a.next().unwrap_or("").to_string();
    let imm = |s: &str| {
        let s = s.trim_start_matches('#').trim_end_matches(']');
        match s.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => s.parse().ok(),
        }
    };
    match op {
        "bl" | "b" => {
            if let Some(t) = args.split('<').nth(1).and_then(|t| t.strip_suffix('>'))
                && !t.contains('+')
            {
                edges.push(Callee::Name(t.to_string()));
            }
        }
        "blr" | "br" => {
            if let Some(&target) = hi.get(&first) {
                edges.push(Callee::Addr(target));
            }
        }
        "adrp" => match a
            .next()
            .and_then(|v| imm(v.split(' ').next().unwrap_or("")))
        {
            Some(page) => {
                hi.insert(first, page);
            }
            None => {
                hi.remove(&first);
            }
        },
        "add" | "ldr" => {
            let base = a
                .next()
                .unwrap_or("")
                .trim_start_matches('[')
                .trim_end_matches(']');
            let off = a.next().map_or(Some(0), imm);
            let value = hi.get(base).copied().zip(off).and_then(|(b, o)| {
                let addr = b.wrapping_add(o);
                if op == "add" { Some(addr) } else { load(addr) }
            });
            match value {
                Some(v) => hi.insert(first, v),
                None => hi.remove(&first),
            };
        }
        // A pair load writes two registers.
        _ if op.starts_with("ldp") || op.starts_with("ldnp") => {
            hi.remove(&first);
            if let Some(second) = a.next() {
                hi.remove(second);
            }
        }
        _ => {
            hi.remove(&first);
        }
    }
}

/// The target of a call: named in the disassembly, or an address.
enum Callee {
    Name(String),
    Addr(u64),
}
