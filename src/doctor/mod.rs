//! The doctor: facts gathered once (`facts`), checks that are pure functions of them (`checks`),
//! declared in one table and run by the registry (`registry`). Checks never print; a panic
//! inside one becomes a failed result, not an abort.

pub mod check_id;
pub mod checks;
pub mod defects;
pub mod diagnosis;
pub mod facts;
pub mod registry;
pub mod remedy;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use crate::config::EffectiveConfig;
use crate::report::{CheckResult, Context, Status};

use check_id::CheckId;

/// A check function's result under its stable id and title, or a failed result when it panics:
/// one broken check must not take the report down.
pub(crate) fn guarded(id: &str, title: &str, check: impl FnOnce() -> CheckResult) -> CheckResult {
    let started = Instant::now();
    let mut result = catch_unwind(AssertUnwindSafe(check)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(std::string::ToString::to_string)
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        CheckResult::new(
            id,
            title,
            Status::Fail,
            format!("the check itself crashed: {message}"),
        )
        .fix("This is a bug in claude-bedrock; please report it with this output.")
    });
    result.id = id.to_string();
    result.title = title.to_string();
    if result.duration_ms == 0 {
        result.duration_ms = started.elapsed().as_millis() as u64;
    }
    result
}

/// An offline verdict that live calls can contradict: the offline check, when the rule applies,
/// the live checks whose passing contradicts it, and what that evidence says.
struct Evidence {
    suspect: CheckId,
    applies: fn(&EffectiveConfig) -> bool,
    witnesses: &'static [CheckId],
    says: &'static str,
}

const EVIDENCE: &[Evidence] = &[
    Evidence {
        suspect: CheckId::AuthBearer,
        applies: |config| {
            matches!(
                config.credentials.source,
                crate::config::credentials::CredentialSource::BearerKey { .. }
            )
        },
        witnesses: &[
            CheckId::IamListProfiles,
            CheckId::IamInvoke,
            CheckId::IamInvokeStream,
        ],
        says: "Bedrock accepted the key on every live call",
    },
    Evidence {
        suspect: CheckId::ModelsPinned,
        applies: |_| true,
        witnesses: &checks::models::MODEL_CHECKS,
        says: "every model Claude Code will call answered a live call",
    },
];

/// Evidence beats heuristics, in one place: an offline suspicion (a key format not recognised,
/// a model ID that looks wrong) that the live calls contradict — every witness that ran
/// passed — is at most a warning. Offline, the offline verdict stands.
pub fn weigh_evidence(config: &EffectiveConfig, checks: &mut [CheckResult]) {
    for rule in EVIDENCE {
        if !(rule.applies)(config) {
            continue;
        }
        let ran: Vec<(&str, Status)> = checks
            .iter()
            .filter(|c| c.status != Status::Skip)
            .filter_map(|c| {
                let witness = rule.witnesses.iter().find(|w| w.as_str() == c.id)?;
                Some((witness.as_str(), c.status))
            })
            .collect();
        if ran.is_empty() || ran.iter().any(|(_, s)| *s != Status::Pass) {
            continue;
        }
        let witnesses: Vec<&str> = ran.iter().map(|(id, _)| *id).collect();
        if let Some(suspect) = checks
            .iter_mut()
            .find(|c| c.id == rule.suspect.as_str() && c.status == Status::Fail)
        {
            suspect.status = Status::Warn;
            suspect.summary = format!("{}; but {}", suspect.summary, rule.says);
            suspect.details.insert(
                0,
                format!(
                    "this offline finding is contradicted by the live checks ({}), which outrank it",
                    witnesses.join(", ")
                )
                .into(),
            );
        }
    }
}

/// The report's context block: what configuration the checks ran in.
pub fn context(config: &EffectiveConfig) -> Context {
    Context {
        region: config.region.value.clone(),
        region_source: config.region.source.describe(config.home()),
        profile: config.profile.name.clone(),
        profile_source: config.profile.describe_source(config.home()),
        auth: config.credentials.source.id().to_string(),
        auth_detail: config.credentials.source.describe(config.home()),
        bedrock: config.provider.bedrock.is_some(),
        mantle: config.provider.mantle.is_some(),
        claude_config_dir: config.tilde(&config.locations.claude_config_dir),
        project_dir: config.tilde(&config.locations.project_dir),
        os: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        client_version: None,
        observed_client: crate::knowledge::observed().client.clone(),
        mode: crate::report::Mode::Online,
        control_endpoint: None,
        runtime_endpoint: None,
    }
}
