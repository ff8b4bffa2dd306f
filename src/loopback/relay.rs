//! A loopback relay between the user's own Claude Code and the endpoints it would really call.
//! Each Bedrock or Mantle request goes on to its real endpoint, along Claude Code's network path,
//! with the credentials the doctor resolved: a SigV4 request is signed again for the real host, a
//! bearer key or `x-api-key` goes on as the client sent it, and a request without
//! `Authorization` goes on without one. Model requests keep their shape and lose their cost
//! ([`shape::shrink`]); one-token availability probes pass unchanged. The real answer goes back to
//! the client, so that it falls back, retries and fails as it would.
//!
//! Nothing else is forwarded: only requests under the run's secret ([`Gate`]), only the calls
//! Claude Code makes ([`Call`]), written again canonically, signed only for the configured
//! service and region, with only the headers that make a request's shape.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use bytes::Bytes;
use http_body_util::Full;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::call::Call;
use super::gate::Gate;
use super::request::{AuthSeen, CapturedRequest, MAX_RECORDED, Operation, auth_seen};
use super::shape::{self, RequestShape, Shrunk};
use super::{Handler, HandlerFuture, Request, Response, Server, wire};
use crate::net::Route;
use crate::net::http::ClientTrust;
use crate::secret::digest;

/// Where one kind of request goes, and how it gets there.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The base URL the request's path is appended to.
    pub base: String,
    pub route: Route,
}

pub struct RelayOptions {
    /// Control plane (inference profiles).
    pub control: Upstream,
    /// Runtime (invoke calls).
    pub runtime: Upstream,
    /// The runtime of `ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION`: calls signed for that region.
    pub small_fast: Option<(String, Upstream)>,
    /// Mantle's base (ending in `/anthropic`), when Mantle is in use.
    pub mantle: Option<Upstream>,
    /// What SigV4 requests are signed again with; `None` when the configuration signs nothing.
    pub credentials: Option<Credentials>,
    /// The bearer key the configuration holds, so that the report can say whether the client
    /// sent it (compared as digests).
    pub expected_key: Option<String>,
    /// The configured region: a SigV4 request must be signed for it (or for the small/fast
    /// model's own region), and is signed again for it.
    pub region: String,
    /// The header names `ANTHROPIC_CUSTOM_HEADERS` sets (lower-case): forwarded as sent.
    pub custom_headers: Vec<String>,
    pub trust: ClientTrust,
    pub timeout: Duration,
}

/// One request the client made, and what the account answered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    pub request: CapturedRequest,
    pub model: Option<String>,
    /// For a model request: its shape as the client sent it.
    pub shape: Option<RequestShape>,
    /// For a model request that was cut before it went on: its cost as relayed.
    pub shrunk: Option<Shrunk>,
    /// `None` when no answer came (the relay says why in `error`).
    pub status: Option<u16>,
    /// The account's error (`ValidationException: invalid beta flag`), or why nothing answered.
    pub error: Option<String>,
    /// The error answer's AWS code (`ValidationException`) and message, for classifying it as
    /// the live calls' failures are.
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    /// Where it went on to (a gateway's password masked); `None` when it was not forwarded.
    pub upstream: Option<String>,
    pub duration_ms: u64,
}

impl Exchange {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| s < 300)
    }

    /// A one-token availability probe (as opposed to a real turn).
    pub fn is_probe(&self) -> bool {
        self.shape.as_ref().and_then(|s| s.max_tokens) == Some(1)
    }

    pub fn is_model_request(&self) -> bool {
        self.shape.is_some()
    }
}

pub struct RelayServer {
    pub server: Server,
    gate: Arc<Gate>,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

struct RelayHandler {
    gate: Arc<Gate>,
    options: Arc<RelayOptions>,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl Handler for RelayHandler {
    /// A request without the run's secret is answered at once, before its body is read.
    fn admit(&self, head: &http::request::Parts) -> Option<Response> {
        self.gate
            .strip(head.uri.path())
            .is_none()
            .then(Gate::refusal)
    }

    fn handle(&self, request: Request) -> HandlerFuture {
        let gate = self.gate.clone();
        let exchanges = self.exchanges.clone();
        let options = self.options.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let Some(path) = gate.strip(parts.uri.path()) else {
                return Gate::refusal();
            };
            let target = match parts.uri.query() {
                Some(query) => format!("{path}?{query}"),
                None => path.to_string(),
            };
            let (exchange, response) = relay(&parts, &target, body, &options).await;
            if let Ok(mut list) = exchanges.lock()
                && list.len() < MAX_RECORDED
            {
                list.push(exchange);
            }
            response
        })
    }
}

impl RelayServer {
    pub async fn start(options: RelayOptions) -> std::io::Result<RelayServer> {
        let exchanges: Arc<Mutex<Vec<Exchange>>> = Arc::default();
        let gate = Arc::new(Gate::new()?);
        let server = Server::start(RelayHandler {
            gate: gate.clone(),
            options: Arc::new(options),
            exchanges: exchanges.clone(),
        })
        .await?;
        Ok(RelayServer {
            server,
            gate,
            exchanges,
        })
    }

    /// The base URL the client is given: the relay's address and the run's secret.
    pub fn url(&self) -> String {
        self.gate.base_url(&self.server.url())
    }

    /// Every exchange so far, in the order the answers came.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// The request headers that go on to the endpoint: those that make a request's shape (the
/// Anthropic version and betas, Bedrock's own `x-amzn-bedrock-*` headers: guardrail, trace,
/// service tier, latency) and the content type; the configuration's custom headers are added by
/// name. Everything else the client sent (`x-amz-target`, `proxy-authorization`, its own
/// signature) stays here.
const FORWARDED: &[&str] = &[
    "accept",
    "content-type",
    "anthropic-version",
    "anthropic-beta",
];
const FORWARDED_PREFIX: &str = "x-amzn-bedrock-";

fn forwarded(name: &str, call: &Call, options: &RelayOptions) -> bool {
    FORWARDED.contains(&name)
        || name.starts_with(FORWARDED_PREFIX)
        || (call.is_mantle() && name == "x-api-key")
        || options.custom_headers.iter().any(|h| h == name)
}

async fn relay(
    parts: &http::request::Parts,
    target: &str,
    body: Bytes,
    options: &RelayOptions,
) -> (Exchange, Response) {
    let started = Instant::now();
    let method = parts.method.as_str().to_string();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let expected = options.expected_key.as_deref().map(digest);
    let auth = header("authorization").map_or(AuthSeen::None, |v| auth_seen(v, expected));
    let api_key = header("x-api-key").map(|key| expected.map(|e| digest(key) == e));
    let call = Call::parse(&method, target);
    let operation = call.as_ref().map_or(Operation::Other, Call::operation);
    let mut exchange = Exchange {
        request: CapturedRequest {
            method: method.clone(),
            target: crate::secret::scrub_text(&shown_target(target)),
            operation,
            auth: auth.clone(),
            api_key,
        },
        model: None,
        shape: None,
        shrunk: None,
        status: None,
        error: None,
        error_code: None,
        error_message: None,
        upstream: None,
        duration_ms: 0,
    };
    let refuse = |mut exchange: Exchange, status: u16, why: String| {
        let response = wire::bedrock_error(
            status,
            if status == 404 {
                "ResourceNotFoundException"
            } else {
                "ValidationException"
            },
            &format!("claude-bedrock's relay did not forward this request: {why}"),
        );
        exchange.status = Some(status);
        exchange.error = Some(format!("not forwarded: {why}"));
        (exchange, response)
    };
    let call = match call {
        Ok(call) => call,
        Err(why) => return refuse(exchange, 404, why),
    };
    if call.is_model_request() || matches!(call, Call::MantleCountTokens { .. }) {
        exchange.model = call.model().map(str::to_string).or_else(|| {
            // Mantle names the model in the body.
            serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|b| b.get("model").and_then(Value::as_str).map(bounded_text))
        });
    } else {
        exchange.model = call.model().map(str::to_string);
    }
    let Some((upstream, signing_region)) = upstream_for(&call, &auth, options) else {
        let why = match &auth {
            AuthSeen::SigV4 { service, .. } if service != call.service() => format!(
                "it was signed for the service {}, not {}",
                bounded_text(service),
                call.service()
            ),
            AuthSeen::SigV4 { region, .. } => format!(
                "it was signed for {}, a region this configuration does not call",
                bounded_text(region)
            ),
            _ => "Mantle is not in use in this configuration".into(),
        };
        return refuse(exchange, 403, why);
    };
    // A model request keeps its shape and loses its cost; any other body is bounded too.
    let body = if call.is_model_request() {
        let shape = RequestShape::of(&parts.headers, &body);
        let probe = shape.max_tokens == Some(1) && body.len() <= shape::MAX_SHRUNK_BODY;
        exchange.shape = Some(shape);
        if probe {
            body
        } else {
            match shape::shrink(&body) {
                Ok((shrunk, cost)) => {
                    exchange.shrunk = Some(cost);
                    Bytes::from(shrunk)
                }
                Err(why) => return refuse(exchange, 400, why),
            }
        }
    } else {
        let cut = match call {
            Call::CountTokens { .. } => shape::shrink_bedrock_count(&body),
            Call::MantleCountTokens { .. } => shape::shrink_count(&body),
            _ if body.is_empty() => Ok(Vec::new()),
            _ => Err("this call takes no body".into()),
        };
        match cut {
            Ok(cut) => Bytes::from(cut),
            Err(why) => return refuse(exchange, 400, why),
        }
    };
    let url = upstream_url(&upstream.base, &call);
    exchange.upstream = Some(crate::secret::redact_url(&url));
    let forwarded = forward(
        parts,
        &call,
        body,
        &url,
        upstream,
        &auth,
        signing_region,
        options,
    )
    .await;
    exchange.duration_ms = started.elapsed().as_millis() as u64;
    let response = match forwarded {
        Ok(answer) => {
            exchange.status = Some(answer.status);
            if answer.status >= 300 {
                let (code, message) = error_parts(&answer);
                exchange.error = Some(match &code {
                    Some(code) => format!("{} {code}: {message}", answer.status),
                    None => format!("{}: {message}", answer.status),
                });
                exchange.error_code = code;
                exchange.error_message = Some(message);
            }
            back_to_client(answer)
        }
        Err(why) => {
            exchange.error = Some(why.clone());
            wire::bedrock_error(
                502,
                "BadGatewayException",
                &format!("claude-bedrock's relay could not reach the endpoint: {why}"),
            )
        }
    };
    (exchange, response)
}

/// The upstream for a call and the region its signature is made for: by operation, and for
/// model calls by the region the client signed for — the configured region, or the small/fast
/// model's own. `None` when the client's signature names another service or region (AWS would
/// refuse it too), or Mantle is not in use.
fn upstream_for<'a>(
    call: &Call,
    auth: &AuthSeen,
    options: &'a RelayOptions,
) -> Option<(&'a Upstream, &'a str)> {
    let region = options.region.as_str();
    let (upstream, region) = match call {
        Call::ListInferenceProfiles { .. } | Call::GetInferenceProfile { .. } => {
            (&options.control, region)
        }
        Call::InvokeModel { .. }
        | Call::InvokeModelWithResponseStream { .. }
        | Call::CountTokens { .. } => match (&options.small_fast, auth) {
            (Some((small, upstream)), AuthSeen::SigV4 { region: signed, .. })
                if small == signed && small != region =>
            {
                (upstream, small.as_str())
            }
            _ => (&options.runtime, region),
        },
        Call::MantleMessages { .. } | Call::MantleCountTokens { .. } | Call::MantleModels => {
            (options.mantle.as_ref()?, region)
        }
    };
    if let AuthSeen::SigV4 {
        region: signed,
        service,
    } = auth
        && (signed != region || service != call.service())
    {
        return None;
    }
    Some((upstream, region))
}

/// The real URL: the call's canonical path under the base; Mantle's model list beside it.
fn upstream_url(base: &str, call: &Call) -> String {
    let base = base.trim_end_matches('/');
    match call {
        Call::MantleModels => crate::aws::mantle::models_url(base),
        _ => format!("{base}{}", call.path_and_query()),
    }
}

#[allow(clippy::too_many_arguments)]
async fn forward(
    parts: &http::request::Parts,
    call: &Call,
    body: Bytes,
    url: &str,
    upstream: &Upstream,
    auth: &AuthSeen,
    signing_region: &str,
    options: &RelayOptions,
) -> Result<crate::net::http::Response, String> {
    let target = crate::net::Target::parse(url)?;
    let mut builder = http::Request::builder()
        .method(call.method())
        .uri(url)
        .header("host", target.host_header());
    for (name, value) in &parts.headers {
        if forwarded(name.as_str(), call, options) {
            builder = builder.header(name, value);
        }
    }
    // A bearer key (or another scheme) is the client's own, and goes on as it sent it.
    if matches!(auth, AuthSeen::Bearer { .. } | AuthSeen::Other { .. })
        && let Some(value) = parts.headers.get("authorization")
    {
        builder = builder.header("authorization", value);
    }
    let mut request = builder
        .body(body)
        .map_err(|err| format!("cannot build the request: {err}"))?;
    if let AuthSeen::SigV4 { .. } = auth {
        let Some(credentials) = &options.credentials else {
            return Err("the client signed its request, but no AWS credentials were resolved to sign it again".into());
        };
        crate::aws::sigv4::sign(&mut request, credentials, signing_region, call.service())
            .map_err(|why| format!("cannot sign the request: {why}"))?;
    }
    crate::net::http::send(request, &upstream.route, &options.trust, options.timeout)
        .await
        .map_err(|err| err.message)
}

/// The target as recorded: at most 300 characters, control characters out.
fn shown_target(target: &str) -> String {
    let shown: String = target
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    if target.chars().count() > 300 {
        format!("{shown}…")
    } else {
        shown
    }
}

/// A value the client or an endpoint wrote, as it may be recorded: at most 200 characters.
fn bounded_text(text: &str) -> String {
    let shown: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    crate::secret::scrub_text(&shown)
}

/// The code and message of an error answer (`ValidationException`, `invalid beta flag`), from
/// AWS's or Anthropic's error shapes; a body that is neither is quoted by its first words.
fn error_parts(answer: &crate::net::http::Response) -> (Option<String>, String) {
    let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    let code = answer
        .header("x-amzn-errortype")
        .map(|t| bounded_text(t.split(':').next().unwrap_or(t)))
        .or_else(|| {
            json.pointer("/error/type")
                .and_then(Value::as_str)
                .map(bounded_text)
        })
        .filter(|code| !code.is_empty());
    let message = json
        .get("message")
        .or_else(|| json.get("Message"))
        .or_else(|| json.pointer("/error/message"))
        .and_then(Value::as_str)
        .map(bounded_text)
        .unwrap_or_else(|| bounded_text(&answer.text()));
    (code, message)
}

fn back_to_client(answer: crate::net::http::Response) -> Response {
    let mut response = http::Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            response = response.header(name, value);
        }
    }
    response
        .body(Full::new(answer.body))
        .unwrap_or_else(|_| http::Response::new(Full::new(Bytes::new())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(method: &str, target: &str) -> Call {
        Call::parse(method, target).unwrap()
    }

    #[test]
    fn urls_keep_the_path_under_the_real_base() {
        assert_eq!(
            upstream_url(
                "https://bedrock-runtime.us-east-1.amazonaws.com",
                &call("POST", "/model/us.anthropic.claude-opus-4-6-v1/invoke")
            ),
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-opus-4-6-v1/invoke"
        );
        assert_eq!(
            upstream_url(
                "https://gw.corp/bedrock/",
                &call("GET", "/inference-profiles?maxResults=1000")
            ),
            "https://gw.corp/bedrock/inference-profiles?maxResults=1000"
        );
        assert_eq!(
            upstream_url(
                "https://bedrock-mantle.us-east-1.api.aws/anthropic",
                &call("POST", "/anthropic/v1/messages")
            ),
            "https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages"
        );
        assert_eq!(
            upstream_url(
                "https://bedrock-mantle.us-east-1.api.aws/anthropic",
                &call("GET", "/v1/models")
            ),
            "https://bedrock-mantle.us-east-1.api.aws/v1/models"
        );
    }

    fn options(small_fast: Option<&str>) -> RelayOptions {
        let upstream = |base: &str| Upstream {
            base: base.into(),
            route: Route::Direct,
        };
        RelayOptions {
            control: upstream("https://bedrock.us-east-1.amazonaws.com"),
            runtime: upstream("https://bedrock-runtime.us-east-1.amazonaws.com"),
            small_fast: small_fast.map(|r| {
                (
                    r.to_string(),
                    upstream(&format!("https://bedrock-runtime.{r}.amazonaws.com")),
                )
            }),
            mantle: None,
            credentials: None,
            expected_key: None,
            region: "us-east-1".into(),
            custom_headers: vec!["x-corp-gateway".into()],
            trust: ClientTrust {
                client: "Claude Code",
                sets: Vec::new(),
            },
            timeout: Duration::from_secs(1),
        }
    }

    fn sigv4(region: &str, service: &str) -> AuthSeen {
        AuthSeen::SigV4 {
            region: region.into(),
            service: service.into(),
        }
    }

    #[test]
    fn requests_are_signed_only_for_the_configured_service_and_regions() {
        let options = options(Some("us-west-2"));
        let invoke = call("POST", "/model/x/invoke");
        let (upstream, region) =
            upstream_for(&invoke, &sigv4("us-east-1", "bedrock"), &options).unwrap();
        assert_eq!(
            (upstream.base.as_str(), region),
            (
                "https://bedrock-runtime.us-east-1.amazonaws.com",
                "us-east-1"
            )
        );
        let (upstream, region) =
            upstream_for(&invoke, &sigv4("us-west-2", "bedrock"), &options).unwrap();
        assert_eq!(
            (upstream.base.as_str(), region),
            (
                "https://bedrock-runtime.us-west-2.amazonaws.com",
                "us-west-2"
            )
        );
        // Another region, another service: refused, whatever the caller's scope says.
        assert!(upstream_for(&invoke, &sigv4("eu-west-1", "bedrock"), &options).is_none());
        assert!(upstream_for(&invoke, &sigv4("us-east-1", "sts"), &options).is_none());
        let list = call("GET", "/inference-profiles");
        assert!(upstream_for(&list, &sigv4("us-west-2", "bedrock"), &options).is_none());
        // Mantle is forwarded only when it is in use.
        assert!(
            upstream_for(
                &call("POST", "/anthropic/v1/messages"),
                &AuthSeen::None,
                &options
            )
            .is_none()
        );
    }

    #[test]
    fn only_shape_headers_and_the_configured_ones_go_on() {
        let options = options(None);
        let invoke = call("POST", "/model/x/invoke");
        for name in [
            "anthropic-beta",
            "anthropic-version",
            "content-type",
            "x-amzn-bedrock-guardrailidentifier",
            "x-amzn-bedrock-service-tier",
            "x-corp-gateway",
        ] {
            assert!(forwarded(name, &invoke, &options), "{name}");
        }
        for name in [
            "x-amz-target",
            "proxy-authorization",
            "authorization",
            "x-amz-security-token",
            "host",
            "x-api-key",
            "cookie",
        ] {
            assert!(!forwarded(name, &invoke, &options), "{name}");
        }
        assert!(forwarded(
            "x-api-key",
            &call("POST", "/anthropic/v1/messages"),
            &options
        ));
    }
}
