//! Real Claude Code clients for tests, installed from npm once and cached between runs.
//!
//! The cache is `$CLAUDE_BEDROCK_TEST_CACHE`, else `$HOME/.cache/claude-bedrock-tests`: outside
//! the repository, so a clean clone stays clean, and stable, so a version is downloaded once.
//! Each version gets `<cache>/<version>/`, installed under a file lock (parallel tests wait for
//! one install) and marked complete only when its `claude` runs.
//!
//! Two package shapes exist: old versions (2.1.94, 2.1.96) are plain JS packages whose
//! `node_modules/.bin/claude` is a symlink to `cli.js` with a `#!/usr/bin/env node` line, so
//! `node` must be on the PATH of whoever runs it; current versions (e.g. 2.1.330) are a native
//! binary pulled in by a platform optional dependency and linked by a postinstall script. Those
//! declare node ≥ 22 in `engines`; npm only warns about that and the binary does not need node.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PACKAGE: &str = "@anthropic-ai/claude-code";

/// The cache directory for installed clients.
pub(crate) fn cache_dir() -> PathBuf {
    super::test_cache_dir()
}

/// Installs `@anthropic-ai/claude-code@<version>` (once; later calls reuse it) and returns the
/// path of its `claude` executable. Panics with npm's output when the install fails: a test
/// that needs a real client must not pass without one.
pub(crate) fn install(version: &str) -> PathBuf {
    assert!(
        !version.is_empty()
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')),
        "not a version: {version:?}"
    );
    let cache = cache_dir();
    fs::create_dir_all(&cache)
        .unwrap_or_else(|err| panic!("cannot create the test cache {}: {err}", cache.display()));
    let prefix = cache.join(version);
    let claude = prefix.join("node_modules/.bin/claude");
    let marker = prefix.join(".installed");

    let lock_path = cache.join(format!("{version}.lock"));
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap_or_else(|err| panic!("cannot open {}: {err}", lock_path.display()));
    lock.lock()
        .unwrap_or_else(|err| panic!("cannot lock {}: {err}", lock_path.display()));

    if marker.is_file() && claude.exists() {
        return claude;
    }
    // A half-finished install (interrupted run) is started over.
    if prefix.exists() {
        fs::remove_dir_all(&prefix)
            .unwrap_or_else(|err| panic!("cannot clear {}: {err}", prefix.display()));
    }
    fs::create_dir_all(&prefix).unwrap();
    let started = Instant::now();
    let output = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(&prefix)
        .arg(format!("{PACKAGE}@{version}"))
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .output()
        .unwrap_or_else(|err| panic!("cannot run npm (is Node.js installed?): {err}"));
    assert!(
        output.status.success(),
        "npm install {PACKAGE}@{version} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    check_runs(&claude, version);
    File::create(&marker).unwrap();
    eprintln!(
        "installed {PACKAGE}@{version} into {} in {:.1} s",
        prefix.display(),
        started.elapsed().as_secs_f64()
    );
    drop(lock);
    claude
}

fn check_runs(claude: &Path, version: &str) {
    assert!(
        claude.exists(),
        "npm installed {PACKAGE}@{version} but {} is missing",
        claude.display()
    );
    let output = Command::new(claude)
        .arg("--version")
        .output()
        .unwrap_or_else(|err| panic!("cannot run {}: {err}", claude.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains(version),
        "{} --version printed {stdout:?} ({}); stderr:\n{}",
        claude.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs a real client with nothing but HOME and PATH (plus the two variables that keep it quiet
/// and on loopback), in `cwd`, killing it if it outlives `limit`.
pub(crate) fn run(
    binary: &Path,
    home: &Path,
    cwd: &Path,
    args: &[&str],
    limit: Duration,
) -> Output {
    let mut child = Command::new(binary)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CLAUDE_CODE_MAX_RETRIES", "0")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start claude");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}
