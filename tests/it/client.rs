//! `client.version` with a fake `claude`, and `client.bearer-trace` with the real clients from npm:
//! 2.1.94 drops the bearer key on invoke calls, 2.1.96 does not.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::support::keys::long_term_key;
use crate::support::{Run, Sandbox, claude_code};

/// A `claude` that only answers `--version`.
fn fake_claude(sandbox: &Sandbox, version: &str) -> PathBuf {
    let dir = sandbox.root.join("bin");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("claude");
    fs::write(
        &path,
        format!("#!/bin/sh\nif [ \"$1\" = --version ]; then echo '{version} (Claude Code)'; exit 0; fi\nexit 3\n"),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// The doctor with `dir` first on PATH.
fn run_with_path(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Run {
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Run::from(sandbox.command(args).env("PATH", path).output().unwrap())
}

/// A bearer-key configuration with every tier pinned (so that only the bearer defects apply).
fn bearer_sandbox() -> Sandbox {
    Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_BEARER_TOKEN_BEDROCK", &long_term_key("123456789012"))
        .env(
            "ANTHROPIC_DEFAULT_OPUS_MODEL",
            "us.anthropic.claude-opus-4-6-v1",
        )
        .env(
            "ANTHROPIC_DEFAULT_SONNET_MODEL",
            "us.anthropic.claude-sonnet-4-6",
        )
        .env(
            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        )
}

#[test]
fn a_client_with_the_bearer_defect_fails_with_the_upgrade() {
    let sandbox = bearer_sandbox();
    let bin = fake_claude(&sandbox, "2.1.94");
    let run = run_with_path(&sandbox, &bin, &["doctor", "--offline", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let check = run.check("client.version");
    assert_eq!(check["status"], "fail", "{check}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.contains("Claude Code 2.1.94 drops the Authorization header on invoke calls"),
        "{summary}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("Upgrade Claude Code to 2.1.96 or later"),
        "{check}"
    );
    assert!(
        check["details"].to_string().contains("found via PATH"),
        "{check}"
    );
    // Offline, the client runs only when asked for.
    let trace = run.check("client.bearer-trace");
    assert_eq!(trace["status"], "skip");
    assert_eq!(trace["skip"]["kind"], "offline");
    assert!(
        trace["summary"].as_str().unwrap().contains("--client"),
        "{trace}"
    );
}

#[test]
fn a_current_client_passes() {
    let sandbox = bearer_sandbox();
    let bin = fake_claude(&sandbox, "2.1.330");
    let run = run_with_path(&sandbox, &bin, &["doctor", "--offline", "--json"]);
    let check = run.check("client.version");
    assert_eq!(check["status"], "pass", "{check}");
    assert_eq!(
        check["summary"],
        "Claude Code 2.1.330: no known defect applies to this configuration"
    );
}

#[test]
fn a_profile_region_on_an_old_client_fails_and_names_the_workaround() {
    let sandbox = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_PROFILE", "dev")
        .aws_config("[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIDEXAMPLE000000001\naws_secret_access_key = c2VjcmV0c2VjcmV0c2VjcmV0\n");
    let bin = fake_claude(&sandbox, "2.1.150");
    let run = run_with_path(&sandbox, &bin, &["doctor", "--offline", "--json"]);
    let check = run.check("client.version");
    assert_eq!(check["status"], "fail", "{check}");
    let fix = check["fix"].as_str().unwrap();
    assert!(fix.contains("2.1.172"), "{fix}");
    assert!(fix.contains("AWS_REGION=eu-west-1"), "{fix}");
}

#[test]
fn claude_bin_is_used_and_a_missing_client_is_skipped_with_how_to_point_at_it() {
    let sandbox = bearer_sandbox();
    let bin = fake_claude(&sandbox, "2.1.96");
    let empty = sandbox.root.join("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    // Only the empty directory on PATH: no claude.
    let missing = Run::from(
        sandbox
            .command(&["doctor", "--offline", "--json"])
            .env("PATH", &empty)
            .output()
            .unwrap(),
    );
    let check = missing.check("client.version");
    assert_eq!(check["status"], "skip", "{check}");
    assert!(
        check["fix"].as_str().unwrap().contains("--claude-bin"),
        "{check}"
    );

    let claude = bin.join("claude");
    let explicit = Run::from(
        sandbox
            .command(&[
                "doctor",
                "--offline",
                "--json",
                "--claude-bin",
                claude.to_str().unwrap(),
            ])
            .env("PATH", &empty)
            .output()
            .unwrap(),
    );
    let check = explicit.check("client.version");
    assert_eq!(check["status"], "pass", "{check}");
    assert!(
        check["details"].to_string().contains("--claude-bin"),
        "{check}"
    );

    let wrong = sandbox.run(&[
        "doctor",
        "--offline",
        "--json",
        "--claude-bin",
        "/nonexistent/claude",
    ]);
    assert_eq!(wrong.check("client.version")["status"], "fail");
}

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            }
            files.insert(entry.path(), (meta.len(), meta.modified().unwrap()));
        }
    }
    files
}

/// A bearer-key configuration in user settings, as `/setup-bedrock` writes it.
fn traced_bearer_sandbox(key: &str) -> Sandbox {
    Sandbox::new().user_settings(&format!(
        r#"{{"env":{{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","AWS_BEARER_TOKEN_BEDROCK":"{key}"}}}}"#
    ))
}

fn trace(sandbox: &Sandbox, claude: &Path) -> Run {
    let before = snapshot(&sandbox.root);
    let run = sandbox.run(&[
        "doctor",
        "--offline",
        "--json",
        "--trace-client",
        "--claude-bin",
        claude.to_str().unwrap(),
    ]);
    // No file of the user's changed, and none was added: the client wrote into a temp copy.
    assert_eq!(
        before,
        snapshot(&sandbox.root),
        "the trace changed files under the sandbox"
    );
    run
}

#[test]
fn the_trace_catches_2_1_94_dropping_the_bearer_key() {
    let claude = claude_code::install("2.1.94");
    let key = long_term_key("123456789012");
    let sandbox = traced_bearer_sandbox(&key);
    let run = trace(&sandbox, &claude);
    let check = run.check("client.bearer-trace");
    assert_eq!(check["status"], "fail", "{check}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("POST /model/")
            && summary.ends_with("/invoke-with-response-stream carried no Authorization"),
        "{check}"
    );
    assert!(check["fix"].as_str().unwrap().contains("2.1.96"), "{check}");
    let details = check["details"].to_string();
    // The control-plane call still carried the key: only invoke calls lost it.
    assert!(
        details.contains("GET /inference-profiles?type=SYSTEM_DEFINED — Authorization: Bearer with the configured key"),
        "{details}"
    );
    assert_eq!(run.check("client.version")["status"], "fail");
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains(&key[4..24]) && !run.stderr.contains(&key[4..24]));
}

#[test]
fn the_trace_passes_2_1_96() {
    let claude = claude_code::install("2.1.96");
    let key = long_term_key("123456789012");
    let sandbox = traced_bearer_sandbox(&key);
    let run = trace(&sandbox, &claude);
    let check = run.check("client.bearer-trace");
    assert_eq!(check["status"], "pass", "{check}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(
            "Claude Code 2.1.96 sent the configured bearer key on every Bedrock request"
        ),
        "{summary}"
    );
    let details = check["details"].to_string();
    assert!(
        details.contains(
            "/invoke-with-response-stream — Authorization: Bearer with the configured key"
        ),
        "{details}"
    );
    assert!(!run.stdout.contains(&key[4..24]) && !run.stderr.contains(&key[4..24]));
}

#[test]
fn the_trace_reports_sigv4_when_no_bearer_key_is_configured() {
    let claude = claude_code::install("2.1.96");
    let sandbox = Sandbox::new().user_settings(
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"eu-west-1","AWS_ACCESS_KEY_ID":"AKIDEXAMPLE000000001","AWS_SECRET_ACCESS_KEY":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}"#,
    );
    let run = trace(&sandbox, &claude);
    let check = run.check("client.bearer-trace");
    assert_eq!(check["status"], "pass", "{check}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.contains("signed every Bedrock request with SigV4 (bedrock)"),
        "{summary}"
    );
    assert!(
        check["details"]
            .to_string()
            .contains("SigV4 (service bedrock, region eu-west-1)"),
        "{check}"
    );
    assert!(!run.stdout.contains("wJalrXUtnFEMI"));
}

#[test]
fn an_sso_profile_is_cut_off_from_aws_during_the_trace() {
    let claude = claude_code::install("2.1.96");
    let sandbox = Sandbox::new()
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_PROFILE":"corp","AWS_REGION":"us-west-2"}}"#)
        .aws_config("[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n");
    let run = trace(&sandbox, &claude);
    let check = run.check("client.bearer-trace");
    assert_eq!(check["status"], "pass", "{check}");
    let details = check["details"].to_string();
    assert!(
        details.contains("replaced by placeholder access keys"),
        "{details}"
    );
    // Every request reached the loopback server as a Bedrock call: none went to SSO or STS.
    assert!(!details.contains("POST / —"), "{details}");
}

#[test]
fn the_trace_catches_api_key_helper_replacing_sigv4_before_2_1_101() {
    let claude = claude_code::install("2.1.96");
    // The helper is never run: the trace swaps in a local command printing a placeholder.
    let sandbox = Sandbox::new().user_settings(
        r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-west-2","AWS_ACCESS_KEY_ID":"AKIDEXAMPLE000000001","AWS_SECRET_ACCESS_KEY":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},"apiKeyHelper":"/nonexistent/vault-get-key"}"#,
    );
    let run = trace(&sandbox, &claude);
    let check = run.check("client.bearer-trace");
    assert_eq!(check["status"], "fail", "{check}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.ends_with(
            "/invoke-with-response-stream carried Authorization: Bearer (expected SigV4)"
        ),
        "{summary}"
    );
    let fix = check["fix"].as_str().unwrap();
    assert!(
        fix.contains("2.1.101") && fix.contains("remove apiKeyHelper"),
        "{fix}"
    );
    assert!(
        check["details"]
            .to_string()
            .contains("apiKeyHelper was replaced"),
        "{check}"
    );
}

#[test]
fn the_trace_carries_project_settings_although_it_runs_elsewhere() {
    let claude = claude_code::install("2.1.96");
    let key = long_term_key("123456789012");
    // The key lives only in the project's local settings; the client runs in a temp directory.
    let sandbox = Sandbox::new()
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1"}}"#)
        .local_settings(&format!(
            r#"{{"env":{{"AWS_BEARER_TOKEN_BEDROCK":"{key}"}}}}"#
        ));
    let run = trace(&sandbox, &claude);
    let check = run.check("client.bearer-trace");
    assert_eq!(check["status"], "pass", "{check}");
}

/// The corrected ranges and triggers, on clients that only answer `--version`, as the doctor
/// sees them from the binary.
#[test]
fn the_defect_table_matches_the_changelog_on_real_version_numbers() {
    let sso = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-west-2")
        .env("AWS_PROFILE", "corp")
        .env("ANTHROPIC_DEFAULT_OPUS_MODEL", "us.anthropic.claude-opus-4-8")
        .env("ANTHROPIC_DEFAULT_SONNET_MODEL", "us.anthropic.claude-sonnet-4-6")
        .env("ANTHROPIC_DEFAULT_HAIKU_MODEL", "us.anthropic.claude-haiku-4-5-20251001-v1:0")
        .aws_config("[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_region = eu-central-1\nsso_start_url = https://corp.awsapps.com/start\n");
    let version_check = |sandbox: &Sandbox, version: &str| {
        let bin = fake_claude(sandbox, version);
        run_with_path(sandbox, &bin, &["doctor", "--offline", "--json"]).check("client.version")
    };
    // The SSO-region bug exists only in 2.1.207.
    for (version, has_it) in [("2.1.206", false), ("2.1.207", true), ("2.1.208", false)] {
        let check = version_check(&sso, version);
        assert_eq!(
            check
                .to_string()
                .contains("instead of the profile's sso_region"),
            has_it,
            "{version}: {check}"
        );
    }
    // A pinned Opus 4.8 needs 2.1.154.
    let check = version_check(&sso, "2.1.153");
    assert_eq!(check["status"], "fail");
    assert!(
        check.to_string().contains("too old for Opus 4.8") && check.to_string().contains("2.1.154"),
        "{check}"
    );
    // A gateway that skips auth loses its Authorization on 2.1.94 too.
    let gateway = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .env("CLAUDE_CODE_SKIP_BEDROCK_AUTH", "1")
        .env("ANTHROPIC_BEDROCK_BASE_URL", "https://gateway.corp.example");
    let check = version_check(&gateway, "2.1.94");
    assert_eq!(check["status"], "fail");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("CLAUDE_CODE_SKIP_BEDROCK_AUTH"),
        "{check}"
    );
}

#[test]
fn the_fix_removes_empty_variables_only_for_a_client_they_break() {
    // An empty HTTPS_PROXY is meant (it hides the shell's proxy) and breaks nothing: kept.
    let settings = r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_BEDROCK_BASE_URL":"","HTTPS_PROXY":""}}"#;
    for (version, removed) in [("2.1.96", true), ("2.1.330", false)] {
        let sandbox = Sandbox::new().user_settings(settings);
        let bin = fake_claude(&sandbox, version);
        let run = run_with_path(
            &sandbox,
            &bin,
            &["doctor", "--offline", "--fix", "--yes", "--json"],
        );
        let written = fs::read_to_string(sandbox.user_settings_path()).unwrap();
        assert_eq!(
            !written.contains("ANTHROPIC_BEDROCK_BASE_URL"),
            removed,
            "{version}: {written}\n{}",
            run.stdout
        );
        assert!(
            written.contains(r#""HTTPS_PROXY":"""#),
            "{version}: {written}"
        );
    }
}

#[test]
fn a_value_both_empty_and_not_a_string_is_removed_once() {
    // `[]` reads as "": on 2.1.96 it breaks SigV4 (removed), and it is not a string (quoted):
    // removing it is the one fix.
    let settings = r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_BEDROCK_BASE_URL":[]}}"#;
    let sandbox = Sandbox::new().user_settings(settings);
    let bin = fake_claude(&sandbox, "2.1.96");
    let run = run_with_path(
        &sandbox,
        &bin,
        &["doctor", "--offline", "--fix", "--yes", "--json"],
    );
    let doc = run.json();
    assert_eq!(doc["status"], "applied", "{doc:#}");
    let changes = doc["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{doc:#}");
    assert_eq!(changes[0]["kind"], "removed", "{doc:#}");
    let written = fs::read_to_string(sandbox.user_settings_path()).unwrap();
    assert!(!written.contains("ANTHROPIC_BEDROCK_BASE_URL"), "{written}");
}

/// The current client behind a `--version` of a release this tool has not observed.
fn newer_claude(sandbox: &Sandbox, version: &str) -> PathBuf {
    let real = claude_code::install(crate::real_client::CURRENT);
    let path = sandbox.root.join("newer-claude");
    fs::write(
        &path,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo '{version} (Claude Code)'; exit 0; fi\nexec '{}' \"$@\"\n",
            real.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_client_newer_than_the_observed_one_is_said_once_and_rehearsed_even_offline() {
    let sandbox = bearer_sandbox();
    let observed = claude_bedrock::knowledge::observed().client.clone();
    let claude = newer_claude(&sandbox, "2.1.999");
    let bin = claude.to_str().unwrap();
    let run = sandbox.run(&["doctor", "--offline", "--json", "--claude-bin", bin]);
    assert_eq!(run.json()["context"]["observed_client"], observed.as_str());
    // Offline, the client runs only when asked — except when it is newer than what was observed:
    // its own requests are then the evidence.
    let trace = run.check("client.bearer-trace");
    assert_eq!(trace["status"], "pass", "{trace}");
    assert!(
        run.check("client.version")["details"]
            .to_string()
            .contains(&format!("newer than the {observed} this tool has observed")),
        "{}",
        run.check("client.version")
    );
    let human = sandbox.run(&["doctor", "--offline", "--claude-bin", bin]);
    let said = format!("Claude Code 2.1.999 (newer than the {observed} this tool has observed)");
    assert_eq!(human.stdout.matches(&said).count(), 1, "{}", human.stdout);

    // The observed release itself: no such line, and offline no rehearsal unless asked.
    let same = newer_claude(&sandbox, &observed);
    let run = sandbox.run(&[
        "doctor",
        "--offline",
        "--claude-bin",
        same.to_str().unwrap(),
    ]);
    assert!(!run.stdout.contains("newer than"), "{}", run.stdout);
    let run = sandbox.run(&[
        "doctor",
        "--offline",
        "--json",
        "--claude-bin",
        same.to_str().unwrap(),
    ]);
    assert_eq!(run.check("client.bearer-trace")["skip"]["kind"], "offline");
}
