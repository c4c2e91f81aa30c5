//! What the programs print: one line per measure, `NAME NS_PER_OP
//! PEAK_RSS_KIB`, and where the peak RSS comes from.
//!
//! The peak RSS is the kernel's `VmHWM` ("high water mark") in
//! `/proc/self/status`, in KiB, read after the workload has finished: the
//! most memory the process ever had resident, including the program's own
//! code and data (the `baseline` workload shows that floor). It is `-`
//! when the file cannot be read.

use core::ffi::CStr;
use core::fmt;

/// One output line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    /// The measure's name, such as `hashmap-insert`.
    pub name: &'static str,
    /// Nanoseconds per operation (the workload says what one is).
    pub ns_per_op: f64,
    /// `VmHWM` in KiB, if it could be read.
    pub peak_rss_kib: Option<u64>,
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:.3} ", self.name, self.ns_per_op)?;
        match self.peak_rss_kib {
            Some(kib) => write!(f, "{kib}"),
            None => f.write_str("-"),
        }
    }
}

/// The file both programs read the peak RSS from.
pub const STATUS: &CStr = c"/proc/self/status";

/// The value of the `VmHWM:` line of a `/proc/PID/status` file, in KiB.
pub fn vmhwm_kib(status: &[u8]) -> Option<u64> {
    let line = status
        .split(|&b| b == b'\n')
        .find_map(|l| l.strip_prefix(b"VmHWM:"))?;
    // "   12345 kB": skip the padding, read the digits, expect the unit.
    let start = line.iter().position(|b| !b.is_ascii_whitespace())?;
    let digits = &line[start..];
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 || digits[end..].trim_ascii() != b"kB" {
        return None;
    }
    core::str::from_utf8(&digits[..end]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::ToString;

    #[test]
    fn reads_vmhwm_among_the_other_lines() {
        let status =
            b"Name:\theap\nVmPeak:\t   10000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t    1000 kB\n";
        assert_eq!(vmhwm_kib(status), Some(1234));
    }

    #[test]
    fn refuses_a_missing_or_malformed_line() {
        assert_eq!(vmhwm_kib(b"Name:\theap\nVmRSS:\t 1000 kB\n"), None);
        assert_eq!(vmhwm_kib(b"VmHWM:\t kB\n"), None);
        assert_eq!(vmhwm_kib(b"VmHWM:\t 12 MB\n"), None);
    }

    #[test]
    fn reads_its_own_status() {
        let status = std::fs::read(STATUS.to_str().unwrap()).unwrap();
        assert!(vmhwm_kib(&status).unwrap() > 0);
    }

    #[test]
    fn prints_name_time_and_rss() {
        let line = |peak_rss_kib| Line {
            name: "churn-10k",
            ns_per_op: 12.3456,
            peak_rss_kib,
        };
        assert_eq!(line(Some(42)).to_string(), "churn-10k 12.346 42");
        assert_eq!(line(None).to_string(), "churn-10k 12.346 -");
    }
}
