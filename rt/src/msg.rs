//! One line of text built on the stack, for the reports that must work
//! when nothing else can be trusted to: a static-PIE that cannot relocate
//! itself (before its GOT holds a single valid address), a stack overflow
//! (inside the `SIGSEGV` handler) and a failed `print!` (whose own output
//! path has just failed).
//!
//! [`Msg`] calls nothing outside this module: no `memcpy` or `memset`
//! (the buffer is left uninitialised, and bytes are stored one by one), no
//! `core::fmt`, no iterator or slice method that a debug build would leave
//! as a call, no panic path. Bytes past the end of the buffer are dropped,
//! and the line always ends with a newline. [`Msg::send`] hands it to the
//! kernel in a single `write`, so a message reaches a pipe whole
//! (`LEN` is below `PIPE_BUF`) and never interleaved with another thread's.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use freestand_syscalls::arch::syscall3;
use freestand_syscalls::io::Fd;
use freestand_syscalls::nr::__NR_write;

/// The capacity of a message, in bytes.
pub(crate) const LEN: usize = 384;

/// The stack buffer a [`Msg`] writes into.
pub(crate) type Buf = MaybeUninit<[u8; LEN]>;

/// A line being built in a [`Buf`]; see the module docs.
pub(crate) struct Msg<'a> {
    buf: *mut u8,
    len: usize,
    _buf: PhantomData<&'a mut Buf>,
}

impl<'a> Msg<'a> {
    /// An empty line in `buf`, which must not move while the line is
    /// built (a move of the buffer would be a `memcpy` call).
    #[inline(always)]
    pub(crate) fn new(buf: &'a mut Buf) -> Msg<'a> {
        Msg {
            buf: buf.as_mut_ptr().cast(),
            len: 0,
            _buf: PhantomData,
        }
    }

    /// Appends one byte, if there is room for it and the final newline.
    /// Never inlined: a report makes many calls, and each inlined copy
    /// would cost more than the call.
    #[inline(never)]
    pub(crate) fn byte(&mut self, b: u8) {
        self.put(b);
    }

    /// Appends `bytes`, as far as they fit. Never inlined, like
    /// [`Msg::byte`].
    #[inline(never)]
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            // SAFETY: `i` is below the slice's length.
            self.put(unsafe { *bytes.as_ptr().wrapping_add(i) });
            i = i.wrapping_add(1);
        }
    }

    #[inline(always)]
    fn put(&mut self, b: u8) {
        if self.len < LEN - 1 {
            // SAFETY: `len` is below the buffer's length.
            unsafe { *self.buf.wrapping_add(self.len) = b };
            self.len = self.len.wrapping_add(1);
        }
    }

    /// Appends `n` in decimal.
    pub(crate) fn decimal(&mut self, n: usize) {
        let tens = n / 10;
        if tens > 0 {
            self.decimal(tens);
        }
        self.byte(b'0'.wrapping_add(n.wrapping_sub(tens.wrapping_mul(10)) as u8));
    }

    /// Ends the line and writes it to `fd` with one `write`, whose result
    /// is ignored: a report has nowhere else to go.
    pub(crate) fn send(mut self, fd: Fd) {
        // `byte` always leaves room for this one.
        // SAFETY: `len` is at most `LEN - 1`.
        unsafe { *self.buf.wrapping_add(self.len) = b'\n' };
        self.len = self.len.wrapping_add(1);
        // SAFETY: the kernel reads `len` initialised bytes of our buffer.
        unsafe { syscall3(__NR_write, fd as usize, self.buf as usize, self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents<'m>(m: &'m Msg<'_>) -> &'m [u8] {
        // SAFETY: the first `len` bytes are initialised, and the buffer
        // outlives the borrow of `m`.
        unsafe { core::slice::from_raw_parts(m.buf, m.len) }
    }

    #[test]
    fn builds_and_truncates() {
        let mut buf = Buf::uninit();
        let mut m = Msg::new(&mut buf);
        m.push(b"errno ");
        m.decimal(0);
        m.byte(b' ');
        m.decimal(4095);
        assert_eq!(contents(&m), b"errno 0 4095");
        for _ in 0..LEN {
            m.byte(b'x');
        }
        assert_eq!(contents(&m).len(), LEN - 1);
    }
}
