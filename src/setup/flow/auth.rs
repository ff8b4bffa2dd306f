//! Step 1: how Claude Code will authenticate.

use super::{SetupError, Wizard};
use crate::cli::AuthKind;
use crate::config::EffectiveConfig;
use crate::config::aws_files::ProfileKind;
use crate::config::bearer::{self, BearerKind};
use crate::config::credentials::CredentialSource;
use crate::config::source::Source;
use crate::secret;
use crate::setup::outcome::AuthChoice;

/// The credentials the environment already supplies, as the `env` choice would use them.
struct Found {
    /// "access key AKID…0001 from AWS_ACCESS_KEY_ID in this shell"
    what: String,
    /// The variables that come from the shell alone (no settings file holds them).
    exported: Vec<&'static str>,
}

impl Wizard<'_> {
    /// `again`: the step is taken again (Escape from the next): ask, whatever the flags said.
    pub(super) async fn choose_auth(
        &mut self,
        current: &EffectiveConfig,
        again: bool,
    ) -> Result<AuthChoice, SetupError> {
        let found = self.environment_credentials().await;
        let flag = if again { None } else { self.args.auth };
        loop {
            let kind = match flag {
                Some(kind) => kind,
                None if self.interactive() => match self.auth_menu(current, found.as_ref())? {
                    Ok(choice) => return Ok(choice),
                    Err(kind) => kind,
                },
                None => self.auth_from_configuration(current)?,
            };
            // A question after the menu that is answered with Escape shows the menu again.
            let chosen = match kind {
                AuthKind::Profile => self.choose_profile(current),
                AuthKind::Bearer => self
                    .choose_bearer(current)
                    .map(|key| AuthChoice::Bearer { key }),
                AuthKind::Keys => self.choose_keys(current),
                AuthKind::Env => match &found {
                    Some(found) => Ok(AuthChoice::Env {
                        found: found.what.clone(),
                        exported: found.exported.clone(),
                    }),
                    // Only asked for by flag (the menu offers it only when there are some):
                    // settings prepared for a shell that will export them, as asked.
                    None => {
                        self.warn("--auth env: this environment holds no AWS credentials now (no AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY, no web identity token, no container credentials)".into());
                        Ok(AuthChoice::Env {
                            found: "none here yet".into(),
                            exported: vec!["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
                        })
                    }
                },
            };
            match chosen {
                Err(SetupError::Back) if self.interactive() && flag.is_none() => {}
                other => return other,
            }
        }
    }

    /// The menu: every profile, an API key, access keys, and the environment's credentials when
    /// there are any. A profile is the answer itself; the other choices ask more.
    fn auth_menu(
        &mut self,
        current: &EffectiveConfig,
        found: Option<&Found>,
    ) -> Result<Result<AuthChoice, AuthKind>, SetupError> {
        let profiles = current.aws_files.profile_names();
        let mut items: Vec<String> = profiles
            .iter()
            .map(|name| {
                format!(
                    "AWS profile \"{name}\" — {}",
                    current.aws_files.describe(name).kind.label()
                )
            })
            .collect();
        let mut kinds: Vec<Option<AuthKind>> = vec![None; profiles.len()];
        items.push("A Bedrock API key".into());
        kinds.push(Some(AuthKind::Bearer));
        items.push(format!(
            "An access key and secret, to be saved as a profile in {}",
            current.tilde(&current.aws_files.credentials.path)
        ));
        kinds.push(Some(AuthKind::Keys));
        if let Some(found) = found {
            items.push(format!("Credentials already set: {}", found.what));
            kinds.push(Some(AuthKind::Env));
        }
        let position = |kind: AuthKind| kinds.iter().position(|k| *k == Some(kind));
        let default = match &current.credentials.source {
            CredentialSource::BearerKey { .. } => position(AuthKind::Bearer),
            CredentialSource::Profile { name, .. } => profiles.iter().position(|p| p == name),
            CredentialSource::EnvKeys { .. }
            | CredentialSource::WebIdentityEnv
            | CredentialSource::Container => position(AuthKind::Env),
            _ => None,
        }
        .unwrap_or(0);
        let picked = self.prompt_select(
            "How should Claude Code authenticate to AWS?",
            &items,
            default,
        )?;
        Ok(match kinds[picked] {
            None => {
                let name = profiles[picked].clone();
                let kind = current.aws_files.describe(&name).kind;
                Ok(AuthChoice::Profile { name, kind })
            }
            Some(kind) => Err(kind),
        })
    }

    /// Without prompts: what the configuration already uses.
    fn auth_from_configuration(&self, current: &EffectiveConfig) -> Result<AuthKind, SetupError> {
        Ok(match &current.credentials.source {
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
        })
    }

    /// What the `env` choice would use: the SDK's chain with no profile and no API key, as
    /// Claude Code resolves it. A default profile is not "the environment" (the menu lists it
    /// as a profile), and a web identity token must be there to be read.
    async fn environment_credentials(&self) -> Option<Found> {
        let pending = self
            .resolved_with(&AuthChoice::Env {
                found: String::new(),
                exported: Vec::new(),
            })
            .await;
        let env = &pending.env;
        let from_shell = |names: &[&'static str]| -> Vec<&'static str> {
            names
                .iter()
                .copied()
                .filter(|name| {
                    env.var(name)
                        .is_some_and(|var| var.source == Source::ProcessEnv)
                })
                .collect()
        };
        let place = |name: &str| match env.var(name).map(|var| &var.source) {
            Some(Source::ProcessEnv) | None => "in this shell".to_string(),
            Some(source) => format!("in {}", pending.describe(source)),
        };
        match &pending.credentials.source {
            CredentialSource::EnvKeys { session_token, .. } => {
                let id = env.get("AWS_ACCESS_KEY_ID")?;
                let mut names = vec!["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
                if *session_token {
                    names.push("AWS_SESSION_TOKEN");
                }
                Some(Found {
                    what: format!(
                        "access key {} from AWS_ACCESS_KEY_ID {}{}",
                        secret::key_id(id),
                        place("AWS_ACCESS_KEY_ID"),
                        if *session_token {
                            ", with a session token"
                        } else {
                            ""
                        }
                    ),
                    exported: from_shell(&names),
                })
            }
            CredentialSource::WebIdentityEnv => {
                let file = env.get("AWS_WEB_IDENTITY_TOKEN_FILE")?;
                if !std::path::Path::new(file).is_file() {
                    return None;
                }
                Some(Found {
                    what: format!(
                        "web identity, role {} ({})",
                        env.get("AWS_ROLE_ARN").unwrap_or_default(),
                        place("AWS_ROLE_ARN")
                    ),
                    exported: from_shell(&["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"]),
                })
            }
            CredentialSource::Container => Some(Found {
                what: "the container's credentials endpoint".into(),
                exported: from_shell(&[
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                ]),
            }),
            _ => None,
        }
    }

    /// `--auth profile`: the profile `--profile` names, else the one in use, the only one, or
    /// `default`; on a terminal, asked when none of those is there.
    fn choose_profile(&mut self, current: &EffectiveConfig) -> Result<AuthChoice, SetupError> {
        let profiles = current.aws_files.profile_names();
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
                let picked = self.prompt_select("Which AWS profile?", &profiles, 0)?;
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
            let key = prompter.password("Bedrock API key (empty: back)")?;
            secret::register(key.trim());
            let problem = match bearer::analyze(&key).kind {
                BearerKind::Malformed { reason } => format!("that key is malformed: {reason}"),
                BearerKind::ShortTerm {
                    expires_at, region, ..
                } if expires_at <= self.inputs.now => format!(
                    "that short-term key (for {region}) has already expired; generate a new one"
                ),
                BearerKind::ShortTerm {
                    region, expires_at, ..
                } => {
                    self.ui.note(&format!(
                        "short-term key for {region}, valid at most until {}",
                        bearer::format_time(expires_at)
                    ));
                    return Ok(key.trim().to_string());
                }
                BearerKind::LongTerm { account } => {
                    self.ui
                        .note(&format!("long-term key for account {account}"));
                    return Ok(key.trim().to_string());
                }
            };
            self.ui.warn(&problem);
            self.again_or_back(
                "Enter the key again",
                "Go back: choose another way to authenticate",
            )?;
        }
    }

    fn choose_keys(&mut self, current: &EffectiveConfig) -> Result<AuthChoice, SetupError> {
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
        let access_key_id = loop {
            let Some(prompter) = self.prompter.as_deref_mut() else {
                return Err(SetupError::Cancelled);
            };
            let id = prompter.input("AWS access key ID (empty: back)", None)?;
            let id = id.trim().to_string();
            if id.len() >= 16 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
                break id;
            }
            self.ui
                .warn("an access key ID is 16 or more letters and digits (AKIA… or ASIA…)");
            self.again_or_back(
                "Enter the access key ID again",
                "Go back: choose another way to authenticate",
            )?;
        };
        let Some(prompter) = self.prompter.as_deref_mut() else {
            return Err(SetupError::Cancelled);
        };
        let secret = prompter
            .password("AWS secret access key (empty: back)")?
            .trim()
            .to_string();
        secret::register(&secret);
        let question = format!(
            "Profile to save them as, in {}",
            current.tilde(&current.aws_files.credentials.path)
        );
        let profile = prompter.input(&question, Some(&profile))?;
        Ok(AuthChoice::Keys {
            profile: profile.trim().to_string(),
            access_key_id,
            secret,
        })
    }
}
