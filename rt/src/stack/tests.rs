//! Unit tests of the initial-stack parser, on fake stacks.
extern crate std;
use super::*;
use std::ffi::CString;
use std::vec::Vec;

/// Builds a kernel-format stack; the strings are leaked so the view may
/// be `'static`.
fn stack(args: &[&[u8]], env: &[&[u8]], aux: &[(usize, usize)]) -> Vec<usize> {
    let mut s = Vec::new();
    s.push(args.len());
    for a in args {
        s.push(CString::new(*a).unwrap().into_raw() as usize);
    }
    s.push(0);
    for e in env {
        s.push(CString::new(*e).unwrap().into_raw() as usize);
    }
    s.push(0);
    for &(k, v) in aux {
        s.push(k);
        s.push(v);
    }
    s.extend([0, 0]);
    s
}

fn view(s: &[usize]) -> InitialStack<'_> {
    // SAFETY: `stack` builds exactly the layout `from_sp` requires and
    // `s` outlives the view.
    unsafe { InitialStack::from_sp(s.as_ptr()) }
}

#[test]
fn argc_zero_no_env_empty_auxv() {
    let s = stack(&[], &[], &[]);
    let st = view(&s);
    assert_eq!(st.argc(), 0);
    assert_eq!(st.args().count(), 0);
    assert_eq!(st.env().count(), 0);
    assert_eq!(st.auxv().count(), 0);
    assert_eq!(st.auxv().get(6), None);
}

#[test]
fn arguments_keep_their_bytes() {
    let s = stack(&[b"prog", b"", b"a b", b"\xff\xfe"], &[], &[(6, 4096)]);
    let st = view(&s);
    let got: Vec<&[u8]> = st.args().map(CStr::to_bytes).collect();
    assert_eq!(got, [&b"prog"[..], b"", b"a b", b"\xff\xfe"]);
    assert_eq!(st.auxv().get(6), Some(4096));
}

#[test]
fn environment_lookup_by_name() {
    let s = stack(
        &[b"p"],
        &[b"A=1", b"AB=2", b"NOEQ", b"E=", b"X=y=z"],
        &[(25, 7)],
    );
    let st = view(&s);
    assert_eq!(st.env().count(), 5);
    assert_eq!(st.env().get(b"A"), Some(&b"1"[..]));
    assert_eq!(st.env().get(b"AB"), Some(&b"2"[..]));
    assert_eq!(st.env().get(b"E"), Some(&b""[..]));
    assert_eq!(st.env().get(b"X"), Some(&b"y=z"[..]));
    assert_eq!(st.env().get(b"NOEQ"), Some(&b""[..]));
    assert_eq!(st.env().get(b"B"), None);
    assert_eq!(st.auxv().collect::<Vec<_>>(), [(25, 7)]);
}

#[test]
fn huge_environment() {
    let owned: Vec<Vec<u8>> = (0..50_000)
        .map(|i| std::format!("K{i}=v{i}").into_bytes())
        .collect();
    let refs: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let s = stack(&[b"p"], &refs, &[(6, 4096), (33, 0x1000)]);
    let st = view(&s);
    assert_eq!(st.env().count(), 50_000);
    assert_eq!(st.env().get(b"K49999"), Some(&b"v49999"[..]));
    assert_eq!(st.auxv().get(33), Some(0x1000));
}

#[test]
fn aux_names_come_from_the_kernel_constants() {
    assert_eq!(aux_name(6), Some("AT_PAGESZ"));
    assert_eq!(aux_name(33), Some("AT_SYSINFO_EHDR"));
    assert_eq!(aux_name(9999), None);
}

#[test]
fn no_start_means_an_empty_stack() {
    // Host tests never run freestand's `_start`.
    assert_eq!(InitialStack::current().argc(), 0);
}
