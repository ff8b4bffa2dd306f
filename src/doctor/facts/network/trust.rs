//! The CA files each client trusts, read once.

use super::*;

/// A CA file configured for one client.
#[derive(Debug, Clone)]
pub struct CaSetting {
    /// `NODE_EXTRA_CA_CERTS`, `AWS_CA_BUNDLE`, or `ca_bundle (profile "dev")`.
    pub setting: String,
    pub value: String,
    pub source: String,
    pub file: CaFile,
}

/// The trust every client starts with, and the CA files configured for each.
#[derive(Debug, Clone)]
pub struct TrustEnv {
    /// `CLAUDE_CODE_CERT_STORE` (default `bundled,system`).
    pub bundled: bool,
    pub system_store: bool,
    pub cert_store_setting: Option<String>,
    /// `NODE_EXTRA_CA_CERTS` exported in the shell: the one Node reads at start-up.
    pub node_extra: Option<CaSetting>,
    /// `NODE_EXTRA_CA_CERTS` from a settings `env` block: too late for Node.
    pub node_extra_settings: Option<CaSetting>,
    /// `AWS_CA_BUNDLE`, else the profile's `ca_bundle`.
    pub aws_ca: Option<CaSetting>,
    pub system: Option<RootSet>,
}

pub(crate) fn expand(value: &str, config: &EffectiveConfig) -> PathBuf {
    match (value.strip_prefix("~/"), config.home()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(value),
    }
}

impl TrustEnv {
    pub fn from_config(config: &EffectiveConfig) -> TrustEnv {
        let store = config.env.get_with_source("CLAUDE_CODE_CERT_STORE");
        let parts: Vec<String> = store
            .map(|(v, _)| {
                v.split(',')
                    .map(|p| p.trim().to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_else(|| vec!["bundled".into(), "system".into()]);
        let setting = |name: &str, value: &str, source: String| CaSetting {
            setting: name.to_string(),
            value: value.to_string(),
            source,
            file: CaFile::load(expand(value, config)),
        };
        let shell_node = config
            .process_env
            .get("NODE_EXTRA_CA_CERTS")
            .filter(|v| !v.is_empty());
        let node_extra =
            shell_node.map(|v| setting("NODE_EXTRA_CA_CERTS", v, "exported in the shell".into()));
        let node_extra_settings = config
            .env
            .get_with_source("NODE_EXTRA_CA_CERTS")
            .filter(|(v, source)| {
                matches!(source, Source::Settings { .. }) && Some(&v.to_string()) != shell_node
            })
            .map(|(v, source)| setting("NODE_EXTRA_CA_CERTS", v, config.describe(source)));
        let aws_ca = config
            .env
            .get_with_source("AWS_CA_BUNDLE")
            .map(|(v, source)| setting("AWS_CA_BUNDLE", v, config.describe(source)))
            .or_else(|| {
                config.profile.info.ca_bundle.as_deref().map(|v| {
                    setting(
                        &format!("ca_bundle (profile \"{}\")", config.profile.name),
                        v,
                        "AWS config file".into(),
                    )
                })
            });
        TrustEnv {
            bundled: parts.iter().any(|p| p == "bundled"),
            system_store: parts.iter().any(|p| p == "system"),
            cert_store_setting: store.map(|(v, s)| format!("{v} ({})", config.describe(s))),
            node_extra,
            node_extra_settings,
            aws_ca,
            system: RootSet::system(),
        }
    }

    /// The roots Claude Code accepts a chain from.
    pub fn claude_code(&self) -> ClientTrust {
        let mut sets = Vec::new();
        if self.bundled {
            sets.push(RootSet::public());
        }
        if self.system_store
            && let Some(system) = &self.system
        {
            sets.push(system.clone());
        }
        if let Some(Ok(extra)) = self.node_extra.as_ref().map(|n| &n.file.roots) {
            sets.push(extra.clone());
        }
        ClientTrust {
            client: "Claude Code",
            sets,
        }
    }

    /// The AWS CLI: its CA bundle replaces its built-in (Mozilla) roots.
    pub(crate) fn aws_cli(&self) -> ClientTrust {
        let sets = match self.aws_ca.as_ref().map(|a| &a.file.roots) {
            Some(Ok(roots)) => vec![roots.clone()],
            Some(Err(_)) => vec![],
            None => vec![RootSet::public()],
        };
        ClientTrust {
            client: "the AWS CLI",
            sets,
        }
    }
}
