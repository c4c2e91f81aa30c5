//! Strings of the string table: the string at an offset, and the two
//! routines, eight bytes at a time, that find its NUL and compare a name
//! with it.

use crate::error::Error;

/// Checks that `off` names a NUL-terminated string in `strtab`, and returns
/// it without the NUL.
pub(crate) fn string<'a>(
    strtab: &'a [u8],
    off: u64,
    field: &'static str,
) -> Result<&'a [u8], Error> {
    let rest = usize::try_from(off)
        .ok()
        .and_then(|off| strtab.get(off..))
        .ok_or(Error::OutOfRange { field })?;
    let len = nul_at(rest).ok_or(Error::UnterminatedString { field })?;
    Ok(rest.get(..len).unwrap_or(rest))
}

/// The index of the first NUL byte in `bytes`, looked for eight bytes at
/// a time: in a word `w`, `(w - 0x01..01) & !w & 0x80..80` has its lowest
/// set bit in the first zero byte (a borrow only runs upwards, so bytes
/// above it may be flagged too, never bytes below).
#[inline]
pub(crate) fn nul_at(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let (words, tail) = bytes.as_chunks::<8>();
    for (i, w) in words.iter().enumerate() {
        let w = u64::from_le_bytes(*w);
        let zero = w.wrapping_sub(ONES) & !w & HIGHS;
        if zero != 0 {
            return Some(i * 8 + (zero.trailing_zeros() / 8) as usize);
        }
    }
    let at = tail.iter().position(|&b| b == 0)?;
    Some(words.len() * 8 + at)
}

/// Whether `a` and `b` hold the same bytes, compared eight at a time (the
/// last eight bytes, overlapping, cover a length that is not a multiple
/// of eight): a byte loop cost a routed call's first lookup about 180
/// instructions.
#[inline(always)]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (a.last_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(a_last), Some(b_last)) => {
            let (a_words, _) = a.as_chunks::<8>();
            let (b_words, _) = b.as_chunks::<8>();
            a_last == b_last && a_words.iter().zip(b_words).all(|(x, y)| x == y)
        }
        _ => a == b,
    }
}
