#![doc = include_str!("../README.md")]
#![no_std]
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod any;
mod arch;
mod elf;
mod error;
mod info;
mod layout;
mod lookup;
mod mapped;
mod parse;
mod resolver;
mod strings;
mod symbol;
mod vdso;

pub use any::AnyVdso;
pub use arch::NATIVE_MACHINE;
pub use error::Error;
pub use info::{Info, Machine, VersionDef};
pub use layout::{Class, Elf32Be, Elf32Le, Elf64Be, Elf64Le, Endian, Layout, Native};
pub use lookup::{LookupMethod, Query, gnu_hash, sysv_hash};
pub use resolver::Resolver;
pub use symbol::{DynSymbol, Name, Symbol, SymbolBinding, SymbolType, Version};
pub use vdso::{Symbols, Vdso, VersionDefs};

#[cfg(test)]
mod tests;
