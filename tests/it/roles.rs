//! Which model each role uses — the main loop, background (small/fast) work — as the doctor
//! predicts it and as the real client does it, side by side, for the configurations where the
//! two are easiest to get wrong. Background work is made visible with a prompt hook (it runs on
//! the small/fast model); the main loop is the streamed call.

use std::time::Duration;

use claude_bedrock::doctor::facts::roles::model_targets;

use crate::real_client::CURRENT;
use crate::support::Sandbox;
use crate::support::claude_code;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario, Seen};

const SONNET_45: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const SONNET_46: &str = "us.anthropic.claude-sonnet-4-6";
const SONNET_4: &str = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const HAIKU_35: &str = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
const OPUS_55: &str = "us.anthropic.claude-opus-5-5";

/// The real client `version` run once against a fake of `scenario`, with `env` in its user
/// settings (and, with `hook`, a prompt hook, which runs on the small/fast model): the fake, for
/// what it saw, and the machine.
fn run_client(
    version: &str,
    scenario: Scenario,
    env: &[(&str, &str)],
    hook: bool,
) -> (FakeAws, Sandbox) {
    let binary = claude_code::install(version);
    let fake = FakeAws::start(scenario);
    let mut settings = serde_json::json!({
        "env": {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "ANTHROPIC_BEDROCK_BASE_URL": fake.url,
        },
    });
    if hook {
        settings["hooks"] = serde_json::json!({"UserPromptSubmit": [{"hooks": [{"type": "prompt", "prompt": "Decide. $ARGUMENTS"}]}]});
    }
    for (name, value) in env {
        settings["env"][name] = serde_json::Value::String(value.to_string());
    }
    let sandbox = Sandbox::new().user_settings(&settings.to_string());
    claude_code::run(
        &binary,
        &sandbox.home,
        &sandbox.project,
        &["-p", "say ok"],
        Duration::from_secs(90),
    );
    (fake, sandbox)
}

/// (main loop, background) as the real client used them.
fn observed(env: &[(&str, &str)]) -> (Option<String>, Option<String>) {
    let mut scenario = Scenario::healthy();
    scenario.invoke_any = true;
    let (fake, _machine) = run_client(CURRENT, scenario, env, true);
    let seen = fake.seen();
    let is_hook = |s: &Seen| s.body.contains("You are evaluating a hook");
    let main = seen
        .iter()
        .rfind(|s| s.operation == "InvokeModelWithResponseStream" && !is_hook(s))
        .and_then(|s| s.model.clone());
    let background = seen
        .iter()
        .find(|s| s.operation.starts_with("InvokeModel") && is_hook(s))
        .and_then(|s| s.model.clone());
    (main, background)
}

/// (main loop, background) as the doctor predicts them, for an account where everything
/// answers: a pin, or the best of an unpinned tier's candidates.
fn predicted(env: &[(&str, &str)]) -> (String, String) {
    let mut sandbox = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1");
    for (name, value) in env {
        sandbox = sandbox.env(name, value);
    }
    let targets = model_targets(&sandbox.resolve(), None);
    let of = |check: &str| {
        targets
            .iter()
            .find(|t| t.check.as_str() == check)
            .map(|t| t.id.id.clone())
            .unwrap()
    };
    (of("models.primary"), of("models.small-fast"))
}

#[test]
fn the_doctor_predicts_the_main_loop_and_background_models_the_client_uses() {
    /// The configuration, then the main-loop and background models both must name.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        // Nothing set: the Opus default, and background work on the Sonnet tier, not Haiku.
        (&[], OPUS_55, SONNET_45),
        // A Haiku model takes background work; the main loop stays.
        (
            &[("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU_35)],
            OPUS_55,
            HAIKU_35,
        ),
        (
            &[("ANTHROPIC_SMALL_FAST_MODEL", HAIKU_35)],
            OPUS_55,
            HAIKU_35,
        ),
        // A selected model carries background work too.
        (&[("ANTHROPIC_MODEL", SONNET_46)], SONNET_46, SONNET_46),
        (&[("ANTHROPIC_DEFAULT_MODEL", SONNET_4)], SONNET_4, SONNET_4),
        // A lone Sonnet pin carries the main loop.
        (
            &[("ANTHROPIC_DEFAULT_SONNET_MODEL", SONNET_46)],
            SONNET_46,
            SONNET_46,
        ),
    ];
    for (env, main, background) in cases {
        let prediction = predicted(env);
        assert_eq!(
            (prediction.0.as_str(), prediction.1.as_str()),
            (*main, *background),
            "the doctor's prediction for {env:?}"
        );
        let seen = observed(env);
        assert_eq!(
            (seen.0.as_deref(), seen.1.as_deref()),
            (Some(*main), Some(*background)),
            "the real client for {env:?}"
        );
    }
}

/// The version gate of `ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION`, with both sides' real clients:
/// a main loop that is the small/fast model spelled otherwise goes to the small/fast region on
/// 2.1.332 and stays in the main region from 2.1.335 on — and the doctor names the defect on
/// the older client only.
#[test]
fn the_small_fast_region_takes_the_main_loop_only_before_2_1_335() {
    const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    const GLOBAL_HAIKU: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
    for (version, main_region, defect) in [
        ("2.1.332", "eu-west-1", true),
        (CURRENT, "us-east-1", false),
    ] {
        let mut scenario = Scenario::healthy();
        scenario.invoke_any = true;
        scenario.other_regions = vec!["eu-west-1".into()];
        let (fake, sandbox) = run_client(
            version,
            scenario,
            &[
                ("ANTHROPIC_MODEL", HAIKU),
                ("ANTHROPIC_DEFAULT_HAIKU_MODEL", GLOBAL_HAIKU),
                ("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION", "eu-west-1"),
            ],
            false,
        );
        let main = fake
            .seen()
            .into_iter()
            .rfind(|s| {
                s.operation == "InvokeModelWithResponseStream" && s.model.as_deref() == Some(HAIKU)
            })
            .unwrap_or_else(|| panic!("{version} streamed no main-loop turn"));
        assert_eq!(
            main.signing_region.as_deref(),
            Some(main_region),
            "Claude Code {version}'s main loop"
        );
        let doctor = sandbox.run(&[
            "doctor",
            "--offline",
            "--json",
            "--claude-bin",
            claude_code::install(version).to_str().unwrap(),
        ]);
        let check = doctor.check("client.version");
        assert_eq!(
            check
                .to_string()
                .contains("sends the main loop to ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION"),
            defect,
            "{version}: {check:#}"
        );
    }
}
