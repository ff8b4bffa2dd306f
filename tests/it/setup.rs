//! The setup wizard: every branch through a scripted prompter against the fake AWS, and the
//! scriptable twin (`--yes`) through the binary.

use std::fs;
use std::time::Duration;

use claude_bedrock::cli::SetupArgs;
use claude_bedrock::setup::flow::{Outcome, SetupError, Ui, Wizard};
use claude_bedrock::ui::prompter::{Answer, ScriptedPrompter};
use serde_json::Value;

use crate::support::Sandbox;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario, bearer_key};

use Answer::{Default as Dflt, No, Pick, Text, Yes};

/// A machine pointed at `fake` with one profile holding the fake's keys, and no settings yet.
fn fresh(fake: &FakeAws) -> Sandbox {
    Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .aws_credentials(&format!(
            "[dev]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
}

fn run_wizard(
    sandbox: &Sandbox,
    args: &SetupArgs,
    prompter: &mut ScriptedPrompter,
) -> Result<Outcome, SetupError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ui = Ui::new(false, false);
    let wizard = Wizard::new(
        args,
        sandbox.inputs(),
        None,
        None,
        Some(prompter),
        ui,
        Duration::from_secs(5),
        None,
    );
    runtime.block_on(wizard.run())
}

/// The answers after authentication: the resolved region, each tier's default pin, no primary
/// model, no 1M context for Opus and Sonnet, the user scope, and yes to the write.
fn defaults_then_write() -> Vec<Answer> {
    vec![Dflt, Dflt, Dflt, Dflt, Dflt, No, No, Dflt, Yes]
}

fn settings(sandbox: &Sandbox) -> Value {
    serde_json::from_str(&fs::read_to_string(sandbox.user_settings_path()).unwrap()).unwrap()
}

#[test]
fn profile_flow_writes_the_env_block() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake).env("AWS_REGION", "us-east-1");
    let mut prompter = ScriptedPrompter::new([
        Pick("AWS profile \"dev\"".into()), // 1. auth
        Dflt,                               // 2. region: the resolved one
        Dflt,                               // 6. opus: newest working
        Dflt,                               // sonnet
        Dflt,                               // haiku
        Dflt,                               // primary: not set
        No,                                 // 1M for Opus 4.6
        No,                                 // 1M for Sonnet 4.6
        Dflt,                               // 8. scope: user
        Yes,                                // write
    ]);
    let outcome = run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap();
    assert_eq!(prompter.remaining(), 0);
    assert!(outcome.applied.is_some());
    let env = &settings(&sandbox)["env"];
    assert_eq!(env["CLAUDE_CODE_USE_BEDROCK"], "1");
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["AWS_PROFILE"], "dev");
    assert_eq!(
        env["ANTHROPIC_DEFAULT_OPUS_MODEL"],
        "us.anthropic.claude-opus-4-6-v1"
    );
    assert_eq!(
        env["ANTHROPIC_DEFAULT_SONNET_MODEL"],
        "us.anthropic.claude-sonnet-4-6"
    );
    assert_eq!(
        env["ANTHROPIC_DEFAULT_HAIKU_MODEL"],
        "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    );
    assert!(env.get("ANTHROPIC_MODEL").is_none());
    for value in env.as_object().unwrap().values() {
        assert!(value.is_string());
    }
    // Every candidate was probed with an invoke and a stream.
    assert!(
        outcome
            .probes
            .iter()
            .all(claude_bedrock::setup::flow::ProbeResult::works)
    );
    let invokes = fake
        .seen()
        .iter()
        .filter(|s| s.operation == "InvokeModel")
        .count();
    assert_eq!(invokes, outcome.probes.len());
}

#[test]
fn the_wizard_is_offered_what_is_configured_and_rerun_starts_from_the_pins() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake).user_settings(
        r#"{"env":{"AWS_PROFILE":"dev","AWS_REGION":"us-east-1","ANTHROPIC_DEFAULT_OPUS_MODEL":"us.anthropic.claude-opus-4-5-20251101-v1:0","ANTHROPIC_MODEL":"us.anthropic.claude-sonnet-4-6[1m]"},"model":"opus"}"#,
    );
    let mut prompter = ScriptedPrompter::new([
        Dflt, Dflt, Dflt, Dflt, Dflt, Dflt, Dflt, Dflt, Dflt, Dflt, Yes,
    ]);
    let outcome = run_wizard(&sandbox, &SetupArgs::default(), &mut prompter);
    let outcome = outcome.unwrap();
    // The auth step preselects the configured profile, the opus step the current pin.
    assert!(
        prompter.defaults[0].contains("\"dev\""),
        "{:?}",
        prompter.defaults
    );
    assert!(
        prompter
            .defaults
            .iter()
            .any(|d| d.contains("us.anthropic.claude-opus-4-5-20251101-v1:0")),
        "{:?}",
        prompter.defaults
    );
    let env = &settings(&sandbox)["env"];
    assert_eq!(
        env["ANTHROPIC_DEFAULT_OPUS_MODEL"],
        "us.anthropic.claude-opus-4-5-20251101-v1:0"
    );
    assert_eq!(
        env["ANTHROPIC_MODEL"], "us.anthropic.claude-sonnet-4-6[1m]",
        "the 1M choice is kept"
    );
    // Keys setup does not own are untouched.
    assert_eq!(settings(&sandbox)["model"], "opus");
    assert!(outcome.applied.unwrap().backup.is_some());
}

#[test]
fn bearer_flow_checks_the_key_and_writes_it_privately() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake).env("AWS_REGION", "us-east-1");
    let mut prompter = ScriptedPrompter::new(
        [
            Pick("Bedrock API key".into()),
            Text("not-a-key".into()),           // malformed…
            Pick("Enter the key again".into()), // …so typed again
            Text(bearer_key()),
        ]
        .into_iter()
        .chain(defaults_then_write()),
    );
    run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap();
    assert_eq!(prompter.remaining(), 0);
    // The malformed key can be typed again or abandoned for another way to authenticate.
    let (question, items) = &prompter.asked[2];
    assert_eq!(question, "What now?");
    assert!(
        items[1].contains("choose another way to authenticate"),
        "{items:?}"
    );
    let env = &settings(&sandbox)["env"];
    assert_eq!(env["AWS_BEARER_TOKEN_BEDROCK"], bearer_key());
    assert!(env.get("AWS_PROFILE").is_none());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(sandbox.user_settings_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The fake saw the key on every Bedrock call.
    assert!(
        fake.seen()
            .iter()
            .all(|s| s.auth_scheme == "bearer" && s.auth_ok)
    );
}

#[test]
fn keys_flow_stores_a_profile_as_aws_configure_does() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("AWS_REGION", "us-east-1")
        .aws_credentials(
            "[other]\n# keep me\naws_access_key_id = AKIDOTHER\naws_secret_access_key = other\n",
        );
    let mut prompter = ScriptedPrompter::new(
        [
            Pick("access key and secret".into()),
            Text(ACCESS_KEY.into()),
            Text(SECRET_KEY.into()),
            Text("bedrock-dev".into()),
        ]
        .into_iter()
        .chain(defaults_then_write()),
    );
    let outcome = run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap();
    assert!(outcome.credentials_applied.is_some());
    let credentials = fs::read_to_string(sandbox.home.join(".aws/credentials")).unwrap();
    assert!(
        credentials.starts_with("[other]\n# keep me\naws_access_key_id = AKIDOTHER\n"),
        "{credentials}"
    );
    assert!(credentials.contains(&format!(
        "[bedrock-dev]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
    )));
    let env = &settings(&sandbox)["env"];
    assert_eq!(env["AWS_PROFILE"], "bedrock-dev");
    assert!(
        env.get("AWS_SECRET_ACCESS_KEY").is_none(),
        "keys never go into Claude Code's settings"
    );
    assert!(
        !fs::read_to_string(sandbox.user_settings_path())
            .unwrap()
            .contains(SECRET_KEY)
    );
}

#[test]
fn env_flow_uses_the_environment_and_removes_a_stale_profile() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .user_settings(r#"{"env":{"AWS_PROFILE":"gone"}}"#);
    let mut prompter = ScriptedPrompter::new(
        [Pick("Credentials already set".into())]
            .into_iter()
            .chain(defaults_then_write()),
    );
    let outcome = run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap();
    // The choice names what it would use, the key ID shortened and never the secret.
    let menu = &prompter.asked[0].1;
    assert!(
        menu.iter()
            .any(|item| item.contains("access key AKID…0001 from AWS_ACCESS_KEY_ID")),
        "{menu:?}"
    );
    assert!(!format!("{menu:?}").contains(SECRET_KEY));
    // It ends with what that choice means: Claude Code needs a shell that exports them.
    assert!(
        outcome.warnings.iter().any(|w| w.contains(
            "only when it is started from a shell that exports AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"
        )),
        "{:?}",
        outcome.warnings
    );
    let env = &settings(&sandbox)["env"];
    assert!(env.get("AWS_PROFILE").is_none(), "{env}");
    assert!(
        outcome
            .plan
            .changes
            .iter()
            .any(|c| c.key == "env.AWS_PROFILE")
    );
}

/// Escape goes back one question within a step (sonnet to opus), from a step's first question
/// to the step before (the scope to the pins), and at the first question of all it asks again.
#[test]
fn escape_goes_back_a_question_and_a_step() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake).env("AWS_REGION", "us-east-1");
    let mut prompter = ScriptedPrompter::new([
        Answer::Back,                       // the first question: asked again
        Pick("AWS profile \"dev\"".into()), // 1. auth
        Dflt,                               // 2. region
        Pick("global.anthropic.claude-opus-4-6-v1".into()),
        Answer::Back, // sonnet → opus again, the answer given preselected
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        No,
        No,
        Answer::Back, // the scope → the pins again
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        No,
        No,
        Dflt,
        Yes,
    ]);
    run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap();
    assert_eq!(prompter.remaining(), 0);
    let questions: Vec<&str> = prompter.asked.iter().map(|(q, _)| q.as_str()).collect();
    assert!(questions[0].starts_with("How should") && questions[1].starts_with("How should"));
    assert_eq!(questions[3], "Pin the opus tier to");
    assert_eq!(questions[4], "Pin the sonnet tier to");
    assert_eq!(questions[5], "Pin the opus tier to");
    assert!(prompter.defaults[5].contains("global.anthropic.claude-opus-4-6-v1"));
    assert!(questions[11].starts_with("Which settings file"));
    assert_eq!(questions[12], "Pin the opus tier to");
    let env = &settings(&sandbox)["env"];
    assert_eq!(
        env["ANTHROPIC_DEFAULT_OPUS_MODEL"],
        "global.anthropic.claude-opus-4-6-v1"
    );
}

#[test]
fn a_failing_model_is_not_pinned_without_consent() {
    let fake = FakeAws::start(Scenario::load("model-not-enabled"));
    let sandbox = fresh(&fake).env("AWS_REGION", "us-east-1");
    let mut prompter = ScriptedPrompter::new([
        Pick("AWS profile \"dev\"".into()),
        Dflt,
        Pick("us.anthropic.claude-opus-4-6-v1".into()), // does not answer…
        No,                                             // …so do not pin it
        Dflt,                                           // the default instead
        Dflt,
        Dflt,
        Dflt,
        No,
        No,
        Dflt,
        Yes,
    ]);
    run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap();
    // The default skipped the failing newest model for the newest working one.
    assert!(prompter.asked[3].0.contains("did not answer"));
    let env = &settings(&sandbox)["env"];
    assert_eq!(
        env["ANTHROPIC_DEFAULT_OPUS_MODEL"],
        "global.anthropic.claude-opus-4-6-v1"
    );
}

/// With an API key the shared project file is not offered at all (the writer would refuse it
/// too: `write::tests::secrets_are_refused_in_project_scope`), and the reason is said.
#[test]
fn a_secret_is_never_written_to_the_shared_project_file() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_BEARER_TOKEN_BEDROCK", &bearer_key());
    let mut prompter = ScriptedPrompter::new([
        Pick("Bedrock API key".into()),
        Yes, // use the configured key
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        No,
        No,
        Dflt,
        Yes,
    ]);
    run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap();
    let (_, scopes) = prompter
        .asked
        .iter()
        .find(|(q, _)| q.starts_with("Which settings file"))
        .unwrap();
    assert_eq!(scopes.len(), 2, "{scopes:?}");
    assert!(scopes[0].starts_with("user:") && scopes[1].starts_with("local:"));
    assert!(!sandbox.project.join(".claude/settings.json").exists());
    assert_eq!(
        settings(&sandbox)["env"]["AWS_BEARER_TOKEN_BEDROCK"],
        bearer_key()
    );
}

#[test]
fn cancelling_at_any_prompt_writes_nothing() {
    let fake = FakeAws::start(Scenario::healthy());
    for at in [0, 1, 2, 9] {
        let sandbox = fresh(&fake).env("AWS_REGION", "us-east-1");
        let mut script = vec![
            Pick("AWS profile \"dev\"".into()),
            Dflt,
            Dflt,
            Dflt,
            Dflt,
            Dflt,
            No,
            No,
            Dflt,
            Yes,
        ];
        script[at] = Answer::Cancel;
        let mut prompter = ScriptedPrompter::new(script);
        let err = run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap_err();
        assert!(matches!(err, SetupError::Cancelled), "{err:?}");
        assert!(
            !sandbox.user_settings_path().exists(),
            "cancelled at prompt {at} but a file was written"
        );
    }
    // Declining the final confirmation is a cancellation too.
    let sandbox = fresh(&fake).env("AWS_REGION", "us-east-1");
    let mut prompter = ScriptedPrompter::new([
        Pick("AWS profile \"dev\"".into()),
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        No,
        No,
        Dflt,
        No,
    ]);
    assert!(matches!(
        run_wizard(&sandbox, &SetupArgs::default(), &mut prompter),
        Err(SetupError::Cancelled)
    ));
    assert!(!sandbox.user_settings_path().exists());
}

#[test]
fn failed_verification_is_explained_and_stops() {
    let fake = FakeAws::start(Scenario::load("expired-token"));
    let sandbox = fresh(&fake).env("AWS_REGION", "us-east-1");
    let mut prompter = ScriptedPrompter::new([
        Pick("AWS profile \"dev\"".into()),
        Dflt,
        Pick("Stop here".into()),
    ]);
    let err = run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap_err();
    let SetupError::Refused { message, .. } = err else {
        panic!("{err:?}")
    };
    assert!(message.contains("expired"), "{message}");
    let (question, items) = prompter.asked.last().unwrap();
    assert_eq!(question, "The check failed. What now?");
    assert!(
        items.iter().any(|i| i.contains("Continue anyway"))
            && items.iter().any(|i| i.contains("other credentials")),
        "{items:?}"
    );
    assert!(!sandbox.user_settings_path().exists());
}

#[test]
fn a_region_without_anthropic_models_offers_another() {
    let mut scenario = Scenario::healthy();
    scenario.profiles = "none".into();
    let fake = FakeAws::start(scenario);
    let sandbox = fresh(&fake).env("AWS_REGION", "us-east-1");
    let mut prompter = ScriptedPrompter::new([
        Pick("AWS profile \"dev\"".into()),
        Dflt,
        No,
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        Yes,
    ]);
    let outcome = run_wizard(&sandbox, &SetupArgs::default(), &mut prompter).unwrap();
    assert!(
        prompter.asked[2].0.contains("another region"),
        "{:?}",
        prompter.asked
    );
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains("no Anthropic inference profiles"))
    );
}

#[test]
fn sso_refresh_is_offered_and_defaults_to_no_behind_a_proxy() {
    let fake = FakeAws::start(Scenario::healthy());
    // An SSO profile: --no-probe keeps the SDK away from the (absent) SSO token.
    let sso = "[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n";
    let args = SetupArgs {
        no_probe: true,
        ..SetupArgs::default()
    };
    for (proxy, expected_default, answer) in [
        (None, "true", Dflt),
        (Some("http://proxy.corp:3128"), "false", Yes),
    ] {
        let mut sandbox = fresh(&fake).env("AWS_REGION", "us-east-1").aws_config(sso);
        if let Some(proxy) = proxy {
            sandbox = sandbox.env("HTTPS_PROXY", proxy);
        }
        let mut prompter = ScriptedPrompter::new([
            Pick("\"corp\"".into()),
            Dflt,
            Dflt,
            Dflt,
            Dflt,
            Dflt,
            answer,
            Dflt,
            Yes,
        ]);
        run_wizard(&sandbox, &args, &mut prompter).unwrap();
        let refresh_index = prompter
            .asked
            .iter()
            .position(|(q, _)| q.contains("aws sso login --profile corp"))
            .unwrap();
        assert_eq!(
            prompter.defaults[refresh_index], expected_default,
            "proxy {proxy:?}"
        );
        assert_eq!(
            settings(&sandbox)["awsAuthRefresh"],
            "aws sso login --profile corp"
        );
    }
}

// ── The scriptable twin, through the binary ─────────────────────────────────────────────────

fn yes(extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "setup",
        "--yes",
        "--auth",
        "profile",
        "--profile",
        "dev",
        "--region",
        "us-east-1",
    ];
    args.extend_from_slice(extra);
    args.into_iter().map(String::from).collect()
}

fn run(sandbox: &Sandbox, args: &[String]) -> crate::support::Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sandbox.run(&args)
}

#[test]
fn yes_writes_from_flags_and_reports_json() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake);
    let result = run(
        &sandbox,
        &yes(&[
            "--opus",
            "global.anthropic.claude-opus-4-6-v1",
            "--model",
            "us.anthropic.claude-sonnet-4-6",
            "--1m",
            "--json",
        ]),
    );
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
    let doc = result.json();
    assert_eq!(doc["status"], "written");
    assert_eq!(doc["scope"], "user");
    assert_eq!(doc["auth"]["type"], "profile");
    assert!(doc["probes"].as_array().unwrap().len() >= 3);
    let keys: Vec<&str> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"env.ANTHROPIC_DEFAULT_OPUS_MODEL"),
        "{keys:?}"
    );
    let env = &settings(&sandbox)["env"];
    assert_eq!(
        env["ANTHROPIC_DEFAULT_OPUS_MODEL"],
        "global.anthropic.claude-opus-4-6-v1[1m]"
    );
    assert_eq!(env["ANTHROPIC_MODEL"], "us.anthropic.claude-sonnet-4-6[1m]");
    assert_eq!(
        env["ANTHROPIC_DEFAULT_HAIKU_MODEL"],
        "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    );
    // The doctor agrees with what was written.
    let doctor = sandbox.run(&["doctor", "--json"]);
    assert_eq!(doctor.code, 0, "{}", doctor.stdout);
}

/// Under --yes a region AWS does not have is a usage error that names the region it was likely
/// meant to be — from the flag or from the environment — before any call, and writes nothing.
#[test]
fn yes_with_a_mistyped_region_is_a_usage_error_naming_the_region_meant() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake);
    let mut args = yes(&[]);
    let at = args.iter().position(|a| a == "us-east-1").unwrap();
    args[at] = "us-wst-2".into();
    let result = run(&sandbox, &args);
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert!(
        result
            .stderr
            .contains("--region: \"us-wst-2\" is not a region AWS has (did you mean us-west-2?)"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("Pass --region us-west-2."),
        "{}",
        result.stderr
    );
    assert!(
        !result.stderr.contains("claude-bedrock setup"),
        "{}",
        result.stderr
    );
    assert!(fake.seen().is_empty());
    assert!(!sandbox.user_settings_path().exists());

    let from_env = fresh(&fake).env("AWS_REGION", "eu-wset-1");
    let result = from_env.run(&["setup", "--yes", "--auth", "profile", "--profile", "dev"]);
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert!(
        result.stderr.contains("(did you mean eu-west-1?)") && result.stderr.contains("AWS_REGION"),
        "{}",
        result.stderr
    );
    assert!(!from_env.user_settings_path().exists());
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake).user_settings("{\n  \"theme\": \"dark\"\n}\n");
    let before = fs::read(sandbox.user_settings_path()).unwrap();
    let result = run(&sandbox, &yes(&["--dry-run"]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(result.stdout.contains("Dry run"), "{}", result.stdout);
    assert!(
        result.stdout.contains("+ env.CLAUDE_CODE_USE_BEDROCK = 1"),
        "{}",
        result.stdout
    );
    assert_eq!(fs::read(sandbox.user_settings_path()).unwrap(), before);
}

#[test]
fn without_a_terminal_or_yes_setup_names_the_flags() {
    let sandbox = Sandbox::new();
    let result = sandbox.run(&["setup"]);
    assert_eq!(result.code, 2);
    for flag in [
        "--yes",
        "--auth",
        "--profile",
        "--region",
        "--opus",
        "--scope",
    ] {
        assert!(result.stderr.contains(flag), "{flag}: {}", result.stderr);
    }
    let json = sandbox.run(&["setup", "--json"]);
    assert_eq!(json.code, 2);
    assert!(
        json.json()["error"]["fix"]
            .as_str()
            .unwrap()
            .contains("--yes")
    );
}

#[test]
fn a_pin_that_fails_its_probe_is_refused_unless_forced() {
    let fake = FakeAws::start(Scenario::load("model-not-enabled"));
    let sandbox = fresh(&fake);
    let result = run(
        &sandbox,
        &yes(&["--opus", "us.anthropic.claude-opus-4-6-v1"]),
    );
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(
        result.stderr.contains("did not answer"),
        "{}",
        result.stderr
    );
    assert!(!sandbox.user_settings_path().exists());
    let forced = run(
        &sandbox,
        &yes(&["--opus", "us.anthropic.claude-opus-4-6-v1", "--force"]),
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(
        settings(&sandbox)["env"]["ANTHROPIC_DEFAULT_OPUS_MODEL"],
        "us.anthropic.claude-opus-4-6-v1"
    );
}

#[test]
fn invalid_existing_json_is_never_overwritten() {
    let fake = FakeAws::start(Scenario::healthy());
    let broken = "{\n  \"env\": {\"A\": \"1\",}\n}\n";
    let sandbox = fresh(&fake).user_settings(broken);
    let result = run(&sandbox, &yes(&["--no-probe"]));
    assert_eq!(result.code, 1);
    assert!(
        result.stderr.contains("not valid JSON at line 2"),
        "{}",
        result.stderr
    );
    assert_eq!(
        fs::read_to_string(sandbox.user_settings_path()).unwrap(),
        broken
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_refused_and_kept() {
    use std::os::unix::fs::PermissionsExt;
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake).user_settings("{}\n");
    let path = sandbox.user_settings_path();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let result = run(&sandbox, &yes(&["--no-probe"]));
    assert_eq!(result.code, 1);
    assert!(result.stderr.contains("read-only"), "{}", result.stderr);
    assert_eq!(fs::read_to_string(&path).unwrap(), "{}\n");
}

#[cfg(unix)]
#[test]
fn a_symlinked_settings_file_stays_a_symlink() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake).file("dotfiles/claude-settings.json", "{\"theme\":\"dark\"}\n");
    fs::create_dir_all(sandbox.home.join(".claude")).unwrap();
    std::os::unix::fs::symlink(
        sandbox.root.join("dotfiles/claude-settings.json"),
        sandbox.user_settings_path(),
    )
    .unwrap();
    let result = run(&sandbox, &yes(&["--no-probe"]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        fs::symlink_metadata(sandbox.user_settings_path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written: Value = serde_json::from_str(
        &fs::read_to_string(sandbox.root.join("dotfiles/claude-settings.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(written["env"]["AWS_PROFILE"], "dev", "{written}");
    assert_eq!(written["theme"], "dark");
}

#[test]
fn a_missing_directory_is_created() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake);
    assert!(!sandbox.home.join(".claude").exists());
    let result = run(&sandbox, &yes(&["--no-probe", "--scope", "local"]));
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        sandbox
            .project
            .join(".claude/settings.local.json")
            .is_file()
    );
}

#[test]
fn a_concurrent_run_is_turned_away() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = fresh(&fake).user_settings("{}\n");
    let lock = claude_bedrock::write::lock_path(&sandbox.user_settings_path());
    let held = fs::File::create(&lock).unwrap();
    held.lock().unwrap();
    let result = run(&sandbox, &yes(&["--no-probe"]));
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(
        result.stderr.contains("another claude-bedrock is writing"),
        "{}",
        result.stderr
    );
    assert_eq!(
        fs::read_to_string(sandbox.user_settings_path()).unwrap(),
        "{}\n"
    );
    drop(held);
}

#[cfg(unix)]
#[test]
fn a_process_killed_mid_write_leaves_the_old_or_the_new_file() {
    let fake = FakeAws::start(Scenario::healthy());
    // A large file makes the write take long enough to be interrupted.
    let mut big = serde_json::Map::new();
    for i in 0..20_000 {
        big.insert(format!("key{i}"), Value::String("x".repeat(40)));
    }
    let original = serde_json::to_string_pretty(&serde_json::json!({ "big": big })).unwrap();
    let sandbox = fresh(&fake).user_settings(&original);
    let path = sandbox.user_settings_path();
    let mut kinds = std::collections::BTreeSet::new();
    for delay_ms in [0u64, 2, 5, 10, 20, 40, 80, 160] {
        fs::write(&path, &original).unwrap();
        let args = yes(&["--no-probe"]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = sandbox.command(&args).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let text = fs::read_to_string(&path).unwrap();
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("torn file after {delay_ms} ms: {e}"));
        let new = value["env"]["AWS_PROFILE"] == "dev";
        assert!(
            new || text == original,
            "neither old nor new after {delay_ms} ms"
        );
        kinds.insert(new);
    }
    // Leftover temp files would be clutter, never a settings file Claude Code reads.
    for entry in fs::read_dir(path.parent().unwrap()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".json") || name == "settings.json",
            "stray file {name}"
        );
    }
    assert!(!kinds.is_empty());
}

#[test]
fn scriptable_bearer_from_stdin() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new().env("AWS_ENDPOINT_URL", &fake.url);
    let mut child = sandbox
        .command(&[
            "setup",
            "--yes",
            "--auth",
            "bearer",
            "--bearer-key-stdin",
            "--region",
            "us-east-1",
            "--scope",
            "local",
            "--json",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n", bearer_key()).as_bytes())
        .unwrap();
    let result = crate::support::Run::from(child.wait_with_output().unwrap());
    assert_eq!(result.code, 0, "{}\n{}", result.stdout, result.stderr);
    assert!(
        !result.stdout.contains(&bearer_key()[4..30]),
        "the key leaked into the summary"
    );
    let local: Value = serde_json::from_str(
        &fs::read_to_string(sandbox.project.join(".claude/settings.local.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(local["env"]["AWS_BEARER_TOKEN_BEDROCK"], bearer_key());
}

#[test]
fn project_scope_refuses_a_key_with_the_reason() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("AWS_BEARER_TOKEN_BEDROCK", &bearer_key());
    let result = sandbox.run(&[
        "setup",
        "--yes",
        "--auth",
        "bearer",
        "--region",
        "us-east-1",
        "--scope",
        "project",
        "--no-probe",
    ]);
    // A usage error before any step runs: nothing verified, probed or written.
    assert_eq!(result.code, 2, "{}", result.stderr);
    assert!(result.stderr.contains("shared"), "{}", result.stderr);
    assert!(result.stderr.contains("--scope user"), "{}", result.stderr);
    assert!(fake.seen().is_empty(), "{:?}", fake.seen().len());
    assert!(!sandbox.project.join(".claude/settings.json").exists());
}

#[test]
fn every_corpus_file_round_trips_through_setup_and_stays_schema_valid() {
    let vendored = crate::support::schemastore_dir();
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(vendored.join("claude-code-settings.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the settings schema compiles");
    let fake = FakeAws::start(Scenario::healthy());
    let mut files: Vec<_> = fs::read_dir(vendored.join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 20);
    for path in files {
        let original_text = fs::read_to_string(&path).unwrap();
        let original: Value = serde_json::from_str(&original_text).unwrap();
        let sandbox = fresh(&fake).user_settings(&original_text);
        let result = run(
            &sandbox,
            &yes(&[
                "--no-probe",
                "--opus",
                "us.anthropic.claude-opus-4-6-v1",
                "--sonnet",
                "us.anthropic.claude-sonnet-4-6",
                "--haiku",
                "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            ]),
        );
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(result.code, 0, "{name}: {}", result.stderr);
        let written = settings(&sandbox);

        // Everything setup does not own is exactly as it was, key order included.
        let strip = |value: &Value| {
            let mut value = value.clone();
            if let Some(env) = value.get_mut("env").and_then(Value::as_object_mut) {
                for key in claude_bedrock::setup::flow::OWNED_ENV {
                    env.remove(*key);
                }
            }
            if let Some(object) = value.as_object_mut()
                && object
                    .get("env")
                    .and_then(Value::as_object)
                    .is_some_and(serde_json::Map::is_empty)
                && original.get("env").is_none()
            {
                object.remove("env");
            }
            value
        };
        assert_eq!(
            strip(&written),
            strip(&original),
            "{name}: keys setup does not own changed"
        );
        let before_keys: Vec<&String> = original.as_object().unwrap().keys().collect();
        let after_keys: Vec<&String> = written
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != "env" || original.get("env").is_some())
            .collect();
        assert_eq!(
            before_keys, after_keys,
            "{name}: top-level key order changed"
        );

        for (key, value) in written["env"].as_object().unwrap() {
            assert!(value.is_string(), "{name}: env.{key} is not a string");
        }
        assert_eq!(written["env"]["AWS_PROFILE"], "dev");
        let errors: Vec<String> = validator
            .iter_errors(&written)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        let original_errors: Vec<String> = validator
            .iter_errors(&original)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.iter().all(|e| original_errors.contains(e)),
            "{name}: setup introduced schema errors: {errors:?}"
        );
    }
}

/// The region step offers the region Claude Code resolves with the chosen profile, and setup
/// never writes a region over it unasked.
#[test]
fn a_profiles_own_region_is_kept_not_overridden() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .aws_config("[default]\noutput = json\n[profile dev]\nregion = us-west-2\n")
        .aws_credentials(&format!(
            "[dev]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ));
    let run = sandbox.run(&[
        "setup",
        "--yes",
        "--no-probe",
        "--auth",
        "profile",
        "--profile",
        "dev",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.json()["region"], "us-west-2");
    let written = settings(&sandbox);
    assert_eq!(written["env"]["AWS_PROFILE"], "dev");
    assert!(written["env"].get("AWS_REGION").is_none(), "{written}");
    let config = sandbox.run(&["config", "--json"]).json();
    assert_eq!(config["region"]["value"], "us-west-2");

    // Interactively, the profile's region is what is offered first, with its source.
    // Without probes: the region, three tiers, the primary model, the scope, then the write.
    let mut prompter = ScriptedPrompter::new([
        Pick("AWS profile \"dev\"".into()),
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        Dflt,
        Yes,
    ]);
    let fresh_sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .aws_config("[default]\noutput = json\n[profile dev]\nregion = us-west-2\n")
        .aws_credentials(&format!(
            "[dev]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ));
    let args = SetupArgs {
        no_probe: true,
        ..SetupArgs::default()
    };
    let outcome = run_wizard(&fresh_sandbox, &args, &mut prompter);
    let (_, regions) = prompter
        .asked
        .iter()
        .find(|(p, _)| p.contains("Which region"))
        .unwrap();
    assert!(
        regions[0].starts_with("us-west-2 — from profile \"dev\""),
        "{regions:?}"
    );
    assert_eq!(outcome.unwrap().region, "us-west-2");
    // An explicit region is written, as asked.
    let run = sandbox.run(&[
        "setup",
        "--yes",
        "--no-probe",
        "--auth",
        "profile",
        "--profile",
        "dev",
        "--region",
        "eu-west-1",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(settings(&sandbox)["env"]["AWS_REGION"], "eu-west-1");
}

#[cfg(unix)]
#[test]
fn the_key_and_the_settings_are_written_together_or_not_at_all() {
    use std::os::unix::fs::PermissionsExt;
    let fake = FakeAws::start(Scenario::healthy());
    let before =
        "[other]\naws_access_key_id = AKIDOTHER0000000000\naws_secret_access_key = other\n";
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .aws_credentials(before)
        .user_settings("{}\n");
    // The settings file cannot be replaced: the stored key must not stay behind on its own.
    let settings_path = sandbox.user_settings_path();
    fs::set_permissions(&settings_path, fs::Permissions::from_mode(0o444)).unwrap();
    let args = [
        "setup",
        "--yes",
        "--no-probe",
        "--auth",
        "keys",
        "--region",
        "us-east-1",
    ];
    let result = sandbox.run(&args);
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(result.stderr.contains("read-only"), "{}", result.stderr);
    assert!(
        result.stderr.contains("was put back as it was"),
        "{}",
        result.stderr
    );
    let credentials = sandbox.home.join(".aws/credentials");
    assert_eq!(fs::read_to_string(&credentials).unwrap(), before);
    assert_eq!(fs::read_to_string(&settings_path).unwrap(), "{}\n");

    // With no credentials file before, none is left after.
    fs::remove_file(&credentials).unwrap();
    let result = sandbox.run(&args);
    assert_eq!(result.code, 1, "{}", result.stderr);
    assert!(!credentials.exists(), "a credentials file was left behind");
}
