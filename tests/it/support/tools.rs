//! Tools the tests install for themselves into the test cache ([`super::test_cache_dir`]): a PyPI
//! package into a virtualenv of its own (cargo-dist's `dist`), and Debian packages unpacked into
//! a directory (the shells the completions are checked in, groff). Nothing is installed on the
//! system: apt's package lists and downloads are kept in the cache too, and no root is needed.
//!
//! A file lock makes concurrent test processes install once; a marker file, written last, says an
//! install finished (and what it installed). A failed install fails the test: none is skipped.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub(crate) fn run(command: &mut Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{what}: cannot start {command:?}: {err}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `install` into `dir` unless a finished install of `what` is there; under a lock.
fn provision(name: &str, what: &str, install: impl FnOnce(&Path)) -> PathBuf {
    let cache = super::test_cache_dir();
    fs::create_dir_all(&cache)
        .unwrap_or_else(|err| panic!("cannot create {}: {err}", cache.display()));
    let dir = cache.join(name);
    let marker = dir.join(".installed");
    let lock = File::create(cache.join(format!("{name}.lock"))).expect("create the lock file");
    lock.lock().expect("lock the test cache");
    let done = fs::read_to_string(&marker).is_ok_and(|m| m.lines().next() == Some(what));
    if !done {
        let started = Instant::now();
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        install(&dir);
        let seconds = started.elapsed().as_secs_f64();
        fs::write(&marker, format!("{what}\ninstalled in {seconds:.0} s\n")).unwrap();
        eprintln!("installed {what} into {} in {seconds:.0} s", dir.display());
    }
    let _ = lock.unlock();
    dir
}

/// A virtualenv named `name` with `requirement` installed from PyPI; returns its directory.
pub(crate) fn pip_venv(name: &str, requirement: &str) -> PathBuf {
    provision(name, requirement, |venv| {
        let python = std::env::var("CLAUDE_BEDROCK_TEST_PYTHON").unwrap_or("python3".into());
        run(
            Command::new(&python).args(["-m", "venv"]).arg(venv),
            "creating a virtualenv",
        );
        run(
            Command::new(venv.join("bin/pip")).args([
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
                requirement,
            ]),
            &format!("pip install {requirement}"),
        );
    })
}

/// Debian's `packages`, downloaded with apt and unpacked (not installed) into one directory, the
/// root of a small tree (`usr/bin/…`, `usr/lib/…`); returns it.
pub(crate) fn debian(name: &str, packages: &[&str]) -> PathBuf {
    provision(name, &packages.join(" "), |root| {
        let apt = root.join("apt");
        for dir in ["lists/partial", "cache/archives/partial", "debs"] {
            fs::create_dir_all(apt.join(dir)).unwrap();
        }
        // The machine's sources, with lists and downloads of this directory's own.
        let apt_get = || {
            let mut command = Command::new("apt-get");
            command
                .arg("-q")
                .arg(format!(
                    "-oDir::State::Lists={}",
                    apt.join("lists").display()
                ))
                .arg(format!("-oDir::Cache={}", apt.join("cache").display()))
                .arg("-oDebug::NoLocking=1")
                .current_dir(apt.join("debs"));
            command
        };
        run(apt_get().arg("update"), "apt-get update (private lists)");
        run(
            apt_get().arg("download").args(packages),
            &format!("apt-get download {}", packages.join(" ")),
        );
        for deb in fs::read_dir(apt.join("debs")).unwrap() {
            let deb = deb.unwrap().path();
            run(
                Command::new("dpkg-deb").arg("-x").arg(&deb).arg(root),
                &format!("unpacking {}", deb.display()),
            );
        }
        // The lists and packages are not needed once unpacked.
        let _ = fs::remove_dir_all(&apt);
    })
}
