//! The ELF static TLS block (`PT_TLS`): where it sits against the thread
//! pointer and how a new thread's copy is filled.
//!
//! A program's thread-local variables (`__thread` in C, `.tdata` and
//! `.tbss` in assembly) form one template, the `PT_TLS` segment: initial
//! values (`.tdata`, `filesz` bytes) followed by zeroes (`.tbss`, up to
//! `memsz`), aligned to `align`. Every thread gets a copy, the TLS block,
//! at a fixed place against its thread pointer, and code reaches a
//! variable at the thread pointer plus a constant the linker computed
//! (local-exec). The ELF TLS ABI ("ELF Handling For Thread-Local
//! Storage", Drepper, §3.4) fixes that place per architecture:
//!
//! ```text
//! variant II (x86_64)            | TLS block | TCB ...
//!                                            ^ TP (block ends here)
//! variant I (aarch64, riscv64)   ... TCB | gap | TLS block |
//!                                        ^ TP (TCB ends here)
//! ```
//!
//! The gap is 16 bytes on aarch64 (the ABI's two reserved words; freestand
//! leaves them zero) and 0 on riscv64, rounded up to the block's alignment.
//! The thread pointer itself is aligned to the larger of the block's and
//! the control block's alignment, so every offset the linker computed
//! lands on an address aligned as the variable asks.
//!
//! The template is found through symbols of freestand's linker script
//! (`__freestand_tls_start`, `__freestand_tdata_end`, `__freestand_tls_end`
//! and `__freestand_tls_align`, see `linker/common.ld`), computed from the
//! program counter as `relocate` computes its own: right wherever the
//! program was loaded or moved to, with no header to walk and nothing to
//! cache. The layout itself is [`layout`], a pure function, so that host
//! tests cover both variants on any machine.

/// Where an architecture's static TLS block sits against the thread
/// pointer (the two variants of the ELF TLS ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// Each architecture builds one variant; the host tests build both.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum Variant {
    /// Variant I (riscv64, aarch64): the block starts at the thread
    /// pointer plus `gap`, rounded up to the block's alignment.
    Above {
        /// Bytes the ABI reserves above the thread pointer (16 on aarch64,
        /// 0 on riscv64).
        gap: usize,
    },
    /// Variant II (x86_64): the block ends at the thread pointer.
    Below,
}

/// Where a thread's static TLS block and control block go in the memory
/// set aside for them: offsets from the start of that memory, which must
/// be aligned to [`Area::align`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Area {
    /// Bytes needed.
    pub(crate) size: usize,
    /// Their alignment.
    pub(crate) align: usize,
    /// The control block's offset.
    pub(crate) tcb: usize,
    /// The thread pointer's offset.
    pub(crate) tp: usize,
}

/// The TLS template as linked: its initial image and its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Image {
    /// Where the initial values (`.tdata`) are, at run time.
    pub(crate) addr: usize,
    /// How many bytes of them there are (`p_filesz`).
    pub(crate) filesz: usize,
    /// The whole block's size (`p_memsz`, `.tbss` included).
    pub(crate) memsz: usize,
    /// Its alignment (`p_align`), a power of two.
    pub(crate) align: usize,
}

impl Image {
    /// A program without thread-local storage.
    #[cfg(test)]
    pub(crate) const NONE: Image = Image {
        addr: 0,
        filesz: 0,
        memsz: 0,
        align: 1,
    };
}

/// This program's TLS template, from the linker script's symbols: no
/// memory is read, so it is as cheap as a cached copy would be.
#[cfg(not(test))]
#[inline]
pub(crate) fn image() -> Image {
    use crate::arch::pc_address;
    let start = pc_address!("__freestand_tls_start");
    Image {
        addr: start,
        filesz: pc_address!("__freestand_tdata_end").wrapping_sub(start),
        memsz: pc_address!("__freestand_tls_end").wrapping_sub(start),
        align: pc_address!("__freestand_tls_align").wrapping_sub(start),
    }
}

/// Host unit tests link no freestand linker script, so no symbols: no
/// template.
#[cfg(test)]
pub(crate) fn image() -> Image {
    Image::NONE
}

/// `n` rounded up to `align` (a power of two), if that fits.
fn round_up(n: usize, align: usize) -> Option<usize> {
    Some(n.checked_add(align - 1)? & !(align - 1))
}

/// Lays out a TLS block for `image` (its sizes and alignment only) and a
/// control block of `tcb_size` bytes aligned to `tcb_align` as `variant`
/// places them: with [`Variant::Below`] the thread pointer is the control
/// block's address and the block ends there; with [`Variant::Above`] the
/// control block ends at the thread pointer and the block starts `gap`
/// bytes after it, rounded up to its alignment. The thread pointer's
/// offset is a multiple of both alignments. Without TLS (`memsz` 0) the
/// area is the control block alone, as if there were no TLS support at all.
///
/// `None` if an alignment is not a power of two, `tcb_size` is not a
/// multiple of `tcb_align`, the image's `filesz` exceeds its `memsz`, or a
/// size overflows.
pub(crate) fn layout(
    variant: Variant,
    image: &Image,
    tcb_size: usize,
    tcb_align: usize,
) -> Option<Area> {
    if !tcb_align.is_power_of_two()
        || !image.align.is_power_of_two()
        || !tcb_size.is_multiple_of(tcb_align)
        || image.filesz > image.memsz
    {
        return None;
    }
    if image.memsz == 0 {
        let tp = match variant {
            Variant::Below => 0,
            Variant::Above { .. } => tcb_size,
        };
        return Some(Area {
            size: tcb_size,
            align: tcb_align,
            tcb: 0,
            tp,
        });
    }
    let align = image.align.max(tcb_align);
    match variant {
        Variant::Below => {
            // The block ends at the thread pointer and starts aligned: it
            // takes `memsz` rounded up to its alignment (as the linker's
            // offsets assume), then the thread pointer goes up to the
            // area's alignment.
            let block = round_up(image.memsz, image.align)?;
            let tp = round_up(block, align)?;
            Some(Area {
                size: tp.checked_add(tcb_size)?,
                align,
                tcb: tp,
                tp,
            })
        }
        Variant::Above { gap } => {
            let tp = round_up(tcb_size, align)?;
            let block = tp.checked_add(round_up(gap, image.align)?)?;
            Some(Area {
                size: block.checked_add(image.memsz)?,
                align,
                tcb: tp - tcb_size,
                tp,
            })
        }
    }
}

/// Where the TLS block starts in an area laid out by [`layout`] for
/// `image`, whose thread pointer is at offset `tp`.
pub(crate) fn block_offset(variant: Variant, image: &Image, tp: usize) -> usize {
    match variant {
        // `layout` has checked that these do not overflow.
        Variant::Below => tp - round_up(image.memsz, image.align).unwrap_or(0),
        Variant::Above { gap } => tp + round_up(gap, image.align).unwrap_or(0),
    }
}

/// An area no one can map: what [`area`] gives if the template's sizes
/// make no sense (they come from the linker, so this is a bug). Every
/// mapper adds to or rounds the size, fails, and reports that the memory
/// could not be had.
const UNMAPPABLE: Area = Area {
    size: usize::MAX,
    align: 1,
    tcb: 0,
    tp: 0,
};

/// The area for this program's TLS segment (if any) and a control block
/// of `tcb_size` bytes aligned to `tcb_align`, laid out for this
/// architecture by [`layout`]: with `TCB_AT_TP` (variant II) the thread
/// pointer is the control block's address, else (variant I) the control
/// block ends at the thread pointer. A program without TLS gets the
/// control block alone.
pub(crate) fn area(tcb_size: usize, tcb_align: usize) -> Area {
    const {
        assert!(
            crate::arch::thread::TCB_AT_TP
                == matches!(crate::arch::thread::TLS_VARIANT, Variant::Below)
        )
    };
    layout(
        crate::arch::thread::TLS_VARIANT,
        &image(),
        tcb_size,
        tcb_align,
    )
    .unwrap_or(UNMAPPABLE)
}

/// Writes the TLS segment's initial image into the area at `base`
/// (`.tdata` copied, `.tbss` zero).
///
/// # Safety
///
/// `base` must be the start of `area.size` writable bytes aligned to
/// `area.align`, zero-filled (fresh anonymous memory), and `area` must come
/// from [`area`].
pub(crate) unsafe fn fill(base: *mut u8, area: &Area) {
    // SAFETY: forwarded from the caller; `area` was laid out for this
    // program's image on this architecture.
    unsafe { copy_image(base, area, &image(), crate::arch::thread::TLS_VARIANT) }
}

/// Copies `image`'s initial values into the block of the area at `base`.
///
/// # Safety
///
/// `area` must come from [`layout`] for `variant` and `image`, `base` must
/// be the start of `area.size` writable bytes, zero-filled, and
/// `image.addr` must be readable for `image.filesz` bytes outside them.
unsafe fn copy_image(base: *mut u8, area: &Area, image: &Image, variant: Variant) {
    if image.filesz == 0 {
        // No initial values: the block is all `.tbss`, already zero.
        return;
    }
    let at = block_offset(variant, image, area.tp);
    // SAFETY: `layout` put the block's `memsz >= filesz` bytes inside the
    // area; the caller vouches for both ranges, which do not overlap.
    unsafe {
        core::ptr::copy_nonoverlapping(image.addr as *const u8, base.add(at), image.filesz);
    }
}

#[cfg(test)]
mod tests;
