//! The network checks: identity, each IAM permission Claude Code needs, and every model it will
//! call — all started at once, reported in a fixed order.

use std::collections::HashMap;
use std::time::Instant;

use futures_util::future::join_all;

use crate::aws::errors::{Failure, FailureKind};
use crate::aws::ops::{self, Identity, Probe, ProfileList, ProfileSummary};
use crate::aws::{AuthMode, Clients};
use crate::config::EffectiveConfig;
use crate::config::bearer::BearerKind;
use crate::config::models::{Family, ModelId, ModelIdKind, default_prefix_for_region};
use crate::report::{CheckResult, Findings, Status};

use super::explain::{Attempt, explain, is_probeable};

/// Every network check, in report order: `(id, title)`.
pub const LIVE_CHECKS: &[(&str, &str)] = &[
    ("auth.identity", "AWS identity"),
    ("iam.list-inference-profiles", "IAM: list profiles"),
    ("iam.get-inference-profile", "IAM: get profile"),
    ("iam.invoke", "IAM: invoke"),
    ("iam.invoke-stream", "IAM: stream"),
    ("models.primary", "Primary model"),
    ("models.opus", "Opus tier"),
    ("models.sonnet", "Sonnet tier"),
    ("models.haiku", "Haiku tier"),
    ("models.small-fast", "Small/fast model"),
    ("models.subagent", "Subagent model"),
    ("models.fallback", "Fallback models"),
    ("models.overrides", "modelOverrides"),
];

fn title(id: &str) -> &'static str {
    LIVE_CHECKS
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, t)| *t)
        .unwrap_or("")
}

/// All network checks as `skip`, with the reason.
pub fn skipped(reason: &str) -> Vec<CheckResult> {
    LIVE_CHECKS
        .iter()
        .map(|(id, title)| CheckResult::new(id, title, Status::Skip, reason))
        .collect()
}

/// One model Claude Code will call, and which setting decides it.
#[derive(Debug, Clone)]
pub struct ModelTarget {
    pub check: &'static str,
    /// `ANTHROPIC_DEFAULT_OPUS_MODEL`, or a description of the default.
    pub setting: String,
    pub id: ModelId,
    pub pinned: bool,
    /// The region the call goes to when it is not the configured one (the Haiku-class model).
    pub region: Option<String>,
    /// For an unpinned tier: Claude Code's candidates, newest first (`id` is the first).
    pub fallbacks: Vec<ModelId>,
}

impl ModelTarget {
    fn key(&self) -> ProbeKey {
        (self.id.id.clone(), self.region.clone())
    }

    /// Every model this target may call: the pin, or each candidate.
    fn keys(&self) -> Vec<ProbeKey> {
        if self.fallbacks.is_empty() {
            vec![self.key()]
        } else {
            self.fallbacks
                .iter()
                .map(|f| (f.id.clone(), self.region.clone()))
                .collect()
        }
    }
}

/// A model and the region it is called in.
type ProbeKey = (String, Option<String>);

/// The cross-region prefix Claude Code probes an unpinned tier with: a valid
/// `ANTHROPIC_BEDROCK_REGION_PREFIX` (lower case, known), else the region's.
fn candidate_prefix(config: &EffectiveConfig) -> String {
    config
        .env
        .get("ANTHROPIC_BEDROCK_REGION_PREFIX")
        .filter(|p| crate::config::models::KNOWN_PREFIXES.contains(p))
        .map(str::to_string)
        .unwrap_or_else(|| default_prefix_for_region(&config.region.value).to_string())
}

/// The ID Claude Code calls for a candidate (`anthropic.…`, no prefix), as it was seen to
/// choose: its default prefix when the account lists that profile; else the first listed
/// profile of that model under any prefix (or the bare ID); else the default prefix.
fn candidate_id(base: &str, prefix: &str, list: Option<&ProfileList>) -> String {
    let preferred = format!("{prefix}.{base}");
    let Some(list) = list else {
        return preferred;
    };
    let listed = list.profiles.iter().filter(|p| !p.is_application());
    if listed.clone().any(|p| p.id == preferred) {
        return preferred;
    }
    listed
        .map(|p| p.id.clone())
        .find(|id| id == base || id.split_once('.').is_some_and(|(_, rest)| rest == base))
        .unwrap_or(preferred)
}

/// `claude-sonnet-4-5-20250929` for `anthropic.claude-sonnet-4-5-20250929-v1:0`: the
/// first-party ID a `modelOverrides` key names.
fn first_party_id(base: &str) -> String {
    let name = base.strip_prefix("anthropic.").unwrap_or(base);
    match name.rsplit_once("-v") {
        Some((head, tail))
            if tail
                .split(':')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            head.to_string()
        }
        _ => name.to_string(),
    }
}

/// The models Claude Code will call, role by role, resolved as the real client was seen to
/// resolve them (2.1.332): the main loop, each tier, the small/fast model for background work,
/// subagents, and the fallback models. `list` (the account's inference profiles) decides which
/// prefixed ID an unpinned tier probes, as it does in Claude Code.
pub fn model_targets(config: &EffectiveConfig, list: Option<&ProfileList>) -> Vec<ModelTarget> {
    let env = &config.env;
    let prefix = candidate_prefix(config);
    let overrides = &config.keys.model_overrides;
    let override_for = |base: &str| {
        let key = first_party_id(base);
        overrides
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(k, v)| (k.clone(), v.value.clone()))
    };
    // A tier's pin, or Claude Code's candidates for it, best first (a rung that modelOverrides
    // maps is called by its override).
    let tier = |check: &'static str,
                family: Family,
                lead: Option<String>,
                region: Option<String>| {
        let variable = format!(
            "ANTHROPIC_DEFAULT_{}_MODEL",
            family.name().to_ascii_uppercase()
        );
        let lead = lead.map(|l| format!("{l} → ")).unwrap_or_default();
        if let Some(value) = env.get(&variable) {
            return ModelTarget {
                check,
                setting: format!("{lead}{variable}"),
                id: ModelId::parse(value),
                pinned: true,
                region,
                fallbacks: Vec::new(),
            };
        }
        let chain = crate::knowledge::observed().chain(family);
        let fallbacks: Vec<ModelId> = chain
            .iter()
            .map(|base| match override_for(base) {
                Some((_, mapped)) => ModelId::parse(&mapped),
                None => ModelId::parse(&candidate_id(base, &prefix, list)),
            })
            .collect();
        let overridden: Vec<String> = chain
            .iter()
            .filter_map(|base| override_for(base).map(|(key, _)| format!("modelOverrides.{key}")))
            .collect();
        let mut setting = format!(
            "{lead}{variable} unset: Claude Code tries {} model{}, best first (as Claude Code {} was seen to)",
            fallbacks.len(),
            if fallbacks.len() == 1 { "" } else { "s" },
            crate::knowledge::observed().client
        );
        if !overridden.is_empty() {
            setting.push_str(&format!(
                "; {} replace{} a rung",
                overridden.join(", "),
                if overridden.len() == 1 { "s" } else { "" }
            ));
        }
        ModelTarget {
            check,
            setting,
            id: fallbacks[0].clone(),
            pinned: false,
            region,
            fallbacks,
        }
    };
    let alias_family = |id: &ModelId| -> Option<Family> {
        (id.kind == ModelIdKind::Alias).then(|| match id.id.as_str() {
            "opus" | "best" | "opusplan" => Family::Opus,
            "haiku" => Family::Haiku,
            "sonnet" => Family::Sonnet,
            _ => crate::config::models::default_primary_tier(),
        })
    };
    // What a model selection resolves to: an alias is its tier, anything else the ID itself.
    let selection = |check: &'static str, setting: String, id: ModelId, region: Option<String>| {
        if id.kind == ModelIdKind::Alias && id.id == "fable" {
            return match env.get("ANTHROPIC_DEFAULT_FABLE_MODEL") {
                Some(pin) => ModelTarget {
                    check,
                    setting: format!("{setting}=fable → ANTHROPIC_DEFAULT_FABLE_MODEL"),
                    id: ModelId::parse(pin),
                    pinned: true,
                    region,
                    fallbacks: Vec::new(),
                },
                None => ModelTarget {
                    check,
                    setting: format!(
                        "{setting}=fable: Claude Code sends its built-in Fable model unprobed; pin ANTHROPIC_DEFAULT_FABLE_MODEL to check it"
                    ),
                    id,
                    pinned: true,
                    region,
                    fallbacks: Vec::new(),
                },
            };
        }
        match alias_family(&id) {
            Some(family) => tier(check, family, Some(format!("{setting}={}", id.raw)), region),
            None => ModelTarget {
                check,
                setting,
                id,
                pinned: true,
                region,
                fallbacks: Vec::new(),
            },
        }
    };

    // The main loop: ANTHROPIC_MODEL, the `model` setting, ANTHROPIC_DEFAULT_MODEL (≥ 2.1.236),
    // then a lone Sonnet pin (seen: it carries the main loop when Opus is not pinned), then the
    // default tier.
    let explicit = env
        .get("ANTHROPIC_MODEL")
        .map(|v| ("ANTHROPIC_MODEL".to_string(), ModelId::parse(v)))
        .or_else(|| {
            config
                .keys
                .model
                .as_ref()
                .map(|m| ("model (settings)".to_string(), ModelId::parse(&m.value)))
        })
        .or_else(|| {
            env.get("ANTHROPIC_DEFAULT_MODEL")
                .filter(|v| !matches!(*v, "default" | "inherit" | "opusplan" | "haiku"))
                .map(|v| ("ANTHROPIC_DEFAULT_MODEL".to_string(), ModelId::parse(v)))
        });
    let lone_sonnet_pin = env.get("ANTHROPIC_DEFAULT_SONNET_MODEL").is_some()
        && env.get("ANTHROPIC_DEFAULT_OPUS_MODEL").is_none();
    let mut default_family = crate::config::models::default_primary_tier();
    // enforceAvailableModels with an allowlist that leaves out the default tier moves the
    // default to Sonnet (seen with ["sonnet","haiku"]).
    if config.keys.enforce_available_models.is_some()
        && !config.keys.available_models.is_empty()
        && !config
            .keys
            .available_models
            .iter()
            .any(|m| m.value.contains(default_family.name()))
    {
        default_family = Family::Sonnet;
    }
    let primary = match explicit {
        Some((setting, id)) => selection("models.primary", setting, id, None),
        None if lone_sonnet_pin => tier(
            "models.primary",
            Family::Sonnet,
            Some("nothing selects a model and only the Sonnet tier is pinned".into()),
            None,
        ),
        None => tier(
            "models.primary",
            default_family,
            Some("nothing selects a model".into()),
            None,
        ),
    };
    // The primary is the unpinned default tier: background work then goes to the Sonnet tier.
    let primary_is_unpinned_default = !primary.pinned
        && primary.check == "models.primary"
        && explicit_is_none(config)
        && !lone_sonnet_pin
        && env.get("ANTHROPIC_DEFAULT_OPUS_MODEL").is_none();

    let mut targets = vec![primary.clone()];
    let haiku_region = config.haiku_region().map(str::to_string);
    targets.push(tier("models.opus", Family::Opus, None, None));
    targets.push(tier("models.sonnet", Family::Sonnet, None, None));
    targets.push(tier(
        "models.haiku",
        Family::Haiku,
        None,
        haiku_region.clone(),
    ));

    // Background (small/fast): ANTHROPIC_SMALL_FAST_MODEL, ANTHROPIC_DEFAULT_HAIKU_MODEL, else the
    // main-loop model — except when that is the unpinned default, then the Sonnet tier.
    let small_fast = if let Some(value) = env.get("ANTHROPIC_SMALL_FAST_MODEL") {
        ModelTarget {
            check: "models.small-fast",
            setting: "ANTHROPIC_SMALL_FAST_MODEL".into(),
            id: ModelId::parse(value),
            pinned: true,
            region: haiku_region.clone(),
            fallbacks: Vec::new(),
        }
    } else if let Some(value) = env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL") {
        ModelTarget {
            check: "models.small-fast",
            setting: "ANTHROPIC_SMALL_FAST_MODEL unset → ANTHROPIC_DEFAULT_HAIKU_MODEL".into(),
            id: ModelId::parse(value),
            pinned: true,
            region: haiku_region.clone(),
            fallbacks: Vec::new(),
        }
    } else if primary_is_unpinned_default {
        tier(
            "models.small-fast",
            Family::Sonnet,
            Some(
                "no Haiku model set and no model selected: background work runs on the Sonnet tier"
                    .into(),
            ),
            None,
        )
    } else {
        ModelTarget {
            check: "models.small-fast",
            setting: format!(
                "no Haiku model set: background work runs on the main-loop model ({})",
                primary.setting
            ),
            ..primary.clone()
        }
    };
    targets.push(small_fast);

    // Subagents: CLAUDE_CODE_SUBAGENT_MODEL, else the main-loop model.
    let subagent = match env
        .get("CLAUDE_CODE_SUBAGENT_MODEL")
        .filter(|v| *v != "inherit")
    {
        Some(value) => selection(
            "models.subagent",
            "CLAUDE_CODE_SUBAGENT_MODEL".into(),
            ModelId::parse(value),
            None,
        ),
        None => ModelTarget {
            check: "models.subagent",
            setting: "CLAUDE_CODE_SUBAGENT_MODEL unset: subagents run on the main-loop model"
                .into(),
            ..primary.clone()
        },
    };
    targets.push(subagent);

    for (index, fallback) in config.keys.fallback_models.iter().enumerate() {
        let mut target = selection(
            "models.fallback",
            format!("fallbackModel[{index}]"),
            ModelId::parse(&fallback.value),
            None,
        );
        target.check = "models.fallback";
        targets.push(target);
    }
    for (name, value) in overrides {
        targets.push(ModelTarget {
            check: "models.overrides",
            setting: format!("modelOverrides.{name}"),
            id: ModelId::parse(&value.value),
            pinned: true,
            region: None,
            fallbacks: Vec::new(),
        });
    }
    targets
}

fn explicit_is_none(config: &EffectiveConfig) -> bool {
    config.env.get("ANTHROPIC_MODEL").is_none()
        && config.keys.model.is_none()
        && config
            .env
            .get("ANTHROPIC_DEFAULT_MODEL")
            .is_none_or(|v| matches!(v, "default" | "inherit" | "opusplan" | "haiku"))
}

struct ModelProbes {
    invoke: Probe,
    stream: Probe,
}

pub async fn run(config: &EffectiveConfig, clients: &Clients) -> Vec<CheckResult> {
    let identity_future = async {
        let started = Instant::now();
        if clients.auth != AuthMode::SigV4 || clients.credential_error.is_some() {
            return None;
        }
        Some((
            ops::caller_identity(clients).await,
            started.elapsed().as_millis() as u64,
        ))
    };
    // As in Claude Code, the account's profile list comes first: it decides which prefixed ID
    // an unpinned tier probes. Everything after it runs at once.
    let rest = async {
        let started = Instant::now();
        let list = ops::list_profiles(clients).await;
        let list_ms = started.elapsed().as_millis() as u64;
        let targets = model_targets(config, list.as_ref().ok());
        let (get, probes, app_profiles, unique) =
            probe_targets(config, clients, &targets, list.as_ref().ok()).await;
        (list, list_ms, targets, get, probes, app_profiles, unique)
    };
    let (identity, (list, list_ms, targets, get, probes, app_profiles, unique)) =
        tokio::join!(identity_future, rest);
    let list_ok = list.as_ref().ok();

    let mut results = vec![
        identity_check(config, clients, identity),
        list_check(config, clients, &list, list_ms),
        get_check(config, clients, get, list_ok, &targets),
        permission_check(
            "iam.invoke",
            false,
            config,
            clients,
            &unique,
            &probes,
            list_ok,
        ),
        permission_check(
            "iam.invoke-stream",
            true,
            config,
            clients,
            &unique,
            &probes,
            list_ok,
        ),
    ];
    let mut reported: Vec<(&str, ProbeKey, usize)> = Vec::new();
    for check in [
        "models.primary",
        "models.opus",
        "models.sonnet",
        "models.haiku",
        "models.small-fast",
        "models.subagent",
        "models.fallback",
        "models.overrides",
    ] {
        let mine: Vec<&ModelTarget> = targets.iter().filter(|t| t.check == check).collect();
        // A tier that resolves to a model already reported points there instead of repeating it.
        if let [only] = mine.as_slice()
            && let Some((earlier, _, index)) =
                reported.iter().find(|(_, key, _)| *key == only.key())
        {
            let earlier_result = &results[*index];
            let mut same = CheckResult::new(
                check,
                title(check),
                earlier_result.status,
                format!(
                    "same model as the {}: {}",
                    title(earlier),
                    earlier_result.summary
                ),
            )
            .detail(only.setting.clone());
            same.fix = earlier_result.fix.clone();
            results.push(same);
            continue;
        }
        if let [only] = mine.as_slice() {
            reported.push((check, only.key(), results.len()));
        }
        results.push(model_check(
            check,
            &mine,
            config,
            clients,
            &probes,
            &app_profiles,
            list_ok,
        ));
    }
    results
}

type Probed = (
    Option<(String, Result<ProfileSummary, Failure>, u64)>,
    HashMap<ProbeKey, ModelProbes>,
    HashMap<String, Result<ProfileSummary, Failure>>,
    Vec<ProbeKey>,
);

/// Every model the targets may call, probed once each (invoke and stream at once), and the
/// inference profiles they name, fetched.
async fn probe_targets(
    config: &EffectiveConfig,
    clients: &Clients,
    targets: &[ModelTarget],
    list: Option<&ProfileList>,
) -> Probed {
    let mut unique: Vec<ProbeKey> = Vec::new();
    for target in targets {
        if !probeable(config, target) {
            continue;
        }
        for key in target.keys() {
            if !unique.contains(&key) {
                unique.push(key);
            }
        }
    }
    // A pinned profile is fetched; otherwise the first Anthropic profile from the list.
    let profile = targets
        .iter()
        .find_map(|t| match &t.id.kind {
            ModelIdKind::ApplicationProfileArn { .. }
            | ModelIdKind::CrossRegionProfile { .. }
            | ModelIdKind::SystemProfileArn { .. } => Some(t.id.id.clone()),
            _ => None,
        })
        .or_else(|| {
            list.and_then(|l| {
                l.profiles
                    .iter()
                    .find(|p| !p.is_application() && p.is_anthropic())
                    .map(|p| p.id.clone())
            })
        });
    let app_arns: Vec<String> = unique
        .iter()
        .map(|(m, _)| m)
        .filter(|m| {
            matches!(
                ModelId::parse(m).kind,
                ModelIdKind::ApplicationProfileArn { .. }
            )
        })
        .cloned()
        .collect();
    let get_future = async {
        let id = profile?;
        let started = Instant::now();
        let result = ops::get_profile(clients, &id).await;
        Some((id, result, started.elapsed().as_millis() as u64))
    };
    let probes_future = join_all(unique.iter().map(|key| async move {
        let (model, region) = key;
        let (invoke, stream) = tokio::join!(
            ops::invoke(clients, model, region.as_deref()),
            ops::invoke_stream(clients, model, region.as_deref())
        );
        (key.clone(), ModelProbes { invoke, stream })
    }));
    let app_future = join_all(
        app_arns
            .iter()
            .map(|arn| async move { (arn.clone(), ops::get_profile(clients, arn).await) }),
    );
    let (get, probes, app_profiles) = tokio::join!(get_future, probes_future, app_future);
    (
        get,
        probes.into_iter().collect(),
        app_profiles.into_iter().collect(),
        unique,
    )
}

/// Whether the Invoke API is what this target is called on: a Mantle-form ID goes to Mantle
/// only when Mantle is on; with the Invoke API alone it is sent to Invoke like any other ID
/// (`anthropic.claude-sonnet-4-6` is a foundation-model ID too), and Bedrock's answer counts.
fn probeable(config: &EffectiveConfig, target: &ModelTarget) -> bool {
    !target.fallbacks.is_empty()
        || is_probeable(&target.id.kind)
        || (target.id.kind == ModelIdKind::MantleId && config.provider.mantle.is_none())
}

fn identity_check(
    config: &EffectiveConfig,
    clients: &Clients,
    identity: Option<(Result<Identity, Failure>, u64)>,
) -> CheckResult {
    let id = "auth.identity";
    if let Some(err) = &clients.credential_error {
        return CheckResult::new(id, title(id), Status::Fail, err.message.clone())
            .fix(err.fix.clone());
    }
    let Some((result, ms)) = identity else {
        let reason = match (&clients.auth, &config.bearer) {
            (AuthMode::Bearer, Some(bearer)) => match &bearer.analysis.kind {
                BearerKind::LongTerm { account } => format!(
                    "STS cannot take a bearer key; the long-term key belongs to account {account}; the Bedrock calls below test it"
                ),
                BearerKind::ShortTerm { region, .. } => format!(
                    "STS cannot take a bearer key; the short-term key was made in {region}; the Bedrock calls below test it"
                ),
                BearerKind::Malformed { .. } => {
                    "STS cannot take a bearer key; the key is malformed (see auth.bearer)"
                        .to_string()
                }
            },
            (AuthMode::None, _) => {
                "CLAUDE_CODE_SKIP_BEDROCK_AUTH: no credentials are used".to_string()
            }
            _ => "not applicable".to_string(),
        };
        return CheckResult::new(id, title(id), Status::Skip, reason);
    };
    let mut check = match result {
        Ok(identity) => {
            let mut check = CheckResult::new(
                id,
                title(id),
                Status::Pass,
                format!("account {} as {}", identity.account, identity.arn),
            );
            check.details.push(identity_kind(&identity.arn).into());
            if identity.arn.ends_with(":root") {
                check.status = Status::Warn;
                check.summary = format!("account {} as its root user", identity.account);
                check.fix = Some("Use an IAM role or IAM Identity Center user for Claude Code, not the root user.".into());
            }
            check
        }
        Err(failure) => {
            let attempt = Attempt {
                operation: "GetCallerIdentity",
                action: "sts:GetCallerIdentity",
                endpoint: "STS",
                model: None,
                auth: clients.auth,
                profiles: None,
            };
            let mut check = explain(&failure, &attempt, config).into_check(id, title(id));
            // STS that only this doctor calls cannot fail Claude Code: an unreachable one
            // leaves the identity unconfirmed, nothing more.
            let network = matches!(
                failure.kind,
                FailureKind::Connect
                    | FailureKind::Timeout
                    | FailureKind::Tls
                    | FailureKind::NotAws { .. }
            );
            if network && !super::network::Role::Sts.used_by_client(config) {
                check.status = Status::Warn;
                check.summary = format!(
                    "could not confirm the identity: {} (Claude Code does not call STS with this configuration; the Bedrock checks below test the credentials)",
                    check.summary
                );
            }
            check
        }
    };
    check.duration_ms = ms;
    check
}

fn identity_kind(arn: &str) -> String {
    if arn.contains(":assumed-role/AWSReservedSSO_") {
        "an IAM Identity Center (SSO) role session".into()
    } else if arn.contains(":assumed-role/") {
        "an assumed IAM role".into()
    } else if arn.contains(":user/") {
        "an IAM user".into()
    } else if arn.contains(":federated-user/") {
        "a federated user".into()
    } else {
        "another kind of identity".into()
    }
}

fn list_check(
    config: &EffectiveConfig,
    clients: &Clients,
    list: &Result<ProfileList, Failure>,
    ms: u64,
) -> CheckResult {
    let id = "iam.list-inference-profiles";
    let mut check = match list {
        Ok(list) => {
            let anthropic = list.profiles.iter().filter(|p| p.is_anthropic()).count();
            let application = list.profiles.iter().filter(|p| p.is_application()).count();
            let summary = format!(
                "{} inference profiles in {} ({anthropic} Anthropic, {application} application), {} page{}",
                list.profiles.len(),
                config.region.value,
                list.pages,
                if list.pages == 1 { "" } else { "s" }
            );
            if anthropic == 0 {
                CheckResult::new(id, title(id), Status::Warn, format!("{summary}: none serves an Anthropic model"))
                    .fix(format!("Use a region that offers Claude models (us-east-1, us-west-2, eu-central-1, …), or check `claude-bedrock models --region {}`.", config.region.value))
            } else {
                CheckResult::new(id, title(id), Status::Pass, summary)
            }
        }
        Err(failure) => {
            let attempt = Attempt::list_profiles(clients);
            explain(failure, &attempt, config).into_check(id, title(id))
        }
    };
    check.duration_ms = ms;
    check
}

fn get_check(
    config: &EffectiveConfig,
    clients: &Clients,
    get: Option<(String, Result<ProfileSummary, Failure>, u64)>,
    list: Option<&ProfileList>,
    targets: &[ModelTarget],
) -> CheckResult {
    let id = "iam.get-inference-profile";
    let Some((profile_id, result, ms)) = get else {
        return CheckResult::new(
            id,
            title(id),
            Status::Skip,
            "no inference profile to fetch (nothing pinned, none listed)",
        );
    };
    let needed = targets
        .iter()
        .any(|t| matches!(t.id.kind, ModelIdKind::ApplicationProfileArn { .. }));
    let mut check = match result {
        Ok(profile) => CheckResult::new(
            id,
            title(id),
            Status::Pass,
            format!("{} ({}, {})", profile.id, profile.kind, profile.status),
        )
        .details(profile.models.iter().map(|m| format!("routes to {m}"))),
        Err(failure) => {
            let attempt = Attempt {
                operation: "GetInferenceProfile",
                action: "bedrock:GetInferenceProfile",
                endpoint: &clients.control_endpoint,
                model: Some(&profile_id),
                auth: clients.auth,
                profiles: list,
            };
            let mut e = explain(&failure, &attempt, config);
            if !needed
                && e.status == Status::Fail
                && matches!(
                    failure.kind,
                    crate::aws::errors::FailureKind::AccessDenied { .. }
                )
            {
                // Claude Code calls it only for application-inference-profile ARNs.
                e.status = Status::Warn;
                e.summary.push_str(
                    " (Claude Code needs it only for application inference profile ARNs)",
                );
            }
            e.into_check(id, title(id))
        }
    };
    check.duration_ms = ms;
    check
}

#[allow(clippy::too_many_arguments)]
fn permission_check(
    id: &str,
    stream: bool,
    config: &EffectiveConfig,
    clients: &Clients,
    models: &[ProbeKey],
    probes: &HashMap<ProbeKey, ModelProbes>,
    list: Option<&ProfileList>,
) -> CheckResult {
    let pick = |p: &ModelProbes| {
        if stream {
            p.stream.clone()
        } else {
            p.invoke.clone()
        }
    };
    let action = Attempt::invoke(clients, stream, "", list).action;
    if models.is_empty() {
        return CheckResult::new(id, title(id), Status::Skip, "no Invoke API model to call");
    }
    let outcomes: Vec<(&String, Probe)> = models
        .iter()
        .filter_map(|key| probes.get(key).map(|p| (&key.0, pick(p))))
        .collect();
    let ms = outcomes
        .iter()
        .map(|(_, p)| p.duration_ms)
        .max()
        .unwrap_or(0);
    let mut check = if let Some((model, _)) = outcomes.iter().find(|(_, p)| p.ok) {
        let mut check = CheckResult::new(
            id,
            title(id),
            Status::Pass,
            format!("{action} allowed ({model} answered)"),
        );
        for (other, probe) in &outcomes {
            if let Some(failure) = &probe.failure {
                check
                    .details
                    .push(format!("{other}: {}", failure.brief()).into());
            }
        }
        check
    } else {
        use crate::aws::errors::FailureKind as K;
        // Prefer the failure that says something about the permission or the credentials.
        let rank = |f: &Failure| match f.kind {
            K::AccessDenied { .. } | K::Marketplace => 0,
            K::AuthHeaderMissing
            | K::BearerRejected
            | K::ExpiredToken
            | K::SsoExpired
            | K::InvalidCredentials
            | K::SignatureMismatch
            | K::NoCredentials
            | K::CredentialProvider => 1,
            K::NotAws { .. } | K::Tls | K::Connect | K::Timeout => 2,
            _ => 3,
        };
        let worst = outcomes
            .iter()
            .filter_map(|(m, p)| p.failure.as_ref().map(|f| (m, f)))
            .min_by_key(|(_, f)| rank(f));
        match worst {
            Some((model, failure)) if rank(failure) < 3 => {
                let e = explain(
                    failure,
                    &Attempt::invoke(clients, stream, model, list),
                    config,
                );
                e.into_check(id, title(id))
            }
            Some((model, failure)) => CheckResult::new(
                id,
                title(id),
                Status::Warn,
                format!(
                    "{action} could not be confirmed: no model answered ({model}: {})",
                    failure.brief()
                ),
            )
            .fix("See the models.* checks below for why each model failed."),
            None => CheckResult::new(id, title(id), Status::Skip, "no probe ran"),
        }
    };
    check.duration_ms = ms;
    check
}

#[allow(clippy::too_many_arguments)]
fn model_check(
    id: &str,
    targets: &[&ModelTarget],
    config: &EffectiveConfig,
    clients: &Clients,
    probes: &HashMap<ProbeKey, ModelProbes>,
    app_profiles: &HashMap<String, Result<ProfileSummary, Failure>>,
    list: Option<&ProfileList>,
) -> CheckResult {
    if targets.is_empty() {
        return CheckResult::new(id, title(id), Status::Skip, "no modelOverrides set");
    }
    let mut findings = Findings::default();
    let mut answered = Vec::new();
    let mut ms = 0;
    for target in targets {
        // An unpinned tier: Claude Code settles on the first of its candidates that answers.
        let chosen = if target.fallbacks.is_empty() {
            target.id.clone()
        } else {
            let works = |f: &&ModelId| {
                probes
                    .get(&(f.id.clone(), target.region.clone()))
                    .is_some_and(|p| p.invoke.ok && p.stream.ok)
            };
            let listed = |f: &&ModelId| list.is_some_and(|l| l.find(&f.id).is_some());
            let first_working = target.fallbacks.iter().find(works);
            match first_working {
                Some(f) => findings.note(format!("the first that answers here is {}", f.id)),
                None => findings.note("none of them answers here"),
            }
            first_working
                .or_else(|| target.fallbacks.iter().find(listed))
                .unwrap_or(&target.fallbacks[0])
                .clone()
        };
        let model = &chosen.id;
        if target.fallbacks.is_empty() {
            findings.note(format!("{} = {model}", target.setting));
        } else {
            findings.note(target.setting.clone());
        }
        if chosen.kind == ModelIdKind::MantleId && config.provider.mantle.is_some() {
            findings.note(format!(
                "{model} is a Mantle model ID: the Invoke API does not serve it (see mantle.models)"
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
        if let Some(region) = &target.region {
            findings.note(format!(
                "called in {region} (ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION)"
            ));
        }
        let Some(probe) = probes.get(&(model.clone(), target.region.clone())) else {
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
            None => answered.push(format!(
                "{model} answers (invoke {} ms, stream {} ms)",
                probe.invoke.duration_ms, probe.stream.duration_ms
            )),
            Some((failure, stream)) => {
                let e = explain(
                    failure,
                    &Attempt::invoke(clients, stream, model, list),
                    config,
                );
                let mut status = e.status;
                let mut fix = e.fix;
                if !target.pinned && status == Status::Fail && id != "models.primary" {
                    // An unpinned tier falls back inside Claude Code; pinning a working model avoids it.
                    status = Status::Warn;
                    fix.push_str(
                        "\nOr pin a model that works for this tier: `claude-bedrock setup`.",
                    );
                }
                findings.raise(status, e.summary, Some(fix));
                findings.note(e.evidence);
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
        let mut c = CheckResult::new(id, title(id), Status::Skip, summary);
        c.details = findings.details;
        c
    } else {
        findings.into_result(id, title(id), summary)
    };
    check.duration_ms = ms;
    check
}
