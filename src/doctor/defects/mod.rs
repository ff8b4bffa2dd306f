//! Known defects of Claude Code versions that only bite particular configurations, and the
//! minimum version each model needs. Every entry names its source — the changelog version
//! whose entry fixed it (`anthropics/claude-code` `CHANGELOG.md`), an issue, or the errors
//! documentation — and has a test of its range and its trigger.

mod id;
mod triggers;

use crate::config::EffectiveConfig;
use crate::report::Status;

pub use crate::knowledge::Version;
pub use id::DefectId;
pub use triggers::one_million_pins;
use triggers::*;

/// One known client defect: the versions it affects and when it bites.
pub struct Defect {
    pub id: DefectId,
    pub title: &'static str,
    /// The first affected version; `None`: every earlier version.
    pub since: Option<Version>,
    /// The first version without it.
    pub fixed_in: Version,
    /// Where this is known from: `CHANGELOG 2.1.96`, an issue, a documentation page.
    pub source: &'static str,
    /// `Some(finding)` when this configuration triggers it.
    pub applies: fn(&EffectiveConfig) -> Option<Trigger>,
}

impl Defect {
    pub fn affects(&self, version: Version) -> bool {
        version < self.fixed_in && self.since.is_none_or(|since| version >= since)
    }
}

/// How a defect shows in this configuration.
pub struct Trigger {
    pub status: Status,
    /// Why it applies here.
    pub because: String,
    /// A workaround that keeps this version, if there is one.
    pub workaround: Option<String>,
}

impl Trigger {
    fn new(status: Status, because: impl Into<String>, workaround: Option<&str>) -> Trigger {
        Trigger {
            status,
            because: because.into(),
            workaround: workaround.map(str::to_string),
        }
    }
}

pub const UPGRADE: &str = "`claude update`, or `npm install -g @anthropic-ai/claude-code@latest`";

/// The variables whose empty value makes clients before 2.1.97 sign requests Bedrock refuses.
pub const EMPTY_BREAKS_SIGV4: [&str; 2] =
    ["AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_BEDROCK_BASE_URL"];

/// Every known defect, oldest fix first.
pub const DEFECTS: &[Defect] = &[
    Defect {
        id: DefectId::BaseUrlIgnoredForControlPlane,
        title: "sends ListInferenceProfiles and token counting to the public AWS endpoint although ANTHROPIC_BEDROCK_BASE_URL is set",
        since: None,
        fixed_in: Version(2, 0, 71),
        source: "CHANGELOG 2.0.71",
        applies: bedrock_base_url_set,
    },
    Defect {
        id: DefectId::EffortOnCustomModelIds,
        title: "sends the effort parameter to model IDs outside Claude's naming (application profile ARNs, custom models): Bedrock answers 400 \"This model does not support the effort parameter\"",
        since: None,
        fixed_in: Version(2, 1, 70),
        source: "CHANGELOG 2.1.70",
        applies: non_standard_pin,
    },
    Defect {
        id: DefectId::AdaptiveThinkingOnCustomModelIds,
        title: "fails with \"adaptive thinking is not supported on this model\" on model strings outside Claude's naming",
        since: None,
        fixed_in: Version(2, 1, 76),
        source: "CHANGELOG 2.1.76",
        applies: non_standard_pin,
    },
    Defect {
        id: DefectId::BearerDroppedOnInvoke,
        title: "drops the Authorization header on invoke calls with a Bedrock API key or CLAUDE_CODE_SKIP_BEDROCK_AUTH: model calls answer 403 \"Authorization header is missing\"",
        since: Some(Version(2, 1, 94)),
        fixed_in: Version(2, 1, 96),
        source: "CHANGELOG 2.1.96 (regression in 2.1.94); anthropics/claude-code#45000",
        applies: bearer_key_or_skip_auth,
    },
    Defect {
        id: DefectId::EmptyVariableBreaksSigV4,
        title: "fails to sign requests when AWS_BEARER_TOKEN_BEDROCK or ANTHROPIC_BEDROCK_BASE_URL is an empty string",
        since: None,
        fixed_in: Version(2, 1, 97),
        source: "CHANGELOG 2.1.97",
        applies: sigv4_with_an_empty_bearer_or_base_url,
    },
    Defect {
        id: DefectId::SigV4SecondAuthorization,
        title: "sends a second Authorization header with SigV4 when ANTHROPIC_AUTH_TOKEN, apiKeyHelper or an Authorization in ANTHROPIC_CUSTOM_HEADERS is set: Bedrock answers 403",
        since: None,
        fixed_in: Version(2, 1, 101),
        source: "CHANGELOG 2.1.101",
        applies: sigv4_with_another_authorization,
    },
    Defect {
        id: DefectId::NoProxyIgnoredNative,
        title: "does not honour NO_PROXY for API requests in the native build: hosts listed there still go through the proxy",
        since: None,
        fixed_in: Version(2, 1, 117),
        source: "CHANGELOG 2.1.117",
        applies: no_proxy_beside_a_proxy,
    },
    Defect {
        id: DefectId::ThinkingOnApplicationProfiles,
        title: "fails with \"thinking.type.enabled is not supported\" on application inference profile ARNs",
        since: None,
        fixed_in: Version(2, 1, 121),
        source: "CHANGELOG 2.1.121 (Opus 4.7: 2.1.113, 2.1.117)",
        applies: application_profile_pinned,
    },
    Defect {
        id: DefectId::NoProxyInManagedSettings,
        title: "ignores NO_PROXY set only in managed settings (native build)",
        since: None,
        fixed_in: Version(2, 1, 121),
        source: "CHANGELOG 2.1.121",
        applies: no_proxy_only_in_managed_settings,
    },
    Defect {
        id: DefectId::NoEffortOnApplicationProfiles,
        title: "never sends the effort setting to application inference profile ARNs (the feature is silently off)",
        since: None,
        fixed_in: Version(2, 1, 122),
        source: "CHANGELOG 2.1.122",
        applies: application_profile_pinned_effort_lost,
    },
    Defect {
        id: DefectId::DefaultModelGlobalPrefix,
        title: "resolves the built-in default models to global.* instead of the region's prefix",
        since: None,
        fixed_in: Version(2, 1, 128),
        source: "CHANGELOG 2.1.128",
        applies: a_tier_unpinned_outside_global_regions,
    },
    Defect {
        id: DefectId::MantleMissingXApiKey,
        title: "fails Mantle authentication with a Bedrock API key (\"missing x-api-key header\")",
        since: Some(Version(2, 1, 94)),
        fixed_in: Version(2, 1, 131),
        source: "CHANGELOG 2.1.131 (Mantle since 2.1.94)",
        applies: mantle_with_an_api_key,
    },
    Defect {
        id: DefectId::PromptCaching1h400,
        title: "gets 400 from Bedrock when ENABLE_PROMPT_CACHING_1H is set",
        since: Some(Version(2, 1, 108)),
        fixed_in: Version(2, 1, 132),
        source: "CHANGELOG 2.1.132 (variable added 2.1.108)",
        applies: prompt_caching_1h_on,
    },
    Defect {
        id: DefectId::CredentialExportSkipped,
        title: "skips awsCredentialExport when other AWS credentials resolve, and uses those instead (often another account)",
        since: None,
        fixed_in: Version(2, 1, 141),
        source: "CHANGELOG 2.1.141",
        applies: credential_export_beside_other_credentials,
    },
    Defect {
        id: DefectId::ForceLoginBlocksThirdParty,
        title: "blocks Bedrock and Mantle sessions when managed settings set forceLoginOrgUUID or forceLoginMethod",
        since: Some(Version(2, 1, 146)),
        fixed_in: Version(2, 1, 161),
        source: "CHANGELOG 2.1.161 (regression in 2.1.146)",
        applies: force_login_in_managed_settings,
    },
    Defect {
        id: DefectId::CiRequiresApiKey,
        title: "`claude -p` fails with \"ANTHROPIC_API_KEY required\" on Bedrock when CI=true",
        since: None,
        fixed_in: Version(2, 1, 163),
        source: "CHANGELOG 2.1.163",
        applies: ci_set_without_api_key,
    },
    Defect {
        id: DefectId::NoAwsFiles,
        title: "reads no AWS config or credentials file (and, by its documentation, only AWS_REGION), so a region set elsewhere is ignored (it calls us-east-1)",
        since: None,
        fixed_in: Version(2, 1, 172),
        source: "CHANGELOG 2.1.172; amazon-bedrock docs (\"On v2.1.171 and earlier … set AWS_REGION explicitly\")",
        applies: region_from_aws_files,
    },
    Defect {
        id: DefectId::GovcloudPrefix,
        title: "derives the global. prefix instead of us-gov. for GovCloud regions: derived model IDs answer 400",
        since: None,
        fixed_in: Version(2, 1, 174),
        source: "CHANGELOG 2.1.174",
        applies: govcloud_with_a_tier_unpinned,
    },
    Defect {
        id: DefectId::FlatCredentialExport,
        title: "accepts awsCredentialExport output only in the nested {\"Credentials\":{…}} shape, not the flat one",
        since: None,
        fixed_in: Version(2, 1, 181),
        source: "CHANGELOG 2.1.181",
        applies: credential_export_printing_flat_json,
    },
    Defect {
        id: DefectId::SsoCredentialsEveryRequest,
        title: "asks IAM Identity Center for fresh credentials on every API request (throttling, latency)",
        since: None,
        fixed_in: Version(2, 1, 207),
        source: "CHANGELOG 2.1.207",
        applies: sso_credentials_every_request,
    },
    Defect {
        id: DefectId::SsoRegionOverridden,
        title: "signs in to IAM Identity Center in the Bedrock region instead of the profile's sso_region (\"Session token not found or invalid\")",
        since: Some(Version(2, 1, 207)),
        fixed_in: Version(2, 1, 208),
        source: "CHANGELOG 2.1.208 (2.1.207 regression)",
        applies: sso_region_overridden,
    },
    Defect {
        id: DefectId::ModelOverridesBadKey,
        title: "makes a modelOverrides key that is not an Anthropic model ID the session's model",
        since: Some(Version(2, 1, 73)),
        fixed_in: Version(2, 1, 223),
        source: "CHANGELOG 2.1.223 (modelOverrides added 2.1.73)",
        applies: model_overrides_bad_key,
    },
    Defect {
        id: DefectId::MalformedRegionInUrls,
        title: "builds request URLs from a region value that is not shaped like a region",
        since: None,
        fixed_in: Version(2, 1, 232),
        source: "CHANGELOG 2.1.232",
        applies: malformed_region_in_urls,
    },
    Defect {
        id: DefectId::GatewayStripsContentType,
        title: "re-runs every turn without streaming (billing it twice) when a proxy or gateway strips the streaming response's Content-Type",
        since: None,
        fixed_in: Version(2, 1, 239),
        source: "CHANGELOG 2.1.239",
        applies: gateway_strips_content_type,
    },
    Defect {
        id: DefectId::AuthPrecheckIgnoresHttpsProxy,
        title: "hangs at start behind an HTTPS proxy: the credential pre-check that comes with awsAuthRefresh ignores HTTPS_PROXY",
        since: None,
        fixed_in: Version(2, 1, 239),
        source: "CHANGELOG 2.1.239",
        applies: auth_precheck_ignores_https_proxy,
    },
    Defect {
        id: DefectId::GatewayLostInBackground,
        title: "loses a gateway (ANTHROPIC_*_BASE_URL with CLAUDE_CODE_SKIP_*_AUTH) exported only in the shell in background sessions: every request of theirs fails",
        since: None,
        fixed_in: Version(2, 1, 251),
        source: "CHANGELOG 2.1.251",
        applies: gateway_exported_in_the_shell,
    },
    Defect {
        id: DefectId::Opus5EffortWithoutThinking,
        title: "fails on Opus 5 with \"effort … is not supported when thinking is disabled\" when the effort is xhigh or max and thinking is off",
        since: None,
        fixed_in: Version(2, 1, 251),
        source: "CHANGELOG 2.1.251",
        applies: opus_5_high_effort_without_thinking,
    },
    Defect {
        id: DefectId::CorporateCaOnlyInOsStore,
        title: "fails Bedrock model discovery, token counting and SSO/STS calls with \"unable to get local issuer certificate\" when the corporate root CA is only in the operating system's trust store",
        since: None,
        fixed_in: Version(2, 1, 260),
        source: "CHANGELOG 2.1.260",
        applies: proxy_without_extra_ca_certs,
    },
    Defect {
        id: DefectId::BaseUrlEveryTurn400,
        title: "gets 400 on every turn through a third-party ANTHROPIC_BASE_URL endpoint",
        since: Some(Version(2, 1, 265)),
        fixed_in: Version(2, 1, 268),
        source: "CHANGELOG 2.1.268 (regression in 2.1.265)",
        applies: third_party_base_url_in_use,
    },
    Defect {
        id: DefectId::BetaRefusedNot400,
        title: "fails every request behind a proxy or gateway that refuses a beta header with a status other than 400 (or refuses two betas together): the beta recovery needs a 400",
        since: None,
        fixed_in: Version(2, 1, 290),
        source: "CHANGELOG 2.1.290",
        applies: gateway_or_proxy_with_betas_on,
    },
    Defect {
        id: DefectId::OneMillionBetaRefused,
        title: "fails every request on a [1m] model when Bedrock or a gateway refuses the context-1m beta (from 2.1.295 the request is resent without it: 1M is then silently off)",
        since: None,
        fixed_in: Version(2, 1, 295),
        source: "CHANGELOG 2.1.295",
        applies: one_million_pinned,
    },
    Defect {
        id: DefectId::SmallFastRegionForMainLoop,
        title: "sends the main loop to ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION when its model is the small/fast model spelled otherwise",
        since: None,
        fixed_in: Version(2, 1, 335),
        source: "measured on 2.1.332 and 2.1.337 (fixed in 2.1.335: the changelog of 2.1.297 on is not published)",
        applies: main_loop_is_the_small_fast_model_spelled_otherwise,
    },
];

/// From this version a `[1m]` pin whose beta is refused is resent without it: the session works
/// with a standard context instead of failing (CHANGELOG 2.1.295).
pub const ONE_MILLION_SILENTLY_OFF_FROM: Version = Version(2, 1, 295);

/// The first Claude Code version that can use a model, from Claude Code's errors documentation
/// ("Opus 4.7 needs v2.1.111 or later. Opus 4.8 needs v2.1.154 or later. Sonnet 5 needs
/// v2.1.197 or later. Opus 5 needs v2.1.219 or later") and the model-configuration page
/// ("Fable 5 requires Claude Code v2.1.170 or later").
pub const MODEL_MINIMUMS: &[(&str, &str, Version)] = &[
    ("claude-opus-4-7", "Opus 4.7", Version(2, 1, 111)),
    ("claude-opus-4-8", "Opus 4.8", Version(2, 1, 154)),
    ("claude-fable-5", "Fable 5", Version(2, 1, 170)),
    ("claude-sonnet-5", "Sonnet 5", Version(2, 1, 197)),
    ("claude-opus-5", "Opus 5", Version(2, 1, 219)),
];

/// The pinned models `version` is too old for: (setting, model, the version it needs).
pub fn too_new_models(
    version: Version,
    config: &EffectiveConfig,
) -> Vec<(String, &'static str, Version)> {
    let mut found = Vec::new();
    for pinned in config.models.iter().filter(|m| m.role != "available") {
        let id = &pinned.id.id;
        let Some((_, name, needs)) = MODEL_MINIMUMS.iter().find(|(stem, _, _)| {
            // `claude-opus-5` must not match `claude-opus-5-5`'s neighbours wrongly: the stem
            // is followed by the end, a version separator of another kind, or a date.
            id.find(stem).is_some_and(|at| {
                let rest = &id[at + stem.len()..];
                rest.is_empty()
                    || rest.starts_with(['[', ':'])
                    || rest.starts_with("-v")
                    || rest.starts_with("-2")
            })
        }) else {
            continue;
        };
        if version < *needs {
            found.push((
                format!("{} ({})", pinned.setting, config.describe(&pinned.source)),
                *name,
                *needs,
            ));
        }
    }
    found
}

/// The defects `version` has, each with how this configuration triggers it (`None`: it has the
/// defect, but this configuration does not trigger it).
pub fn defects_for(
    version: Version,
    config: &EffectiveConfig,
) -> Vec<(&'static Defect, Option<Trigger>)> {
    DEFECTS
        .iter()
        .filter(|d| d.affects(version))
        .map(|d| (d, (d.applies)(config)))
        .collect()
}

/// The fix for defect `id` when this configuration triggers it and `version` (if known) has it:
/// the version that fixes it, and the workaround until then.
pub fn defect_fix(
    id: DefectId,
    version: Option<Version>,
    config: &EffectiveConfig,
) -> Option<String> {
    let defect = DEFECTS.iter().find(|d| d.id == id)?;
    if version.is_some_and(|v| !defect.affects(v)) {
        return None;
    }
    let trigger = (defect.applies)(config)?;
    let mut fix = format!(
        "Upgrade Claude Code to {} or later: {UPGRADE}.",
        defect.fixed_in
    );
    if let Some(workaround) = trigger.workaround {
        fix.push_str(&format!(" Until then, {workaround}."));
    }
    Some(fix)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Inputs;

    /// The effective configuration of a machine with only `env`, an AWS config file, user
    /// settings and managed settings.
    pub(crate) fn machine(
        env: &[(&str, &str)],
        aws_config: &str,
        user_settings: &str,
        managed_settings: &str,
    ) -> EffectiveConfig {
        with_files(
            env,
            &[
                (".aws/config", aws_config),
                (".claude/settings.json", user_settings),
                ("managed/managed-settings.json", managed_settings),
            ],
        )
    }

    pub(crate) fn config(env: &[(&str, &str)], aws_config: &str) -> EffectiveConfig {
        machine(env, aws_config, "{}", "{}")
    }

    /// The effective configuration of a machine with only `env` and these files, named relative
    /// to a home that holds `.claude/settings.json` (user), `project/.claude/…` (project, local)
    /// and `managed/managed-settings.json`.
    pub(crate) fn with_files(env: &[(&str, &str)], files: &[(&str, &str)]) -> EffectiveConfig {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_path_buf();
        for sub in [".aws", ".claude", "managed", "project/.claude"] {
            std::fs::create_dir_all(home.join(sub)).unwrap();
        }
        for (path, text) in files {
            std::fs::write(home.join(path), text).unwrap();
        }
        // Built from the process, then every input replaced: robust to fields added later.
        let mut inputs = Inputs::from_process(
            Some(home.join(".claude")),
            Some(home.join("project")),
            Some(home.join("managed")),
            None,
            None,
        );
        inputs.process_env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([("HOME".to_string(), home.display().to_string())])
            .collect();
        inputs.home = Some(home.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(EffectiveConfig::resolve(&inputs))
    }

    /// How `id` shows on `version` with this configuration: `None` when it does not trigger.
    fn trigger(id: &str, version: Version, config: &EffectiveConfig) -> Option<Status> {
        defects_for(version, config)
            .into_iter()
            .find(|(d, _)| d.id.as_str() == id)
            .and_then(|(_, t)| t.map(|t| t.status))
    }

    const KEY: &str = "ABSKQmVkcm9ja0FQSUtleS1rN3gyLWF0LTEyMzQ1Njc4OTAxMjpzZWNyZXQ=";
    const APP_ARN: &str =
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
    const SSO: &str = "[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_region = eu-central-1\nsso_start_url = https://corp.awsapps.com/start\n";
    const KEYS: [(&str, &str); 2] = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ];

    fn env(pairs: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut all = vec![
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", "us-east-1"),
        ];
        all.extend_from_slice(pairs);
        all
    }

    /// Each defect: a configuration that triggers it (with the status it gets), the last
    /// affected version, and one that does not trigger it.
    #[test]
    fn every_defect_triggers_on_its_versions_and_configuration_only() {
        let pinned = |pairs: &[(&'static str, &'static str)]| {
            let mut all = pairs.to_vec();
            all.extend([
                (
                    "ANTHROPIC_DEFAULT_OPUS_MODEL",
                    "us.anthropic.claude-opus-4-6-v1",
                ),
                (
                    "ANTHROPIC_DEFAULT_SONNET_MODEL",
                    "us.anthropic.claude-sonnet-4-6",
                ),
                (
                    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                ),
            ]);
            all.extend(KEYS);
            env(&all)
        };
        type Case = (&'static str, EffectiveConfig, Status, EffectiveConfig);
        let plain = || config(&pinned(&[]), "");
        let cases: Vec<Case> = vec![
            (
                "base-url-ignored-for-control-plane",
                config(
                    &pinned(&[("ANTHROPIC_BEDROCK_BASE_URL", "https://gw.corp")]),
                    "",
                ),
                Status::Fail,
                plain(),
            ),
            (
                "effort-on-custom-model-ids",
                config(&pinned(&[("ANTHROPIC_MODEL", APP_ARN)]), ""),
                Status::Fail,
                plain(),
            ),
            (
                "adaptive-thinking-on-custom-model-ids",
                config(&pinned(&[("ANTHROPIC_MODEL", APP_ARN)]), ""),
                Status::Fail,
                plain(),
            ),
            (
                "bearer-dropped-on-invoke",
                config(&env(&[("AWS_BEARER_TOKEN_BEDROCK", KEY)]), ""),
                Status::Fail,
                plain(),
            ),
            (
                "empty-variable-breaks-sigv4",
                config(&pinned(&[("AWS_BEARER_TOKEN_BEDROCK", "")]), ""),
                Status::Fail,
                plain(),
            ),
            (
                "sigv4-second-authorization",
                config(
                    &pinned(&[("ANTHROPIC_CUSTOM_HEADERS", "Authorization: Basic abc")]),
                    "",
                ),
                Status::Fail,
                plain(),
            ),
            (
                "no-proxy-ignored-native",
                config(
                    &pinned(&[
                        ("HTTPS_PROXY", "http://proxy:3128"),
                        ("NO_PROXY", "vpce.example"),
                    ]),
                    "",
                ),
                Status::Warn,
                plain(),
            ),
            (
                "thinking-on-application-profiles",
                config(&pinned(&[("ANTHROPIC_MODEL", APP_ARN)]), ""),
                Status::Fail,
                plain(),
            ),
            (
                "no-proxy-in-managed-settings",
                machine(
                    &pinned(&[]),
                    "",
                    "{}",
                    r#"{"env":{"NO_PROXY":"vpce.example"}}"#,
                ),
                Status::Warn,
                config(&pinned(&[("NO_PROXY", "vpce.example")]), ""),
            ),
            (
                "no-effort-on-application-profiles",
                config(&pinned(&[("ANTHROPIC_MODEL", APP_ARN)]), ""),
                Status::Warn,
                plain(),
            ),
            (
                "default-model-global-prefix",
                config(&env(&KEYS), ""),
                Status::Warn,
                plain(),
            ),
            (
                "mantle-missing-x-api-key",
                config(
                    &env(&[
                        ("CLAUDE_CODE_USE_MANTLE", "1"),
                        ("AWS_BEARER_TOKEN_BEDROCK", KEY),
                    ]),
                    "",
                ),
                Status::Fail,
                config(&env(&[("AWS_BEARER_TOKEN_BEDROCK", KEY)]), ""),
            ),
            (
                "prompt-caching-1h-400",
                config(&pinned(&[("ENABLE_PROMPT_CACHING_1H", "1")]), ""),
                Status::Fail,
                plain(),
            ),
            (
                "credential-export-skipped",
                machine(
                    &pinned(&[]),
                    "",
                    r#"{"awsCredentialExport":"/opt/creds"}"#,
                    "{}",
                ),
                Status::Warn,
                machine(
                    &env(&[("ANTHROPIC_DEFAULT_OPUS_MODEL", "x")]),
                    "",
                    r#"{"awsCredentialExport":"/opt/creds"}"#,
                    "{}",
                ),
            ),
            (
                "force-login-blocks-third-party",
                machine(&pinned(&[]), "", "{}", r#"{"forceLoginMethod":"claudeai"}"#),
                Status::Fail,
                machine(&pinned(&[]), "", r#"{"forceLoginMethod":"claudeai"}"#, "{}"),
            ),
            (
                "ci-requires-api-key",
                config(&pinned(&[("CI", "true")]), ""),
                Status::Warn,
                plain(),
            ),
            (
                "no-aws-files",
                config(
                    &[("CLAUDE_CODE_USE_BEDROCK", "1"), ("AWS_PROFILE", "dev")],
                    "[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n",
                ),
                Status::Fail,
                config(&env(&[("AWS_REGION", "eu-west-1")]), ""),
            ),
            (
                "govcloud-prefix",
                config(
                    &[
                        ("CLAUDE_CODE_USE_BEDROCK", "1"),
                        ("AWS_REGION", "us-gov-west-1"),
                        KEYS[0],
                        KEYS[1],
                    ],
                    "",
                ),
                Status::Fail,
                plain(),
            ),
            (
                "flat-credential-export",
                machine(
                    &env(&[]),
                    "",
                    r#"{"awsCredentialExport":"aws configure export-credentials --profile dev"}"#,
                    "{}",
                ),
                Status::Fail,
                plain(),
            ),
            (
                "sso-credentials-every-request",
                config(&env(&[("AWS_PROFILE", "corp")]), SSO),
                Status::Warn,
                plain(),
            ),
            (
                "sso-region-overridden",
                config(&env(&[("AWS_PROFILE", "corp")]), SSO),
                Status::Fail,
                config(
                    &[
                        ("CLAUDE_CODE_USE_BEDROCK", "1"),
                        ("AWS_PROFILE", "corp"),
                        ("AWS_REGION", "eu-central-1"),
                    ],
                    SSO,
                ),
            ),
            (
                "model-overrides-bad-key",
                machine(
                    &pinned(&[]),
                    "",
                    r#"{"modelOverrides":{"opus":"us.anthropic.claude-opus-4-6-v1"}}"#,
                    "{}",
                ),
                Status::Warn,
                machine(
                    &pinned(&[]),
                    "",
                    r#"{"modelOverrides":{"claude-opus-4-6":"us.anthropic.claude-opus-4-6-v1"}}"#,
                    "{}",
                ),
            ),
            (
                "malformed-region-in-urls",
                config(
                    &[
                        ("CLAUDE_CODE_USE_BEDROCK", "1"),
                        ("AWS_REGION", "https://bedrock.example"),
                    ],
                    "",
                ),
                Status::Fail,
                plain(),
            ),
            (
                "gateway-strips-content-type",
                config(
                    &pinned(&[("ANTHROPIC_BEDROCK_BASE_URL", "https://gw.corp")]),
                    "",
                ),
                Status::Warn,
                plain(),
            ),
            (
                "auth-precheck-ignores-https-proxy",
                machine(
                    &env(&[
                        ("AWS_PROFILE", "corp"),
                        ("HTTPS_PROXY", "http://proxy:3128"),
                    ]),
                    SSO,
                    r#"{"awsAuthRefresh":"aws sso login --profile corp"}"#,
                    "{}",
                ),
                Status::Fail,
                config(
                    &env(&[
                        ("AWS_PROFILE", "corp"),
                        ("HTTPS_PROXY", "http://proxy:3128"),
                    ]),
                    SSO,
                ),
            ),
            (
                "gateway-lost-in-background",
                config(
                    &pinned(&[
                        ("ANTHROPIC_BEDROCK_BASE_URL", "https://gw.corp"),
                        ("CLAUDE_CODE_SKIP_BEDROCK_AUTH", "1"),
                    ]),
                    "",
                ),
                Status::Warn,
                machine(
                    &pinned(&[]),
                    "",
                    r#"{"env":{"ANTHROPIC_BEDROCK_BASE_URL":"https://gw.corp","CLAUDE_CODE_SKIP_BEDROCK_AUTH":"1"}}"#,
                    "{}",
                ),
            ),
            (
                "opus-5-effort-without-thinking",
                config(
                    &pinned(&[
                        ("ANTHROPIC_MODEL", "us.anthropic.claude-opus-5"),
                        ("CLAUDE_CODE_EFFORT_LEVEL", "max"),
                        ("CLAUDE_CODE_DISABLE_THINKING", "1"),
                    ]),
                    "",
                ),
                Status::Fail,
                config(
                    &pinned(&[
                        ("ANTHROPIC_MODEL", "us.anthropic.claude-opus-5"),
                        ("CLAUDE_CODE_EFFORT_LEVEL", "high"),
                        ("CLAUDE_CODE_DISABLE_THINKING", "1"),
                    ]),
                    "",
                ),
            ),
            (
                "corporate-ca-only-in-os-store",
                config(&pinned(&[("HTTPS_PROXY", "http://proxy:3128")]), ""),
                Status::Warn,
                config(
                    &pinned(&[
                        ("HTTPS_PROXY", "http://proxy:3128"),
                        ("NODE_EXTRA_CA_CERTS", "/etc/ssl/corp-root.pem"),
                    ]),
                    "",
                ),
            ),
            (
                "base-url-every-turn-400",
                config(
                    &[
                        ("CLAUDE_CODE_USE_GATEWAY", "1"),
                        ("ANTHROPIC_BASE_URL", "https://llm-gateway.corp"),
                    ],
                    "",
                ),
                Status::Fail,
                config(
                    &pinned(&[("ANTHROPIC_BASE_URL", "https://llm-gateway.corp")]),
                    "",
                ),
            ),
            (
                "beta-refused-not-400",
                config(
                    &pinned(&[("ANTHROPIC_BEDROCK_BASE_URL", "https://gw.corp")]),
                    "",
                ),
                Status::Warn,
                config(
                    &pinned(&[
                        ("ANTHROPIC_BEDROCK_BASE_URL", "https://gw.corp"),
                        ("CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS", "1"),
                    ]),
                    "",
                ),
            ),
            (
                "one-million-beta-refused",
                config(
                    &env(&[
                        (
                            "ANTHROPIC_DEFAULT_OPUS_MODEL",
                            "us.anthropic.claude-opus-4-6-v1[1m]",
                        ),
                        KEYS[0],
                        KEYS[1],
                    ]),
                    "",
                ),
                Status::Warn,
                plain(),
            ),
            (
                "small-fast-region-for-main-loop",
                config(
                    &env(&[
                        (
                            "ANTHROPIC_MODEL",
                            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                        ),
                        (
                            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
                        ),
                        ("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION", "us-west-2"),
                        KEYS[0],
                        KEYS[1],
                    ]),
                    "",
                ),
                Status::Fail,
                config(
                    &env(&[
                        (
                            "ANTHROPIC_MODEL",
                            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
                        ),
                        (
                            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
                        ),
                        ("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION", "us-west-2"),
                        KEYS[0],
                        KEYS[1],
                    ]),
                    "",
                ),
            ),
        ];
        assert_eq!(cases.len(), DEFECTS.len(), "every defect has its case");
        for (id, triggering, status, quiet) in &cases {
            let defect = DEFECTS
                .iter()
                .find(|d| d.id.as_str() == *id)
                .unwrap_or_else(|| panic!("{id}"));
            let last_affected =
                Version(defect.fixed_in.0, defect.fixed_in.1, defect.fixed_in.2 - 1);
            assert_eq!(
                trigger(id, last_affected, triggering),
                Some(*status),
                "{id} on {last_affected}"
            );
            assert_eq!(
                trigger(id, defect.fixed_in, triggering),
                None,
                "{id} is fixed in {}",
                defect.fixed_in
            );
            assert_eq!(
                trigger(id, last_affected, quiet),
                None,
                "{id} without its trigger"
            );
            if let Some(since) = defect.since {
                let before = Version(since.0, since.1, since.2 - 1);
                assert_eq!(trigger(id, before, triggering), None, "{id} before {since}");
            }
            assert!(!defect.source.is_empty(), "{id} names its source");
        }
    }

    #[test]
    fn a_version_too_old_for_a_pinned_model_names_the_version_it_needs() {
        let config = config(
            &env(&[
                (
                    "ANTHROPIC_DEFAULT_OPUS_MODEL",
                    "us.anthropic.claude-opus-4-8",
                ),
                (
                    "ANTHROPIC_DEFAULT_SONNET_MODEL",
                    "global.anthropic.claude-sonnet-5[1m]",
                ),
                ("ANTHROPIC_MODEL", "us.anthropic.claude-opus-5"),
                (
                    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                    "us.anthropic.claude-opus-5-5",
                ),
            ]),
            "",
        );
        let needs: Vec<(&str, Version)> = too_new_models(Version(2, 1, 150), &config)
            .into_iter()
            .map(|(_, model, needs)| (model, needs))
            .collect();
        assert_eq!(
            needs,
            [
                ("Opus 5", Version(2, 1, 219)),
                ("Opus 4.8", Version(2, 1, 154)),
                ("Sonnet 5", Version(2, 1, 197)),
            ],
            "Opus 5.5 is not Opus 5; its minimum is not documented"
        );
        assert!(too_new_models(Version(2, 1, 219), &config).is_empty());
        // The 5.5 models have no published minimum: neither is taken for its 5 sibling's.
        let five_five = super::tests::config(
            &env(&[
                ("ANTHROPIC_MODEL", "global.anthropic.claude-opus-5-5"),
                (
                    "ANTHROPIC_DEFAULT_SONNET_MODEL",
                    "global.anthropic.claude-sonnet-5-5",
                ),
                (
                    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                    "global.anthropic.claude-haiku-5-5",
                ),
            ]),
            "",
        );
        assert!(too_new_models(Version(2, 1, 150), &five_five).is_empty());
    }

    #[test]
    fn versions_parse_from_claude_output() {
        assert_eq!(
            Version::parse("2.1.330 (Claude Code)"),
            Some(Version(2, 1, 330))
        );
        assert_eq!(Version::parse("v2.1.94"), Some(Version(2, 1, 94)));
        assert_eq!(
            Version::parse("2.2.0-beta.1 (Claude Code)"),
            Some(Version(2, 2, 0))
        );
        assert_eq!(Version::parse("Claude Code"), None);
        assert_eq!(Version::parse("1.2"), None);
        assert!(Version(2, 1, 100) > Version(2, 1, 96));
        assert!(Version(3, 0, 0) > Version(2, 1, 330));
    }

    #[test]
    fn defect_ids_are_unique_and_fixes_ordered() {
        for (i, defect) in DEFECTS.iter().enumerate() {
            assert!(
                DEFECTS[i + 1..].iter().all(|other| other.id != defect.id),
                "{}",
                defect.id
            );
            if let Some(since) = defect.since {
                assert!(since < defect.fixed_in, "{}", defect.id);
            }
        }
        assert!(DEFECTS.windows(2).all(|w| w[0].fixed_in <= w[1].fixed_in));
    }
}
