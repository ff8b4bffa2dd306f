//! The binary as users and CI run it: documents, exit codes, human output, bad input.

use crate::support::{Run, Sandbox};

/// A configuration every offline check passes (its SSO session is logged in).
fn healthy() -> Sandbox {
    crate::sso::with_valid_sso_session(Sandbox::new())
        .user_settings(
            r#"{
  "env": {
    "CLAUDE_CODE_USE_BEDROCK": "1",
    "AWS_REGION": "us-west-2",
    "AWS_PROFILE": "dev",
    "ANTHROPIC_DEFAULT_OPUS_MODEL": "us.anthropic.claude-opus-4-6-v1",
    "ANTHROPIC_DEFAULT_SONNET_MODEL": "us.anthropic.claude-sonnet-4-6",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0"
  }
}"#,
        )
        .aws_config("[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n")
}

fn statuses(run: &Run) -> Vec<(String, String)> {
    run.json()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn version_and_help_exit_zero() {
    let s = Sandbox::new();
    let run = Run::from(s.command(&["--version"]).output().unwrap());
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("claude-bedrock "));
    let help = s.run(&["--help"]);
    assert_eq!(help.code, 0);
    for word in ["setup", "doctor", "models", "config", "Exit codes"] {
        assert!(help.stdout.contains(word), "{word} missing from help");
    }
}

#[test]
fn doctor_json_document_has_the_contract_shape() {
    let run = healthy().run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["tool"]["name"], "claude-bedrock");
    assert!(doc["tool"]["version"].is_string());
    assert_eq!(doc["context"]["region"], "us-west-2");
    assert_eq!(
        doc["context"]["region_source"],
        "AWS_REGION (user settings: ~/.claude/settings.json)"
    );
    assert_eq!(doc["context"]["profile"], "dev");
    assert_eq!(doc["context"]["auth"], "profile");
    let ids: Vec<String> = statuses(&run).into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        [
            "settings.files",
            "provider",
            "region",
            "auth.source",
            "auth.bearer",
            "models.pinned",
            "auth.identity",
            "iam.list-inference-profiles",
            "iam.get-inference-profile",
            "iam.invoke",
            "iam.invoke-stream",
            "models.primary",
            "models.opus",
            "models.sonnet",
            "models.haiku",
            "models.small-fast",
            "models.subagent",
            "models.fallback",
            "models.overrides",
            "network.proxy",
            "network.tls",
            "sso.session",
            "sso.refresh-loop",
            "mantle.endpoint",
            "mantle.models",
            "client.version",
            "client.provider",
            "client.models",
            "client.requests",
            "client.bearer-trace"
        ]
    );
    for check in doc["checks"].as_array().unwrap() {
        for field in [
            "id",
            "title",
            "status",
            "summary",
            "details",
            "fix",
            "cause",
            "duration_ms",
        ] {
            assert!(check.get(field).is_some(), "{field} missing in {check}");
        }
        assert!(["pass", "warn", "fail", "skip"].contains(&check["status"].as_str().unwrap()));
    }
    assert_eq!(
        doc["summary"],
        serde_json::json!({"pass": 7, "warn": 0, "fail": 0, "skip": 23, "causes": 0})
    );
}

#[test]
fn config_json_carries_values_and_sources() {
    let run = healthy()
        .env("AWS_REGION", "eu-west-1")
        .run(&["config", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(doc["region"]["value"], "us-west-2");
    assert_eq!(
        doc["region"]["source"],
        "AWS_REGION (user settings: ~/.claude/settings.json)"
    );
    assert_eq!(doc["profile"]["name"], "dev");
    assert_eq!(doc["profile"]["kind"], "sso");
    assert_eq!(doc["credentials"]["source"], "profile");
    assert_eq!(doc["env"]["AWS_REGION"]["value"], "us-west-2");
    assert_eq!(doc["env"]["AWS_REGION"]["layer"], "user");
    assert_eq!(
        doc["env"]["AWS_REGION"]["shadowed"][0]["value"],
        "eu-west-1"
    );
    assert_eq!(
        doc["env"]["AWS_REGION"]["shadowed"][0]["source"],
        "process env"
    );
    assert_eq!(
        doc["env"]["AWS_BEARER_TOKEN_BEDROCK"]["value"],
        serde_json::Value::Null
    );
    assert_eq!(doc["models"].as_array().unwrap().len(), 3);
    assert_eq!(doc["models"][0]["kind"], "cross-region-profile");
    assert_eq!(doc["models"][0]["prefix"], "us");
}

#[test]
fn config_human_output_lists_values_with_sources() {
    let run = healthy().run(&["config"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("us-west-2 from AWS_REGION (user settings: ~/.claude/settings.json)"),
        "{}",
        run.stdout
    );
    // A model ID is never broken across lines: people copy it.
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("ANTHROPIC_DEFAULT_OPUS_MODEL"))
        .unwrap();
    assert!(
        line.trim_end().ends_with("us.anthropic.claude-opus-4-6-v1"),
        "{line}"
    );
    assert!(
        !run.stdout.contains("\u{1b}["),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn failing_check_exits_1_and_strict_makes_warnings_fail() {
    let broken = Sandbox::new();
    let run = broken.run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.check("provider")["status"], "fail");
    assert!(
        run.check("provider")["fix"]
            .as_str()
            .unwrap()
            .contains("CLAUDE_CODE_USE_BEDROCK")
    );

    let warns = healthy().env("AWS_DEFAULT_REGION", "us-east-1");
    let run = warns.run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.check("region")["status"], "warn");
    assert_eq!(run.code, 0);
    assert_eq!(
        warns
            .run(&["doctor", "--offline", "--strict", "--json"])
            .code,
        1
    );
}

#[test]
fn usage_errors_exit_2_with_a_json_document_when_asked() {
    let s = Sandbox::new();
    let run = s.run(&["doctor", "--no-such-flag", "--json"]);
    assert_eq!(run.code, 2);
    let doc = run.json();
    assert_eq!(doc["schema_version"], 1);
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--no-such-flag")
    );
    let run = s.run(&["doctor", "--timeout", "abc"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a number"));
    assert!(run.stdout.is_empty());
}

#[test]
fn malformed_settings_json_is_a_finding_not_a_crash() {
    let s =
        healthy().project_settings("{\n  \"env\": {\n    \"AWS_REGION\": \"eu-west-1\"\n  ,\n}\n");
    let run = s.run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.code, 1);
    let check = run.check("settings.files");
    assert_eq!(check["status"], "fail");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.contains("project/.claude/settings.json is not valid JSON at line 5"),
        "{summary}"
    );
    assert!(check["fix"].as_str().unwrap().contains("line 5"));
    // The rest of the configuration is still diagnosed.
    assert!(
        run.check("region")["summary"]
            .as_str()
            .unwrap()
            .starts_with("us-west-2")
    );
}

#[test]
fn non_object_and_non_string_settings_are_findings() {
    // Non-string env values apply, converted as JavaScript converts them: a warning each.
    let s =
        healthy().local_settings(r#"{"env":{"CLAUDE_CODE_USE_MANTLE":true,"AWS_REGION":["x"]}}"#);
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("settings.files");
    assert_eq!(check["status"], "warn", "{check}");
    let text = check.to_string();
    assert!(text.contains("env.CLAUDE_CODE_USE_MANTLE"), "{text}");
    assert!(
        text.contains("is a boolean: Claude Code applies it as the text \\\"true\\\""),
        "{text}"
    );
    assert!(
        run.check("provider")["summary"]
            .as_str()
            .unwrap()
            .contains("Mantle")
    );
    // A validated key of the wrong type makes Claude Code ignore the whole file.
    let s =
        healthy().local_settings(r#"{"env":{"AWS_REGION":"eu-west-1"},"modelOverrides":"nope"}"#);
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("settings.files");
    assert_eq!(check["status"], "fail");
    assert!(
        check.to_string().contains("ignores the whole file"),
        "{check}"
    );
    assert_ne!(
        run.json()["context"]["region"],
        "eu-west-1",
        "the file does not apply"
    );
}

#[test]
fn schema_enum_violations_are_reported() {
    let s = healthy().project_settings(
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"true","ANTHROPIC_BEDROCK_SERVICE_TIER":"premium"}}"#,
    );
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("settings.files");
    assert_eq!(check["status"], "fail");
    let text = check.to_string();
    assert!(
        text.contains("CLAUDE_CODE_USE_BEDROCK=\\\"true\\\""),
        "{text}"
    );
    assert!(
        text.contains("\\\"default\\\", \\\"flex\\\", \\\"priority\\\""),
        "{text}"
    );
}

#[test]
fn malformed_aws_config_is_a_finding_not_a_crash() {
    let s = healthy().aws_config("[profile dev\nregion = us-west-2\n");
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("auth.source");
    assert_eq!(check["status"], "fail", "{check}");
    let text = check.to_string();
    assert!(text.contains("cannot be parsed"), "{text}");
    assert!(text.contains("line 1"), "{text}");
    let config = s.run(&["config", "--json"]);
    assert_eq!(config.code, 0);
    assert!(
        config.json()["files"]["aws"][0]["state"]
            .as_str()
            .unwrap()
            .starts_with("invalid")
    );
}

#[test]
fn missing_profile_names_the_alternatives() {
    let s = healthy()
        .env("AWS_PROFILE", "prod")
        .aws_config("[profile dev]\nregion = us-west-2\n[prod]\nregion = us-east-1\n");
    // settings AWS_PROFILE=dev wins over the shell; use --profile to pick prod.
    let run = s.run(&["doctor", "--offline", "--json", "--profile", "prod"]);
    let check = run.check("auth.source");
    assert_eq!(check["status"], "fail");
    let text = check.to_string();
    assert!(text.contains("[profile prod]"), "{text}");
    assert!(text.contains("dev"), "{text}");
}

#[test]
fn pinned_model_problems_are_specific() {
    let s = healthy().local_settings(
        r#"{"env":{"ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.anthropic.claude-opus-4-6-v1","ANTHROPIC_DEFAULT_SONNET_MODEL":"anthropic.claude-sonnet-4-5-20250929-v1:0","ANTHROPIC_MODEL":"claude-sonnet-4-6","ANTHROPIC_DEFAULT_HAIKU_MODEL":"us.anthropic.claude-haiku-4-5-20251001-v1:0[1m]"}}"#,
    );
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("models.pinned");
    assert_eq!(check["status"], "fail");
    let text = check.to_string();
    assert!(text.contains("cannot be called from us-west-2"), "{text}");
    assert!(
        text.contains("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        "suggests the profile ID: {text}"
    );
    assert!(text.contains("Anthropic API model name"), "{text}");
    assert!(text.contains("does not offer it"), "{text}");
}

#[test]
fn mantle_only_rejects_invoke_ids() {
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_MANTLE", "1")
        .env("AWS_REGION", "us-east-1")
        .env("ANTHROPIC_MODEL", "us.anthropic.claude-sonnet-4-6")
        .aws_credentials("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secretsecretsecret\n");
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("models.pinned");
    assert_eq!(check["status"], "fail");
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("anthropic.claude-sonnet-4-6")
    );
}

#[test]
fn human_doctor_output_has_marks_fixes_and_a_summary() {
    let s = healthy()
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .local_settings(
            r#"{"env":{"ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.anthropic.claude-opus-4-6-v1"}}"#,
        );
    let run = s.run(&["doctor", "--offline"]);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    // An area a line, each problem with its fix, the problems numbered, the verdict last.
    assert!(out.contains("✗  Configuration"), "{out}");
    assert!(out.contains("✓  Credentials"), "{out}");
    assert!(out.contains("fix: "), "{out}");
    assert!(out.contains("2 problems"), "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.contains("will not work as configured") && last.contains("5 checks passed"),
        "{last}"
    );
    // -q keeps the closing block alone: the problems and their fixes, the verdict.
    let quiet = s.run(&["doctor", "--offline", "-q"]);
    assert!(!quiet.stdout.contains("Credentials"), "{}", quiet.stdout);
    assert!(quiet.stdout.contains("2 problems"), "{}", quiet.stdout);
    assert!(
        quiet.stdout.contains("us.anthropic.claude-opus-4-6-v1"),
        "{}",
        quiet.stdout
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let s = healthy();
    let always = s.run(&["doctor", "--offline", "--color", "always"]);
    assert!(always.stdout.contains("\u{1b}["), "colour forced on");
    let never = s.run(&["doctor", "--offline", "--color", "never"]);
    assert!(!never.stdout.contains("\u{1b}["));
    let no_color = Sandbox::new()
        .env("NO_COLOR", "1")
        .run(&["doctor", "--offline"]);
    assert!(!no_color.stdout.contains("\u{1b}["));
}

#[test]
fn verbose_shows_ids_and_pass_details() {
    let run = healthy().run(&["doctor", "--offline", "-v"]);
    assert!(run.stdout.contains("[models.pinned ·"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("· ANTHROPIC_DEFAULT_OPUS_MODEL = us.anthropic.claude-opus-4-6-v1"),
        "{}",
        run.stdout
    );
}

#[test]
fn provider_conflicts_are_reported() {
    let s = healthy()
        .env("CLAUDE_CODE_USE_VERTEX", "1")
        .env("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST", "1");
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("provider");
    assert_eq!(check["status"], "warn");
    let text = check.to_string();
    assert!(text.contains("CLAUDE_CODE_USE_VERTEX"));
    assert!(text.contains("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"));
}

#[test]
fn a_misspelt_variable_is_named_with_the_one_meant() {
    let s = healthy().local_settings(
        r#"{"env":{"ANTHROPIC_DEFAULT_SONET_MODEL":"us.anthropic.claude-sonnet-4-6"}}"#,
    );
    let check = s
        .run(&["doctor", "--offline", "--json"])
        .check("settings.files");
    assert_eq!(check["status"], "warn", "{check}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("is not a variable Claude Code"),
        "{check}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("Did you mean ANTHROPIC_DEFAULT_SONNET_MODEL?"),
        "{check}"
    );
}
