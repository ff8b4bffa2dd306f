//! The network checks: identity, each IAM permission Claude Code needs, and every model it will
//! call — all started at once, reported in a fixed order.

use std::collections::HashMap;
use std::time::Instant;

use futures_util::future::join_all;

use crate::aws::errors::Failure;
use crate::aws::ops::{self, Identity, Probe, ProfileList, ProfileSummary};
use crate::aws::{AuthMode, Clients};
use crate::config::EffectiveConfig;
use crate::config::bearer::BearerKind;
use crate::config::models::{
    DEFAULT_PRIMARY_TIER, Family, ModelId, ModelIdKind, default_prefix_for_region, tier_fallbacks,
};
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

/// The models Claude Code will call, tier by tier, as it resolves them.
pub fn model_targets(config: &EffectiveConfig) -> Vec<ModelTarget> {
    let haiku_region = config.haiku_region().map(str::to_string);
    let prefix = config
        .env
        .get("ANTHROPIC_BEDROCK_REGION_PREFIX")
        .map(str::to_string)
        .unwrap_or_else(|| default_prefix_for_region(&config.region.value).to_string());
    // A tier's pin, or Claude Code's candidates for it, newest first.
    let tier = |check: &'static str, family: Family, lead: Option<String>| -> ModelTarget {
        let variable = format!(
            "ANTHROPIC_DEFAULT_{}_MODEL",
            family.name().to_ascii_uppercase()
        );
        let lead = lead.map(|l| format!("{l} → ")).unwrap_or_default();
        let region = (family == Family::Haiku)
            .then(|| haiku_region.clone())
            .flatten();
        match config.env.get(&variable) {
            Some(value) => ModelTarget {
                check,
                setting: format!("{lead}{variable}"),
                id: ModelId::parse(value),
                pinned: true,
                region,
                fallbacks: Vec::new(),
            },
            None => {
                let fallbacks: Vec<ModelId> = tier_fallbacks(family, &prefix)
                    .iter()
                    .map(|id| ModelId::parse(id))
                    .collect();
                ModelTarget {
                    check,
                    setting: format!(
                        "{lead}{variable} unset: Claude Code tries {} {} model{} newest first",
                        fallbacks.len(),
                        family.name(),
                        if fallbacks.len() == 1 { "" } else { "s" }
                    ),
                    id: fallbacks[0].clone(),
                    pinned: false,
                    region,
                    fallbacks,
                }
            }
        }
    };
    let alias_family = |id: &ModelId| -> Option<Family> {
        (id.kind == ModelIdKind::Alias).then_some(match id.id.as_str() {
            "opus" | "best" | "opusplan" => Family::Opus,
            "haiku" => Family::Haiku,
            "sonnet" => Family::Sonnet,
            _ => DEFAULT_PRIMARY_TIER,
        })
    };
    let mut targets = Vec::new();
    let primary = config
        .env
        .get("ANTHROPIC_MODEL")
        .map(|v| ("ANTHROPIC_MODEL".to_string(), ModelId::parse(v)))
        .or_else(|| {
            config
                .keys
                .model
                .as_ref()
                .map(|m| ("model (settings)".to_string(), ModelId::parse(&m.value)))
        });
    targets.push(match primary {
        Some((setting, id)) => match alias_family(&id) {
            Some(family) => tier(
                "models.primary",
                family,
                Some(format!("{setting}={}", id.raw)),
            ),
            None => ModelTarget {
                check: "models.primary",
                setting,
                id,
                pinned: true,
                region: None,
                fallbacks: Vec::new(),
            },
        },
        None => tier(
            "models.primary",
            DEFAULT_PRIMARY_TIER,
            Some("ANTHROPIC_MODEL unset".into()),
        ),
    });
    targets.push(tier("models.opus", Family::Opus, None));
    targets.push(tier("models.sonnet", Family::Sonnet, None));
    targets.push(tier("models.haiku", Family::Haiku, None));
    targets.push(match config.env.get("ANTHROPIC_SMALL_FAST_MODEL") {
        Some(value) => ModelTarget {
            check: "models.small-fast",
            setting: "ANTHROPIC_SMALL_FAST_MODEL".into(),
            id: ModelId::parse(value),
            pinned: true,
            region: haiku_region.clone(),
            fallbacks: Vec::new(),
        },
        None => tier(
            "models.small-fast",
            Family::Haiku,
            Some("ANTHROPIC_SMALL_FAST_MODEL unset".into()),
        ),
    });
    for (name, value) in &config.keys.model_overrides {
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

struct ModelProbes {
    invoke: Probe,
    stream: Probe,
}

pub async fn run(config: &EffectiveConfig, clients: &Clients) -> Vec<CheckResult> {
    let targets = model_targets(config);
    let mut unique: Vec<ProbeKey> = Vec::new();
    for target in &targets {
        if !is_probeable(&target.id.kind) {
            continue;
        }
        for key in target.keys() {
            if !unique.contains(&key) {
                unique.push(key);
            }
        }
    }
    // A pinned profile is fetched at once; otherwise the first Anthropic profile from the list.
    let pinned_profile = targets.iter().find_map(|t| match &t.id.kind {
        ModelIdKind::ApplicationProfileArn { .. }
        | ModelIdKind::CrossRegionProfile { .. }
        | ModelIdKind::SystemProfileArn { .. } => Some(t.id.id.clone()),
        _ => None,
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

    let (tx, rx) = tokio::sync::oneshot::channel::<Option<String>>();
    let list_future = async {
        let started = Instant::now();
        let result = ops::list_profiles(clients).await;
        let first = result.as_ref().ok().and_then(|l| {
            l.profiles
                .iter()
                .find(|p| !p.is_application() && p.is_anthropic())
                .map(|p| p.id.clone())
        });
        let _ = tx.send(first);
        (result, started.elapsed().as_millis() as u64)
    };
    let get_future = async {
        let target = match &pinned_profile {
            Some(id) => Some(id.clone()),
            None => rx.await.ok().flatten(),
        };
        let started = Instant::now();
        match target {
            Some(id) => {
                let result = ops::get_profile(clients, &id).await;
                Some((id, result, started.elapsed().as_millis() as u64))
            }
            None => None,
        }
    };
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

    let (identity, (list, list_ms), get, probes, app_profiles) = tokio::join!(
        identity_future,
        list_future,
        get_future,
        probes_future,
        app_future
    );
    let probes: HashMap<ProbeKey, ModelProbes> = probes.into_iter().collect();
    let app_profiles: HashMap<String, Result<ProfileSummary, Failure>> =
        app_profiles.into_iter().collect();
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
            check.details.push(identity_kind(&identity.arn));
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
            explain(&failure, &attempt, config).into_check(id, title(id))
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
                check.details.push(format!("{other}: {}", failure.brief()));
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
        if chosen.kind == ModelIdKind::MantleId {
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
