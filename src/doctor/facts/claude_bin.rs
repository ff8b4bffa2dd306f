//! The user's `claude` executable: where it is (as the shell would find it), and what
//! `claude --version` says, run with the environment Claude Code will see.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use crate::config::EffectiveConfig;

use crate::doctor::defects::Version;

/// Where the `claude` executable is, and how it was found.
#[derive(Debug, Clone)]
pub struct Claude {
    pub path: PathBuf,
    pub found: &'static str,
}

/// `--claude-bin`, else `claude` on the effective PATH, else the installers' usual places.
pub fn locate(config: &EffectiveConfig, claude_bin: Option<&Path>) -> Result<Claude, String> {
    if let Some(path) = claude_bin {
        return if is_executable(path) {
            Ok(Claude {
                path: path.to_path_buf(),
                found: "--claude-bin",
            })
        } else {
            Err(format!(
                "--claude-bin {} is not an executable file",
                path.display()
            ))
        };
    }
    let on_path = crate::proc::find_program("claude", config.env.get("PATH"));
    if let Some(path) = on_path {
        return Ok(Claude {
            path,
            found: "PATH",
        });
    }
    // The native installer's and the old local installer's homes; a shell alias may point there.
    if let Some(home) = config.home() {
        for relative in [".local/bin/claude", ".claude/local/claude"] {
            let candidate = home.join(relative);
            if is_executable(&candidate) {
                return Ok(Claude {
                    path: candidate,
                    found: "the installer's directory (not on PATH)",
                });
            }
        }
    }
    Err("no `claude` on PATH".into())
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Runs `claude --version` with the effective environment, bounded in time.
pub async fn run_version(
    claude: &Claude,
    config: &EffectiveConfig,
    timeout: Duration,
) -> Result<(Version, String), String> {
    let mut command = Command::new(&claude.path);
    command
        .arg("--version")
        .env_clear()
        .envs(config.env.to_map());
    let keep = crate::proc::Keep {
        stdout: 4096,
        stderr_tail: 4096,
    };
    let output = match crate::proc::run_bounded(&mut command, None, timeout, keep).await {
        Err(err) => return Err(format!("`claude --version` could not be started: {err}")),
        Ok(output) => output,
    };
    let Some(status) = output.status else {
        return Err(format!(
            "`claude --version` did not answer within {} s",
            timeout.as_secs()
        ));
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !status.success() {
        let first = output.last_stderr_line().unwrap_or_default();
        let hint = if status.code() == Some(127) && first.contains("node") {
            " (this `claude` is a Node.js script: `node` must be on PATH)"
        } else {
            ""
        };
        return Err(format!(
            "`claude --version` exited with {status}{hint}: {}",
            crate::secret::scrub_text(&first)
        ));
    }
    let line = stdout.lines().next().unwrap_or("").trim().to_string();
    match Version::parse(&line) {
        Some(version) => Ok((version, line)),
        None => Err(format!(
            "`claude --version` printed no version: \"{}\"",
            crate::secret::scrub_text(&line)
        )),
    }
}
