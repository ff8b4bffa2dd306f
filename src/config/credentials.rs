//! Which source will supply Claude Code's AWS credentials, decided offline, the way Claude Code
//! decides: a bearer key first, then `awsCredentialExport`, then the SDK chain — in which an
//! `AWS_PROFILE` makes Claude Code ignore access keys in the environment.

use serde::Serialize;

use super::aws_files::ProfileKind;
use super::env::EffectiveEnv;
use super::source::Source;

#[derive(Debug, Clone)]
pub enum CredentialSource {
    /// `CLAUDE_CODE_SKIP_BEDROCK_AUTH`: no Authorization at all, for gateways that add their own.
    SkipAuth { source: Source },
    /// `AWS_BEARER_TOKEN_BEDROCK`.
    BearerKey { source: Source },
    /// The `awsCredentialExport` command.
    CredentialExport { source: Source },
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` in the environment.
    EnvKeys { session_token: bool, source: Source },
    /// A profile in the AWS files.
    Profile { name: String, kind: ProfileKind },
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (EKS, CI OIDC).
    WebIdentityEnv,
    /// `AWS_CONTAINER_CREDENTIALS_*` (ECS, CodeBuild).
    Container,
    /// Nothing offline; only an EC2 instance role could still answer.
    None,
}

impl CredentialSource {
    /// The stable id used in JSON: `bearer-key`, `env-keys`, `profile`, …
    pub fn id(&self) -> &'static str {
        match self {
            CredentialSource::SkipAuth { .. } => "skip-auth",
            CredentialSource::BearerKey { .. } => "bearer-key",
            CredentialSource::CredentialExport { .. } => "credential-export",
            CredentialSource::EnvKeys { .. } => "env-keys",
            CredentialSource::Profile { .. } => "profile",
            CredentialSource::WebIdentityEnv => "web-identity",
            CredentialSource::Container => "container",
            CredentialSource::None => "none",
        }
    }

    pub fn describe(&self, home: Option<&std::path::Path>) -> String {
        match self {
            CredentialSource::SkipAuth { source } => format!(
                "none sent: CLAUDE_CODE_SKIP_BEDROCK_AUTH ({})",
                source.describe(home)
            ),
            CredentialSource::BearerKey { source } => format!(
                "Bedrock API key: AWS_BEARER_TOKEN_BEDROCK ({})",
                source.describe(home)
            ),
            CredentialSource::CredentialExport { source } => {
                format!("awsCredentialExport command ({})", source.describe(home))
            }
            CredentialSource::EnvKeys {
                session_token,
                source,
            } => format!(
                "access keys in AWS_ACCESS_KEY_ID{} ({})",
                if *session_token {
                    " with AWS_SESSION_TOKEN"
                } else {
                    ""
                },
                source.describe(home)
            ),
            CredentialSource::Profile { name, kind } => {
                format!("profile \"{name}\": {}", kind.label())
            }
            CredentialSource::WebIdentityEnv => {
                "web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN".into()
            }
            CredentialSource::Container => "container credentials endpoint".into(),
            CredentialSource::None => {
                "none found (only an EC2 instance role could still supply them)".into()
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CredentialNote {
    pub severity: NoteSeverity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteSeverity {
    Info,
    Warn,
}

#[derive(Debug, Clone)]
pub struct Credentials {
    pub source: CredentialSource,
    pub notes: Vec<CredentialNote>,
}

/// `profile_flag_or_env` is the profile named by `--profile` or `AWS_PROFILE`, if any.
pub fn resolve(
    env: &EffectiveEnv,
    explicit_profile: Option<&str>,
    active_profile: &str,
    profile_kind: &ProfileKind,
    credential_export: Option<&Source>,
) -> Credentials {
    let mut notes = Vec::new();
    let note = |notes: &mut Vec<CredentialNote>, severity, message: String| {
        notes.push(CredentialNote { severity, message });
    };
    let env_keys = env.get_with_source("AWS_ACCESS_KEY_ID");
    let env_secret = env.get("AWS_SECRET_ACCESS_KEY");
    if env_keys.is_some() != env_secret.is_some() {
        note(
            &mut notes,
            NoteSeverity::Warn,
            "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set; the SDK needs both"
                .into(),
        );
    }
    if let Some((_, source)) = env.get_with_source("CLAUDE_CODE_SKIP_BEDROCK_AUTH")
        && env.is_truthy("CLAUDE_CODE_SKIP_BEDROCK_AUTH")
    {
        return Credentials {
            source: CredentialSource::SkipAuth {
                source: source.clone(),
            },
            notes,
        };
    }
    if let Some((_, source)) = env.get_with_source("AWS_BEARER_TOKEN_BEDROCK") {
        if env_keys.is_some() || explicit_profile.is_some() {
            note(
                &mut notes,
                NoteSeverity::Info,
                "a bearer key is set, so Claude Code sends it instead of signing with AWS credentials".into(),
            );
        }
        return Credentials {
            source: CredentialSource::BearerKey {
                source: source.clone(),
            },
            notes,
        };
    }
    if let Some(source) = credential_export {
        return Credentials {
            source: CredentialSource::CredentialExport {
                source: source.clone(),
            },
            notes,
        };
    }
    if let Some(profile) = explicit_profile {
        if env_keys.is_some() {
            note(
                &mut notes,
                NoteSeverity::Warn,
                format!(
                    "AWS_ACCESS_KEY_ID is set but AWS_PROFILE names \"{profile}\": Claude Code ignores the environment keys and uses the profile"
                ),
            );
        }
        return Credentials {
            source: CredentialSource::Profile {
                name: profile.to_string(),
                kind: profile_kind.clone(),
            },
            notes,
        };
    }
    if let (Some((_, source)), Some(_)) = (env_keys, env_secret) {
        return Credentials {
            source: CredentialSource::EnvKeys {
                session_token: env.get("AWS_SESSION_TOKEN").is_some(),
                source: source.clone(),
            },
            notes,
        };
    }
    if !matches!(
        profile_kind,
        ProfileKind::Missing | ProfileKind::NoCredentials
    ) {
        return Credentials {
            source: CredentialSource::Profile {
                name: active_profile.to_string(),
                kind: profile_kind.clone(),
            },
            notes,
        };
    }
    if env.get("AWS_WEB_IDENTITY_TOKEN_FILE").is_some() && env.get("AWS_ROLE_ARN").is_some() {
        return Credentials {
            source: CredentialSource::WebIdentityEnv,
            notes,
        };
    }
    if env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some()
        || env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
    {
        return Credentials {
            source: CredentialSource::Container,
            notes,
        };
    }
    Credentials {
        source: CredentialSource::None,
        notes,
    }
}
