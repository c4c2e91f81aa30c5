//! `miniz_oxide` on top of the heap, `no_std` with `alloc`: a few large
//! buffers, some growing by `realloc`.

use super::{Ctx, Failed, Stopwatch, XorShift, check, timed, words};
use alloc::string::String;
use core::hint::black_box;

/// 4 MiB of generated text, compressed with DEFLATE at level 6
/// (`compress_to_vec`), then decompressed (`decompress_to_vec`). One
/// operation is one KiB of the text. The compressor's state (hash chains
/// and buffers, some 300 KiB), the output vectors growing by `realloc`
/// and the decompressor's state are the allocations.
pub(super) fn deflate<S: Stopwatch>(ctx: &mut Ctx) -> Result<(), Failed> {
    let bytes = ctx.size(4 << 20, 32 << 10);
    let mut rng = XorShift::new();
    let mut text = String::with_capacity(bytes + 16);
    while text.len() < bytes {
        words(&mut rng, 1, ' ', &mut text);
        text.push(if rng.below(12) == 0 { '\n' } else { ' ' });
    }
    text.truncate(bytes);
    let kib = bytes >> 10;
    let (packed, ns) =
        timed::<S, _>(|| miniz_oxide::deflate::compress_to_vec(black_box(text.as_bytes()), 6));
    ctx.record("deflate", ns, kib);
    let (unpacked, ns) =
        timed::<S, _>(|| miniz_oxide::inflate::decompress_to_vec(black_box(&packed)));
    ctx.record("inflate", ns, kib);
    check(
        packed.len() < bytes / 2 && unpacked.ok().as_deref() == Some(text.as_bytes()),
        "deflate: the text did not survive the round trip",
    )
}
