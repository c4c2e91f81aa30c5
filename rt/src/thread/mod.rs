//! Threads, shaped like std's: [`spawn`], [`Builder`], [`JoinHandle`],
//! [`current`], [`sleep`], [`yield_now`], and per-thread values with
//! [`thread_local!`](crate::thread_local).
//!
//! ```ignore
//! use freestand_rt::thread;
//!
//! let h = thread::spawn(|| 6 * 7);
//! assert_eq!(h.join(), 42);
//!
//! let h = thread::Builder::new().name("worker".into()).stack_size(64 * 1024).spawn(|| {
//!     thread::current().name().map(|n| n.len())
//! })?;
//! assert_eq!(h.join(), Some(6));
//! ```
//!
//! # What a thread is
//!
//! A kernel thread made with `clone`, sharing the address space, files,
//! signal handlers and thread group with its process. It runs on a stack
//! of its own ([`Builder::stack_size`], default [`DEFAULT_STACK_SIZE`])
//! with a guard page below and an alternate signal stack, so a stack
//! overflow in any thread prints
//! `freestand: PROG: stack overflow in thread NAME (tid N)` and kills the
//! process, as it does in the main thread. Its thread pointer (`fs` on
//! x86_64, `tp` on riscv64, `tpidr_el0` on aarch64) points at its control
//! block and its copy of the program's ELF TLS segment (`PT_TLS`), so
//! C or assembly code using `__thread` variables works in every thread.
//!
//! # Ending
//!
//! A thread ends when its closure returns: its `thread_local!` values are
//! dropped (in the reverse order of their first use), its heap cache is
//! given back, and [`JoinHandle::join`] returns the closure's value.
//! Dropping a handle detaches the thread, which then frees its own stack.
//! Either way no stack outlives its thread.
//!
//! Returning from `main` ends the process (`exit_group`) whatever other
//! threads are doing, as in C and std. A panic in any thread prints
//! `panicked in thread NAME (tid N) at FILE:LINE:COL:` and ends the
//! process with status 101: nothing unwinds.
//!
//! # Costs
//!
//! A program that never spawns pays nothing: the main thread gets its
//! control block on first use of anything here (or at start-up if the
//! program has a `PT_TLS` segment). A spawn is one `mmap`, two
//! `mprotect`s, two `rt_sigprocmask`s and the `clone`; the new thread adds
//! a `sigaltstack` and a `rt_sigprocmask`.

pub(crate) mod local;
mod spawn;
pub(crate) mod stack;
pub(crate) mod tcb;
pub(crate) mod tls;

#[doc(hidden)]
pub use local::LocalStorage;
pub use local::{AccessError, LocalKey};
pub use stack::{DEFAULT_STACK_SIZE, MIN_STACK_SIZE};

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use core::cell::UnsafeCell;
use core::fmt;
use core::mem::ManuallyDrop;
use core::num::NonZeroU64;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use core::time::Duration;
use freestand_syscalls::Errno;

/// The id number of the main thread.
pub(crate) const MAIN_ID: u64 = 1;

/// Whether a thread was ever spawned.
static SPAWNED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// Whether a thread was ever spawned: messages then name their thread.
pub(crate) fn spawned() -> bool {
    SPAWNED.load(Relaxed)
}

/// Writes `NAME (tid N)` for the thread of `t` (`<unnamed>` for a thread
/// without a name), without allocating: for the panic and overflow
/// reports.
pub(crate) fn push_name(m: &mut crate::msg::Msg<'_>, t: &Tcb) {
    let (name, tid) = name_and_tid(t);
    m.push(name.as_bytes().get(..128).unwrap_or(name.as_bytes()));
    m.push(b" (tid ");
    m.decimal(tid as usize);
    m.push(b")");
}

/// The name reports give the thread of `t` (`<unnamed>` for a thread
/// without one), and its tid.
pub(crate) fn name_and_tid(t: &Tcb) -> (&str, u32) {
    let name: &str = match &t.name {
        Some(n) => n,
        None if t.id == MAIN_ID => "main",
        None => "<unnamed>",
    };
    (name, t.tid.load(Relaxed))
}

/// Brings the calling thread's control block up to date in a child made
/// by [`crate::process::fork`]: its tid is the child's.
pub(crate) fn after_fork_in_child() {
    if let Some(t) = tcb::try_current() {
        let tid = freestand_syscalls::process::gettid() as u32;
        // SAFETY: the calling thread's own block; the child has no other
        // thread.
        unsafe { (*t.as_ptr()).tid.store(tid, Relaxed) };
    }
}

/// The next id number to give out.
static NEXT_ID: AtomicU64 = AtomicU64::new(MAIN_ID + 1);

/// A thread's id: unique for the life of the process, never reused (unlike
/// the kernel's tid).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ThreadId(NonZeroU64);

impl ThreadId {
    /// The number: 1 for the main thread, then counting up in spawn order.
    pub fn as_u64(self) -> NonZeroU64 {
        self.0
    }
}

/// A thread's identity: its id, kernel tid and name.
#[derive(Clone)]
pub struct Thread {
    id: u64,
    tid: i32,
    name: Option<Arc<str>>,
}

impl Thread {
    fn new(id: u64, tid: i32, name: Option<Arc<str>>) -> Thread {
        Thread { id, tid, name }
    }

    /// The thread's [`ThreadId`].
    pub fn id(&self) -> ThreadId {
        ThreadId(NonZeroU64::new(self.id).unwrap_or(NonZeroU64::MIN))
    }

    /// Its kernel thread id (`gettid`), as `/proc` and `tgkill` know it.
    pub fn tid(&self) -> i32 {
        self.tid
    }

    /// Its name: the one given to [`Builder::name`], `"main"` for the
    /// main thread, `None` otherwise.
    pub fn name(&self) -> Option<&str> {
        match &self.name {
            Some(n) => Some(n),
            None if self.id == MAIN_ID => Some("main"),
            None => None,
        }
    }
}

impl fmt::Debug for Thread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thread")
            .field("id", &self.id())
            .field("tid", &self.tid)
            .field("name", &self.name())
            .finish()
    }
}

/// The calling thread.
pub fn current() -> Thread {
    match tcb::try_current() {
        // SAFETY: the calling thread's own block, alive while it runs.
        Some(t) => unsafe {
            let t = &*t.as_ptr();
            Thread::new(t.id, t.tid.load(Relaxed) as i32, t.name.clone())
        },
        // No block yet: no thread was ever spawned, so this is the main one.
        None => Thread::new(MAIN_ID, freestand_syscalls::process::getpid(), None),
    }
}

/// Gives the CPU to another thread that is ready to run (`sched_yield`).
pub fn yield_now() {
    freestand_syscalls::process::sched_yield();
}

/// Sleeps for at least `d`. A signal handler that runs meanwhile does not
/// cut it short: the sleep goes on for the time left.
pub fn sleep(d: Duration) {
    // Only a bad argument could fail, and a `Duration` is always valid.
    let _ = freestand_syscalls::time::nanosleep(d);
}

/// Spawns a thread running `f` and returns its handle.
///
/// # Panics
///
/// If the thread cannot be made (the kernel refused memory or a thread),
/// with the error, as std does; [`Builder::spawn`] returns it instead.
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match Builder::new().spawn(f) {
        Ok(h) => h,
        Err(e) => panic!("failed to spawn thread: {e}"),
    }
}

/// A thread's settings: its name and stack size.
#[derive(Debug, Default)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// The defaults: no name, [`DEFAULT_STACK_SIZE`].
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the thread; panic and overflow messages show the name.
    pub fn name(mut self, name: String) -> Builder {
        self.name = Some(name);
        self
    }

    /// The stack size in bytes, rounded up to whole pages, at least
    /// [`MIN_STACK_SIZE`].
    pub fn stack_size(mut self, size: usize) -> Builder {
        self.stack_size = Some(size);
        self
    }

    /// Spawns a thread running `f`.
    ///
    /// # Errors
    /// What the kernel refused: `ENOMEM` for the stack (a small `ulimit
    /// -v`, say), `EAGAIN` for the thread itself (`RLIMIT_NPROC`, the
    /// system's thread limit).
    pub fn spawn<F, T>(self, f: F) -> Result<JoinHandle<T>, Errno>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let packet = Arc::new(Packet {
            value: UnsafeCell::new(None),
        });
        let theirs = packet.clone();
        let start: Box<dyn FnOnce() + Send> = Box::new(move || {
            let v = f();
            // SAFETY: only this thread writes the value, and the joiner
            // reads it only after this thread has ended.
            unsafe { *theirs.value.get() = Some(v) };
        });
        let id = NEXT_ID.fetch_add(1, Relaxed);
        SPAWNED.store(true, Relaxed);
        let size = self.stack_size.unwrap_or(DEFAULT_STACK_SIZE);
        spawn::spawn(id, self.name.map(Arc::from), size, start, packet)
    }
}

/// Where a thread leaves its closure's value for the joiner.
pub(crate) struct Packet<T> {
    value: UnsafeCell<Option<T>>,
}

// SAFETY: the value is written by the thread and read by the joiner after
// the thread has ended (the kernel's tid-word clear orders the two).
unsafe impl<T: Send> Sync for Packet<T> {}

/// A spawned thread: join it for its value, or drop it to detach.
pub struct JoinHandle<T> {
    tcb: NonNull<Tcb>,
    thread: Thread,
    packet: Arc<Packet<T>>,
}

use tcb::Tcb;

// SAFETY: the handle only reaches the thread's control block through its
// atomics, and the packet as `Packet` allows.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` gives only `thread()`, plain data.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// The thread.
    pub fn thread(&self) -> &Thread {
        &self.thread
    }

    /// Whether the thread has ended.
    pub fn is_finished(&self) -> bool {
        // SAFETY: the block stays mapped while the handle exists.
        unsafe {
            (*self.tcb.as_ptr())
                .tid
                .load(core::sync::atomic::Ordering::Acquire)
                == 0
        }
    }

    /// Waits for the thread to end and returns its closure's value.
    pub fn join(self) -> T {
        let me = ManuallyDrop::new(self);
        // SAFETY: the handle is consumed here, once; the block is mapped
        // until `release` frees it.
        unsafe {
            spawn::wait_for_end(me.tcb);
            spawn::release(me.tcb);
        }
        // SAFETY: the handle's fields are moved out once; `me` is not
        // dropped.
        let (packet, thread) =
            unsafe { (core::ptr::read(&me.packet), core::ptr::read(&me.thread)) };
        drop(thread);
        // SAFETY: the thread has ended: nothing else touches the value.
        match unsafe { (*packet.value.get()).take() } {
            Some(v) => v,
            // A thread that did not return would have ended the process
            // (a panic exits); only a bug brings us here.
            None => crate::heap::fatal(b"BUG(freestand): a joined thread left no value"),
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: the handle is being dropped, once.
        unsafe { spawn::release(self.tcb) }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("thread", &self.thread)
            .finish()
    }
}
