//! Size classes: 16, 32, 48, 64, then four per doubling up to 16 KiB.
//!
//! Between 2^e and 2^(e+1) the classes are 2^e + k * 2^(e-2) for k = 1..4,
//! so a request rounded up to its class wastes at most a quarter of the
//! block. The class of a size comes from its leading zeros: no table and
//! no search.

/// The number of size classes.
pub(super) const CLASSES: usize = 36;

/// The largest size a class serves.
pub(super) const SMALL_MAX: usize = 16 * 1024;

/// The class that serves `size` bytes, for `1 <= size <= SMALL_MAX`.
#[inline(always)]
pub(super) fn class_of(size: usize) -> usize {
    if size <= 64 {
        return size.max(1).div_ceil(16) - 1;
    }
    let s = size - 1;
    // `s` lies in [2^e, 2^(e+1)), e >= 6; its two bits below the top one
    // pick the quarter.
    let e = (usize::BITS - 1 - s.leading_zeros()) as usize;
    let quarter = (s >> (e - 2)) & 3;
    4 + (e - 6) * 4 + quarter
}

/// The block size of class `class` (< [`CLASSES`]).
#[inline(always)]
pub(super) const fn block_size(class: usize) -> usize {
    if class < 4 {
        return (class + 1) * 16;
    }
    let i = class - 4;
    (5 + i % 4) << (i / 4 + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_gets_the_smallest_class_that_holds_it() {
        let mut last = 0;
        for class in 0..CLASSES {
            let size = block_size(class);
            assert!(size > last, "class {class}: {size} after {last}");
            assert_eq!(size % 16, 0);
            for s in last + 1..=size {
                assert_eq!(class_of(s), class, "size {s}");
            }
            // Above 64 bytes (below, blocks step by the 16-byte alignment),
            // a quarter of the block at most is left unused.
            if size > 64 {
                assert!((size - (last + 1)) * 4 <= size, "class {class}");
            }
            last = size;
        }
        assert_eq!(last, SMALL_MAX);
    }

    #[test]
    fn powers_of_two_are_classes() {
        for shift in 4..=14 {
            assert_eq!(block_size(class_of(1 << shift)), 1 << shift);
        }
    }
}
