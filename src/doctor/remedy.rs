//! Remedies as data: for each finding whose fix is mechanical, the change that removes it — a
//! value to set or remove in the settings file it came from, or a command the user runs
//! themselves (never run for them). A remedy needing a value the doctor could not measure is
//! not guessed: it says why it is not applied.

use std::path::PathBuf;

use serde::Serialize;

use crate::aws::ops::ProfileList;
use crate::config::models::{
    ModelId, ModelIdKind, PrefixFit, default_prefix_for_region, mantle_form, prefix_fit,
};
use crate::config::source::{Layer, Source};
use crate::config::{EffectiveConfig, PinnedModel};
use crate::report::{CheckResult, Report, Status};
use crate::write::{Applied, Plan};

use super::check_id::CheckId;
use super::defects::{DefectId, Version};
use super::facts::live::LiveFacts;

/// One change to one settings file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    SetEnv {
        name: String,
        value: String,
    },
    /// Write a value that is not a string as the text Claude Code reads it as.
    QuoteEnv {
        name: String,
    },
    RemoveEnv {
        name: String,
    },
    /// A top-level string key (`model`).
    SetKey {
        key: String,
        value: String,
    },
    RemoveKey {
        key: String,
    },
}

/// What a remedy does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Action {
    /// A change in the settings file the value came from.
    Edit {
        layer: Layer,
        file: PathBuf,
        change: Change,
    },
    /// A line the user runs (or adds to the shell's profile) themselves.
    Command { line: String },
    /// Cannot be applied: why.
    NotApplied { reason: String },
}

/// The fix of one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remedy {
    /// The check whose finding it removes.
    pub check: CheckId,
    /// The finding, in a few words.
    pub why: String,
    pub action: Action,
}

/// Everything the remedies are computed from.
pub struct Evidence<'a> {
    pub checks: &'a [CheckResult],
    /// The live facts, online.
    pub live: Option<&'a LiveFacts>,
    /// The client's version, when `claude` was found.
    pub client: Option<Version>,
    /// For a pin that does not answer: the newest model of its tier that does, from the probes.
    pub answering: &'a dyn Fn(&str) -> Option<String>,
}

fn failed(checks: &[CheckResult], id: CheckId) -> bool {
    checks
        .iter()
        .any(|c| c.id == id.as_str() && matches!(c.status, Status::Fail | Status::Warn))
}

/// The settings file `source` names, or why there is none to edit.
fn file_of(source: &Source) -> Result<(Layer, PathBuf), String> {
    match source {
        Source::Settings {
            layer: Layer::Managed,
            path,
        } => Err(format!(
            "it is set in the managed settings ({}), which are the administrator's: left alone",
            path.display()
        )),
        Source::Settings { layer, path } => Ok((*layer, path.clone())),
        Source::ProcessEnv => Err("it comes from the shell's environment: change it there".into()),
        other => Err(format!("it comes from {}", other.kind())),
    }
}

fn edit(check: CheckId, why: String, source: &Source, change: Change) -> Remedy {
    let action = match file_of(source) {
        Ok((layer, file)) => Action::Edit {
            layer,
            file,
            change,
        },
        Err(reason) => Action::NotApplied { reason },
    };
    Remedy { check, why, action }
}

/// Every mechanical remedy for what the checks found.
pub fn remedies(config: &EffectiveConfig, evidence: &Evidence) -> Vec<Remedy> {
    let mut remedies = Vec::new();
    pins(config, evidence, &mut remedies);
    refresh_loop(config, evidence, &mut remedies);
    non_string_values(config, &mut remedies);
    empty_variables(config, evidence, &mut remedies);
    node_ca_certs(config, &mut remedies);
    // A value both quoted and removed (`[]` reads as ""): removing it is the fix.
    let removed: Vec<(PathBuf, String)> = remedies
        .iter()
        .filter_map(|r| match &r.action {
            Action::Edit {
                file,
                change: Change::RemoveEnv { name },
                ..
            } => Some((file.clone(), name.clone())),
            _ => None,
        })
        .collect();
    remedies.retain(|r| match &r.action {
        Action::Edit {
            file,
            change: Change::QuoteEnv { name },
            ..
        } => !removed.contains(&(file.clone(), name.clone())),
        _ => true,
    });
    remedies
}

/// The region a pin's calls go to when it is not the configured one: the Haiku-class model's
/// own region.
pub fn role_region(config: &EffectiveConfig, role: &str) -> Option<String> {
    matches!(role, "haiku" | "small-fast")
        .then(|| config.small_fast_region().map(str::to_string))
        .flatten()
}

/// Whether a refused pin's remedy is another model of its tier (rather than another form or
/// prefix of the same one): what the newest answering model is looked for.
pub fn replaced_when_refused(config: &EffectiveConfig, pin: &PinnedModel) -> bool {
    let mantle_only = config.provider.mantle.is_some() && config.provider.bedrock.is_none();
    let own_region = role_region(config, pin.role);
    let region = own_region.as_deref().unwrap_or(&config.region.value);
    match &pin.id.kind {
        ModelIdKind::CrossRegionProfile { prefix } => {
            !mantle_only && !matches!(prefix_fit(prefix, region), PrefixFit::Mismatch { .. })
        }
        ModelIdKind::ApplicationProfileArn { .. } | ModelIdKind::SystemProfileArn { .. } => true,
        _ => false,
    }
}

/// Model pins that cannot work: an on-demand foundation model, a prefix the region cannot call,
/// the wrong form for the API, or a model the account refused.
fn pins(config: &EffectiveConfig, evidence: &Evidence, remedies: &mut Vec<Remedy>) {
    let mantle_only = config.provider.mantle.is_some() && config.provider.bedrock.is_none();
    for pin in &config.models {
        let name = &pin.setting;
        let env_pin = name.starts_with("ANTHROPIC_")
            || name == "CLAUDE_CODE_SUBAGENT_MODEL"
            || name == "CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL";
        let override_pin = name.starts_with("modelOverrides.");
        // `availableModels` is a list of what may be chosen, not a pin.
        if !env_pin && !override_pin && name != "model" {
            continue;
        }
        let id = &pin.id;
        let own_region = role_region(config, pin.role);
        let region = own_region.as_deref().unwrap_or(&config.region.value);
        // The account's list is the configured region's: it says nothing of another region.
        let list = || {
            match (&own_region, evidence.live.and_then(|l| l.profiles())) {
            (None, Some(list)) => Ok(list),
            (Some(region), _) => Err(format!(
                "its calls go to {region} (ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION), whose inference profiles the doctor does not list"
            )),
            (None, None) => Err(
                "the account's inference profiles could not be listed (offline, or the listing was denied)".to_string(),
            ),
        }
        };
        let answered = evidence.live.and_then(|l| l.probed(&id.id, &own_region));
        let refused = evidence
            .live
            .is_some_and(|l| l.refused(&id.id, &own_region));
        let replace = |why: String, to: Result<String, String>| match to {
            // An entry of the modelOverrides object is the one edit the writer does not make.
            Ok(value) if override_pin => Remedy {
                check: CheckId::ModelsPinned,
                why,
                action: Action::NotApplied {
                    reason: format!(
                        "modelOverrides is edited by hand: set {name} to \"{}\"",
                        keep_suffix(id, &value)
                    ),
                },
            },
            Ok(value) => edit(
                CheckId::ModelsPinned,
                why,
                &pin.source,
                if env_pin {
                    Change::SetEnv {
                        name: name.clone(),
                        value: keep_suffix(id, &value),
                    }
                } else {
                    Change::SetKey {
                        key: name.clone(),
                        value: keep_suffix(id, &value),
                    }
                },
            ),
            Err(reason) => Remedy {
                check: CheckId::ModelsPinned,
                why,
                action: Action::NotApplied { reason },
            },
        };
        // Another model of the tier, found in the account's list and probed.
        let newest = || {
            list().and_then(|_| {
                (evidence.answering)(&id.id)
                    .ok_or_else(|| "no other model of its tier answered".to_string())
            })
        };
        // The right form and prefix, refused all the same: another model of the tier.
        if refused && replaced_when_refused(config, pin) {
            remedies.push(replace(
                format!("{name} = {} is refused in {region}", id.raw),
                newest(),
            ));
            continue;
        }
        match &id.kind {
            ModelIdKind::FoundationModel if !mantle_only && answered != Some(true) => {
                let why = format!(
                    "{name} = {} is a foundation model, which Bedrock does not invoke on demand",
                    id.raw
                );
                let to = list().and_then(|l| profile_containing(l, &id.id, region));
                remedies.push(replace(why, to));
            }
            ModelIdKind::CrossRegionProfile { prefix } if !mantle_only => {
                if !matches!(prefix_fit(prefix, region), PrefixFit::Mismatch { .. }) {
                    continue;
                }
                let why = format!(
                    "{name} = {} is a {prefix}. profile, which cannot be called from {region}",
                    id.raw
                );
                let to = list().and_then(|l| {
                    let base = id.id.split_once('.').map(|(_, b)| b).unwrap_or(&id.id);
                    let home = default_prefix_for_region(region);
                    [format!("{home}.{base}"), format!("global.{base}")]
                        .into_iter()
                        .find(|candidate| l.find(candidate).is_some())
                        .ok_or_else(|| {
                            format!("the account lists no {home}. or global. profile of {base}")
                        })
                });
                remedies.push(replace(why, to));
            }
            ModelIdKind::MantleId
                if config.provider.bedrock.is_some() && config.provider.mantle.is_none() =>
            {
                let why = format!(
                    "{name} = {} is a Mantle model ID, but Claude Code calls the Invoke API",
                    id.raw
                );
                let to = list().and_then(|l| profile_containing(l, &id.id, region));
                remedies.push(replace(why, to));
            }
            ModelIdKind::CrossRegionProfile { .. } | ModelIdKind::FoundationModel
                if mantle_only =>
            {
                let why = format!(
                    "{name} = {} is an Invoke API ID, but Claude Code sends it to Mantle",
                    id.raw
                );
                let to = mantle_form(&id.id).ok_or_else(|| "no Mantle form is known for it".into());
                remedies.push(replace(why, to));
            }
            _ => {}
        }
    }
}

/// `[1m]` stays on a pin that had it, when the new model takes it.
fn keep_suffix(id: &ModelId, value: &str) -> String {
    let takes_1m = ModelId::parse(value).model.is_some_and(|m| m.supports_1m());
    if id.one_million_context && takes_1m && !value.ends_with("[1m]") {
        format!("{value}[1m]")
    } else {
        value.to_string()
    }
}

/// The listed profile that contains `model`, preferring the region's own prefix, then global.
fn profile_containing(list: &ProfileList, model: &str, region: &str) -> Result<String, String> {
    let home = format!("{}.", default_prefix_for_region(region));
    let bare = model.rsplit('/').next().unwrap_or(model);
    let mut containing: Vec<&str> = list
        .profiles
        .iter()
        .filter(|p| {
            !p.is_application()
                && (p.contains_model(bare) || mantle_form(&p.id).as_deref() == Some(bare))
        })
        .filter(|p| {
            let prefix = p.id.split('.').next().unwrap_or("");
            prefix_fit(prefix, region) == PrefixFit::Fits
        })
        .map(|p| p.id.as_str())
        .collect();
    containing.sort_by_key(|id| {
        (
            !id.starts_with(&home),
            !id.starts_with("global."),
            id.to_string(),
        )
    });
    containing
        .first()
        .map(std::string::ToString::to_string)
        .ok_or_else(|| {
            format!("the account lists no inference profile of {bare} callable from {region}")
        })
}

/// `awsAuthRefresh` where it can loop: removed (`aws sso login` by hand instead).
fn refresh_loop(config: &EffectiveConfig, evidence: &Evidence, remedies: &mut Vec<Remedy>) {
    if !failed(evidence.checks, CheckId::SsoRefreshLoop) {
        return;
    }
    let Some(refresh) = &config.keys.aws_auth_refresh else {
        return;
    };
    remedies.push(edit(
        CheckId::SsoRefreshLoop,
        "awsAuthRefresh can start the SSO login over and over on this network path; run `aws sso login` yourself before starting Claude Code".into(),
        &refresh.source,
        Change::RemoveKey {
            key: "awsAuthRefresh".into(),
        },
    ));
}

/// `env` values that are not strings: written as the text Claude Code reads them as.
fn non_string_values(config: &EffectiveConfig, remedies: &mut Vec<Remedy>) {
    for bad in &config.env.non_string {
        // null is not quoted: Claude Code sets the text "null", which is rarely what was meant
        // (to clear the shell's value?); what to write instead is asked of a person.
        if bad.json_type == "null" {
            continue;
        }
        remedies.push(edit(
            CheckId::SettingsFiles,
            format!(
                "env.{} is {}, not a string: Claude Code reads it as the text \"{}\"",
                bad.name,
                bad.json_type,
                crate::secret::display_value(&bad.name, &bad.applied_as)
            ),
            &bad.source,
            Change::QuoteEnv {
                name: bad.name.clone(),
            },
        ));
    }
}

/// Empty variables the installed client turns into requests Bedrock refuses (only those the
/// defect names; an empty value elsewhere may be meant): removed.
fn empty_variables(config: &EffectiveConfig, evidence: &Evidence, remedies: &mut Vec<Remedy>) {
    let Some(version) = evidence.client else {
        return;
    };
    let affected = super::defects::DEFECTS.iter().any(|d| {
        d.id == DefectId::EmptyVariableBreaksSigV4
            && d.affects(version)
            && (d.applies)(config).is_some()
    });
    if !affected {
        return;
    }
    for name in super::defects::EMPTY_BREAKS_SIGV4 {
        let Some(var) = config.env.var(name).filter(|var| var.value.is_empty()) else {
            continue;
        };
        remedies.push(edit(
            CheckId::ClientVersion,
            format!("{name} is empty: Claude Code {version} then signs requests Bedrock refuses"),
            &var.source,
            Change::RemoveEnv {
                name: name.to_string(),
            },
        ));
    }
}

/// `NODE_EXTRA_CA_CERTS` only in settings: Node reads it at start-up, from the shell.
fn node_ca_certs(config: &EffectiveConfig, remedies: &mut Vec<Remedy>) {
    let Some(var) = config.env.var("NODE_EXTRA_CA_CERTS") else {
        return;
    };
    if !matches!(var.source, Source::Settings { .. }) {
        return;
    }
    remedies.push(Remedy {
        check: CheckId::NetworkTls,
        why: "NODE_EXTRA_CA_CERTS in settings env is read too late: Node takes it from the shell at start-up".into(),
        action: Action::Command {
            line: format!(
                "export NODE_EXTRA_CA_CERTS={}   # in the shell profile that starts Claude Code",
                crate::secret::shell_quote(&var.value)
            ),
        },
    });
}
// ---- what applying them did ----

/// One settings file's planned edit, and the remedies it carries out.
pub struct FilePlan {
    pub plan: Plan,
    pub remedies: Vec<Remedy>,
}

/// What `--fix` did.
pub struct FixOutcome {
    pub before: Report,
    pub after: Option<Report>,
    pub files: Vec<FilePlan>,
    /// Lines the user runs themselves.
    pub commands: Vec<Remedy>,
    pub not_applied: Vec<Remedy>,
    pub applied: Vec<Applied>,
    pub status: FixStatus,
    /// The changes were already shown on the terminal, before the question.
    pub previewed: bool,
    /// The exit status of a signal that arrived during the writes (honoured after them).
    pub interrupted: Option<u8>,
    /// The report before the fixes was already printed, ahead of the question.
    pub report_shown: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixStatus {
    /// No file needed a change.
    Nothing,
    DryRun,
    Declined,
    Applied,
}

/// The checks the fixes were for, before and after.
pub fn rechecked(outcome: &FixOutcome) -> Vec<(String, Status, Status)> {
    let Some(after) = &outcome.after else {
        return Vec::new();
    };
    let mut ids: Vec<&str> = outcome
        .files
        .iter()
        .flat_map(|f| f.remedies.iter().map(|r| r.check.as_str()))
        .collect();
    ids.dedup();
    let status = |report: &Report, id: &str| {
        report
            .checks
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.status)
            .unwrap_or(Status::Skip)
    };
    let mut seen = Vec::new();
    for id in ids {
        if !seen
            .iter()
            .any(|(s, _, _): &(String, Status, Status)| s == id)
        {
            seen.push((
                id.to_string(),
                status(&outcome.before, id),
                status(after, id),
            ));
        }
    }
    seen
}
