//! `models.pinned`: every model ID in the configuration, classified, and checked against the
//! region and the provider it will be sent to.

use crate::config::models::{
    ModelIdKind, PrefixFit, default_prefix_for_region, mantle_form, partition_of, prefix_fit,
    profile_form,
};
use crate::config::{EffectiveConfig, PinnedModel, model_policy};
use crate::doctor::check_id::CheckId;
use crate::report::{CheckResult, Findings};

pub fn check(config: &EffectiveConfig) -> CheckResult {
    let mut findings = Findings::default();
    let region = config.region.value.as_str();
    let bedrock_on = config.provider.bedrock.is_some();
    let mantle_on = config.provider.mantle.is_some();
    let prefix = config
        .env
        .get("ANTHROPIC_BEDROCK_REGION_PREFIX")
        .unwrap_or_else(|| default_prefix_for_region(region));

    if let Some((value, source)) = config
        .env
        .get_with_source("ANTHROPIC_BEDROCK_REGION_PREFIX")
        && !["us", "eu", "apac", "jp", "au", "global", "us-gov"].contains(&value)
    {
        findings.fail(
            format!(
                "ANTHROPIC_BEDROCK_REGION_PREFIX \"{value}\" ({}) is not a cross-region prefix",
                config.describe(source)
            ),
            "Use one of us, eu, apac, jp, au, global.",
        );
    }

    let tiers_pinned = [
        "ANTHROPIC_DEFAULT_OPUS_MODEL",
        "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    ]
    .iter()
    .filter(|name| config.env.get(name).is_some())
    .count();
    if config.models.is_empty() {
        findings.warn(
            "no models are pinned: Claude Code uses its built-in defaults, which change when new models are released and may not be enabled in this account",
            "Run `claude-bedrock setup` to pin working models, or set ANTHROPIC_DEFAULT_OPUS_MODEL, ANTHROPIC_DEFAULT_SONNET_MODEL and ANTHROPIC_DEFAULT_HAIKU_MODEL.",
        );
    } else if tiers_pinned < 3 && config.models.iter().any(|m| m.role != "available") {
        findings.note(format!(
            "{tiers_pinned} of 3 tiers pinned (ANTHROPIC_DEFAULT_{{OPUS,SONNET,HAIKU}}_MODEL); the others use Claude Code's defaults"
        ));
    }

    for pinned in &config.models {
        findings.note(format!(
            "{} = {} — {}{} ({})",
            pinned.setting,
            pinned.id.raw,
            pinned.id.kind.label(),
            pinned
                .id
                .model
                .map(|m| format!(", {}", m.display()))
                .unwrap_or_default(),
            config.describe(&pinned.source)
        ));
        check_one(
            config,
            pinned,
            region,
            prefix,
            bedrock_on,
            mantle_on,
            &mut findings,
        );
    }
    model_policy(config, &mut findings);
    if let Some((_, source)) = config.env.get_with_source("ANTHROPIC_SMALL_FAST_MODEL") {
        findings.note(format!(
            "ANTHROPIC_SMALL_FAST_MODEL ({}) is deprecated in favour of ANTHROPIC_DEFAULT_HAIKU_MODEL",
            config.describe(source)
        ));
    }
    let count = config.models.len();
    let summary = match count {
        0 => String::new(),
        1 => format!("1 model ID, consistent with {region}"),
        n => format!("{n} model IDs, all consistent with {region}"),
    };
    let (id, title) = CheckId::ModelsPinned.pair();
    findings.into_result(id, title, summary)
}

fn check_one(
    config: &EffectiveConfig,
    pinned: &PinnedModel,
    region: &str,
    default_prefix: &str,
    bedrock_on: bool,
    mantle_on: bool,
    findings: &mut Findings,
) {
    let id = &pinned.id;
    let setting = &pinned.setting;
    let where_ = config.describe(&pinned.source);
    let listing = pinned.role == "available";
    // The Haiku-class model may be called in its own region.
    let region = if pinned.role == "haiku" {
        config
            .env
            .get("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION")
            .unwrap_or(region)
    } else {
        region
    };
    match &id.kind {
        ModelIdKind::TooLong { length } => findings.fail(
            format!(
                "{setting} ({where_}) is {length} characters long: no Bedrock model identifier is longer than {}; it is not sent",
                crate::config::models::MAX_MODEL_ID_LEN
            ),
            format!("Set {setting} to an inference profile ID; `claude-bedrock models` lists the ones this account has."),
        ),
        ModelIdKind::Unknown => findings.fail(
            format!("{setting} = \"{}\" ({where_}) is not a Bedrock model identifier", id.raw),
            format!(
                "Use an inference profile ID such as {default_prefix}.anthropic.claude-sonnet-4-6; `claude-bedrock models` lists the ones this account has."
            ),
        ),
        ModelIdKind::Alias if !listing => findings.warn(
            format!("{setting} = \"{}\" is an alias, not a pin: Claude Code resolves it to its current default", id.raw),
            format!("Set {setting} to a specific inference profile ID; `claude-bedrock models` lists them."),
        ),
        ModelIdKind::AnthropicApiId if !listing => findings.fail(
            format!("{setting} = \"{}\" is an Anthropic API model name; Bedrock does not know it", id.raw),
            format!(
                "Use the Bedrock inference profile ID, e.g. {default_prefix}.anthropic.{}; `claude-bedrock models` lists them.",
                id.id
            ),
        ),
        ModelIdKind::FoundationModel => {
            let suggestion = profile_form(&id.id, default_prefix).unwrap_or_default();
            findings.warn(
                format!(
                    "{setting} = {} is a foundation-model ID: current Claude models reject on-demand invocation (\"on-demand throughput isn’t supported\")",
                    id.id
                ),
                format!("Use the inference profile ID {suggestion} instead."),
            );
            // The same problem the live call meets, told once.
            findings.caused_by(format!("aws.on-demand-unsupported:{}", id.id));
        }
        // `anthropic.claude-sonnet-4-6` is a foundation model on the Invoke API (refused on
        // demand) and a model on Mantle: the inference profile leads, Mantle is the other way.
        ModelIdKind::MantleId if !mantle_on => match profile_form(&id.id, default_prefix) {
            Some(suggestion) => {
                findings.fail(
                    format!(
                        "{setting} = {} is a foundation-model ID with no inference profile: the Invoke API refuses it on demand",
                        id.id
                    ),
                    format!("Use the inference profile ID {suggestion} instead (`claude-bedrock models` lists the exact IDs); or, to send this ID to Mantle, set CLAUDE_CODE_USE_MANTLE=1."),
                );
                findings.caused_by(format!("aws.on-demand-unsupported:{}", id.id));
            }
            None => findings.fail(
                format!(
                    "{setting} = {} is a Mantle model ID, but Mantle is off (CLAUDE_CODE_USE_MANTLE); the Invoke API will reject it",
                    id.id
                ),
                "Set CLAUDE_CODE_USE_MANTLE=1, or pin an inference profile ID for the Invoke API (`claude-bedrock models` lists them).".to_string(),
            ),
        },
        ModelIdKind::CrossRegionProfile { .. }
        | ModelIdKind::SystemProfileArn { .. }
        | ModelIdKind::ApplicationProfileArn { .. }
        | ModelIdKind::FoundationModelArn { .. }
            if mantle_on && !bedrock_on =>
        {
            let suggestion = mantle_form(&id.id)
                .map(|m| format!("Use the Mantle ID {m}, or also set CLAUDE_CODE_USE_BEDROCK=1 so that this ID goes to the Invoke API."))
                .unwrap_or_else(|| "Use a Mantle ID (anthropic.<model>), or also set CLAUDE_CODE_USE_BEDROCK=1.".into());
            findings.fail(
                format!("{setting} = {} is an Invoke API ID, but only Mantle is on; Mantle answers 400 for it", id.id),
                suggestion,
            );
        }
        _ => {}
    }
    if let Some(prefix) = id.prefix() {
        match prefix_fit(prefix, region) {
            PrefixFit::Fits => {}
            PrefixFit::Mismatch { expected } => {
                let suggestion = expected
                    .iter()
                    .filter_map(|p| profile_form(&id.id, p))
                    .collect::<Vec<_>>()
                    .join(" or ");
                findings.fail(
                    format!(
                        "{setting} = {} is a {prefix}. profile, which cannot be called from {region}",
                        id.id
                    ),
                    format!("Use {suggestion}, or change the region."),
                );
                findings.caused_by(format!("config.profile-region:{}", id.id));
            }
            PrefixFit::Uncertain { expected } => findings.warn(
                format!(
                    "{setting} = {}: a {prefix}. profile may not be callable from {region} (expected {})",
                    id.id,
                    expected.join(", ")
                ),
                "`claude-bedrock models` lists the profiles this region offers.".to_string(),
            ),
        }
    }
    match &id.kind {
        ModelIdKind::ApplicationProfileArn {
            partition,
            region: arn_region,
            ..
        }
        | ModelIdKind::SystemProfileArn {
            partition,
            region: arn_region,
            ..
        }
        | ModelIdKind::FoundationModelArn {
            partition,
            region: arn_region,
        } => {
            if arn_region != region {
                findings.fail(
                    format!("{setting}: the ARN is in {arn_region} but Claude Code calls {region}"),
                    format!("Set AWS_REGION={arn_region}, or use a profile ARN from {region}."),
                );
            }
            if partition != partition_of(region) {
                findings.fail(
                    format!(
                        "{setting}: the ARN is in partition {partition}, but {region} is in {}",
                        partition_of(region)
                    ),
                    "Use an ARN from the partition of the configured region.",
                );
            }
        }
        _ => {}
    }
    if id.one_million_context
        && let Some(model) = id.model
        && !model.supports_1m()
    {
        findings.warn(
            format!(
                "{setting} asks for 1M context ([1m]) but {} does not offer it",
                model.display()
            ),
            format!("Remove [1m] from {setting}."),
        );
    }
}

/// The roles whose pins the managed allowlist restricts: the client leaves the Haiku
/// background models alone (`deniedModels` still covers them).
const ALLOWLISTED_ROLES: &[&str] = &["primary", "opus", "sonnet", "subagent"];

/// Pins the managed model policy refuses (≥ 2.1.283): `deniedModels`, and `availableModels`
/// matched as `availableModelsMatch` says.
fn model_policy(config: &EffectiveConfig, findings: &mut Findings) {
    let keys = &config.keys;
    let exact = keys
        .available_models_match
        .as_ref()
        .is_some_and(|m| m.value == "exact");
    for pinned in config
        .models
        .iter()
        .filter(|m| !matches!(m.role, "available" | "override"))
    {
        let setting = &pinned.setting;
        let where_ = config.describe(&pinned.source);
        if let Some(denied) = keys
            .denied_models
            .iter()
            .find(|d| model_policy::denies(&d.value, &pinned.id))
        {
            findings.warn(
                format!(
                    "{setting} = {} ({where_}) is denied by the managed policy: deniedModels has \"{}\" ({}); Claude Code says so as it starts and uses the next model the policy allows instead",
                    pinned.id.raw,
                    denied.value,
                    config.describe(&denied.source)
                ),
                format!(
                    "Pin a model the policy allows in {setting} ({where_}); `claude-bedrock models` lists this account's models. If you need this one, ask the administrator of {} to take \"{}\" out of deniedModels.",
                    config.tilde(denied.source.path().unwrap_or(std::path::Path::new("the managed settings"))),
                    denied.value
                ),
            );
            findings.caused_by(format!("policy-denied:{}", pinned.id.raw));
            continue;
        }
        if keys.available_models.is_empty()
            || !ALLOWLISTED_ROLES.contains(&pinned.role)
            || keys
                .available_models
                .iter()
                .any(|a| model_policy::allows(&a.value, &pinned.id, exact))
        {
            continue;
        }
        let Some(first) = keys.available_models.first() else {
            continue;
        };
        let from_managed = first.source.layer() == Some(crate::config::source::Layer::Managed);
        let listed: Vec<&str> = keys
            .available_models
            .iter()
            .map(|a| a.value.as_str())
            .collect();
        let how = if exact {
            "matched exactly (availableModelsMatch: \"exact\")"
        } else {
            "matched by prefix"
        };
        findings.warn(
            format!(
                "{setting} = {} ({where_}) is not in availableModels ({}, {how}): Claude Code says so as it starts and uses an allowed model instead",
                pinned.id.raw,
                listed.join(", ")
            ),
            if from_managed {
                format!(
                    "Pin one of the allowed models in {setting} ({where_}), or ask the administrator of {} to list this one in availableModels.",
                    config.tilde(first.source.path().unwrap_or(std::path::Path::new("the managed settings")))
                )
            } else {
                format!(
                    "Pin one of the allowed models in {setting} ({where_}), or add it to availableModels in {}.",
                    config.describe(&first.source)
                )
            },
        );
        findings.caused_by(format!("policy-not-allowed:{}", pinned.id.raw));
    }
    for denied in keys.denied_models.iter().filter(|d| {
        config
            .models
            .iter()
            .all(|m| !model_policy::denies(&d.value, &m.id))
    }) {
        findings.note(format!(
            "deniedModels has \"{}\" ({}): no model of this configuration is denied by it",
            denied.value,
            config.describe(&denied.source)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::defects::tests::with_files;
    use crate::report::Status;

    const ENV: [(&str, &str); 5] = [
        ("CLAUDE_CODE_USE_BEDROCK", "1"),
        ("AWS_REGION", "us-east-1"),
        ("ANTHROPIC_MODEL", "global.anthropic.claude-opus-5-5"),
        (
            "ANTHROPIC_DEFAULT_SONNET_MODEL",
            "us.anthropic.claude-sonnet-4-6",
        ),
        (
            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        ),
    ];

    fn managed(policy: &str) -> CheckResult {
        check(&with_files(
            &ENV,
            &[("managed/managed-settings.json", policy)],
        ))
    }

    /// The problems and the fix, without the notes that list every pin.
    fn failures(result: &CheckResult) -> String {
        let problems: Vec<&str> = result
            .details
            .iter()
            .filter(|d| d.level != crate::report::Level::Note)
            .map(|d| d.text.as_str())
            .collect();
        format!("{} {problems:?} {:?}", result.summary, result.fix)
    }

    #[test]
    fn a_pin_the_managed_policy_denies_warns_with_the_fix() {
        // Claude Code steps down to a model the policy allows and works (seen on 2.1.337): a
        // warning, not a failure.
        let result = managed(r#"{"deniedModels":["claude-opus-5"]}"#);
        assert_eq!(result.status, Status::Warn, "{}", failures(&result));
        assert!(
            result.summary.starts_with(
                "ANTHROPIC_MODEL = global.anthropic.claude-opus-5-5 (process env) is denied by the managed policy: deniedModels has \"claude-opus-5\""
            ),
            "{}",
            failures(&result)
        );
        let fix = result.fix.unwrap();
        assert!(
            fix.starts_with("Pin a model the policy allows in ANTHROPIC_MODEL"),
            "{fix}"
        );
        assert!(
            fix.contains("take \"claude-opus-5\" out of deniedModels"),
            "{fix}"
        );

        // Opus 5.5 denied, by version, leaves Opus 5 alone; the Haiku background model is
        // covered by deniedModels too.
        let result = managed(r#"{"deniedModels":["claude-opus-5-5","claude-haiku-4-5"]}"#);
        let text = failures(&result);
        assert!(
            text.contains("ANTHROPIC_MODEL = global.anthropic.claude-opus-5-5"),
            "{text}"
        );
        assert!(text.contains("ANTHROPIC_DEFAULT_HAIKU_MODEL"), "{text}");
        assert!(
            !text.contains("ANTHROPIC_DEFAULT_SONNET_MODEL = us"),
            "{text}"
        );

        assert_eq!(
            managed(r#"{"deniedModels":["claude-opus-4-6"]}"#).status,
            Status::Pass
        );
    }

    #[test]
    fn denied_models_outside_managed_settings_do_nothing() {
        let config = with_files(
            &ENV,
            &[(".claude/settings.json", r#"{"deniedModels":["opus"]}"#)],
        );
        assert!(config.keys.denied_models.is_empty());
        assert_eq!(check(&config).status, Status::Pass);
    }

    #[test]
    fn available_models_match_exact_stops_a_version_prefix_from_allowing_later_ones() {
        let prefix = managed(r#"{"availableModels":["claude-opus-5","sonnet","haiku"]}"#);
        assert_eq!(prefix.status, Status::Pass, "{}", failures(&prefix));
        let exact = managed(
            r#"{"availableModels":["claude-opus-5","sonnet"],"availableModelsMatch":"exact"}"#,
        );
        assert_eq!(exact.status, Status::Warn, "{}", failures(&exact));
        assert!(
            exact.summary.contains("is not in availableModels (claude-opus-5, sonnet, matched exactly (availableModelsMatch: \"exact\"))"),
            "{}",
            failures(&exact)
        );
        assert!(
            !failures(&exact).contains("ANTHROPIC_DEFAULT_HAIKU_MODEL = us"),
            "the Haiku background model is not restricted by the allowlist"
        );
        assert!(
            exact
                .fix
                .unwrap()
                .contains("to list this one in availableModels")
        );
    }
}
