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
use crate::net::proxy::{Decision, ProxyEnv, ProxyUrlError};
use crate::net::tls::{self, CaFile, CertInfo, Chain, RootSet, Verdict};
use crate::net::{NetError, NetErrorKind, Phase, Scheme, Target};
use crate::report::{CheckResult, Findings, Skip};

use super::check_id::CheckId;
use crate::aws::endpoints::{Endpoints, Url, shown};

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

    fn is_sso(self) -> bool {
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
fn signs(config: &EffectiveConfig) -> bool {
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

    fn host(&self) -> String {
        self.target
            .as_ref()
            .map(|t| t.authority())
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

fn expand(value: &str, config: &EffectiveConfig) -> PathBuf {
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
    fn aws_cli(&self) -> ClientTrust {
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
    fn ca(&self) -> Option<&CertInfo> {
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

fn proxy_of(decision: &Decision) -> Option<String> {
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

async fn probe(
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

fn is_aws_host(host: &str) -> bool {
    host.ends_with(".amazonaws.com")
        || host.ends_with(".api.aws")
        || host.ends_with(".amazonaws.com.cn")
}

fn judge(chain: &Chain, host: &str, trust: &TrustEnv, via_proxy: bool) -> TlsFacts {
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

fn broken_fix(var: &str, error: &ProxyUrlError, value: &str) -> String {
    match error {
        ProxyUrlError::NoScheme => format!("Write the scheme: {var}=http://{value}"),
        ProxyUrlError::Socks(_) => format!(
            "Claude Code cannot use a SOCKS proxy. Set {var} to an HTTP proxy (http://host:port), or run a local HTTP-to-SOCKS bridge (e.g. `gost -L http://127.0.0.1:3128 -F socks5://…`) and point {var} at it."
        ),
        _ => format!("Set {var} to http://host:port (or http://user:password@host:port)."),
    }
}

pub fn check_proxy(config: &EffectiveConfig, facts: &NetworkFacts) -> CheckResult {
    let (id, title) = CheckId::NetworkProxy.pair();
    let mut findings = Findings::default();
    let proxies = &facts.proxies;
    for var in &proxies.vars {
        findings.note(format!(
            "{} = {} ({})",
            var.name,
            var.display,
            config.describe(&var.source)
        ));
        if let Err(error) = &var.parsed {
            findings.fail(
                format!("{} {}", var.name, error.describe()),
                broken_fix(
                    var.name,
                    error,
                    var.display.split("://").last().unwrap_or(""),
                ),
            );
        }
        if matches!(var.source, Source::Settings { .. }) {
            findings.note(format!(
                "{} comes from a settings file: Claude Code uses it, but `aws` commands run from your shell (aws sso login) do not see it",
                var.name
            ));
        }
    }
    for (lower, upper) in [("https_proxy", "HTTPS_PROXY"), ("http_proxy", "HTTP_PROXY")] {
        let get = |n: &str| proxies.vars.iter().find(|v| v.name == n);
        if let (Some(l), Some(u)) = (get(lower), get(upper))
            && l.display != u.display
        {
            findings.warn(
                format!(
                    "{lower} and {upper} differ: Claude Code uses {lower} ({}), the AWS CLI and SDKs use {upper} ({})",
                    l.display, u.display
                ),
                format!("Give {lower} and {upper} the same value, or unset one of them."),
            );
        }
    }
    for np in &proxies.no_proxy {
        findings.note(format!(
            "{} = {} ({})",
            np.name,
            np.value,
            config.describe(&np.source)
        ));
    }
    let mut proxied = 0;
    let mut bypassed = 0;
    let mut direct = 0;
    for e in &facts.endpoints {
        let label = e.endpoint.label();
        let host = e.endpoint.host();
        if let Err(why) = &e.endpoint.target {
            findings.fail(
                format!("{label}: {why}"),
                "Fix the endpoint URL (ANTHROPIC_BEDROCK_BASE_URL, ANTHROPIC_BEDROCK_MANTLE_BASE_URL or AWS_ENDPOINT_URL_*).".to_string(),
            );
            continue;
        }
        match &e.claude {
            Decision::Proxy { .. } => proxied += 1,
            Decision::Bypassed { .. } => bypassed += 1,
            _ => direct += 1,
        }
        let reach = match &e.reach {
            Some(Ok(ms)) => format!("reached in {ms} ms"),
            Some(Err(err)) => format!("not reached: {}", err.message),
            None => "not tried".into(),
        };
        findings.note(format!("{label} {host}: {}, {reach}", e.claude.describe()));
        if !e.claude.same_path(&e.aws) {
            findings.warn(
                format!(
                    "{label} ({host}): Claude Code goes {}, but the AWS CLI and SDKs go {}",
                    e.claude.describe(),
                    e.aws.describe()
                ),
                disagreement_fix(&e.claude, &e.aws, &host),
            );
        }
        if let Some(Err(err)) = &e.reach {
            let (problem, fix) = unreachable(e, err);
            if e.endpoint.client_calls {
                findings.fail(format!("{label} ({host}): {problem}"), fix);
            } else {
                findings.note(format!(
                    "{label} ({host}): {problem} — Claude Code does not call it with this configuration; only this doctor's identity check does"
                ));
            }
        }
    }
    let (calls, doctor_only): (Vec<_>, Vec<_>) = facts
        .endpoints
        .iter()
        .partition(|e| e.endpoint.client_calls);
    findings.note(format!(
        "Claude Code calls: {}",
        calls
            .iter()
            .map(|e| e.endpoint.label())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !doctor_only.is_empty() {
        findings.note(format!(
            "only this doctor calls: {}",
            doctor_only
                .iter()
                .map(|e| e.endpoint.label())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let tested = facts.endpoints.len();
    let summary = if proxies.is_empty() {
        format!(
            "no proxy configured; {tested} endpoint{} reached directly",
            plural(tested)
        )
    } else {
        let proxy = proxies
            .vars
            .iter()
            .find_map(|v| {
                v.parsed
                    .as_ref()
                    .ok()
                    .map(|u| format!("{} ({})", u.display, v.name))
            })
            .unwrap_or_default();
        let mut parts = vec![format!("{proxied} through {proxy}")];
        if bypassed > 0 {
            parts.push(format!("{bypassed} bypassing it (NO_PROXY)"));
        }
        if direct > 0 {
            parts.push(format!("{direct} direct"));
        }
        format!(
            "{tested} endpoint{} reached: {}",
            plural(tested),
            parts.join(", ")
        )
    };
    findings.into_result(id, title, summary)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn disagreement_fix(claude: &Decision, aws: &Decision, host: &str) -> String {
    match (claude, aws) {
        (Decision::Proxy { .. }, Decision::Bypassed { entry, var }) => format!(
            "Claude Code matches a plain {var} entry only as an exact host name: write \".{}\" (leading dot) instead of \"{entry}\" to bypass the proxy for {host} in both.",
            entry.trim_start_matches(['*', '.'])
        ),
        (Decision::Proxy { var, .. }, Decision::Direct) if var.eq_ignore_ascii_case("http_proxy") => {
            "Claude Code sends HTTPS through http_proxy when no https_proxy is set; the AWS CLI and SDKs do not. Set HTTPS_PROXY to the same proxy so that both take it.".to_string()
        }
        _ => "Make the proxy variables agree (same value in both spellings, NO_PROXY entries written with a leading dot) so that Claude Code and the AWS tools take the same path.".to_string(),
    }
}

fn unreachable(e: &EndpointFacts, err: &NetError) -> (String, String) {
    let var = match &e.claude {
        Decision::Proxy { var, .. } => *var,
        _ => "HTTPS_PROXY",
    };
    match (&err.kind, err.phase) {
        (NetErrorKind::ProxyAuth, _) => (
            err.message.clone(),
            format!(
                "Put the proxy user and password in the URL: {var}=http://user:password@host:port (Claude Code supports Basic authentication only; for NTLM or Kerberos run a local authenticating proxy such as cntlm, or use an LLM gateway)."
            ),
        ),
        (NetErrorKind::ProxyRefused { status }, _) => (
            err.message.clone(),
            format!(
                "Ask the proxy's administrators to allow CONNECT to {} (it answered {status}), or, if the host is reachable directly, add it to NO_PROXY with a leading dot.",
                e.endpoint.host()
            ),
        ),
        (_, Phase::ProxyConnect) | (NetErrorKind::ProxyProtocol, _) | (_, Phase::Tunnel) => (
            format!("the proxy does not answer: {}", err.message),
            format!(
                "Check {var}: is the proxy running and reachable from this machine (VPN)? Unset {var} if this network needs no proxy."
            ),
        ),
        _ => match &e.claude {
            Decision::Bypassed { var, entry } => (
                format!("the {var} entry \"{entry}\" sends it direct, and that fails: {}", err.message),
                format!("Remove \"{entry}\" from {var} so that the request takes the proxy."),
            ),
            _ => (
                err.message.clone(),
                "Check DNS and the firewall for this host; if this network requires a proxy, set HTTPS_PROXY=http://proxy:port (and export it in the shell too, for the AWS CLI).".to_string(),
            ),
        },
    }
}

pub fn check_tls(config: &EffectiveConfig, facts: &NetworkFacts) -> CheckResult {
    let (id, title) = CheckId::NetworkTls.pair();
    let trust = &facts.trust;
    let mut findings = Findings::default();
    if let Some(store) = &trust.cert_store_setting {
        findings.note(format!("CLAUDE_CODE_CERT_STORE = {store}"));
    }
    for setting in [&trust.node_extra, &trust.node_extra_settings, &trust.aws_ca]
        .into_iter()
        .flatten()
    {
        findings.note(format!(
            "{} = {} ({})",
            setting.setting, setting.value, setting.source
        ));
        if let Err(why) = &setting.file.roots {
            findings.warn(
                format!("{} = {}: {why}", setting.setting, setting.value),
                format!(
                    "Point {} at a readable PEM file holding the CA certificate (full path; ~ is not expanded outside a shell).",
                    setting.setting
                ),
            );
        }
    }
    let mut handshakes = 0;
    let mut intercepted_issuers: Vec<String> = Vec::new();
    for e in &facts.endpoints {
        let label = e.endpoint.label();
        let host = e.endpoint.host();
        let Ok(target) = &e.endpoint.target else {
            continue;
        };
        if target.scheme == Scheme::Http {
            findings.note(format!("{label} {host}: plain HTTP, no TLS"));
            continue;
        }
        let tls = match &e.tls {
            None => {
                findings.note(format!("{label} {host}: not reached (see network.proxy)"));
                continue;
            }
            Some(Err(err)) if e.endpoint.client_calls => {
                findings.fail(
                    format!("{label} ({host}): {}", err.message),
                    "Something on the path ends TLS early: check the proxy (network.proxy) and any firewall that inspects TLS.".to_string(),
                );
                continue;
            }
            Some(Err(err)) => {
                findings.note(format!(
                    "{label} ({host}): {} — Claude Code does not call it with this configuration",
                    err.message
                ));
                continue;
            }
            Some(Ok(tls)) => tls,
        };
        handshakes += 1;
        if e.endpoint.client_calls {
            describe_tls(config, trust, &label, &host, target, e, tls, &mut findings);
        } else {
            // What the doctor alone meets is told, not held against Claude Code.
            let mut own = Findings::default();
            describe_tls(config, trust, &label, &host, target, e, tls, &mut own);
            for (_, problem) in own.problems {
                findings.note(format!(
                    "{problem} — Claude Code does not call {label} with this configuration"
                ));
            }
            findings.details.extend(own.details);
        }
        if e.endpoint.client_calls
            && tls.intercepted
            && !intercepted_issuers.contains(&tls.issuer())
        {
            intercepted_issuers.push(tls.issuer());
        }
    }
    if handshakes == 0 && findings.is_clean() {
        let mut check =
            CheckResult::skipped(id, title, Skip::NotInUse, "no HTTPS endpoint was reached");
        check.details = findings.details;
        return check;
    }
    let summary = if intercepted_issuers.is_empty() {
        format!(
            "{handshakes} TLS endpoint{}: publicly trusted chains, no interception",
            plural(handshakes)
        )
    } else {
        format!(
            "TLS is intercepted (certificates issued by {}); the CA is trusted by Claude Code and the AWS CLI",
            intercepted_issuers.join("; ")
        )
    };
    findings.into_result(id, title, summary)
}

#[allow(clippy::too_many_arguments)]
fn describe_tls(
    config: &EffectiveConfig,
    trust: &TrustEnv,
    label: &str,
    host: &str,
    target: &Target,
    e: &EndpointFacts,
    tls: &TlsFacts,
    findings: &mut Findings,
) {
    let issuer = tls.issuer();
    if tls.public.is_trusted() {
        findings.note(format!(
            "{label} {host}: issued by {issuer} (publicly trusted)"
        ));
        return;
    }
    let through = match &e.claude {
        Decision::Proxy { url, .. } => format!(" by the proxy {}", url.display),
        _ => String::new(),
    };
    let what = if tls.intercepted {
        format!("TLS to {host} is intercepted{through}: the certificate is issued by {issuer}")
    } else {
        format!(
            "the certificate of {host} is issued by {issuer}, which is not in the public (Mozilla) roots"
        )
    };
    if let Some(ca) = tls.ca() {
        findings.note(format!(
            "{label}: the issuing CA {} has SHA-256 fingerprint {}",
            ca.subject, ca.sha256
        ));
    }
    if tls.claude == Verdict::WrongName || tls.public == Verdict::WrongName {
        findings.fail(
            format!("{label}: the certificate of {host} is not valid for that name ({issuer})"),
            format!(
                "The endpoint URL must use a host name the certificate covers; check the override that points at {} (ANTHROPIC_BEDROCK_BASE_URL, AWS_ENDPOINT_URL_*).",
                target.host
            ),
        );
        return;
    }
    // The CA file that verifies the chain, when one is configured anywhere: the fix names it.
    let known_file = [
        (&trust.node_extra, &tls.node_extra),
        (&trust.aws_ca, &tls.aws_ca),
        (&trust.node_extra_settings, &tls.node_extra_settings),
    ]
    .into_iter()
    .find_map(|(setting, verdict)| match (setting, verdict) {
        (Some(s), Some(Verdict::Trusted)) => Some(s.value.clone()),
        _ => None,
    });
    let file = known_file
        .clone()
        .unwrap_or_else(|| "~/.certs/corp-ca.pem".into());
    let save = if known_file.is_none() {
        let fp = tls
            .ca()
            .map(|c| format!(", SHA-256 {}", c.sha256))
            .unwrap_or_default();
        // The proxy's admins (or the browser's certificate viewer) can export it.
        format!("Save the CA that issued it ({issuer}{fp}) as a PEM file, e.g. {file}; then:\n")
    } else {
        String::new()
    };
    // The save instruction is said once, before the first export line that needs it.
    let mut save = Some(save);
    let mut claude_via = Vec::new();
    if tls.node_extra == Some(Verdict::Trusted) {
        claude_via.push("NODE_EXTRA_CA_CERTS".to_string());
    }
    if trust.system_store && tls.system == Some(Verdict::Trusted) {
        claude_via.push("the system store".to_string());
    }
    if tls.claude.is_trusted() {
        findings.note(format!(
            "{label}: {what}; Claude Code trusts it ({})",
            claude_via.join(", ")
        ));
    } else {
        let ineffective = match (&trust.node_extra_settings, &tls.node_extra_settings) {
            (Some(setting), Some(Verdict::Trusted)) => format!(
                "; NODE_EXTRA_CA_CERTS holds the right CA but is set only in {}, which is ineffective: Node reads it once at start-up, before settings apply",
                setting.source
            ),
            _ => String::new(),
        };
        findings.fail(
            format!("{label}: {what}, which Claude Code does not trust{ineffective}"),
            format!(
                "{}export NODE_EXTRA_CA_CERTS={file} in the shell that starts claude (e.g. in ~/.bashrc or ~/.zshrc): Node reads it only at start-up, so settings `env` is too late.",
                save.take().unwrap_or_default()
            ),
        );
    }
    if tls.aws_cli.is_trusted() {
        let via = trust
            .aws_ca
            .as_ref()
            .map(|a| a.setting.clone())
            .unwrap_or_else(|| "its bundled roots".into());
        findings.note(format!("{label}: the AWS CLI trusts it ({via})"));
    } else {
        let profile = &config.profile.name;
        findings.warn(
            format!("{label}: the AWS CLI and SDKs will reject {host}'s certificate ({issuer})"),
            format!(
                "{}export AWS_CA_BUNDLE={file} (or add `ca_bundle = {file}` to profile \"{profile}\" in ~/.aws/config) for the AWS CLI and SDKs: `aws sso login`, awsAuthRefresh and awsCredentialExport use them.",
                save.take().unwrap_or_default()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Inputs;
    use crate::config::settings::SettingsLocations;
    use crate::report::Status;
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

    #[test]
    fn a_socks_proxy_fails_the_proxy_check_with_the_exact_fix() {
        let c = config(&[("HTTPS_PROXY", "socks5://user:pw@127.0.0.1:1080")]);
        let facts = NetworkFacts {
            proxies: ProxyEnv::from_env(&c.env),
            trust: TrustEnv::from_config(&c),
            endpoints: vec![],
        };
        let check = check_proxy(&c, &facts);
        assert_eq!(check.status, Status::Fail);
        assert!(check.summary.contains("SOCKS"), "{}", check.summary);
        assert!(check.fix.unwrap().contains("HTTPS_PROXY to an HTTP proxy"));
        assert!(!check.details.iter().any(|d| d.text.contains("pw")));
    }
}
