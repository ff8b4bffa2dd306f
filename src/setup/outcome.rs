//! What the wizard decides and does, as data: the authentication chosen, the pins, the probes
//! and their answers, the plans and what was written. The flow produces it; the renderers and
//! `--json` read it.

use std::fmt;

use serde::Serialize;

use crate::aws::ops::Probe;
use crate::config::aws_files::ProfileKind;
use crate::secret;
use crate::write::{Applied, Plan, Scope};

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
    /// What the environment already supplies, named ("access key AKID…0001 from
    /// AWS_ACCESS_KEY_ID in this shell"); `exported`: the variables only the shell holds.
    Env {
        found: String,
        exported: Vec<&'static str>,
    },
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
            AuthChoice::Env { .. } => "env",
        }
    }

    /// Whether the settings file would hold a secret (the API key itself).
    pub fn writes_secret(&self) -> bool {
        matches!(self, AuthChoice::Bearer { .. })
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
            } => format!(
                "access key {} as profile \"{profile}\"",
                secret::key_id(access_key_id)
            ),
            AuthChoice::Env { found, .. } => format!("the credentials in the environment: {found}"),
        }
    }

    pub fn profile_name(&self) -> Option<&str> {
        match self {
            AuthChoice::Profile { name, .. } => Some(name),
            AuthChoice::Keys { profile, .. } => Some(profile),
            _ => None,
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

impl Pins {
    /// One line per tier, for a run without prompts to say what it chose.
    pub fn describe(&self) -> Vec<String> {
        [
            ("Opus tier", &self.opus),
            ("Sonnet tier", &self.sonnet),
            ("Haiku tier", &self.haiku),
            ("Primary model", &self.primary),
        ]
        .into_iter()
        .map(|(what, pin)| match pin {
            Some(id) => format!("{what}: {id}"),
            None => format!("{what}: not pinned (Claude Code's default)"),
        })
        .collect()
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
