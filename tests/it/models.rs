//! `claude-bedrock models` against the fake AWS.

use crate::live::sandbox_for;
use crate::support::fake_aws::{FakeAws, Scenario};

#[test]
fn lists_anthropic_profiles_grouped_newest_first() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake).run(&["models", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["region"], "us-east-1");
    let ids: Vec<&str> = doc["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 10, "{ids:?}");
    assert!(
        !ids.iter()
            .any(|id| id.contains("nova") || id.contains("llama"))
    );
    // Opus first, 4.6 before 4.5; Haiku last, 4.5 before 3.5.
    assert_eq!(ids[0].split('.').nth(2), Some("claude-opus-4-6-v1"));
    assert_eq!(
        ids.last().copied(),
        Some("us.anthropic.claude-3-5-haiku-20241022-v1:0")
    );
    let app = doc["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == "application")
        .unwrap();
    assert_eq!(app["family"], "opus");
    assert_eq!(app["prefix"], serde_json::Value::Null);
}

#[test]
fn all_includes_other_providers() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake).run(&["models", "--all", "--json"]);
    let doc = run.json();
    assert_eq!(doc["profiles"].as_array().unwrap().len(), 12);
}

#[test]
fn human_table_names_what_to_pin() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake).run(&["models"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("Inference profiles in us-east-1"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("us.anthropic.claude-sonnet-4-6"));
    assert!(run.stdout.contains(
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/opus-prod"
    ));
    assert!(run.stdout.contains("Claude Opus 4.6"));
}

#[test]
fn probe_marks_what_answers() {
    let fake = FakeAws::start(Scenario::load("model-not-enabled"));
    let run = sandbox_for(&fake).run(&["models", "--probe", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let profiles = doc["profiles"].as_array().unwrap();
    let opus = profiles
        .iter()
        .find(|p| p["id"] == "us.anthropic.claude-opus-4-6-v1")
        .unwrap();
    assert_eq!(opus["probe"]["ok"], false);
    assert_eq!(opus["probe"]["failure"]["kind"], "model-not-enabled");
    let sonnet = profiles
        .iter()
        .find(|p| p["id"] == "us.anthropic.claude-sonnet-4-6")
        .unwrap();
    assert_eq!(sonnet["probe"]["ok"], true);
    // One invoke per listed profile.
    let invokes = fake
        .seen()
        .iter()
        .filter(|s| s.operation == "InvokeModel")
        .count();
    assert_eq!(invokes, profiles.len());
    let human = sandbox_for(&fake).run(&["models", "--probe"]);
    assert!(human.stdout.contains("✓ available"), "{}", human.stdout);
    assert!(
        human.stdout.contains("✗ model access not enabled"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_denied_list_is_explained_and_exits_1() {
    let fake = FakeAws::start(Scenario::load("iam-denied-list"));
    let run = sandbox_for(&fake).run(&["models", "--json"]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bedrock:ListInferenceProfiles")
    );
    assert!(doc["error"]["fix"].as_str().unwrap().contains("\"Action\""));
    assert!(run.stderr.contains("fix:"));
}
