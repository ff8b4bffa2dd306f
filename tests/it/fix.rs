//! `doctor --fix` against the loopback fake: each mechanical remedy applied to the file its value
//! came from, everything else in that file kept byte for byte, a backup kept, and a second doctor
//! passing what was fixed; `--dry-run`, no terminal without `--yes`, and managed settings left
//! alone.

use std::fs;

use serde_json::Value;

use crate::support::Sandbox;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario};

/// Every fixable pin, a value that is not a string, a CA file set where Node cannot read it, and
/// content the fix must not touch.
const BROKEN: &str = r#"{
  "theme": "dark",
  "env": {
    "CLAUDE_CODE_USE_BEDROCK": "1",
    "AWS_REGION": "us-east-1",
    "ANTHROPIC_DEFAULT_OPUS_MODEL": "eu.anthropic.claude-opus-4-6-v1",
    "ANTHROPIC_DEFAULT_SONNET_MODEL": "anthropic.claude-sonnet-4-6",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    "DISABLE_PROMPT_CACHING": 1,
    "NODE_EXTRA_CA_CERTS": "/etc/corp/ca.pem"
  },
  "permissions": { "allow": ["Bash(git status)"] }
}
"#;

const FIXED: &str = r#"{
  "theme": "dark",
  "env": {
    "CLAUDE_CODE_USE_BEDROCK": "1",
    "AWS_REGION": "us-east-1",
    "ANTHROPIC_DEFAULT_OPUS_MODEL": "us.anthropic.claude-opus-4-6-v1",
    "ANTHROPIC_DEFAULT_SONNET_MODEL": "us.anthropic.claude-sonnet-4-6",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    "DISABLE_PROMPT_CACHING": "1",
    "NODE_EXTRA_CA_CERTS": "/etc/corp/ca.pem"
  },
  "permissions": { "allow": ["Bash(git status)"] }
}
"#;

fn machine(fake: &FakeAws, settings: &str) -> Sandbox {
    Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(settings)
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
}

#[test]
fn every_mechanical_fix_lands_in_its_file_and_nothing_else_changes() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = machine(&fake, BROKEN);
    let before = sandbox.run(&["doctor", "--json", "--no-client"]);
    assert_eq!(before.code, 1, "{}", before.stdout);

    let run = sandbox.run(&["doctor", "--fix", "--yes", "--json", "--no-client"]);
    let doc: Value = run.json();
    assert_eq!(doc["status"], "applied", "{doc:#}\n{}", run.stderr);
    let path = sandbox.user_settings_path();
    assert_eq!(fs::read_to_string(&path).unwrap(), FIXED);
    // The previous version is kept.
    let backups = doc["backups"].as_array().unwrap();
    assert_eq!(backups.len(), 1, "{doc:#}");
    assert_eq!(
        fs::read_to_string(backups[0].as_str().unwrap()).unwrap(),
        BROKEN
    );
    // The CA line is the user's to run, printed and not written.
    let remedies = doc["remedies"].to_string();
    assert!(
        remedies.contains("export NODE_EXTRA_CA_CERTS=/etc/corp/ca.pem"),
        "{remedies}"
    );
    // Checked again, what was fixed passes.
    let rechecked = doc["rechecked"].as_array().unwrap();
    let pinned = rechecked
        .iter()
        .find(|c| c["id"] == "models.pinned")
        .unwrap();
    assert_eq!(pinned["before"], "fail");
    assert_eq!(pinned["after"], "pass");
    let after = sandbox.run(&["doctor", "--json", "--no-client"]);
    for id in ["models.pinned", "models.opus", "models.sonnet"] {
        assert_eq!(
            after.check(id)["status"],
            "pass",
            "{id}: {}",
            after.check(id)
        );
    }
    // Nothing left to fix.
    let again = sandbox.run(&["doctor", "--fix", "--yes", "--json", "--no-client"]);
    assert_eq!(again.json()["status"], "nothing", "{}", again.stdout);
}

#[test]
fn a_dry_run_writes_nothing_and_without_a_terminal_the_fix_asks_for_yes() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = machine(&fake, BROKEN);
    let path = sandbox.user_settings_path();
    let dry = sandbox.run(&["doctor", "--fix", "--dry-run", "--no-client"]);
    assert!(
        dry.stdout
            .contains("~ env.ANTHROPIC_DEFAULT_OPUS_MODEL = us.anthropic.claude-opus-4-6-v1"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("Dry run: nothing was written."),
        "{}",
        dry.stdout
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), BROKEN);
    let asked = sandbox.run(&["doctor", "--fix", "--no-client"]);
    assert_eq!(asked.code, 2, "{}", asked.stderr);
    assert!(asked.stderr.contains("--yes"), "{}", asked.stderr);
    assert_eq!(fs::read_to_string(&path).unwrap(), BROKEN);
}

#[test]
fn a_managed_value_is_left_alone_with_the_reason() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = machine(
        &fake,
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1"}}"#,
    )
    .managed_settings(
        r#"{"env":{"ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.anthropic.claude-opus-4-6-v1"}}"#,
    );
    let managed = sandbox.managed.join("managed-settings.json");
    let before = fs::read_to_string(&managed).unwrap();
    let run = sandbox.run(&["doctor", "--fix", "--yes", "--json", "--no-client"]);
    let doc = run.json();
    assert_eq!(doc["status"], "nothing", "{doc:#}");
    let remedies = doc["remedies"].to_string();
    assert!(remedies.contains("managed settings"), "{remedies}");
    assert_eq!(fs::read_to_string(&managed).unwrap(), before);
}

#[test]
fn offline_a_fix_that_needs_the_account_is_not_guessed() {
    let sandbox = Sandbox::new().user_settings(
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.anthropic.claude-opus-4-6-v1"}}"#,
    );
    let run = sandbox.run(&["doctor", "--offline", "--fix", "--yes", "--json"]);
    let doc = run.json();
    assert_eq!(doc["status"], "nothing", "{doc:#}");
    assert!(
        doc["remedies"].to_string().contains("could not be listed"),
        "{doc:#}"
    );
}

#[test]
fn a_mantle_id_on_invoke_and_a_pin_that_does_not_answer_are_replaced() {
    let mut scenario = Scenario::healthy();
    scenario.refuse = vec!["us.anthropic.claude-opus-4-6-v1".into()];
    let fake = FakeAws::start(scenario);
    let sandbox = machine(
        &fake,
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_DEFAULT_OPUS_MODEL":"us.anthropic.claude-opus-4-6-v1","ANTHROPIC_DEFAULT_HAIKU_MODEL":"anthropic.claude-haiku-4-5"}}"#,
    );
    let run = sandbox.run(&["doctor", "--fix", "--yes", "--json", "--no-client"]);
    assert_eq!(run.json()["status"], "applied", "{}", run.stdout);
    let written: Value =
        serde_json::from_str(&fs::read_to_string(sandbox.user_settings_path()).unwrap()).unwrap();
    // The Mantle form becomes the listed profile that holds the model.
    assert_eq!(
        written["env"]["ANTHROPIC_DEFAULT_HAIKU_MODEL"],
        "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    );
    // A pin that does not answer becomes the newest of its tier that does.
    assert_eq!(
        written["env"]["ANTHROPIC_DEFAULT_OPUS_MODEL"],
        "global.anthropic.claude-opus-4-6-v1"
    );
    let after = sandbox.run(&["doctor", "--json", "--no-client"]);
    assert_eq!(
        after.check("models.opus")["status"],
        "pass",
        "{}",
        after.check("models.opus")
    );
    assert_eq!(
        after.check("models.haiku")["status"],
        "pass",
        "{}",
        after.check("models.haiku")
    );
}

#[test]
fn a_throttled_pin_and_a_pin_called_in_its_own_region_are_left_as_they_are() {
    // Throttling says nothing of the model: it is not replaced by another one.
    let scenario: Scenario = serde_json::from_value(serde_json::json!({"rules": [{
        "operation": "InvokeModel",
        "model": "us.anthropic.claude-sonnet-4-6",
        "status": 429,
        "type": "ThrottlingException",
        "message": "Too many requests, please wait before trying again."
    }]}))
    .unwrap();
    let fake = FakeAws::start(scenario);
    // The Haiku-class model is called in eu-west-1, where an eu. profile is right.
    let settings = r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_DEFAULT_SONNET_MODEL":"us.anthropic.claude-sonnet-4-6","ANTHROPIC_DEFAULT_HAIKU_MODEL":"eu.anthropic.claude-haiku-4-5-20251001-v1:0","ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION":"eu-west-1"}}"#;
    let sandbox = machine(&fake, settings);
    let run = sandbox.run(&["doctor", "--fix", "--yes", "--json", "--no-client"]);
    let doc = run.json();
    let changes = doc["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .all(|c| c["key"] != "env.ANTHROPIC_DEFAULT_SONNET_MODEL"
                && c["key"] != "env.ANTHROPIC_DEFAULT_HAIKU_MODEL"),
        "{doc:#}"
    );
    assert_eq!(
        fs::read_to_string(sandbox.user_settings_path()).unwrap(),
        settings
    );
}

#[test]
fn the_model_key_is_fixed_in_place_and_a_model_override_is_told_exactly() {
    let fake = FakeAws::start(Scenario::healthy());
    let settings = r#"{
  "model": "eu.anthropic.claude-opus-4-6-v1",
  "modelOverrides": { "claude-sonnet-4-5": "anthropic.claude-sonnet-4-5-20250929-v1:0" },
  "env": { "CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "us-east-1" }
}
"#;
    let sandbox = machine(&fake, settings);
    let run = sandbox.run(&["doctor", "--fix", "--yes", "--json", "--no-client"]);
    let doc = run.json();
    assert_eq!(doc["status"], "applied", "{doc:#}");
    let written = fs::read_to_string(sandbox.user_settings_path()).unwrap();
    assert_eq!(
        written,
        settings.replace(
            "\"model\": \"eu.anthropic.claude-opus-4-6-v1\"",
            "\"model\": \"us.anthropic.claude-opus-4-6-v1\""
        )
    );
    let told = doc["remedies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"]["type"] == "not-applied")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert!(
        told["action"]["reason"]
            .as_str()
            .unwrap()
            .contains("set modelOverrides.claude-sonnet-4-5 to \"us.anthropic.claude-sonnet-4-5-20250929-v1:0\""),
        "{told:#}"
    );
}

#[test]
fn the_fixes_come_from_what_the_report_measured_not_a_second_round_of_calls() {
    let calls = |args: &[&str]| {
        let fake = FakeAws::start(Scenario::healthy());
        machine(&fake, BROKEN).run(args);
        let seen = fake.seen();
        let count = |op: &str| seen.iter().filter(|s| s.operation == op).count();
        (count("ListInferenceProfiles"), count("InvokeModel"))
    };
    let doctor = calls(&["doctor", "--json", "--no-client"]);
    let fix = calls(&["doctor", "--fix", "--dry-run", "--json", "--no-client"]);
    assert!(doctor.0 > 0 && doctor.1 > 0, "{doctor:?}");
    assert_eq!(fix, doctor);
}

#[test]
fn a_signal_after_the_writes_says_they_were_made() {
    // Every call is slow, so the check after the writes is still running when the signal comes.
    let mut scenario = Scenario::healthy();
    scenario.latency_ms = 1500;
    let fake = FakeAws::start(scenario);
    let sandbox = machine(&fake, BROKEN);
    let child = sandbox
        .command(&["doctor", "--fix", "--yes", "--no-client"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let path = sandbox.user_settings_path();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while fs::read_to_string(&path).unwrap() == BROKEN {
        assert!(std::time::Instant::now() < deadline, "the fix never wrote");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("the changes were made"), "{stderr}");
    assert!(!stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(fs::read_to_string(&path).unwrap(), FIXED);
}

/// A project's settings file that is a link leading out of the project (a checked-out
/// repository could plant one): the fix refuses to write through it, says why, and the file it
/// leads to is left as it was.
#[test]
fn a_project_settings_link_that_leaves_the_project_is_not_written_through() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = machine(
        &fake,
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1"}}"#,
    );
    let outside = sandbox.root.join("elsewhere/precious.json");
    let original = r#"{"env":{"ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.anthropic.claude-opus-4-6-v1"}}"#;
    fs::create_dir_all(outside.parent().unwrap()).unwrap();
    fs::write(&outside, original).unwrap();
    let link = sandbox.project.join(".claude/settings.local.json");
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    let run = sandbox.run(&["doctor", "--fix", "--yes", "--json", "--no-client"]);
    let doc: Value = run.json();
    assert_eq!(fs::read_to_string(&outside).unwrap(), original);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_ne!(doc["status"], "applied", "{doc:#}");
    let remedies = doc["remedies"].to_string();
    assert!(
        remedies.contains("outside the project") && remedies.contains("precious.json"),
        "the refusal names the real file: {remedies}"
    );
    // The human preview names the real file too.
    let human = sandbox.run(&["doctor", "--fix", "--dry-run", "--no-client"]);
    assert!(
        human.stdout.contains("outside the project"),
        "{}",
        human.stdout
    );
}
