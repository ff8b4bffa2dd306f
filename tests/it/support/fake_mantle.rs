//! A fake Bedrock Mantle endpoint on its own loopback port: the Anthropic Messages API under
//! `/anthropic` (JSON, or server-sent events with `stream:true`) and the OpenAI-compatible
//! `GET /v1/models` beside it. It authenticates as Mantle does — SigV4 for service
//! `bedrock-mantle` recomputed with aws-sigv4 from the test keys of fake_aws.rs, or the test bearer
//! key in the one header style the scenario accepts — and answers profile IDs with a 400 naming
//! the model, a not-granted account with 403, and a missing IAM action with AWS's denial.

use std::sync::{Arc, Mutex};

use claude_bedrock::loopback::{Request, Response, Server, wire};
use serde_json::Value;

use super::fake_aws::{ACCOUNT, bearer_key, verify_sigv4};

/// The one header a bearer key is accepted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerStyle {
    XApiKey,
    Authorization,
}

#[derive(Debug, Clone)]
pub(crate) struct MantleScenario {
    pub region: String,
    pub bearer_style: BearerStyle,
    /// Mantle model IDs served.
    pub models: Vec<String>,
    /// Authenticated requests get 403: the account has no Mantle access.
    pub not_granted: bool,
    /// Messages are denied by IAM (`bedrock-mantle:CreateInference`).
    pub deny_create_inference: bool,
    /// Streams stop before `message_stop`.
    pub truncate_streams: bool,
}

impl Default for MantleScenario {
    fn default() -> MantleScenario {
        MantleScenario {
            region: "us-east-1".into(),
            bearer_style: BearerStyle::XApiKey,
            models: vec![
                "anthropic.claude-opus-4-6".into(),
                "anthropic.claude-sonnet-4-6".into(),
                "anthropic.claude-haiku-4-5".into(),
            ],
            not_granted: false,
            deny_create_inference: false,
            truncate_streams: false,
        }
    }
}

/// What the fake saw of one request.
#[derive(Debug, Clone)]
pub(crate) struct MantleSeen {
    pub method: String,
    pub path: String,
    /// `sigv4`, `x-api-key`, `bearer`, or `none`.
    pub auth: String,
    pub auth_ok: bool,
    pub anthropic_version: Option<String>,
    pub model: Option<String>,
    pub stream: bool,
}

struct State {
    scenario: MantleScenario,
    seen: Mutex<Vec<MantleSeen>>,
}

pub(crate) struct FakeMantle {
    server: Option<Server>,
    runtime: tokio::runtime::Runtime,
    state: Arc<State>,
    /// The base URL to give as ANTHROPIC_BEDROCK_MANTLE_BASE_URL (`…/anthropic`).
    pub base_url: String,
}

impl FakeMantle {
    pub(crate) fn start(scenario: MantleScenario) -> FakeMantle {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let state = Arc::new(State {
            scenario,
            seen: Mutex::new(Vec::new()),
        });
        let handler_state = state.clone();
        let server = runtime
            .block_on(Server::start(move |request: Request| {
                let state = handler_state.clone();
                async move { handle(&state, request) }
            }))
            .unwrap();
        let base_url = format!("{}/anthropic", server.url());
        FakeMantle {
            server: Some(server),
            runtime,
            state,
            base_url,
        }
    }

    pub(crate) fn seen(&self) -> Vec<MantleSeen> {
        self.state.seen.lock().unwrap().clone()
    }
}

impl Drop for FakeMantle {
    fn drop(&mut self) {
        let _guard = self.runtime.enter();
        self.server.take();
    }
}

fn error(status: u16, kind: &str, message: &str) -> Response {
    wire::mantle_error(status, kind, message)
}

fn handle(state: &State, request: Request) -> Response {
    let scenario = &state.scenario;
    let path = request.uri().path().to_string();
    let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
    let (auth, verdict) = authenticate(&request, scenario);
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    state.seen.lock().unwrap().push(MantleSeen {
        method: request.method().to_string(),
        path: path.clone(),
        auth: auth.to_string(),
        auth_ok: verdict.is_ok(),
        anthropic_version: header("anthropic-version"),
        model: body
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_string),
        stream: body.get("stream").and_then(Value::as_bool).unwrap_or(false),
    });
    if let Err(response) = verdict {
        return response;
    }
    if scenario.not_granted {
        return error(
            403,
            "permission_error",
            "Your account is not authorized to access this service. Contact your AWS account team to request access.",
        );
    }
    match (request.method().as_str(), path.as_str()) {
        ("GET", "/v1/models") => {
            let ids: Vec<&str> = scenario.models.iter().map(String::as_str).collect();
            wire::mantle_models(&ids)
        }
        ("POST", "/anthropic/v1/messages") => {
            if header("anthropic-version").is_none() {
                return error(
                    400,
                    "invalid_request_error",
                    "anthropic-version: header is required",
                );
            }
            if scenario.deny_create_inference {
                return error(
                    403,
                    "permission_error",
                    &format!(
                        "User: arn:aws:sts::{ACCOUNT}:assumed-role/Developer/dev is not authorized to perform: bedrock-mantle:CreateInference on resource: arn:aws:bedrock-mantle:{}:{ACCOUNT}:project/default because no identity-based policy allows the bedrock-mantle:CreateInference action",
                        scenario.region
                    ),
                );
            }
            let model = body.get("model").and_then(Value::as_str).unwrap_or("");
            if !scenario.models.iter().any(|m| m == model) {
                return if model.starts_with("anthropic.") {
                    error(404, "not_found_error", &format!("model: {model}"))
                } else {
                    error(
                        400,
                        "invalid_request_error",
                        &format!("The provided model identifier is invalid: {model}"),
                    )
                };
            }
            if body.get("stream").and_then(Value::as_bool) == Some(true) {
                let full = wire::mantle_sse(model, wire::stop_reason_for(request.body()));
                if !scenario.truncate_streams {
                    return full;
                }
                return truncated(full);
            }
            wire::mantle_message(model, wire::stop_reason_for(request.body()))
        }
        _ => error(404, "not_found_error", &format!("{path} not found")),
    }
}

/// The same SSE response, cut after its first event.
fn truncated(full: Response) -> Response {
    use http_body_util::BodyExt;
    let (parts, body) = full.into_parts();
    let bytes = futures_util::FutureExt::now_or_never(body.collect())
        .and_then(Result::ok)
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let first = text.split("\n\n").next().unwrap_or("").to_string() + "\n\n";
    http::Response::from_parts(parts, http_body_util::Full::new(bytes::Bytes::from(first)))
}

fn authenticate(
    request: &Request,
    scenario: &MantleScenario,
) -> (&'static str, Result<(), Response>) {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let authorization = header("authorization");
    let api_key = header("x-api-key");
    if let Some(sigv4) = authorization
        .as_deref()
        .filter(|a| a.starts_with("AWS4-HMAC-SHA256 "))
    {
        let verdict = verify_sigv4(
            request,
            sigv4,
            "bedrock-mantle",
            &[scenario.region.as_str()],
        )
        .map_err(|refusal| error(403, "authentication_error", &refusal.message()));
        return ("sigv4", verdict);
    }
    let bearer = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "));
    let (style, key) = match (api_key.as_deref(), bearer) {
        (Some(key), _) => (BearerStyle::XApiKey, key),
        (None, Some(key)) => (BearerStyle::Authorization, key),
        (None, None) => {
            return (
                "none",
                Err(error(
                    401,
                    "authentication_error",
                    "Missing Authentication Token",
                )),
            );
        }
    };
    let name = match style {
        BearerStyle::XApiKey => "x-api-key",
        BearerStyle::Authorization => "bearer",
    };
    if style != scenario.bearer_style {
        // The other header is not read at all: as if the request carried no credentials.
        return (
            name,
            Err(error(
                401,
                "authentication_error",
                "Missing Authentication Token",
            )),
        );
    }
    if key != bearer_key() {
        return (
            name,
            Err(error(401, "authentication_error", "Invalid API key")),
        );
    }
    (name, Ok(()))
}
