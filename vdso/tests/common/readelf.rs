//! The oracle: readelf's listing of an image, normalised to the crate's
//! one-line form.

/// Runs `readelf --dyn-syms -V -W` on `path` and normalises its symbol table
/// to the crate's one-line form: defined FUNC/OBJECT/NOTYPE symbols, as
/// `NAME VERSION TYPE BIND VALUE_HEX`. Panics (fails the test) if readelf
/// cannot be run.
///
/// GNU readelf prints no version after a symbol whose name is the version's
/// own name string (the `LINUX_2.6` ABS symbols), although its `DT_VERSYM`
/// entry names that version; the version is then taken from readelf's
/// `-V` listing of the version symbol table.
pub fn readelf_symbols(path: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new("readelf")
        .args(["--dyn-syms", "-V", "-W"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `readelf` ({e}): install binutils; the real-image tests need it as their oracle")
        });
    assert!(
        out.status.success(),
        "readelf failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("readelf output is UTF-8");

    enum Part {
        None,
        Symbols,
        Versym,
    }
    let mut part = Part::None;
    // (num, value, type, bind, ndx, name with version)
    let mut rows: Vec<(usize, u64, String, String, String, String)> = vec![];
    // symbol number -> (hidden, version name)
    let mut versym: std::collections::HashMap<usize, (bool, String)> = Default::default();
    for line in text.lines() {
        if line.starts_with("Symbol table '.dynsym'") {
            part = Part::Symbols;
            continue;
        }
        if line.starts_with("Version symbols section") {
            part = Part::Versym;
            continue;
        }
        if line.trim().is_empty() {
            part = Part::None;
            continue;
        }
        match part {
            Part::None => {}
            Part::Symbols => {
                let mut tok: Vec<&str> = line.split_whitespace().collect();
                if tok.first() == Some(&"Num:") {
                    continue;
                }
                // A reference to a needed version is followed by "(N)".
                if tok
                    .last()
                    .is_some_and(|t| t.starts_with('(') && t.ends_with(')'))
                {
                    tok.pop();
                }
                // Num: Value Size Type Bind Vis [other] Ndx Name
                if tok.len() < 8 {
                    continue; // no name: the null symbol
                }
                let num = tok[0].trim_end_matches(':').parse().expect("symbol number");
                let value = u64::from_str_radix(tok[1], 16).expect("hex value");
                rows.push((
                    num,
                    value,
                    tok[3].to_string(),
                    tok[4].to_string(),
                    tok[tok.len() - 2].to_string(),
                    tok[tok.len() - 1].to_string(),
                ));
            }
            Part::Versym => {
                // "  004:   2 (LINUX_2.6)     2h(LINUX_2.6)  "
                let Some((first, rest)) = line.trim_start().split_once(':') else {
                    continue;
                };
                let Ok(mut num) = usize::from_str_radix(first, 16) else {
                    continue;
                };
                let mut rest = rest;
                while let Some(open) = rest.find('(') {
                    let idx = rest[..open].trim();
                    let close = rest[open..].find(')').expect("closing paren") + open;
                    let name = &rest[open + 1..close];
                    let hidden = idx.ends_with('h');
                    let idx: u32 = idx
                        .trim_end_matches('h')
                        .trim()
                        .parse()
                        .expect("version index");
                    if idx >= 2 {
                        versym.insert(num, (hidden, name.to_string()));
                    }
                    num += 1;
                    rest = &rest[close + 1..];
                }
            }
        }
    }
    let mut lines = vec![];
    for (num, value, kind, bind, ndx, full) in rows {
        if ndx == "UND" || !matches!(kind.as_str(), "FUNC" | "OBJECT" | "NOTYPE") {
            continue;
        }
        let (name, version) = if let Some(i) = full.find("@@") {
            (&full[..i], full[i..].to_string())
        } else if let Some(i) = full.find('@') {
            (&full[..i], full[i..].to_string())
        } else {
            match versym.get(&num) {
                Some((hidden, v)) => (
                    full.as_str(),
                    format!("{}{v}", if *hidden { "@" } else { "@@" }),
                ),
                None => (full.as_str(), "-".to_string()),
            }
        };
        lines.push(format!("{name} {version} {kind} {bind} {value:#x}"));
    }
    lines
}
