//! Start-up and the process's life: arguments, environment, the auxiliary
//! vector, stack alignment, `main`'s result, exit codes, panics, the heap
//! and `AT_RANDOM`.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::harness::{
    Case, Check, Ctx, expect, expect_clean_exit, expect_contains, probe_location, run_empty_argv,
    show,
};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "hello",
            run: |c| expect(&c.run("hello", &[], &[])?, b"hello\n", b"", 0),
        },
        Case {
            name: "args_spaces_empty_and_non_utf8",
            run: case_args,
        },
        Case {
            name: "args_empty_argv",
            run: case_argc_zero,
        },
        Case {
            name: "args_one_of_max_arg_strlen",
            run: |c| run_argsize(c, &[vec![b'a'; MAX_ARG_STRLEN - 1]], &[]),
        },
        Case {
            name: "args_and_env_near_arg_max",
            run: case_near_arg_max,
        },
        Case {
            name: "env_100000_entries",
            run: case_env_100000,
        },
        Case {
            name: "stack_alignment_every_padding",
            run: case_stack_alignment,
        },
        Case {
            name: "env_passthrough",
            run: case_env_passthrough,
        },
        Case {
            name: "huge_environment",
            run: case_huge_environment,
        },
        Case {
            name: "exit_codes",
            run: case_exit_codes,
        },
        Case {
            name: "main_returns_err",
            run: |c| expect(&c.run("probe", &[b"err"], &[])?, b"", b"Error: Usage\n", 1),
        },
        Case {
            name: "panic",
            run: |c| {
                let msg = format!(
                    "panicked at {}:\nprobe panicked with 42\n",
                    probe_location("panic!(\"probe panicked")
                );
                expect(&c.run("probe", &[b"panic"], &[])?, b"", msg.as_bytes(), 101)
            },
        },
        Case {
            name: "alloc_64_mib",
            run: |c| {
                let out = c.run("probe", &[b"alloc", b"64"], &[])?;
                expect(&out, b"allocated 64 MiB: ok\n", b"", 0)
            },
        },
        Case {
            name: "alloc_failure",
            run: |c| {
                let err = b"out of memory: allocating 70368744177664 bytes (align 1)\n";
                expect(&c.run("probe", &[b"oom"], &[])?, b"", err, 134)
            },
        },
        Case {
            name: "heap_growth",
            run: |c| {
                let out = b"blocks 13333 sum 1199819994 string 50000\n";
                expect(&c.run("probe", &[b"heap"], &[])?, out, b"", 0)
            },
        },
        Case {
            name: "demo",
            run: case_demo,
        },
        Case {
            name: "at_random_16_bytes_differ_per_run",
            run: case_at_random,
        },
    ]
}

/// What `args` prints before its auxv lines.
fn args_prefix(argv0: &[u8], rest: &[&[u8]], env: usize) -> Vec<u8> {
    let mut s = format!("argc: {}\n", rest.len() + 1).into_bytes();
    let esc = |b: &[u8]| {
        let mut o = String::new();
        for chunk in b.utf8_chunks() {
            for c in chunk.valid().chars() {
                o.extend(c.escape_debug());
            }
            for x in chunk.invalid() {
                o.push_str(&format!("\\x{x:02x}"));
            }
        }
        o
    };
    s.extend(format!("argv[0]: \"{}\"\n", esc(argv0)).bytes());
    for (i, a) in rest.iter().enumerate() {
        s.extend(format!("argv[{}]: \"{}\"\n", i + 1, esc(a)).bytes());
    }
    s.extend(format!("env: {env} entries\nauxv:\n").bytes());
    s
}

/// Checks the auxv lines `args` prints after its first `prefix_len` bytes.
fn check_auxv_lines(out: &[u8], prefix_len: usize) -> Check {
    let rest = String::from_utf8_lossy(&out[prefix_len.min(out.len())..]).into_owned();
    let names: Vec<&str> = rest
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for need in ["AT_PHDR", "AT_PAGESZ", "AT_ENTRY", "AT_RANDOM"] {
        if !names.contains(&need) {
            return Err(format!("auxv lacks {need}: {rest:?}"));
        }
    }
    if !rest.lines().any(|l| l == "  AT_PAGESZ 0x1000") {
        return Err(format!("no `AT_PAGESZ 0x1000` line in {rest:?}"));
    }
    Ok(())
}

fn case_args(c: &Ctx) -> Check {
    let rest: [&[u8]; 4] = [b"a b", b"", b"\xff\xfe", b"--flag=\xe2\x82\xac"];
    let out = c.run("args", &rest, &[("A", b"1"), ("B", b"two words")])?;
    let prefix = args_prefix(c.bin("args").as_os_str().as_bytes(), &rest, 2);
    if !out.stdout.starts_with(&prefix) || out.code != Some(0) || !out.stderr.is_empty() {
        return expect(&out, &prefix, b"", 0);
    }
    check_auxv_lines(&out.stdout, prefix.len())
}

fn case_argc_zero(c: &Ctx) -> Check {
    let out = run_empty_argv(c.p, &c.bin("args"))?;
    let prefix = args_prefix(b"", &[], 0);
    if !out.stdout.starts_with(&prefix) || out.code != Some(0) || !out.stderr.is_empty() {
        return expect(&out, &prefix, b"", 0);
    }
    check_auxv_lines(&out.stdout, prefix.len())
}

/// `probe argsize`'s line for these arguments (after argv[0] = `bin`) and
/// environment.
fn argsize_line(bin: &Path, args: &[Vec<u8>], env: &[(String, Vec<u8>)]) -> String {
    let bytes: usize = bin.as_os_str().len() + args.iter().map(Vec::len).sum::<usize>();
    let ebytes: usize = env.iter().map(|(k, v)| k.len() + v.len()).sum();
    format!(
        "args {} bytes {bytes} env {} bytes {ebytes}\n",
        args.len() + 1,
        env.len()
    )
}

/// An environment as the runners take it.
fn env_refs(env: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    env.iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect()
}

/// Runs `probe argsize ARGS` with `env` and checks its line.
fn run_argsize(c: &Ctx, args: &[Vec<u8>], env: &[(String, Vec<u8>)]) -> Check {
    let mut all: Vec<&[u8]> = vec![b"argsize"];
    all.extend(args.iter().map(Vec::as_slice));
    let out = c.run("probe", &all, &env_refs(env))?;
    let mut with_cmd = vec![b"argsize".to_vec()];
    with_cmd.extend(args.iter().cloned());
    let want = argsize_line(&c.bin("probe"), &with_cmd, env);
    expect(&out, want.as_bytes(), b"", 0)
}

/// The kernel's limit on one argument, `MAX_ARG_STRLEN`: 32 pages,
/// 128 KiB including the terminating NUL.
const MAX_ARG_STRLEN: usize = 32 * 4096;

fn case_near_arg_max(c: &Ctx) -> Check {
    // With the 8 MiB stack limit the suite sets, arguments, environment and
    // their pointers may take a quarter of it, 2 MiB: use 95% of that.
    let args: Vec<Vec<u8>> = (0..16).map(|i| vec![b'a' + i as u8; 100_000]).collect();
    let env: Vec<(String, Vec<u8>)> = (0..3)
        .map(|i| (format!("E{i}"), vec![b'v'; 99_990]))
        .collect();
    // Strings with their NULs (and the `=`), plus one pointer each.
    let total: usize = args.iter().map(|a| a.len() + 1 + 8).sum::<usize>()
        + env
            .iter()
            .map(|(k, v)| k.len() + v.len() + 2 + 8)
            .sum::<usize>();
    let limit = 2 << 20;
    if total < limit * 9 / 10 || total >= limit {
        return Err(format!(
            "the test's own sizes are off: {total} bytes of {limit}"
        ));
    }
    run_argsize(c, &args, &env)
}

fn case_env_100000(c: &Ctx) -> Check {
    let env: Vec<(String, Vec<u8>)> = (0..100_000)
        .map(|i| (format!("E{i}"), b"1".to_vec()))
        .collect();
    run_argsize(c, &[], &env)?;
    let out = c.run("probe", &[b"getenv", b"E99999"], &env_refs(&env))?;
    expect(&out, b"1\n", b"", 0)
}

fn case_stack_alignment(c: &Ctx) -> Check {
    // Every total length of the strings modulo 16, so the kernel pads the
    // initial stack every way it can; the debug build asserts that the
    // stack pointer `_start` receives is 16-byte aligned.
    for n in 0..16 {
        run_argsize(c, &[vec![b'x'; n]], &[])?;
        let env = vec![("K".to_string(), vec![b'y'; n])];
        run_argsize(c, &[vec![b'x'; 1]], &env)?;
    }
    Ok(())
}

fn case_env_passthrough(c: &Ctx) -> Check {
    let out = c.run(
        "probe",
        &[b"getenv", b"FOO"],
        &[("FOO", b"bar baz=\xff"), ("X", b"")],
    )?;
    expect(&out, b"bar baz=\\xff\n", b"", 0)?;
    let out = c.run("probe", &[b"getenv", b"X"], &[("X", b"")])?;
    expect(&out, b"\n", b"", 0)?;
    let out = c.run("probe", &[b"getenv", b"FOO"], &[])?;
    expect(&out, b"unset\n", b"", 0)
}

fn case_huge_environment(c: &Ctx) -> Check {
    let owned: Vec<(String, Vec<u8>)> = (0..20_000)
        .map(|i| (format!("VAR{i}"), format!("value {i}").into_bytes()))
        .collect();
    let env = env_refs(&owned);
    let out = c.run("probe", &[b"getenv", b"VAR19999"], &env)?;
    expect(&out, b"value 19999\n", b"", 0)?;
    let out = c.run("args", &[], &env)?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("\nenv: 20000 entries\n") || out.code != Some(0) {
        return Err(format!("args with 20000 env entries printed {text:?}"));
    }
    Ok(())
}

/// `probe exit ARG`: the argument and the status it must end with.
struct ExitCode {
    arg: &'static str,
    status: i32,
}

const EXIT_CODES: [ExitCode; 6] = [
    ExitCode {
        arg: "0",
        status: 0,
    },
    ExitCode {
        arg: "3",
        status: 3,
    },
    ExitCode {
        arg: "42",
        status: 42,
    },
    ExitCode {
        arg: "255",
        status: 255,
    },
    ExitCode {
        arg: "256",
        status: 0,
    },
    ExitCode {
        arg: "-1",
        status: 255,
    },
];

fn case_exit_codes(c: &Ctx) -> Check {
    for ExitCode { arg, status } in EXIT_CODES {
        let out = c.run("probe", &[b"exit", arg.as_bytes()], &[])?;
        expect(&out, b"", b"", status)?;
    }
    Ok(())
}

fn case_demo(c: &Ctx) -> Check {
    let out = c.run("demo", &[b"x"], &[("K", b"v")])?;
    let first = format!(
        "freestand demo: a Rust program with no libc, on {}",
        c.p.arch.name()
    );
    let routed = format!(
        "\nrouted calls:\n  clock_gettime vdso {}clock_gettime@",
        c.p.arch.vdso_prefix()
    );
    let want = [
        first.as_str(),
        "arguments (2):",
        "  \"x\"",
        "environment: 1 entries",
        "heap: 9592 primes below 100000, the largest 99991, 99989, 99971",
        "AT_SYSINFO_EHDR 0x",
        "\nvDSO at 0x",
        &routed,
        "\nclocks:\n  CLOCK_REALTIME ",
        "\n  CLOCK_MONOTONIC ",
        "\n  CLOCK_TAI ",
        "\n  UTC ",
        "\nthe vDSO part took ",
    ];
    expect_contains("demo", out, &want)
}

fn case_at_random(c: &Ctx) -> Check {
    let a = c.run("probe", &[b"at-random"], &[])?;
    let b = c.run("probe", &[b"at-random"], &[])?;
    for o in [&a, &b] {
        let hex = o.stdout.strip_suffix(b"\n").unwrap_or(b"");
        if hex.len() != 32 || !hex.iter().all(u8::is_ascii_hexdigit) {
            return expect(o, b"32 hex digits\n", b"", 0);
        }
    }
    if a.stdout == b.stdout {
        return Err(format!(
            "AT_RANDOM the same in two runs: {}",
            show(&a.stdout)
        ));
    }
    expect_clean_exit(a)
}
