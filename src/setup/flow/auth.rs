//! Step 1: how Claude Code will authenticate.

use super::{SetupError, Wizard};
use crate::cli::AuthKind;
use crate::config::EffectiveConfig;
use crate::config::aws_files::ProfileKind;
use crate::config::bearer::{self, BearerKind};
use crate::config::credentials::CredentialSource;
use crate::secret;
use crate::setup::outcome::AuthChoice;

impl Wizard<'_> {
    pub(super) async fn choose_auth(
        &mut self,
        current: &EffectiveConfig,
    ) -> Result<AuthChoice, SetupError> {
        let profiles = current.aws_files.profile_names();
        let kind = match self.args.auth {
            Some(kind) => kind,
            None if self.interactive() => {
                let mut items: Vec<String> = profiles
                    .iter()
                    .map(|name| {
                        format!(
                            "AWS profile \"{name}\" — {}",
                            current.aws_files.describe(name).kind.label()
                        )
                    })
                    .collect();
                items.push("A Bedrock API key".into());
                items.push(
                    "An access key and secret (stored as a profile in ~/.aws/credentials)".into(),
                );
                items.push("The credentials already in the environment".into());
                let default = match &current.credentials.source {
                    CredentialSource::BearerKey { .. } => profiles.len(),
                    CredentialSource::Profile { name, .. } => {
                        profiles.iter().position(|p| p == name).unwrap_or(0)
                    }
                    CredentialSource::EnvKeys { .. }
                    | CredentialSource::WebIdentityEnv
                    | CredentialSource::Container => profiles.len() + 2,
                    _ => 0,
                };
                let picked = self.prompt_select(
                    "How should Claude Code authenticate to AWS?",
                    &items,
                    default,
                )?;
                if picked < profiles.len() {
                    let name = profiles[picked].clone();
                    let kind = current.aws_files.describe(&name).kind;
                    return Ok(AuthChoice::Profile { name, kind });
                }
                match picked - profiles.len() {
                    0 => AuthKind::Bearer,
                    1 => AuthKind::Keys,
                    _ => AuthKind::Env,
                }
            }
            None => match &current.credentials.source {
                CredentialSource::BearerKey { .. } => AuthKind::Bearer,
                CredentialSource::Profile { .. } => AuthKind::Profile,
                CredentialSource::EnvKeys { .. }
                | CredentialSource::WebIdentityEnv
                | CredentialSource::Container => AuthKind::Env,
                _ if self.profile_flag.is_some() => AuthKind::Profile,
                _ => {
                    return Err(SetupError::Usage {
                        message: "no credentials are configured, so setup cannot tell how Claude Code should authenticate".into(),
                        fix: "Pass --auth profile --profile NAME, --auth bearer (with AWS_BEARER_TOKEN_BEDROCK set), --auth keys (with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set) or --auth env.".into(),
                    });
                }
            },
        };
        match kind {
            AuthKind::Profile => {
                let name = self
                    .profile_flag
                    .clone()
                    .or_else(|| {
                        current
                            .profile
                            .explicit
                            .then(|| current.profile.name.clone())
                    })
                    .or_else(|| (profiles.len() == 1).then(|| profiles[0].clone()))
                    .or_else(|| profiles.iter().find(|p| *p == "default").cloned());
                let name = match name {
                    Some(name) => name,
                    None if self.interactive() && !profiles.is_empty() => {
                        let items: Vec<String> = profiles.clone();
                        let picked = self.prompt_select("Which AWS profile?", &items, 0)?;
                        profiles[picked].clone()
                    }
                    None => {
                        return Err(SetupError::Usage {
                            message: "--auth profile needs a profile".into(),
                            fix: format!(
                                "Pass --profile NAME{}.",
                                if profiles.is_empty() {
                                    String::new()
                                } else {
                                    format!(" (one of: {})", profiles.join(", "))
                                }
                            ),
                        });
                    }
                };
                let kind = current.aws_files.describe(&name).kind;
                if kind == ProfileKind::Missing {
                    return Err(SetupError::Usage {
                        message: format!("there is no AWS profile \"{name}\""),
                        fix: format!(
                            "Create it with `aws configure sso --profile {}`, or pick one of: {}.",
                            secret::shell_quote(&name),
                            profiles.join(", ")
                        ),
                    });
                }
                Ok(AuthChoice::Profile { name, kind })
            }
            AuthKind::Bearer => self
                .choose_bearer(current)
                .map(|key| AuthChoice::Bearer { key }),
            AuthKind::Keys => self.choose_keys(),
            AuthKind::Env => Ok(AuthChoice::Env),
        }
    }

    fn choose_bearer(&mut self, current: &EffectiveConfig) -> Result<String, SetupError> {
        let existing = self.stdin_key.clone().or_else(|| {
            current
                .env
                .get("AWS_BEARER_TOKEN_BEDROCK")
                .map(str::to_string)
        });
        if !self.interactive() {
            let Some(key) = existing else {
                return Err(SetupError::Usage {
                    message: "--auth bearer needs a Bedrock API key".into(),
                    fix: "Set AWS_BEARER_TOKEN_BEDROCK in the environment, or pipe the key with --bearer-key-stdin.".into(),
                });
            };
            return match bearer::analyze(&key).kind {
                BearerKind::Malformed { reason } => Err(SetupError::Usage {
                    message: format!("the Bedrock API key is malformed: {reason}"),
                    fix: "Copy the key again from the Bedrock console (API keys).".into(),
                }),
                _ => Ok(key),
            };
        }
        if let Some(key) = &existing
            && self.prompt_confirm(
                &format!("Use the configured API key {}?", secret::fingerprint(key)),
                true,
            )?
        {
            return Ok(key.clone());
        }
        loop {
            let Some(prompter) = self.prompter.as_deref_mut() else {
                return Err(SetupError::Cancelled);
            };
            let key = prompter.password("Bedrock API key")?;
            let analysis = bearer::analyze(&key);
            match &analysis.kind {
                BearerKind::Malformed { reason } => self
                    .ui
                    .warn(&format!("that key is malformed: {reason}; try again")),
                BearerKind::ShortTerm {
                    expires_at, region, ..
                } if *expires_at <= self.inputs.now => {
                    self.ui.warn(&format!(
                        "that short-term key (for {region}) has already expired; generate a new one"
                    ));
                }
                BearerKind::ShortTerm {
                    region, expires_at, ..
                } => {
                    self.ui.note(&format!(
                        "short-term key for {region}, valid at most until {}",
                        bearer::format_time(*expires_at)
                    ));
                    return Ok(key.trim().to_string());
                }
                BearerKind::LongTerm { account } => {
                    self.ui
                        .note(&format!("long-term key for account {account}"));
                    return Ok(key.trim().to_string());
                }
            }
        }
    }

    fn choose_keys(&mut self) -> Result<AuthChoice, SetupError> {
        let profile = self
            .profile_flag
            .clone()
            .unwrap_or_else(|| "claude-bedrock".into());
        let env = &self.inputs.process_env;
        if !self.interactive() {
            let (Some(id), Some(secret)) = (
                env.get("AWS_ACCESS_KEY_ID"),
                env.get("AWS_SECRET_ACCESS_KEY"),
            ) else {
                return Err(SetupError::Usage {
                    message: "--auth keys needs an access key pair".into(),
                    fix: "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment; setup stores them as the profile named by --profile (default claude-bedrock).".into(),
                });
            };
            return Ok(AuthChoice::Keys {
                profile,
                access_key_id: id.clone(),
                secret: secret.clone(),
            });
        }
        let Some(prompter) = self.prompter.as_deref_mut() else {
            return Err(SetupError::Cancelled);
        };
        let access_key_id = loop {
            let id = prompter.input("AWS access key ID", None)?;
            let id = id.trim().to_string();
            if id.len() >= 16 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
                break id;
            }
            self.ui.warn(
                "an access key ID is 16 or more letters and digits (AKIA… or ASIA…); try again",
            );
        };
        let secret = prompter
            .password("AWS secret access key")?
            .trim()
            .to_string();
        let profile = prompter.input("Store them as profile", Some(&profile))?;
        Ok(AuthChoice::Keys {
            profile: profile.trim().to_string(),
            access_key_id,
            secret,
        })
    }
}
