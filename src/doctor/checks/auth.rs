//! `auth.source` and `auth.bearer`: which credentials Claude Code will use, and what is wrong
//! with them that can be known without a network call.

use crate::doctor::check_id::CheckId;
use time::Duration;

use crate::config::EffectiveConfig;
use crate::config::aws_files::{AwsFileState, ProfileKind};
use crate::config::bearer::{BearerKind, format_time, human_duration};
use crate::config::credentials::{CredentialSource, NoteSeverity};
use crate::config::source::{AwsFileKind, Source};
use crate::report::{CheckResult, Findings, Skip};

pub fn check_source(config: &EffectiveConfig) -> CheckResult {
    let mut findings = Findings::default();
    let credentials = &config.credentials;
    let profile = &config.profile;

    for kind in [AwsFileKind::Config, AwsFileKind::Credentials] {
        let file = config.aws_files.file(kind);
        let path = config.tilde(&file.path);
        match &file.state {
            AwsFileState::Invalid(message) => findings.fail(
                format!("{path} cannot be parsed ({message}); the AWS SDKs refuse to load any profile from it"),
                format!("Fix {path} at the line named; `aws configure list` shows the same error."),
            ),
            AwsFileState::Unreadable(err) => findings.fail(
                match &file.path_source {
                    Source::Default => format!("{path} {err}; no profile is read from it"),
                    named => format!(
                        "{path} (named by {}, {}) {err}; no profile is read from it",
                        match kind {
                            AwsFileKind::Config => "AWS_CONFIG_FILE",
                            AwsFileKind::Credentials => "AWS_SHARED_CREDENTIALS_FILE",
                        },
                        config.describe(named)
                    ),
                },
                format!(
                    "Point the variable at the real file, or make {path} a readable regular file (for a permission problem: chmod u+r {}).",
                    crate::secret::shell_quote(&path)
                ),
            ),
            AwsFileState::Missing if !matches!(file.path_source, Source::Default) => {
                let variable = match kind {
                    AwsFileKind::Config => "AWS_CONFIG_FILE",
                    AwsFileKind::Credentials => "AWS_SHARED_CREDENTIALS_FILE",
                };
                findings.warn(
                    format!(
                        "{variable} ({}) points to {path}, which does not exist",
                        config.describe(&file.path_source)
                    ),
                    format!("Point {variable} at an existing file, or unset it."),
                );
            }
            _ => {}
        }
    }

    match &credentials.source {
        CredentialSource::Profile { name, kind } => match kind {
            ProfileKind::Missing => {
                let names = config.aws_files.profile_names();
                let mut problem = format!(
                    "profile \"{name}\" ({}) is in neither {} nor {}",
                    profile.describe_source(config.home()),
                    config.tilde(&config.aws_files.config.path),
                    config.tilde(&config.aws_files.credentials.path),
                );
                if let Some(hint) = config.aws_files.missing_profile_hint(name) {
                    problem.push_str(&format!("; {hint}"));
                }
                let fix = if names.is_empty() {
                    {
                    let name = crate::secret::shell_quote(name);
                    format!("Create it with `aws configure sso --profile {name}` (or `aws configure --profile {name}`), or run `claude-bedrock setup`.")
                }
                } else {
                    format!(
                        "Set AWS_PROFILE to one of: {}; or create it with `aws configure sso --profile {}`.",
                        names.join(", "),
                        crate::secret::shell_quote(name)
                    )
                };
                findings.fail(problem, fix);
            }
            ProfileKind::NoCredentials => findings.fail(
                format!("profile \"{name}\" exists but names no credentials (no keys, SSO, role or credential_process)"),
                {
                    let name = crate::secret::shell_quote(name);
                    format!("Add credentials to it: `aws configure sso --profile {name}` or `aws configure --profile {name}`.")
                },
            ),
            ProfileKind::AssumeRole { source, .. } if source.starts_with("nothing") => findings.fail(
                format!("profile \"{name}\" has role_arn but no source_profile or credential_source"),
                format!("Add source_profile = <profile with credentials> to [profile {name}]."),
            ),
            ProfileKind::Sso { session } if !config.aws_files.has_sso_session(session) => findings.fail(
                format!(
                    "profile \"{name}\" names sso_session \"{session}\", but {} has no [sso-session {session}] section: the SDK cannot sign in",
                    config.tilde(&config.aws_files.config.path)
                ),
                format!(
                    "Add the [sso-session {session}] section (sso_start_url, sso_region), e.g. with `aws configure sso-session`, or fix the name in [profile {name}]."
                ),
            ),
            ProfileKind::SsoLegacy => findings.note(
                "legacy SSO settings (sso_start_url in the profile) cannot refresh: sessions end after about 8 hours; `aws configure sso` writes the refreshable sso-session form",
            ),
            _ => {}
        },
        CredentialSource::WebIdentityEnv => {}
        CredentialSource::None => findings.fail(
            "no AWS credentials: no bearer key, no access keys, no usable profile; only an EC2 instance role could still answer",
            "Run `claude-bedrock setup`, or `aws configure sso` and set AWS_PROFILE, or set AWS_BEARER_TOKEN_BEDROCK to a Bedrock API key.",
        ),
        CredentialSource::SkipAuth { .. } => {
            if config.env.get("ANTHROPIC_BEDROCK_BASE_URL").is_some() {
                findings.note("requests go unsigned to ANTHROPIC_BEDROCK_BASE_URL: the gateway there must add AWS auth itself");
            } else {
                findings.fail(
                    "CLAUDE_CODE_SKIP_BEDROCK_AUTH sends no Authorization, and no gateway is set (ANTHROPIC_BEDROCK_BASE_URL); Bedrock answers 403 \"Authorization header is missing\"",
                    "Remove CLAUDE_CODE_SKIP_BEDROCK_AUTH, or set ANTHROPIC_BEDROCK_BASE_URL to the gateway that signs requests.",
                );
            }
        }
        CredentialSource::CredentialExport { .. } => {
            if let Some(export) = &config.keys.aws_credential_export {
                let words = shlex::split(&export.value).unwrap_or_default();
                let program = words.first().map(|w| crate::secret::redact_command(w)).unwrap_or_default();
                findings.note(format!(
                    "awsCredentialExport runs `{program} …` at every start and must print {{\"Credentials\":{{…}}}}"
                ));
            }
        }
        _ => {}
    }
    if let CredentialSource::Profile { name, .. } = &credentials.source
        && let Err(cycle) = config.aws_files.chain(name)
    {
        findings.fail(
            format!(
                "the source_profile chain of profile \"{name}\" loops: {}; the SDK cannot resolve it",
                cycle.join(" → ")
            ),
            "Point the last source_profile at a profile with credentials of its own (keys, SSO or credential_process).",
        );
    }
    if let Some(problem) = config.web_identity_token_problem() {
        findings.fail(
            format!("the web-identity token file {problem}"),
            "Point it at the token your platform writes (a regular, readable file), or unset it.",
        );
    }
    for note in &credentials.notes {
        match note.severity {
            NoteSeverity::Warn => findings.warn(
                note.message.clone(),
                "Keep one credential source: unset the variables you do not mean Claude Code to use.",
            ),
            NoteSeverity::Info => findings.note(note.message.clone()),
        }
    }
    if let Some(refresh) = &config.keys.aws_auth_refresh {
        findings.note(format!(
            "awsAuthRefresh ({}) runs `{}` when credentials expire",
            config.describe(&refresh.source),
            crate::secret::redact_command(&refresh.value)
        ));
    }
    let (id, title) = CheckId::AuthSource.pair();
    findings.into_result(id, title, credentials.source.describe(config.home()))
}

pub fn check_bearer(config: &EffectiveConfig) -> CheckResult {
    let mut findings = Findings::default();
    let env = &config.env;
    let signs_with_sigv4 = !matches!(
        config.credentials.source,
        CredentialSource::BearerKey { .. } | CredentialSource::SkipAuth { .. }
    );

    // Empty strings, as CI systems export for unset inputs, broke SigV4 before 2.1.97.
    for name in ["AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_BEDROCK_BASE_URL"] {
        if let Some(var) = env.var(name)
            && var.value.is_empty()
        {
            findings.warn(
                format!(
                    "{name} is set to an empty string ({}); Claude Code ≤ 2.1.96 then failed to sign requests",
                    config.describe(&var.source)
                ),
                format!("Unset {name} instead of exporting it empty, or use Claude Code 2.1.97 or later."),
            );
        }
    }
    // Other Authorization headers collide with Bedrock's own.
    let custom_auth = env
        .get_with_source("ANTHROPIC_CUSTOM_HEADERS")
        .filter(|(headers, _)| {
            headers.lines().any(|line| {
                line.split_once(':')
                    .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("authorization"))
            })
        });
    let mut conflicts: Vec<(String, String)> = Vec::new();
    if let Some((_, source)) = custom_auth {
        conflicts.push((
            format!("ANTHROPIC_CUSTOM_HEADERS sets an Authorization header ({})", config.describe(source)),
            "Remove the Authorization line from ANTHROPIC_CUSTOM_HEADERS; Bedrock auth supplies its own.".into(),
        ));
    }
    if let Some((_, source)) = env.get_with_source("ANTHROPIC_AUTH_TOKEN") {
        conflicts.push((
            format!("ANTHROPIC_AUTH_TOKEN is set ({})", config.describe(source)),
            "Unset ANTHROPIC_AUTH_TOKEN; it is for the Anthropic API and gateways, not Bedrock."
                .into(),
        ));
    }
    if let Some(helper) = &config.keys.api_key_helper {
        conflicts.push((
            format!("apiKeyHelper is set ({})", config.describe(&helper.source)),
            "Remove apiKeyHelper while using Bedrock.".into(),
        ));
    }
    for (problem, fix) in conflicts {
        let consequence = if signs_with_sigv4 {
            "with SigV4, Claude Code ≤ 2.1.100 sent a second Authorization header and Bedrock answered 403"
        } else {
            "it competes with the bearer key for the Authorization header"
        };
        findings.warn(format!("{problem}: {consequence}"), fix);
    }

    let Some(bearer) = &config.bearer else {
        if findings.is_clean() {
            let mut result = CheckResult::skipped(
                CheckId::AuthBearer.as_str(),
                CheckId::AuthBearer.title(),
                Skip::NotInUse,
                "no Bedrock API key configured (AWS_BEARER_TOKEN_BEDROCK)",
            );
            result.details = findings.details;
            return result;
        }
        let (id, title) = CheckId::AuthBearer.pair();
        return findings.into_result(id, title, "");
    };

    let analysis = &bearer.analysis;
    let where_ = config.describe(&bearer.source);
    let region = &config.region.value;
    findings.note(format!("key {} from {where_}", analysis.fingerprint));
    if let Some(var) = env.var("AWS_BEARER_TOKEN_BEDROCK") {
        for (source, value) in &var.shadowed {
            if !value.is_empty() {
                findings.note(format!(
                    "overrides another key {} from {}",
                    crate::secret::fingerprint(value),
                    config.describe(source)
                ));
            }
        }
    }
    if matches!(config.credentials.source, CredentialSource::SkipAuth { .. }) {
        findings.fail(
            "CLAUDE_CODE_SKIP_BEDROCK_AUTH is on, so this key is never sent",
            "Remove CLAUDE_CODE_SKIP_BEDROCK_AUTH, or remove the key if a gateway signs requests.",
        );
    }
    for problem in &analysis.formatting {
        findings.fail(
            format!("the key is written wrongly: {problem}"),
            format!("Set AWS_BEARER_TOKEN_BEDROCK in {where_} to the bare key, exactly as the console shows it."),
        );
    }
    let regenerate = "Generate a new key in the Amazon Bedrock console (API keys) and set AWS_BEARER_TOKEN_BEDROCK to it.";
    let summary = match &analysis.kind {
        BearerKind::Malformed { reason } => {
            findings.fail(format!("the key is malformed: {reason}"), regenerate);
            String::new()
        }
        BearerKind::LongTerm { account } => {
            format!("long-term key for account {account} (expiry is not recorded in the key)")
        }
        BearerKind::ShortTerm {
            region: key_region,
            issued_at,
            lifetime_secs,
            expires_at,
            ..
        } => {
            let remaining = *expires_at - config.now;
            findings.note(format!(
                "issued {} with a {} lifetime",
                format_time(*issued_at),
                human_duration(Duration::seconds(*lifetime_secs))
            ));
            if remaining <= Duration::ZERO {
                findings.fail(
                    format!(
                        "the short-term key expired at {} ({} ago)",
                        format_time(*expires_at),
                        human_duration(remaining)
                    ),
                    "Generate a new short-term key (they last at most 12 hours), or use a long-term key or SSO profile for daily work.",
                );
            } else if remaining < Duration::hours(1) {
                findings.warn(
                    format!(
                        "the short-term key expires within {} (at {})",
                        human_duration(remaining),
                        format_time(*expires_at)
                    ),
                    "Generate a fresh key before a long session.",
                );
            }
            if key_region != region {
                findings.fail(
                    format!(
                        "the key was made for {key_region} but Claude Code calls {region}; a short-term key works only in its own region"
                    ),
                    format!("Set AWS_REGION={key_region}, or generate the key in {region}."),
                );
            }
            format!(
                "short-term key for {key_region}, valid at most until {} ({} left)",
                format_time(*expires_at),
                human_duration(remaining)
            )
        }
    };
    if config.provider.mantle.is_some() {
        findings.note("Mantle needs bedrock-mantle:CallWithBearerToken as well as bedrock:CallWithBearerToken");
    }
    let (id, title) = CheckId::AuthBearer.pair();
    findings.into_result(id, title, summary)
}
