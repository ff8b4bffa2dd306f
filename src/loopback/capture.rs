//! A loopback server that answers like Bedrock (control plane, runtime and Mantle) and records
//! how each request was authenticated. It keeps facts about the `Authorization` header — its
//! scheme, whether a bearer key equals the expected one (compared as SHA-256 digests), the SigV4
//! scope — and never the header itself.

use crate::encoding::percent_decode;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::gate::Gate;
use super::request::{
    AuthSeen, CapturedRequest, MAX_RECORDED, Operation, auth_seen, classify, model_of,
};
use super::{Handler, HandlerFuture, Request, Response, Server, wire};
use crate::secret::digest;

/// What the server answers with.
#[derive(Debug, Clone)]
pub struct CaptureOptions {
    pub region: String,
    /// Inference profiles `ListInferenceProfiles` returns (system-defined).
    pub profiles: Vec<String>,
    /// The bearer key requests should carry, when one is configured.
    pub expected_key: Option<String>,
}

pub struct CaptureServer {
    pub server: Server,
    gate: Arc<Gate>,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
}

struct CaptureHandler {
    gate: Arc<Gate>,
    options: Arc<CaptureOptions>,
    expected: Option<[u8; 32]>,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
}

impl Handler for CaptureHandler {
    fn admit(&self, head: &http::request::Parts) -> Option<Response> {
        self.gate
            .strip(head.uri.path())
            .is_none()
            .then(Gate::refusal)
    }

    fn handle(&self, request: Request) -> HandlerFuture {
        let Some(path) = self.gate.strip(request.uri().path()).map(str::to_string) else {
            return Box::pin(async { Gate::refusal() });
        };
        let (captured, response) = answer(&request, &path, &self.options, self.expected);
        if let Ok(mut list) = self.requests.lock()
            && list.len() < MAX_RECORDED
        {
            list.push(captured);
        }
        Box::pin(async move { response })
    }
}

impl CaptureServer {
    pub async fn start(options: CaptureOptions) -> std::io::Result<CaptureServer> {
        let requests: Arc<Mutex<Vec<CapturedRequest>>> = Arc::default();
        let gate = Arc::new(Gate::new()?);
        let expected = options.expected_key.as_deref().map(digest);
        let server = Server::start(CaptureHandler {
            gate: gate.clone(),
            options: Arc::new(options),
            expected,
            requests: requests.clone(),
        })
        .await?;
        Ok(CaptureServer {
            server,
            gate,
            requests,
        })
    }

    /// The base URL the client is given: the server's address and the run's secret.
    pub fn url(&self) -> String {
        self.gate.base_url(&self.server.url())
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

fn answer(
    request: &Request,
    path: &str,
    options: &CaptureOptions,
    expected: Option<[u8; 32]>,
) -> (CapturedRequest, Response) {
    let method = request.method().as_str().to_string();
    let target = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_string(),
    };
    let operation = classify(&method, path);
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let auth = match header("authorization") {
        None => AuthSeen::None,
        Some(value) => auth_seen(value, expected),
    };
    let api_key = header("x-api-key").map(|key| expected.map(|e| digest(key) == e));
    let captured = CapturedRequest {
        method,
        target: crate::secret::scrub_text(&target),
        operation,
        auth,
        api_key,
    };
    let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
    let response = match operation {
        Operation::ListInferenceProfiles => {
            let application = request
                .uri()
                .query()
                .is_some_and(|q| q.contains("type=APPLICATION"));
            let summaries: Vec<Value> = if application {
                Vec::new()
            } else {
                options
                    .profiles
                    .iter()
                    .map(|id| profile_summary(id, &options.region))
                    .collect()
            };
            wire::profiles_page(&summaries, None)
        }
        Operation::GetInferenceProfile => {
            let id = percent_decode(path.trim_start_matches("/inference-profiles/"));
            wire::json(200, &profile_summary(&id, &options.region))
        }
        Operation::InvokeModel => wire::json(200, &wire::message(&model_of(path), "end_turn")),
        Operation::InvokeModelWithResponseStream => wire::event_stream(&model_of(path), "end_turn"),
        Operation::CountTokens => wire::json(200, &json!({ "inputTokens": 8 })),
        Operation::MantleMessages => {
            let model = body["model"].as_str().unwrap_or("anthropic.claude");
            if body["stream"].as_bool() == Some(true) {
                wire::sse(&wire::stream_events(model, "end_turn"))
            } else {
                wire::json(200, &wire::message(model, "end_turn"))
            }
        }
        Operation::MantleCountTokens => wire::json(200, &json!({ "input_tokens": 8 })),
        Operation::MantleModels => wire::mantle_models(&[
            "anthropic.claude-opus-4-6",
            "anthropic.claude-sonnet-4-6",
            "anthropic.claude-haiku-4-5",
        ]),
        Operation::Other => wire::bedrock_error(
            404,
            "ResourceNotFoundException",
            "claude-bedrock's trace server answers only Bedrock requests",
        ),
    };
    (captured, response)
}

fn profile_summary(id: &str, region: &str) -> Value {
    let application = id.contains(":application-inference-profile/");
    let arn = if id.starts_with("arn:") {
        id.to_string()
    } else {
        format!("arn:aws:bedrock:{region}:000000000000:inference-profile/{id}")
    };
    let base = id
        .rsplit('/')
        .next()
        .unwrap_or(id)
        .split_once('.')
        .filter(|(prefix, _)| !prefix.starts_with("anthropic"))
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_else(|| id.to_string());
    let model = if application {
        "anthropic.claude-sonnet-4-5-20250929-v1:0".to_string()
    } else {
        base
    };
    json!({
        "inferenceProfileId": id.rsplit('/').next().unwrap_or(id),
        "inferenceProfileArn": arn,
        "inferenceProfileName": id,
        "description": "claude-bedrock trace",
        "models": [{ "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{model}") }],
        "status": "ACTIVE",
        "type": if application { "APPLICATION" } else { "SYSTEM_DEFINED" },
        "createdAt": "2025-01-01T00:00:00Z",
        "updatedAt": "2025-01-01T00:00:00Z"
    })
}
