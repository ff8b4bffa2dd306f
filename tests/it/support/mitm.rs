//! A real TLS-intercepting proxy for the network tests: mitmproxy, installed from PyPI into a
//! cached virtualenv on first use and started on a free loopback port with a CA of its own, so
//! that interception is detected from a real handshake.
//!
//! The virtualenv lives in `$CLAUDE_BEDROCK_TEST_CACHE` (else `~/.cache/claude-bedrock-tests`);
//! a file lock makes concurrent test processes install it once. A failed install fails the test
//! loudly: these tests are never skipped.

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The requirement pip resolves; 11.x runs on Python 3.10 and later.
const REQUIREMENT: &str = "mitmproxy>=11,<13";

fn cache_dir() -> PathBuf {
    super::test_cache_dir()
}

/// `mitmdump` in the cached virtualenv, installed if needed.
pub(crate) fn mitmdump() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let cache = cache_dir();
        fs::create_dir_all(&cache)
            .unwrap_or_else(|err| panic!("cannot create {}: {err}", cache.display()));
        let venv = cache.join("mitmproxy-venv");
        let bin = venv.join("bin/mitmdump");
        let marker = venv.join(".installed");
        let lock = File::create(cache.join("mitmproxy.lock")).expect("create the lock file");
        lock.lock().expect("lock the test cache");
        if !marker.exists() {
            let started = Instant::now();
            let _ = fs::remove_dir_all(&venv);
            let python = std::env::var("CLAUDE_BEDROCK_TEST_PYTHON").unwrap_or("python3".into());
            super::tools::run(
                Command::new(&python).args(["-m", "venv"]).arg(&venv),
                "creating the mitmproxy virtualenv",
            );
            super::tools::run(
                Command::new(venv.join("bin/pip")).args([
                    "install",
                    "--disable-pip-version-check",
                    "--no-input",
                    "--quiet",
                    REQUIREMENT,
                ]),
                "pip install mitmproxy",
            );
            assert!(
                bin.exists(),
                "pip installed mitmproxy but {} is missing",
                bin.display()
            );
            fs::write(
                &marker,
                format!(
                    "{REQUIREMENT} in {:.0} s\n",
                    started.elapsed().as_secs_f64()
                ),
            )
            .unwrap();
            eprintln!(
                "installed {REQUIREMENT} into {} in {:.0} s",
                venv.display(),
                started.elapsed().as_secs_f64()
            );
        }
        let _ = lock.unlock();
        bin
    })
    .clone()
}

/// A running mitmdump; killed when dropped.
pub(crate) struct Mitm {
    child: Mutex<Child>,
    pub port: u16,
    /// mitmproxy's CA certificate (PEM), the one it signs intercepted certificates with.
    pub ca_pem: PathBuf,
    _confdir: TempDir,
}

impl Mitm {
    pub(crate) fn start() -> Mitm {
        let bin = mitmdump();
        let confdir = tempfile::tempdir().unwrap();
        let mut child = Command::new(&bin)
            .args([
                "--listen-host",
                "127.0.0.1",
                "--listen-port",
                "0",
                "--ssl-insecure",
            ])
            .args(["--set", &format!("confdir={}", confdir.path().display())])
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", bin.display()));
        let (tx, rx) = mpsc::channel::<String>();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            // Keep draining, so that a chatty mitmdump never blocks on a full pipe.
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(port) = listening_port(&line) {
                        break port;
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("mitmdump did not start listening:\n{}", seen.join("\n"));
                }
            }
        };
        let ca_pem = confdir.path().join("mitmproxy-ca-cert.pem");
        wait_for(&ca_pem);
        Mitm {
            child: Mutex::new(child),
            port,
            ca_pem,
            _confdir: confdir,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// "HTTP(S) proxy listening at 127.0.0.1:44523."
fn listening_port(line: &str) -> Option<u16> {
    let rest = line.split("listening at ").nth(1)?;
    rest.trim()
        .trim_end_matches('.')
        .rsplit(':')
        .next()?
        .parse()
        .ok()
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Mitm {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
