//! The README's quick start, followed as a newcomer would and run on each
//! platform.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Arch, Case, Check, Ctx, expect, run, show, target_dir, tempdir, workspace};

/// This area's cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "quick_start_from_the_readme",
            run: case_quick_start,
        },
        Case {
            name: "quick_start_as_a_workspace_member",
            run: case_workspace_member,
        },
    ]
}

/// What following the quick start leaves: the crate, and the commands the
/// README then runs in it.
#[derive(Clone)]
struct App {
    dir: PathBuf,
    /// The `cargo run` lines, one per target.
    runs: Vec<String>,
    /// The `cargo test` lines.
    tests: Vec<String>,
}

/// The README's "Use it in your own crate", followed word for word: its
/// `cargo new` line, then each file it shows (`Cargo.toml` from the
/// `[dependencies]` line on, the others whole), in a directory outside
/// this workspace that holds the new crate next to a `freestand` link to
/// this checkout, as the README assumes. Built once per process.
fn quick_start_app() -> Result<App, String> {
    static APP: std::sync::OnceLock<Result<App, String>> = std::sync::OnceLock::new();
    APP.get_or_init(|| {
        let readme = std::fs::read_to_string(workspace().join("README.md"))
            .map_err(|e| format!("README.md: {e}"))?;
        let steps = readme_steps(&readme)?;
        let root = tempdir();
        std::os::unix::fs::symlink(workspace(), root.join("freestand"))
            .map_err(|e| e.to_string())?;
        let (mut app, mut runs, mut tests) = (None, Vec::new(), Vec::new());
        for step in &steps {
            match step {
                Step::Shell(line) if line.starts_with("cargo new ") => {
                    let words: Vec<&str> = line.split_whitespace().collect();
                    cargo_in(&root, &words[1..], "quickstart")?;
                    app = words.last().map(|name| root.join(name));
                }
                Step::Shell(line) if line.starts_with("rustup target add ") => {
                    let words: Vec<&str> = line.split_whitespace().collect();
                    let status = Command::new(words[0])
                        .args(&words[1..])
                        .status()
                        .map_err(|e| format!("`{line}`: {e}"))?;
                    if !status.success() {
                        return Err(format!("`{line}` failed: {status}"));
                    }
                }
                // Run per platform by `case_quick_start`.
                Step::Shell(line) if line.starts_with("cargo run") => runs.push(line.clone()),
                Step::Shell(line) if line == "cargo test" => tests.push(line.clone()),
                Step::Shell(line) => {
                    return Err(format!(
                        "the quick start's `{line}` is no step this test knows"
                    ));
                }
                Step::File(name, body) => {
                    let dir = app
                        .as_ref()
                        .ok_or("the README creates no crate before its files")?;
                    let path = dir.join(name);
                    let text = if name == "Cargo.toml" {
                        let old = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
                        let head = old.split("[dependencies]").next().unwrap_or(&old);
                        format!("{head}{body}")
                    } else {
                        body.clone()
                    };
                    std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
                    std::fs::write(&path, text).map_err(|e| e.to_string())?;
                }
            }
        }
        let dir = app.ok_or("the README's quick start has no `cargo new` line")?;
        if tests.is_empty() {
            return Err("the README's quick start has no `cargo test` line".into());
        }
        Ok(App { dir, runs, tests })
    })
    .clone()
}

/// One step of the README's quick start.
enum Step {
    /// A line of a `sh` block.
    Shell(String),
    /// A file and its contents: a code block after a paragraph that starts
    /// with the file's name in backquotes.
    File(String, String),
}

/// The steps of the README section "Use it in your own crate", in order.
fn readme_steps(readme: &str) -> Result<Vec<Step>, String> {
    let section = readme
        .split("\n## Use it in your own crate\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .ok_or("README.md has no section \"Use it in your own crate\"")?;
    let mut steps = Vec::new();
    // The first line of the paragraph before a code block names its file.
    let (mut last_text, mut in_para) = ("", false);
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        let Some(lang) = line.strip_prefix("```") else {
            if line.trim().is_empty() {
                in_para = false;
            } else if !in_para {
                (last_text, in_para) = (line, true);
            }
            continue;
        };
        in_para = false;
        let mut body = String::new();
        for l in lines.by_ref().take_while(|l| !l.starts_with("```")) {
            body.push_str(l);
            body.push('\n');
        }
        if lang == "sh" {
            steps.extend(body.lines().map(|l| Step::Shell(l.trim().to_string())));
        } else if let Some(name) = last_text
            .strip_prefix('`')
            .and_then(|t| t.split('`').next())
        {
            steps.push(Step::File(name.to_string(), body));
        } else {
            return Err(format!(
                "a ```{lang} block of the quick start names no file (its paragraph starts \
                 {last_text:?}, not with `FILE`)"
            ));
        }
    }
    Ok(steps)
}

/// Runs `cargo ARGS` in `dir` with target directory `target` (beside the
/// suite's own, so that later runs rebuild little);
/// returns stdout.
fn cargo_in(dir: &Path, args: &[&str], target: &str) -> Result<Vec<u8>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(dir).args(args);
    // Only the README's files may configure the build: no linker, runner
    // or flags from this environment.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("CARGO_TARGET_")
            || k.starts_with("CARGO_BUILD_")
            || k.contains("RUSTFLAGS")
        {
            cmd.env_remove(&*k);
        }
    }
    cmd.env("CARGO_TARGET_DIR", target_dir().with_file_name(target));
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo {} in {} failed ({:?}):\n{}",
            args.join(" "),
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// The README's quick start on this platform: its `cargo run` line for
/// this architecture, as written (qemu-x86_64 runs what the native line
/// built, under qemu), must print `1 arguments`; natively, its `cargo test`
/// must run the crate's unit test and pass.
fn case_quick_start(c: &Ctx) -> Check {
    let app = quick_start_app()?;
    run_line(c, &app, &app.dir, "quickstart")?;
    if c.p.qemu.is_none() {
        for line in &app.tests {
            let words: Vec<&str> = line.split_whitespace().collect();
            let out = cargo_in(&app.dir, &words[1..], "quickstart")?;
            let ran: usize = String::from_utf8_lossy(&out)
                .lines()
                .filter_map(|l| l.strip_prefix("test result: ok. "))
                .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
                .sum();
            if ran == 0 {
                return Err(format!("`{line}` ran no test:\n{}", show(&out)));
            }
        }
    }
    Ok(())
}

/// Runs the app in `dir` with the README's `cargo run` line for this
/// platform's architecture (built into target directory `target`).
fn run_line(c: &Ctx, app: &App, dir: &Path, target: &str) -> Check {
    let line = app
        .runs
        .iter()
        .find(|l| match l.split("--target ").nth(1) {
            Some(t) => t.split_whitespace().next() == Some(c.p.arch.triple()),
            None => c.p.arch == Arch::X86_64,
        })
        .ok_or_else(|| {
            format!(
                "the README has no `cargo run` line for {}",
                c.p.arch.triple()
            )
        })?;
    let words: Vec<&str> = line.split_whitespace().collect();
    if c.p.qemu.is_none() || c.p.arch != Arch::X86_64 {
        let stdout = cargo_in(dir, &words[1..], target)?;
        if stdout != b"1 arguments\n" {
            return Err(format!(
                "`{line}` in {} printed {:?}",
                dir.display(),
                show(&stdout)
            ));
        }
        return Ok(());
    }
    // qemu-x86_64: the binary the native line builds, run under qemu.
    let build: Vec<&str> = words[1..]
        .iter()
        .map(|w| if *w == "run" { "build" } else { w })
        .collect();
    cargo_in(dir, &build, target)?;
    let bin = target_dir()
        .with_file_name(target)
        .join("release")
        .join("app");
    expect(&run(c.p, &bin, &[], &[])?, b"1 arguments\n", b"", 0)
}

/// The quick start's crate as a member of a workspace, set up as the
/// README says: the `[profile]` sections in the workspace's `Cargo.toml`,
/// `.cargo/config.toml` at its root, and the commands run there.
fn workspace_app() -> Result<PathBuf, String> {
    static WS: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    WS.get_or_init(|| {
        let app = quick_start_app()?;
        let read =
            |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
        let manifest = read(&app.dir.join("Cargo.toml"))?;
        let (member, profiles) = match manifest.find("\n[profile.") {
            Some(i) => manifest.split_at(i + 1),
            None => return Err("the quick start's Cargo.toml has no [profile] section".into()),
        };
        // The member sits one level deeper than the crate the README made.
        let member = member.replace("\"../freestand/", "\"../../freestand/");
        let ws = app.dir.with_file_name("workspace");
        let files = [
            (
                "Cargo.toml".to_string(),
                format!("[workspace]\nresolver = \"3\"\nmembers = [\"app\"]\n\n{profiles}"),
            ),
            (
                ".cargo/config.toml".into(),
                read(&app.dir.join(".cargo/config.toml"))?,
            ),
            ("app/Cargo.toml".into(), member),
            ("app/build.rs".into(), read(&app.dir.join("build.rs"))?),
            ("app/src/lib.rs".into(), read(&app.dir.join("src/lib.rs"))?),
            (
                "app/src/main.rs".into(),
                read(&app.dir.join("src/main.rs"))?,
            ),
        ];
        for (name, text) in files {
            let path = ws.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
            std::fs::write(&path, text).map_err(|e| e.to_string())?;
        }
        Ok(ws)
    })
    .clone()
}

/// The workspace member runs on this platform with the README's `cargo
/// run` line, given at the workspace's root; natively its tests pass there.
fn case_workspace_member(c: &Ctx) -> Check {
    let app = quick_start_app()?;
    let ws = workspace_app()?;
    run_line(c, &app, &ws, "quickstart-workspace")?;
    if c.p.qemu.is_none() {
        cargo_in(&ws, &["test"], "quickstart-workspace")?;
    }
    Ok(())
}
