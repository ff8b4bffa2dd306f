//! The settings model of the current client: a restricted session, project `env` entries it
//! ignores, custom headers that need approval, the managed model policy, the newer provider
//! switches, and the client's own word on its provider (`claude auth status --json`, asked of
//! the real 2.1.337).

use std::path::Path;

use crate::real_client::CURRENT;
use crate::support::{Run, Sandbox, claude_code};

const PINS: [(&str, &str); 3] = [
    (
        "ANTHROPIC_DEFAULT_OPUS_MODEL",
        "us.anthropic.claude-opus-4-6-v1",
    ),
    (
        "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "us.anthropic.claude-sonnet-4-6",
    ),
    (
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    ),
];

fn bedrock_user_settings() -> String {
    let pins: Vec<String> = PINS
        .iter()
        .map(|(name, value)| format!("\"{name}\":\"{value}\""))
        .collect();
    format!(
        r#"{{"env":{{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1",{}}}}}"#,
        pins.join(",")
    )
}

fn doctor_with(sandbox: &Sandbox, claude: &Path) -> Run {
    sandbox.run(&[
        "doctor",
        "--offline",
        "--json",
        "--claude-bin",
        claude.to_str().unwrap(),
    ])
}

fn problems(check: &serde_json::Value) -> String {
    format!("{} {} {}", check["summary"], check["details"], check["fix"])
}

#[test]
fn the_real_client_and_the_doctor_agree_on_bedrock_from_user_settings() {
    let claude = claude_code::install(CURRENT);
    let sandbox = Sandbox::new().user_settings(&bedrock_user_settings());
    let run = doctor_with(&sandbox, &claude);
    let check = run.check("client.provider");
    assert_eq!(check["status"], "pass", "{check}");
    assert_eq!(
        check["summary"],
        "Claude Code says its provider is bedrock, as this report resolved"
    );
}

#[test]
fn a_restricted_session_is_resolved_as_the_real_client_resolves_it() {
    let claude = claude_code::install(CURRENT);
    let sandbox = Sandbox::new()
        .env("CLAUDE_CODE_RESTRICTED", "1")
        .user_settings(&bedrock_user_settings());
    let run = doctor_with(&sandbox, &claude);
    // The client ignores the user settings, and says so by its provider.
    let client = run.check("client.provider");
    assert_eq!(client["status"], "pass", "{client}");
    assert!(
        client["summary"].as_str().unwrap().contains("firstParty"),
        "{client}"
    );
    // The doctor resolved the same: no Bedrock, and no pin from the ignored file.
    let provider = run.check("provider");
    assert_eq!(provider["status"], "fail", "{provider}");
    let pinned = run.check("models.pinned");
    assert!(
        !pinned.to_string().contains("claude-opus-4-6-v1"),
        "a pin from an ignored file is not effective: {pinned}"
    );
    let settings = run.check("settings.files");
    assert!(
        settings["details"]
            .to_string()
            .contains("CLAUDE_CODE_RESTRICTED is on in the environment"),
        "{settings}"
    );
    // The configuration report lists the user file as ignored, not as read.
    let config = sandbox.run(&["config", "--json"]).json();
    let user = config["files"]["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["layer"] == "user")
        .cloned()
        .unwrap();
    assert!(
        user["state"]
            .as_str()
            .unwrap()
            .starts_with("ignored by Claude Code: a restricted session"),
        "{user}"
    );
    assert!(
        !config.to_string().contains("claude-opus-4-6-v1"),
        "no pin from the ignored file: {config}"
    );
}

#[test]
fn the_real_client_disagreeing_with_the_doctor_is_a_failure_with_the_fix() {
    let claude = claude_code::install(CURRENT);
    // Managed settings the doctor is pointed at, which the client (reading the platform's
    // managed directory) does not see.
    let sandbox = Sandbox::new().managed_settings(&bedrock_user_settings());
    let run = doctor_with(&sandbox, &claude);
    assert_eq!(run.check("provider")["status"], "pass");
    let check = run.check("client.provider");
    assert_eq!(check["status"], "fail", "{check}");
    assert!(
        check["summary"].as_str().unwrap().starts_with(
            "Claude Code says its provider is firstParty, not Bedrock: it does not apply CLAUDE_CODE_USE_BEDROCK (managed settings:"
        ),
        "{check}"
    );
    let fix = check["fix"].as_str().unwrap();
    assert!(fix.starts_with("Export CLAUDE_CODE_USE_BEDROCK=1"), "{fix}");
    assert!(
        !fix.contains("doctor") && !fix.contains("client.provider"),
        "{fix}"
    );
}

#[test]
fn no_client_asks_the_client_nothing_but_its_version() {
    let claude = claude_code::install(CURRENT);
    let sandbox = Sandbox::new().user_settings(&bedrock_user_settings());
    let run = sandbox.run(&[
        "doctor",
        "--offline",
        "--json",
        "--no-client",
        "--claude-bin",
        claude.to_str().unwrap(),
    ]);
    assert_eq!(run.check("client.version")["status"], "pass");
    let check = run.check("client.provider");
    assert_eq!(check["status"], "skip", "{check}");
    assert_eq!(
        check["summary"],
        "--no-client: your `claude` was not asked which provider it uses"
    );
}

#[test]
fn a_client_that_cannot_say_its_provider_is_not_a_problem() {
    let sandbox = Sandbox::new().user_settings(&bedrock_user_settings());
    let dir = sandbox.root.join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("claude");
    std::fs::write(
        &fake,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo '2.1.337 (Claude Code)'; exit 0; fi\necho 'unknown command' >&2\nexit 3\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let check = doctor_with(&sandbox, &fake).check("client.provider");
    assert_eq!(check["status"], "skip", "{check}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("printed no provider: unknown command"),
        "{check}"
    );
}

#[test]
fn project_settings_the_client_ignores_or_must_approve_are_reported_without_values() {
    let sandbox = Sandbox::new()
        .user_settings(&bedrock_user_settings())
        .project_settings(
            r#"{"env":{"CLAUDE_CODE_TMPDIR":"/scratch/claude","ANTHROPIC_CUSTOM_HEADERS":"Authorization: Bearer hdr-s3cret-value\nx-team: platform"}}"#,
        );
    let config = sandbox.resolve();
    assert_eq!(config.env.get("CLAUDE_CODE_TMPDIR"), None);
    let run = sandbox.run(&["doctor", "--offline", "--json", "--no-client"]);
    assert!(
        !run.stdout.contains("hdr-s3cret-value"),
        "a header value is never printed"
    );
    let settings = run.check("settings.files");
    let text = problems(&settings);
    assert_eq!(settings["status"], "warn", "{settings}");
    assert!(
        text.contains("env.CLAUDE_CODE_TMPDIR in shared project settings"),
        "{text}"
    );
    assert!(
        text.contains("ANTHROPIC_CUSTOM_HEADERS comes from shared project settings"),
        "{text}"
    );
    assert!(text.contains("(Authorization)"), "{text}");
    assert!(!text.contains("x-team"), "{text}");
}

#[test]
fn a_pin_the_managed_policy_denies_is_a_warning_on_the_pinned_models() {
    let sandbox = Sandbox::new()
        .user_settings(&bedrock_user_settings())
        .managed_settings(r#"{"deniedModels":["claude-opus-4-6"]}"#);
    let run = sandbox.run(&["doctor", "--offline", "--json", "--no-client"]);
    let check = run.check("models.pinned");
    assert_eq!(check["status"], "warn", "{check}");
    assert!(
        check["summary"].as_str().unwrap().contains(
            "ANTHROPIC_DEFAULT_OPUS_MODEL = us.anthropic.claude-opus-4-6-v1 (user settings: ~/.claude/settings.json) is denied by the managed policy"
        ),
        "{check}"
    );
}

#[test]
fn the_gateway_switch_beside_bedrock_is_a_provider_conflict() {
    let sandbox = Sandbox::new()
        .env("CLAUDE_CODE_USE_GATEWAY", "1")
        .user_settings(&bedrock_user_settings());
    let check = sandbox
        .run(&["doctor", "--offline", "--json", "--no-client"])
        .check("provider");
    assert_eq!(check["status"], "warn", "{check}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .starts_with("CLAUDE_CODE_USE_GATEWAY is also on (process env)"),
        "{check}"
    );
}

#[test]
fn an_old_client_with_a_gateway_only_in_the_shell_is_told_the_fixed_version() {
    let sandbox = Sandbox::new()
        .env("ANTHROPIC_BEDROCK_BASE_URL", "https://gw.corp.example")
        .env("CLAUDE_CODE_SKIP_BEDROCK_AUTH", "1")
        .user_settings(&bedrock_user_settings());
    let dir = sandbox.root.join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("claude");
    std::fs::write(
        &fake,
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo '2.1.250 (Claude Code)'; exit 0; fi\nexit 3\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let check = doctor_with(&sandbox, &fake).check("client.version");
    let text = problems(&check);
    assert!(
        text.contains("loses a gateway") && text.contains("(fixed in 2.1.251)"),
        "{text}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("Until then, set ANTHROPIC_BEDROCK_BASE_URL and CLAUDE_CODE_SKIP_BEDROCK_AUTH in the \"env\" block of ~/.claude/settings.json as well."),
        "{check}"
    );
}
