//! The first run without Rust, proven end to end: cargo-dist packages this test run's own binary
//! into the release archive and builds the installers around it, as the release workflow does
//! around the binary it compiles; a loopback server serves them; the generated shell installer,
//! its download address overridden to that server, installs into a temporary prefix; and the
//! installed binary runs. The npm package, pointed at the same server, runs through `npx`.
//!
//! `dist` is Astral's PyPI build of upstream cargo-dist, at the version `dist-workspace.toml`
//! pins, installed into a virtualenv in the test cache. Its `cargo build` is answered by a stand-in
//! cargo that reports the binary this run built, as cargo reports a build (a `--profile dist`
//! build would take many minutes; the release workflow makes that one); everything else dist asks
//! of cargo goes to the real cargo (`cargo metadata` reads every target's dependencies, so it may
//! fetch from crates.io those the host's build did not need). Only 127.0.0.1 is contacted apart
//! from those registries, PyPI for `dist`, and the npm registry for the npm package's dependency.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::support::tools::{self, run};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The value of `key = "…"` in one of the repository's TOML files.
fn setting(file: &str, key: &str) -> String {
    let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
    text.lines()
        .find_map(|line| {
            let value = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| panic!("no {key} in {file}"))
}

/// `dist`, at the version the release uses.
fn dist() -> PathBuf {
    let version = setting("dist-workspace.toml", "cargo-dist-version");
    let venv = tools::pip_venv(
        "dist-venv",
        &format!("astral-dev-toolchain-cargo-dist=={version}"),
    );
    let dist = venv.join("bin/dist");
    let reported = run(Command::new(&dist).arg("--version"), "dist --version");
    assert_eq!(reported.trim(), format!("cargo-dist {version}"));
    dist
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

/// A checkout of what a release is made from, committed (dist's source tarball is the commit).
fn workspace(dir: &Path) -> PathBuf {
    let ws = dir.join("claude-bedrock");
    for path in [
        "Cargo.toml",
        "Cargo.lock",
        "dist-workspace.toml",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "assets",
        ".github",
        "src",
        "benches",
        "tests/it/main.rs",
    ] {
        copy(&Path::new(ROOT).join(path), &ws.join(path));
    }
    let git = |args: &[&str]| {
        run(
            Command::new("git")
                .args(["-c", "user.name=test", "-c", "user.email=test@127.0.0.1"])
                .args([
                    "-c",
                    "commit.gpgsign=false",
                    "-c",
                    "init.defaultBranch=main",
                ])
                .args(args)
                .current_dir(&ws),
            &format!("git {}", args[0]),
        )
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "release"]);
    ws
}

/// The cargo dist runs: `cargo build` reports the prebuilt binary as cargo's JSON messages do;
/// anything else is the real cargo's.
fn stand_in_cargo(dir: &Path, ws: &Path, binary: &Path) -> PathBuf {
    let metadata: serde_json::Value = serde_json::from_str(&run(
        Command::new(real_cargo())
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(ws),
        "cargo metadata",
    ))
    .unwrap();
    let package = &metadata["packages"][0];
    let target = package["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"][0] == "bin")
        .unwrap();
    let messages = [
        serde_json::json!({
            "reason": "compiler-artifact",
            "package_id": package["id"],
            "manifest_path": package["manifest_path"],
            "target": target,
            "profile": {"opt_level": "0", "debuginfo": 0, "debug_assertions": true,
                        "overflow_checks": true, "test": false},
            "features": [],
            "filenames": [binary],
            "executable": binary,
            "fresh": true,
        }),
        serde_json::json!({"reason": "build-finished", "success": true}),
    ];
    let lines: Vec<String> = messages.iter().map(ToString::to_string).collect();
    let messages_file = dir.join("build-messages.json");
    std::fs::write(&messages_file, lines.join("\n") + "\n").unwrap();
    let shim = dir.join("cargo");
    std::fs::write(
        &shim,
        format!(
            "#!/bin/sh\nif [ \"$1\" = build ]; then cat '{}'; exit 0; fi\nexec '{}' \"$@\"\n",
            messages_file.display(),
            real_cargo()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    shim
}

fn real_cargo() -> String {
    std::env::var("CARGO").unwrap_or("cargo".into())
}

/// A static file server on 127.0.0.1 for one directory; it records the paths asked for.
struct Server {
    port: u16,
    requested: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requested = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopped) = (requested.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let (root, log) = (root.clone(), log.clone());
                    std::thread::spawn(move || serve(stream, &root, &log));
                }
            }
        });
        Server {
            port,
            requested,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn requested(&self) -> Vec<String> {
        self.requested.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(mut stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    // The headers are read and ignored.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    log.lock().unwrap().push(path.clone());
    let name = path.trim_start_matches('/');
    let file = (!name.contains("..") && !name.contains('/'))
        .then(|| std::fs::read(root.join(name)).ok())
        .flatten();
    let _ = match file {
        Some(body) => stream
            .write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            )
            .and_then(|()| stream.write_all(&body)),
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ),
    };
}

fn host_target() -> String {
    format!("{}-unknown-linux-gnu", std::env::consts::ARCH)
}

#[test]
fn the_shell_installer_and_npx_install_a_binary_that_runs_from_a_loopback_release() {
    let started = Instant::now();
    let dist = dist();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let ws = workspace(dir);

    // The binary this run built, stripped (what a release binary is; the archive stays small).
    let binary = dir.join("bin/claude-bedrock");
    std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_claude-bedrock"), &binary).unwrap();
    run(Command::new("strip").arg(&binary), "strip");
    let cargo = stand_in_cargo(dir, &ws, &binary);

    let target = host_target();
    let manifest = run(
        Command::new(&dist)
            .args(["build", "--artifacts=all", "--output-format=json"])
            .arg(format!("--target={target}"))
            .current_dir(&ws)
            .env("CARGO", &cargo)
            .env_remove("CARGO_TARGET_DIR"),
        "dist build",
    );
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let built = ws.join("target/distrib");
    let archive = format!("claude-bedrock-{target}.tar.xz");
    for artifact in [
        archive.as_str(),
        "claude-bedrock-installer.sh",
        "claude-bedrock-npm-package.tar.gz",
        "claude-bedrock.rb",
    ] {
        assert!(
            manifest["artifacts"].get(artifact).is_some() && built.join(artifact).exists(),
            "{artifact} was not built: {manifest}"
        );
    }
    let built_in = started.elapsed();

    // The archive: the binary, the completions, the manual pages, the README and the licences.
    let listing = run(
        Command::new("tar").arg("-tJf").arg(built.join(&archive)),
        "tar -t",
    );
    let listed: BTreeSet<&str> = listing
        .lines()
        .filter_map(|l| l.split_once('/').map(|(_, p)| p))
        .collect();
    for file in [
        "claude-bedrock",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "completions/claude-bedrock.bash",
        "completions/_claude-bedrock",
        "completions/claude-bedrock.fish",
        "completions/_claude-bedrock.ps1",
        "completions/claude-bedrock.elv",
        "man/claude-bedrock.1",
        "man/claude-bedrock-doctor.1",
    ] {
        assert!(listed.contains(file), "{file} not in {archive}:\n{listing}");
    }

    // Every download address is made from Cargo.toml's `repository`, the one setting.
    let repository = setting("Cargo.toml", "repository");
    let releases = format!("{repository}/releases/download/v{VERSION}");
    let installer = std::fs::read_to_string(built.join("claude-bedrock-installer.sh")).unwrap();
    let formula = std::fs::read_to_string(built.join("claude-bedrock.rb")).unwrap();
    assert!(installer.contains(&releases), "the installer: {releases}");
    assert!(formula.contains(&releases), "the formula: {releases}");

    // The shell installer, from the loopback server, into a temporary prefix; HOME untouched.
    let server = Server::start(built.clone());
    let home = dir.join("home");
    let prefix = dir.join("prefix/bin");
    std::fs::create_dir_all(&home).unwrap();
    let said = run(
        Command::new("sh")
            .arg(built.join("claude-bedrock-installer.sh"))
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &home)
            .env("CLAUDE_BEDROCK_DOWNLOAD_URL", server.url())
            .env("CLAUDE_BEDROCK_UNMANAGED_INSTALL", &prefix),
        "the shell installer",
    );
    assert!(
        said.contains("claude-bedrock is installed. Next: claude-bedrock setup"),
        "{said}"
    );
    assert!(server.requested().contains(&format!("/{archive}")));
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 0, "HOME written");
    let installed = prefix.join("claude-bedrock");
    let version = run(
        Command::new(&installed).arg("--version"),
        "installed --version",
    );
    assert_eq!(version.trim(), format!("claude-bedrock {VERSION}"));
    let page = run(Command::new(&installed).arg("man"), "installed man");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");

    // The npm package (`npx claude-bedrock …`), its download address pointed at the server.
    let npm = dir.join("npm");
    std::fs::create_dir_all(&npm).unwrap();
    run(
        Command::new("tar")
            .arg("-xzf")
            .arg(built.join("claude-bedrock-npm-package.tar.gz"))
            .current_dir(&npm),
        "tar -x (npm package)",
    );
    let package_json = npm.join("package/package.json");
    let mut package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&package_json).unwrap()).unwrap();
    assert_eq!(package["name"], "claude-bedrock");
    assert_eq!(package["bin"]["claude-bedrock"], "run-claude-bedrock.js");
    assert_eq!(package["artifactDownloadUrls"][0], releases.as_str());
    package["artifactDownloadUrls"] = serde_json::json!([server.url()]);
    std::fs::write(&package_json, package.to_string()).unwrap();
    run(
        Command::new("tar")
            .args(["-czf", "package.tgz", "package"])
            .current_dir(&npm),
        "tar -c (npm package)",
    );
    let said = run(
        Command::new("npx")
            .args(["--yes", "--cache"])
            .arg(npm.join("cache"))
            .arg(format!("--package={}", npm.join("package.tgz").display()))
            .args(["--", "claude-bedrock", "--version"])
            .current_dir(&npm),
        "npx claude-bedrock --version",
    );
    assert!(
        said.lines()
            .any(|l| l.trim() == format!("claude-bedrock {VERSION}")),
        "{said}"
    );
    eprintln!(
        "dist build {:.0} s, install and runs {:.0} s",
        built_in.as_secs_f64(),
        (started.elapsed() - built_in).as_secs_f64()
    );
}

/// The committed workflow is the one dist writes from dist-workspace.toml (the release's plan
/// step refuses a stale one).
#[test]
fn the_release_workflow_is_what_dist_generates() {
    let dist = dist();
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    run(
        Command::new(&dist)
            .args(["generate", "--check"])
            .current_dir(&ws)
            .env_remove("CARGO_TARGET_DIR"),
        "dist generate --check",
    );
    // And the check sees a workflow edited by hand.
    let workflow = ws.join(".github/workflows/release.yml");
    let edited = std::fs::read_to_string(&workflow).unwrap() + "# edited\n";
    std::fs::write(&workflow, edited).unwrap();
    let stale = Command::new(&dist)
        .args(["generate", "--check"])
        .current_dir(&ws)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(!stale.status.success(), "a stale workflow passed the check");
}
