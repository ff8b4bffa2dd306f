//! The wizard's steps. Each step takes its answer from a flag when one was given, from the
//! prompter when there is a terminal, or from the documented default under `--yes`. Nothing is
//! written before the last step, and then only by the writer.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use console::style;
use futures_util::future::join_all;
use serde::Serialize;

use super::aws_credentials;
use super::prompter::{Cancelled, Prompter};
use super::writer::{self, Applied, Edit, Plan, Scope, WriteError};
use crate::aws::Clients;
use crate::aws::explain::{Attempt, explain};
use crate::aws::ops::{self, Probe, ProfileList, ProfileSummary};
use crate::cli::{AuthKind, ScopeArg, SetupArgs};
use crate::config::aws_files::ProfileKind;
use crate::config::bearer::{self, BearerKind};
use crate::config::credentials::CredentialSource;
use crate::config::models::{
    Family, ModelId, ModelName, PrefixFit, default_prefix_for_region, prefix_fit,
};
use crate::config::region::is_region_shaped;
use crate::config::source::{Layer, Source};
use crate::config::{EffectiveConfig, Inputs};
use crate::secret;

/// Regions offered in the region step, besides the one already resolved.
const REGION_CHOICES: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-central-1",
    "eu-west-1",
    "eu-west-3",
    "eu-north-1",
    "ap-northeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
    "us-gov-west-1",
];

/// Candidates probed per tier: the newest few are what anyone pins.
const CANDIDATES_PER_TIER: usize = 4;

/// Probes in flight at once.
const PROBE_CONCURRENCY: usize = 8;

/// Why setup stopped.
#[derive(Debug)]
pub enum SetupError {
    /// Ctrl-C or Escape: nothing was written.
    Cancelled,
    /// The command line cannot be satisfied (exit 2).
    Usage { message: String, fix: String },
    /// The configuration does not work and `--force` was not given (exit 1).
    Refused { message: String, fix: String },
    /// The writer refused or failed; the file is untouched (exit 1).
    Write(String),
}

impl From<Cancelled> for SetupError {
    fn from(_: Cancelled) -> Self {
        SetupError::Cancelled
    }
}

impl From<WriteError> for SetupError {
    fn from(err: WriteError) -> Self {
        SetupError::Write(err.to_string())
    }
}

impl From<aws_credentials::CredentialsError> for SetupError {
    fn from(err: aws_credentials::CredentialsError) -> Self {
        SetupError::Write(err.to_string())
    }
}

/// How Claude Code will authenticate.
#[derive(Clone)]
pub enum AuthChoice {
    Profile {
        name: String,
        kind: ProfileKind,
    },
    Bearer {
        key: String,
    },
    Keys {
        profile: String,
        access_key_id: String,
        secret: String,
    },
    Env,
}

impl fmt::Debug for AuthChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl AuthChoice {
    pub fn id(&self) -> &'static str {
        match self {
            AuthChoice::Profile { .. } => "profile",
            AuthChoice::Bearer { .. } => "bearer",
            AuthChoice::Keys { .. } => "keys",
            AuthChoice::Env => "env",
        }
    }

    /// Never shows a secret.
    pub fn describe(&self) -> String {
        match self {
            AuthChoice::Profile { name, kind } => {
                format!("AWS profile \"{name}\" ({})", kind.label())
            }
            AuthChoice::Bearer { key } => format!("Bedrock API key {}", secret::fingerprint(key)),
            AuthChoice::Keys {
                profile,
                access_key_id,
                ..
            } => {
                format!("access key {access_key_id} stored as profile \"{profile}\"")
            }
            AuthChoice::Env => "the credentials already in the environment".into(),
        }
    }

    fn profile_name(&self) -> Option<&str> {
        match self {
            AuthChoice::Profile { name, .. } => Some(name),
            AuthChoice::Keys { profile, .. } => Some(profile),
            _ => None,
        }
    }
}

/// One probed candidate.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeResult {
    pub tier: &'static str,
    pub id: String,
    pub model: Option<String>,
    pub invoke: Probe,
    pub stream: Probe,
}

impl ProbeResult {
    pub fn works(&self) -> bool {
        self.invoke.ok && self.stream.ok
    }

    /// "model access not enabled", "bedrock:InvokeModel denied", …
    pub fn reason(&self) -> String {
        let failure = self
            .invoke
            .failure
            .as_ref()
            .or(self.stream.failure.as_ref());
        match failure {
            None => "answers".into(),
            Some(f) => f.short_reason(),
        }
    }
}

/// The chosen pins: `None` leaves a tier unpinned (Claude Code's default).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pins {
    pub primary: Option<String>,
    pub opus: Option<String>,
    pub sonnet: Option<String>,
    pub haiku: Option<String>,
}

/// What setup did, for the finish message and `--json`.
#[derive(Debug)]
pub struct Outcome {
    pub auth: AuthChoice,
    pub region: String,
    pub scope: Scope,
    pub pins: Pins,
    pub probes: Vec<ProbeResult>,
    pub plan: Plan,
    pub credentials_plan: Option<Plan>,
    pub applied: Option<Applied>,
    pub credentials_applied: Option<Applied>,
    pub warnings: Vec<String>,
    pub dry_run: bool,
    /// The changes were already previewed on the terminal.
    pub previewed: bool,
}

/// Where the wizard reports progress: stderr, drawn only on a terminal.
pub struct Ui {
    pub progress: bool,
    /// Print step headings and notes (false under --json).
    pub chatty: bool,
}

impl Ui {
    fn heading(&self, text: &str) {
        if self.chatty {
            eprintln!("\n{}", style(text).bold().for_stderr());
        }
    }

    fn note(&self, text: &str) {
        if self.chatty {
            eprintln!("  {text}");
        }
    }

    fn warn(&self, text: &str) {
        if self.chatty {
            eprintln!("  {} {text}", style("!").yellow().for_stderr());
        }
    }
}

pub struct Wizard<'a> {
    pub args: &'a SetupArgs,
    /// The real process: environment, directories, clock. Global --profile/--region are answers.
    pub inputs: Inputs,
    pub profile_flag: Option<String>,
    pub region_flag: Option<String>,
    pub prompter: Option<&'a mut dyn Prompter>,
    pub ui: Ui,
    pub timeout: Duration,
    /// Read by `--bearer-key-stdin`.
    pub stdin_key: Option<String>,
    warnings: Vec<String>,
}

impl<'a> Wizard<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        args: &'a SetupArgs,
        inputs: Inputs,
        profile_flag: Option<String>,
        region_flag: Option<String>,
        prompter: Option<&'a mut dyn Prompter>,
        ui: Ui,
        timeout: Duration,
        stdin_key: Option<String>,
    ) -> Wizard<'a> {
        Wizard {
            args,
            inputs,
            profile_flag,
            region_flag,
            prompter,
            ui,
            timeout,
            stdin_key,
            warnings: Vec::new(),
        }
    }

    fn interactive(&self) -> bool {
        self.prompter.is_some() && !self.args.yes
    }

    fn warn(&mut self, text: String) {
        self.ui.warn(&text);
        self.warnings.push(text);
    }

    pub async fn run(mut self) -> Result<Outcome, SetupError> {
        let current = EffectiveConfig::resolve(&self.inputs).await;

        self.ui.heading("1. Authentication");
        let auth = self.choose_auth(&current).await?;
        self.ui.note(&format!("→ {}", auth.describe()));

        // The region Claude Code will resolve once the chosen credentials apply (a profile's own
        // region, say): what the region step offers, and never overrides unasked.
        let with_auth = self.resolved_with(&auth).await;
        let mut region_answer = self.region_flag.clone();
        let (region, write_region, pending, list) = loop {
            self.ui.heading("2. Region");
            let (region, write) = self.choose_region(&with_auth, &auth, region_answer.take())?;
            let pending = self.pending_config(&auth, &region).await;
            if self.args.no_probe {
                self.ui
                    .note("--no-probe: no verification, discovery or probes");
                break (region, write, pending, None);
            }
            let clients = Clients::build(&pending, self.timeout).await;

            self.ui.heading("3. Verify");
            self.verify(&pending, &clients, &auth).await?;

            self.ui.heading("4. Discover");
            let list = self.discover(&pending, &clients).await?;
            let anthropic = list.profiles.iter().filter(|p| p.is_anthropic()).count();
            if anthropic == 0 {
                self.warn(format!(
                    "{region} offers this account no Anthropic inference profiles"
                ));
                if self.interactive() && self.prompt_confirm("Choose another region?", true)? {
                    continue;
                }
            }
            break (region, write, pending, Some((list, clients)));
        };

        let candidates = match &list {
            Some((list, _)) => candidates(list, &region),
            None => Vec::new(),
        };
        let probes = match &list {
            Some((_, clients)) => {
                self.ui.heading("5. Probe");
                let explicit = self.explicit_pins();
                self.probe(clients, &candidates, &explicit).await
            }
            None => Vec::new(),
        };

        self.ui.heading("6. Pin models");
        let pins = self.choose_pins(&current, &candidates, &probes, &region)?;

        let refresh = self.choose_refresh(&current, &auth, &pending)?;

        self.ui.heading("8. Preview");
        let scope = self.choose_scope()?;
        let target = scope.path(&self.inputs.locations);
        let edit = edit_for(
            &current,
            &auth,
            write_region.then_some(region.as_str()),
            &pins,
            refresh,
            &target,
        );
        let plan = writer::plan(&target, scope, &edit)?;
        for note in &plan.notes {
            self.warn(note.clone());
        }
        let credentials_plan = match &auth {
            AuthChoice::Keys {
                profile,
                access_key_id,
                secret,
            } => {
                let path = current.aws_files.credentials.path.clone();
                Some(aws_credentials::plan(&path, profile, access_key_id, secret).await?)
            }
            _ => None,
        };
        self.check_precedence(&current, scope, &edit, &auth);
        // The preview precedes the question; under --yes the result itself lists the changes.
        let interactive = self.interactive();
        if self.ui.chatty && interactive {
            eprint!(
                "{}",
                crate::render::setup::render_changes(
                    &plan,
                    credentials_plan.as_ref(),
                    current.home()
                )
            );
        }

        let mut outcome = Outcome {
            auth,
            region,
            scope,
            pins,
            probes,
            plan,
            credentials_plan,
            applied: None,
            credentials_applied: None,
            warnings: Vec::new(),
            dry_run: self.args.dry_run,
            previewed: interactive && self.ui.chatty,
        };
        let nothing_to_do =
            outcome.plan.is_noop() && outcome.credentials_plan.as_ref().is_none_or(Plan::is_noop);
        if self.args.dry_run || nothing_to_do {
            outcome.warnings = self.warnings;
            return Ok(outcome);
        }
        if self.interactive() {
            let question = format!(
                "Write these changes to {}?",
                current.tilde(&outcome.plan.target)
            );
            if !self.prompt_confirm(&question, true)? {
                return Err(SetupError::Cancelled);
            }
        }

        // 9. Apply: the only writes, with signals held off until both are done.
        let (written, signal) = super::terminal::while_applying(|| {
            let credentials = outcome
                .credentials_plan
                .as_ref()
                .map(writer::apply)
                .transpose()?;
            let settings = writer::apply(&outcome.plan)?;
            Ok::<_, SetupError>((credentials, settings))
        });
        let (credentials, settings) = written?;
        outcome.credentials_applied = credentials;
        outcome.applied = Some(settings);
        if signal.is_some() {
            self.warn("interrupted while writing: the changes were completed first, so no file is half-changed".into());
        }
        outcome.warnings = self.warnings;
        Ok(outcome)
    }

    fn prompt_select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, SetupError> {
        match self.prompter.as_deref_mut() {
            Some(p) if !self.args.yes => Ok(p.select(prompt, items, default)?),
            _ => Ok(default),
        }
    }

    fn prompt_confirm(&mut self, prompt: &str, default: bool) -> Result<bool, SetupError> {
        match self.prompter.as_deref_mut() {
            Some(p) if !self.args.yes => Ok(p.confirm(prompt, default)?),
            _ => Ok(default),
        }
    }

    // ── 1. Authentication ────────────────────────────────────────────────────────────────────

    async fn choose_auth(&mut self, current: &EffectiveConfig) -> Result<AuthChoice, SetupError> {
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

    // ── 2. Region ────────────────────────────────────────────────────────────────────────────

    /// The region, and whether setup writes it (`AWS_REGION`): an explicit choice is written;
    /// the region Claude Code already resolves from the chosen profile is not, so that the
    /// profile stays the one place it is set.
    fn choose_region(
        &mut self,
        current: &EffectiveConfig,
        auth: &AuthChoice,
        flag: Option<String>,
    ) -> Result<(String, bool), SetupError> {
        let resolved = current.region.value.clone();
        let from_profile = matches!(
            current.region.source,
            crate::config::region::RegionSource::Profile { .. }
        );
        let explicit = flag.is_some();
        let key_region = match auth {
            AuthChoice::Bearer { key } => bearer::analyze(key).region().map(str::to_string),
            _ => None,
        };
        let region = match flag {
            Some(region) => region,
            None if self.interactive() => {
                let mut items = vec![format!(
                    "{resolved} — from {}",
                    current.region.source.describe(current.home())
                )];
                let mut values = vec![resolved.clone()];
                if let Some(r) = &key_region
                    && r != &resolved
                {
                    items.push(format!("{r} — the region the API key was made for"));
                    values.push(r.clone());
                }
                let others: Vec<&str> = REGION_CHOICES
                    .iter()
                    .copied()
                    .filter(|r| !values.iter().any(|v| v == r))
                    .collect();
                for r in others {
                    items.push(r.to_string());
                    values.push(r.to_string());
                }
                items.push("Another region…".into());
                let default = if key_region.as_deref().is_some_and(|r| r != resolved) {
                    1
                } else {
                    0
                };
                let picked =
                    self.prompt_select("Which region should Claude Code use?", &items, default)?;
                if picked < values.len() {
                    values[picked].clone()
                } else {
                    loop {
                        let Some(prompter) = self.prompter.as_deref_mut() else {
                            return Err(SetupError::Cancelled);
                        };
                        let typed = prompter.input("Region code", None)?;
                        if is_region_shaped(typed.trim()) {
                            break typed.trim().to_string();
                        }
                        self.ui
                            .warn("a region code looks like us-east-1; try again");
                    }
                }
            }
            None => key_region.clone().unwrap_or_else(|| resolved.clone()),
        };
        if !is_region_shaped(&region) {
            return Err(SetupError::Usage {
                message: format!("\"{region}\" is not a region code"),
                fix: "Pass a region such as --region us-east-1.".into(),
            });
        }
        if let Some(key_region) = key_region
            && key_region != region
        {
            self.warn(format!(
                "the API key was made for {key_region}; short-term keys work only in their own region, so calls to {region} will be rejected"
            ));
        }
        let write = explicit || region != resolved || !from_profile;
        if !write {
            self.ui.note(&format!(
                "→ {region}, as {} says; AWS_REGION is not written",
                current.region.source.describe(current.home())
            ));
        }
        Ok((region, write))
    }

    /// The configuration as Claude Code will see it with the chosen credentials and nothing
    /// else changed: in particular, the region it resolves.
    async fn resolved_with(&self, auth: &AuthChoice) -> EffectiveConfig {
        let mut inputs = self.inputs.clone();
        inputs.overrides = pending_overrides(auth, None);
        EffectiveConfig::resolve(&inputs).await
    }

    /// The configuration as it will be once written: the choices laid over the real one.
    async fn pending_config(&self, auth: &AuthChoice, region: &str) -> EffectiveConfig {
        let mut inputs = self.inputs.clone();
        inputs.overrides = pending_overrides(auth, Some(region));
        EffectiveConfig::resolve(&inputs).await
    }

    // ── 3. Verify ────────────────────────────────────────────────────────────────────────────

    async fn verify(
        &mut self,
        pending: &EffectiveConfig,
        clients: &Clients,
        auth: &AuthChoice,
    ) -> Result<(), SetupError> {
        let spinner = self.spinner("Checking the credentials…");
        let (operation, action, endpoint, result) = match auth {
            AuthChoice::Bearer { .. } => (
                "ListInferenceProfiles",
                "bedrock:ListInferenceProfiles",
                clients.control_endpoint.clone(),
                ops::list_profiles(clients).await.map(|l| {
                    format!(
                        "the API key works ({} inference profiles visible)",
                        l.profiles.len()
                    )
                }),
            ),
            _ => (
                "GetCallerIdentity",
                "sts:GetCallerIdentity",
                "STS".to_string(),
                ops::caller_identity(clients)
                    .await
                    .map(|id| format!("signed in as {} (account {})", id.arn, id.account)),
            ),
        };
        if let Some(spinner) = spinner {
            spinner.finish_and_clear();
        }
        if let Some(err) = &clients.credential_error {
            return self.refuse_or_continue(err.message.clone(), err.fix.clone());
        }
        match result {
            Ok(message) => {
                self.ui
                    .note(&format!("{} {message}", style("✓").green().for_stderr()));
                Ok(())
            }
            Err(failure) => {
                let attempt = Attempt {
                    operation,
                    action,
                    endpoint: &endpoint,
                    model: None,
                    auth: clients.auth,
                    profiles: None,
                };
                let e = explain(&failure, &attempt, pending);
                self.refuse_or_continue(e.summary, e.fix)
            }
        }
    }

    fn refuse_or_continue(&mut self, message: String, fix: String) -> Result<(), SetupError> {
        self.ui
            .note(&format!("{} {message}", style("✗").red().for_stderr()));
        self.ui
            .note(&format!("{} {fix}", style("fix:").cyan().for_stderr()));
        if self.args.force {
            self.warnings.push(format!(
                "verification failed, continuing because of --force: {message}"
            ));
            return Ok(());
        }
        if self.interactive() && self.prompt_confirm("Continue anyway?", false)? {
            self.warnings
                .push(format!("verification failed: {message}"));
            return Ok(());
        }
        Err(SetupError::Refused { message, fix })
    }

    // ── 4. Discover ──────────────────────────────────────────────────────────────────────────

    async fn discover(
        &mut self,
        pending: &EffectiveConfig,
        clients: &Clients,
    ) -> Result<ProfileList, SetupError> {
        let spinner = self.spinner("Listing inference profiles…");
        let result = ops::list_profiles(clients).await;
        if let Some(spinner) = spinner {
            spinner.finish_and_clear();
        }
        match result {
            Ok(list) => {
                let anthropic = list.profiles.iter().filter(|p| p.is_anthropic()).count();
                self.ui.note(&format!(
                    "{} inference profiles in {}, {anthropic} of them Anthropic",
                    list.profiles.len(),
                    pending.region.value
                ));
                Ok(list)
            }
            Err(failure) => {
                let attempt = Attempt::list_profiles(clients);
                let e = explain(&failure, &attempt, pending);
                self.refuse_or_continue(e.summary, e.fix)?;
                Ok(ProfileList::default())
            }
        }
    }

    // ── 5. Probe ─────────────────────────────────────────────────────────────────────────────

    fn explicit_pins(&self) -> Vec<(&'static str, String)> {
        [
            ("opus", &self.args.opus),
            ("sonnet", &self.args.sonnet),
            ("haiku", &self.args.haiku),
            ("primary", &self.args.model),
        ]
        .into_iter()
        .filter_map(|(tier, id)| id.as_ref().map(|id| (tier, ModelId::parse(id).id)))
        .collect()
    }

    async fn probe(
        &self,
        clients: &Clients,
        candidates: &[Candidate],
        explicit: &[(&'static str, String)],
    ) -> Vec<ProbeResult> {
        let mut targets: Vec<(&'static str, String, Option<String>)> = candidates
            .iter()
            .map(|c| (c.tier, c.id.clone(), c.model.clone()))
            .collect();
        for (tier, id) in explicit {
            if !targets.iter().any(|(_, t, _)| t == id) {
                targets.push((tier, id.clone(), ModelName::parse(id).map(|n| n.display())));
            }
        }
        let multi = self.ui.progress.then(indicatif::MultiProgress::new);
        let style_running = indicatif::ProgressStyle::with_template("  {spinner} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
        let permits = Arc::new(tokio::sync::Semaphore::new(PROBE_CONCURRENCY));
        let results = join_all(targets.iter().map(|(tier, id, model)| {
            let bar = multi.as_ref().map(|m| {
                let bar = m.add(indicatif::ProgressBar::new_spinner());
                bar.set_style(style_running.clone());
                bar.set_message(id.clone());
                bar.enable_steady_tick(Duration::from_millis(100));
                bar
            });
            let permits = permits.clone();
            async move {
                let _permit = permits.acquire().await;
                let (invoke, stream) = tokio::join!(
                    ops::invoke(clients, id, None),
                    ops::invoke_stream(clients, id, None)
                );
                let result = ProbeResult {
                    tier,
                    id: id.clone(),
                    model: model.clone(),
                    invoke,
                    stream,
                };
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                }
                result
            }
        }))
        .await;
        if let Some(multi) = multi {
            let _ = multi.clear();
        }
        // The results once all are in, in columns: what answered, how fast, or why not.
        if self.ui.chatty {
            let width = results
                .iter()
                .map(|r| r.id.chars().count())
                .max()
                .unwrap_or(0);
            for result in &results {
                eprintln!("  {}", crate::render::setup::probe_line(result, width));
            }
        }
        results
    }

    // ── 6. Pin ───────────────────────────────────────────────────────────────────────────────

    fn choose_pins(
        &mut self,
        current: &EffectiveConfig,
        candidates: &[Candidate],
        probes: &[ProbeResult],
        region: &str,
    ) -> Result<Pins, SetupError> {
        let mut pins = Pins::default();
        for family in Family::ALL {
            let tier = family.name();
            let variable = format!("ANTHROPIC_DEFAULT_{}_MODEL", tier.to_ascii_uppercase());
            let flag = match family {
                Family::Opus => self.args.opus.clone(),
                Family::Sonnet => self.args.sonnet.clone(),
                Family::Haiku => self.args.haiku.clone(),
            };
            let existing = current.env.get(&variable).map(str::to_string);
            let chosen = self.choose_tier(family, flag, existing, candidates, probes, region)?;
            match family {
                Family::Opus => pins.opus = chosen,
                Family::Sonnet => pins.sonnet = chosen,
                Family::Haiku => pins.haiku = chosen,
            }
        }
        pins.primary = self.choose_primary(current, &pins, probes)?;
        self.choose_one_million(&mut pins, current)?;
        Ok(pins)
    }

    fn choose_tier(
        &mut self,
        family: Family,
        flag: Option<String>,
        existing: Option<String>,
        candidates: &[Candidate],
        probes: &[ProbeResult],
        region: &str,
    ) -> Result<Option<String>, SetupError> {
        let tier = family.name();
        let probe_of = |id: &str| probes.iter().find(|p| p.id == ModelId::parse(id).id);
        if let Some(id) = flag {
            self.check_pin(tier, &id, probe_of(&id))?;
            return Ok(Some(id));
        }
        let mine: Vec<&Candidate> = candidates.iter().filter(|c| c.family == family).collect();
        let newest_working = mine
            .iter()
            .find(|c| probe_of(&c.id).is_some_and(ProbeResult::works))
            .map(|c| c.id.clone());
        let existing_works = existing
            .as_deref()
            .map(|e| probe_of(e).is_none_or(ProbeResult::works))
            .unwrap_or(false);
        if !self.interactive() {
            // Keep a pin that works (or was not probed); otherwise the newest working model.
            return Ok(match (&existing, existing_works, &newest_working) {
                (Some(existing), true, _) => Some(existing.clone()),
                (_, _, Some(newest)) => Some(newest.clone()),
                (Some(existing), false, None) => {
                    self.warn(format!("the {tier} pin {existing} does not answer and no other {tier} model does; it was kept"));
                    Some(existing.clone())
                }
                (None, _, None) => None,
            });
        }
        let mut items = Vec::new();
        let mut values: Vec<Option<String>> = Vec::new();
        if let Some(existing) = &existing
            && !mine.iter().any(|c| c.id == *existing)
        {
            let status = match probe_of(existing) {
                Some(p) if p.works() => "✓".to_string(),
                Some(p) => format!("✗ {}", p.reason()),
                None => String::new(),
            };
            items.push(format!("Keep the current pin {existing} {status}"));
            values.push(Some(existing.clone()));
        }
        for c in &mine {
            let status = match probe_of(&c.id) {
                Some(p) if p.works() => "✓".to_string(),
                Some(p) => format!("✗ {}", p.reason()),
                None => "(not probed)".to_string(),
            };
            items.push(format!(
                "{} — {} {status}",
                c.id,
                c.model.as_deref().unwrap_or("")
            ));
            values.push(Some(c.id.clone()));
        }
        let newest = crate::config::models::tier_default(family, default_prefix_for_region(region));
        items.push(format!(
            "Leave unpinned (Claude Code tries its own candidates, from {newest})"
        ));
        values.push(None);
        let default = existing
            .as_ref()
            .and_then(|e| values.iter().position(|v| v.as_deref() == Some(e.as_str())))
            .filter(|_| existing_works)
            .or_else(|| {
                newest_working
                    .as_ref()
                    .and_then(|n| values.iter().position(|v| v.as_deref() == Some(n.as_str())))
            })
            .unwrap_or(values.len() - 1);
        loop {
            let picked = self.prompt_select(&format!("Pin the {tier} tier to"), &items, default)?;
            let value = values[picked].clone();
            if let Some(id) = &value
                && let Some(probe) = probe_of(id)
                && !probe.works()
            {
                let question = format!("{id} did not answer ({}). Pin it anyway?", probe.reason());
                if !self.prompt_confirm(&question, false)? {
                    continue;
                }
                self.warnings.push(format!(
                    "{tier}: pinned {id} although it did not answer ({})",
                    probe.reason()
                ));
            }
            return Ok(value);
        }
    }

    /// A pin given on the command line must answer its probe, unless --force.
    fn check_pin(
        &mut self,
        tier: &str,
        id: &str,
        probe: Option<&ProbeResult>,
    ) -> Result<(), SetupError> {
        let Some(probe) = probe else { return Ok(()) };
        if probe.works() {
            return Ok(());
        }
        let message = format!(
            "the {tier} model {id} did not answer its probe: {}",
            probe.reason()
        );
        if self.args.force {
            self.warnings
                .push(format!("{message} (pinned because of --force)"));
            return Ok(());
        }
        Err(SetupError::Refused {
            message,
            fix: "Pick a model that answers (`claude-bedrock models --probe` lists them), or pass --force to pin it anyway.".into(),
        })
    }

    fn choose_primary(
        &mut self,
        current: &EffectiveConfig,
        pins: &Pins,
        probes: &[ProbeResult],
    ) -> Result<Option<String>, SetupError> {
        if let Some(id) = self.args.model.clone() {
            let probe = probes.iter().find(|p| p.id == ModelId::parse(&id).id);
            self.check_pin("primary", &id, probe)?;
            return Ok(Some(id));
        }
        let existing = current.env.get("ANTHROPIC_MODEL").map(str::to_string);
        if !self.interactive() {
            return Ok(existing);
        }
        let mut items = vec![format!(
            "Not set: Claude Code starts on the {} tier",
            crate::config::models::default_primary_tier().name()
        )];
        let mut values: Vec<Option<String>> = vec![None];
        if let Some(existing) = &existing {
            items.push(format!("Keep the current primary model {existing}"));
            values.push(Some(existing.clone()));
        }
        for (label, pin) in [
            ("Opus", &pins.opus),
            ("Sonnet", &pins.sonnet),
            ("Haiku", &pins.haiku),
        ] {
            if let Some(pin) = pin
                && existing.as_deref() != Some(pin.as_str())
            {
                items.push(format!("The {label} pin: {pin}"));
                values.push(Some(pin.clone()));
            }
        }
        let default = if existing.is_some() { 1 } else { 0 };
        let picked = self.prompt_select("Primary model (ANTHROPIC_MODEL)", &items, default)?;
        Ok(values[picked].clone())
    }

    fn choose_one_million(
        &mut self,
        pins: &mut Pins,
        current: &EffectiveConfig,
    ) -> Result<(), SetupError> {
        for slot in [&mut pins.opus, &mut pins.sonnet, &mut pins.primary] {
            let Some(pin) = slot.as_mut() else { continue };
            let id = ModelId::parse(pin);
            let Some(model) = id.model.filter(|m| m.supports_1m()) else {
                continue;
            };
            let already = id.one_million_context;
            let want = if self.args.one_million {
                true
            } else if self.interactive() {
                let had = current
                    .env
                    .iter()
                    .any(|(_, v)| v.value == format!("{}[1m]", id.id));
                self.prompt_confirm(
                    &format!(
                        "Use {} with the 1M-token context window ([1m])?",
                        model.display()
                    ),
                    already || had,
                )?
            } else {
                already
            };
            *pin = if want {
                format!("{}[1m]", id.id)
            } else {
                id.id.clone()
            };
        }
        Ok(())
    }

    // ── 7. SSO refresh ───────────────────────────────────────────────────────────────────────

    fn choose_refresh(
        &mut self,
        current: &EffectiveConfig,
        auth: &AuthChoice,
        pending: &EffectiveConfig,
    ) -> Result<Option<bool>, SetupError> {
        if self.args.aws_auth_refresh {
            if !matches!(auth, AuthChoice::Profile { .. }) {
                return Err(SetupError::Usage {
                    message: "--aws-auth-refresh needs an SSO profile (--auth profile)".into(),
                    fix: "Drop --aws-auth-refresh, or use --auth profile with an SSO profile."
                        .into(),
                });
            }
            return Ok(Some(true));
        }
        if self.args.no_aws_auth_refresh {
            return Ok(Some(false));
        }
        let AuthChoice::Profile { name, kind } = auth else {
            return Ok(None);
        };
        if !kind.is_sso() || !self.interactive() {
            return Ok(None);
        }
        self.ui.heading("7. SSO refresh");
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
        Ok(Some(answer))
    }

    // ── 8. Scope and preview ────────────────────────────────────────────────────────────────

    fn choose_scope(&mut self) -> Result<Scope, SetupError> {
        let scope = match self.args.scope {
            Some(ScopeArg::User) => Scope::User,
            Some(ScopeArg::Local) => Scope::Local,
            Some(ScopeArg::Project) => Scope::Project,
            None if self.interactive() => {
                let items = vec![
                    "user: ~/.claude/settings.json — every project on this machine".to_string(),
                    "local: .claude/settings.local.json — this project only, not committed".to_string(),
                    "project: .claude/settings.json — this project, committed and shared (no secrets)".to_string(),
                ];
                match self.prompt_select(
                    "Which settings file should hold the configuration?",
                    &items,
                    0,
                )? {
                    0 => Scope::User,
                    1 => Scope::Local,
                    _ => Scope::Project,
                }
            }
            None => Scope::User,
        };
        Ok(scope)
    }

    /// Warns when a layer above the target file sets a key differently: the write would not apply.
    fn check_precedence(
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

    fn spinner(&self, message: &str) -> Option<indicatif::ProgressBar> {
        if !self.ui.progress {
            if self.ui.chatty {
                eprintln!("  {message}");
            }
            return None;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Some(bar)
    }
}

/// A model that can be pinned for a tier.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub tier: &'static str,
    pub family: Family,
    /// What gets pinned: the profile ID, or the ARN of an application profile.
    pub id: String,
    pub model: Option<String>,
    recency: (u32, u32, u32),
    /// 0: the region's own prefix, 1: another prefix (global.), 2: an application profile.
    rank: u8,
}

/// Per tier: the Anthropic profiles callable from `region`, newest first, the region's own
/// prefix first, application profiles included; the newest few of each.
pub fn candidates(list: &ProfileList, region: &str) -> Vec<Candidate> {
    let home_prefix = default_prefix_for_region(region);
    let mut all: Vec<Candidate> = list
        .profiles
        .iter()
        .filter(|p| p.is_anthropic() && p.status == "ACTIVE")
        .filter_map(|p: &ProfileSummary| {
            let name = ModelName::parse(&p.id)
                .or_else(|| p.models.iter().find_map(|m| ModelName::parse(m)))?;
            let (id, rank) = if p.is_application() {
                (p.arn.clone(), 2)
            } else {
                let prefix = p.id.split('.').next().unwrap_or("");
                if prefix_fit(prefix, region) != PrefixFit::Fits {
                    return None;
                }
                (p.id.clone(), if prefix == home_prefix { 0 } else { 1 })
            };
            Some(Candidate {
                tier: name.family.name(),
                family: name.family,
                id,
                model: Some(name.display()),
                recency: name.recency(),
                rank,
            })
        })
        .collect();
    all.sort_by(|a, b| {
        (a.family as u8)
            .cmp(&(b.family as u8))
            .then(b.recency.cmp(&a.recency))
            .then(a.rank.cmp(&b.rank))
            .then(a.id.cmp(&b.id))
    });
    let mut picked = Vec::new();
    for family in Family::ALL {
        picked.extend(
            all.iter()
                .filter(|c| c.family == family)
                .take(CANDIDATES_PER_TIER)
                .cloned(),
        );
    }
    picked
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
        AuthChoice::Env => {
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
        AuthChoice::Env => {
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
            )
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
