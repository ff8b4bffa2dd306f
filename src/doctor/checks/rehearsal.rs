//! `client.models` and `client.requests`, from the rehearsal: which model the main loop ran on
//! and how the client got there; each request shape the client sent and whether the account
//! took it.

use crate::config::EffectiveConfig;
use crate::doctor::facts::client::ClientFacts;
use crate::doctor::facts::client_run::{ClientRun, NotRun};
use crate::doctor::facts::rehearsal::CACHE_FOR;

use crate::aws::errors::{Failure, FailureKind, classify_answer};
use crate::aws::explain::Attempt;
use crate::loopback::relay::Exchange;
use crate::loopback::request::{AuthSeen, Operation};
use crate::report::{CheckResult, Detail, Findings, Skip, Status};

use crate::doctor::check_id::CheckId;

/// The rehearsal's run, or the check's result when there is nothing to read.
fn relayed_run(facts: &ClientFacts, id: CheckId) -> Result<&ClientRun, Box<CheckResult>> {
    let (check, title) = id.pair();
    let rehearsal = match &facts.rehearsal {
        Ok(rehearsal) => rehearsal,
        Err((why, summary)) => {
            return Err(Box::new(CheckResult::skipped(
                check,
                title,
                why.clone(),
                summary.clone(),
            )));
        }
    };
    match &rehearsal.run {
        Err(NotRun::Skipped(why)) => Err(Box::new(CheckResult::skipped(
            check,
            title,
            Skip::NotInUse,
            why.clone(),
        ))),
        Err(NotRun::Failed(err)) => Err(Box::new(CheckResult::new(
            check,
            title,
            Status::Warn,
            format!("your `claude` could not be run: {err}"),
        ))),
        Ok(run) if !run.relayed => Err(Box::new(CheckResult::skipped(
            check,
            title,
            Skip::Offline,
            "offline, the client ran against a loopback fake that takes every request: what the account takes is not measured",
        ))),
        Ok(run) => Ok(run),
    }
}

/// A check read from a cached rehearsal says so.
fn note_cached(check: &mut CheckResult, facts: &ClientFacts) {
    if facts.rehearsal.as_ref().is_ok_and(|r| r.cached) {
        check.details.push(Detail::note(format!(
            "from a rehearsal of the last {} minutes (cached; --no-cache runs the client again)",
            CACHE_FOR.as_secs() / 60
        )));
    }
}

/// What the account (or the path to it) answered a relayed request, classified as the live
/// calls' failures are; `None` for an answer that is not an error.
fn failure_of(exchange: &Exchange) -> Option<Failure> {
    match exchange.status {
        Some(status) if status < 300 => None,
        Some(status) => Some(classify_answer(
            status,
            exchange.error_code.clone(),
            exchange.error_message.clone().unwrap_or_default(),
            matches!(exchange.request.auth, AuthSeen::Bearer { .. }),
        )),
        None => {
            let why = exchange.error.clone().unwrap_or_default();
            let kind = if why.contains("within") {
                FailureKind::Timeout
            } else {
                FailureKind::Connect
            };
            Some(Failure::new(kind, why))
        }
    }
}

/// The cause a refused request shares with the live checks: the same problem of the account or
/// the path (a denied action, a model not enabled, no answer) is one cause, whoever met it. A
/// refusal of the request's shape (a beta, a guardrail) is the rehearsal's own.
fn refusal_cause(exchange: &Exchange) -> String {
    match failure_of(exchange) {
        Some(failure) if failure.kind != FailureKind::Other => {
            let operation = match exchange.request.operation {
                Operation::InvokeModel => "InvokeModel",
                _ => "InvokeModelWithResponseStream",
            };
            let attempt = Attempt {
                operation,
                action: match operation {
                    "InvokeModel" => "bedrock:InvokeModel",
                    _ => "bedrock:InvokeModelWithResponseStream",
                },
                endpoint: exchange.upstream.as_deref().unwrap_or(""),
                model: exchange.model.as_deref(),
                auth: crate::aws::AuthMode::SigV4,
                profiles: None,
                timeout: std::time::Duration::ZERO,
                region: None,
            };
            crate::aws::explain::cause_of(&failure, &attempt)
        }
        _ => format!(
            "client.refused:{}",
            exchange.error.as_deref().unwrap_or("no answer")
        ),
    }
}

/// `client.models`: the model the main loop ran on, how the client got there, and whether the
/// doctor's own model of Claude Code predicted it.
pub fn check_models(config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let run = match relayed_run(facts, CheckId::ClientModels) {
        Ok(run) => run,
        Err(result) => return *result,
    };
    let mut check = models_verdict(config, run);
    check.duration_ms = facts.rehearsal_ms();
    note_cached(&mut check, facts);
    check
}

fn models_verdict(config: &EffectiveConfig, run: &ClientRun) -> CheckResult {
    let (id, title) = CheckId::ClientModels.pair();
    let model_calls: Vec<&Exchange> = run
        .exchanges
        .iter()
        .filter(|e| e.is_model_request())
        .collect();
    let probes: Vec<&Exchange> = model_calls
        .iter()
        .copied()
        .filter(|e| e.is_probe())
        .collect();
    let turns: Vec<&Exchange> = model_calls
        .iter()
        .copied()
        .filter(|e| !e.is_probe())
        .collect();
    let mut details: Vec<Detail> = Vec::new();
    for probe in &probes {
        let model = probe.model.as_deref().unwrap_or("?");
        details.push(Detail::note(match &probe.error {
            None => format!("probed {model}: answers"),
            Some(err) => format!("probed {model}: {err}"),
        }));
    }
    let Some(main) = turns.iter().rev().find(|t| t.ok()).copied() else {
        let (status, summary) = match turns.last() {
            Some(refused) => (
                Status::Fail,
                format!(
                    "the main loop got no answer: {} refused it ({})",
                    refused.model.as_deref().unwrap_or("?"),
                    refused.error.as_deref().unwrap_or("no answer")
                ),
            ),
            None if probes.iter().any(|p| p.ok()) => (
                Status::Warn,
                "the client probed models but sent no request of its own".to_string(),
            ),
            None if probes.is_empty() => {
                (Status::Warn, "the client sent no model request".to_string())
            }
            None => (
                Status::Fail,
                "no model the client tried answers: it has none to run on".to_string(),
            ),
        };
        let mut result = CheckResult::new(id, title, status, summary);
        result.details = details;
        if let Some(refused) = turns.last() {
            // One cause with client.requests, told here with its fix; the shapes are there.
            result.cause = Some(refusal_cause(refused));
            result.fix = Some(refusal_fix(
                config,
                refused,
                refused.error.as_deref().unwrap_or(""),
            ));
        } else {
            result.fix = Some(
                "Pin a model that answers: `claude-bedrock setup` probes each candidate and offers those that answer."
                    .into(),
            );
        }
        return result;
    };
    let used = main.model.clone().unwrap_or_default();
    for other in turns
        .iter()
        .filter(|t| t.ok() && t.model.as_deref() != Some(&used))
    {
        details.push(Detail::note(format!(
            "also answered a request: {}",
            other.model.as_deref().unwrap_or("?")
        )));
    }
    let targets = crate::doctor::facts::roles::model_targets(config, None);
    let primary = targets.iter().find(|t| t.check == CheckId::ModelsPrimary);
    let refused_probes: Vec<&str> = probes
        .iter()
        .filter(|p| !p.ok())
        .filter_map(|p| p.model.as_deref())
        .collect();
    let how = match primary {
        Some(target) if target.fallbacks.is_empty() => target.setting.clone(),
        _ if refused_probes.is_empty() => "the first of its candidates".to_string(),
        _ => format!("after {} did not answer", refused_probes.join(", ")),
    };
    let summary = format!("the main loop ran on {used} ({how})");
    // The doctor's own model of the client: the pin, or the first of the chain that answered.
    let answered = |model: &str| {
        model_calls
            .iter()
            .any(|e| e.model.as_deref() == Some(model) && e.ok())
    };
    let predicted = primary.map(|target| {
        if target.fallbacks.is_empty() {
            target.id.id.clone()
        } else {
            target
                .fallbacks
                .iter()
                .find(|f| answered(&f.id))
                .map(|f| f.id.clone())
                .unwrap_or_else(|| target.fallbacks[0].id.clone())
        }
    });
    let mut findings = Findings::default();
    match predicted {
        Some(predicted) if predicted != used => findings.warn(
            format!(
                "{summary}, but the doctor predicted {predicted}: what it knows of this Claude Code version is out of date"
            ),
            format!(
                "Pin {used} for the tier it serves (`claude-bedrock setup` offers it), so that every client version settles on the same model; and report this doctor output, so that the observed client data is refreshed."
            ),
        ),
        _ => {}
    }
    let mut result = findings.into_result(id, title, summary);
    result.details.extend(details);
    result
}

/// `client.requests`: each request shape the client sent and what the account answered — taken,
/// refused and recovered from (a feature then off), or refused for good.
pub fn check_requests(config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let run = match relayed_run(facts, CheckId::ClientRequests) {
        Ok(run) => run,
        Err(result) => return *result,
    };
    let mut check = requests_verdict(config, run);
    check.duration_ms = facts.rehearsal_ms();
    note_cached(&mut check, facts);
    check
}

fn requests_verdict(config: &EffectiveConfig, run: &ClientRun) -> CheckResult {
    let (id, title) = CheckId::ClientRequests.pair();
    let turns: Vec<&Exchange> = run
        .exchanges
        .iter()
        .filter(|e| e.is_model_request() && !e.is_probe())
        .collect();
    let probes = run
        .exchanges
        .iter()
        .filter(|e| e.is_model_request() && e.is_probe())
        .count();
    let spent: u64 = turns
        .iter()
        .filter_map(|t| t.shrunk.map(|s| s.max_tokens))
        .sum::<u64>()
        + probes as u64;
    let mut findings = Findings::default();
    let mut details: Vec<Detail> = Vec::new();
    for turn in &turns {
        let model = turn.model.as_deref().unwrap_or("?");
        let shape = turn
            .shape
            .as_ref()
            .map(crate::loopback::shape::RequestShape::summary)
            .unwrap_or_default();
        let answer = match (&turn.status, &turn.error) {
            (Some(status), None) => format!("{status}"),
            (_, Some(err)) => err.clone(),
            (None, None) => "no answer".into(),
        };
        details.push(Detail::note(format!("{model}: {shape} → {answer}")));
    }
    let mut told: Vec<(Option<String>, Option<String>)> = Vec::new();
    for (i, turn) in turns.iter().enumerate() {
        // A refusal the client met again on a retry is one finding.
        let key = (turn.model.clone(), turn.error.clone());
        if turn.ok() || told.contains(&key) {
            continue;
        }
        told.push(key);
        let model = turn.model.as_deref().unwrap_or("?");
        let message = turn.error.clone().unwrap_or_else(|| "no answer".into());
        let failure = failure_of(turn);
        let throttled = failure.as_ref().is_some_and(Failure::is_throttled);
        let unanswered = turn.status.is_none();
        let recovered = turns[i + 1..].iter().find(|later| later.ok());
        let fix = refusal_fix(config, turn, &message);
        match recovered {
            _ if throttled => {
                findings.warn(
                    format!("{model} was throttled ({message}): the account's quota for it is used up for now"),
                    "A quota, not the configuration: retry later, or ask for a higher quota in Service Quotas.",
                );
                findings.caused_by(refusal_cause(turn));
            }
            None if unanswered => {
                findings.fail(
                    format!("{model}'s request got no answer: {message}"),
                    "Check the network path to Bedrock (VPN, proxy, firewall), or raise --timeout.",
                );
                findings.caused_by(refusal_cause(turn));
            }
            Some(later) => {
                let dropped = match (&turn.shape, &later.shape) {
                    (Some(refused), Some(taken)) => refused.dropped_in(taken),
                    _ => Vec::new(),
                };
                let what = if dropped.is_empty() {
                    format!(
                        "and carried on with {}",
                        later.model.as_deref().unwrap_or("?")
                    )
                } else {
                    format!(
                        "without {}, which stays off for the session",
                        dropped.join(", ")
                    )
                };
                findings.warn(
                    format!("the account refused {model}'s request ({message}); Claude Code retried {what}"),
                    fix,
                );
            }
            None => {
                findings.fail(
                    format!("the account refused {model}'s request for good: {message}"),
                    fix,
                );
                findings.caused_by(refusal_cause(turn));
            }
        }
    }
    let first_real = turns.iter().find_map(|t| t.shape.as_ref());
    if let Some(shape) = first_real {
        details.push(Detail::note(format!(
            "the real request: max_tokens {}, {} KB; relayed cut to its shape, at most {spent} output tokens spent in all",
            shape.max_tokens.map_or("?".into(), |m| m.to_string()),
            shape.body_bytes.div_ceil(1024)
        )));
    }
    let summary = match turns.len() {
        0 => "the client sent no request of its own".to_string(),
        n => format!(
            "the account took the client's request{} ({})",
            if n == 1 { "" } else { "s" },
            first_real
                .map(crate::loopback::shape::RequestShape::summary)
                .unwrap_or_default()
        ),
    };
    let mut result = findings.into_result(id, title, summary);
    result.details.extend(details);
    if turns.is_empty() && result.status == Status::Pass {
        result.status = Status::Warn;
    }
    result
}

/// The fix for a refused request, from what Bedrock said and what the request carried.
fn refusal_fix(config: &EffectiveConfig, turn: &Exchange, message: &str) -> String {
    let lower = message.to_ascii_lowercase();
    let shape = turn.shape.clone().unwrap_or_default();
    let region = &config.region.value;
    if lower.contains("beta") {
        return format!(
            "Set CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1 in the settings env: Claude Code then sends none of the betas this account refuses ({}). Upgrading Claude Code, or a model and region that take them, also works.",
            shape.betas().join(", ")
        );
    }
    if lower.contains("thinking") {
        return "This model does not take the thinking mode Claude Code asks for: set CLAUDE_CODE_DISABLE_ADAPTIVE_THINKING=1 (or CLAUDE_CODE_DISABLE_THINKING=1), or pin a model that takes it.".into();
    }
    if lower.contains("effort") {
        return "This model does not take the effort setting: upgrade Claude Code (2.1.122 stopped sending it to custom and application-profile IDs), or pin a model that takes it.".into();
    }
    if lower.contains("guardrail") || shape.guardrail && turn.status == Some(400) {
        return format!(
            "Check X-Amzn-Bedrock-GuardrailIdentifier and X-Amzn-Bedrock-GuardrailVersion in ANTHROPIC_CUSTOM_HEADERS (`claude-bedrock config` shows which layer sets them): the guardrail must exist in {region}, in that version (`aws bedrock list-guardrails --region {region}`)."
        );
    }
    if lower.contains("tier") || shape.service_tier.is_some() && turn.status == Some(400) {
        return format!(
            "ANTHROPIC_BEDROCK_SERVICE_TIER={} is not offered for this model in {region}: unset it, or choose a tier the model offers.",
            shape.service_tier.as_deref().unwrap_or("?")
        );
    }
    "What Bedrock said names the part of the request it refuses; `-v` lists each request the client sent and what it carried (betas, thinking, effort, headers).".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::defects::tests::config;
    use crate::loopback::request::{AuthSeen, CapturedRequest, Operation};
    use crate::loopback::shape::RequestShape;

    fn exchange(model: &str, max_tokens: u64, status: u16, error: Option<&str>) -> Exchange {
        Exchange {
            request: CapturedRequest {
                method: "POST".into(),
                target: format!("/model/{model}/invoke-with-response-stream"),
                operation: Operation::InvokeModelWithResponseStream,
                auth: AuthSeen::SigV4 {
                    region: "us-east-1".into(),
                    service: "bedrock".into(),
                },
                api_key: None,
            },
            model: Some(model.into()),
            shape: Some(RequestShape {
                max_tokens: Some(max_tokens),
                effort: (max_tokens > 1).then(|| "high".to_string()),
                ..RequestShape::default()
            }),
            shrunk: None,
            status: Some(status),
            error: error.map(str::to_string),
            // `400 ValidationException: message`
            error_code: error.and_then(|e| {
                e.split_once(": ")
                    .and_then(|(head, _)| head.split_once(' '))
                    .map(|(_, code)| code.to_string())
            }),
            error_message: error.map(|e| e.split_once(": ").map_or(e, |(_, m)| m).to_string()),
            upstream: Some("http://127.0.0.1:1".into()),
            duration_ms: 1,
        }
    }

    fn run(exchanges: Vec<Exchange>) -> ClientRun {
        ClientRun {
            requests: exchanges.iter().map(|e| e.request.clone()).collect(),
            exchanges,
            relayed: true,
            exit: None,
            elapsed_ms: 10,
            stderr_tail: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_client_that_settles_elsewhere_than_predicted_is_a_finding() {
        // Nothing pinned: the doctor predicts the first Opus candidate that answered.
        let config = config(
            &[
                ("CLAUDE_CODE_USE_BEDROCK", "1"),
                ("AWS_REGION", "us-east-1"),
            ],
            "",
        );
        let lived = run(vec![
            exchange("us.anthropic.claude-opus-5-5", 1, 200, None),
            exchange(
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                64000,
                200,
                None,
            ),
        ]);
        let check = models_verdict(&config, &lived);
        assert_eq!(check.status, crate::report::Status::Warn, "{check:?}");
        assert!(
            check
                .summary
                .contains("the doctor predicted us.anthropic.claude-opus-5-5"),
            "{}",
            check.summary
        );
        // Settling where predicted passes.
        let agreed = run(vec![
            exchange("us.anthropic.claude-opus-5-5", 1, 200, None),
            exchange("us.anthropic.claude-opus-5-5", 64000, 200, None),
        ]);
        assert_eq!(
            models_verdict(&config, &agreed).status,
            crate::report::Status::Pass
        );
    }

    #[test]
    fn a_refusal_is_told_once_however_often_the_client_met_it() {
        let config = config(
            &[
                ("CLAUDE_CODE_USE_BEDROCK", "1"),
                ("AWS_REGION", "us-east-1"),
            ],
            "",
        );
        let refused =
            "400 ValidationException: The provided service tier is not supported for this model.";
        let lived = run(vec![
            exchange("us.anthropic.claude-opus-4-6-v1", 64000, 400, Some(refused)),
            exchange("us.anthropic.claude-opus-4-6-v1", 64000, 400, Some(refused)),
        ]);
        let check = requests_verdict(&config, &lived);
        assert_eq!(check.status, crate::report::Status::Fail);
        let problems = check
            .details
            .iter()
            .filter(|d| d.level == crate::report::Level::Fail)
            .count();
        assert_eq!(
            problems, 0,
            "the summary tells it; no second copy: {:?}",
            check.details
        );
        // Throttling is a quota, not a refusal of the request.
        let throttled = run(vec![exchange(
            "us.anthropic.claude-opus-4-6-v1",
            64000,
            429,
            Some("429 ThrottlingException: Too many requests"),
        )]);
        assert_eq!(
            requests_verdict(&config, &throttled).status,
            crate::report::Status::Warn
        );
    }
}
