//! Every public system-call wrapper says where its behaviour is specified:
//! a `# References` section (a man page, a kernel document or source
//! file) in its doc comment, and each architecture's `arch` module one
//! for its calling convention. Read from the sources: every file under
//! `src/` except those listed in [`NO_WRAPPERS`], so a new wrapper without
//! one fails here, in a new file or directory too.

use std::path::{Path, PathBuf};

/// The files and directories under `src/` that hold no system-call
/// wrapper: the crate root, the errno decoding, the routing (its public
/// functions report how calls are served and make none) and the
/// architecture modules, checked for a module-level section instead.
const NO_WRAPPERS: [&str; 4] = ["lib.rs", "errno.rs", "route", "arch"];

/// Wrappers the scan must meet, one or more from each module that has
/// them, so that a file the walk stopped finding does not pass unseen.
const KNOWN: [&str; 23] = [
    "getcpu",
    "openat",
    "write",
    "mmap",
    "exit_group",
    "getrandom",
    "hwprobe",
    "sigaction",
    "clock_gettime",
    "clock_getres",
    "gettimeofday",
    "time",
    "time_syscall",
    "fill",
    "wait",
    "nanosleep",
    "fork",
    "vfork_spawn",
    "execvpe",
    "wait4",
    "sigtimedwait",
    "statx",
    "mount",
];

/// The public functions declared in `text` (the contents of `file`), and
/// those of them whose doc comment has no `# References`.
fn scan(file: &str, text: &str) -> (Vec<String>, Vec<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let (mut seen, mut out) = (Vec::new(), Vec::new());
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let Some(name) = t
            .strip_prefix("pub fn ")
            .or_else(|| t.strip_prefix("pub unsafe fn "))
        else {
            continue;
        };
        // Methods of data types (`impl` blocks, indented) are not calls.
        if l.len() != t.len() {
            continue;
        }
        let name = name.split(['(', '<']).next().unwrap_or(name);
        seen.push(name.to_string());
        let doc = lines[..i]
            .iter()
            .rev()
            .take_while(|p| {
                let p = p.trim_start();
                p.starts_with("///") || p.starts_with("#[")
            })
            .any(|p| p.contains("# References"));
        if !doc {
            out.push(format!("{file}:{}: {t}", i + 1));
        }
    }
    (seen, out)
}

/// The `.rs` files under `dir`, in every subdirectory, skipping the
/// entries of [`NO_WRAPPERS`] directly under `src`.
fn sources(src: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(src).unwrap();
        if NO_WRAPPERS.iter().any(|n| rel == Path::new(n)) {
            continue;
        }
        if path.is_dir() {
            sources(src, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_wrapper_has_references() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &src, &mut files);
    files.sort();
    let (mut seen, mut bad) = (Vec::new(), Vec::new());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let (s, b) = scan(&f.display().to_string(), &text);
        seen.extend(s);
        bad.extend(b);
    }
    for name in KNOWN {
        assert!(
            seen.iter().any(|s| s == name),
            "the scan of {files:?} did not meet the wrapper `{name}`"
        );
    }
    for arch in ["x86_64", "riscv64", "aarch64"] {
        let f = src.join("arch").join(format!("{arch}.rs"));
        if !std::fs::read_to_string(&f)
            .unwrap()
            .contains("//! # References")
        {
            bad.push(format!("{}: no module-level # References", f.display()));
        }
    }
    assert!(bad.is_empty(), "without # References:\n{}", bad.join("\n"));
}

/// The scan itself: a wrapper without the section is reported, one with
/// it (after `# Errors` and attributes) is not, and methods are skipped.
#[test]
fn the_scan_finds_a_wrapper_without_references() {
    let text = "\
/// Does one thing.
///
/// # Errors
/// None.
#[inline]
pub fn bare() {}

/// Does another.
///
/// # References
/// another(2)
#[inline]
pub unsafe fn documented(p: *mut u8) {}

impl X {
    pub fn method() {}
}
";
    let (seen, bad) = scan("x.rs", text);
    assert_eq!(seen, ["bare", "documented"]);
    assert_eq!(bad, ["x.rs:6: pub fn bare() {}"]);
}
