//! `provider`: is Bedrock (or Mantle) switched on, where from, and does anything conflict.

use crate::config::EffectiveConfig;
use crate::doctor::check_id::CheckId;
use crate::report::{CheckResult, Findings};

pub fn check(config: &EffectiveConfig) -> CheckResult {
    let mut findings = Findings::default();
    let provider = &config.provider;
    let user_settings = config.tilde(&config.locations.user_file());

    if !provider.any_bedrock() {
        let why = match config.env.var("CLAUDE_CODE_USE_BEDROCK") {
            Some(var) if var.value.is_empty() => format!(
                "CLAUDE_CODE_USE_BEDROCK is cancelled by an empty value in {}",
                config.describe(&var.source)
            ),
            Some(var) => format!(
                "CLAUDE_CODE_USE_BEDROCK is \"{}\" ({}), which is off",
                var.value,
                config.describe(&var.source)
            ),
            None => "neither CLAUDE_CODE_USE_BEDROCK nor CLAUDE_CODE_USE_MANTLE is set".into(),
        };
        findings.fail(
            format!("Claude Code will not use Bedrock: {why}"),
            format!(
                "Run `claude-bedrock setup`, or add \"CLAUDE_CODE_USE_BEDROCK\": \"1\" to the \"env\" block of {user_settings}."
            ),
        );
    }
    if let Some(source) = &provider.managed_by_host {
        findings.warn(
            format!(
                "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST is set ({}): Claude Code ignores its provider, endpoint and auth variables and lets the host decide",
                config.describe(source)
            ),
            "Unset CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST unless the program that launches Claude Code configures Bedrock itself.",
        );
    }
    for (name, source) in &provider.others {
        if provider.any_bedrock() {
            findings.warn(
                format!(
                    "{name} is also on ({}); Claude Code uses only one provider",
                    config.describe(source)
                ),
                format!("Remove {name} so that Bedrock is the only provider switched on."),
            );
        }
    }
    for name in ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"] {
        if let Some((_, source)) = config.env.get_with_source(name)
            && provider.any_bedrock()
        {
            findings.note(format!(
                "{name} is set ({}) but has no effect while Bedrock is on",
                config.describe(source)
            ));
        }
    }
    let mut on = Vec::new();
    if let Some(source) = &provider.bedrock {
        on.push(format!(
            "Bedrock Invoke API on (CLAUDE_CODE_USE_BEDROCK, {})",
            config.describe(source)
        ));
    }
    if let Some(source) = &provider.mantle {
        on.push(format!(
            "Bedrock Mantle on (CLAUDE_CODE_USE_MANTLE, {})",
            config.describe(source)
        ));
    }
    if provider.bedrock.is_some() && provider.mantle.is_some() {
        findings.note("both are on: Mantle-format model IDs (anthropic.…) go to Mantle, all others to the Invoke API");
    }
    let (id, title) = CheckId::Provider.pair();
    findings.into_result(id, title, on.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::defects::tests::config;
    use crate::report::Status;

    #[test]
    fn the_gateway_and_google_cloud_switches_conflict_with_bedrock() {
        for switch in [
            "CLAUDE_CODE_USE_GATEWAY",
            "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD",
        ] {
            let config = config(
                &[
                    ("CLAUDE_CODE_USE_BEDROCK", "1"),
                    ("AWS_REGION", "us-east-1"),
                    (switch, "1"),
                ],
                "",
            );
            let result = check(&config);
            assert_eq!(result.status, Status::Warn, "{switch}");
            assert!(
                result
                    .summary
                    .starts_with(&format!("{switch} is also on (process env)")),
                "{}",
                result.summary
            );
            assert_eq!(
                result.fix.as_deref(),
                Some(
                    format!("Remove {switch} so that Bedrock is the only provider switched on.")
                        .as_str()
                )
            );
            assert_eq!(config.provider.expected_api_provider(), Some("bedrock"));
        }
        let alone = config(&[("CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD", "1")], "");
        assert_eq!(
            alone.provider.expected_api_provider(),
            Some("anthropicGoogleCloud")
        );
        let gateway = config(&[("CLAUDE_CODE_USE_GATEWAY", "1")], "");
        assert_eq!(gateway.provider.expected_api_provider(), Some("firstParty"));
    }
}
