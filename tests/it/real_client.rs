//! The program the settings are for: the real Claude Code, installed from npm, reads what
//! `setup --yes` wrote and calls the fake AWS with the pinned models and the configured auth.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use crate::support::Sandbox;
use crate::support::claude_code;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario, bearer_key};

/// The current Claude Code release these tests pin (and `data/claude-code-observed.json` observes).
pub const CURRENT: &str = "2.1.337";

const OPUS: &str = "us.anthropic.claude-opus-4-6-v1";
const SONNET: &str = "us.anthropic.claude-sonnet-4-6";
const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

fn claude(binary: &Path, sandbox: &Sandbox, args: &[&str], limit: Duration) -> Output {
    claude_code::run(binary, &sandbox.home, &sandbox.project, args, limit)
}

fn setup(sandbox: &Sandbox, auth: &[&str]) {
    let mut args = vec![
        "setup",
        "--yes",
        "--region",
        "us-east-1",
        "--opus",
        OPUS,
        "--sonnet",
        SONNET,
        "--haiku",
        HAIKU,
    ];
    args.extend_from_slice(auth);
    let result = sandbox.run(&args);
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
}

fn check_tiers(binary: &Path, sandbox: &Sandbox, fake: &FakeAws, scheme: &str) {
    for (alias, expected) in [("opus", OPUS), ("sonnet", SONNET), ("haiku", HAIKU)] {
        let before = fake.seen().len();
        let output = claude(
            binary,
            sandbox,
            &["-p", "Reply with one word.", "--model", alias],
            Duration::from_secs(90),
        );
        let seen = fake.seen()[before..].to_vec();
        let streamed: Vec<_> = seen
            .iter()
            .filter(|s| s.operation == "InvokeModelWithResponseStream")
            .collect();
        assert!(
            streamed
                .iter()
                .any(|s| s.model.as_deref() == Some(expected)),
            "--model {alias}: the client did not stream from {expected}; it called {:?}\nstdout: {}\nstderr: {}",
            seen.iter()
                .map(|s| format!("{} {:?}", s.operation, s.model))
                .collect::<Vec<_>>(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        for call in &seen {
            assert_eq!(
                call.auth_scheme, scheme,
                "--model {alias}: {} {:?}",
                call.operation, call.model
            );
            assert!(
                call.auth_ok,
                "--model {alias}: the fake rejected the client's {scheme} auth on {}",
                call.operation
            );
        }
    }
}

fn auth_status(binary: &Path, sandbox: &Sandbox) -> serde_json::Value {
    let output = claude(
        binary,
        sandbox,
        &["auth", "status"],
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let start = stdout
        .find('{')
        .unwrap_or_else(|| panic!("no JSON from `claude auth status`: {stdout}"));
    serde_json::from_str(&stdout[start..])
        .unwrap_or_else(|e| panic!("`claude auth status` printed {stdout}: {e}"))
}

#[test]
fn claude_code_calls_the_pinned_models_with_a_profile_setup_wrote() {
    let binary = claude_code::install(CURRENT);
    let fake = FakeAws::start(Scenario::healthy());
    // Only the endpoint is seeded; setup writes the rest, and must keep this line.
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(&format!(
            r#"{{"env":{{"ANTHROPIC_BEDROCK_BASE_URL":"{}"}}}}"#,
            fake.url
        ))
        .aws_credentials(&format!(
            "[dev]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ));
    setup(&sandbox, &["--auth", "profile", "--profile", "dev"]);
    check_tiers(&binary, &sandbox, &fake, "sigv4");
    let status = auth_status(&binary, &sandbox);
    assert_eq!(status["apiProvider"], "bedrock", "{status}");
}

#[test]
fn claude_code_sends_the_bearer_key_setup_wrote() {
    let binary = claude_code::install(CURRENT);
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("AWS_BEARER_TOKEN_BEDROCK", &bearer_key())
        .user_settings(&format!(
            r#"{{"env":{{"ANTHROPIC_BEDROCK_BASE_URL":"{}"}}}}"#,
            fake.url
        ));
    setup(&sandbox, &["--auth", "bearer"]);
    // The key now lives in the user settings; the client gets only HOME and PATH.
    check_tiers(&binary, &sandbox, &fake, "bearer");
    assert_eq!(auth_status(&binary, &sandbox)["apiProvider"], "bedrock");
}

/// The doctor and setup read a settings file as the real client does: a non-string `env` value
/// applies (as text), and setup edits such a file without touching it; a validated key of the
/// wrong type makes the client — and the doctor — drop the whole file.
#[test]
fn the_doctor_reads_odd_settings_files_as_the_client_does() {
    let binary = claude_code::install(CURRENT);
    let sandbox = Sandbox::new().user_settings(
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":1,"AWS_REGION":"us-west-2","KEEP_ME":true}}"#,
    );
    assert_eq!(auth_status(&binary, &sandbox)["apiProvider"], "bedrock");
    let provider = sandbox
        .run(&["doctor", "--offline", "--json"])
        .check("provider");
    assert_eq!(provider["status"], "pass", "{provider}");
    let run = sandbox.run(&[
        "setup",
        "--yes",
        "--no-probe",
        "--auth",
        "env",
        "--opus",
        OPUS,
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("not a string"), "{}", run.stdout);
    let written = std::fs::read_to_string(sandbox.user_settings_path()).unwrap();
    assert!(
        written.contains("\"CLAUDE_CODE_USE_BEDROCK\":1") && written.contains("\"KEEP_ME\":true"),
        "{written}"
    );
    assert_eq!(auth_status(&binary, &sandbox)["apiProvider"], "bedrock");

    let ignored = Sandbox::new().user_settings(
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-west-2"},"model":5}"#,
    );
    assert_ne!(auth_status(&binary, &ignored)["apiProvider"], "bedrock");
    let run = ignored.run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.check("settings.files")["status"], "fail");
    assert_eq!(run.check("provider")["status"], "fail", "{}", run.stdout);
}
