//! A loopback server that answers like Bedrock (control plane, runtime and Mantle) and records
//! how each request was authenticated. It keeps facts about the `Authorization` header — its
//! scheme, whether a bearer key equals the expected one (compared as SHA-256 digests), the SigV4
//! scope — and never the header itself.

use crate::encoding::percent_decode;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::gate::Gate;
use super::{Handler, HandlerFuture, Request, Response, Server, wire};
use crate::secret::digest;

/// What a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operation {
    ListInferenceProfiles,
    GetInferenceProfile,
    InvokeModel,
    InvokeModelWithResponseStream,
    /// Bedrock's `CountTokens` (`POST /model/<id>/count-tokens`).
    CountTokens,
    MantleMessages,
    MantleCountTokens,
    MantleModels,
    /// Anything else: not a Bedrock call (an STS or SSO call, a stray request).
    Other,
}

impl Operation {
    pub fn is_bedrock(self) -> bool {
        self != Operation::Other
    }

    pub fn is_mantle(self) -> bool {
        matches!(
            self,
            Operation::MantleMessages | Operation::MantleCountTokens | Operation::MantleModels
        )
    }
}

/// How one request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthSeen {
    None,
    /// `Authorization: Bearer …`; `matches` compares it with the expected key (`None`: no key
    /// was expected).
    Bearer {
        matches: Option<bool>,
    },
    /// `Authorization: AWS4-HMAC-SHA256 Credential=…/<date>/<region>/<service>/aws4_request`.
    SigV4 {
        region: String,
        service: String,
    },
    /// Another scheme, by name only.
    Other {
        scheme: String,
    },
}

impl AuthSeen {
    pub fn describe(&self) -> String {
        match self {
            AuthSeen::None => "no Authorization".into(),
            AuthSeen::Bearer {
                matches: Some(true),
            } => "Authorization: Bearer with the configured key".into(),
            AuthSeen::Bearer {
                matches: Some(false),
            } => "Authorization: Bearer with a different key than the configured one".into(),
            AuthSeen::Bearer { matches: None } => "Authorization: Bearer".into(),
            AuthSeen::SigV4 { region, service } => {
                format!("SigV4 (service {service}, region {region})")
            }
            AuthSeen::Other { scheme } => format!("Authorization scheme {scheme}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CapturedRequest {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub operation: Operation,
    pub auth: AuthSeen,
    /// `x-api-key` (Mantle may take the key there): `Some(matches)` when present.
    pub api_key: Option<Option<bool>>,
}

impl CapturedRequest {
    /// `POST /model/…/invoke-with-response-stream`
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

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
            && list.len() < super::relay::MAX_EXCHANGES
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

pub(crate) fn classify(method: &str, path: &str) -> Operation {
    let get = method == "GET";
    let post = method == "POST";
    if get && (path == "/inference-profiles" || path == "/inference-profiles/") {
        Operation::ListInferenceProfiles
    } else if get && path.starts_with("/inference-profiles/") {
        Operation::GetInferenceProfile
    } else if post && path.starts_with("/model/") && path.ends_with("/invoke-with-response-stream")
    {
        Operation::InvokeModelWithResponseStream
    } else if post && path.starts_with("/model/") && path.ends_with("/invoke") {
        Operation::InvokeModel
    } else if post && path.starts_with("/model/") && path.ends_with("/count-tokens") {
        Operation::CountTokens
    } else if post && path.ends_with("/v1/messages/count_tokens") {
        Operation::MantleCountTokens
    } else if post && path.ends_with("/v1/messages") {
        Operation::MantleMessages
    } else if get && path.ends_with("/v1/models") {
        Operation::MantleModels
    } else {
        Operation::Other
    }
}

pub(crate) fn auth_seen(value: &str, expected: Option<[u8; 32]>) -> AuthSeen {
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        return AuthSeen::Bearer {
            matches: expected.map(|e| digest(rest.trim()) == e),
        };
    }
    if scheme == "AWS4-HMAC-SHA256" {
        // Credential=<key id>/<date>/<region>/<service>/aws4_request: keep region and service.
        let scope: Vec<&str> = rest
            .split(',')
            .find_map(|part| part.trim().strip_prefix("Credential="))
            .map(|c| c.split('/').collect())
            .unwrap_or_default();
        return AuthSeen::SigV4 {
            region: scope.get(2).unwrap_or(&"?").to_string(),
            service: scope.get(3).unwrap_or(&"?").to_string(),
        };
    }
    // Only a short, plain scheme name is kept: anything else might be a key sent bare.
    let scheme = if scheme.len() <= 24
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !rest.is_empty()
    {
        scheme.to_string()
    } else {
        "unknown (value not shown)".to_string()
    };
    AuthSeen::Other { scheme }
}

/// `/model/<id>/invoke…` → the model ID, decoded.
pub(crate) fn model_of(path: &str) -> String {
    let rest = path.trim_start_matches("/model/");
    let id = rest.rsplit_once('/').map(|(id, _)| id).unwrap_or(rest);
    percent_decode(id)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classified_like_bedrock_operations() {
        assert_eq!(
            classify("GET", "/inference-profiles"),
            Operation::ListInferenceProfiles
        );
        assert_eq!(
            classify("GET", "/inference-profiles/us.anthropic.claude-opus-4-6-v1"),
            Operation::GetInferenceProfile
        );
        assert_eq!(
            classify(
                "POST",
                "/model/us.anthropic.claude-haiku-4-5-20251001-v1:0/invoke"
            ),
            Operation::InvokeModel
        );
        assert_eq!(
            classify("POST", "/model/x/invoke-with-response-stream"),
            Operation::InvokeModelWithResponseStream
        );
        assert_eq!(
            classify("POST", "/anthropic/v1/messages"),
            Operation::MantleMessages
        );
        assert_eq!(classify("POST", "/"), Operation::Other);
    }

    #[test]
    fn authorization_is_reduced_to_facts() {
        let key = "ABSKQmVkcm9ja0FQSUtleS1hYmMtYXQtMTIzNDU2Nzg5MDEyOnNlY3JldA==";
        let expected = Some(digest(key));
        assert_eq!(
            auth_seen(&format!("Bearer {key}"), expected),
            AuthSeen::Bearer {
                matches: Some(true)
            }
        );
        assert_eq!(
            auth_seen("Bearer ABSKother", expected),
            AuthSeen::Bearer {
                matches: Some(false)
            }
        );
        assert_eq!(
            auth_seen(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-west-2/bedrock/aws4_request, SignedHeaders=host, Signature=abc",
                None
            ),
            AuthSeen::SigV4 {
                region: "us-west-2".into(),
                service: "bedrock".into()
            }
        );
        let bare = auth_seen(key, expected);
        assert!(!format!("{bare:?}").contains("QmVk"), "{bare:?}");
    }

    #[test]
    fn model_ids_are_decoded_from_the_path() {
        assert_eq!(
            model_of("/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke"),
            "us.anthropic.claude-haiku-4-5-20251001-v1:0"
        );
    }
}
