//! The network checks: identity, each IAM permission Claude Code needs, and every model it will
//! call — all started at once, reported in a fixed order.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use futures_util::future::join_all;

use crate::aws::errors::{Failure, FailureKind};
use crate::aws::ops::{self, Identity, Probe, ProfileList, ProfileSummary};
use crate::aws::{AuthMode, Clients};
use crate::config::EffectiveConfig;
use crate::config::bearer::BearerKind;
use crate::config::models::{ModelId, ModelIdKind};
use crate::report::{CheckResult, Findings, Skip, Status};

pub use super::roles::{ModelTarget, ProbeKey, model_targets};
use crate::aws::explain::{Attempt, explain, is_probeable};

fn title(id: &str) -> &'static str {
    super::check_id::title(id)
}

struct ModelProbes {
    invoke: Probe,
    stream: Probe,
}

/// What the live calls measured, once, for every live check: the identity, the profile list,
/// the models each role calls and how each answered.
pub struct LiveFacts {
    /// Shared: remedies probe further with the same clients after the report.
    pub clients: Arc<Clients>,
    identity: Option<(Result<Identity, Failure>, u64)>,
    list: Result<ProfileList, Failure>,
    list_ms: u64,
    pub targets: Vec<ModelTarget>,
    get: Option<(String, Result<ProfileSummary, Failure>, u64)>,
    probes: HashMap<ProbeKey, ModelProbes>,
    app_profiles: HashMap<String, Result<ProfileSummary, Failure>>,
    unique: Vec<ProbeKey>,
}

impl LiveFacts {
    fn list_ok(&self) -> Option<&ProfileList> {
        self.list.as_ref().ok()
    }

    /// Whether `model` was probed (in `region`, or the configured one), and answered both.
    pub fn probed(&self, model: &str, region: &Option<String>) -> Option<bool> {
        self.probes
            .get(&(model.to_string(), region.clone()))
            .map(|p| p.invoke.ok && p.stream.ok)
    }

    /// Whether `model` was probed (in `region`, or the configured one) and refused for a reason
    /// of its own (not enabled, not found, on demand, denied), not a throttle or a network
    /// failure that says nothing of the model.
    pub fn refused(&self, model: &str, region: &Option<String>) -> bool {
        self.probes
            .get(&(model.to_string(), region.clone()))
            .is_some_and(|p| {
                [&p.invoke, &p.stream].iter().any(|probe| {
                    probe
                        .failure
                        .as_ref()
                        .is_some_and(|f| f.kind.is_model_refusal())
                })
            })
    }

    /// The first candidate of an unpinned role that answered, as the client settles; `None`
    /// when none did (or the role is pinned).
    pub fn answering<'t>(&self, target: &'t ModelTarget) -> Option<&'t ModelId> {
        target
            .fallbacks
            .iter()
            .find(|f| self.answers(&f.id, &target.region))
    }

    /// Whether `model` answered both probes (in `region`, or the configured one).
    fn answers(&self, model: &str, region: &Option<String>) -> bool {
        self.probes
            .get(&(model.to_string(), region.clone()))
            .is_some_and(|p| p.invoke.ok && p.stream.ok)
    }

    /// The model a role ends on: its pin, or — unpinned — the first candidate that answers (as
    /// Claude Code settles), else the first the account lists, else the first.
    pub fn settles_on(&self, target: &ModelTarget) -> ModelId {
        if target.fallbacks.is_empty() {
            return target.id.clone();
        }
        let list = self.list_ok();
        self.answering(target)
            .or_else(|| {
                target
                    .fallbacks
                    .iter()
                    .find(|f| list.is_some_and(|l| l.find(&f.id).is_some()))
            })
            .unwrap_or(&target.fallbacks[0])
            .clone()
    }

    /// The account the credentials belong to, as STS said.
    pub fn account(&self) -> Option<String> {
        match &self.identity {
            Some((Ok(identity), _)) => Some(identity.account.clone()),
            _ => None,
        }
    }

    /// Why the identity or the profile list could not be had: the calls that failed, each with
    /// AWS's (or the network's) words.
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if let Some((Err(failure), _)) = &self.identity {
            failures.push(format!("GetCallerIdentity failed: {}", failure.message));
        }
        if let Err(failure) = &self.list {
            failures.push(format!("ListInferenceProfiles failed: {}", failure.message));
        }
        failures
    }

    /// The account's inference profiles, when the listing worked.
    pub fn profiles(&self) -> Option<&ProfileList> {
        self.list_ok()
    }
}

/// Makes the live calls: the identity alongside; as in Claude Code, the account's profile list
/// first (it decides which prefixed ID an unpinned tier probes), then everything else at once.
pub async fn gather(config: &EffectiveConfig, shared: Arc<Clients>) -> LiveFacts {
    let clients: &Clients = &shared;
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
    let rest = async {
        let listing = async {
            let started = Instant::now();
            let list = ops::list_profiles(clients).await;
            (list, started.elapsed().as_millis() as u64)
        };
        // The list only decides the candidates of unpinned tiers (their prefix): with every
        // tier pinned, the probes need not wait for it.
        let early = model_targets(config, None);
        let pinned = early.iter().all(|t| t.fallbacks.is_empty());
        let ((list, list_ms), speculated) = if pinned {
            let (listed, probed) =
                tokio::join!(listing, probe_targets(config, clients, &early, None));
            (listed, Some(probed))
        } else {
            (listing.await, None)
        };
        let targets = model_targets(config, list.as_ref().ok());
        let keys = |targets: &[ModelTarget]| {
            let mut keys: Vec<ProbeKey> = targets.iter().flat_map(|t| t.keys()).collect();
            keys.sort();
            keys.dedup();
            keys
        };
        // What was probed early stands when the list changed no target and chose no profile.
        let stands = |probed: &Probed| keys(&early) == keys(&targets) && probed.0.is_some();
        let (get, probes, app_profiles, unique) = match speculated {
            Some(probed) if stands(&probed) => probed,
            _ => probe_targets(config, clients, &targets, list.as_ref().ok()).await,
        };
        (list, list_ms, targets, get, probes, app_profiles, unique)
    };
    let (identity, (list, list_ms, targets, get, probes, app_profiles, unique)) =
        tokio::join!(identity_future, rest);
    LiveFacts {
        clients: shared.clone(),
        identity,
        list,
        list_ms,
        targets,
        get,
        probes,
        app_profiles,
        unique,
    }
}

pub fn check_identity(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    identity_check(config, &facts.clients, facts.identity.clone())
}

pub fn check_list(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    list_check(config, &facts.clients, &facts.list, facts.list_ms)
}

pub fn check_get(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    get_check(
        config,
        &facts.clients,
        facts.get.clone(),
        facts.list_ok(),
        &facts.targets,
    )
}

pub fn check_invoke(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    permission(config, facts, false)
}

pub fn check_invoke_stream(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    permission(config, facts, true)
}

fn permission(config: &EffectiveConfig, facts: &LiveFacts, stream: bool) -> CheckResult {
    permission_check(
        if stream {
            "iam.invoke-stream"
        } else {
            "iam.invoke"
        },
        stream,
        config,
        &facts.clients,
        &facts.unique,
        &facts.probes,
        facts.list_ok(),
    )
}

/// The model checks, in report order: a role that calls a model an earlier one already
/// reports points there instead of repeating it.
pub const MODEL_CHECKS: [&str; 8] = [
    "models.primary",
    "models.opus",
    "models.sonnet",
    "models.haiku",
    "models.small-fast",
    "models.subagent",
    "models.fallback",
    "models.overrides",
];

/// The model check `id`: the models its role calls, and how they answered.
pub fn check_models(id: &str, config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    let mine = |check: &str| -> Vec<&ModelTarget> {
        facts.targets.iter().filter(|t| t.check == check).collect()
    };
    let targets = mine(id);
    if let [only] = targets.as_slice()
        && let Some(earlier) = MODEL_CHECKS
            .iter()
            .take_while(|c| **c != id)
            .find(|c| matches!(mine(c).as_slice(), [one] if one.key() == only.key()))
    {
        let earlier_result = model_check(earlier, &mine(earlier), config, facts);
        let mut same = CheckResult::new(
            id,
            title(id),
            earlier_result.status,
            format!(
                "same model as the {}: {}",
                title(earlier),
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
        return CheckResult::skipped(id, title(id), Skip::NotInUse, reason);
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
        return CheckResult::skipped(
            id,
            title(id),
            Skip::NotInUse,
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
        return CheckResult::skipped(id, title(id), Skip::NotInUse, "no Invoke API model to call");
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

fn model_check(
    id: &str,
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
            "models.fallback" => "no fallbackModel set",
            _ => "no modelOverrides set",
        };
        return CheckResult::skipped(id, title(id), Skip::NotInUse, none);
    }
    let mut findings = Findings::default();
    let mut answered = Vec::new();
    let mut ms = 0;
    for target in targets {
        let chosen = facts.settles_on(target);
        if !target.fallbacks.is_empty() {
            let works = |f: &ModelId| facts.answers(&f.id, &target.region);
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
            None => {
                // Timings are for -v and JSON: the summary says what a reader acts on.
                answered.push(format!("{model} answers"));
                findings.note(format!(
                    "{model}: invoke {} ms, stream {} ms",
                    probe.invoke.duration_ms, probe.stream.duration_ms
                ));
            }
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
        let mut c = CheckResult::skipped(id, title(id), Skip::NotInUse, summary);
        c.details = findings.details;
        c
    } else {
        findings.into_result(id, title(id), summary)
    };
    check.duration_ms = ms;
    check
}
