//! The endpoints the network checks walk, and who calls each.

use super::*;

/// What an endpoint is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    BedrockRuntime,
    BedrockControl,
    Sts,
    SsoOidc,
    SsoPortal,
    Mantle,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::BedrockRuntime => "Bedrock runtime",
            Role::BedrockControl => "Bedrock control plane",
            Role::Sts => "STS",
            Role::SsoOidc => "SSO OIDC",
            Role::SsoPortal => "SSO portal",
            Role::Mantle => "Mantle",
        }
    }

    pub(crate) fn is_sso(self) -> bool {
        matches!(self, Role::SsoOidc | Role::SsoPortal)
    }

    /// Whether Claude Code calls this endpoint with this configuration: Bedrock and Mantle
    /// always; the SSO endpoints for an SSO profile; STS only where its credential chain needs
    /// it (a role to assume, a web identity) or `awsAuthRefresh`'s pre-check runs — never with
    /// a Bedrock API key.
    pub fn used_by_client(self, config: &EffectiveConfig) -> bool {
        use crate::config::aws_files::ProfileKind;
        use crate::config::credentials::CredentialSource;
        match self {
            Role::BedrockRuntime | Role::BedrockControl | Role::Mantle => true,
            Role::SsoOidc | Role::SsoPortal => signs(config),
            Role::Sts => {
                signs(config)
                    && (config.keys.aws_auth_refresh.is_some()
                        || matches!(config.credentials.source, CredentialSource::WebIdentityEnv)
                        || matches!(
                            &config.credentials.source,
                            CredentialSource::Profile {
                                kind: ProfileKind::AssumeRole { .. }
                                    | ProfileKind::WebIdentity { .. },
                                ..
                            }
                        ))
            }
        }
    }
}

/// Whether requests are signed with AWS credentials (not a bearer key, not skipped).
pub(crate) fn signs(config: &EffectiveConfig) -> bool {
    use crate::config::credentials::CredentialSource;
    !matches!(
        config.credentials.source,
        CredentialSource::BearerKey { .. } | CredentialSource::SkipAuth { .. }
    )
}

/// One host the clients will call; endpoints sharing a host and port are merged.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub roles: Vec<Role>,
    pub url: String,
    pub target: Result<Target, String>,
    /// Whether Claude Code itself calls it with this configuration. An endpoint only the
    /// doctor calls (STS for its identity check) is context: its failure is no failure of
    /// Claude Code.
    pub client_calls: bool,
}

impl Endpoint {
    pub fn label(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(" + ")
    }

    pub(crate) fn host(&self) -> String {
        self.target
            .as_ref()
            .map(crate::net::Target::authority)
            .unwrap_or_else(|_| self.url.clone())
    }
}

/// The endpoints of the effective configuration, as resolved for the SDK clients: Bedrock's
/// (with the small/fast model's own region), STS, the SSO endpoints of an SSO profile, and Mantle
/// when it is checked.
pub fn endpoints(config: &EffectiveConfig, resolved: &Endpoints, mantle: bool) -> Vec<Endpoint> {
    let mut list: Vec<(Role, Url)> = Vec::new();
    if config.provider.bedrock.is_some() || !config.provider.any_bedrock() {
        list.push((Role::BedrockRuntime, resolved.runtime.clone()));
        if let Some((_, url)) = &resolved.small_fast_runtime {
            list.push((Role::BedrockRuntime, url.clone()));
        }
        list.push((Role::BedrockControl, resolved.control.clone()));
    }
    // Only signed configurations reach STS at all (the doctor's identity check, or the client).
    if signs(config) {
        list.push((Role::Sts, resolved.sts.clone()));
    }
    if let Some(sso) = &resolved.sso {
        list.push((Role::SsoOidc, sso.oidc.clone()));
        list.push((Role::SsoPortal, sso.portal.clone()));
    }
    if mantle {
        list.push((Role::Mantle, Ok(resolved.mantle.clone())));
    }
    let mut merged: Vec<Endpoint> = Vec::new();
    for (role, url) in list {
        let target = url.as_deref().map_err(Clone::clone).and_then(Target::parse);
        let url = shown(&url);
        let client_calls = role.used_by_client(config);
        if let Some(existing) = merged.iter_mut().find(|e| match (&e.target, &target) {
            (Ok(a), Ok(b)) => a == b,
            _ => e.url == url,
        }) {
            if !existing.roles.contains(&role) {
                existing.roles.push(role);
            }
            existing.client_calls |= client_calls;
            continue;
        }
        merged.push(Endpoint {
            roles: vec![role],
            // Only ever shown: a gateway URL's password stays out of the report.
            url,
            target,
            client_calls,
        });
    }
    merged
}
