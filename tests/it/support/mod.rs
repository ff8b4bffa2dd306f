//! A sandboxed machine for one test: a temp HOME with `.claude` and `.aws`, a project directory, a
//! managed-settings directory, and an explicit process environment. Nothing of the real machine
//! leaks in: the binary runs with a cleared environment.

#![allow(dead_code)]

pub(crate) mod claude_code;
pub(crate) mod fake_aws;
pub(crate) mod fake_mantle;
pub(crate) mod fake_tls;
pub(crate) mod keys;
pub(crate) mod mitm;
pub(crate) mod tools;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use claude_bedrock::config::settings::SettingsLocations;
use claude_bedrock::config::{EffectiveConfig, Inputs};
use tempfile::TempDir;
use time::OffsetDateTime;
use time::macros::datetime;

/// The instant tests pretend it is, unless they say otherwise.
pub(crate) const NOW: OffsetDateTime = datetime!(2026-11-22 12:00:00 UTC);

pub(crate) struct Sandbox {
    _dir: TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
    pub project: PathBuf,
    pub managed: PathBuf,
    pub env: BTreeMap<String, String>,
    pub profile_flag: Option<String>,
    pub region_flag: Option<String>,
    pub now: OffsetDateTime,
}

impl Sandbox {
    pub(crate) fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let home = root.join("home");
        let project = root.join("project");
        let managed = root.join("managed");
        for d in [&home, &project, &managed] {
            fs::create_dir_all(d).unwrap();
        }
        let mut env = BTreeMap::new();
        env.insert("HOME".to_string(), home.display().to_string());
        // Never let the SDK's credential chain reach for the EC2 metadata service.
        env.insert("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string());
        Sandbox {
            _dir: dir,
            root,
            home,
            project,
            managed,
            env,
            profile_flag: None,
            region_flag: None,
            now: NOW,
        }
    }

    pub(crate) fn env(mut self, name: &str, value: &str) -> Sandbox {
        self.env.insert(name.to_string(), value.to_string());
        self
    }

    pub(crate) fn profile_flag(mut self, profile: &str) -> Sandbox {
        self.profile_flag = Some(profile.to_string());
        self
    }

    pub(crate) fn region_flag(mut self, region: &str) -> Sandbox {
        self.region_flag = Some(region.to_string());
        self
    }

    fn write(&self, path: &Path, contents: &str) -> PathBuf {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
        path.to_path_buf()
    }

    pub(crate) fn user_settings_path(&self) -> PathBuf {
        self.home.join(".claude/settings.json")
    }

    pub(crate) fn user_settings(self, json: &str) -> Sandbox {
        self.write(&self.user_settings_path(), json);
        self
    }

    pub(crate) fn project_settings(self, json: &str) -> Sandbox {
        self.write(&self.project.join(".claude/settings.json"), json);
        self
    }

    pub(crate) fn local_settings(self, json: &str) -> Sandbox {
        self.write(&self.project.join(".claude/settings.local.json"), json);
        self
    }

    pub(crate) fn managed_settings(self, json: &str) -> Sandbox {
        self.write(&self.managed.join("managed-settings.json"), json);
        self
    }

    pub(crate) fn managed_dropin(self, name: &str, json: &str) -> Sandbox {
        self.write(&self.managed.join("managed-settings.d").join(name), json);
        self
    }

    pub(crate) fn aws_config(self, ini: &str) -> Sandbox {
        self.write(&self.home.join(".aws/config"), ini);
        self
    }

    pub(crate) fn aws_credentials(self, ini: &str) -> Sandbox {
        self.write(&self.home.join(".aws/credentials"), ini);
        self
    }

    pub(crate) fn file(self, relative: &str, contents: &str) -> Sandbox {
        self.write(&self.root.join(relative), contents);
        self
    }

    pub(crate) fn inputs(&self) -> Inputs {
        Inputs {
            process_env: self.env.clone(),
            home: Some(self.home.clone()),
            locations: SettingsLocations {
                managed_dir: self.managed.clone(),
                project_dir: self.project.clone(),
                claude_config_dir: self.home.join(".claude"),
            },
            profile_flag: self.profile_flag.clone(),
            region_flag: self.region_flag.clone(),
            now: self.now,
            overrides: Vec::new(),
        }
    }

    /// The effective configuration, resolved in-process.
    pub(crate) fn resolve(&self) -> EffectiveConfig {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(EffectiveConfig::resolve(&self.inputs()))
    }

    /// The binary, with only this sandbox's environment (plus PATH) and its directories.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_claude-bedrock"));
        command
            .env_clear()
            .envs(&self.env)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(&self.project)
            .args(args)
            .arg("--project-dir")
            .arg(&self.project)
            .arg("--managed-settings-dir")
            .arg(&self.managed);
        command
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().expect("run claude-bedrock");
        Run::from(output)
    }
}

pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|err| {
            panic!(
                "stdout is not JSON ({err}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The check with `id` from a doctor JSON report.
    pub(crate) fn check(&self, id: &str) -> serde_json::Value {
        let report = self.json();
        report["checks"]
            .as_array()
            .expect("checks array")
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no check {id} in {}", self.stdout))
    }
}

/// The vendored settings JSON Schema and SchemaStore's sample settings files
/// (`fixtures/schemastore`, see its NOTICE.md).
pub(crate) fn schemastore_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schemastore")
}

/// Where tools the tests install (Claude Code from npm, mitmproxy from PyPI) are cached between
/// runs: `$CLAUDE_BEDROCK_TEST_CACHE`, else `~/.cache/claude-bedrock-tests`, else cargo's
/// per-target temp dir. Outside the repository, so a clean clone stays clean.
pub(crate) fn test_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CLAUDE_BEDROCK_TEST_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => PathBuf::from(home).join(".cache/claude-bedrock-tests"),
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).join("claude-bedrock-tests"),
    }
}
