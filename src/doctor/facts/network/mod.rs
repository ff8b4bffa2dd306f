//! `network.proxy` and `network.tls`: the path from this machine to every endpoint Claude Code and
//! its AWS credential chain call — which proxy each request takes (or why it skips it), whether
//! the proxy lets it through, and who issued the TLS chain that arrives. A chain that only a
//! private CA verifies is TLS interception; the check then follows that CA to Claude Code
//! (`NODE_EXTRA_CA_CERTS`, read by Node at start-up only) and to the AWS CLI (`AWS_CA_BUNDLE`).
//!
//! The facts are gathered once ([`gather`]) and the checks are plain functions of them, so that
//! `sso.refresh-loop` can read the SSO path ([`SsoPath`]) without running anything twice.

use std::path::PathBuf;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::time::Instant;

use crate::config::EffectiveConfig;
use crate::config::source::Source;
use crate::net::http::ClientTrust;
use crate::net::proxy::{Decision, ProxyEnv};
use crate::net::tls::{self, CaFile, CertInfo, Chain, RootSet, Verdict};
use crate::net::{NetError, Scheme, Target};

use crate::aws::endpoints::{Endpoints, Url, shown};

mod endpoints;
mod trust;

pub use endpoints::{Endpoint, Role, endpoints};
pub use trust::{CaSetting, TrustEnv};

/// What TLS to one endpoint looked like.
#[derive(Debug, Clone)]
pub struct TlsFacts {
    pub chain: Vec<CertInfo>,
    pub public: Verdict,
    pub claude: Verdict,
    pub aws_cli: Verdict,
    pub system: Option<Verdict>,
    pub node_extra: Option<Verdict>,
    /// What Claude Code would have said had `NODE_EXTRA_CA_CERTS` from settings been read.
    pub node_extra_settings: Option<Verdict>,
    pub aws_ca: Option<Verdict>,
    /// The chain is not publicly trusted and came through a proxy or for an AWS host name.
    pub intercepted: bool,
}

impl TlsFacts {
    /// The issuer of the leaf: who made the certificate the client saw.
    pub fn issuer(&self) -> String {
        self.chain
            .first()
            .map(|c| c.issuer.clone())
            .unwrap_or_else(|| "an unknown issuer".into())
    }

    /// The issuing CA certificate when the server sent it.
    pub fn ca(&self) -> Option<&CertInfo> {
        let issuer = &self.chain.first()?.issuer;
        self.chain.iter().skip(1).find(|c| &c.subject == issuer)
    }
}

#[derive(Debug, Clone)]
pub struct EndpointFacts {
    pub endpoint: Endpoint,
    /// How Claude Code reaches it.
    pub claude: Decision,
    /// How the AWS CLI and SDKs reach it.
    pub aws: Decision,
    /// TCP (and CONNECT) outcome; `None` when nothing was tried.
    pub reach: Option<Result<u64, NetError>>,
    pub tls: Option<Result<TlsFacts, NetError>>,
    pub duration_ms: u64,
}

/// Everything the network checks found.
#[derive(Debug, Clone)]
pub struct NetworkFacts {
    pub proxies: ProxyEnv,
    pub trust: TrustEnv,
    pub endpoints: Vec<EndpointFacts>,
}

/// The SSO login path, as `sso.refresh-loop` needs it: produced here, read there.
#[derive(Debug, Clone, Default)]
pub struct SsoPath {
    pub endpoint: String,
    /// The proxy the login goes through (password masked), for Claude Code or the AWS CLI.
    pub proxy: Option<String>,
    /// The issuer of an intercepting certificate.
    pub intercepted_by: Option<String>,
    /// Why the SSO OIDC endpoint could not be reached.
    pub unreachable: Option<String>,
    /// Whether the path was exercised (false offline: only the configuration was read).
    pub tested: bool,
}

pub(crate) fn proxy_of(decision: &Decision) -> Option<String> {
    match decision {
        Decision::Proxy { url, var } => Some(format!("{} ({var})", url.display)),
        _ => None,
    }
}

impl NetworkFacts {
    pub fn sso_path(&self) -> Option<SsoPath> {
        let facts = self
            .endpoints
            .iter()
            .find(|e| e.endpoint.roles.contains(&Role::SsoOidc))?;
        let intercepted_by = self
            .endpoints
            .iter()
            .filter(|e| e.endpoint.roles.iter().any(|r| r.is_sso()))
            .find_map(|e| match &e.tls {
                Some(Ok(tls)) if tls.intercepted => Some(tls.issuer()),
                _ => None,
            });
        let unreachable = match (&facts.reach, &facts.tls) {
            (Some(Err(err)), _) | (_, Some(Err(err))) => Some(err.message.clone()),
            _ => None,
        };
        Some(SsoPath {
            endpoint: facts.endpoint.url.clone(),
            proxy: proxy_of(&facts.aws).or_else(|| proxy_of(&facts.claude)),
            intercepted_by,
            unreachable,
            tested: true,
        })
    }
}

/// The SSO path from the configuration alone (offline): the proxy it would take.
pub fn sso_path_offline(config: &EffectiveConfig, resolved: &Endpoints) -> Option<SsoPath> {
    let endpoint = endpoints(config, resolved, false)
        .into_iter()
        .find(|e| e.roles.contains(&Role::SsoOidc))?;
    let proxies = ProxyEnv::from_env(&config.env);
    let target = endpoint.target.as_ref().ok()?;
    Some(SsoPath {
        endpoint: endpoint.url.clone(),
        proxy: proxy_of(&proxies.aws_tools(target))
            .or_else(|| proxy_of(&proxies.claude_code(target))),
        ..SsoPath::default()
    })
}

/// Reaches every endpoint at once, as Claude Code would, and handshakes TLS where it speaks it.
pub async fn gather(
    config: &EffectiveConfig,
    endpoints: Vec<Endpoint>,
    trust: TrustEnv,
    timeout: Duration,
) -> NetworkFacts {
    let proxies = ProxyEnv::from_env(&config.env);
    let probes = endpoints
        .into_iter()
        .map(|endpoint| probe(endpoint, &proxies, &trust, timeout));
    let endpoints = join_all(probes).await;
    NetworkFacts {
        proxies,
        trust,
        endpoints,
    }
}

pub(crate) async fn probe(
    endpoint: Endpoint,
    proxies: &ProxyEnv,
    trust: &TrustEnv,
    timeout: Duration,
) -> EndpointFacts {
    let started = Instant::now();
    let mut facts = EndpointFacts {
        claude: Decision::Direct,
        aws: Decision::Direct,
        reach: None,
        tls: None,
        duration_ms: 0,
        endpoint,
    };
    let Ok(target) = facts.endpoint.target.clone() else {
        return facts;
    };
    facts.claude = proxies.claude_code(&target);
    facts.aws = proxies.aws_tools(&target);
    let Some(route) = facts.claude.route() else {
        return facts;
    };
    let deadline = started + timeout;
    let io = match crate::net::open(&target, &route, deadline).await {
        Ok(io) => {
            facts.reach = Some(Ok(started.elapsed().as_millis() as u64));
            io
        }
        Err(err) => {
            facts.reach = Some(Err(err));
            facts.duration_ms = started.elapsed().as_millis() as u64;
            return facts;
        }
    };
    if target.scheme == Scheme::Https {
        let via_proxy = matches!(facts.claude, Decision::Proxy { .. });
        facts.tls = Some(
            tls::handshake(io, &target.host, &[], deadline)
                .await
                .map(|(_, chain)| judge(&chain, &target.host, trust, via_proxy)),
        );
    }
    facts.duration_ms = started.elapsed().as_millis() as u64;
    facts
}

pub(crate) fn is_aws_host(host: &str) -> bool {
    host.ends_with(".amazonaws.com")
        || host.ends_with(".api.aws")
        || host.ends_with(".amazonaws.com.cn")
}

pub(crate) fn judge(chain: &Chain, host: &str, trust: &TrustEnv, via_proxy: bool) -> TlsFacts {
    let file_verdict = |s: &Option<CaSetting>| s.as_ref().and_then(|s| s.file.verify(chain, host));
    let public = RootSet::public().verify(chain, host);
    TlsFacts {
        chain: chain.iter().filter_map(|c| CertInfo::parse(c)).collect(),
        intercepted: !public.is_trusted()
            && public != Verdict::WrongName
            && (via_proxy || is_aws_host(host)),
        claude: trust.claude_code().judge(chain, host),
        aws_cli: trust.aws_cli().judge(chain, host),
        system: trust.system.as_ref().map(|s| s.verify(chain, host)),
        node_extra: file_verdict(&trust.node_extra),
        node_extra_settings: file_verdict(&trust.node_extra_settings),
        aws_ca: file_verdict(&trust.aws_ca),
        public,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Inputs;
    use crate::config::settings::SettingsLocations;
    use std::collections::BTreeMap;

    fn config(env: &[(&str, &str)]) -> EffectiveConfig {
        let dir = std::env::temp_dir().join("claude-bedrock-network-unit");
        let inputs = Inputs {
            process_env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            home: Some(dir.join("home")),
            locations: SettingsLocations {
                managed_dir: dir.join("managed"),
                project_dir: dir.join("project"),
                claude_config_dir: dir.join("home/.claude"),
            },
            profile_flag: None,
            region_flag: None,
            now: time::OffsetDateTime::now_utc(),
            overrides: Vec::new(),
        };
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(EffectiveConfig::resolve(&inputs))
    }

    fn resolved(c: &EffectiveConfig) -> Endpoints {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(Endpoints::offline(c))
    }

    #[test]
    fn endpoints_follow_the_overrides_and_merge_shared_hosts() {
        let c = config(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL_STS", "https://sts.internal:8443"),
            ("ANTHROPIC_BEDROCK_BASE_URL", "https://gw.internal"),
        ]);
        let list = endpoints(&c, &resolved(&c), false);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].label(), "Bedrock runtime + Bedrock control plane");
        assert_eq!(list[1].url, "https://sts.internal:8443");
        let c = config(&[("AWS_REGION", "eu-west-1")]);
        let list = endpoints(&c, &resolved(&c), false);
        let urls: Vec<&str> = list.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://bedrock-runtime.eu-west-1.amazonaws.com",
                "https://bedrock.eu-west-1.amazonaws.com",
                "https://sts.eu-west-1.amazonaws.com"
            ]
        );
    }

    #[test]
    fn the_small_fast_region_is_an_endpoint_of_its_own() {
        let c = config(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", "us-east-1"),
            (
                "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            ),
            ("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION", "us-west-2"),
        ]);
        let list = endpoints(&c, &resolved(&c), false);
        assert!(
            list.iter().any(
                |e| e.url == "https://bedrock-runtime.us-west-2.amazonaws.com"
                    && e.label() == "Bedrock runtime"
            ),
            "{list:?}"
        );
    }
}
