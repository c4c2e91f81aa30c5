//! Every public system-call wrapper says where its behaviour is specified:
//! a `# References` section (a man page, a kernel document or source
//! file) in its doc comment, and each architecture's `arch` module one
//! for its calling convention. Read from the sources, so a new wrapper
//! without one fails here.

use std::path::Path;

/// The public functions of `file` whose doc comment has no `# References`.
fn missing(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if !(t.starts_with("pub fn ") || t.starts_with("pub unsafe fn ")) {
            continue;
        }
        // Methods of data types (`impl` blocks, indented) are not calls.
        if l.len() != t.len() {
            continue;
        }
        let doc = lines[..i]
            .iter()
            .rev()
            .take_while(|p| {
                let p = p.trim_start();
                p.starts_with("///") || p.starts_with("#[")
            })
            .any(|p| p.contains("# References"));
        if !doc {
            out.push(format!("{}:{}: {t}", file.display(), i + 1));
        }
    }
    out
}

#[test]
fn every_wrapper_has_references() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut bad = Vec::new();
    for m in [
        "cpu", "fs", "io", "mm", "process", "random", "riscv", "signal", "time",
    ] {
        bad.extend(missing(&src.join(format!("{m}.rs"))));
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
