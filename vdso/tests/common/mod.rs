//! A small ELF writer for synthetic vDSO-like images, and helpers shared by
//! the integration tests.
//!
//! The images have what a vDSO has (one `PT_LOAD`, `PT_DYNAMIC`, dynamic
//! symbols and strings, optional `DT_HASH`/`DT_GNU_HASH`, `DT_VERSYM` and
//! `DT_VERDEF`) and never any section headers (`e_shoff = e_shnum = 0`).
//!
//! Synthetic images: [`spec`] says what to write, [`writer`] lays the image
//! out and writes its headers, dynamic section and symbols, and [`tables`]
//! its hash and version tables. Real images: [`fixtures`] are the committed
//! ones, [`readelf`] is the oracle they are checked against, [`relocate`]
//! moves one as qemu-user does, and [`mutations`] names the fields worth
//! damaging.

#![allow(dead_code)]

mod spec;

mod writer;

mod tables;

mod fixtures;

mod readelf;

mod relocate;

mod mutations;

// Each test binary uses some of these and not the others.
#[allow(unused_imports)]
pub use self::{
    fixtures::{FIXTURES, fixture, temp_file},
    mutations::interesting_fields,
    readelf::readelf_symbols,
    relocate::relocate,
    spec::{
        Built, Offsets, SHN_ABS, SHN_TEXT, SHN_UNDEF, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC,
        STT_NOTYPE, STT_OBJECT, Spec, Sym, Written,
    },
    writer::build,
};
