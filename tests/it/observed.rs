//! The tool's knowledge of Claude Code is an observation of the real client, and this test is
//! how it is made and kept: it runs the pinned client against the loopback fake and compares
//! what it sees with `data/claude-code-observed.json`.
//!
//! - Candidate chains: for each tier (`--model opus`, `sonnet`, `haiku`; no `--model` for the
//!   default), every model answers except a refused set that grows by the model the main loop
//!   settled on, until the client gives up. The order in which it settles is the chain.
//! - The default primary tier: the chain whose best model a run without `--model` settles on.
//! - The probe: the one-token `InvokeModel` body, per-run values replaced by placeholders.
//! - The variables: every Bedrock-, AWS-, Mantle- or model-related name in the binary.
//!
//! To refresh the data after a Claude Code release (then bump `real_client::CURRENT`):
//! `CLAUDE_BEDROCK_OBSERVE_CLIENT=2.1.340 CLAUDE_BEDROCK_OBSERVE_WRITE=1 cargo test --test it observed`

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use claude_bedrock::knowledge::{
    BUILD_PLACEHOLDER, Chains, Observed, Probe, USER_ID_PLACEHOLDER, is_observed_variable,
};
use serde_json::Value;

use crate::real_client::CURRENT;
use crate::support::Sandbox;
use crate::support::claude_code;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario};

const PREFIX: &str = "us.";

fn data_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claude-code-observed.json")
}

/// One run of the client with `refused` refusing and everything else answering; what it sent.
fn run_once(
    binary: &Path,
    model: Option<&str>,
    refused: &[String],
) -> Vec<crate::support::fake_aws::Seen> {
    let mut scenario = Scenario::healthy();
    scenario.invoke_any = true;
    scenario.refuse = refused.to_vec();
    let fake = FakeAws::start(scenario);
    let sandbox = Sandbox::new().user_settings(
        &serde_json::json!({"env": {
            "CLAUDE_CODE_USE_BEDROCK": "1",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "ANTHROPIC_BEDROCK_BASE_URL": fake.url,
        }})
        .to_string(),
    );
    let mut args = vec!["-p", "Reply with one word."];
    if let Some(model) = model {
        args.extend(["--model", model]);
    }
    claude_code::run(
        binary,
        &sandbox.home,
        &sandbox.project,
        &args,
        Duration::from_secs(90),
    );
    fake.seen()
}

/// The model the main loop streamed from, if any.
fn settled(seen: &[crate::support::fake_aws::Seen]) -> Option<String> {
    seen.iter()
        .rfind(|s| s.operation == "InvokeModelWithResponseStream")
        .and_then(|s| s.model.clone())
}

fn chain_of(
    binary: &Path,
    model: Option<&str>,
) -> (Vec<String>, Vec<crate::support::fake_aws::Seen>) {
    let mut refused: Vec<String> = Vec::new();
    let mut first_run = Vec::new();
    for round in 0..24 {
        let seen = run_once(binary, model, &refused);
        if round == 0 {
            first_run = seen.clone();
        }
        match settled(&seen) {
            Some(id) if !refused.contains(&id) => refused.push(id),
            _ => break,
        }
    }
    let chain = refused
        .iter()
        .map(|id| id.strip_prefix(PREFIX).unwrap_or(id).to_string())
        .collect();
    (chain, first_run)
}

/// The one-token probe's body, with what differs from run to run replaced.
fn probe_of(seen: &[crate::support::fake_aws::Seen], client: &str) -> Probe {
    let body = seen
        .iter()
        .filter(|s| s.operation == "InvokeModel")
        .find_map(|s| serde_json::from_str::<Value>(&s.body).ok())
        .filter(|b| b["max_tokens"] == 1)
        .expect("the client sent a one-token probe");
    let mut body = body;
    if let Some(user_id) = body.pointer_mut("/metadata/user_id") {
        *user_id = Value::String(USER_ID_PLACEHOLDER.into());
    }
    if let Some(system) = body.get_mut("system").and_then(Value::as_array_mut) {
        for block in system {
            if let Some(Value::String(text)) = block.get_mut("text") {
                // `cc_version=2.1.332.18b`: the version and a per-build suffix.
                if let Some(start) = text.find("cc_version=") {
                    let rest = &text[start + "cc_version=".len()..];
                    let end = rest.find(';').unwrap_or(rest.len());
                    assert!(rest[..end].starts_with(client), "{text}");
                    *text = format!(
                        "{}cc_version={BUILD_PLACEHOLDER}{}",
                        &text[..start],
                        &rest[end..]
                    );
                }
            }
        }
    }
    Probe {
        operation: "InvokeModel".into(),
        body,
    }
}

/// Every upper-case identifier in the binary that is one of the observed kinds.
fn variables_of(binary: &Path) -> Vec<String> {
    let real = std::fs::canonicalize(binary).unwrap();
    let bytes = std::fs::read(&real).unwrap();
    let mut names = BTreeSet::new();
    let mut start = None;
    for (i, b) in bytes.iter().enumerate() {
        let word = b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                let candidate = &bytes[s..i];
                if candidate.len() >= 6
                    && candidate[0].is_ascii_uppercase()
                    && candidate.contains(&b'_')
                    && let Ok(name) = std::str::from_utf8(candidate)
                    && !name.ends_with('_')
                    && (name.starts_with("ANTHROPIC_")
                        || name.starts_with("CLAUDE_")
                        || name.starts_with("AWS_")
                        || name.contains("BEDROCK")
                        || name.contains("MANTLE"))
                    && is_observed_variable(name)
                {
                    names.insert(name.to_string());
                }
                start = None;
            }
            _ => {}
        }
    }
    // A name run into a digit in the binary (`…_CAPABILITIES3`) and regular-expression
    // constants (`AWS_REGION_RE`) are not variables.
    let known = names.clone();
    names
        .into_iter()
        .filter(|name| !name.ends_with("_RE"))
        .filter(|name| {
            let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit());
            trimmed == name || !known.contains(trimmed)
        })
        .collect()
}

fn observe(version: &str) -> Observed {
    let binary = claude_code::install(version);
    let (opus, default_run) = chain_of(&binary, None);
    let (opus_flag, _) = chain_of(&binary, Some("opus"));
    assert_eq!(
        opus, opus_flag,
        "no --model and --model opus walk the same chain"
    );
    let (sonnet, _) = chain_of(&binary, Some("sonnet"));
    let (haiku, _) = chain_of(&binary, Some("haiku"));
    let chains = Chains {
        opus,
        sonnet,
        haiku,
    };
    let default_primary_tier = claude_bedrock::knowledge::Family::ALL
        .into_iter()
        .find(|family| {
            let first = settled(&default_run).map(|id| id.trim_start_matches(PREFIX).to_string());
            let chain = match family {
                claude_bedrock::knowledge::Family::Opus => &chains.opus,
                claude_bedrock::knowledge::Family::Sonnet => &chains.sonnet,
                claude_bedrock::knowledge::Family::Haiku => &chains.haiku,
            };
            chain.first() == first.as_ref()
        })
        .expect("the default run settled on a tier's best model");
    Observed {
        client: version.to_string(),
        default_primary_tier,
        probe: probe_of(&default_run, version),
        chains,
        variables: variables_of(&binary),
    }
}

/// What changed from one observation to the next, a line per change: what a person checks
/// after a release.
fn changes(before: &Observed, after: &Observed) -> Vec<String> {
    let mut lines = Vec::new();
    if before.client != after.client {
        lines.push(format!("client: {} → {}", before.client, after.client));
    }
    if before.default_primary_tier != after.default_primary_tier {
        lines.push(format!(
            "default tier: {:?} → {:?}",
            before.default_primary_tier, after.default_primary_tier
        ));
    }
    for (tier, old, new) in [
        ("opus", &before.chains.opus, &after.chains.opus),
        ("sonnet", &before.chains.sonnet, &after.chains.sonnet),
        ("haiku", &before.chains.haiku, &after.chains.haiku),
    ] {
        if old != new {
            lines.push(format!(
                "{tier} chain: {} → {}",
                old.join(", "),
                new.join(", ")
            ));
        }
    }
    if before.probe != after.probe {
        lines.push(format!(
            "probe: {} {} → {} {}",
            before.probe.operation, before.probe.body, after.probe.operation, after.probe.body
        ));
    }
    let old: BTreeSet<&String> = before.variables.iter().collect();
    let new: BTreeSet<&String> = after.variables.iter().collect();
    for added in new.difference(&old) {
        lines.push(format!("variable added: {added}"));
    }
    for removed in old.difference(&new) {
        lines.push(format!("variable removed: {removed}"));
    }
    lines
}

#[test]
fn the_checked_in_observation_is_what_the_pinned_client_does() {
    let version = std::env::var("CLAUDE_BEDROCK_OBSERVE_CLIENT").unwrap_or_else(|_| CURRENT.into());
    let seen = observe(&version);
    let path = data_file();
    let checked_in: Observed =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let changed = changes(&checked_in, &seen);
    if std::env::var_os("CLAUDE_BEDROCK_OBSERVE_WRITE").is_some() {
        let text = serde_json::to_string_pretty(&seen).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
        // `--nocapture` shows it: what the new release changed, to check against the rules.
        eprintln!("wrote {}; {} changes:", path.display(), changed.len());
        for line in &changed {
            eprintln!("  {line}");
        }
        return;
    }
    assert_eq!(
        checked_in.client, CURRENT,
        "the data observes the pinned client"
    );
    assert!(
        changed.is_empty(),
        "{} no longer matches Claude Code {version}; regenerate it (see tests/it/observed.rs):\n  {}",
        path.display(),
        changed.join("\n  ")
    );
}

#[test]
fn a_refresh_says_what_changed() {
    let before = claude_bedrock::knowledge::observed().clone();
    let mut after = before.clone();
    after.client = "9.9.9".into();
    after.chains.haiku.reverse();
    after.variables.retain(|v| v != "AWS_REGION");
    after.variables.push("CLAUDE_CODE_SOMETHING_NEW".into());
    let lines = changes(&before, &after);
    assert!(lines.iter().any(|l| l.starts_with("client: ")), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("haiku chain: ")) == (before.chains.haiku.len() > 1)
    );
    assert!(
        lines.contains(&"variable added: CLAUDE_CODE_SOMETHING_NEW".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"variable removed: AWS_REGION".to_string()),
        "{lines:?}"
    );
    assert!(changes(&before, &before).is_empty());
}
