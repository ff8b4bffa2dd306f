//! What a live call showed outranks an offline guess, and the doctor judges only what Claude Code
//! itself will do: an unrecognised key Bedrock accepts, an ID that is both a foundation-model
//! and a Mantle ID, an STS endpoint only the doctor uses.

use base64::Engine;

use crate::live::sandbox_for;
use crate::support::Sandbox;
use crate::support::fake_aws::{FakeAws, Scenario};

fn pinned(sandbox: Sandbox) -> Sandbox {
    sandbox.local_settings(
        r#"{"env":{
            "ANTHROPIC_DEFAULT_OPUS_MODEL":"us.anthropic.claude-opus-4-6-v1",
            "ANTHROPIC_DEFAULT_SONNET_MODEL":"us.anthropic.claude-sonnet-4-6",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL":"us.anthropic.claude-haiku-4-5-20251001-v1:0"}}"#,
    )
}

#[test]
fn a_key_bedrock_accepts_is_never_failed_for_its_format() {
    // ABSK + base64 of a text with no `:` — no long-term key format this tool knows.
    let key = format!(
        "ABSK{}",
        base64::engine::general_purpose::STANDARD
            .encode("BedrockAPIKey-opaque-format-of-the-future")
    );
    let mut scenario = Scenario::healthy();
    scenario.accept_bearer = Some(key.clone());
    let fake = FakeAws::start(scenario);
    let sandbox = sandbox_for(&fake).env("AWS_BEARER_TOKEN_BEDROCK", &key);
    std::fs::remove_file(sandbox.home.join(".aws/credentials")).unwrap();
    let sandbox = pinned(sandbox);

    let offline = sandbox.run(&["doctor", "--offline", "--json"]);
    assert_eq!(offline.check("auth.bearer")["status"], "fail");
    assert_eq!(offline.code, 1, "offline, the offline verdict stands");

    let online = sandbox.run(&["doctor", "--json", "--timeout", "5"]);
    let bearer = online.check("auth.bearer");
    assert_eq!(bearer["status"], "warn", "{bearer}");
    assert!(
        bearer["summary"]
            .as_str()
            .unwrap()
            .contains("Bedrock accepted the key on every live call"),
        "{bearer}"
    );
    assert_eq!(online.code, 0, "{}", online.stdout);
}

#[test]
fn an_id_that_is_also_a_mantle_id_is_probed_on_invoke_when_mantle_is_off() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox_for(&fake).local_settings(
        r#"{"env":{"ANTHROPIC_DEFAULT_SONNET_MODEL":"anthropic.claude-sonnet-4-6"}}"#,
    );
    let run = sandbox.run(&["doctor", "--json", "--timeout", "5"]);
    let sonnet = run.check("models.sonnet");
    assert_eq!(sonnet["status"], "fail", "{sonnet}");
    let text = sonnet.to_string();
    assert!(text.contains("on-demand throughput"), "{text}");
    assert!(
        sonnet["fix"]
            .as_str()
            .unwrap()
            .contains("us.anthropic.claude-sonnet-4-6"),
        "the account's own profile for that model: {sonnet}"
    );
    assert!(
        fake.seen()
            .iter()
            .any(|s| s.model.as_deref() == Some("anthropic.claude-sonnet-4-6")),
        "it was sent to the Invoke API"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn an_endpoint_only_the_doctor_calls_is_context_not_a_failure() {
    // Nothing listens here.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let fake = FakeAws::start(Scenario::healthy());

    // A Bedrock API key: Claude Code never calls STS, and neither does the doctor.
    let bearer = pinned(sandbox_for(&fake))
        .env(
            "AWS_BEARER_TOKEN_BEDROCK",
            &crate::support::fake_aws::bearer_key(),
        )
        .env("AWS_ENDPOINT_URL_STS", &format!("http://127.0.0.1:{dead}"));
    let run = bearer.run(&["doctor", "--json", "--timeout", "3"]);
    let proxy = run.check("network.proxy");
    assert_eq!(proxy["status"], "pass", "{proxy}");
    assert!(!proxy.to_string().contains("STS"), "{proxy}");
    assert_eq!(run.code, 0, "{}", run.stdout);

    // Static keys: STS is the doctor's only (for its identity check); it being down is a warning.
    let keys =
        pinned(sandbox_for(&fake)).env("AWS_ENDPOINT_URL_STS", &format!("http://127.0.0.1:{dead}"));
    let run = keys.run(&["doctor", "--json", "--timeout", "3"]);
    let identity = run.check("auth.identity");
    assert_eq!(identity["status"], "warn", "{identity}");
    assert!(
        identity["summary"]
            .as_str()
            .unwrap()
            .contains("Claude Code does not call STS"),
        "{identity}"
    );
    let proxy = run.check("network.proxy");
    assert_eq!(proxy["status"], "pass", "{proxy}");
    assert!(
        proxy.to_string().contains("only this doctor calls: STS"),
        "{proxy}"
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let human = keys.run(&["doctor", "--timeout", "3", "--color", "never"]);
    assert!(!human.stdout.contains("will not work"), "{}", human.stdout);
}
