//! When each defect bites: one named function per trigger, from the effective configuration
//! alone, and the helpers they share.

use crate::config::EffectiveConfig;
use crate::config::aws_files::ProfileKind;
use crate::config::credentials::CredentialSource;
use crate::config::models::{ModelIdKind, default_prefix_for_region};
use crate::config::region::{DEFAULT_REGION, RegionSource};
use crate::config::source::{Layer, Source};
use crate::report::Status;

use super::{EMPTY_BREAKS_SIGV4, Trigger};

pub(super) fn signs_with_sigv4(config: &EffectiveConfig) -> bool {
    !matches!(
        config.credentials.source,
        CredentialSource::BearerKey { .. } | CredentialSource::SkipAuth { .. }
    )
}

/// The pinned model IDs of a kind, each with the setting that names it.
pub(super) fn pins_of(config: &EffectiveConfig, wanted: fn(&ModelIdKind) -> bool) -> Vec<String> {
    config
        .models
        .iter()
        .filter(|m| m.role != "available" && wanted(&m.id.kind))
        .map(|m| format!("{} ({})", m.setting, config.describe(&m.source)))
        .collect()
}

pub(super) fn is_application_profile(kind: &ModelIdKind) -> bool {
    matches!(kind, ModelIdKind::ApplicationProfileArn { .. })
}

/// IDs outside Claude's naming: ARNs of application profiles, provisioned throughput, custom
/// models, gateway aliases.
/// A pinned model ID outside Claude's naming, which two defects trip over.
pub(super) fn non_standard_pin(config: &EffectiveConfig) -> Option<Trigger> {
    let pins = pins_of(config, is_non_standard);
    (!pins.is_empty()).then(|| {
        Trigger::new(
            Status::Fail,
            format!(
                "a model ID outside Claude's naming is pinned: {}",
                pins.join(", ")
            ),
            Some("pin a system inference profile ID (us.anthropic.claude-…) instead"),
        )
    })
}

pub(super) fn is_non_standard(kind: &ModelIdKind) -> bool {
    matches!(
        kind,
        ModelIdKind::ApplicationProfileArn { .. } | ModelIdKind::Unknown
    )
}

pub(super) fn sso_profile(config: &EffectiveConfig) -> Option<&str> {
    match &config.credentials.source {
        CredentialSource::Profile { name, kind } if kind.is_sso() => Some(name),
        _ => None,
    }
}

pub(super) fn any_tier_unpinned(config: &EffectiveConfig) -> bool {
    ["OPUS", "SONNET", "HAIKU"].iter().any(|tier| {
        config
            .env
            .get(&format!("ANTHROPIC_DEFAULT_{tier}_MODEL"))
            .is_none()
    })
}

pub(super) fn bedrock_base_url_set(config: &EffectiveConfig) -> Option<Trigger> {
    let (_, source) = config.env.get_with_source("ANTHROPIC_BEDROCK_BASE_URL")?;
    Some(Trigger::new(
        Status::Fail,
        format!(
            "ANTHROPIC_BEDROCK_BASE_URL is set ({})",
            config.describe(source)
        ),
        Some(
            "allow direct access to bedrock.<region>.amazonaws.com as well, or pin every tier so that no listing is needed",
        ),
    ))
}

pub(super) fn bearer_key_or_skip_auth(config: &EffectiveConfig) -> Option<Trigger> {
    match &config.credentials.source {
        CredentialSource::BearerKey { .. } => Some(Trigger::new(
            Status::Fail,
            "this configuration authenticates with a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)",
            None,
        )),
        CredentialSource::SkipAuth { source } => Some(Trigger::new(
            Status::Fail,
            format!(
                "CLAUDE_CODE_SKIP_BEDROCK_AUTH is set ({}): the gateway's own Authorization is lost the same way",
                config.describe(source)
            ),
            None,
        )),
        _ => None,
    }
}

pub(super) fn sigv4_with_an_empty_bearer_or_base_url(config: &EffectiveConfig) -> Option<Trigger> {
    if !signs_with_sigv4(config) {
        return None;
    }
    let empty: Vec<String> = EMPTY_BREAKS_SIGV4
        .iter()
        .filter_map(|name| {
            config
                .env
                .var(name)
                .filter(|var| var.value.is_empty())
                .map(|var| format!("{name} is set to \"\" ({})", config.describe(&var.source)))
        })
        .collect();
    (!empty.is_empty()).then(|| Trigger::new(
        Status::Fail,
        empty.join("; "),
        Some("remove the variable instead of setting it to an empty string (CI systems export unset inputs as \"\")"),
    ))
}

pub(super) fn sigv4_with_another_authorization(config: &EffectiveConfig) -> Option<Trigger> {
    if !signs_with_sigv4(config) {
        return None;
    }
    let mut sources = Vec::new();
    if let Some((_, source)) = config.env.get_with_source("ANTHROPIC_AUTH_TOKEN") {
        sources.push(format!(
            "ANTHROPIC_AUTH_TOKEN ({})",
            config.describe(source)
        ));
    }
    if let Some(helper) = &config.keys.api_key_helper {
        sources.push(format!(
            "apiKeyHelper ({})",
            config.describe(&helper.source)
        ));
    }
    if let Some((headers, source)) = config.env.get_with_source("ANTHROPIC_CUSTOM_HEADERS")
        && headers.lines().any(|line| {
            line.split_once(':')
                .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("authorization"))
        })
    {
        sources.push(format!(
            "an Authorization line in ANTHROPIC_CUSTOM_HEADERS ({})",
            config.describe(source)
        ));
    }
    (!sources.is_empty()).then(|| Trigger {
        status: Status::Fail,
        because: format!(
            "requests are signed with SigV4 and {} is set",
            sources.join(", ")
        ),
        workaround: Some(format!("remove {}", sources.join(" and "))),
    })
}

pub(super) fn no_proxy_beside_a_proxy(config: &EffectiveConfig) -> Option<Trigger> {
    let name = crate::net::proxy::NO_PROXY_VARS
        .into_iter()
        .find(|v| config.env.get(v).is_some())?;
    crate::net::proxy::PROXY_VARS
        .into_iter()
        .find(|v| config.env.get(v).is_some())?;
    Some(Trigger::new(
        Status::Warn,
        format!("{name} is set alongside a proxy"),
        Some("make the proxy reach the hosts in NO_PROXY too"),
    ))
}

pub(super) fn application_profile_pinned(config: &EffectiveConfig) -> Option<Trigger> {
    let pins = pins_of(config, is_application_profile);
    (!pins.is_empty()).then(|| {
        Trigger::new(
            Status::Fail,
            format!(
                "an application inference profile is pinned: {}",
                pins.join(", ")
            ),
            Some("pin the system inference profile ID of the same model instead"),
        )
    })
}

pub(super) fn no_proxy_only_in_managed_settings(config: &EffectiveConfig) -> Option<Trigger> {
    crate::net::proxy::NO_PROXY_VARS
        .into_iter()
        .find_map(|name| {
            let (_, source) = config.env.get_with_source(name)?;
            (source.layer() == Some(Layer::Managed)).then(|| {
                Trigger::new(
                    Status::Warn,
                    format!("{name} comes from {}", config.describe(source)),
                    Some("export NO_PROXY in the environment Claude Code starts in as well"),
                )
            })
        })
}

pub(super) fn application_profile_pinned_effort_lost(config: &EffectiveConfig) -> Option<Trigger> {
    let pins = pins_of(config, is_application_profile);
    (!pins.is_empty()).then(|| {
        Trigger::new(
            Status::Warn,
            format!(
                "an application inference profile is pinned: {}",
                pins.join(", ")
            ),
            None,
        )
    })
}

pub(super) fn a_tier_unpinned_outside_global_regions(config: &EffectiveConfig) -> Option<Trigger> {
    if !any_tier_unpinned(config) || default_prefix_for_region(&config.region.value) == "global" {
        return None;
    }
    Some(Trigger::new(
        Status::Warn,
        "a tier is not pinned, so Claude Code derives its model ID; global.* profiles may not be enabled (or are denied by policy)",
        Some("pin ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL to the region's profile IDs"),
    ))
}

pub(super) fn mantle_with_an_api_key(config: &EffectiveConfig) -> Option<Trigger> {
    (config.provider.mantle.is_some()
        && matches!(
            config.credentials.source,
            CredentialSource::BearerKey { .. }
        ))
    .then(|| {
        Trigger::new(
            Status::Fail,
            "Mantle is on and the configuration authenticates with a Bedrock API key",
            Some("sign Mantle requests with AWS credentials (a profile) instead of the API key"),
        )
    })
}

pub(super) fn prompt_caching_1h_on(config: &EffectiveConfig) -> Option<Trigger> {
    [
        "ENABLE_PROMPT_CACHING_1H",
        "ENABLE_PROMPT_CACHING_1H_BEDROCK",
    ]
    .iter()
    .find_map(|name| {
        let (value, source) = config.env.get_with_source(name)?;
        crate::config::env::is_truthy(value).then(|| {
            Trigger::new(
                Status::Fail,
                format!("{name} is set ({})", config.describe(source)),
                Some("unset it"),
            )
        })
    })
}

pub(super) fn credential_export_beside_other_credentials(
    config: &EffectiveConfig,
) -> Option<Trigger> {
    let export = config.keys.aws_credential_export.as_ref()?;
    let ambient = if config.env.get("AWS_ACCESS_KEY_ID").is_some() {
        Some("AWS_ACCESS_KEY_ID".to_string())
    } else if config.profile.explicit || config.profile.info.kind != ProfileKind::Missing {
        Some(format!("profile \"{}\"", config.profile.name))
    } else {
        None
    }?;
    Some(Trigger::new(
        Status::Warn,
        format!(
            "awsCredentialExport is set ({}) and {ambient} also supplies credentials",
            config.describe(&export.source)
        ),
        Some("keep only the export: no AWS_PROFILE or access keys in Claude Code's environment"),
    ))
}

pub(super) fn force_login_in_managed_settings(config: &EffectiveConfig) -> Option<Trigger> {
    ["forceLoginOrgUUID", "forceLoginMethod"]
        .iter()
        .find_map(|key| {
            let (_, source) = config.settings.top_level(key)?;
            matches!(
                source,
                Source::Settings {
                    layer: Layer::Managed,
                    ..
                }
            )
            .then(|| {
                Trigger::new(
                    Status::Fail,
                    format!("{key} is set in {}", config.describe(&source)),
                    Some("leave those keys out of the managed settings of Bedrock users"),
                )
            })
        })
}

pub(super) fn ci_set_without_api_key(config: &EffectiveConfig) -> Option<Trigger> {
    let (value, source) = config.env.get_with_source("CI")?;
    (crate::config::env::is_truthy(value) && config.env.get("ANTHROPIC_API_KEY").is_none()).then(
        || {
            Trigger::new(
                Status::Warn,
                format!("CI={value} ({})", config.describe(source)),
                Some("run `claude -p` with CI unset"),
            )
        },
    )
}

pub(super) fn region_from_aws_files(config: &EffectiveConfig) -> Option<Trigger> {
    let region = &config.region.value;
    if region == DEFAULT_REGION {
        return None;
    }
    let (status, from) = match &config.region.source {
        RegionSource::Profile { source } => (Status::Fail, config.describe(source)),
        RegionSource::Variable { name, origin } if *name == "AWS_DEFAULT_REGION" => (
            Status::Warn,
            format!("AWS_DEFAULT_REGION ({})", config.describe(origin)),
        ),
        _ => return None,
    };
    Some(Trigger {
        status,
        because: format!(
            "the region {region} comes from {from}; this version calls {DEFAULT_REGION} instead"
        ),
        workaround: Some(format!(
            "set AWS_REGION={region} in the env block of {}",
            config.tilde(&config.locations.user_file())
        )),
    })
}

pub(super) fn govcloud_with_a_tier_unpinned(config: &EffectiveConfig) -> Option<Trigger> {
    (config.region.value.starts_with("us-gov-") && any_tier_unpinned(config)).then(|| {
        Trigger::new(
            Status::Fail,
            format!(
                "the region is {} and a tier is not pinned",
                config.region.value
            ),
            Some("pin ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL to us-gov. profile IDs"),
        )
    })
}

pub(super) fn credential_export_printing_flat_json(config: &EffectiveConfig) -> Option<Trigger> {
    if !matches!(
        config.credentials.source,
        CredentialSource::CredentialExport { .. }
    ) {
        return None;
    }
    let export = config.keys.aws_credential_export.as_ref()?;
    // `aws configure export-credentials` prints the flat `process` format by default.
    let flat = export.value.contains("export-credentials")
        && !["env", "env-no-export", "powershell", "windows-cmd"]
            .iter()
            .any(|f| export.value.contains(&format!("--format {f}")));
    Some(Trigger {
        status: if flat { Status::Fail } else { Status::Warn },
        because: if flat {
            format!(
                "awsCredentialExport ({}) runs `aws configure export-credentials`, which prints the flat shape",
                config.describe(&export.source)
            )
        } else {
            format!(
                "awsCredentialExport ({}) must print the nested shape for this version",
                config.describe(&export.source)
            )
        },
        workaround: Some("make the command print {\"Credentials\":{\"AccessKeyId\":…,\"SecretAccessKey\":…,\"SessionToken\":…,\"Expiration\":…}} (e.g. pipe it through `jq '{Credentials: .}'`)".into()),
    })
}

pub(super) fn sso_credentials_every_request(config: &EffectiveConfig) -> Option<Trigger> {
    let name = sso_profile(config)?;
    Some(Trigger::new(
        Status::Warn,
        format!("profile \"{name}\" uses IAM Identity Center"),
        None,
    ))
}

pub(super) fn sso_region_overridden(config: &EffectiveConfig) -> Option<Trigger> {
    let name = sso_profile(config)?;
    let sso_region = config.profile.info.sso_region.as_deref()?;
    let region = &config.region.value;
    (sso_region != region).then(|| {
        Trigger::new(
            Status::Fail,
            format!(
                "profile \"{name}\" has sso_region {sso_region}, but Bedrock is called in {region}"
            ),
            None,
        )
    })
}

pub(super) fn model_overrides_bad_key(config: &EffectiveConfig) -> Option<Trigger> {
    let bad: Vec<&str> = config
        .keys
        .model_overrides
        .iter()
        .map(|(key, _)| key.as_str())
        .filter(|key| !key.starts_with("claude-"))
        .collect();
    (!bad.is_empty()).then(|| Trigger::new(
        Status::Warn,
        format!("modelOverrides has keys that are not Anthropic model IDs: {}", bad.join(", ")),
        Some("key modelOverrides by Anthropic model IDs (claude-opus-4-6, claude-sonnet-4-5-20250929)"),
    ))
}

pub(super) fn malformed_region_in_urls(config: &EffectiveConfig) -> Option<Trigger> {
    let ignored = config.region.ignored.first()?;
    Some(Trigger::new(
        Status::Fail,
        format!("{}: {}", ignored.step, ignored.reason),
        Some("fix or remove that value"),
    ))
}

pub(super) fn gateway_strips_content_type(config: &EffectiveConfig) -> Option<Trigger> {
    let (_, source) = config.env.get_with_source("ANTHROPIC_BEDROCK_BASE_URL")?;
    Some(Trigger::new(
        Status::Warn,
        format!(
            "requests go through a gateway (ANTHROPIC_BEDROCK_BASE_URL, {})",
            config.describe(source)
        ),
        Some("check that the gateway keeps Content-Type: application/vnd.amazon.eventstream"),
    ))
}

pub(super) fn auth_precheck_ignores_https_proxy(config: &EffectiveConfig) -> Option<Trigger> {
    let name = sso_profile(config)?;
    let refresh = config.keys.aws_auth_refresh.as_ref()?;
    let proxy = crate::net::proxy::PROXY_VARS
        .into_iter()
        .find(|v| config.env.get(v).is_some())?;
    Some(Trigger {
        status: Status::Fail,
        because: format!(
            "profile \"{name}\" uses IAM Identity Center, awsAuthRefresh is set ({}) and so is {proxy}",
            config.describe(&refresh.source)
        ),
        workaround: Some(format!(
            "remove awsAuthRefresh and run `aws sso login --profile {}` yourself before starting Claude Code",
            crate::secret::shell_quote(name)
        )),
    })
}

/// The variables a gateway in front of Bedrock or Mantle is made of.
const GATEWAY_URLS: [&str; 3] = [
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
    "ANTHROPIC_BASE_URL",
];
const SKIP_AUTH: [&str; 2] = [
    "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
    "CLAUDE_CODE_SKIP_MANTLE_AUTH",
];

pub(super) fn gateway_exported_in_the_shell(config: &EffectiveConfig) -> Option<Trigger> {
    let url = GATEWAY_URLS
        .into_iter()
        .find(|name| config.env.get(name).is_some())?;
    let skip = SKIP_AUTH
        .into_iter()
        .find(|name| config.env.is_truthy(name))?;
    let from_shell: Vec<&str> = [url, skip]
        .into_iter()
        .filter(|name| {
            config
                .env
                .var(name)
                .is_some_and(|v| v.source == Source::ProcessEnv)
        })
        .collect();
    (!from_shell.is_empty()).then(|| Trigger {
        status: Status::Warn,
        because: format!(
            "the gateway's {} {} exported in the shell only",
            from_shell.join(" and "),
            if from_shell.len() == 1 { "is" } else { "are" }
        ),
        workaround: Some(format!(
            "set {} in the \"env\" block of {} as well",
            from_shell.join(" and "),
            config.tilde(&config.locations.user_file())
        )),
    })
}

/// Whether a pinned model is Opus 5 (not 5.5).
fn opus_5_pins(config: &EffectiveConfig) -> Vec<String> {
    pins_of_model(config, |name| {
        name.family == crate::knowledge::Family::Opus && name.major == 5 && name.minor == 0
    })
}

fn pins_of_model(
    config: &EffectiveConfig,
    wanted: impl Fn(&crate::config::models::ModelName) -> bool,
) -> Vec<String> {
    config
        .models
        .iter()
        .filter(|m| m.role != "available" && m.id.model.as_ref().is_some_and(&wanted))
        .map(|m| format!("{} ({})", m.setting, config.describe(&m.source)))
        .collect()
}

pub(super) fn opus_5_high_effort_without_thinking(config: &EffectiveConfig) -> Option<Trigger> {
    let pins = opus_5_pins(config);
    if pins.is_empty() {
        return None;
    }
    let effort = match config.env.get_with_source("CLAUDE_CODE_EFFORT_LEVEL") {
        Some((value, source)) => Some((
            value.to_string(),
            format!("CLAUDE_CODE_EFFORT_LEVEL ({})", config.describe(source)),
        )),
        None => config
            .settings
            .top_level("effortLevel")
            .and_then(|(value, source)| {
                value.as_str().map(|v| {
                    (
                        v.to_string(),
                        format!("effortLevel ({})", config.describe(&source)),
                    )
                })
            }),
    }
    .filter(|(value, _)| matches!(value.trim().to_ascii_lowercase().as_str(), "xhigh" | "max"))?;
    let thinking_off = if config.env.is_truthy("CLAUDE_CODE_DISABLE_THINKING") {
        Some("CLAUDE_CODE_DISABLE_THINKING".to_string())
    } else if config.env.get("MAX_THINKING_TOKENS").map(str::trim) == Some("0") {
        Some("MAX_THINKING_TOKENS=0".to_string())
    } else {
        config
            .settings
            .top_level("alwaysThinkingEnabled")
            .filter(|(value, _)| value.as_bool() == Some(false))
            .map(|(_, source)| {
                format!(
                    "alwaysThinkingEnabled: false ({})",
                    config.describe(&source)
                )
            })
    }?;
    Some(Trigger {
        status: Status::Fail,
        because: format!(
            "Opus 5 is pinned ({}), the effort is {} by {} and thinking is off ({thinking_off})",
            pins.join(", "),
            effort.0,
            effort.1
        ),
        workaround: Some("set the effort to high, or turn thinking back on".into()),
    })
}

pub(super) fn proxy_without_extra_ca_certs(config: &EffectiveConfig) -> Option<Trigger> {
    let proxy = crate::net::proxy::PROXY_VARS
        .into_iter()
        .find(|v| config.env.get(v).is_some())?;
    // NODE_EXTRA_CA_CERTS is read when the process starts: only the environment's counts.
    if config
        .env
        .var("NODE_EXTRA_CA_CERTS")
        .is_some_and(|v| v.source == Source::ProcessEnv && !v.value.is_empty())
    {
        return None;
    }
    Some(Trigger::new(
        Status::Warn,
        format!(
            "requests go through a proxy ({proxy}) and NODE_EXTRA_CA_CERTS is not set in the environment: a proxy that inspects TLS with a root CA the operating system trusts breaks these calls"
        ),
        Some(
            "export NODE_EXTRA_CA_CERTS=<the proxy's root CA, a PEM file> in the shell that starts Claude Code",
        ),
    ))
}

pub(super) fn third_party_base_url_in_use(config: &EffectiveConfig) -> Option<Trigger> {
    let (url, source) = config.env.get_with_source("ANTHROPIC_BASE_URL")?;
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    // With a Bedrock switch on, requests go to Bedrock, not to ANTHROPIC_BASE_URL.
    if config.provider.any_bedrock() || host == "api.anthropic.com" {
        return None;
    }
    Some(Trigger::new(
        Status::Fail,
        format!(
            "requests go to ANTHROPIC_BASE_URL ({}), a third-party endpoint",
            config.describe(source)
        ),
        None,
    ))
}

pub(super) fn gateway_or_proxy_with_betas_on(config: &EffectiveConfig) -> Option<Trigger> {
    if config
        .env
        .is_truthy("CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS")
    {
        return None;
    }
    let through = GATEWAY_URLS
        .into_iter()
        .filter(|name| *name != "ANTHROPIC_BASE_URL" || !config.provider.any_bedrock())
        .chain(crate::net::proxy::PROXY_VARS)
        .find(|name| config.env.get(name).is_some())?;
    Some(Trigger::new(
        Status::Warn,
        format!("requests go through a gateway or proxy ({through})"),
        Some("set CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS=1 if it refuses beta headers"),
    ))
}

pub(super) fn one_million_pinned(config: &EffectiveConfig) -> Option<Trigger> {
    let pins = one_million_pins(config);
    (!pins.is_empty()).then(|| {
        Trigger::new(
            Status::Warn,
            format!("a 1M-context model is pinned: {}", pins.join(", ")),
            Some("drop the [1m] suffix where Bedrock or the gateway refuses the context-1m beta"),
        )
    })
}

/// The pins that ask for a 1M-token context (`[1m]`).
pub fn one_million_pins(config: &EffectiveConfig) -> Vec<String> {
    config
        .models
        .iter()
        .filter(|m| m.role != "available" && m.id.one_million_context)
        .map(|m| format!("{} ({})", m.setting, config.describe(&m.source)))
        .collect()
}

pub(super) fn main_loop_is_the_small_fast_model_spelled_otherwise(
    config: &EffectiveConfig,
) -> Option<Trigger> {
    use crate::doctor::facts::roles::{identity, model_targets};
    let region = config.small_fast_region()?;
    let (setting, small_fast) = [
        "ANTHROPIC_SMALL_FAST_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    ]
    .into_iter()
    .find_map(|name| {
        config
            .env
            .get(name)
            .map(|v| (name, crate::config::models::ModelId::parse(v)))
    })?;
    let main = model_targets(config, None).into_iter().next()?;
    if !main.pinned
        || identity(&main.id) != identity(&small_fast)
        || main.id.raw.trim() == small_fast.raw.trim()
    {
        return None;
    }
    Some(Trigger {
        status: Status::Fail,
        because: format!(
            "the main loop ({}) is the small/fast model ({setting} = {}) spelled otherwise, so its requests go to {region}",
            main.id.raw.trim(),
            small_fast.raw.trim()
        ),
        workaround: Some(format!(
            "spell the main-loop model exactly as {setting} ({})",
            small_fast.raw.trim()
        )),
    })
}
