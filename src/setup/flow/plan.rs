//! The write step's questions and what they lead to: the SSO refresh, the scope, and the edit
//! of the settings file; also the configuration the choices produce, which the live checks test
//! before it is written.

use super::{AuthChoice, Pins, SetupError, Wizard};
use crate::cli::ScopeArg;
use crate::config::EffectiveConfig;
use crate::config::source::{Layer, Source};
use crate::secret;
use crate::write::{Edit, Scope};

impl Wizard<'_> {
    /// The configuration as Claude Code will see it with the chosen credentials and nothing
    /// else changed: in particular, the region it resolves.
    pub(super) async fn resolved_with(&self, auth: &AuthChoice) -> EffectiveConfig {
        let mut inputs = self.inputs.clone();
        inputs.overrides = pending_overrides(auth, None);
        EffectiveConfig::resolve(&inputs).await
    }

    /// The configuration as it will be once written: the choices laid over the real one.
    pub(super) async fn pending_config(&self, auth: &AuthChoice, region: &str) -> EffectiveConfig {
        let mut inputs = self.inputs.clone();
        inputs.overrides = pending_overrides(auth, Some(region));
        EffectiveConfig::resolve(&inputs).await
    }

    // ── SSO refresh ──────────────────────────────────────────────────────────────────────────

    /// Whether to add (or remove) `awsAuthRefresh`, and whether that was asked.
    pub(super) fn choose_refresh(
        &mut self,
        current: &EffectiveConfig,
        auth: &AuthChoice,
        pending: &EffectiveConfig,
    ) -> Result<(Option<bool>, bool), SetupError> {
        if self.args.aws_auth_refresh {
            if !matches!(auth, AuthChoice::Profile { .. }) {
                return Err(SetupError::Usage {
                    message: "--aws-auth-refresh needs an SSO profile (--auth profile)".into(),
                    fix: "Drop --aws-auth-refresh, or use --auth profile with an SSO profile."
                        .into(),
                });
            }
            return Ok((Some(true), false));
        }
        if self.args.no_aws_auth_refresh {
            return Ok((Some(false), false));
        }
        let AuthChoice::Profile { name, kind } = auth else {
            return Ok((None, false));
        };
        if !kind.is_sso() || !self.interactive() {
            return Ok((None, false));
        }
        let proxy = crate::net::proxy::PROXY_VARS.iter().find_map(|v| {
            pending
                .env
                .get(v)
                .map(|value| (*v, secret::display_value(v, value)))
        });
        let wanted_before = current.keys.aws_auth_refresh.is_some();
        let default = match &proxy {
            Some((variable, value)) => {
                self.ui.warn(&format!(
                    "{variable}={value} is set: a TLS-inspecting proxy or VPN can break the browser login, and Claude Code then re-runs the refresh in a loop (browser tabs keep opening). Without awsAuthRefresh, run `aws sso login --profile {}` yourself before starting Claude Code.",
                    secret::shell_quote(name)
                ));
                false
            }
            None => true,
        };
        let question = format!(
            "When the SSO session expires, let Claude Code run `aws sso login --profile {}`?",
            secret::shell_quote(name)
        );
        let answer = self.prompt_confirm(&question, default || wanted_before && proxy.is_none())?;
        Ok((Some(answer), true))
    }

    // ── Scope ────────────────────────────────────────────────────────────────────────────────

    /// Which settings file, and whether that was asked. The shared project file is not offered
    /// when the settings would hold the API key (a `--scope project` was refused at step 1).
    pub(super) fn choose_scope(&mut self, auth: &AuthChoice) -> Result<(Scope, bool), SetupError> {
        let scope = match self.args.scope {
            Some(ScopeArg::User) => Scope::User,
            Some(ScopeArg::Local) => Scope::Local,
            Some(ScopeArg::Project) => Scope::Project,
            None if self.interactive() => {
                let locations = &self.inputs.locations;
                let home = self.inputs.home.as_deref();
                // A project's path can be long: shortened in its middle so that what the choice
                // means stays on the line.
                let room = self.ui.width.saturating_sub(4 + 48).max(24);
                let shown = |scope: Scope| {
                    crate::render::setup::shorten(
                        &crate::config::source::tilde(&scope.path(locations), home),
                        room,
                    )
                };
                let mut scopes = vec![
                    (
                        Scope::User,
                        format!(
                            "user: {} — every project on this machine",
                            shown(Scope::User)
                        ),
                    ),
                    (
                        Scope::Local,
                        format!(
                            "local: {} — this project only, not committed",
                            shown(Scope::Local)
                        ),
                    ),
                ];
                if auth.writes_secret() {
                    self.ui.note("The project scope is not offered: its .claude/settings.json is shared with everyone on the project, and the API key would be written in it.");
                } else {
                    scopes.push((
                        Scope::Project,
                        format!(
                            "project: {} — this project, committed and shared",
                            shown(Scope::Project)
                        ),
                    ));
                }
                let items: Vec<String> = scopes.iter().map(|(_, item)| item.clone()).collect();
                let picked = self.prompt_select(
                    "Which settings file should hold the configuration?",
                    &items,
                    0,
                )?;
                return Ok((scopes[picked].0, true));
            }
            None => Scope::User,
        };
        Ok((scope, false))
    }

    /// Warns when a layer above the target file sets a key differently: the write would not apply.
    pub(super) fn check_precedence(
        &mut self,
        current: &EffectiveConfig,
        scope: Scope,
        edit: &Edit,
        auth: &AuthChoice,
    ) {
        let target_layer = match scope {
            Scope::User => Layer::User,
            Scope::Project => Layer::Project,
            Scope::Local => Layer::Local,
        };
        for (name, value) in &edit.set_env {
            if let Some(var) = current.env.var(name)
                && let Some(layer) = var.source.layer()
                && layer < target_layer
                && var.value != *value
            {
                self.warn(format!(
                    "{name} is also set in {}, which takes precedence: the value written to {} will not apply until it is removed there",
                    current.describe(&var.source),
                    scope
                ));
            }
        }
        // A key or access keys in the shell would still win over a profile.
        if !matches!(auth, AuthChoice::Bearer { .. })
            && let Some(var) = current.env.var("AWS_BEARER_TOKEN_BEDROCK")
            && !var.value.is_empty()
            && (var.source == Source::ProcessEnv
                || var.source.layer().is_some_and(|l| l < target_layer))
        {
            self.warn(format!(
                "AWS_BEARER_TOKEN_BEDROCK is set in {} and would win over the credentials chosen here: unset it there",
                current.describe(&var.source)
            ));
        }
    }
}

/// The values a choice puts into the environment, for testing it before it is written.
pub fn pending_overrides(auth: &AuthChoice, region: Option<&str>) -> Vec<(String, Option<String>)> {
    let mut overrides = vec![("CLAUDE_CODE_USE_BEDROCK".to_string(), Some("1".to_string()))];
    if let Some(region) = region {
        overrides.push(("AWS_REGION".to_string(), Some(region.to_string())));
    }
    let set = |name: &str, value: Option<&str>| (name.to_string(), value.map(str::to_string));
    match auth {
        AuthChoice::Profile { name, .. } => {
            overrides.push(set("AWS_PROFILE", Some(name)));
            overrides.push(set("AWS_BEARER_TOKEN_BEDROCK", None));
        }
        AuthChoice::Bearer { key } => overrides.push(set("AWS_BEARER_TOKEN_BEDROCK", Some(key))),
        AuthChoice::Keys {
            access_key_id,
            secret,
            ..
        } => {
            // Until the profile is written, test the keys themselves.
            overrides.push(set("AWS_PROFILE", None));
            overrides.push(set("AWS_BEARER_TOKEN_BEDROCK", None));
            overrides.push(set("AWS_ACCESS_KEY_ID", Some(access_key_id)));
            overrides.push(set("AWS_SECRET_ACCESS_KEY", Some(secret)));
            overrides.push(set("AWS_SESSION_TOKEN", None));
        }
        AuthChoice::Env { .. } => {
            overrides.push(set("AWS_PROFILE", None));
            overrides.push(set("AWS_BEARER_TOKEN_BEDROCK", None));
        }
    }
    overrides
}

/// The keys of the settings file setup owns; everything else is left exactly as it is.
pub const OWNED_ENV: &[&str] = &[
    "CLAUDE_CODE_USE_BEDROCK",
    "AWS_REGION",
    "AWS_PROFILE",
    "AWS_BEARER_TOKEN_BEDROCK",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
];

/// The edit of the target settings file (pure).
pub fn edit_for(
    current: &EffectiveConfig,
    auth: &AuthChoice,
    region: Option<&str>,
    pins: &Pins,
    refresh: Option<bool>,
    target: &std::path::Path,
) -> Edit {
    let in_target = |name: &str| {
        current
            .settings
            .files
            .iter()
            .find(|f| f.path == target)
            .and_then(|f| f.object())
            .and_then(|o| o.get("env"))
            .and_then(|e| e.get(name))
            .is_some()
    };
    let mut edit = Edit::default().set_env("CLAUDE_CODE_USE_BEDROCK", "1");
    if let Some(region) = region {
        edit = edit.set_env("AWS_REGION", region);
    }
    match auth {
        AuthChoice::Profile { name, .. } => edit = edit.set_env("AWS_PROFILE", name.as_str()),
        AuthChoice::Keys { profile, .. } => edit = edit.set_env("AWS_PROFILE", profile.as_str()),
        AuthChoice::Bearer { key } => edit = edit.set_env("AWS_BEARER_TOKEN_BEDROCK", key.as_str()),
        AuthChoice::Env { .. } => {
            if in_target("AWS_PROFILE") {
                edit = edit.remove_env("AWS_PROFILE");
            }
        }
    }
    if !matches!(auth, AuthChoice::Bearer { .. }) && in_target("AWS_BEARER_TOKEN_BEDROCK") {
        edit = edit.remove_env("AWS_BEARER_TOKEN_BEDROCK");
    }
    for (name, pin) in [
        ("ANTHROPIC_DEFAULT_OPUS_MODEL", &pins.opus),
        ("ANTHROPIC_DEFAULT_SONNET_MODEL", &pins.sonnet),
        ("ANTHROPIC_DEFAULT_HAIKU_MODEL", &pins.haiku),
        ("ANTHROPIC_MODEL", &pins.primary),
    ] {
        match pin {
            Some(pin) => edit = edit.set_env(name, pin.as_str()),
            None if in_target(name) => edit = edit.remove_env(name),
            None => {}
        }
    }
    match (refresh, auth.profile_name()) {
        (Some(true), Some(profile)) => {
            edit = edit.set_key(
                "awsAuthRefresh",
                // Claude Code runs this through the shell: the name must stay one word.
                format!("aws sso login --profile {}", secret::shell_quote(profile)),
            );
        }
        (Some(false), _) => {
            let present = current
                .settings
                .files
                .iter()
                .find(|f| f.path == target)
                .and_then(|f| f.object())
                .is_some_and(|o| o.contains_key("awsAuthRefresh"));
            if present {
                edit = edit.remove_key("awsAuthRefresh");
            }
        }
        _ => {}
    }
    edit
}
