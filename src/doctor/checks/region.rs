//! `region`: the region Claude Code will call, where it came from, and what disagrees with it.

use crate::config::EffectiveConfig;
use crate::config::models::partition_of;
use crate::config::region::{RegionKnown, RegionSource, is_region_shaped, known_region};
use crate::doctor::check_id::CheckId;
use crate::report::{CheckResult, Findings};

pub fn check(config: &EffectiveConfig) -> CheckResult {
    let mut findings = Findings::default();
    let region = &config.region;
    let user_settings = config.tilde(&config.locations.user_file());
    let set_region_fix = |value: &str| {
        format!(
            "Set \"AWS_REGION\": \"{value}\" in the \"env\" block of {user_settings} (or export AWS_REGION={value})."
        )
    };

    for ignored in &region.ignored {
        findings.warn(
            format!("{}: {}", ignored.step, ignored.reason),
            set_region_fix("us-east-1"),
        );
    }
    match &region.source {
        RegionSource::Flag if !is_region_shaped(&region.value) => {
            findings.fail(
                format!("--region \"{}\" is not a region code", region.value),
                "Pass a region code such as --region us-east-1.",
            );
        }
        RegionSource::Default => {
            findings.warn(
                format!(
                    "no region is configured, so Claude Code falls back to {}",
                    region.value
                ),
                set_region_fix(&region.value),
            );
        }
        RegionSource::Profile { .. } => findings.note(
            "Claude Code ≤ 2.1.171 reads no AWS files and would use us-east-1: set AWS_REGION if older versions are in use",
        ),
        _ => {}
    }
    // Only a value shaped like a region is judged here: one that is not was refused above.
    match known_region(&region.value) {
        RegionKnown::Unknown { nearest } => findings.fail(
            format!(
                "{} is not a region AWS has{}",
                region.value,
                did_you_mean(nearest)
            ),
            set_region_fix(nearest.unwrap_or("us-east-1")),
        ),
        RegionKnown::Later { nearest } => findings.warn(
            format!(
                "{} is not among the regions this claude-bedrock knows (did you mean {nearest}?); if AWS opened it recently, a newer claude-bedrock knows it",
                region.value
            ),
            set_region_fix(nearest),
        ),
        RegionKnown::Known | RegionKnown::NotShaped { .. } => {}
    }
    match partition_of(&region.value) {
        "aws-cn" => findings.warn(
            format!(
                "{} is a China region, where Anthropic models are not offered",
                region.value
            ),
            set_region_fix("us-east-1"),
        ),
        "aws-iso" => findings.warn(
            format!(
                "{} is an isolated region; Claude Code's defaults do not cover it",
                region.value
            ),
            "Pin models explicitly (ANTHROPIC_DEFAULT_*_MODEL) with IDs available there.",
        ),
        _ => {}
    }
    if let Some(cli) = &region.aws_cli.value
        && cli != &region.value
    {
        findings.warn(
            format!(
                "the aws CLI in this shell would use {cli} ({}), but Claude Code uses {}; what you test with `aws` is another region",
                region.aws_cli.source, region.value
            ),
            format!(
                "Pass --region {} to aws commands, or export AWS_DEFAULT_REGION={} as well (the aws CLI never reads AWS_REGION).",
                region.value, region.value
            ),
        );
    }
    if let Some((value, source)) = config
        .env
        .get_with_source("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION")
    {
        let where_ = config.describe(source);
        if !is_region_shaped(value) {
            findings.fail(
                format!("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION \"{value}\" ({where_}) is not a region code"),
                "Set it to a region code such as us-west-2, or remove it.",
            );
        } else if let RegionKnown::Unknown { nearest } = known_region(value) {
            findings.fail(
                format!(
                    "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION \"{value}\" ({where_}) is not a region AWS has{}",
                    did_you_mean(nearest)
                ),
                format!(
                    "Set it to {}, or remove it.",
                    nearest.unwrap_or("a region code such as us-west-2")
                ),
            );
        } else if config.env.get("ANTHROPIC_SMALL_FAST_MODEL").is_none()
            && config.env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL").is_none()
        {
            findings.warn(
                format!(
                    "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION={value} ({where_}) sends no request there: Claude Code uses it only with ANTHROPIC_SMALL_FAST_MODEL or ANTHROPIC_DEFAULT_HAIKU_MODEL set (it only moves its Haiku availability probe)"
                ),
                "Set ANTHROPIC_SMALL_FAST_MODEL (or ANTHROPIC_DEFAULT_HAIKU_MODEL) to the model for background work in that region, or remove ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION.",
            );
        } else if value != region.value {
            let targets = crate::doctor::facts::roles::model_targets(config, None);
            match targets.first().and_then(|main| main.small_fast.as_ref()) {
                Some(rule) => findings.note(format!(
                    "requests for the small/fast model ({}) are called in {value} ({where_}); the main loop stays in {}",
                    rule.model().raw,
                    region.value
                )),
                None => findings.warn(
                    format!(
                        "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION={value} ({where_}) sends no request there: the small/fast model is spelled as the main-loop model, and Claude Code then keeps every request in {}",
                        region.value
                    ),
                    "Remove ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION, or set ANTHROPIC_SMALL_FAST_MODEL to a model other than the main loop's.",
                ),
            }
        }
    }
    if let Some(var) = config.env.var("AWS_REGION")
        && !var.shadowed.is_empty()
    {
        for (source, value) in &var.shadowed {
            findings.note(format!(
                "AWS_REGION={value} from {} is overridden",
                config.describe(source)
            ));
        }
    }
    let (id, title) = CheckId::Region.pair();
    findings.into_result(
        id,
        title,
        format!(
            "{} from {}",
            region.value,
            region.source.describe(config.home())
        ),
    )
}

/// " (did you mean us-west-2?)", or nothing when no region is close.
fn did_you_mean(nearest: Option<&str>) -> String {
    nearest
        .map(|n| format!(" (did you mean {n}?)"))
        .unwrap_or_default()
}
