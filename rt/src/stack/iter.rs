//! The iterators over an initial stack: its arguments, its environment
//! and its auxiliary vector, made by [`InitialStack`](super::InitialStack).

use core::ffi::{CStr, c_char};

/// Iterator over the arguments, yielded as C strings (no UTF-8 assumed).
#[derive(Clone, Debug)]
pub struct Args<'a> {
    pub(super) next: *const *const c_char,
    pub(super) left: usize,
    pub(super) _life: core::marker::PhantomData<&'a CStr>,
}

impl<'a> Iterator for Args<'a> {
    type Item = &'a CStr;

    fn next(&mut self) -> Option<&'a CStr> {
        if self.left == 0 {
            return None;
        }
        // SAFETY: `left` counts the remaining entries of `argv`, each of which
        // is a valid NUL-terminated string for `'a` (see `from_sp`).
        unsafe {
            let s = *self.next;
            self.next = self.next.add(1);
            self.left -= 1;
            // A NULL inside argv would break the kernel's layout; stop rather
            // than dereference it.
            if s.is_null() {
                self.left = 0;
                return None;
            }
            Some(CStr::from_ptr(s))
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

/// Iterator over the environment entries.
#[derive(Clone, Debug)]
pub struct Env<'a> {
    pub(super) next: *const *const c_char,
    pub(super) _life: core::marker::PhantomData<&'a CStr>,
}

impl<'a> Iterator for Env<'a> {
    type Item = &'a CStr;

    fn next(&mut self) -> Option<&'a CStr> {
        // SAFETY: the environment is a NULL-terminated array of valid strings
        // (see `from_sp`); `next` never moves past the NULL.
        unsafe {
            let s = *self.next;
            if s.is_null() {
                return None;
            }
            self.next = self.next.add(1);
            Some(CStr::from_ptr(s))
        }
    }
}

impl<'a> Env<'a> {
    /// Splits each entry at its first `=` into key and value. An entry
    /// without `=` is yielded as a key with an empty value.
    pub fn vars(self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
        self.map(|e| split_var(e.to_bytes()))
    }

    /// The value of the first entry whose key is exactly `name`.
    pub fn get(self, name: &[u8]) -> Option<&'a [u8]> {
        self.vars().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

pub(super) fn split_var(entry: &[u8]) -> (&[u8], &[u8]) {
    match entry.iter().position(|&b| b == b'=') {
        Some(i) => (&entry[..i], &entry[i + 1..]),
        None => (entry, &[]),
    }
}

/// Iterator over the auxiliary vector's `(key, value)` pairs.
#[derive(Clone, Debug)]
pub struct Auxv<'a> {
    pub(super) next: *const usize,
    pub(super) _life: core::marker::PhantomData<&'a CStr>,
}

impl Iterator for Auxv<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        // SAFETY: the vector is a sequence of pairs ending with an AT_NULL key
        // (see `from_sp`); `next` never moves past that key.
        unsafe {
            let key = *self.next;
            if key == AT_NULL {
                return None;
            }
            let value = *self.next.add(1);
            self.next = self.next.add(2);
            Some((key, value))
        }
    }
}

impl Auxv<'_> {
    /// The value for `key`, if the kernel supplied one.
    pub fn get(mut self, key: usize) -> Option<usize> {
        self.find(|&(k, _)| k == key).map(|(_, v)| v)
    }
}

pub(super) const AT_NULL: usize = linux_raw_sys::auxvec::AT_NULL as usize;
