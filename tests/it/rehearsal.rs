//! The rehearsal against the truth: for each way Bedrock refuses a request shape, the real
//! Claude Code (the pinned current release) is run straight at the fake, and then the doctor,
//! with that same client rehearsing through its relay, is run against the same fake. The doctor's
//! verdict must be the client's: it fails ⇔ `fail` naming the cause; it recovers after a refusal
//! ⇔ no `fail`, a `warn` naming what was refused; it works ⇔ exit 0.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};

use crate::real_client::CURRENT;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario};
use crate::support::{Run, Sandbox, claude_code};

const OPUS: &str = "us.anthropic.claude-opus-4-6-v1";
const SONNET: &str = "us.anthropic.claude-sonnet-4-6";
const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

fn client() -> PathBuf {
    claude_code::install(CURRENT)
}

/// A machine whose Claude Code calls the fake: every tier pinned unless `pinned` is false.
fn machine(fake: &FakeAws, pinned: bool, extra_env: &[(&str, &str)]) -> Sandbox {
    let mut env = json!({
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": "us-east-1",
        "ANTHROPIC_BEDROCK_BASE_URL": fake.url,
    });
    if pinned {
        env["ANTHROPIC_DEFAULT_OPUS_MODEL"] = json!(OPUS);
        env["ANTHROPIC_DEFAULT_SONNET_MODEL"] = json!(SONNET);
        env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] = json!(HAIKU);
    }
    for (name, value) in extra_env {
        env[*name] = json!(value);
    }
    Sandbox::new()
        // The doctor's own STS call goes to the fake too; the client makes none.
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(&json!({ "env": env }).to_string())
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
}

/// The client straight at the fake, as the user would run it.
fn client_alone(sandbox: &Sandbox, claude: &Path) -> Output {
    claude_code::run(
        claude,
        &sandbox.home,
        &sandbox.project,
        &["-p", "."],
        Duration::from_secs(90),
    )
}

fn doctor(sandbox: &Sandbox, claude: &Path) -> Run {
    sandbox.run(&[
        "doctor",
        "--json",
        "--no-cache",
        "--timeout",
        "10",
        "--claude-bin",
        claude.to_str().unwrap(),
    ])
}

fn scenario(rules: Value) -> Scenario {
    serde_json::from_value(json!({ "rules": rules })).unwrap()
}

/// What the real client did when run alone: derived from its run, never assumed.
#[derive(Debug, PartialEq)]
enum Lived {
    Works,
    /// It met a refusal, retried with something dropped, and finished.
    Recovers,
    Fails,
}

fn lived(output: &Output, fake: &FakeAws) -> Lived {
    let turns = fake
        .seen()
        .iter()
        .filter(|s| {
            s.operation == "InvokeModelWithResponseStream" && !s.body.contains("\"max_tokens\":1,")
        })
        .count();
    match (output.status.success(), turns) {
        (false, _) => Lived::Fails,
        (true, n) if n > 1 => Lived::Recovers,
        (true, _) => Lived::Works,
    }
}

fn refusal(message: &str, when: Value) -> Value {
    json!([{
        "operation": "InvokeModelWithResponseStream",
        "status": 400,
        "type": "ValidationException",
        "message": message,
        "when": when
    }])
}

struct Case {
    name: &'static str,
    rules: Value,
    env: &'static [(&'static str, &'static str)],
    /// Words the doctor's finding must hold: what was refused, or the fix.
    names: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "nothing refused",
            rules: json!([]),
            env: &[],
            names: &[],
        },
        Case {
            name: "a body beta refused",
            rules: refusal(
                "invalid beta flag",
                json!({"real_turn": true, "body_beta": "tool-search-tool-2025-10-19"}),
            ),
            env: &[],
            names: &[
                "the beta tool-search-tool-2025-10-19",
                "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1",
            ],
        },
        Case {
            name: "the effort parameter refused",
            rules: refusal(
                "This model does not support the effort parameter.",
                json!({"real_turn": true, "effort": true}),
            ),
            env: &[],
            names: &["the effort setting high"],
        },
        Case {
            name: "adaptive thinking refused",
            rules: refusal(
                "thinking.type: Input tag 'adaptive' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'",
                json!({"real_turn": true, "thinking": "adaptive"}),
            ),
            env: &[],
            names: &["thinking.type", "CLAUDE_CODE_DISABLE_ADAPTIVE_THINKING=1"],
        },
        Case {
            name: "a guardrail that does not exist",
            rules: refusal(
                "The guardrail identifier or version provided in the request does not exist.",
                json!({"headers": {"x-amzn-bedrock-guardrailidentifier": "gr-missing"}}),
            ),
            env: &[(
                "ANTHROPIC_CUSTOM_HEADERS",
                "X-Amzn-Bedrock-GuardrailIdentifier: gr-missing\nX-Amzn-Bedrock-GuardrailVersion: 1",
            )],
            names: &["guardrail", "X-Amzn-Bedrock-GuardrailIdentifier"],
        },
        Case {
            name: "a service tier not offered",
            rules: refusal(
                "The provided service tier is not supported for this model.",
                json!({"headers": {"x-amzn-bedrock-service-tier": "flex"}}),
            ),
            env: &[("ANTHROPIC_BEDROCK_SERVICE_TIER", "flex")],
            names: &["ANTHROPIC_BEDROCK_SERVICE_TIER=flex"],
        },
    ]
}

/// Every file under `dir`, with its size and modification time, but the tool's own cache.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                if !entry.path().ends_with(".cache/claude-bedrock") {
                    stack.push(entry.path());
                }
            } else {
                files.push((entry.path(), meta.len(), meta.modified().unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_doctor_says_what_the_real_client_lives() {
    let claude = client();
    for case in cases() {
        let name = case.name;
        // The client alone, straight at the fake.
        let fake = FakeAws::start(scenario(case.rules.clone()));
        let sandbox = machine(&fake, true, case.env);
        let alone = client_alone(&sandbox, &claude);
        let truth = lived(&alone, &fake);

        // The doctor, rehearsing with that client through its relay, against a fresh fake.
        let fake = FakeAws::start(scenario(case.rules));
        let sandbox = machine(&fake, true, case.env);
        let home_before = snapshot(&sandbox.home);
        let run = doctor(&sandbox, &claude);
        let requests = run.check("client.requests");
        let text = requests.to_string();
        match truth {
            Lived::Works => {
                assert_eq!(run.code, 0, "{name}: the client works\n{}", run.stdout);
                assert_eq!(requests["status"], "pass", "{name}: {requests:#}");
            }
            Lived::Recovers => {
                assert_eq!(requests["status"], "warn", "{name}: {requests:#}");
                assert!(
                    !run.json()["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c["id"].as_str().unwrap().starts_with("client.")
                            && c["status"] == "fail"),
                    "{name}: the client recovers, so no client check fails\n{}",
                    run.stdout
                );
            }
            Lived::Fails => {
                assert_eq!(run.code, 1, "{name}: the client fails");
                assert_eq!(requests["status"], "fail", "{name}: {requests:#}");
                // The account's own words, as the client printed them.
                let said = String::from_utf8_lossy(&alone.stdout);
                let message = said.trim().trim_start_matches("API Error: 400 ");
                assert!(
                    text.contains(&message[..40]),
                    "{name}: {message}\n{requests:#}"
                );
            }
        }
        for word in case.names {
            assert!(
                text.contains(word),
                "{name}: {word} missing from\n{requests:#}"
            );
        }
        // Every relayed request reached the fake, authenticated as AWS checks it.
        assert!(
            fake.seen().iter().all(|s| s.auth_ok),
            "{name}: a request failed auth"
        );
        // No file under the user's home changed: the client ran in a temp copy.
        assert_eq!(
            home_before,
            snapshot(&sandbox.home),
            "{name}: the home changed"
        );
        // The cost was bounded: no relayed turn asked for more than 4,096 tokens.
        for seen in fake.seen() {
            if let Ok(body) = serde_json::from_str::<Value>(&seen.body)
                && let Some(max) = body["max_tokens"].as_u64()
            {
                assert!(max <= 4096, "{name}: {} asked for {max}", seen.operation);
                assert!(
                    seen.body.len() <= 16 * 1024,
                    "{name}: {} bytes",
                    seen.body.len()
                );
            }
        }
    }
}

#[test]
fn an_unpinned_tier_falls_back_and_the_doctor_names_the_model_used() {
    let claude = client();
    let refused = [
        "us.anthropic.claude-opus-5-5",
        "us.anthropic.claude-opus-5",
        "us.anthropic.claude-opus-4-8",
        "us.anthropic.claude-opus-4-7",
    ];
    let fallback = || -> Scenario {
        serde_json::from_value(json!({ "refuse": refused, "invoke_any": true })).unwrap()
    };
    let fake = FakeAws::start(fallback());
    let sandbox = machine(&fake, false, &[]);
    let alone = client_alone(&sandbox, &claude);
    assert!(
        alone.status.success(),
        "{}",
        String::from_utf8_lossy(&alone.stdout)
    );
    let used = fake
        .seen()
        .iter()
        .rev()
        .find(|s| {
            s.operation == "InvokeModelWithResponseStream" && !s.body.contains("\"max_tokens\":1,")
        })
        .and_then(|s| s.model.clone())
        .expect("the client streamed a turn");

    let fake = FakeAws::start(fallback());
    let sandbox = machine(&fake, false, &[]);
    let run = doctor(&sandbox, &claude);
    let models = run.check("client.models");
    let summary = models["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("the main loop ran on {used} ")),
        "the client used {used}: {models:#}"
    );
    for model in refused {
        assert!(
            summary.contains(model),
            "{model} not named as refused: {summary}"
        );
    }
    // The doctor's own model of the client agrees with what it did.
    assert_eq!(models["status"], "pass", "{models:#}");
}

#[test]
fn a_second_doctor_reads_the_rehearsal_from_the_cache() {
    let claude = client();
    let fake = FakeAws::start(scenario(json!([])));
    let sandbox = machine(&fake, true, &[]);
    let args = |extra: &[&str]| {
        let mut args = vec!["doctor", "--json", "--claude-bin", claude.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let streams = || {
        fake.seen()
            .iter()
            .filter(|s| {
                s.operation == "InvokeModelWithResponseStream"
                    && !s.body.contains("\"max_tokens\":1,")
            })
            .count()
    };
    let first = sandbox.run(&args(&[]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        first.check("client.requests")["status"],
        "pass",
        "{}",
        first.stdout
    );
    let after_first = streams();
    let second = sandbox.run(&args(&[]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(second.check("client.requests")["status"], "pass");
    assert_eq!(
        streams(),
        after_first,
        "the client ran again instead of the cache"
    );
    let forced = sandbox.run(
        &args(&["--no-cache"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(forced.check("client.requests")["status"], "pass");
    assert!(streams() > after_first, "--no-cache runs the client again");
    // The cache holds no secret.
    let cache = sandbox.home.join(".cache/claude-bedrock");
    for entry in std::fs::read_dir(&cache).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        assert!(
            !text.contains(SECRET_KEY) && !text.contains(ACCESS_KEY),
            "{text}"
        );
    }
    // --no-client leaves the client alone; --client without one is a usage error.
    let off = sandbox.run(
        &args(&["--no-client"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(off.check("client.requests")["status"], "skip");
    assert_eq!(off.check("client.version")["status"], "pass");
    let missing = sandbox.run(&["doctor", "--client", "--claude-bin", "/nonexistent/claude"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("--client needs a `claude`"),
        "{}",
        missing.stderr
    );
}

/// A bearer-key machine against the fake.
fn bearer_machine(fake: &FakeAws) -> Sandbox {
    let env = json!({
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": "us-east-1",
        "ANTHROPIC_BEDROCK_BASE_URL": fake.url,
        "AWS_BEARER_TOKEN_BEDROCK": crate::support::fake_aws::bearer_key(),
        "ANTHROPIC_DEFAULT_OPUS_MODEL": OPUS,
        "ANTHROPIC_DEFAULT_SONNET_MODEL": SONNET,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": HAIKU,
    });
    Sandbox::new().user_settings(&json!({ "env": env }).to_string())
}

#[test]
fn a_client_that_drops_its_key_meets_the_accounts_real_refusal() {
    for (version, works) in [("2.1.94", false), ("2.1.96", true)] {
        let claude = claude_code::install(version);
        let fake = FakeAws::start(serde_json::from_value(json!({"auth": "bearer"})).unwrap());
        let run = doctor(&bearer_machine(&fake), &claude);
        let trace = run.check("client.bearer-trace");
        let requests = run.check("client.requests");
        if works {
            assert_eq!(trace["status"], "pass", "{version}: {trace:#}");
            assert_eq!(requests["status"], "pass", "{version}: {requests:#}");
        } else {
            assert_eq!(trace["status"], "fail", "{version}: {trace:#}");
            assert_eq!(requests["status"], "fail", "{version}: {requests:#}");
            // Relayed without Authorization, as sent: the account's own answer comes back.
            assert!(
                requests
                    .to_string()
                    .contains("Authorization header is missing"),
                "{version}: {requests:#}"
            );
        }
        // The key went on as the client sent it, and nowhere else.
        assert!(
            !run.stdout
                .contains(&crate::support::fake_aws::bearer_key()[4..30])
        );
    }
}

#[test]
fn mantle_requests_are_relayed_signed_for_bedrock_mantle() {
    use crate::support::fake_mantle::{FakeMantle, MantleScenario};
    let claude = client();
    let mantle = FakeMantle::start(MantleScenario::default());
    let aws = FakeAws::start(Scenario::healthy());
    let env = json!({
        "CLAUDE_CODE_USE_MANTLE": "1",
        "AWS_REGION": "us-east-1",
        "ANTHROPIC_BEDROCK_MANTLE_BASE_URL": mantle.base_url,
        "ANTHROPIC_DEFAULT_OPUS_MODEL": "anthropic.claude-opus-4-6",
        "ANTHROPIC_DEFAULT_SONNET_MODEL": "anthropic.claude-sonnet-4-6",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": "anthropic.claude-haiku-4-5",
    });
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &aws.url)
        .user_settings(&json!({ "env": env }).to_string())
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ));
    let before = mantle.seen().len();
    let run = doctor(&sandbox, &claude);
    let requests = run.check("client.requests");
    assert_eq!(requests["status"], "pass", "{requests:#}\n{}", run.stdout);
    let relayed: Vec<_> = mantle.seen()[before..]
        .iter()
        .filter(|s| {
            s.path == "/anthropic/v1/messages"
                && s.model.as_deref() == Some("anthropic.claude-opus-4-6")
        })
        .cloned()
        .collect();
    assert!(!relayed.is_empty(), "{:#?}", mantle.seen());
    assert!(
        relayed.iter().all(|s| s.auth == "sigv4" && s.auth_ok),
        "{relayed:#?}"
    );
}

#[test]
fn a_failed_rehearsal_is_measured_again_next_time() {
    let claude = client();
    let fake = FakeAws::start(scenario(refusal(
        "The provided service tier is not supported for this model.",
        json!({"headers": {"x-amzn-bedrock-service-tier": "flex"}}),
    )));
    let sandbox = machine(&fake, true, &[("ANTHROPIC_BEDROCK_SERVICE_TIER", "flex")]);
    let args = ["doctor", "--json", "--claude-bin", claude.to_str().unwrap()];
    let first = sandbox.run(&args);
    assert_eq!(first.check("client.requests")["status"], "fail");
    let streams = |fake: &FakeAws| {
        fake.seen()
            .iter()
            .filter(|s| {
                s.operation == "InvokeModelWithResponseStream"
                    && !s.body.contains("\"max_tokens\":1,")
            })
            .count()
    };
    let after_first = streams(&fake);
    let second = sandbox.run(&args);
    assert_eq!(second.check("client.requests")["status"], "fail");
    assert!(
        streams(&fake) > after_first,
        "a failure must not be served from the cache"
    );
}

/// What `doctor --fix` writes, the real client runs: it fails on the broken pin before, the fix
/// replaces it from the account's list, and afterwards the client alone works and the doctor's
/// own rehearsal agrees.
#[test]
fn the_real_client_works_on_what_the_fix_wrote() {
    let claude = client();
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = machine(
        &fake,
        true,
        &[(
            "ANTHROPIC_DEFAULT_OPUS_MODEL",
            "eu.anthropic.claude-opus-4-6-v1",
        )],
    );
    let before = client_alone(&sandbox, &claude);
    assert!(
        !before.status.success(),
        "the broken pin must break the client first: {}",
        String::from_utf8_lossy(&before.stdout)
    );
    let fixed = sandbox.run(&[
        "doctor",
        "--fix",
        "--yes",
        "--json",
        "--no-cache",
        "--claude-bin",
        claude.to_str().unwrap(),
    ]);
    let doc = fixed.json();
    assert_eq!(doc["status"], "applied", "{doc:#}");
    assert_eq!(fixed.code, 0, "{doc:#}");
    let after = client_alone(&sandbox, &claude);
    assert!(
        after.status.success(),
        "the client on the fixed settings: {}\n{}",
        String::from_utf8_lossy(&after.stdout),
        String::from_utf8_lossy(&after.stderr)
    );
    let recheck = doctor(&sandbox, &claude);
    assert_eq!(
        recheck.check("client.models")["status"],
        "pass",
        "{}",
        recheck.stdout
    );
}
