//! Files against the real kernel: a pipe carrying 10 MiB between two
//! processes, a directory of 10,000 entries read back, and the calls on
//! names, descriptors and status.

mod common;

use common::{c, in_child, memory_temp_dir, spawn_child, temp_dir, wait_for};
use freestand_syscalls::Errno;
use freestand_syscalls::fs::{
    AT_FDCWD, AtFlags, CloseRangeFlags, Dir, DupFlags, FileType, MountFlags, OFlags, PipeFlags,
    RenameFlags, SeekFrom, StatxMask, UnmountFlags, chdir, close, close_range, dup, dup3, fchdir,
    fdatasync, fstat, fstatat, fsync, ftruncate, lseek, mkdirat, mount, openat, pipe2, readlinkat,
    renameat2, statx, umount2, unlinkat,
};
use freestand_syscalls::io::{read, write, write_all};
use freestand_syscalls::process::WaitStatus;
use std::collections::HashSet;
use std::ffi::CString;

/// The bytes the pipe test sends: a xorshift stream, the same in both
/// processes without sharing a buffer.
struct Stream(u64);

impl Stream {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = self.0 as u8;
        }
    }
}

/// FNV-1a over the bytes fed to it.
struct Fnv(u64);

impl Fnv {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

const TOTAL: usize = 10 << 20;

#[test]
fn a_pipe_carries_10_mib_without_losing_a_byte() {
    let (r, w) = pipe2(PipeFlags::CLOEXEC).unwrap();
    let writer = spawn_child(|| {
        let _ = close(r);
        let mut stream = Stream(0x9e37_79b9_7f4a_7c15);
        let mut buf = [0u8; 65_537];
        let mut left = TOTAL;
        // Odd chunk sizes, so that reads and writes never line up.
        let mut size = 1;
        while left > 0 {
            let n = size.min(left).min(buf.len());
            stream.fill(&mut buf[..n]);
            if write_all(w, &buf[..n]).is_err() {
                return 1;
            }
            left -= n;
            size = size * 7 % 65_521 + 1;
        }
        0
    });
    close(w).unwrap();
    let mut got = Fnv(0xcbf2_9ce4_8422_2325);
    let mut buf = vec![0u8; 30_011];
    let mut n_total = 0;
    loop {
        match read(r, &mut buf) {
            Ok(0) => break,
            Ok(n) => {
                got.feed(&buf[..n]);
                n_total += n;
            }
            Err(Errno::EINTR) => {}
            Err(e) => panic!("read: {e}"),
        }
    }
    close(r).unwrap();
    assert_eq!(wait_for(writer), WaitStatus::Exited(0));
    assert_eq!(n_total, TOTAL);
    let mut want = Fnv(0xcbf2_9ce4_8422_2325);
    let mut stream = Stream(0x9e37_79b9_7f4a_7c15);
    let mut block = vec![0u8; TOTAL];
    stream.fill(&mut block);
    want.feed(&block);
    assert_eq!(got.0, want.0);
}

#[test]
fn a_directory_of_10000_entries() {
    let base = memory_temp_dir("dir");
    let base_fd = openat(AT_FDCWD, &c(&base), OFlags::DIRECTORY | OFlags::CLOEXEC, 0).unwrap();
    mkdirat(base_fd, c"many", 0o755).unwrap();
    assert_eq!(mkdirat(base_fd, c"many", 0o755), Err(Errno::EEXIST));
    let dir = openat(base_fd, c"many", OFlags::DIRECTORY | OFlags::CLOEXEC, 0).unwrap();
    let names: Vec<CString> = (0..10_000)
        .map(|i| CString::new(format!("entry-{i:05}")).unwrap())
        .collect();
    for name in &names {
        let fd = openat(
            dir,
            name,
            OFlags::CREAT | OFlags::EXCL | OFlags::WRONLY | OFlags::CLOEXEC,
            0o644,
        )
        .unwrap();
        close(fd).unwrap();
    }
    mkdirat(dir, c"subdir", 0o755).unwrap();

    // With the reader's own buffer.
    let mut seen = HashSet::new();
    let mut reader = Dir::new(dir);
    let (mut dots, mut subdirs) = (0, 0);
    while let Some(entry) = reader.next_entry().unwrap() {
        if entry.is_dot() {
            dots += 1;
            continue;
        }
        assert_ne!(entry.ino(), 0);
        if entry.name() == c"subdir" {
            assert!(matches!(
                entry.file_type(),
                FileType::Directory | FileType::Unknown
            ));
            subdirs += 1;
            continue;
        }
        assert!(matches!(
            entry.file_type(),
            FileType::Regular | FileType::Unknown
        ));
        assert!(
            seen.insert(entry.name().to_owned()),
            "{:?} twice",
            entry.name()
        );
    }
    assert_eq!((dots, subdirs, seen.len()), (2, 1, 10_000));
    assert!(names.iter().all(|n| seen.contains(n)));

    // Again from the start, through a small buffer the caller lends.
    reader.rewind().unwrap();
    let mut small = [0u8; 512];
    let mut lent = Dir::with_buffer(dir, &mut small[..]);
    let mut count = 0;
    while let Some(entry) = lent.next_entry().unwrap() {
        count += usize::from(!entry.is_dot());
    }
    assert_eq!(count, 10_001);
    // A buffer too small for any entry: the kernel's EINVAL.
    lseek(dir, SeekFrom::Start(0)).unwrap();
    let mut tiny = [0u8; 8];
    assert_eq!(
        Dir::with_buffer(dir, &mut tiny[..]).next_entry().err(),
        Some(Errno::EINVAL)
    );

    assert_eq!(
        unlinkat(base_fd, c"many", AtFlags::REMOVEDIR),
        Err(Errno::ENOTEMPTY)
    );
    for name in &names {
        unlinkat(dir, name, AtFlags::empty()).unwrap();
    }
    assert_eq!(
        unlinkat(dir, c"subdir", AtFlags::empty()),
        Err(Errno::EISDIR)
    );
    unlinkat(dir, c"subdir", AtFlags::REMOVEDIR).unwrap();
    reader.rewind().unwrap();
    let mut left = 0;
    while let Some(entry) = reader.next_entry().unwrap() {
        left += usize::from(!entry.is_dot());
    }
    assert_eq!(left, 0);
    close(dir).unwrap();
    unlinkat(base_fd, c"many", AtFlags::REMOVEDIR).unwrap();
    close(base_fd).unwrap();
    std::fs::remove_dir(&base).unwrap();
}

#[test]
fn names_descriptors_and_status() {
    let base = temp_dir("fs");
    let d = openat(AT_FDCWD, &c(&base), OFlags::DIRECTORY | OFlags::CLOEXEC, 0).unwrap();
    let f = openat(
        d,
        c"a",
        OFlags::CREAT | OFlags::RDWR | OFlags::CLOEXEC,
        0o600,
    )
    .unwrap();
    assert_eq!(write(f, b"hello world").unwrap(), 11);
    assert_eq!(lseek(f, SeekFrom::Current(0)), Ok(11));
    assert_eq!(lseek(f, SeekFrom::Start(6)), Ok(6));
    let mut buf = [0u8; 16];
    assert_eq!(read(f, &mut buf).map(|n| &buf[..n]), Ok(&b"world"[..]));
    assert_eq!(lseek(f, SeekFrom::End(-5)), Ok(6));
    assert_eq!(lseek(f, SeekFrom::Current(-7)), Err(Errno::EINVAL));
    ftruncate(f, 5).unwrap();
    fsync(f).unwrap();
    fdatasync(f).unwrap();
    let st = fstat(f).unwrap();
    assert_eq!(st.st_size, 5);
    let at = fstatat(d, c"a", AtFlags::empty()).unwrap();
    assert_eq!((at.st_ino, at.st_size), (st.st_ino, 5));
    let x = statx(d, c"a", AtFlags::empty(), StatxMask::BASIC_STATS).unwrap();
    assert_eq!(x.stx_size, 5);
    assert_eq!(x.stx_ino, st.st_ino as u64);
    assert_eq!(u32::from(x.stx_mode) & 0o777, 0o600);
    let by_fd = statx(f, c"", AtFlags::EMPTY_PATH, StatxMask::SIZE).unwrap();
    assert_eq!(by_fd.stx_size, 5);
    assert_eq!(
        fstatat(d, c"missing", AtFlags::empty()).err(),
        Some(Errno::ENOENT)
    );

    // Renames.
    let b = openat(
        d,
        c"b",
        OFlags::CREAT | OFlags::WRONLY | OFlags::CLOEXEC,
        0o600,
    )
    .unwrap();
    close(b).unwrap();
    assert_eq!(
        renameat2(d, c"a", d, c"b", RenameFlags::NOREPLACE),
        Err(Errno::EEXIST)
    );
    renameat2(d, c"a", d, c"b", RenameFlags::EXCHANGE).unwrap();
    assert_eq!(fstatat(d, c"b", AtFlags::empty()).unwrap().st_size, 5);
    renameat2(d, c"b", d, c"c", RenameFlags::empty()).unwrap();

    // Symbolic links.
    std::os::unix::fs::symlink("c", base.join("link")).unwrap();
    let mut target = [0u8; 64];
    assert_eq!(readlinkat(d, c"link", &mut target), Ok(&b"c"[..]));
    let mut short = [0u8; 0];
    assert_eq!(readlinkat(d, c"link", &mut short), Err(Errno::EINVAL));
    assert_eq!(readlinkat(d, c"c", &mut target), Err(Errno::EINVAL));
    let nofollow = fstatat(d, c"link", AtFlags::SYMLINK_NOFOLLOW).unwrap();
    assert_ne!(nofollow.st_ino, st.st_ino);

    // Descriptors.
    let copy = dup(f).unwrap();
    assert_eq!(lseek(copy, SeekFrom::Start(1)), Ok(1));
    // The offset is shared with the original.
    assert_eq!(lseek(f, SeekFrom::Current(0)), Ok(1));
    let high = dup3(f, 900, DupFlags::CLOEXEC).unwrap();
    assert_eq!(high, 900);
    assert_eq!(dup3(high, high, DupFlags::empty()), Err(Errno::EINVAL));
    close_range(900, 900, CloseRangeFlags::empty()).unwrap();
    assert_eq!(close(900), Err(Errno::EBADF));
    assert_eq!(
        close_range(5, 4, CloseRangeFlags::empty()),
        Err(Errno::EINVAL)
    );
    for fd in [copy, f] {
        close(fd).unwrap();
    }

    // The working directory, in a child: it is the whole process's.
    let base_c = c(&base);
    let status = in_child(|| {
        if chdir(&base_c).is_err() {
            return 10;
        }
        if fstatat(AT_FDCWD, c"c", AtFlags::empty()).is_err() {
            return 11;
        }
        let Ok(root) = openat(AT_FDCWD, c"/", OFlags::DIRECTORY | OFlags::CLOEXEC, 0) else {
            return 12;
        };
        if fchdir(root).is_err() || fstatat(AT_FDCWD, c"c", AtFlags::empty()).is_ok() {
            return 13;
        }
        if chdir(c"/nonexistent") != Err(Errno::ENOENT) {
            return 14;
        }
        0
    });
    assert_eq!(status, WaitStatus::Exited(0));

    // Mounts need CAP_SYS_ADMIN: a tmpfs on the test directory if
    // allowed, else EPERM.
    mkdirat(d, c"mnt", 0o755).unwrap();
    let mnt = c(&base.join("mnt"));
    match mount(
        Some(c"none"),
        &mnt,
        Some(c"tmpfs"),
        MountFlags::NOSUID,
        Some(c"size=64k"),
    ) {
        Ok(()) => {
            assert!(
                std::fs::read_dir(base.join("mnt"))
                    .unwrap()
                    .next()
                    .is_none()
            );
            umount2(&mnt, UnmountFlags::empty()).unwrap();
        }
        Err(e) => assert!(matches!(e, Errno::EPERM | Errno::EACCES), "{e}"),
    }
    assert!(matches!(
        umount2(&mnt, UnmountFlags::empty()),
        Err(Errno::EINVAL | Errno::EPERM)
    ));
    close(d).unwrap();
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn write_all_finishes_short_writes() {
    // A non-blocking pipe fills after 64 KiB: write_all then reports
    // EAGAIN, having written exactly what fit.
    let (r, w) = pipe2(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK).unwrap();
    let big = vec![7u8; 1 << 20];
    assert_eq!(write_all(w, &big), Err(Errno::EAGAIN));
    let mut buf = vec![0u8; 1 << 20];
    let n = read(r, &mut buf).unwrap();
    assert!(n > 0 && n < big.len());
    assert!(buf[..n].iter().all(|&b| b == 7));
    assert_eq!(write_all(w, &[]), Ok(()));
    close(r).unwrap();
    close(w).unwrap();
}
