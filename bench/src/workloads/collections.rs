//! Collections from `alloc` and `hashbrown`, as programs use them: maps
//! growing one insertion at a time, a `Vec` growing by `push`, many small
//! `String`s.

use super::{Ctx, Failed, Stopwatch, XorShift, check, timed};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::hint::black_box;

/// 1M random `u64` keys inserted into a `hashbrown::HashMap` that starts
/// empty, so the table grows (and rehashes) by doubling; then the map is
/// dropped. The table is one allocation, so the drop is one large free.
pub(super) fn hashmap<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    let n = ctx.size(1_000_000, 10_000);
    let mut rng = XorShift::new();
    let (map, ns) = timed::<S, _>(|| {
        let mut map = hashbrown::HashMap::new();
        for i in 0..n as u64 {
            map.insert(rng.next(), i);
        }
        map
    });
    ctx.record("hashmap-insert", ns, n);
    let mut again = XorShift::new();
    let intact = (0..n as u64).all(|i| map.get(&again.next()) == Some(&i));
    check(
        map.len() == n && intact,
        "hashmap: a value is missing or wrong",
    )?;
    let ((), ns) = timed::<S, _>(|| drop(black_box(map)));
    ctx.record("hashmap-drop", ns, n);
    Ok(())
}

/// 1M random `u64` keys inserted into a `BTreeMap`: nodes of up to 11
/// keys (leaves of 192 B, inner nodes of 288 B on 64 bits), allocated as
/// nodes split, well over 100k of them; then the map is dropped, one free
/// per node.
pub(super) fn btreemap<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    let n = ctx.size(1_000_000, 10_000);
    let mut rng = XorShift::new();
    let (map, ns) = timed::<S, _>(|| {
        let mut map = BTreeMap::new();
        for i in 0..n as u64 {
            map.insert(rng.next(), i);
        }
        map
    });
    ctx.record("btreemap-insert", ns, n);
    let sum: u64 = map.values().sum();
    let sorted = map.keys().zip(map.keys().skip(1)).all(|(a, b)| a < b);
    check(
        map.len() == n && sorted && sum == (n as u64 * (n as u64 - 1)) / 2,
        "btreemap: a key or value is missing or wrong",
    )?;
    let ((), ns) = timed::<S, _>(|| drop(black_box(map)));
    ctx.record("btreemap-drop", ns, n);
    Ok(())
}

/// `push` onto a `Vec<u64>` that starts empty, until it holds 256 MiB
/// (32 Mi elements): 25 doublings, the last ones of blocks far above
/// every heap's large-block threshold, where `realloc` may move pages
/// (`mremap`) or copy them.
pub(super) fn vec_growth<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    let n = ctx.size(256 << 20, 1 << 20) / size_of::<u64>();
    let (v, ns) = timed::<S, _>(|| {
        let mut v = Vec::new();
        for i in 0..n as u64 {
            v.push(black_box(i));
        }
        v
    });
    ctx.record("vec-growth", ns, n);
    let step = (n / 4096).max(1);
    check(
        v.len() == n && (0..n).step_by(step).all(|i| v[i] == i as u64),
        "vec-growth: an element moved or changed",
    )
}

/// 1M `String`s of 5 to 40 bytes, each built from empty by `push`, so
/// each grows through `realloc` (8, 16, 32, 64 bytes of capacity), kept in
/// a `Vec` reserved beforehand; then all of them are dropped.
pub(super) fn strings<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    let n = ctx.size(1_000_000, 10_000);
    let mut all: Vec<String> = Vec::with_capacity(n);
    let mut rng = XorShift::new();
    let ((), ns) = timed::<S, _>(|| {
        for _ in 0..n {
            let len = 5 + rng.below(36);
            let mut s = String::new();
            for k in 0..len {
                s.push(char::from(b'a' + (k % 26) as u8));
            }
            all.push(black_box(s));
        }
    });
    ctx.record("strings-build", ns, n);
    let mut again = XorShift::new();
    let intact = all.iter().all(|s| {
        let len = 5 + again.below(36);
        s.len() == len
            && s.bytes()
                .enumerate()
                .all(|(k, b)| b == b'a' + (k % 26) as u8)
    });
    check(intact, "strings: a string changed")?;
    let ((), ns) = timed::<S, _>(|| drop(black_box(all)));
    ctx.record("strings-drop", ns, n);
    Ok(())
}
