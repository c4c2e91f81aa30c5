//! The two hashes of a symbol name: GNU's, which `DT_GNU_HASH` uses, and
//! the System V ELF hash, which `DT_HASH` and `vd_hash` use.

/// The GNU hash of a name (`h = h * 33 + c`, from 5381), as `DT_GNU_HASH`
/// uses it. A `const fn`, so that [`Query`] can hash at compile time.
///
/// [`Query`]: crate::Query
#[inline]
pub const fn gnu_hash(name: &[u8]) -> u32 {
    // Four steps of the recurrence at a time: h * 33^4 + c0 * 33^3 + ...,
    // which the compiler does not find on its own at opt-level "s".
    const P1: u32 = 33;
    const P2: u32 = 33 * 33;
    const P3: u32 = 33 * 33 * 33;
    const P4: u32 = 33 * 33 * 33 * 33;
    let mut h = 5381u32;
    let mut rest = name;
    while let [a, b, c, d, tail @ ..] = rest {
        h = h
            .wrapping_mul(P4)
            .wrapping_add(*a as u32 * P3)
            .wrapping_add(*b as u32 * P2)
            .wrapping_add(*c as u32 * P1)
            .wrapping_add(*d as u32);
        rest = tail;
    }
    while let [c, tail @ ..] = rest {
        h = h.wrapping_mul(P1).wrapping_add(*c as u32);
        rest = tail;
    }
    h
}

/// The System V ELF hash of a name, as `DT_HASH` and `vd_hash` use it. A
/// `const fn`, like [`gnu_hash`].
#[inline]
pub const fn sysv_hash(name: &[u8]) -> u32 {
    let mut h = 0u32;
    let mut rest = name;
    while let [c, tail @ ..] = rest {
        h = (h << 4).wrapping_add(*c as u32);
        let g = h & 0xf000_0000;
        h = (h ^ (g >> 24)) & !g;
        rest = tail;
    }
    h
}
