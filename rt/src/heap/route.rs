//! Which path serves a layout: a pure function of the layout, so that
//! `dealloc` and `realloc`, which get the layout back, find the block's
//! path without a header.

use super::classes::{SMALL_MAX, class_of};
use core::alloc::Layout;

/// The page size the heap maps and aligns by (the smallest page of the
/// supported targets).
pub(super) const PAGE: usize = 4096;

/// Blocks of this size and more get a mapping of their own.
pub(super) const LARGE_MIN: usize = 64 * 1024;

/// The alignment every small block has.
pub(super) const MIN_ALIGN: usize = 16;

/// Where a block of some layout lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Path {
    /// A block of this size class, in a span.
    Small(usize),
    /// A block of the regions' general-purpose allocator.
    Mid,
    /// A mapping of its own.
    Large,
}

/// The path of `layout` (whose size is not zero).
#[inline(always)]
pub(super) fn path(layout: Layout) -> Path {
    let (size, align) = (layout.size(), layout.align());
    let fit = if align <= MIN_ALIGN {
        size
    } else if align <= PAGE {
        // Blocks of a power-of-two class are aligned to their size (up to
        // a page).
        match size.max(align).checked_next_power_of_two() {
            Some(p) => p,
            None => return Path::Large,
        }
    } else {
        return Path::Large;
    };
    if fit <= SMALL_MAX {
        Path::Small(class_of(fit))
    } else if size < LARGE_MIN {
        Path::Mid
    } else {
        Path::Large
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::classes::block_size;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn paths() {
        assert_eq!(path(layout(1, 1)), Path::Small(0));
        assert_eq!(path(layout(16, 16)), Path::Small(0));
        assert_eq!(path(layout(SMALL_MAX, 8)), Path::Small(35));
        assert_eq!(path(layout(SMALL_MAX + 1, 8)), Path::Mid);
        assert_eq!(path(layout(LARGE_MIN - 1, 8)), Path::Mid);
        assert_eq!(path(layout(LARGE_MIN, 8)), Path::Large);
        assert_eq!(path(layout(8, 8192)), Path::Large);
        assert_eq!(path(layout(SMALL_MAX, 4096)), Path::Small(35));
        assert_eq!(path(layout(SMALL_MAX + 1, 4096)), Path::Mid);
    }

    #[test]
    fn aligned_requests_get_a_power_of_two_class() {
        for shift in 5..=12 {
            let align = 1 << shift;
            for size in [1, align - 1, align, align + 1] {
                let Path::Small(c) = path(layout(size, align)) else {
                    panic!("{size} {align}")
                };
                let block = block_size(c);
                assert!(block.is_power_of_two() && block >= align && block >= size);
            }
        }
    }
}
