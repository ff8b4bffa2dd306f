//! The doctor against the newest client, over a grid of configurations crossed with the ways an
//! account can refuse: for each case the real client (`CURRENT`) runs alone against a loopback
//! fake, and its lived outcome is the truth; then the doctor, with that same client rehearsing,
//! runs against the same fake. The doctor must never say the opposite:
//!
//! - the client fails ⇒ the doctor fails;
//! - the client works ⇒ the doctor fails nothing the client used: a failure of the doctor's is
//!   allowed only on a model and region the client never called in its run (background work a
//!   one-turn run does not reach), and then it is counted apart;
//! - the client recovered from a refused turn ⇒ the doctor is not silent (a warning at least).
//!
//! The cases run two at a time (one per core); the test prints the agreement count.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::real_client::CURRENT;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario, Seen, bearer_key};
use crate::support::fake_mantle::{FakeMantle, MantleScenario};
use crate::support::{Sandbox, claude_code};

const OPUS: &str = "us.anthropic.claude-opus-4-6-v1";
const SONNET: &str = "us.anthropic.claude-sonnet-4-6";
const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const GLOBAL_HAIKU: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
const APP_ARN: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/opus-prod";
const OTHER_REGION: &str = "eu-west-1";

/// A configuration of the grid: settings `env` and other top-level settings keys.
struct Config {
    name: &'static str,
    env: Vec<(&'static str, &'static str)>,
    keys: Value,
    bearer: bool,
    mantle: bool,
}

fn config(name: &'static str, env: &[(&'static str, &'static str)]) -> Config {
    Config {
        name,
        env: env.to_vec(),
        keys: json!({}),
        bearer: false,
        mantle: false,
    }
}

const ALL_PINNED: [(&str, &str); 3] = [
    ("ANTHROPIC_DEFAULT_OPUS_MODEL", OPUS),
    ("ANTHROPIC_DEFAULT_SONNET_MODEL", SONNET),
    ("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU),
];

/// A way the account refuses, as rules of the fake.
fn failure(name: &str) -> Value {
    let denied = |operation: &str, when: Value| {
        json!({
            "operation": operation,
            "status": 403,
            "type": "AccessDeniedException",
            "message": "You don't have access to the model with the specified model ID.",
            "when": when
        })
    };
    match name {
        "healthy" => json!([]),
        // The small/fast region's endpoint refuses every model (not enabled there).
        "other region refuses" => json!([
            denied("InvokeModel", json!({"region": OTHER_REGION})),
            denied(
                "InvokeModelWithResponseStream",
                json!({"region": OTHER_REGION})
            ),
        ]),
        "GetInferenceProfile denied" => json!([{
            "operation": "GetInferenceProfile",
            "status": 403,
            "type": "AccessDeniedException",
            "message": "User: arn:aws:sts::123456789012:assumed-role/Developer/dev is not authorized to perform: bedrock:GetInferenceProfile because no identity-based policy allows the bedrock:GetInferenceProfile action"
        }]),
        "Opus 4.6 not enabled" => json!([
            {"operation": "InvokeModel", "model": OPUS, "status": 403, "type": "AccessDeniedException",
             "message": "You don't have access to the model with the specified model ID."},
            {"operation": "InvokeModelWithResponseStream", "model": OPUS, "status": 403,
             "type": "AccessDeniedException",
             "message": "You don't have access to the model with the specified model ID."},
        ]),
        "1M context refused" => json!([{
            "operation": "InvokeModelWithResponseStream",
            "status": 400,
            "type": "ValidationException",
            "message": "invalid beta flag",
            "when": {"body_beta": "context-1m-2025-08-07"}
        }]),
        "stream denied" => json!([{
            "operation": "InvokeModelWithResponseStream",
            "status": 403,
            "type": "AccessDeniedException",
            "message": "User: arn:aws:sts::123456789012:assumed-role/Developer/dev is not authorized to perform: bedrock:InvokeModelWithResponseStream because no identity-based policy allows the bedrock:InvokeModelWithResponseStream action"
        }]),
        other => panic!("no failure {other}"),
    }
}

fn grid() -> Vec<(Config, Vec<&'static str>)> {
    let mut overrides = config("modelOverrides, nothing pinned", &[]);
    overrides.keys = json!({"modelOverrides": {"claude-opus-5-5": OPUS}});
    let mut bearer = config("every tier pinned, API key", &ALL_PINNED);
    bearer.bearer = true;
    let mut mantle = config(
        "Mantle alone, every tier pinned",
        &[
            ("ANTHROPIC_DEFAULT_OPUS_MODEL", "anthropic.claude-opus-4-6"),
            (
                "ANTHROPIC_DEFAULT_SONNET_MODEL",
                "anthropic.claude-sonnet-4-6",
            ),
            (
                "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                "anthropic.claude-haiku-4-5",
            ),
        ],
    );
    mantle.mantle = true;
    let mut mantle_model = config(
        "Mantle alone, only ANTHROPIC_MODEL",
        &[("ANTHROPIC_MODEL", "anthropic.claude-opus-4-6")],
    );
    mantle_model.mantle = true;
    let region = ("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION", OTHER_REGION);
    vec![
        (
            config("nothing pinned", &[]),
            vec![
                "healthy",
                "GetInferenceProfile denied",
                "Opus 4.6 not enabled",
            ],
        ),
        (
            config("every tier pinned", &ALL_PINNED),
            vec!["healthy", "Opus 4.6 not enabled", "stream denied"],
        ),
        (
            config("Opus pinned", &[("ANTHROPIC_DEFAULT_OPUS_MODEL", OPUS)]),
            vec!["healthy", "Opus 4.6 not enabled"],
        ),
        (
            config(
                "Sonnet pinned",
                &[("ANTHROPIC_DEFAULT_SONNET_MODEL", SONNET)],
            ),
            vec!["healthy"],
        ),
        (
            config("Haiku pinned", &[("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU)]),
            vec!["healthy"],
        ),
        (
            config(
                "an application profile ARN",
                &[("ANTHROPIC_MODEL", APP_ARN)],
            ),
            vec!["healthy", "GetInferenceProfile denied"],
        ),
        (overrides, vec!["healthy"]),
        (
            config(
                "a [1m] main model",
                &[("ANTHROPIC_MODEL", "us.anthropic.claude-opus-4-6-v1[1m]")],
            ),
            vec!["healthy", "1M context refused"],
        ),
        (
            config(
                "small/fast region, the main loop is the Haiku pin",
                &[
                    ("ANTHROPIC_MODEL", HAIKU),
                    ("ANTHROPIC_DEFAULT_HAIKU_MODEL", HAIKU),
                    region,
                ],
            ),
            vec!["healthy", "other region refuses"],
        ),
        (
            config(
                "small/fast region, the Haiku pin spelled otherwise than the main loop",
                &[
                    ("ANTHROPIC_MODEL", HAIKU),
                    ("ANTHROPIC_DEFAULT_HAIKU_MODEL", GLOBAL_HAIKU),
                    region,
                ],
            ),
            vec!["healthy", "other region refuses"],
        ),
        (
            config(
                "small/fast region with ANTHROPIC_SMALL_FAST_MODEL alone",
                &[("ANTHROPIC_SMALL_FAST_MODEL", GLOBAL_HAIKU), region],
            ),
            vec!["healthy", "other region refuses"],
        ),
        (
            config("small/fast region alone, every tier pinned", &{
                let mut env = ALL_PINNED.to_vec();
                env.push(region);
                env
            }),
            vec!["healthy", "other region refuses"],
        ),
        (bearer, vec!["healthy", "stream denied"]),
        (mantle, vec!["healthy"]),
        (mantle_model, vec!["healthy"]),
    ]
}

/// What the client lived through, from its exit status and the requests the fake answered.
#[derive(Debug, PartialEq)]
enum Lived {
    Works,
    /// A real turn was refused, and the client carried on.
    Recovers,
    Fails,
}

/// A model and the region its request was signed for.
type Pair = (String, Option<String>);

fn is_invoke(seen: &Seen) -> bool {
    seen.operation.starts_with("InvokeModel")
}

fn real_turn(seen: &Seen) -> bool {
    is_invoke(seen) && !seen.body.contains("\"max_tokens\":1,")
}

fn pair(seen: &Seen) -> Pair {
    (
        seen.model.clone().unwrap_or_default(),
        seen.signing_region.clone(),
    )
}

struct Outcome {
    case: String,
    agrees: bool,
    /// The doctor failed on a model the client's run never called.
    beyond: bool,
    said: String,
}

fn machine(config: &Config, fake: &FakeAws, mantle: Option<&FakeMantle>) -> Sandbox {
    let mut env = json!({
        "AWS_REGION": "us-east-1",
        "ANTHROPIC_BEDROCK_BASE_URL": fake.url,
    });
    if let Some(mantle) = mantle {
        env["CLAUDE_CODE_USE_MANTLE"] = json!("1");
        env["ANTHROPIC_BEDROCK_MANTLE_BASE_URL"] = json!(mantle.base_url);
    } else {
        env["CLAUDE_CODE_USE_BEDROCK"] = json!("1");
    }
    if config.bearer {
        env["AWS_BEARER_TOKEN_BEDROCK"] = json!(bearer_key());
    }
    for (name, value) in &config.env {
        env[*name] = json!(value);
    }
    let mut settings = config.keys.clone();
    settings["env"] = env;
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(&settings.to_string());
    if config.bearer {
        sandbox
    } else {
        sandbox.aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
    }
}

fn run_case(config: &Config, failure_name: &str, claude: &std::path::Path) -> Outcome {
    let case = format!("{} × {failure_name}", config.name);
    let scenario: Scenario = serde_json::from_value(json!({
        "rules": failure(failure_name),
        "other_regions": [OTHER_REGION],
    }))
    .unwrap();
    let fake = FakeAws::start(scenario);
    let mantle = config
        .mantle
        .then(|| FakeMantle::start(MantleScenario::default()));
    let sandbox = machine(config, &fake, mantle.as_ref());

    let alone = claude_code::run(
        claude,
        &sandbox.home,
        &sandbox.project,
        &["-p", "."],
        Duration::from_secs(90),
    );
    let client_seen = fake.seen();
    if std::env::var_os("MATRIX_DEBUG").is_some() {
        for s in &client_seen {
            eprintln!(
                "[{case}] client {} {:?} {:?} {:?} real={}",
                s.operation,
                s.model,
                s.signing_region,
                s.status,
                real_turn(s)
            );
        }
    }
    let turns: Vec<&Seen> = client_seen.iter().filter(|s| real_turn(s)).collect();
    let lived = if !alone.status.success() {
        Lived::Fails
    } else if turns.iter().any(|s| s.status.is_some_and(|st| st >= 400)) {
        Lived::Recovers
    } else {
        Lived::Works
    };
    let used_ok: BTreeSet<Pair> = turns
        .iter()
        .filter(|s| s.status == Some(200))
        .map(|s| pair(s))
        .collect();
    let requested: BTreeSet<Pair> = client_seen
        .iter()
        .filter(|s| is_invoke(s))
        .map(pair)
        .collect();

    let doctor = sandbox.run(&[
        "doctor",
        "--json",
        "--no-cache",
        "--timeout",
        "10",
        "--claude-bin",
        claude.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_str(&doctor.stdout)
        .unwrap_or_else(|e| panic!("{case}: {e}\n{}\n{}", doctor.stdout, doctor.stderr));
    let failed: Vec<String> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| format!("{}: {}", c["id"], c["summary"]))
        .collect();
    let warned = report["summary"]["warn"].as_u64().unwrap_or(0) > 0;
    let doctor_failed_pairs: BTreeSet<Pair> = fake.seen()[client_seen.len()..]
        .iter()
        .filter(|s| is_invoke(s) && s.status.is_some_and(|st| st >= 400))
        .map(pair)
        .collect();
    let doctor_fails = doctor.code == 1;
    // A doctor failure on models the client never asked for is beyond its run, not against it.
    let beyond = !doctor_failed_pairs.is_empty()
        && doctor_failed_pairs.iter().all(|p| !requested.contains(p));
    let (agrees, why) = match (&lived, doctor_fails) {
        (Lived::Fails, true) => (true, "both fail"),
        (Lived::Fails, false) => (false, "the client fails, the doctor does not"),
        (_, true) if doctor_failed_pairs.iter().any(|p| used_ok.contains(p)) => (
            false,
            "the doctor fails a model the client used without trouble",
        ),
        (_, true) if beyond => (
            true,
            "the doctor fails on what the client's run never called",
        ),
        (_, true) => (false, "the client works, the doctor fails"),
        (Lived::Recovers, false) if !warned => (
            false,
            "the client recovered from a refusal, the doctor is silent",
        ),
        (Lived::Recovers, false) => (true, "the client recovers, the doctor warns"),
        (Lived::Works, false) => (true, "both work"),
    };
    Outcome {
        case,
        agrees,
        beyond: agrees && doctor_fails && !matches!(lived, Lived::Fails),
        said: format!(
            "{why} (client {lived:?}, exit {:?}; doctor exit {}, failed: {failed:?})",
            alone.status.code(),
            doctor.code
        ),
    }
}

#[test]
fn the_doctor_never_says_the_opposite_of_the_newest_client() {
    let claude = claude_code::install(CURRENT);
    let mut grid = grid();
    if let Ok(only) = std::env::var("MATRIX_ONLY") {
        grid.retain(|(c, _)| c.name.contains(&only));
    }
    let cases: Vec<(&Config, &str)> = grid
        .iter()
        .flat_map(|(config, failures)| failures.iter().map(move |f| (config, *f)))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let outcomes = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((config, failure)) = cases.get(i) else {
                        break;
                    };
                    let outcome = run_case(config, failure, &claude);
                    outcomes.lock().unwrap().push(outcome);
                }
            });
        }
    });
    let outcomes = outcomes.into_inner().unwrap();
    let agreed = outcomes.iter().filter(|o| o.agrees).count();
    let beyond = outcomes.iter().filter(|o| o.beyond).count();
    eprintln!(
        "Claude Code {CURRENT}: the doctor agrees on {agreed} of {} cases ({beyond} of them with a finding beyond the client's one-turn run)",
        outcomes.len()
    );
    for outcome in &outcomes {
        eprintln!(
            "  {} {}: {}",
            if outcome.agrees { "=" } else { "≠" },
            outcome.case,
            outcome.said
        );
    }
    let disagreements: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.agrees)
        .map(|o| format!("{}: {}", o.case, o.said))
        .collect();
    assert!(
        disagreements.is_empty(),
        "the doctor says the opposite of Claude Code {CURRENT} in {} of {} cases:\n{}",
        disagreements.len(),
        outcomes.len(),
        disagreements.join("\n")
    );
}
