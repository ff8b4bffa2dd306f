//! The live AWS calls, made once: the identity, the account's inference profiles, the profile a
//! configuration names, and every model each role may call (invoke and stream) — all started at
//! once. What they answered is kept as facts; the IAM and model checks judge them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use futures_util::future::join_all;

use crate::aws::errors::Failure;
use crate::aws::explain::is_probeable;
use crate::aws::ops::{self, Identity, Probe, ProfileList, ProfileSummary};
use crate::aws::{AuthMode, Clients};
use crate::config::EffectiveConfig;
use crate::config::models::{ModelId, ModelIdKind};
use crate::knowledge::ONE_MILLION_BETA;

pub(crate) use super::roles::{ModelTarget, ProbeKey, model_targets};

pub struct ModelProbes {
    pub invoke: Probe,
    pub stream: Probe,
    /// For a `[1m]` pin: the one-token request again with the 1M context beta, as Claude Code
    /// sends it.
    pub one_million: Option<Probe>,
}

/// What the live calls measured, once, for every live check: the identity, the profile list,
/// the models each role calls and how each answered.
pub struct LiveFacts {
    /// Shared: remedies probe further with the same clients after the report.
    pub clients: Arc<Clients>,
    pub identity: Option<(Result<Identity, Failure>, u64)>,
    pub list: Result<ProfileList, Failure>,
    pub list_ms: u64,
    pub targets: Vec<ModelTarget>,
    pub get: Option<(String, Result<ProfileSummary, Failure>, u64)>,
    pub probes: HashMap<ProbeKey, ModelProbes>,
    pub app_profiles: HashMap<String, Result<ProfileSummary, Failure>>,
    pub unique: Vec<ProbeKey>,
}

impl LiveFacts {
    pub fn list_ok(&self) -> Option<&ProfileList> {
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
            .find(|f| self.answers(&f.id, &target.region_of(f)))
    }

    /// Whether `model` answered both probes (in `region`, or the configured one).
    pub fn answers(&self, model: &str, region: &Option<String>) -> bool {
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
            let mut keys: Vec<ProbeKey> = targets
                .iter()
                .flat_map(super::roles::ModelTarget::keys)
                .collect();
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
    // A pinned profile is fetched; otherwise the first Anthropic profile from the list — never
    // an unpinned tier's candidate the account may not have (Claude Code fetches none).
    let profile = targets
        .iter()
        .filter(|t| t.fallbacks.is_empty())
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
    let one_million: Vec<ProbeKey> = targets
        .iter()
        .filter(|t| t.id.one_million_context && t.fallbacks.is_empty())
        .map(ModelTarget::key)
        .collect();
    let one_million = &one_million;
    let probes_future = join_all(unique.iter().map(|key| async move {
        let (model, region) = key;
        let beta = async {
            if one_million.contains(key) {
                Some(
                    ops::invoke_with_beta(clients, model, region.as_deref(), ONE_MILLION_BETA)
                        .await,
                )
            } else {
                None
            }
        };
        let (invoke, stream, one_million) = tokio::join!(
            ops::invoke(clients, model, region.as_deref()),
            ops::invoke_stream(clients, model, region.as_deref()),
            beta
        );
        (
            key.clone(),
            ModelProbes {
                invoke,
                stream,
                one_million,
            },
        )
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
