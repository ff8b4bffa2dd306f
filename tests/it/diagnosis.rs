//! The doctor as a diagnosis: for one thing wrong, one problem, its fix and the `--fix` hint on
//! one screen, the fix in the last lines. Each single-cause scenario of the fake is snapshotted
//! at 100 columns (reviewed in a terminal before it was accepted), and held to the targets: a
//! healthy setup in 20 lines, one cause in 40, a fresh machine in 25 ending with
//! `claude-bedrock setup`; `summary.causes` is 1 with and without the client; no raw `\n`, Rust
//! `Debug` or HTML reaches a person; pure ASCII under `LANG=C`.

use serde_json::{Value, json};

use crate::live::sandbox_for;
use crate::support::fake_aws::{FakeAws, Scenario};
use crate::support::fake_mantle::{FakeMantle, MantleScenario};
use crate::support::{Run, Sandbox};

fn shown(name: &str, text: &str) {
    insta::with_settings!({
        filters => vec![
            (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
            (r"\b\d+ ms\b", "[N] ms"),
            (r"\b\d+\.\d s\b", "[N] s"),
            (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]"),
        ],
        prepend_module_to_snapshot => false,
        omit_expression => true,
        snapshot_path => "snapshots/diagnosis",
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The human report of `sandbox`, the JSON report of the same machine, and `-q`.
struct Diagnosis {
    human: Run,
    json: Value,
    quiet: Run,
}

fn diagnose(sandbox: &Sandbox, extra: &[&str]) -> Diagnosis {
    let args = |more: &'static str| -> Vec<String> {
        let mut args: Vec<String> = ["doctor", "--timeout", "2", "--no-client"]
            .iter()
            .chain(extra)
            .map(ToString::to_string)
            .collect();
        if !more.is_empty() {
            args.push(more.to_string());
        }
        args
    };
    let run = |more: &'static str| {
        let args = args(more);
        sandbox.run(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let human = run("");
    let json = run("--json").json();
    let quiet = run("-q");
    Diagnosis { human, json, quiet }
}

/// What a person reads, held to the promises every report keeps.
fn readable(name: &str, text: &str) {
    assert!(!text.contains("\\n"), "{name}: a literal \\n\n{text}");
    for debug in [
        "Error {",
        "aws_request_id",
        "Some(",
        "ErrorMetadata",
        "DispatchFailure",
    ] {
        assert!(
            !text.contains(debug),
            "{name}: Rust Debug ({debug})\n{text}"
        );
    }
    for html in ["<html", "<HTML", "<body", "<!DOCTYPE", "<title"] {
        assert!(!text.contains(html), "{name}: HTML ({html})\n{text}");
    }
}

fn lines(text: &str) -> usize {
    text.lines().count()
}

/// One cause: one problem in the JSON, the report on one screen, the fix at the end.
fn one_cause(name: &str, d: &Diagnosis, fix_words: &str) {
    let text = &d.human.stdout;
    readable(name, text);
    assert_eq!(
        d.json["summary"]["causes"], 1,
        "{name}: {:#}",
        d.json["causes"]
    );
    assert!(lines(text) <= 40, "{name}: {} lines\n{text}", lines(text));
    let tail: Vec<&str> = text.lines().rev().take(8).collect();
    assert!(
        tail.iter().any(|l| l.contains(fix_words)),
        "{name}: the fix ({fix_words}) is not in the last lines\n{text}"
    );
    // -q is the closing block alone.
    assert!(
        lines(&d.quiet.stdout) <= 8,
        "{name}: -q\n{}",
        d.quiet.stdout
    );
    assert!(
        d.quiet.stdout.contains(fix_words),
        "{name}: -q\n{}",
        d.quiet.stdout
    );
}

fn scenario(name: &str, extra: &[&str], fix_words: &str) {
    let fake = FakeAws::start(Scenario::load(name));
    let d = diagnose(&sandbox_for(&fake), extra);
    shown(name, &d.human.stdout);
    one_cause(name, &d, fix_words);
}

#[test]
fn healthy() {
    let fake = FakeAws::start(Scenario::healthy());
    let d = diagnose(&sandbox_for(&fake), &[]);
    shown("healthy", &d.human.stdout);
    readable("healthy", &d.human.stdout);
    assert_eq!(d.human.code, 0);
    assert!(lines(&d.human.stdout) <= 20, "{}", d.human.stdout);
    assert_eq!(d.json["summary"]["causes"], 0);
}

#[test]
fn an_on_demand_pin() {
    scenario(
        "on-demand",
        &[],
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    );
}

#[test]
fn marketplace_denied() {
    scenario("marketplace-everywhere", &[], "aws-marketplace:Subscribe");
}

#[test]
fn the_stream_permission_missing() {
    scenario(
        "iam-denied-stream",
        &[],
        "bedrock:InvokeModelWithResponseStream",
    );
}

#[test]
fn a_model_not_enabled() {
    scenario("model-not-enabled", &[], "modelaccess");
}

#[test]
fn the_use_case_form() {
    scenario("use-case-form", &[], "use case");
}

#[test]
fn expired_credentials() {
    scenario("expired-token", &[], "credentials");
}

#[test]
fn an_html_proxy() {
    scenario("proxy-html", &[], "proxy");
}

#[test]
fn throttled() {
    let fake = FakeAws::start(Scenario::load("throttled"));
    let d = diagnose(&sandbox_for(&fake), &[]);
    shown("throttled", &d.human.stdout);
    one_cause("throttled", &d, "quota");
    assert_eq!(d.human.code, 0, "a throttle is a warning");
    assert!(!d.human.stdout.contains("will not work"));
}

#[test]
fn a_hung_runtime() {
    scenario("hung-stream", &[], "timeout");
}

#[test]
fn a_model_mantle_does_not_serve() {
    let mantle = FakeMantle::start(MantleScenario::default());
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new()
        .env("CLAUDE_CODE_USE_MANTLE", "1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("ANTHROPIC_BEDROCK_MANTLE_BASE_URL", &mantle.base_url)
        .env("ANTHROPIC_MODEL", "anthropic.claude-opus-9")
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            crate::support::fake_aws::ACCESS_KEY,
            crate::support::fake_aws::SECRET_KEY
        ));
    let d = diagnose(&sandbox, &[]);
    shown("mantle-not-served", &d.human.stdout);
    one_cause("mantle-not-served", &d, "anthropic.claude");
}

#[test]
fn a_fresh_machine() {
    // Nothing configured; every endpoint a live call would use is the loopback fake.
    let fake = FakeAws::start(Scenario::healthy());
    let d = diagnose(&Sandbox::new().env("AWS_ENDPOINT_URL", &fake.url), &[]);
    shown("fresh-machine", &d.human.stdout);
    readable("fresh-machine", &d.human.stdout);
    let text = &d.human.stdout;
    assert!(lines(text) <= 25, "{} lines\n{text}", lines(text));
    let last: Vec<&str> = text.lines().rev().take(4).collect();
    assert!(
        last.iter().any(|l| l.contains("claude-bedrock setup")),
        "{text}"
    );
}

#[test]
fn an_expired_sso_token() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = crate::sso::with_expired_sso_session(sandbox_for(&fake));
    let d = diagnose(&sandbox, &[]);
    shown("sso-expired", &d.human.stdout);
    one_cause("sso-expired", &d, "aws sso login");
}

#[test]
fn without_a_utf8_locale_the_report_is_ascii() {
    let fake = FakeAws::start(Scenario::load("on-demand"));
    let sandbox = sandbox_for(&fake).env("LANG", "C");
    let run = sandbox.run(&["doctor", "--no-client", "--timeout", "2"]);
    assert!(run.stdout.is_ascii(), "{}", run.stdout);
    assert!(run.stdout.contains("[FAIL]"), "{}", run.stdout);
    let forced = sandbox_for(&fake).run(&["doctor", "--no-client", "--ascii", "--timeout", "2"]);
    assert!(forced.stdout.is_ascii(), "{}", forced.stdout);
    let _ = json!(null);
}

/// With the real client rehearsing through the relay, what it meets is the same one cause: its
/// checks join the AWS-side problem instead of counting as another.
#[test]
fn with_the_client_rehearsing_one_cause_is_still_one_problem() {
    let claude = crate::support::claude_code::install(crate::real_client::CURRENT);
    let claude = claude.to_str().unwrap();
    for (name, fix_words) in [
        ("marketplace-everywhere", "aws-marketplace:Subscribe"),
        ("use-case-form", "use case"),
        ("throttled", "quota"),
        ("iam-denied-stream", "bedrock:InvokeModelWithResponseStream"),
        ("model-not-enabled", "modelaccess"),
        ("on-demand", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
    ] {
        let fake = FakeAws::start(Scenario::load(name));
        let sandbox = sandbox_for(&fake);
        let args = |format: &'static str| {
            vec![
                "doctor",
                "--timeout",
                "10",
                "--claude-bin",
                claude,
                "--format",
                format,
            ]
        };
        let json = sandbox.run(&args("json")).json();
        let human = sandbox.run(&args("human"));
        let ran = json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "client.models")
            .map(|c| c["status"].clone());
        assert_ne!(
            ran,
            Some(json!("skip")),
            "{name}: the client did not rehearse\n{json:#}"
        );
        let quiet = Run {
            code: human.code,
            stdout: human
                .stdout
                .lines()
                .skip_while(|l| !l.ends_with("problem") && !l.ends_with("problems"))
                .map(|l| format!("{l}\n"))
                .collect(),
            stderr: String::new(),
        };
        let d = Diagnosis { human, json, quiet };
        one_cause(&format!("{name} with the client"), &d, fix_words);
    }
}

#[test]
fn a_refused_one_million_context() {
    scenario("one-million-refused", &[], "Remove [1m]");
}

#[test]
fn listing_denied() {
    scenario("iam-denied-list", &[], "bedrock:ListInferenceProfiles");
}

#[test]
fn an_application_profile_whose_model_cannot_be_read() {
    scenario(
        "application-profile-get-denied",
        &[],
        "bedrock:GetInferenceProfile",
    );
}
