//! Comparing a run's output with what it should be.

use super::{Check, Output, workspace};

/// Bytes as a quoted, escaped string, for messages.
pub fn show(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// How a run is expected to end.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ending {
    Exit(i32),
    Signal(i32),
}

/// Checks stdout, stderr and that the run exited with status `code`.
pub fn expect(out: &Output, stdout: &[u8], stderr: &[u8], code: i32) -> Check {
    expect_ending(out, stdout, stderr, Ending::Exit(code))
}

/// Checks stdout, stderr and that the run was killed by signal `sig`.
pub fn expect_signal(out: &Output, stdout: &[u8], stderr: &[u8], sig: i32) -> Check {
    expect_ending(out, stdout, stderr, Ending::Signal(sig))
}

fn expect_ending(out: &Output, stdout: &[u8], stderr: &[u8], ending: Ending) -> Check {
    let mut errs = Vec::new();
    if out.stdout != stdout {
        errs.push(format!(
            "stdout: expected {}, got {}",
            show(stdout),
            show(&out.stdout)
        ));
    }
    if out.stderr != stderr {
        errs.push(format!(
            "stderr: expected {}, got {}",
            show(stderr),
            show(&out.stderr)
        ));
    }
    let got = match (out.code, out.signal) {
        (Some(c), _) => Some(Ending::Exit(c)),
        (None, Some(s)) => Some(Ending::Signal(s)),
        (None, None) => None,
    };
    if got != Some(ending) {
        errs.push(format!("ending: expected {ending:?}, got {got:?}"));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n      "))
    }
}

/// Checks that stderr is empty and the status 0, for a run whose stdout the
/// caller has checked.
pub fn expect_clean_exit(out: Output) -> Check {
    expect(
        &Output {
            stdout: Vec::new(),
            ..out
        },
        b"",
        b"",
        0,
    )
}

/// Checks that stdout contains each of `want`, stderr is empty and the
/// status is 0: for output that holds addresses or times.
pub fn expect_contains(what: &str, out: Output, want: &[&str]) -> Check {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if let Some(w) = want.iter().find(|w| !text.contains(**w)) {
        return Err(format!("{what} output lacks {w:?}:\n{text}"));
    }
    expect_clean_exit(out)
}

/// The `probe` program's source, as the workspace names it (and so as its
/// panic messages do).
const PROBE_SOURCE: &str = "e2e/programs/probe.rs";

/// The `file:line:col` of the first `needle` in probe.rs, read from the
/// source so that tests do not break when the file is edited.
pub fn probe_location(needle: &str) -> String {
    let src = std::fs::read_to_string(workspace().join(PROBE_SOURCE)).unwrap();
    for (i, line) in src.lines().enumerate() {
        if let Some(col) = line.find(needle) {
            return format!("{PROBE_SOURCE}:{}:{}", i + 1, col + 1);
        }
    }
    panic!("probe.rs has no {needle:?}")
}
