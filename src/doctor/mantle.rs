//! `mantle.endpoint` and `mantle.models`: Bedrock's Anthropic Messages API endpoint ("Mantle").
//! Is the region served, does the endpoint answer (DNS, TCP, TLS through the proxy Claude Code
//! uses), do the credentials authenticate — SigV4 for service `bedrock-mantle`, or the bearer key
//! in whichever header the endpoint accepts — which models `GET /v1/models` lists, and does each
//! model Claude Code will send there answer a one-token message, plain and streamed (SSE).

use std::time::{Duration, Instant};

use aws_credential_types::provider::ProvideCredentials;
use futures_util::future::join_all;
use serde_json::Value;

use crate::aws::mantle::{
    Auth, BearerHeader, Ctx, Outcome, denial, error_of, message_body, messages_url, models_url,
    reach, stream_problem,
};
use crate::aws::{AuthMode, Clients};
use crate::config::EffectiveConfig;
use crate::config::models::{ModelId, ModelIdKind, mantle_form};
use crate::net::http::ClientTrust;
use crate::net::proxy::{Decision, ProxyEnv};
use crate::net::{NetError, NetErrorKind, Target};
use crate::report::{CheckResult, Findings, Skip};

use super::check_id::CheckId;

/// Regions known to serve Mantle (REFERENCE §5), and regions known not to. This is the one place
/// the list lives; anything else is checked against the AWS endpoints page.
pub const SERVED_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
];
pub const UNSERVED_REGIONS: &[&str] = &["us-west-1", "ca-central-1", "eu-west-3"];

const ENDPOINTS_PAGE: &str = "https://docs.aws.amazon.com/general/latest/gr/bedrock.html";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    Yes,
    No,
    Unknown,
}

pub fn region_served(region: &str) -> Served {
    if SERVED_REGIONS.contains(&region) {
        Served::Yes
    } else if UNSERVED_REGIONS.contains(&region) {
        Served::No
    } else {
        Served::Unknown
    }
}

/// Whether `region` serves Mantle, as a finding: a note, a failure, or a warning to check the
/// endpoints page.
fn region_finding(region: &str, findings: &mut Findings) {
    let served = SERVED_REGIONS.join(", ");
    match region_served(region) {
        Served::Yes => findings.note(format!("{region} serves Mantle")),
        Served::No => findings.fail(
            format!("Mantle is not served in {region}"),
            format!(
                "Use a region that serves Mantle ({served}) in AWS_REGION — the Invoke API moves with it — or turn Mantle off (unset CLAUDE_CODE_USE_MANTLE)."
            ),
        ),
        Served::Unknown => findings.warn(
            format!("{region} is not known to serve Mantle"),
            format!(
                "Check the AWS endpoints page for bedrock-mantle in {region} ({ENDPOINTS_PAGE}); regions known to serve it: {served}."
            ),
        ),
    }
}

/// Why the Mantle checks run, or why not.
pub fn wanted(config: &EffectiveConfig, flag: bool) -> Result<String, String> {
    match (&config.provider.mantle, flag) {
        (Some(source), _) => Ok(format!(
            "CLAUDE_CODE_USE_MANTLE ({})",
            config.describe(source)
        )),
        (None, true) => Ok("--mantle".into()),
        (None, false) => Err(
            "Mantle is off (CLAUDE_CODE_USE_MANTLE unset); `doctor --mantle` checks it anyway"
                .into(),
        ),
    }
}

/// A model Claude Code will send to Mantle, and the setting that names it.
#[derive(Debug, Clone)]
pub struct MantleTarget {
    pub setting: String,
    pub id: ModelId,
}

/// Mantle-form IDs always go to Mantle; with only Mantle on, every other pinned ID goes there too.
pub fn targets(config: &EffectiveConfig) -> Vec<MantleTarget> {
    let mantle_only = config.provider.mantle.is_some() && config.provider.bedrock.is_none();
    let mut targets: Vec<MantleTarget> = Vec::new();
    for model in &config.models {
        let goes_there = match &model.id.kind {
            ModelIdKind::MantleId => true,
            ModelIdKind::CrossRegionProfile { .. }
            | ModelIdKind::FoundationModel
            | ModelIdKind::SystemProfileArn { .. }
            | ModelIdKind::ApplicationProfileArn { .. }
            | ModelIdKind::FoundationModelArn { .. } => mantle_only,
            _ => false,
        };
        if goes_there && !targets.iter().any(|t| t.id.id == model.id.id) {
            targets.push(MantleTarget {
                setting: model.setting.clone(),
                id: model.id.clone(),
            });
        }
    }
    targets
}

fn net_fix(err: &NetError) -> String {
    match err.kind {
        NetErrorKind::Tls => "Claude Code would refuse this certificate: see network.tls for the CA to export in NODE_EXTRA_CA_CERTS.".into(),
        NetErrorKind::Dns => "The host does not resolve: check the region (Mantle is served only in some) and ANTHROPIC_BEDROCK_MANTLE_BASE_URL, and DNS on this network.".into(),
        NetErrorKind::Timeout => "No answer in time: check the network path (VPN, proxy, firewall; see network.proxy), or raise --timeout.".into(),
        NetErrorKind::ProxyAuth | NetErrorKind::ProxyRefused { .. } | NetErrorKind::ProxyProtocol => {
            "The proxy did not let the request through: see network.proxy.".into()
        }
        _ => "Check the network path to the endpoint (see network.proxy) and ANTHROPIC_BEDROCK_MANTLE_BASE_URL.".into(),
    }
}

/// The probes of one model.
struct ModelProbe {
    target: MantleTarget,
    message: Outcome,
    stream: Outcome,
}

/// Runs both Mantle checks.
pub async fn run(
    config: &EffectiveConfig,
    clients: &Clients,
    trust: &ClientTrust,
    why: &str,
    timeout: Duration,
) -> Vec<CheckResult> {
    let (endpoint_id, endpoint_title) = CheckId::MantleEndpoint.pair();
    let (models_id, models_title) = CheckId::MantleModels.pair();
    let base = crate::aws::endpoints::mantle_base(config);
    let region = config.region.value.clone();
    let mut findings = Findings::default();
    findings.note(format!("checked because of {why}"));
    findings.note(format!("base URL {}", crate::secret::redact_url(&base)));

    let default_host = format!("bedrock-mantle.{region}.api.aws");
    let custom = config
        .env
        .get("ANTHROPIC_BEDROCK_MANTLE_BASE_URL")
        .is_some();
    // Without a usable endpoint there is nothing to ask for models.
    let unusable = |findings: Findings| {
        vec![
            findings.into_result(endpoint_id, endpoint_title, ""),
            CheckResult::skipped(
                models_id,
                models_title,
                Skip::Blocked {
                    by: "mantle.endpoint",
                },
                "the endpoint is not usable (see mantle.endpoint)",
            ),
        ]
    };
    let target = match Target::parse(&base) {
        Ok(target) => target,
        Err(why) => {
            findings.fail(
                format!("ANTHROPIC_BEDROCK_MANTLE_BASE_URL: {why}"),
                format!("Set ANTHROPIC_BEDROCK_MANTLE_BASE_URL to https://{default_host}/anthropic, or unset it."),
            );
            return unusable(findings);
        }
    };
    if custom && target.host != default_host {
        findings.note(format!(
            "custom base URL ({}): the region list does not apply; requests are signed for {region}",
            target.host
        ));
    } else {
        region_finding(&region, &mut findings);
    }

    let proxies = ProxyEnv::from_env(&config.env);
    let decision = proxies.claude_code(&target);
    let Some(route) = decision.route() else {
        findings.fail(
            format!(
                "the proxy for {} is unusable: {}",
                target.host,
                decision.describe()
            ),
            "Fix the proxy variable (see network.proxy).".to_string(),
        );
        return unusable(findings);
    };
    if let Decision::Proxy { .. } | Decision::Bypassed { .. } = decision {
        findings.note(format!("route: {}", decision.describe()));
    }
    let ctx = Ctx {
        config,
        clients,
        trust,
        route: route.clone(),
        timeout,
        region: region.clone(),
    };

    // Resolve, connect and complete TLS, timed, before any credential is involved.
    let started = Instant::now();
    let reach = reach(&target, &route, trust, timeout).await;
    let connect_ms = started.elapsed().as_millis() as u64;
    if let Err(err) = &reach {
        findings.fail(
            format!(
                "{} is not reachable ({}): {}",
                target.authority(),
                err.phase.label(),
                err.message
            ),
            net_fix(err),
        );
        let mut endpoint = findings.into_result(endpoint_id, endpoint_title, "");
        endpoint.duration_ms = connect_ms;
        return vec![
            endpoint,
            CheckResult::skipped(
                models_id,
                models_title,
                Skip::Blocked {
                    by: "mantle.endpoint",
                },
                "the endpoint is not reachable (see mantle.endpoint)",
            ),
        ];
    }
    findings.note(format!(
        "{} answered: DNS, TCP{} in {connect_ms} ms",
        target.authority(),
        if target.scheme == crate::net::Scheme::Https {
            ", TLS"
        } else {
            ""
        }
    ));

    // Authenticate: SigV4 for bedrock-mantle, the bearer key (both header styles), or nothing.
    let models = models_url(&base);
    let skip_auth =
        config.env.is_truthy("CLAUDE_CODE_SKIP_MANTLE_AUTH") || clients.auth == AuthMode::None;
    let (auth, list): (Option<Auth>, Option<Outcome>) = if skip_auth {
        findings.note("CLAUDE_CODE_SKIP_MANTLE_AUTH / CLAUDE_CODE_SKIP_BEDROCK_AUTH: requests carry no credentials");
        let list = ctx
            .request("ListModels", "GET", &models, None, &Auth::None)
            .await;
        (Some(Auth::None), Some(list))
    } else if clients.auth == AuthMode::Bearer {
        let key = config
            .env
            .get("AWS_BEARER_TOKEN_BEDROCK")
            .unwrap_or_default()
            .to_string();
        let styles = [BearerHeader::XApiKey, BearerHeader::Authorization];
        let tries = join_all(styles.iter().map(|style| {
            let auth = Auth::Bearer(key.clone(), *style);
            let ctx = &ctx;
            let models = &models;
            async move {
                (
                    *style,
                    ctx.request("ListModels", "GET", models, None, &auth).await,
                )
            }
        }))
        .await;
        let accepted: Vec<BearerHeader> = tries
            .iter()
            .filter(|(_, r)| r.as_ref().is_ok_and(|r| r.status == 200))
            .map(|(s, _)| *s)
            .collect();
        for (style, outcome) in &tries {
            findings.note(format!(
                "bearer key in {}: {}",
                style.label(),
                match outcome {
                    Ok(r) if r.status == 200 => "accepted".to_string(),
                    Ok(r) => format!("{} {}", r.status, error_of(r).1),
                    Err(err) => err.message.clone(),
                }
            ));
        }
        // Prefer the accepted style; otherwise explain the Authorization attempt's refusal.
        let chosen = accepted
            .first()
            .copied()
            .unwrap_or(BearerHeader::Authorization);
        let list = tries
            .into_iter()
            .find(|(s, _)| *s == chosen)
            .map(|(_, r)| r);
        (Some(Auth::Bearer(key, chosen)), list)
    } else {
        match &clients.credentials {
            None => {
                findings.fail(
                    "no SigV4 credentials to sign Mantle requests with",
                    "Configure credentials for Claude Code (see auth.source and auth.identity).",
                );
                (None, None)
            }
            Some(provider) => {
                match tokio::time::timeout(
                    timeout + Duration::from_secs(2),
                    provider.provide_credentials(),
                )
                .await
                {
                    Ok(Ok(credentials)) => {
                        let auth = Auth::SigV4(credentials);
                        let list = ctx.request("ListModels", "GET", &models, None, &auth).await;
                        (Some(auth), Some(list))
                    }
                    Ok(Err(err)) => {
                        findings.fail(
                            format!(
                                "the AWS credentials could not be resolved: {}",
                                crate::secret::scrub_text(&crate::aws::errors::error_chain(&err))
                            ),
                            "See auth.identity for the cause and its fix.",
                        );
                        (None, None)
                    }
                    Err(_) => {
                        findings.fail(
                            "resolving the AWS credentials did not finish within the timeout",
                            "See auth.identity; an SSO or assume-role provider may be waiting on the network.",
                        );
                        (None, None)
                    }
                }
            }
        }
    };
    let auth_label = match &auth {
        Some(Auth::SigV4(_)) => "SigV4 (service bedrock-mantle)".to_string(),
        Some(Auth::Bearer(_, style)) => format!("the bearer key in {}", style.label()),
        Some(Auth::None) => "no credentials".to_string(),
        None => String::new(),
    };
    let mut served: Option<Vec<String>> = None;
    let mut usable = false;
    match (&auth, &list) {
        (Some(auth), Some(Ok(response))) if response.status == 200 => {
            usable = true;
            let json: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            served = json.get("data").and_then(Value::as_array).map(|data| {
                data.iter()
                    .filter_map(|m| m.get("id").and_then(Value::as_str).map(str::to_string))
                    .collect()
            });
            let _ = auth;
        }
        (Some(auth), Some(Ok(response))) => {
            let d = denial(response, auth, config);
            findings.fail(format!("GET /v1/models: {}", d.problem), d.fix);
        }
        (Some(_), Some(Err(err))) => {
            findings.fail(
                format!(
                    "GET {}: {}",
                    crate::secret::redact_url(&models),
                    err.message
                ),
                net_fix(err),
            );
        }
        _ => {}
    }
    let list_ms = match &list {
        Some(Ok(r)) => r.duration_ms,
        _ => 0,
    };
    let mut endpoint = findings.into_result(
        endpoint_id,
        endpoint_title,
        format!("{} answers; authenticated with {auth_label}", target.host),
    );
    endpoint.duration_ms = connect_ms + list_ms;

    // Why the models cannot be checked, as it is: no credentials, no answer, or a refusal.
    let unusable = match (&auth, &list) {
        (None, _) | (_, None) => {
            "there are no credentials to sign Mantle requests with (see mantle.endpoint)"
                .to_string()
        }
        (Some(_), Some(Err(err))) => format!(
            "the endpoint did not answer: {} (see mantle.endpoint)",
            err.message
        ),
        (Some(auth), Some(Ok(response))) => {
            if denial(response, auth, config).credentials_rejected {
                "the endpoint does not accept the credentials (see mantle.endpoint)".to_string()
            } else {
                format!(
                    "the endpoint refused the model listing ({}; see mantle.endpoint)",
                    response.status
                )
            }
        }
    };
    let models_check = match (usable, auth) {
        (true, Some(auth)) => models_check(&ctx, &base, &auth, served).await,
        _ => CheckResult::skipped(
            models_id,
            models_title,
            Skip::Blocked {
                by: "mantle.endpoint",
            },
            unusable,
        ),
    };
    vec![endpoint, models_check]
}

async fn models_check(
    ctx: &Ctx<'_>,
    base: &str,
    auth: &Auth,
    served: Option<Vec<String>>,
) -> CheckResult {
    let (id, title) = CheckId::MantleModels.pair();
    let config = ctx.config;
    let region = &config.region.value;
    let mut findings = Findings::default();
    match &served {
        Some(list) if !list.is_empty() => {
            findings.note(format!(
                "GET /v1/models lists {}: {}",
                list.len(),
                list.join(", ")
            ));
        }
        Some(_) => findings.warn(
            format!("GET /v1/models lists no model in {region}"),
            "Ask your AWS account team which models Mantle serves to this account.".to_string(),
        ),
        None => findings.note("GET /v1/models did not return a model list"),
    }
    let url = messages_url(base);
    let targets = targets(config);
    let probes = join_all(targets.into_iter().map(|target| {
        let url = &url;
        async move {
            let plain = message_body(&target.id.id, false);
            let streamed = message_body(&target.id.id, true);
            let (message, stream) = tokio::join!(
                ctx.request("CreateMessage", "POST", url, Some(&plain), auth),
                ctx.request("CreateMessage(stream)", "POST", url, Some(&streamed), auth)
            );
            ModelProbe {
                target,
                message,
                stream,
            }
        }
    }))
    .await;
    let mut answered = Vec::new();
    let mut ms = 0;
    for probe in &probes {
        let model = &probe.target.id.id;
        findings.note(format!("{} = {model}", probe.target.setting));
        let listed = served.as_ref().map(|l| l.iter().any(|m| m == model));
        let suggestion = mantle_form(model).filter(|m| m != model);
        let suggestion_listed = |s: &str| served.as_ref().is_none_or(|l| l.iter().any(|m| m == s));
        match (&probe.message, &probe.stream) {
            (Ok(m), Ok(s)) if m.status == 200 && s.status == 200 => {
                ms = ms.max(m.duration_ms).max(s.duration_ms);
                match stream_problem(s) {
                    None => answered.push(format!(
                        "{model} answers (message {} ms, stream {} ms)",
                        m.duration_ms, s.duration_ms
                    )),
                    Some(problem) => findings.fail(
                        format!("{model}: {problem}"),
                        "Claude Code streams every answer: a proxy that buffers or rewrites text/event-stream breaks it (see network.proxy).".to_string(),
                    ),
                }
                if listed == Some(false) {
                    findings.note(format!("{model} answers but is not in GET /v1/models"));
                }
            }
            (Ok(m), _) | (_, Ok(m)) if m.status != 200 => {
                let (kind, message) = error_of(m);
                let is_profile_id = !matches!(probe.target.id.kind, ModelIdKind::MantleId);
                if (m.status == 400 || m.status == 404)
                    && let Some(mantle_id) = suggestion.as_deref().filter(|_| is_profile_id)
                {
                    let also = if suggestion_listed(mantle_id) {
                        ""
                    } else {
                        " (check that it is listed by GET /v1/models)"
                    };
                    findings.fail(
                        format!(
                            "{model} is a Bedrock inference-profile/model ID, which Mantle does not serve ({} {kind}: {message})",
                            m.status
                        ),
                        format!(
                            "Pin the Mantle ID instead: {}={mantle_id}{also}.",
                            probe.target.setting
                        ),
                    );
                } else if m.status == 400 || m.status == 404 {
                    let choices = served
                        .as_ref()
                        .filter(|l| !l.is_empty())
                        .map(|l| format!(": one of {}", l.join(", ")))
                        .unwrap_or_default();
                    findings.fail(
                        format!(
                            "{model} is not served by Mantle in {region} ({} {kind}: {message})",
                            m.status
                        ),
                        format!("Pin a model Mantle serves{choices}."),
                    );
                } else {
                    let d = denial(m, auth, config);
                    findings.fail(format!("{model}: {}", d.problem), d.fix);
                }
            }
            (Err(err), _) | (_, Err(err)) => {
                findings.fail(format!("{model}: {}", err.message), net_fix(err));
            }
            _ => {}
        }
    }
    if probes.is_empty() {
        let served_note = served
            .as_ref()
            .map(|l| {
                format!(
                    "; the endpoint serves {} model{}",
                    l.len(),
                    if l.len() == 1 { "" } else { "s" }
                )
            })
            .unwrap_or_default();
        findings.note("Mantle-form IDs look like anthropic.claude-sonnet-4-6: no region prefix, no version suffix");
        let mut check = findings.into_result(
            id,
            title,
            format!("no model is pinned for Mantle{served_note}"),
        );
        check.duration_ms = ms;
        return check;
    }
    let mut check = findings.into_result(id, title, answered.join("; "));
    check.duration_ms = ms;
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;

    #[test]
    fn regions_are_served_known_unserved_or_unknown() {
        assert_eq!(region_served("us-east-1"), Served::Yes);
        assert_eq!(region_served("us-west-1"), Served::No);
        assert_eq!(region_served("ap-south-2"), Served::Unknown);
        let result = |region: &str| {
            let mut findings = Findings::default();
            region_finding(region, &mut findings);
            findings.into_result("mantle.endpoint", "Mantle endpoint", "ok")
        };
        assert_eq!(result("eu-central-1").status, Status::Pass);
        let unserved = result("ca-central-1");
        assert_eq!(unserved.status, Status::Fail);
        assert_eq!(unserved.summary, "Mantle is not served in ca-central-1");
        let unknown = result("ap-south-2");
        assert_eq!(unknown.status, Status::Warn);
        assert!(
            unknown
                .fix
                .unwrap()
                .starts_with("Check the AWS endpoints page")
        );
    }
}
