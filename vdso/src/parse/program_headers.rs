//! The program headers: one pass over them finds the `PT_LOAD` segments,
//! which give the load bias and map addresses to the image, and the
//! `PT_DYNAMIC` one. Section headers are never read.

use crate::elf;
use crate::error::Error;
use crate::layout::{Layout, u32_at, word_at};

use super::elf_header::Header;

/// The fields of one program header the parser uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Phdr {
    pub p_type: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
}

/// Reads program header `i` from `table` (the program header table).
pub(crate) fn phdr<L: Layout>(table: &[u8], hdr: &Header, i: usize) -> Result<Phdr, Error> {
    let off = i
        .checked_mul(hdr.phentsize)
        .ok_or(Error::OutOfRange { field: "e_phoff" })?;
    phdr_at::<L>(table, off)
}

/// Reads the program header at offset `off` of `table`. One bounds check
/// covers the whole entry, so the field reads need none.
#[inline(always)]
fn phdr_at<L: Layout>(table: &[u8], off: usize) -> Result<Phdr, Error> {
    let oob = Error::OutOfRange { field: "e_phoff" };
    let ph = table
        .get(off..)
        .and_then(|t| t.get(..L::PHDR_SIZE))
        .ok_or(oob)?;
    Ok(Phdr {
        p_type: u32_at::<L>(ph, L::P_TYPE).ok_or(oob)?,
        offset: word_at::<L>(ph, L::P_OFFSET).ok_or(oob)?,
        vaddr: word_at::<L>(ph, L::P_VADDR).ok_or(oob)?,
        filesz: word_at::<L>(ph, L::P_FILESZ).ok_or(oob)?,
    })
}

/// What one pass over the program headers finds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segments {
    /// The first `PT_LOAD` (meaningful when `nloads > 0`): every vDSO has
    /// exactly one, so addresses are translated through it alone unless
    /// there are more.
    pub(super) load: Phdr,
    /// How many `PT_LOAD` headers there are.
    pub(super) nloads: usize,
    /// The first `PT_DYNAMIC`, if `p_type` says so.
    pub(super) dynamic: Phdr,
    /// The end of the furthest `PT_LOAD` segment's file contents, `None` if
    /// it overflows.
    end: Option<u64>,
}

/// Reads the program headers.
#[inline(always)]
pub(crate) fn segments<L: Layout>(table: &[u8], hdr: &Header) -> Result<Segments, Error> {
    let none = Phdr {
        p_type: elf::PT_NULL,
        offset: 0,
        vaddr: 0,
        filesz: 0,
    };
    let mut s = Segments {
        load: none,
        nloads: 0,
        dynamic: none,
        end: Some(0),
    };
    // Walked by offset: `header` checked that `phnum * phentsize` fits.
    let mut off = 0usize;
    for _ in 0..hdr.phnum {
        let ph = phdr_at::<L>(table, off)?;
        off = off.saturating_add(hdr.phentsize);
        match ph.p_type {
            elf::PT_LOAD => {
                if s.nloads == 0 {
                    s.load = ph;
                }
                s.nloads += 1;
                s.end = match (s.end, ph.offset.checked_add(ph.filesz)) {
                    (Some(end), Some(seg_end)) => Some(end.max(seg_end)),
                    _ => None,
                };
            }
            elf::PT_DYNAMIC if s.dynamic.p_type != elf::PT_DYNAMIC => s.dynamic = ph,
            _ => {}
        }
    }
    Ok(s)
}

impl Segments {
    /// The length of the image as mapped: the end of the furthest `PT_LOAD`
    /// segment's file contents. The header and the program header table
    /// must lie inside it.
    pub(crate) fn mapped_len<L: Layout>(&self, hdr: &Header) -> Result<usize, Error> {
        if self.nloads == 0 {
            return Err(Error::NoLoadSegment);
        }
        let oob = Error::OutOfRange {
            field: "PT_LOAD p_filesz",
        };
        let end = self
            .end
            .and_then(|end| usize::try_from(end).ok())
            .ok_or(oob)?;
        if end < L::EHDR_SIZE {
            return Err(oob);
        }
        if hdr.phoff + hdr.phdrs_len() > end {
            return Err(Error::OutOfRange { field: "e_phoff" });
        }
        Ok(end)
    }
}
