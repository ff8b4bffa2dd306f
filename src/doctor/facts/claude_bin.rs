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

/// What `claude auth status --json` says: the client's own word on which provider it uses.
/// Only that field is kept (the rest can name an account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthStatus {
    /// `bedrock`, `mantle`, `firstParty`, `vertex`, …
    pub api_provider: String,
}

/// How much of `claude auth status --json` is read: it prints well under 1 KB.
const AUTH_STATUS_KEEP: usize = 16 * 1024;

impl AuthStatus {
    /// The first JSON object in the output, if it names an `apiProvider`.
    pub fn parse(stdout: &str) -> Option<AuthStatus> {
        let start = stdout.find('{')?;
        let mut objects =
            serde_json::Deserializer::from_str(&stdout[start..]).into_iter::<serde_json::Value>();
        let value = objects.next()?.ok()?;
        Some(AuthStatus {
            api_provider: value.get("apiProvider")?.as_str()?.to_string(),
        })
    }
}

/// Runs `claude auth status --json` as the user's shell would start it: the process
/// environment (not the settings' `env`, which the client reads itself), in the project
/// directory, bounded in time and output. It calls no endpoint (measured on 2.1.337); the
/// non-essential traffic switch keeps it that way. It writes its state (`.claude.json`,
/// `backups/`) under its config directory, so it gets a private temporary copy of the user's
/// `settings.json` as that directory: no user file changes.
pub async fn run_auth_status(
    claude: &Claude,
    config: &EffectiveConfig,
    timeout: Duration,
) -> Result<AuthStatus, String> {
    let dir = crate::fsio::private_tempdir("claude-bedrock-auth-")
        .map_err(|err| format!("cannot create a temp directory: {err}"))?;
    // A signal that ends the doctor removes it too (the copied settings may hold a key).
    let _tracked = crate::proc::track_dir(dir.path());
    let config_dir = dir.path().join("config");
    crate::fsio::create_private_dir_all(&config_dir)
        .map_err(|err| format!("cannot create {}: {err}", config_dir.display()))?;
    super::client_run::copy_user_settings(config, &config_dir, &[])?;
    let mut command = Command::new(&claude.path);
    command
        .args(["auth", "status", "--json"])
        .env_clear()
        .envs(&config.process_env)
        .env("CLAUDE_CONFIG_DIR", &config_dir)
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    if config.locations.project_dir.is_dir() {
        command.current_dir(&config.locations.project_dir);
    }
    let keep = crate::proc::Keep {
        stdout: AUTH_STATUS_KEEP,
        stderr_tail: 4096,
    };
    let output = crate::proc::run_bounded(&mut command, None, timeout, keep)
        .await
        .map_err(|err| format!("`claude auth status --json` could not be started: {err}"))?;
    if output.status.is_none() {
        return Err(format!(
            "`claude auth status --json` did not answer within {} s",
            timeout.as_secs()
        ));
    }
    // It exits 1 when not logged in, and still prints its JSON.
    AuthStatus::parse(&String::from_utf8_lossy(&output.stdout)).ok_or_else(|| {
        let said = output
            .last_stderr_line()
            .map(|line| format!(": {}", crate::secret::scrub_text(&line)))
            .unwrap_or_default();
        format!("`claude auth status --json` printed no provider{said}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_status_keeps_the_provider_only() {
        let printed = r#"{
  "loggedIn": true,
  "authMethod": "third_party",
  "apiProvider": "bedrock",
  "analyticsDisabled": true,
  "projectsDirectory": "/home/dev/.claude/projects",
  "configDirectory": "/home/dev/.claude",
  "loginExpiresAt": null
}
"#;
        assert_eq!(
            AuthStatus::parse(printed),
            Some(AuthStatus {
                api_provider: "bedrock".into(),
            })
        );
        assert_eq!(
            AuthStatus::parse("warning: something\n{\"apiProvider\":\"firstParty\"} trailing"),
            Some(AuthStatus {
                api_provider: "firstParty".into(),
            })
        );
        assert_eq!(AuthStatus::parse("Logged in with Bedrock"), None);
        assert_eq!(AuthStatus::parse("{\"loggedIn\":true}"), None);
    }
}
