//! `network.proxy` and `network.tls`, as plain functions of the gathered facts.

use crate::config::EffectiveConfig;
use crate::config::source::Source;
use crate::doctor::check_id::CheckId;
use crate::doctor::facts::network::{EndpointFacts, NetworkFacts, TlsFacts, TrustEnv};
use crate::net::proxy::{Decision, ProxyUrlError};
use crate::net::tls::Verdict;
use crate::net::{NetError, NetErrorKind, Phase, Scheme, Target};
use crate::report::{CheckResult, Findings, Skip};

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
        (_, Phase::ProxyConnect | Phase::Tunnel) | (NetErrorKind::ProxyProtocol, _) => (
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
                findings.note(format!("{label} {host}: not reached, so no handshake"));
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
            for problem in own.problems.into_iter().map(|p| p.text) {
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
    use crate::doctor::defects::tests::config as with_env;
    use crate::net::proxy::ProxyEnv;
    use crate::report::Status;

    fn config(env: &[(&str, &str)]) -> EffectiveConfig {
        with_env(env, "")
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
