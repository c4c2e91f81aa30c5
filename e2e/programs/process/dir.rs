//! A directory of 10,000 entries.

#[allow(unused_imports)]
use super::*;

pub(crate) const ENTRIES: usize = 10_000;

/// `entry-NNNNN`, NUL-terminated, in `buf`.
pub(crate) fn entry_name(buf: &mut [u8; 12], i: usize) -> &CStr {
    buf[..6].copy_from_slice(b"entry-");
    let mut n = i;
    for d in (6..11).rev() {
        buf[d] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    buf[11] = 0;
    CStr::from_bytes_with_nul(buf).unwrap_or(c"")
}

/// The number in a name [`entry_name`] made, if it is one.
pub(crate) fn entry_number(name: &[u8]) -> Option<usize> {
    let digits = name.strip_prefix(b"entry-")?;
    if digits.len() != 5 {
        return None;
    }
    core::str::from_utf8(digits).ok()?.parse().ok()
}

pub(crate) fn dir() -> Check {
    // In memory when there is a /dev/shm, so 10,000 files cost no disk.
    let base = [c"/dev/shm", c"/tmp"]
        .into_iter()
        .find_map(|d| openat(AT_FDCWD, d, OFlags::DIRECTORY | OFlags::CLOEXEC, 0).ok())
        .ok_or("neither /dev/shm nor /tmp can be opened")?;
    let mut top = [0u8; 40];
    let top = {
        let s = format!("freestand-process-{}\0", getpid());
        top[..s.len()].copy_from_slice(s.as_bytes());
        CStr::from_bytes_until_nul(&top).map_err(|_| "bad name")?
    };
    mkdirat(base, top, 0o700).map_err(|e| format!("mkdir {top:?}: {e}"))?;
    let result = fill_and_read(base, top);
    // Whatever happened, remove what is there.
    let cleaned = remove_tree(base, top);
    let _ = close(base);
    let line = result?;
    cleaned?;
    println!("{line}, removed");
    Ok(())
}

/// Fills directory `top` (in `base`) and reads it back; returns the
/// line that says what was seen.
pub(crate) fn fill_and_read(base: Fd, top: &CStr) -> Result<String, String> {
    let flags = OFlags::DIRECTORY | OFlags::CLOEXEC;
    let dir = openat(base, top, flags, 0).map_err(|e| format!("open {top:?}: {e}"))?;
    let out = fill_and_read_in(dir);
    let _ = close(dir);
    out
}

pub(crate) fn fill_and_read_in(dir: Fd) -> Result<String, String> {
    let mut name = [0u8; 12];
    for i in 0..ENTRIES {
        let n = entry_name(&mut name, i);
        let fd = openat(
            dir,
            n,
            OFlags::CREAT | OFlags::EXCL | OFlags::WRONLY | OFlags::CLOEXEC,
            0o600,
        )
        .map_err(|e| format!("create {n:?}: {e}"))?;
        close(fd).map_err(|e| format!("close: {e}"))?;
    }
    mkdirat(dir, c"subdir", 0o700).map_err(|e| format!("mkdir subdir: {e}"))?;

    // With the reader's own 4 KiB buffer: each entry exactly once.
    let mut seen = alloc::vec![0u8; ENTRIES];
    let (mut dots, mut subdirs, mut strange, mut bad_type) = (0, 0, 0, 0);
    let mut reader = Dir::new(dir);
    while let Some(entry) = reader.next_entry().map_err(|e| format!("read: {e}"))? {
        let bytes = entry.name().to_bytes();
        if entry.is_dot() {
            dots += 1;
        } else if bytes == b"subdir" {
            subdirs += 1;
            if !matches!(entry.file_type(), FileType::Directory | FileType::Unknown) {
                bad_type += 1;
            }
        } else if let Some(i) = entry_number(bytes) {
            seen[i] = seen[i].saturating_add(1);
            if entry.ino() == 0
                || !matches!(entry.file_type(), FileType::Regular | FileType::Unknown)
            {
                bad_type += 1;
            }
        } else {
            strange += 1;
        }
    }
    let once = seen.iter().filter(|&&n| n == 1).count();
    let missing = seen.iter().filter(|&&n| n == 0).count();
    let twice = ENTRIES - once - missing;

    // Again from the start, through a small buffer the caller lends.
    reader.rewind().map_err(|e| format!("rewind: {e}"))?;
    let mut small = [0u8; 512];
    let mut lent = Dir::with_buffer(dir, &mut small[..]);
    let mut again = 0;
    while let Some(entry) = lent.next_entry().map_err(|e| format!("read: {e}"))? {
        again += usize::from(!entry.is_dot());
    }
    // A buffer too small for any entry: the kernel's EINVAL.
    lseek(dir, SeekFrom::Start(0)).map_err(|e| format!("lseek: {e}"))?;
    let mut tiny = [0u8; 8];
    let refused = match Dir::with_buffer(dir, &mut tiny[..]).next_entry() {
        Err(e) => String::from(e.name().unwrap_or("?")),
        Ok(_) => String::from("an entry"),
    };
    Ok(format!(
        "dir: {once} of {ENTRIES} entries once, {missing} missing, {twice} more than once, \
         {dots} dots, {subdirs} subdir, {strange} strange, {bad_type} bad types; \
         {again} through 512 bytes; 8 bytes {refused}"
    ))
}

/// Removes directory `top` of `base` and what [`fill_and_read`] put in
/// it.
pub(crate) fn remove_tree(base: Fd, top: &CStr) -> Check {
    let flags = OFlags::DIRECTORY | OFlags::CLOEXEC;
    let dir = openat(base, top, flags, 0).map_err(|e| format!("open {top:?}: {e}"))?;
    let full = unlinkat(base, top, AtFlags::REMOVEDIR);
    let mut name = [0u8; 12];
    for i in 0..ENTRIES {
        match unlinkat(dir, entry_name(&mut name, i), AtFlags::empty()) {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(e) => return Err(format!("unlink: {e}")),
        }
    }
    match unlinkat(dir, c"subdir", AtFlags::REMOVEDIR) {
        Ok(()) | Err(Errno::ENOENT) => {}
        Err(e) => return Err(format!("rmdir subdir: {e}")),
    }
    let _ = close(dir);
    unlinkat(base, top, AtFlags::REMOVEDIR).map_err(|e| format!("rmdir {top:?}: {e}"))?;
    if full != Err(Errno::ENOTEMPTY) {
        return Err(format!("removing the full directory: {full:?}"));
    }
    Ok(())
}
