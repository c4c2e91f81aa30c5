//! Processes: ids ([`Pid`], [`getpid`], [`getppid`], [`setsid`],
//! [`setpgid`]...), creating them ([`fork`], [`vfork_spawn`]), running
//! programs ([`execve`], [`execvpe`]), waiting for children ([`wait4`],
//! [`waitid`] and [`WaitStatus`]), sending signals ([`kill`], [`tgkill`],
//! [`pidfd_send_signal`]), attributes ([`set_child_subreaper`],
//! [`set_pdeathsig`], [`setrlimit`]), the terminal's foreground group
//! ([`tcsetpgrp`]) and the end ([`exit_group`], [`reboot`]).
//!
//! Together, what an init such as tini needs from the kernel: start the
//! command in its own process group and give it the terminal, forward
//! signals to it, reap every child, and exit with the command's status.
//!
//! # `EINTR`
//!
//! Nothing here retries on `EINTR`. The calls that wait ([`wait4`],
//! [`waitid`]) report it when a signal handler ran, and the caller's loop
//! decides what to do; [`tcsetpgrp`] reports it when `SIGTTOU` ran a
//! handler. The one exception is internal: [`vfork_spawn`] retries the
//! `wait4` that reaps a child whose exec failed, since it must not leave
//! that child behind.

// Pid, the ids, sched_yield and exit_group.
mod id;
// fork.
mod fork;
// vfork_spawn.
mod spawn;
// execve, execveat, execvpe and Arg.
mod exec;
// wait4, waitid, WaitStatus.
mod wait;
// kill, killpg, tgkill, raise, pidfd_open, pidfd_send_signal.
mod kill;
// prctl: subreaper, parent death signal, name, dumpable.
mod prctl;
// tcgetpgrp, tcsetpgrp, isatty.
mod tty;
// getrlimit, setrlimit.
mod limit;
// reboot.
mod reboot;

pub use exec::{Arg, DEFAULT_PATH, env_var, execve, execveat, execvpe};
pub use fork::{Fork, fork};
pub use id::{Pid, exit_group, getpgid, getpid, getppid, gettid, sched_yield, setpgid, setsid};
pub use kill::{PidfdFlags, kill, killpg, pidfd_open, pidfd_send_signal, raise, tgkill};
pub use limit::{Resource, Rlimit, getrlimit, setrlimit};
pub use prctl::{
    child_subreaper, pdeathsig, set_child_subreaper, set_dumpable, set_pdeathsig, set_thread_name,
    thread_name,
};
pub use reboot::{RebootCmd, reboot};
pub use spawn::{SPAWN_STACK_MIN, vfork_spawn, vfork_spawn_on};
pub use tty::{isatty, tcgetpgrp, tcsetpgrp};
pub use wait::{WaitFor, WaitOptions, WaitStatus, wait4, waitid};
