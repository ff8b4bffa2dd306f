//! `claude-bedrock policy`: the least-privilege IAM policy for this configuration, measured where
//! it can be — the account from STS or the key, the model each unpinned tier settles on from the
//! probes, the regions each profile routes to from `GetInferenceProfile` — and said where it
//! cannot.

use std::time::Duration;

use futures_util::future::join_all;

use crate::aws::policy::{LeastPrivilege, ModelGrant, PolicyRequest, least_privilege};
use crate::aws::{Clients, ops};
use crate::cli::PolicyArgs;
use crate::config::EffectiveConfig;
use crate::config::bearer::BearerKind;
use crate::config::credentials::CredentialSource;
use crate::config::models::{ModelId, ModelIdKind};
use crate::doctor::facts::roles::{ModelTarget, model_targets};
use console::Style;

use crate::encoding::escape_controls;
use crate::output::{Output, Palette};
use crate::render::text::wrapped;

pub(crate) async fn run(
    config: &EffectiveConfig,
    args: &PolicyArgs,
    timeout: Duration,
) -> LeastPrivilege {
    let bearer = matches!(
        config.credentials.source,
        CredentialSource::BearerKey { .. }
    );
    let key_account = config.bearer.as_ref().and_then(|b| match &b.analysis.kind {
        BearerKind::LongTerm { account } => Some(account.clone()),
        _ => None,
    });
    let mantle = config
        .provider
        .mantle
        .as_ref()
        .map(|_| config.region.value.clone());
    let (account, models, unmeasured) = if args.offline {
        (key_account, offline_grants(config), Vec::new())
    } else {
        let clients = std::sync::Arc::new(Clients::build(config, timeout).await);
        let facts = crate::doctor::facts::live::gather(config, clients).await;
        let account = facts.account().or(key_account);
        let (models, unmeasured) = measured_grants(config, &facts).await;
        (account, models, unmeasured)
    };
    least_privilege(&PolicyRequest {
        sid_prefix: args.sid_prefix.clone(),
        account,
        models,
        bearer,
        mantle,
        unmeasured,
    })
}

/// Why a target's model is in the policy: the setting that selects it, or the role.
fn why(target: &ModelTarget) -> String {
    if target.fallbacks.is_empty() {
        target.setting.clone()
    } else {
        format!("the model the {} settles on", target.check.title())
    }
}

/// The Invoke-API models of every role, as the live calls resolved them, with where each
/// profile routes; and the roles whose model could not be measured (no candidate answered),
/// for which every candidate is granted.
async fn measured_grants(
    config: &EffectiveConfig,
    facts: &crate::doctor::facts::live::LiveFacts,
) -> (Vec<ModelGrant>, Vec<String>) {
    let clients = &facts.clients;
    let mut chosen: Vec<(String, ModelId, String)> = Vec::new();
    // The calls that failed, first: they are why the rest is not measured.
    let mut unmeasured = facts.failures();
    let mut said: Vec<Vec<&str>> = Vec::new();
    for target in &facts.targets {
        let models: Vec<(String, ModelId)> = if target.fallbacks.is_empty() {
            vec![(why(target), target.id.clone())]
        } else if let Some(model) = facts.answering(target) {
            vec![(why(target), model.clone())]
        } else {
            // Roles that share their candidates (the main loop and the subagent) are one note.
            let ids: Vec<&str> = target.fallbacks.iter().map(|f| f.id.as_str()).collect();
            if !said.contains(&ids) {
                let tier = target.check.title();
                unmeasured.push(format!(
                    "the model the {tier} settles on (no candidate answered): every candidate granted"
                ));
                said.push(ids);
            }
            candidates(target)
        };
        for (why, model) in models {
            let region = target
                .region_of(&model)
                .unwrap_or_else(|| config.region.value.clone());
            if !chosen
                .iter()
                .any(|(_, m, r)| m.id == model.id && *r == region)
            {
                chosen.push((why, model, region));
            }
        }
    }
    let routes = join_all(chosen.iter().map(|(_, model, _)| async move {
        if !is_profile(model) {
            return None;
        }
        // The list already says where a listed profile routes; anything else is asked for.
        if let Some(listed) = facts.profiles().and_then(|l| l.find(&model.id))
            && !listed.models.is_empty()
        {
            return Some(listed.models.clone());
        }
        ops::get_profile(clients, &model.id)
            .await
            .ok()
            .map(|p| p.models)
    }))
    .await;
    let grants = chosen
        .into_iter()
        .zip(routes)
        .map(|((why, model, region), routes)| ModelGrant {
            why,
            model,
            region,
            routes,
        })
        .collect();
    (grants, unmeasured)
}

/// An unpinned role's candidates, each said to be one.
fn candidates(target: &ModelTarget) -> Vec<(String, ModelId)> {
    let tier = target.check.title();
    target
        .fallbacks
        .iter()
        .map(|f| (format!("a candidate of the {tier} (unpinned)"), f.clone()))
        .collect()
}

/// Without AWS: every pin, and every candidate of an unpinned tier (whichever it settles on).
fn offline_grants(config: &EffectiveConfig) -> Vec<ModelGrant> {
    let mut grants: Vec<ModelGrant> = Vec::new();
    for target in model_targets(config, None) {
        let models: Vec<(String, ModelId)> = if target.fallbacks.is_empty() {
            vec![(why(&target), target.id.clone())]
        } else {
            candidates(&target)
        };
        for (why, model) in models {
            let region = target
                .region_of(&model)
                .unwrap_or_else(|| config.region.value.clone());
            if !grants
                .iter()
                .any(|g| g.model.id == model.id && g.region == region)
            {
                grants.push(ModelGrant {
                    why,
                    model,
                    region,
                    routes: None,
                });
            }
        }
    }
    grants
}

fn is_profile(model: &ModelId) -> bool {
    matches!(
        model.kind,
        ModelIdKind::CrossRegionProfile { .. }
            | ModelIdKind::SystemProfileArn { .. }
            | ModelIdKind::ApplicationProfileArn { .. }
    )
}

/// Where each resource came from, for people, on stderr: wrapped to its width.
pub(crate) fn explain(policy: &LeastPrivilege, out: &Output) -> String {
    if out.quiet {
        return String::new();
    }
    let width = console::Term::stderr()
        .size_checked()
        .map_or(out.width, |(_, columns)| {
            usize::from(columns).clamp(60, 140)
        });
    let dot = Palette::dim().for_stderr().apply_to("· ").to_string();
    let bang = Palette::warn().for_stderr().apply_to("! ").to_string();
    let plain = Style::new();
    let mut text = String::new();
    for line in &policy.explanation {
        let line = escape_controls(line);
        wrapped(
            &mut text,
            "",
            &dot,
            &line,
            width,
            plain.clone(),
            plain.clone(),
        );
    }
    for line in &policy.unresolved {
        let line = format!("not measured: {}", escape_controls(line));
        wrapped(
            &mut text,
            "",
            &bang,
            &line,
            width,
            plain.clone(),
            plain.clone(),
        );
    }
    text
}
