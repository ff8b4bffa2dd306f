//! The rehearsal's relay holds the user's credentials while the client runs: it must sign for no
//! one else, forward nothing but the client's own Bedrock calls, and let no input decide the
//! doctor's memory; a signal must leave no process and no copied key behind.
//!
//! The client here is either the real current Claude Code (held at a gate so that a stranger can
//! act during the rehearsal) or a stand-in (`support/standin_claude.py`) that sends what a test
//! asks for through the relay it was given, then waits to be let go.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::real_client::CURRENT;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario};
use crate::support::{Run, Sandbox, claude_code};

const OPUS: &str = "us.anthropic.claude-opus-4-6-v1";
const SONNET: &str = "us.anthropic.claude-sonnet-4-6";
const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

/// The doctor's memory may never pass this, whatever the client or an endpoint sends: a few
/// bodies at their bounds (4 MB in, 2 MB out) over the tool's own ~30 MB.
const PEAK_RSS_BOUND_KB: u64 = 100 * 1024;

fn machine(base_url: &str, sts_url: &str, extra: &[(&str, &str)]) -> Sandbox {
    let mut env = json!({
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": "us-east-1",
        "ANTHROPIC_BEDROCK_BASE_URL": base_url,
        "ANTHROPIC_DEFAULT_OPUS_MODEL": OPUS,
        "ANTHROPIC_DEFAULT_SONNET_MODEL": SONNET,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": HAIKU,
    });
    for (name, value) in extra {
        env[*name] = json!(value);
    }
    let tmp = tempfile::tempdir().unwrap().keep();
    Sandbox::new()
        .env("AWS_ENDPOINT_URL", sts_url)
        // The rehearsal's temporary directory lands here, where the tests can look for it.
        .env("TMPDIR", tmp.to_str().unwrap())
        .env("XDG_CACHE_HOME", tmp.join("cache").to_str().unwrap())
        .user_settings(&json!({ "env": env }).to_string())
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
}

fn executable(path: &Path, text: &str) -> PathBuf {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

fn standin(sandbox: &Sandbox) -> PathBuf {
    executable(
        &sandbox.root.join("claude"),
        include_str!("support/standin_claude.py"),
    )
}

fn start_doctor(sandbox: &Sandbox, claude: &Path, extra: &[&str]) -> Child {
    let mut args = vec![
        "doctor",
        "--json",
        "--no-cache",
        "--timeout",
        "10",
        "--claude-bin",
        claude.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    sandbox
        .command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the doctor")
}

fn finish(child: Child) -> Run {
    Run::from(child.wait_with_output().expect("wait for the doctor"))
}

fn wait_for(path: &Path, what: &str, limit: Duration) {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The peak resident memory of a live process, in kB (`VmHWM`).
fn peak_rss_kb(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// The loopback ports a process listens on, found as any process of the same user can: its
/// socket inodes in `/proc/<pid>/fd`, matched in `/proc/net/tcp`.
fn listening_ports(pid: u32) -> Vec<u16> {
    let inodes: Vec<String> = fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| fs::read_link(e.path()).ok())
                .filter_map(|l| {
                    l.to_str()?
                        .strip_prefix("socket:[")?
                        .strip_suffix(']')
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    let table = fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
            (*state == "0A" && inodes.iter().any(|i| i == inode))
                .then(|| u16::from_str_radix(local.rsplit(':').next()?, 16).ok())
                .flatten()
        })
        .collect()
}

/// A raw HTTP/1.1 request from another process's point of view; the status it got.
fn stranger_request(port: u16, request: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    let _ = stream.take(4096).read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

const FORGED_SIGNATURE: &str = "AWS4-HMAC-SHA256 Credential=AKIDSTRANGER/20261207/us-west-2/sts/aws4_request, SignedHeaders=host, Signature=0000";

/// What a stranger tries while the doctor rehearses: model calls, profile reads, `..` paths, a
/// foreign signing scope and extra headers; each must be refused by the relay itself.
fn strangers_attempts(port: u16) -> Vec<(String, Option<u16>)> {
    let turn =
        json!({"max_tokens": 8, "messages": [{"role": "user", "content": "stranger"}]}).to_string();
    let requests = [
        format!("POST /model/us.anthropic.stranger-model/invoke-with-response-stream HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: {FORGED_SIGNATURE}\r\nx-amz-target: AWSSecurityTokenServiceV20110615.AssumeRole\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{turn}", turn.len()),
        format!("POST /model/{OPUS}/invoke-with-response-stream HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: {FORGED_SIGNATURE}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{turn}", turn.len()),
        format!("GET /inference-profiles/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fstranger HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: {FORGED_SIGNATURE}\r\nconnection: close\r\n\r\n"),
        "GET /inference-profiles?type=SYSTEM_DEFINED HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n".to_string(),
        format!("GET /../../inference-profiles HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: {FORGED_SIGNATURE}\r\nconnection: close\r\n\r\n"),
        format!("GET /0000000000000000000000000000000000000000000000000000000000000000/inference-profiles HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: {FORGED_SIGNATURE}\r\nproxy-authorization: Basic c3RyYW5nZXI=\r\nconnection: close\r\n\r\n"),
    ];
    requests
        .into_iter()
        .map(|request| {
            let line = request.lines().next().unwrap_or("").to_string();
            (line, stranger_request(port, &request))
        })
        .collect()
}

/// A stranger during a rehearsal of the real client: refused by the relay, never seen by the
/// account, absent from the verdicts and from the cache — in a failing setup (where one injected
/// answer would flip the verdict) and in a working one (whose rehearsal is cached).
#[test]
fn a_stranger_during_the_rehearsal_gets_nothing_signed_and_changes_nothing() {
    let real = claude_code::install(CURRENT);
    for working in [false, true] {
        let rules = if working {
            json!([])
        } else {
            json!([{ "operation": "InvokeModelWithResponseStream", "status": 403, "type": "AccessDeniedException",
                     "message": "You don't have access to the model with the specified model ID.", "when": {"real_turn": true} }])
        };
        let fake = FakeAws::start(serde_json::from_value(json!({ "rules": rules })).unwrap());
        let sandbox = machine(&fake.url, &fake.url, &[]);
        let ready = sandbox.root.join("ready");
        let go = sandbox.root.join("go");
        // The real client, held at a gate until the stranger has tried.
        let gated = executable(
            &sandbox.root.join("claude"),
            &format!(
                "#!/bin/sh\nif [ \"$1\" = --version ] || [ \"$1\" = auth ]; then exec {real} \"$@\"; fi\ntouch {ready}\nwhile [ ! -e {go} ]; do sleep 0.05; done\nexec {real} \"$@\"\n",
                real = real.display(),
                ready = ready.display(),
                go = go.display()
            ),
        );
        let child = start_doctor(&sandbox, &gated, &[]);
        let pid = child.id();
        wait_for(&ready, "the rehearsal", Duration::from_secs(60));
        let ports = listening_ports(pid);
        assert!(!ports.is_empty(), "the relay listens while the client runs");
        for port in &ports {
            for (request, status) in strangers_attempts(*port) {
                assert_eq!(status, Some(403), "{request} on the relay's port {port}");
            }
        }
        fs::write(&go, "").unwrap();
        let run = finish(child);
        // The account never saw the stranger: every request it got is the client's or the
        // doctor's own, signed for us-east-1 by `bedrock` (or STS's own).
        for seen in fake.seen() {
            assert!(
                !seen.path.contains("stranger")
                    && !seen.body.contains("stranger")
                    && !seen
                        .headers
                        .iter()
                        .any(|h| h == "x-amz-target" || h == "proxy-authorization"),
                "a stranger's request reached the account: {seen:?}"
            );
            assert_eq!(
                seen.signing_region.as_deref(),
                Some("us-east-1"),
                "{seen:?}"
            );
            assert!(seen.auth_ok, "{seen:?}");
        }
        let models = run.check("client.models");
        let requests = run.check("client.requests");
        let expected = if working { "pass" } else { "fail" };
        assert_eq!(models["status"], expected, "{models}");
        assert_eq!(run.code, if working { 0 } else { 1 }, "{}", run.stdout);
        assert!(
            !run.stdout.contains("stranger"),
            "the stranger's requests are in the report: {}",
            run.stdout
        );
        assert!(!requests.to_string().contains("stranger"));
        if working {
            let cache = sandbox.env["XDG_CACHE_HOME"].clone();
            let cached: Vec<PathBuf> = fs::read_dir(Path::new(&cache).join("claude-bedrock"))
                .expect("the working rehearsal was cached")
                .flatten()
                .map(|e| e.path())
                .collect();
            assert!(!cached.is_empty());
            for file in cached {
                let text = fs::read_to_string(&file).unwrap();
                assert!(!text.contains("stranger"), "{}: {text}", file.display());
            }
        }
    }
}

/// Everything the client sends goes on bounded and canonical, or not at all: a 200 MB chunked
/// body and a 3 MB probe, 30,000 system blocks, bodies that are not Messages API requests, a
/// truncated body, `..` paths, a foreign signing scope and extra headers; and a client that
/// floods its stdout. The doctor's memory stays under the bound throughout.
#[test]
fn nothing_the_client_sends_decides_what_is_forwarded_or_the_memory() {
    let fake = FakeAws::start(Scenario::healthy());
    let report = tempfile::NamedTempFile::new().unwrap();
    let sandbox = machine(&fake.url, &fake.url, &[]);
    let ready = sandbox.root.join("ready");
    let go = sandbox.root.join("go");
    let sandbox = sandbox
        .env(
            "STANDIN_PLAN",
            "probe,huge,big-probe,blocks,no-messages,empty,legacy,truncated,dotdot,dotdot-raw,foreign-scope,extra-headers,flood:400",
        )
        .env("STANDIN_REPORT", report.path().to_str().unwrap())
        .env("STANDIN_READY", ready.to_str().unwrap())
        .env("STANDIN_GO", go.to_str().unwrap());
    let claude = standin(&sandbox);
    let child = start_doctor(&sandbox, &claude, &[]);
    let pid = child.id();
    wait_for(&ready, "the stand-in's requests", Duration::from_secs(120));
    let peak = peak_rss_kb(pid);
    fs::write(&go, "").unwrap();
    let run = finish(child);
    eprintln!("doctor peak RSS with a flooding, oversized client: {peak} kB");
    assert!(
        peak < PEAK_RSS_BOUND_KB,
        "the doctor's memory reached {peak} kB"
    );
    run.json();
    let statuses: Value =
        serde_json::from_str(&fs::read_to_string(report.path()).unwrap()).unwrap();
    assert_eq!(statuses["probe"], 200, "{statuses}");
    assert_eq!(statuses["big-probe"], 200, "{statuses}");
    assert_eq!(statuses["blocks"], 200, "{statuses}");
    assert!(
        statuses["huge"] == 413 || statuses["huge"].is_null(),
        "{statuses}"
    );
    for refused in ["no-messages", "empty", "legacy"] {
        assert_eq!(statuses[refused], 400, "{refused}: {statuses}");
    }
    for refused in ["dotdot", "dotdot-raw"] {
        assert_eq!(statuses[refused], 404, "{refused}: {statuses}");
    }
    assert_eq!(statuses["foreign-scope"], 403, "{statuses}");
    assert_eq!(statuses["extra-headers"], 200, "{statuses}");
    let seen = fake.seen();
    let model_calls: Vec<_> = seen
        .iter()
        .filter(|s| s.operation.starts_with("Invoke"))
        .collect();
    // probe, big-probe, blocks and extra-headers, plus the doctor's own probes.
    assert!(model_calls.len() >= 4, "{model_calls:?}");
    // The doctor's own identity call goes to STS; everything else came through the relay.
    for call in seen.iter().filter(|s| s.operation != "GetCallerIdentity") {
        assert!(call.auth_ok, "{call:?}");
        assert_ne!(call.operation, "Unknown", "{call:?}");
        assert!(!call.path.contains(".."), "{call:?}");
        assert_ne!(call.signing_service.as_deref(), Some("sts"), "{call:?}");
        assert_ne!(
            call.signing_region.as_deref(),
            Some("us-west-2"),
            "{call:?}"
        );
        assert!(
            !call
                .headers
                .iter()
                .any(|h| h == "x-amz-target" || h == "proxy-authorization" || h == "x-stranger"),
            "{call:?}"
        );
        assert!(
            call.body.len() <= 16 * 1024,
            "{} bytes: {}",
            call.body.len(),
            call.path
        );
        assert!(!call.body.contains("max_tokens_to_sample"), "{call:?}");
    }
}

/// A tiny HTTP server that answers every request with a body that never ends.
fn endless_server() -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        for stream in listener.incoming().take(64) {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut head = [0u8; 8192];
                let _ = stream.read(&mut head);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
                );
                let chunk = vec![b'['; 64 * 1024];
                let frame = [
                    format!("{:x}\r\n", chunk.len()).into_bytes(),
                    chunk,
                    b"\r\n".to_vec(),
                ]
                .concat();
                while stream.write_all(&frame).is_ok() {}
            });
        }
    });
    (url, handle)
}

/// An endpoint whose answers never end: the relay, and the doctor's own calls, stop reading at
/// the bound; the report is still produced and memory stays under the bound.
#[test]
fn an_endless_answer_is_cut_off_and_the_report_still_comes() {
    let fake = FakeAws::start(Scenario::healthy());
    let (endless, _server) = endless_server();
    let sandbox = machine(&endless, &fake.url, &[]);
    let ready = sandbox.root.join("ready");
    let go = sandbox.root.join("go");
    let report = tempfile::NamedTempFile::new().unwrap();
    let sandbox = sandbox
        .env("STANDIN_PLAN", "probe,big-probe")
        .env("STANDIN_REPORT", report.path().to_str().unwrap())
        .env("STANDIN_READY", ready.to_str().unwrap())
        .env("STANDIN_GO", go.to_str().unwrap());
    let claude = standin(&sandbox);
    let child = start_doctor(&sandbox, &claude, &[]);
    let pid = child.id();
    wait_for(&ready, "the stand-in's requests", Duration::from_secs(120));
    let peak = peak_rss_kb(pid);
    fs::write(&go, "").unwrap();
    let run = finish(child);
    eprintln!("doctor peak RSS against an endless endpoint: {peak} kB");
    assert!(
        peak < PEAK_RSS_BOUND_KB,
        "the doctor's memory reached {peak} kB"
    );
    let statuses: Value =
        serde_json::from_str(&fs::read_to_string(report.path()).unwrap()).unwrap();
    assert_eq!(
        statuses["probe"], 502,
        "the relay answers what it could not read: {statuses}"
    );
    let list = run.check("iam.list-inference-profiles");
    assert_eq!(list["status"], "fail", "{list}");
}

fn alive_with(marker: &str) -> Vec<u32> {
    fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
                && !fs::read_to_string(format!("/proc/{pid}/stat"))
                    .unwrap_or_default()
                    .contains(") Z ")
        })
        .collect()
}

fn leftovers(tmp: &str) -> Vec<String> {
    fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("claude-bedrock-trace-"))
        .collect()
}

/// SIGTERM during the rehearsal, with a client that hangs and one whose grandchild left its
/// group with `setsid`: the doctor exits 143, and leaves no process and no temporary directory
/// (the one holding the copied settings and key).
#[test]
fn a_signal_during_the_rehearsal_leaves_no_process_and_no_key_behind() {
    let fake = FakeAws::start(Scenario::healthy());
    for (name, body) in [
        ("hangs", "sleep {marker}"),
        ("escapes", "setsid sh -c 'sleep {marker}' &\nsleep {marker}"),
    ] {
        let sandbox = machine(&fake.url, &fake.url, &[]).user_settings(&format!(
            r#"{{"env":{{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_BEDROCK_BASE_URL":"{}","AWS_BEARER_TOKEN_BEDROCK":"{}"}}}}"#,
            fake.url,
            crate::support::fake_aws::bearer_key()
        ));
        // A duration no other process has: the marker of this test's sleepers.
        let marker = format!("{}.{}31415", 300 + std::process::id() % 600, name.len());
        let ready = sandbox.root.join("ready");
        let claude = executable(
            &sandbox.root.join("claude"),
            &format!(
                "#!/bin/sh\nif [ \"$1\" = --version ]; then echo '2.1.337 (Claude Code)'; exit 0; fi\nif [ \"$1\" = auth ]; then echo '{{\"apiProvider\":\"bedrock\"}}'; exit 0; fi\ntouch {}\n{}\n",
                ready.display(),
                body.replace("{marker}", &marker)
            ),
        );
        let tmp = sandbox.env["TMPDIR"].clone();
        let child = start_doctor(&sandbox, &claude, &[]);
        wait_for(&ready, "the rehearsal", Duration::from_secs(60));
        // The grandchild is up before the signal.
        let started = Instant::now();
        while alive_with(&marker).len() < if name == "escapes" { 2 } else { 1 } {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{name}: the client's sleepers"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        assert_eq!(
            leftovers(&tmp).len(),
            1,
            "{name}: the rehearsal's directory exists meanwhile"
        );
        rustix::process::kill_process(
            rustix::process::Pid::from_raw(child.id() as i32).unwrap(),
            rustix::process::Signal::TERM,
        )
        .unwrap();
        let run = finish(child);
        assert_eq!(run.code, 143, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("doctor interrupted"),
            "{name}: {}",
            run.stderr
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        while !alive_with(&marker).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            alive_with(&marker).is_empty(),
            "{name}: a process outlived the doctor"
        );
        assert!(
            leftovers(&tmp).is_empty(),
            "{name}: {:?} left in {tmp}",
            leftovers(&tmp)
        );
    }
}

/// A rehearsal cache that another user could have written is neither read nor written.
#[test]
fn a_cache_others_can_write_is_not_trusted() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = machine(&fake.url, &fake.url, &[]);
    let cache = Path::new(&sandbox.env["XDG_CACHE_HOME"]).join("claude-bedrock");
    fs::create_dir_all(&cache).unwrap();
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o777)).unwrap();
    let claude = standin(&sandbox);
    let run = sandbox.run(&[
        "doctor",
        "--json",
        "-v",
        "--timeout",
        "10",
        "--claude-bin",
        claude.to_str().unwrap(),
    ]);
    run.json();
    assert!(
        fs::read_dir(&cache).unwrap().next().is_none(),
        "nothing was written into a directory others may write to"
    );
    assert!(
        run.stdout.contains("others may write to it (mode 777)"),
        "the reason is given: {}",
        run.stdout
    );
    // A private directory, but an entry that is not the user's own: not read.
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o700)).unwrap();
    let run = sandbox.run(&[
        "doctor",
        "--json",
        "--timeout",
        "10",
        "--claude-bin",
        claude.to_str().unwrap(),
    ]);
    let written: Vec<PathBuf> = fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(
        written.len(),
        1,
        "a working rehearsal is cached: {}",
        run.stdout
    );
    let entry = &written[0];
    // Another owner: as root, another uid; otherwise a link, which is refused the same way.
    if rustix::process::geteuid().is_root() {
        std::os::unix::fs::chown(entry, Some(65534), None).unwrap();
    } else {
        let moved = entry.with_extension("elsewhere");
        fs::rename(entry, &moved).unwrap();
        std::os::unix::fs::symlink(&moved, entry).unwrap();
    }
    let run = sandbox.run(&[
        "doctor",
        "--json",
        "--timeout",
        "10",
        "--claude-bin",
        claude.to_str().unwrap(),
    ]);
    let models = run.check("client.models");
    assert!(
        !models.to_string().contains("cached"),
        "a foreign entry is not read: {models}"
    );
}
