//! Processes the tool starts (a rehearsed `claude`, `claude --version`, a credential chain's
//! helper, `awsCredentialExport`), bounded in time and memory, and ended whole.
//!
//! - Each runs in a session of its own (`setsid`): no controlling terminal (it cannot write to
//!   `/dev/tty` or be stopped by the terminal), and one process group to end.
//! - Its output is read through bounded buffers: the head of stdout (what a caller parses) and
//!   the tail of stderr (its last words); the rest is read and dropped, so a flooding child
//!   neither blocks nor grows the tool's memory.
//! - When it finishes, times out, or a signal ends the tool, its whole tree is ended: its group,
//!   every descendant seen under it, and — on Linux, where the tool is its descendants' child
//!   subreaper — any that left the group with `setsid` and were orphaned.
//! - [`end_everything`] is what a signal runs before the tool exits: every live tree ended, every
//!   temporary directory registered with [`track_dir`] removed.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// What a child left: its status (`None` when it was stopped at the time limit), the head of its
/// stdout and the tail of its stderr.
#[derive(Debug)]
pub(crate) struct Captured {
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    /// More was printed than was kept.
    pub stdout_cut: bool,
    pub stderr_tail: Vec<u8>,
}

impl Captured {
    /// The last non-blank line of stderr, lossily decoded.
    pub(crate) fn last_stderr_line(&self) -> Option<String> {
        String::from_utf8_lossy(&self.stderr_tail)
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
    }
}

/// How much of a child's output is kept.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keep {
    pub stdout: usize,
    pub stderr_tail: usize,
}

/// Runs `command` with `input` on its stdin (or none), for at most `limit`, keeping at most
/// `keep` of its output; its whole process tree is ended when it finishes or is stopped.
pub(crate) async fn run_bounded(
    command: &mut Command,
    input: Option<Vec<u8>>,
    limit: Duration,
    keep: Keep,
) -> std::io::Result<Captured> {
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    own_session(command);
    let (mut child, tree) = spawn_tracked(command)?;
    let stdin = child.stdin.take();
    let feed = tokio::spawn(async move {
        if let (Some(mut stdin), Some(input)) = (stdin, input) {
            // A child that does not read its input is not waited for here.
            let _ = stdin.write_all(&input).await;
        }
    });
    let stdout = tokio::spawn(read_head(child.stdout.take(), keep.stdout));
    let stderr = tokio::spawn(read_tail(child.stderr.take(), keep.stderr_tail));
    let waited = tokio::time::timeout(limit, child.wait()).await;
    // Whatever happened, nothing it started may outlive it; what it left holding its pipes is
    // ended too, so that they close.
    drop(tree);
    feed.abort();
    let status = match waited {
        Ok(status) => Some(status?),
        Err(_) => {
            let _ = child.wait().await;
            None
        }
    };
    let drained = Duration::from_secs(2);
    let (stdout, stdout_cut) = tokio::time::timeout(drained, stdout)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let stderr_tail = tokio::time::timeout(drained, stderr)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    Ok(Captured {
        status,
        stdout,
        stdout_cut,
        stderr_tail,
    })
}

/// The child starts a session of its own: no controlling terminal, its own process group.
fn own_session(command: &mut Command) {
    #[cfg(unix)]
    // SAFETY: between fork and exec only `setsid` runs, which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            rustix::process::setsid()
                .map(|_| ())
                .map_err(std::io::Error::from)
        });
    }
    #[cfg(not(unix))]
    let _ = command;
}

const CHUNK: usize = 64 * 1024;

/// The first `keep` bytes of a stream, the rest read and dropped.
async fn read_head(stream: Option<impl AsyncRead + Unpin + Send>, keep: usize) -> (Vec<u8>, bool) {
    let Some(mut stream) = stream else {
        return (Vec::new(), false);
    };
    let mut kept = Vec::new();
    let mut cut = false;
    let mut chunk = vec![0u8; CHUNK];
    while let Ok(n) = stream.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let room = keep.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..n.min(room)]);
        cut |= n > room;
    }
    (kept, cut)
}

/// The last `keep` bytes of a stream.
async fn read_tail(stream: Option<impl AsyncRead + Unpin + Send>, keep: usize) -> Vec<u8> {
    let Some(mut stream) = stream else {
        return Vec::new();
    };
    let mut tail: std::collections::VecDeque<u8> = std::collections::VecDeque::new();
    let mut chunk = vec![0u8; CHUNK];
    while let Ok(n) = stream.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        tail.extend(&chunk[..n]);
        if tail.len() > keep {
            tail.drain(..tail.len() - keep);
        }
    }
    tail.into()
}

// ---- trees of processes, and what a signal ends ----

/// What must not outlive the tool: the leaders of live process trees, and temporary directories.
struct Live {
    /// Set once a signal is ending the tool: nothing new is started.
    closing: bool,
    leaders: Vec<u32>,
    dirs: Vec<PathBuf>,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    closing: false,
    leaders: Vec::new(),
    dirs: Vec::new(),
});

fn live() -> std::sync::MutexGuard<'static, Live> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A started process tree; dropping it ends the tree.
pub(crate) struct Tree {
    leader: Option<u32>,
}

impl Drop for Tree {
    fn drop(&mut self) {
        let Some(leader) = self.leader else {
            return;
        };
        end_tree(leader);
        live().leaders.retain(|l| *l != leader);
    }
}

/// Spawns `command` (which must start its own session or group) and registers its tree, in one
/// step with a signal's clean-up: a signal either finds it registered or stops it being started.
pub(crate) fn spawn_tracked(
    command: &mut Command,
) -> std::io::Result<(tokio::process::Child, Tree)> {
    become_subreaper();
    let mut live = live();
    if live.closing {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "the tool is being stopped",
        ));
    }
    let child = command.spawn()?;
    let leader = child.id();
    if let Some(leader) = leader {
        live.leaders.push(leader);
    }
    Ok((child, Tree { leader }))
}

/// A temporary directory a signal must remove; dropping the guard forgets it (its owner removes
/// it then).
pub(crate) struct TrackedDir {
    path: PathBuf,
}

impl Drop for TrackedDir {
    fn drop(&mut self) {
        live().dirs.retain(|d| d != &self.path);
    }
}

pub(crate) fn track_dir(path: &Path) -> TrackedDir {
    live().dirs.push(path.to_path_buf());
    TrackedDir {
        path: path.to_path_buf(),
    }
}

/// Ends every live tree and removes every tracked directory; nothing new starts afterwards. A
/// signal's handler runs this just before the tool exits.
pub(crate) fn end_everything() {
    let (leaders, dirs) = {
        let mut live = live();
        live.closing = true;
        (
            std::mem::take(&mut live.leaders),
            std::mem::take(&mut live.dirs),
        )
    };
    for leader in leaders {
        end_tree(leader);
    }
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Makes this process the reaper of its descendants' orphans (Linux), so that a grandchild that
/// left its group with `setsid` still comes back here to be ended.
fn become_subreaper() {
    #[cfg(target_os = "linux")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
        });
    }
}

/// Ends the tree under `leader`: its group, every descendant seen now, then every orphan that
/// came back to this process (none of the live leaders), until none is left.
fn end_tree(leader: u32) {
    kill_group(Some(leader));
    #[cfg(target_os = "linux")]
    {
        let snapshot = linux::processes();
        for pid in linux::descendants(&snapshot, leader) {
            linux::kill(pid);
        }
        let mut keep = live().leaders.clone();
        keep.push(leader);
        linux::reap_orphans(&keep);
    }
}

/// Sends SIGKILL to the process group `group` (the id of its leader). A group that is already
/// gone is not an error.
#[cfg(unix)]
pub(crate) fn kill_group(group: Option<u32>) {
    let Some(pid) = group
        .and_then(|g| i32::try_from(g).ok())
        .and_then(rustix::process::Pid::from_raw)
    else {
        return;
    };
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
}

#[cfg(not(unix))]
pub fn kill_group(_group: Option<u32>) {}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::Read;

    /// One line of `/proc/<pid>/stat`: the fields that place a process in a tree.
    pub(super) struct Process {
        pub pid: u32,
        pub parent: u32,
    }

    /// Every process this user can see.
    pub(super) fn processes() -> Vec<Process> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(stat)
            .collect()
    }

    fn stat(pid: u32) -> Option<Process> {
        let mut text = String::new();
        std::fs::File::open(format!("/proc/{pid}/stat"))
            .ok()?
            .take(4096)
            .read_to_string(&mut text)
            .ok()?;
        // `pid (comm) state ppid pgrp session …`; comm may hold spaces and parentheses.
        let rest = &text[text.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some(Process {
            pid,
            parent: fields.get(1)?.parse().ok()?,
        })
    }

    /// Every process below `root` in `snapshot`.
    pub(super) fn descendants(snapshot: &[Process], root: u32) -> Vec<u32> {
        let mut found = vec![root];
        let mut next = 0;
        while next < found.len() {
            let parent = found[next];
            for p in snapshot.iter().filter(|p| p.parent == parent) {
                if !found.contains(&p.pid) {
                    found.push(p.pid);
                }
            }
            next += 1;
        }
        found.remove(0);
        found
    }

    pub(super) fn kill(pid: u32) {
        if let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        }
    }

    /// Ends and reaps the children of this process that it did not start itself (`keep`: the
    /// leaders it started, reaped by their owners): orphans of its trees, adopted as their
    /// subreaper, and what they started — until none is left (bounded: a second at most).
    pub(super) fn reap_orphans(keep: &[u32]) {
        let me = std::process::id();
        for _ in 0..100 {
            let snapshot = processes();
            let orphans: Vec<u32> = snapshot
                .iter()
                .filter(|p| p.parent == me && !keep.contains(&p.pid))
                .map(|p| p.pid)
                .collect();
            if orphans.is_empty() {
                return;
            }
            for orphan in &orphans {
                for pid in descendants(&snapshot, *orphan) {
                    kill(pid);
                }
                kill(*orphan);
                if let Some(pid) = i32::try_from(*orphan)
                    .ok()
                    .and_then(rustix::process::Pid::from_raw)
                {
                    let _ =
                        rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::NOHANG);
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// Where the shell would find `program` on `path` (the effective PATH, which may differ from this
/// process's own): a name with a `/` is taken as written, relative to the working directory.
pub(crate) fn find_program(program: &str, path: Option<&str>) -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    which::which_in(program, path, cwd).ok()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn keep() -> Keep {
        Keep {
            stdout: 16,
            stderr_tail: 16,
        }
    }

    #[tokio::test]
    async fn output_is_kept_bounded_and_the_child_finishes() {
        let mut command = Command::new("/bin/sh");
        command.args([
            "-c",
            "head -c 5000000 /dev/zero | tr '\\0' a; head -c 3000000 /dev/zero >&2; printf '\\nlast\\n' >&2",
        ]);
        let captured = run_bounded(&mut command, None, Duration::from_secs(20), keep())
            .await
            .unwrap();
        assert!(captured.status.is_some_and(|s| s.success()));
        assert_eq!(captured.stdout, b"aaaaaaaaaaaaaaaa");
        assert!(captured.stdout_cut);
        assert_eq!(captured.stderr_tail.len(), 16);
        assert_eq!(captured.last_stderr_line().as_deref(), Some("last"));
    }

    #[tokio::test]
    async fn a_child_runs_without_a_controlling_terminal() {
        let mut command = Command::new("/bin/sh");
        command.args(["-c", "echo x > /dev/tty && echo wrote || echo refused"]);
        let captured = run_bounded(&mut command, None, Duration::from_secs(20), keep())
            .await
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&captured.stdout).trim(), "refused");
    }

    #[tokio::test]
    async fn a_grandchild_that_left_the_group_is_ended_too() {
        let marker = format!("claude-bedrock-proc-test-{}", std::process::id());
        let mut command = Command::new("/bin/sh");
        // The grandchild starts a session of its own and outlives its parent.
        command.args([
            "-c",
            &format!("setsid sh -c 'exec -a {marker} sleep 300' & sleep 300"),
        ]);
        let captured = run_bounded(&mut command, None, Duration::from_millis(500), keep())
            .await
            .unwrap();
        assert!(captured.status.is_none(), "stopped at the limit");
        let alive = linux::processes().into_iter().any(|p| {
            std::fs::read(format!("/proc/{}/cmdline", p.pid))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&marker))
        });
        assert!(!alive, "the setsid grandchild outlived the run");
    }
}
