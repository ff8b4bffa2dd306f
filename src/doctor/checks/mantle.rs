//! `mantle.endpoint` and `mantle.models`, judged from the Mantle session's facts: is the region
//! served, does the endpoint answer along Claude Code's path, which authentication it takes,
//! which models `GET /v1/models` lists, and whether each model Claude Code will send there
//! answers, plain and streamed.

use crate::aws::mantle::{Auth, BearerHeader, Outcome, denial, error_of, stream_problem};
use crate::config::EffectiveConfig;
use crate::config::models::{ModelIdKind, mantle_form};
use crate::doctor::check_id::CheckId;
use crate::doctor::facts::mantle::{AuthFacts, MantleFacts, SERVED_REGIONS, Served, region_served};
use crate::knowledge::MantleBearerHeader;
use crate::net::proxy::Decision;
use crate::net::{NetError, NetErrorKind};
use crate::report::{CheckResult, Findings, Skip};

const ENDPOINTS_PAGE: &str = "https://docs.aws.amazon.com/general/latest/gr/bedrock.html";

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

fn net_fix(err: &NetError) -> String {
    match err.kind {
        NetErrorKind::Tls => "Claude Code would refuse this certificate: export the CA that issued it as NODE_EXTRA_CA_CERTS in the shell that starts Claude Code.".into(),
        NetErrorKind::Dns => "The host does not resolve: check the region (Mantle is served only in some) and ANTHROPIC_BEDROCK_MANTLE_BASE_URL, and DNS on this network.".into(),
        NetErrorKind::Timeout => "No answer in time: check the network path (VPN, proxy, firewall), or raise --timeout.".into(),
        NetErrorKind::ProxyAuth | NetErrorKind::ProxyRefused { .. } | NetErrorKind::ProxyProtocol => {
            "The proxy did not let the request through: check HTTPS_PROXY and NO_PROXY, or ask for the Mantle host to be allowed.".into()
        }
        _ => "Check the network path to the endpoint (VPN, proxy, firewall) and ANTHROPIC_BEDROCK_MANTLE_BASE_URL.".into(),
    }
}

/// `mantle.endpoint`: the base URL, the region, the path, the handshake, the authentication and
/// the model listing, each as far as the session got.
pub fn check_endpoint(config: &EffectiveConfig, facts: &MantleFacts) -> CheckResult {
    let (id, title) = CheckId::MantleEndpoint.pair();
    let region = &facts.region;
    let mut findings = Findings::default();
    findings.note(format!("checked because of {}", facts.why));
    findings.note(format!(
        "base URL {}",
        crate::secret::redact_url(&facts.base)
    ));
    let target = match &facts.target {
        Ok(target) => target,
        Err(why) => {
            findings.fail(
                format!("ANTHROPIC_BEDROCK_MANTLE_BASE_URL: {why}"),
                format!(
                    "Set ANTHROPIC_BEDROCK_MANTLE_BASE_URL to https://{}/anthropic, or unset it.",
                    facts.default_host
                ),
            );
            return findings.into_result(id, title, "");
        }
    };
    if facts.custom && target.host != facts.default_host {
        findings.note(format!(
            "custom base URL ({}): the region list does not apply; requests are signed for {region}",
            target.host
        ));
    } else {
        region_finding(region, &mut findings);
    }
    if let Some(decision) = &facts.decision {
        if decision.route().is_none() {
            findings.fail(
                format!(
                    "the proxy for {} is unusable: {}",
                    target.host,
                    decision.describe()
                ),
                "Fix the proxy variable: a URL such as http://proxy.example.com:8080 (or unset it).".to_string(),
            );
            return findings.into_result(id, title, "");
        }
        if let Decision::Proxy { .. } | Decision::Bypassed { .. } = decision {
            findings.note(format!("route: {}", decision.describe()));
        }
    }
    let Some((reached, connect_ms)) = &facts.reach else {
        return findings.into_result(id, title, "");
    };
    if let Err(err) = reached {
        findings.fail(
            format!(
                "{} is not reachable ({}): {}",
                target.authority(),
                err.phase.label(),
                err.message
            ),
            net_fix(err),
        );
        let mut endpoint = findings.into_result(id, title, "");
        endpoint.duration_ms = *connect_ms;
        return endpoint;
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
    match &facts.auth {
        Some(AuthFacts::Skipped) => findings.note(
            "CLAUDE_CODE_SKIP_MANTLE_AUTH / CLAUDE_CODE_SKIP_BEDROCK_AUTH: requests carry no credentials",
        ),
        Some(AuthFacts::Bearer { tries }) => {
            for (style, outcome) in tries {
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
            client_header_refused(tries, &mut findings);
        }
        Some(AuthFacts::NoCredentials) => findings.fail(
            "no SigV4 credentials to sign Mantle requests with",
            "Give Claude Code credentials: `claude-bedrock setup`, or AWS_PROFILE naming a profile that has them.",
        ),
        Some(AuthFacts::CredentialError(why)) => findings.fail(
            format!("the AWS credentials could not be resolved: {why}"),
            "See auth.identity for the cause and its fix.",
        ),
        Some(AuthFacts::CredentialTimeout) => findings.fail(
            "resolving the AWS credentials did not finish within the timeout",
            "See auth.identity; an SSO or assume-role provider may be waiting on the network.",
        ),
        Some(AuthFacts::SigV4) | None => {}
    }
    let auth_label = match &facts.auth_used {
        Some(Auth::SigV4(_)) => "SigV4 (service bedrock-mantle)".to_string(),
        Some(Auth::Bearer(_, style)) => format!("the bearer key in {}", style.label()),
        Some(Auth::None) => "no credentials".to_string(),
        None => String::new(),
    };
    match (&facts.auth_used, &facts.list) {
        (Some(_), Some(Ok(response))) if response.status == 200 => {}
        (Some(auth), Some(Ok(response))) => {
            let d = denial(response, auth, config);
            findings.fail(format!("GET /v1/models: {}", d.problem), d.fix);
        }
        (Some(_), Some(Err(err))) => {
            findings.fail(
                format!(
                    "GET {}: {}",
                    crate::secret::redact_url(&crate::aws::mantle::models_url(&facts.base)),
                    err.message
                ),
                net_fix(err),
            );
        }
        _ => {}
    }
    let list_ms = match &facts.list {
        Some(Ok(r)) => r.duration_ms,
        _ => 0,
    };
    let mut endpoint = findings.into_result(
        id,
        title,
        format!("{} answers; authenticated with {auth_label}", target.host),
    );
    endpoint.duration_ms = connect_ms + list_ms;
    endpoint
}

/// The endpoint takes the key only in the header Claude Code does not use: every request of the
/// client's is refused, though the key is good.
fn client_header_refused(tries: &[(BearerHeader, Outcome)], findings: &mut Findings) {
    let observed = crate::knowledge::observed();
    let sent = match observed.mantle_bearer_header {
        MantleBearerHeader::XApiKey => BearerHeader::XApiKey,
        MantleBearerHeader::Authorization => BearerHeader::Authorization,
    };
    let accepted = |outcome: &Outcome| matches!(outcome, Ok(r) if r.status == 200);
    let Some((_, refusal)) = tries.iter().find(|(style, _)| *style == sent) else {
        return;
    };
    let Some((taken, _)) = tries.iter().find(|(_, outcome)| accepted(outcome)) else {
        return;
    };
    if accepted(refusal) {
        return;
    }
    let answer = match refusal {
        Ok(r) => format!("{} {}", r.status, error_of(r).1),
        Err(err) => err.message.clone(),
    };
    findings.fail(
        format!(
            "this endpoint takes the bearer key only in {}, and Claude Code (as seen in {}) sends it in {}, which is refused: {answer}",
            taken.label(),
            observed.client,
            sent.label(),
        ),
        format!(
            "Give Claude Code AWS credentials for Mantle instead of the key (unset AWS_BEARER_TOKEN_BEDROCK, set AWS_PROFILE), or point ANTHROPIC_BEDROCK_MANTLE_BASE_URL at an endpoint that takes {}.",
            sent.label()
        ),
    );
}

/// Why the models could not be checked, as it is: the endpoint unusable or unreachable, no
/// credentials, no answer, or a refusal.
fn blocked(config: &EffectiveConfig, facts: &MantleFacts) -> Option<String> {
    if facts.usable() {
        return None;
    }
    let reached = matches!(facts.reach, Some((Ok(()), _)));
    Some(match (&facts.reach, &facts.auth_used, &facts.list) {
        (None, _, _) => "the Mantle endpoint is not usable".to_string(),
        (Some(_), _, _) if !reached => "the Mantle endpoint is not reachable".to_string(),
        (_, None, _) | (_, _, None) => {
            "there are no credentials to sign Mantle requests with".to_string()
        }
        (_, Some(_), Some(Err(err))) => {
            format!("the Mantle endpoint did not answer: {}", err.message)
        }
        (_, Some(auth), Some(Ok(response))) => {
            if denial(response, auth, config).credentials_rejected {
                "the Mantle endpoint does not accept the credentials".to_string()
            } else {
                format!(
                    "the Mantle endpoint refused the model listing ({})",
                    response.status
                )
            }
        }
    })
}

/// `mantle.models`: what `GET /v1/models` listed, and each model Claude Code sends to Mantle.
pub fn check_models(config: &EffectiveConfig, facts: &MantleFacts) -> CheckResult {
    let (id, title) = CheckId::MantleModels.pair();
    if let Some(why) = blocked(config, facts) {
        return CheckResult::skipped(
            id,
            title,
            Skip::Blocked {
                by: CheckId::MantleEndpoint.as_str(),
            },
            why,
        );
    }
    let Some(auth) = &facts.auth_used else {
        return CheckResult::skipped(id, title, Skip::NotInUse, "no credentials");
    };
    let region = &config.region.value;
    let served = facts.served();
    let probes = &facts.probes;
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
    let mut answered = Vec::new();
    let mut ms = 0;
    for probe in probes {
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
                        "Claude Code streams every answer: a proxy that buffers or rewrites text/event-stream breaks it: exempt the Mantle host in NO_PROXY, or ask for streaming to be let through.".to_string(),
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
                        format!("{model} is not served by Mantle in {region}"),
                        format!("Pin a model Mantle serves{choices}."),
                    );
                    findings.said(format!("{} {kind}: {message}", m.status));
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
