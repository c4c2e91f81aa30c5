//! `serde_json` on top of the heap (feature `json`), `no_std` with
//! `alloc`: many small strings and vectors made and freed, and one large
//! string growing by `realloc`.

use super::{Ctx, Failed, Stopwatch, WORDS, XorShift, check, timed, words};
use alloc::string::String;
use alloc::vec::Vec;
use core::hint::black_box;
use serde::{Deserialize, Serialize};

/// A generated record: strings, short vectors, an option; what an API
/// response or a configuration file holds. No floats, so that the text
/// reads back to exactly the same value.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Record {
    id: u64,
    name: String,
    email: String,
    tags: Vec<String>,
    scores: Vec<u32>,
    active: bool,
    parent: Option<u64>,
}

/// Record number `id`, its fields drawn from `rng`.
fn record(rng: &mut XorShift, id: u64) -> Record {
    let mut name = String::new();
    let count = 1 + rng.below(3);
    words(rng, count, ' ', &mut name);
    let mut email = String::new();
    words(rng, 2, '.', &mut email);
    email.push_str("@example.org");
    let (tags, scores) = (rng.below(5), rng.below(8));
    let tags = (0..tags)
        .map(|_| String::from(WORDS[rng.below(WORDS.len())]))
        .collect();
    let scores = (0..scores).map(|_| rng.next() as u32).collect();
    Record {
        id,
        name,
        email,
        tags,
        scores,
        active: rng.next() & 1 == 1,
        parent: id.checked_sub(1 + rng.below(8) as u64),
    }
}

/// 100k generated records serialised to one JSON string (`to_string`,
/// which grows one `String`), then parsed back into records
/// (`from_str`, which allocates every string and vector anew). One
/// operation is one record. The records are built untimed.
pub(super) fn json<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    let n = ctx.size(100_000, 500);
    let mut rng = XorShift::new();
    let records: Vec<Record> = (0..n as u64).map(|id| record(&mut rng, id)).collect();
    let (text, ns) = timed::<S, _>(|| serde_json::to_string(black_box(&records)));
    ctx.record("json-serialize", ns, n);
    let text = text.map_err(|_| Failed("json: serialising failed"))?;
    let (back, ns) = timed::<S, _>(|| serde_json::from_str::<Vec<Record>>(black_box(&text)));
    ctx.record("json-parse", ns, n);
    check(
        back.ok() == Some(records),
        "json: the records read back differ",
    )
}
