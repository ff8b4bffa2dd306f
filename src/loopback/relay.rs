//! A loopback relay between the user's own Claude Code and the endpoints it would really call.
//! Each Bedrock or Mantle request goes on to its real endpoint, along Claude Code's network path,
//! with the credentials the doctor resolved: a SigV4 request is signed again for the real host, a
//! bearer key or `x-api-key` goes on as the client sent it, and a request without
//! `Authorization` goes on without one. Model requests keep their shape and lose their cost
//! ([`shape::shrink`]); one-token availability probes pass unchanged. The real answer goes back to
//! the client, so that it falls back, retries and fails as it would. Nothing else is forwarded.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use bytes::Bytes;
use http_body_util::Full;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::capture::{AuthSeen, CapturedRequest, Operation, auth_seen, classify, model_of};
use super::shape::{self, RequestShape, Shrunk};
use super::{Request, Response, Server, wire};
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
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl RelayServer {
    pub async fn start(options: RelayOptions) -> std::io::Result<RelayServer> {
        let exchanges: Arc<Mutex<Vec<Exchange>>> = Arc::default();
        let recorded = exchanges.clone();
        let options = Arc::new(options);
        let server = Server::start(move |request: Request| {
            let recorded = recorded.clone();
            let options = options.clone();
            async move {
                let (exchange, response) = relay(request, &options).await;
                if let Ok(mut list) = recorded.lock() {
                    list.push(exchange);
                }
                response
            }
        })
        .await?;
        Ok(RelayServer { server, exchanges })
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Every exchange so far, in the order the answers came.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// Headers that are the connection's, or the signature's: set again for the real host.
const NOT_FORWARDED: &[&str] = &[
    "host",
    "authorization",
    "connection",
    "content-length",
    "transfer-encoding",
    "accept-encoding",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

async fn relay(request: Request, options: &RelayOptions) -> (Exchange, Response) {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let operation = classify(&method, &path);
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
    let model_request = matches!(
        operation,
        Operation::InvokeModel
            | Operation::InvokeModelWithResponseStream
            | Operation::MantleMessages
    );
    let model = match operation {
        Operation::InvokeModel | Operation::InvokeModelWithResponseStream => Some(model_of(&path)),
        Operation::MantleMessages | Operation::MantleCountTokens => {
            serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|b| b["model"].as_str().map(str::to_string))
        }
        _ => None,
    };
    let shape = model_request.then(|| RequestShape::of(&parts.headers, &body));
    let mut exchange = Exchange {
        request: CapturedRequest {
            method: method.clone(),
            target: crate::secret::scrub_text(&target),
            operation,
            auth: auth.clone(),
            api_key,
        },
        model,
        shape,
        shrunk: None,
        status: None,
        error: None,
        upstream: None,
        duration_ms: 0,
    };
    let Some(upstream) = upstream_for(operation, &auth, options) else {
        exchange.error = Some("not a Bedrock request: answered by the relay, not forwarded".into());
        let response = wire::bedrock_error(
            404,
            "ResourceNotFoundException",
            "claude-bedrock's relay forwards only Bedrock requests",
        );
        return (exchange, response);
    };
    // A real turn is cut to its shape; a one-token probe already costs nothing.
    let is_probe = exchange.is_probe();
    let body = match (model_request && !is_probe)
        .then(|| shape::shrink(&body))
        .flatten()
    {
        Some((shrunk, cost)) => {
            exchange.shrunk = Some(cost);
            Bytes::from(shrunk)
        }
        None => body,
    };
    let url = upstream_url(&upstream.base, operation, &target);
    exchange.upstream = Some(crate::secret::redact_url(&url));
    let forwarded = forward(&parts, body, &url, &auth, options).await;
    exchange.duration_ms = started.elapsed().as_millis() as u64;
    let response = match forwarded {
        Ok(answer) => {
            exchange.status = Some(answer.status);
            if answer.status >= 300 {
                exchange.error = Some(error_text(&answer));
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

/// The upstream for a request: by operation, and for invoke calls by the region they are
/// signed for (the small/fast model's own region).
fn upstream_for<'a>(
    operation: Operation,
    auth: &AuthSeen,
    options: &'a RelayOptions,
) -> Option<&'a Upstream> {
    match operation {
        Operation::ListInferenceProfiles | Operation::GetInferenceProfile => Some(&options.control),
        Operation::InvokeModel | Operation::InvokeModelWithResponseStream => {
            match (&options.small_fast, auth) {
                (Some((region, upstream)), AuthSeen::SigV4 { region: signed, .. })
                    if region == signed =>
                {
                    Some(upstream)
                }
                _ => Some(&options.runtime),
            }
        }
        Operation::MantleMessages | Operation::MantleCountTokens | Operation::MantleModels => {
            options.mantle.as_ref()
        }
        Operation::Other => None,
    }
}

/// The real URL: Bedrock paths go under the base as they came; Mantle's came under the relay's
/// `/anthropic` and go under the real base, the model list beside it.
fn upstream_url(base: &str, operation: Operation, target: &str) -> String {
    let base = base.trim_end_matches('/');
    match operation {
        Operation::MantleModels => crate::aws::mantle::models_url(base),
        Operation::MantleMessages | Operation::MantleCountTokens => {
            format!(
                "{base}{}",
                target.strip_prefix("/anthropic").unwrap_or(target)
            )
        }
        _ => format!("{base}{target}"),
    }
}

async fn forward(
    parts: &http::request::Parts,
    body: Bytes,
    url: &str,
    auth: &AuthSeen,
    options: &RelayOptions,
) -> Result<crate::net::http::Response, String> {
    let target = crate::net::Target::parse(url)?;
    let mut builder = http::Request::builder()
        .method(parts.method.clone())
        .uri(url)
        .header("host", target.host_header());
    for (name, value) in &parts.headers {
        if !NOT_FORWARDED.contains(&name.as_str()) {
            builder = builder.header(name, value);
        }
    }
    if matches!(auth, AuthSeen::Bearer { .. } | AuthSeen::Other { .. })
        && let Some(value) = parts.headers.get("authorization")
    {
        builder = builder.header("authorization", value);
    }
    let mut request = builder
        .body(body)
        .map_err(|err| format!("cannot build the request: {err}"))?;
    if let AuthSeen::SigV4 { region, service } = auth {
        let Some(credentials) = &options.credentials else {
            return Err("the client signed its request, but no AWS credentials were resolved to sign it again".into());
        };
        crate::aws::sigv4::sign(&mut request, credentials, region, service)
            .map_err(|why| format!("cannot sign the request: {why}"))?;
    }
    let upstream = [
        Some(&options.control),
        Some(&options.runtime),
        options.small_fast.as_ref().map(|(_, u)| u),
        options.mantle.as_ref(),
    ]
    .into_iter()
    .flatten()
    .find(|u| url.starts_with(u.base.trim_end_matches('/')))
    .map(|u| u.route.clone())
    .unwrap_or(Route::Direct);
    crate::net::http::send(request, &upstream, &options.trust, options.timeout)
        .await
        .map_err(|err| err.message)
}

/// `ValidationException: invalid beta flag`, from AWS's or Anthropic's error shapes.
fn error_text(answer: &crate::net::http::Response) -> String {
    let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    let kind = answer
        .header("x-amzn-errortype")
        .map(|t| t.split(':').next().unwrap_or(t).to_string())
        .or_else(|| {
            json.pointer("/error/type")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    let message = json
        .get("message")
        .or_else(|| json.get("Message"))
        .or_else(|| json.pointer("/error/message"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| answer.text().chars().take(200).collect());
    let message = crate::secret::scrub_text(&message);
    match kind {
        Some(kind) if !kind.is_empty() => format!("{} {kind}: {message}", answer.status),
        _ => format!("{}: {message}", answer.status),
    }
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

    #[test]
    fn urls_keep_the_path_under_the_real_base() {
        assert_eq!(
            upstream_url(
                "https://bedrock-runtime.us-east-1.amazonaws.com",
                Operation::InvokeModel,
                "/model/us.anthropic.claude-opus-4-6-v1/invoke"
            ),
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-opus-4-6-v1/invoke"
        );
        assert_eq!(
            upstream_url(
                "https://gw.corp/bedrock/",
                Operation::ListInferenceProfiles,
                "/inference-profiles?maxResults=1000"
            ),
            "https://gw.corp/bedrock/inference-profiles?maxResults=1000"
        );
        assert_eq!(
            upstream_url(
                "https://bedrock-mantle.us-east-1.api.aws/anthropic",
                Operation::MantleMessages,
                "/anthropic/v1/messages"
            ),
            "https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages"
        );
        assert_eq!(
            upstream_url(
                "https://bedrock-mantle.us-east-1.api.aws/anthropic",
                Operation::MantleModels,
                "/v1/models"
            ),
            "https://bedrock-mantle.us-east-1.api.aws/v1/models"
        );
    }
}
