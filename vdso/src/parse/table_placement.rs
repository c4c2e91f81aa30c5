//! Where the tables the dynamic section names lie in the image: virtual
//! addresses turned into ranges of the image through the `PT_LOAD`
//! headers, and tables cut to the length their entry counts give.

use crate::elf;
use crate::error::Error;
use crate::layout::Layout;

use super::elf_header::Header;
use super::program_headers::{Phdr, Segments, phdr};

/// Parse-time state: the image, its program header table, and what the
/// pass over it found.
pub(super) struct Image<'a, 'p> {
    pub(super) data: &'a [u8],
    pub(super) hdr: &'p Header,
    pub(super) phdrs: &'a [u8],
    pub(super) segs: &'p Segments,
    /// For an image with one `PT_LOAD` (every vDSO), its virtual address,
    /// its offset, and its file contents as far as they lie in `data`
    /// (empty if none do): [`Image::table`]'s fast path.
    pub(super) load: (u64, usize, &'a [u8]),
}

impl<'a> Image<'a, '_> {
    /// Translates the virtual address `vaddr` (from the field `field`) to the
    /// range of the image from that address to the end of the file contents of
    /// the `PT_LOAD` segment holding it.
    #[inline(always)]
    pub(super) fn translate<L: Layout>(
        &self,
        vaddr: u64,
        field: &'static str,
    ) -> Result<(usize, usize), Error> {
        if self.segs.nloads != 1 {
            return self.translate_uncached::<L>(vaddr, field);
        }
        match self.within::<L>(&self.segs.load, vaddr, field)? {
            Some(range) => Ok(range),
            None => Err(Error::AddressNotMapped {
                field,
                address: vaddr,
            }),
        }
    }

    /// [`Image::translate`] for an image with more than one `PT_LOAD`
    /// header: reads them from the table. Out of line, so that the common
    /// path needs few registers.
    #[cold]
    #[inline(never)]
    fn translate_uncached<L: Layout>(
        &self,
        vaddr: u64,
        field: &'static str,
    ) -> Result<(usize, usize), Error> {
        for i in 0..self.hdr.phnum {
            let ph = phdr::<L>(self.phdrs, self.hdr, i)?;
            if ph.p_type == elf::PT_LOAD
                && let Some(range) = self.within::<L>(&ph, vaddr, field)?
            {
                return Ok(range);
            }
        }
        Err(Error::AddressNotMapped {
            field,
            address: vaddr,
        })
    }

    /// [`Image::translate`] for one `PT_LOAD` header: `None` if `vaddr`
    /// is not in its file contents.
    #[inline(always)]
    fn within<L: Layout>(
        &self,
        ph: &Phdr,
        vaddr: u64,
        field: &'static str,
    ) -> Result<Option<(usize, usize)>, Error> {
        let delta = vaddr.wrapping_sub(ph.vaddr) & L::ADDR_MASK;
        if delta >= ph.filesz {
            return Ok(None);
        }
        let oob = Error::OutOfRange { field };
        let start = ph.offset.checked_add(delta).ok_or(oob)?;
        let end = ph.offset.checked_add(ph.filesz).ok_or(oob)?;
        let len = self.data.len() as u64;
        if start >= len {
            return Err(oob);
        }
        // Both fit in usize: they are at most the slice length.
        Ok(Some((start as usize, end.min(len) as usize)))
    }

    /// Like [`Image::translate`], but returns the bytes. Inline for the
    /// one-`PT_LOAD` image every vDSO is, through the segment contents
    /// [`Image::load_contents`] sliced once; anything else, and every error,
    /// goes through [`Image::translate`] out of line. The fast path gives
    /// what [`Image::within`] would, without building errors: through
    /// `within`, opening the vDSO for a routed call cost 21 instructions
    /// more, and slicing the segment for each table 30 more.
    #[inline(always)]
    pub(super) fn table<L: Layout>(
        &self,
        vaddr: u64,
        field: &'static str,
    ) -> Result<(usize, &'a [u8]), Error> {
        let (load_vaddr, offset, contents) = self.load;
        let delta = vaddr.wrapping_sub(load_vaddr) & L::ADDR_MASK;
        // `delta < contents.len()`, so it fits in usize and `offset + delta`
        // is inside `data`.
        if delta < contents.len() as u64 {
            let delta = delta as usize;
            return Ok((offset + delta, &contents[delta..]));
        }
        self.table_slow::<L>(vaddr, field)
    }

    /// The contents `table`'s fast path reads through: the one `PT_LOAD`
    /// segment's file contents clamped to `data`, or none (more than one
    /// `PT_LOAD`, or an offset or end that [`Image::within`] rejects).
    #[inline(always)]
    pub(super) fn load_contents(data: &'a [u8], segs: &Segments) -> (u64, usize, &'a [u8]) {
        let ph = &segs.load;
        if segs.nloads == 1
            && ph.offset.checked_add(ph.filesz).is_some()
            && let Ok(start) = usize::try_from(ph.offset)
            && let Some(rest) = data.get(start..)
        {
            let len = usize::try_from(ph.filesz).unwrap_or(usize::MAX);
            return (ph.vaddr, start, rest.get(..len).unwrap_or(rest));
        }
        (0, 0, &[])
    }

    /// [`Image::table`] in full.
    #[cold]
    #[inline(never)]
    fn table_slow<L: Layout>(
        &self,
        vaddr: u64,
        field: &'static str,
    ) -> Result<(usize, &'a [u8]), Error> {
        let (start, end) = self.translate::<L>(vaddr, field)?;
        let t = self
            .data
            .get(start..end)
            .ok_or(Error::OutOfRange { field })?;
        Ok((start, t))
    }
}

/// `count * size` bytes from the start of `table`, or an error naming `field`.
pub(super) fn prefix<'a>(
    table: &'a [u8],
    count: u64,
    size: usize,
    field: &'static str,
) -> Result<&'a [u8], Error> {
    split(table, count, size, field).map(|(head, _)| head)
}

/// `table` split after `count * size` bytes, or an error naming `field`.
pub(super) fn split<'a>(
    table: &'a [u8],
    count: u64,
    size: usize,
    field: &'static str,
) -> Result<(&'a [u8], &'a [u8]), Error> {
    let oob = Error::OutOfRange { field };
    let len = count.checked_mul(size as u64).ok_or(oob)?;
    let len = usize::try_from(len).map_err(|_| oob)?;
    table.split_at_checked(len).ok_or(oob)
}
