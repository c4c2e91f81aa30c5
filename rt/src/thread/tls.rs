//! The ELF static TLS block (`PT_TLS`): where it sits against the thread
//! pointer and how a new thread's copy is filled.
//!
//! (Interface fixed here; the layout code is being written.)

/// Where an architecture's static TLS block sits against the thread
/// pointer (the two variants of the ELF TLS ABI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// The area for this program's TLS segment (if any) and a control block
/// of `tcb_size` bytes aligned to `tcb_align`, laid out for this
/// architecture: with `TCB_AT_TP` (variant II) the thread pointer is the
/// control block's address, else (variant I) the control block ends at
/// the thread pointer. (Placeholder: no `PT_TLS` yet.)
pub(crate) fn area(tcb_size: usize, tcb_align: usize) -> Area {
    let tp = if crate::arch::thread::TCB_AT_TP {
        0
    } else {
        tcb_size
    };
    Area {
        size: tcb_size,
        align: tcb_align,
        tcb: 0,
        tp,
    }
}

/// Writes the TLS segment's initial image into the area at `base`
/// (`.tdata` copied, `.tbss` zero).
///
/// # Safety
///
/// `base` must be the start of `area.size` writable bytes aligned to
/// `area.align`, zero-filled (fresh anonymous memory).
pub(crate) unsafe fn fill(_base: *mut u8, _area: &Area) {}
