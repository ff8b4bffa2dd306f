//! The model checks (`models.primary`, each tier, small/fast, subagent, fallbacks, overrides):
//! each role's model as the client resolves it, and how the account answered it.

use crate::aws::explain::{Attempt, explain};
use crate::config::EffectiveConfig;
use crate::config::models::{ModelId, ModelIdKind};
use crate::doctor::check_id::CheckId;
use crate::doctor::facts::live::{LiveFacts, ModelTarget};
use crate::report::{CheckResult, Findings, Skip, Status};

/// The model checks, in report order: a role that calls a model an earlier one already
/// reports points there instead of repeating it.
pub const MODEL_CHECKS: [CheckId; 8] = [
    CheckId::ModelsPrimary,
    CheckId::ModelsOpus,
    CheckId::ModelsSonnet,
    CheckId::ModelsHaiku,
    CheckId::ModelsSmallFast,
    CheckId::ModelsSubagent,
    CheckId::ModelsFallback,
    CheckId::ModelsOverrides,
];

/// The model check `id`: the models its role calls, and how they answered.
pub fn check(id: CheckId, config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    let mine = |check: CheckId| -> Vec<&ModelTarget> {
        facts.targets.iter().filter(|t| t.check == check).collect()
    };
    let targets = mine(id);
    if let [only] = targets.as_slice()
        && let Some(earlier) = MODEL_CHECKS
            .iter()
            .copied()
            .take_while(|c| *c != id)
            // The same model asked the same way: a `[1m]` pin is asked for more than the bare ID.
            .find(|c| {
                matches!(mine(*c).as_slice(), [one] if one.key() == only.key()
                && one.id.one_million_context == only.id.one_million_context)
            })
    {
        let earlier_result = model_check(earlier, &mine(earlier), config, facts);
        let mut same = CheckResult::new(
            id.as_str(),
            id.title(),
            earlier_result.status,
            format!(
                "same model as the {}: {}",
                earlier.title(),
                earlier_result.summary
            ),
        )
        .detail(only.setting.clone());
        same.fix = earlier_result.fix;
        same.cause = earlier_result.cause;
        return same;
    }
    model_check(id, &targets, config, facts)
}

fn model_check(
    id: CheckId,
    targets: &[&ModelTarget],
    config: &EffectiveConfig,
    facts: &LiveFacts,
) -> CheckResult {
    let (clients, probes, app_profiles, list) = (
        &facts.clients,
        &facts.probes,
        &facts.app_profiles,
        facts.list_ok(),
    );
    if targets.is_empty() {
        let none = match id {
            CheckId::ModelsFallback => "no fallbackModel set",
            _ => "no modelOverrides set",
        };
        return CheckResult::skipped(id.as_str(), id.title(), Skip::NotInUse, none);
    }
    let mut findings = Findings::default();
    let mut answered = Vec::new();
    let mut ms = 0;
    for target in targets {
        let chosen = facts.settles_on(target);
        if !target.fallbacks.is_empty() {
            let works = |f: &ModelId| facts.answers(&f.id, &target.region_of(f));
            match target.fallbacks.iter().find(|f| works(f)) {
                Some(f) => findings.note(format!("the first that answers here is {}", f.id)),
                None => findings.note("none of them answers here"),
            }
        }
        let model = &chosen.id;
        if target.fallbacks.is_empty() {
            findings.note(format!("{} = {model}", target.setting));
        } else {
            findings.note(target.setting.clone());
        }
        if chosen.kind == ModelIdKind::MantleId && config.provider.mantle.is_some() {
            findings.note(format!(
                "{model} is a Mantle model ID: Claude Code sends it to Mantle, where it is checked"
            ));
            continue;
        }
        if let Some(Ok(profile)) = app_profiles.get(model) {
            for routed in &profile.models {
                findings.note(format!("the application profile routes to {routed}"));
            }
        }
        if let Some(list) = list {
            let listed = list.find(model).is_some();
            match &chosen.kind {
                ModelIdKind::CrossRegionProfile { .. }
                | ModelIdKind::SystemProfileArn { .. }
                | ModelIdKind::ApplicationProfileArn { .. }
                    if !listed =>
                {
                    findings.note(format!(
                        "{model} is not among this account's inference profiles in {}",
                        config.region.value
                    ));
                }
                ModelIdKind::CrossRegionProfile { .. }
                | ModelIdKind::SystemProfileArn { .. }
                | ModelIdKind::ApplicationProfileArn { .. } => {
                    findings.note(format!(
                        "listed among the account's inference profiles in {}",
                        config.region.value
                    ));
                }
                _ => {}
            }
        }
        let region = target.region_of(&chosen);
        if let Some(region) = &region {
            findings.note(format!(
                "called in {region} (ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION)"
            ));
        }
        let Some(probe) = probes.get(&(model.clone(), region.clone())) else {
            continue;
        };
        ms = ms
            .max(probe.invoke.duration_ms)
            .max(probe.stream.duration_ms);
        let failure = probe
            .invoke
            .failure
            .as_ref()
            .map(|f| (f, false))
            .or_else(|| probe.stream.failure.as_ref().map(|f| (f, true)));
        match failure {
            None => {
                // Timings are for -v and JSON: the summary says what a reader acts on.
                answered.push(format!("{model} answers"));
                findings.note(format!(
                    "{model}: invoke {} ms, stream {} ms",
                    probe.invoke.duration_ms, probe.stream.duration_ms
                ));
                if target.id.one_million_context
                    && let Some(refusal) =
                        probe.one_million.as_ref().and_then(|p| p.failure.as_ref())
                    && refusal.status == Some(400)
                {
                    findings.raise(
                        Status::Warn,
                        format!(
                            "{model} answers, but not with 1M context: Bedrock refuses its beta ({}); Claude Code resends without it, so the session has the standard context window",
                            refusal.brief()
                        ),
                        Some(format!(
                            "Remove [1m] from {}, or use a model and region that offer 1M context (Claude Code before 2.1.295 fails every request instead).",
                            target.setting
                        )),
                    );
                    findings.caused_by(format!("one-million-refused:{model}"));
                }
            }
            Some((failure, stream)) => {
                let e = explain(
                    failure,
                    &Attempt::invoke(clients, stream, model, list)
                        .in_region(clients, region.as_deref()),
                    config,
                );
                let mut status = e.status;
                let mut fix = e.fix;
                if !target.pinned && status == Status::Fail && id != CheckId::ModelsPrimary {
                    // An unpinned tier falls back inside Claude Code; pinning a working model avoids it.
                    status = Status::Warn;
                    fix.push_str(
                        "\nOr pin a model that works for this tier: `claude-bedrock setup`.",
                    );
                }
                findings.raise(status, e.summary, Some(fix));
                findings.caused_by(e.cause);
                findings.evidence(e.evidence);
                if !stream
                    && let Some(stream_failure) = &probe.stream.failure
                    && stream_failure.kind != failure.kind
                {
                    findings.note(format!("streaming also fails: {}", stream_failure.brief()));
                }
            }
        }
    }
    let summary = if answered.is_empty() {
        "no Invoke API model to call".to_string()
    } else {
        answered.join("; ")
    };
    let mut check = if findings.is_clean() && answered.is_empty() {
        let mut c = CheckResult::skipped(id.as_str(), id.title(), Skip::NotInUse, summary);
        c.details = findings.details;
        c
    } else {
        findings.into_result(id.as_str(), id.title(), summary)
    };
    check.duration_ms = ms;
    check
}
