//! The programs' arguments: `WORKLOAD [--quick]`, the same for both.
//!
//! `WORKLOAD` is one of [`WORKLOADS`], or
//! `all` to run each in turn in one process (then the peak RSS printed
//! with each is the peak so far). `--quick` runs a few thousand operations
//! instead of millions: a check that every workload works and that the
//! heap keeps the data intact, for a test suite, not a measure.

use crate::workloads::{WORKLOADS, Workload};
use core::fmt;

/// A table of workloads that [`Args`] picks from by name.
pub trait Catalogue: Sized + 'static {
    /// Every workload, in the order `all` runs them.
    const ALL: &'static [Self];
    /// The workload's name on the command line.
    fn name(&self) -> &'static str;
}

/// What to run: `WORKLOAD [--quick]`, or `all` for each workload of the
/// catalogue `W` in turn, in one process.
#[derive(Debug, PartialEq, Eq)]
pub struct Args<W: 'static> {
    /// One workload, or `None` for all of them.
    pub workload: Option<&'static W>,
    /// Small sizes: a check, not a measure.
    pub quick: bool,
}

impl<W> Clone for Args<W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<W> Copy for Args<W> {}

impl<W: Catalogue> Args<W> {
    /// Reads the arguments after the program's name; `None` when a
    /// workload is missing, unknown or given twice, or an argument is
    /// neither a workload nor `--quick`.
    pub fn parse<'a>(args: impl IntoIterator<Item = &'a [u8]>) -> Option<Args<W>> {
        let mut workload = None;
        let mut all = false;
        let mut quick = false;
        for arg in args {
            if arg == b"--quick" {
                quick = true;
            } else if workload.is_some() || all {
                return None;
            } else if arg == b"all" {
                all = true;
            } else {
                workload = Some(W::ALL.iter().find(|w| w.name().as_bytes() == arg)?);
            }
        }
        if workload.is_none() && !all {
            return None;
        }
        Some(Args { workload, quick })
    }

    /// The workloads to run, in order.
    pub fn workloads(&self) -> &'static [W] {
        match self.workload {
            Some(w) => core::slice::from_ref(w),
            None => W::ALL,
        }
    }
}

impl Catalogue for Workload {
    const ALL: &'static [Workload] = WORKLOADS;
    fn name(&self) -> &'static str {
        self.name
    }
}

/// The heap benchmark's arguments.
pub type Request = Args<Workload>;

impl Request {
    /// Reads the arguments after the program's name.
    ///
    /// # Errors
    /// [`Usage`] when a workload is missing, unknown or given twice, or
    /// an argument is neither a workload nor `--quick`.
    pub fn from_args<'a>(args: impl IntoIterator<Item = &'a [u8]>) -> Result<Request, Usage> {
        Args::parse(args).ok_or(Usage)
    }
}

/// The arguments were wrong; its `Display` is the usage message, which
/// lists the workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage;

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "usage: heap WORKLOAD [--quick]  (or heap-std)")?;
        writeln!(f, "  all            each workload below, in one process")?;
        for w in WORKLOADS {
            writeln!(f, "  {:<14} {}", w.name, w.about)?;
        }
        write!(
            f,
            "prints one line per measure: NAME NS_PER_OP PEAK_RSS_KIB; --quick: small sizes, a check"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Request, Usage> {
        Request::from_args(args.iter().map(|a| a.as_bytes()))
    }

    #[test]
    fn one_workload_with_or_without_quick() {
        let r = parse(&["churn-10k"]).unwrap();
        assert_eq!(r.workload.map(|w| w.name), Some("churn-10k"));
        assert!(!r.quick);
        let r = parse(&["--quick", "hashmap"]).unwrap();
        assert_eq!(r.workloads().len(), 1);
        assert!(r.quick);
    }

    #[test]
    fn all_runs_every_workload() {
        let r = parse(&["all", "--quick"]).unwrap();
        assert_eq!(r.workloads().len(), WORKLOADS.len());
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        assert_eq!(parse(&[]), Err(Usage));
        assert_eq!(parse(&["--quick"]), Err(Usage));
        assert_eq!(parse(&["nope"]), Err(Usage));
        assert_eq!(parse(&["hashmap", "btreemap"]), Err(Usage));
        assert_eq!(parse(&["all", "hashmap"]), Err(Usage));
    }
}
