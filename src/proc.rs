//! Processes the tool starts (a traced `claude`, a credential chain's helper) run in a process
//! group of their own, so that ending one ends everything it started too.

/// Sends SIGKILL to the process group `group` (the id of its leader, started with
/// `process_group(0)`). A group that is already gone is not an error.
#[cfg(unix)]
pub fn kill_group(group: Option<u32>) {
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

/// Where the shell would find `program` on `path` (the effective PATH, which may differ from this
/// process's own): a name with a `/` is taken as written, relative to the working directory.
pub fn find_program(program: &str, path: Option<&str>) -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    which::which_in(program, path, cwd).ok()
}
