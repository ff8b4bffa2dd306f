//! A fake AWS on a loopback port: STS (Query/XML), the Bedrock control plane (REST-JSON with
//! `nextToken` pagination) and runtime (JSON and AWS event stream), with authentication checked
//! as AWS checks it — SigV4 signatures recomputed with aws-sigv4, bearer keys compared, and
//! `403 {"Message":"Authorization header is missing"}` when there is none. Scenarios come from
//! `fixtures/scenarios/*.json`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use claude_bedrock::encoding::percent_decode;
use claude_bedrock::loopback::{Request, Response, Server, wire};
use serde::Deserialize;
use serde_json::Value;

use super::keys::long_term_key;

pub(crate) const ACCESS_KEY: &str = "AKIDFAKEAWS000000001";
pub(crate) const SECRET_KEY: &str = "fakeSecretKey/0123456789abcdefghijklmnopq";
pub(crate) const ACCOUNT: &str = "123456789012";

/// The one bearer key the fake accepts.
pub(crate) fn bearer_key() -> String {
    long_term_key(ACCOUNT)
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Rule {
    pub operation: String,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default = "default_status")]
    pub status: u16,
    #[serde(default, rename = "type")]
    pub error_type: String,
    #[serde(default)]
    pub message: String,
    /// Answer with an HTML page of this title instead, as a proxy would.
    #[serde(default)]
    pub html: Option<String>,
    /// Refuse only requests of this shape, as Bedrock refuses what a model or region does not
    /// take.
    #[serde(default)]
    pub when: When,
}

/// A request shape a rule refuses; every condition set must hold.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct When {
    /// A real turn (`max_tokens` above 1), not a one-token probe.
    #[serde(default)]
    pub real_turn: bool,
    /// The body's `anthropic_beta` holds this beta.
    #[serde(default)]
    pub body_beta: Option<String>,
    /// The `anthropic-beta` header holds this beta.
    #[serde(default)]
    pub header_beta: Option<String>,
    /// `thinking.type` is this.
    #[serde(default)]
    pub thinking: Option<String>,
    /// The body has `output_config.effort`.
    #[serde(default)]
    pub effort: bool,
    /// Headers that must have these values (names lower-case).
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// The request is signed for this region (as a region's own endpoint would refuse it).
    #[serde(default)]
    pub region: Option<String>,
}

impl When {
    fn holds(&self, request: &Request) -> bool {
        let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let in_list = |list: &Value, beta: &str| {
            list.as_array()
                .is_some_and(|l| l.iter().any(|b| b.as_str() == Some(beta)))
        };
        (!self.real_turn || body["max_tokens"].as_u64().is_some_and(|m| m > 1))
            && self
                .body_beta
                .as_ref()
                .is_none_or(|beta| in_list(&body["anthropic_beta"], beta))
            && self.header_beta.as_ref().is_none_or(|beta| {
                header("anthropic-beta")
                    .split(',')
                    .any(|b| b.trim() == beta)
            })
            && self
                .thinking
                .as_ref()
                .is_none_or(|kind| body["thinking"]["type"].as_str() == Some(kind))
            && (!self.effort || body.pointer("/output_config/effort").is_some())
            && self
                .headers
                .iter()
                .all(|(name, value)| header(name) == *value)
            && self
                .region
                .as_ref()
                .is_none_or(|region| signing_region(request).as_ref() == Some(region))
    }
}

fn default_status() -> u16 {
    400
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Scenario {
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default = "default_profiles")]
    pub profiles: String,
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    #[serde(default)]
    pub latency_ms: u64,
    /// Operations that never answer.
    #[serde(default)]
    pub hang: Vec<String>,
    /// Regions besides `region` that requests may be signed for.
    #[serde(default)]
    pub other_regions: Vec<String>,
    /// Every SigV4 request is answered as if its session token had expired.
    #[serde(default)]
    pub expired_credentials: bool,
    #[serde(default = "default_arn")]
    pub caller_arn: String,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// What the doctor must report: exit code, statuses by check id, texts a check must contain.
    #[serde(default)]
    pub expect: Expect,
    /// Extra environment for the doctor run.
    #[serde(default)]
    pub env: serde_json::Map<String, Value>,
    /// Credentials to give the doctor: `keys` (default), `bearer`, `wrong-secret`, `unknown-key`.
    #[serde(default)]
    pub auth: Option<String>,
    /// Every page of `ListInferenceProfiles` hands back the same `nextToken`, as a broken
    /// gateway cache would: a listing that never ends.
    #[serde(default)]
    pub repeat_next_token: bool,
    /// Profile summaries listed besides the fixture's (e.g. one with an absurd ID).
    #[serde(default)]
    pub extra_profiles: Vec<Value>,
    /// Every model answers, listed or not (unless refused below): for watching which of its
    /// candidates a real client settles on.
    #[serde(default)]
    pub invoke_any: bool,
    /// Models that answer 400 "The provided model identifier is invalid." on every invoke.
    #[serde(default)]
    pub refuse: Vec<String>,
    /// A second bearer key the fake accepts (one whose format nothing offline recognises).
    #[serde(default)]
    pub accept_bearer: Option<String>,
    /// An identity policy the caller has: each Bedrock call is allowed only if it grants the
    /// action on every resource AWS authorises it on (an invoke through a profile: the profile
    /// and the foundation model in every region it routes to).
    #[serde(default)]
    pub policy: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Expect {
    #[serde(default)]
    pub exit: i32,
    #[serde(default)]
    pub checks: serde_json::Map<String, Value>,
    #[serde(default)]
    pub contains: serde_json::Map<String, Value>,
}

fn default_region() -> String {
    "us-east-1".into()
}
fn default_profiles() -> String {
    "us-east-1".into()
}
fn default_page_size() -> usize {
    5
}
fn default_arn() -> String {
    format!(
        "arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/dev@example.com"
    )
}

impl Scenario {
    pub(crate) fn load(name: &str) -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/scenarios")
            .join(format!("{name}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub(crate) fn healthy() -> Scenario {
        serde_json::from_str("{}").unwrap()
    }

    fn profile_summaries(&self) -> Vec<Value> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/profiles")
            .join(format!("{}.json", self.profiles));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }
}

/// What the fake saw of one request.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub operation: String,
    pub path: String,
    pub model: Option<String>,
    /// `none`, `bearer`, `sigv4`, or `other`.
    pub auth_scheme: String,
    /// The region of the SigV4 credential scope.
    pub signing_region: Option<String>,
    /// The service of the SigV4 credential scope.
    pub signing_service: Option<String>,
    /// Whether the credentials were accepted.
    pub auth_ok: bool,
    /// The header names, lower-case.
    pub headers: Vec<String>,
    pub body: String,
    /// The status the fake answered with (`None` while it has not, or never does).
    pub status: Option<u16>,
}

struct State {
    scenario: Scenario,
    profiles: Vec<Value>,
    seen: Mutex<Vec<Seen>>,
}

pub(crate) struct FakeAws {
    server: Option<Server>,
    runtime: tokio::runtime::Runtime,
    state: Arc<State>,
    pub url: String,
}

impl FakeAws {
    pub(crate) fn start(scenario: Scenario) -> FakeAws {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut profiles = scenario.profile_summaries();
        profiles.extend(scenario.extra_profiles.iter().cloned());
        let state = Arc::new(State {
            profiles,
            scenario,
            seen: Mutex::new(Vec::new()),
        });
        let handler_state = state.clone();
        let server = runtime
            .block_on(Server::start(move |request: Request| {
                let state = handler_state.clone();
                async move { handle(&state, request).await }
            }))
            .unwrap();
        let url = server.url();
        FakeAws {
            server: Some(server),
            runtime,
            state,
            url,
        }
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    pub(crate) fn scenario(&self) -> &Scenario {
        &self.state.scenario
    }
}

impl Drop for FakeAws {
    fn drop(&mut self) {
        // Stop the server inside its runtime, then let the runtime go without waiting for hung
        // handlers.
        let _guard = self.runtime.enter();
        self.server.take();
    }
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

/// `(operation, model or profile id)` for a request.
fn route(request: &Request) -> (String, Option<String>) {
    let path = request.uri().path();
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let body = String::from_utf8_lossy(request.body());
    match (
        request.method().as_str(),
        segments
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
    ) {
        ("POST", []) if body.contains("Action=GetCallerIdentity") => {
            ("GetCallerIdentity".into(), None)
        }
        ("GET", ["inference-profiles"]) => ("ListInferenceProfiles".into(), None),
        ("GET", ["inference-profiles", id]) => ("GetInferenceProfile".into(), Some(id.to_string())),
        ("POST", ["model", id, "invoke"]) => ("InvokeModel".into(), Some(id.to_string())),
        ("POST", ["model", id, "invoke-with-response-stream"]) => {
            ("InvokeModelWithResponseStream".into(), Some(id.to_string()))
        }
        _ => ("Unknown".into(), None),
    }
}

enum AuthOutcome {
    Ok,
    Reject(Response),
}

async fn handle(state: &State, request: Request) -> Response {
    let scenario = &state.scenario;
    let (operation, model) = route(&request);
    let is_sts = operation == "GetCallerIdentity";
    let (scheme, auth) = authenticate(&request, scenario, is_sts);
    state.seen.lock().unwrap().push(Seen {
        operation: operation.clone(),
        path: request.uri().path().to_string(),
        model: model.clone(),
        auth_scheme: scheme.to_string(),
        signing_region: signing_region(&request),
        signing_service: signing_scope(&request, 3),
        auth_ok: matches!(auth, AuthOutcome::Ok),
        headers: request
            .headers()
            .keys()
            .map(|k| k.as_str().to_string())
            .collect(),
        body: String::from_utf8_lossy(request.body()).into_owned(),
        status: None,
    });
    let at = state.seen.lock().unwrap().len() - 1;
    let response = respond(state, request, operation, model, is_sts, auth).await;
    state.seen.lock().unwrap()[at].status = Some(response.status().as_u16());
    response
}

async fn respond(
    state: &State,
    request: Request,
    operation: String,
    model: Option<String>,
    is_sts: bool,
    auth: AuthOutcome,
) -> Response {
    let scenario = &state.scenario;
    if scenario.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(scenario.latency_ms)).await;
    }
    if scenario.hang.contains(&operation) {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if let AuthOutcome::Reject(response) = auth {
        return response;
    }
    if let Some(policy) = &scenario.policy
        && let Some(denied) = denied_by(policy, state, &operation, model.as_deref())
    {
        return denied;
    }
    if let Some(rule) = scenario.rules.iter().find(|r| {
        r.operation == operation
            && (r.model.is_none() || r.model == model)
            && r.when.holds(&request)
    }) {
        if let Some(title) = &rule.html {
            return wire::html(rule.status, title);
        }
        if is_sts {
            return wire::sts_error(rule.status, &rule.error_type, &rule.message);
        }
        return wire::bedrock_error(rule.status, &rule.error_type, &rule.message);
    }
    match operation.as_str() {
        "GetCallerIdentity" => wire::sts_identity(
            ACCOUNT,
            &scenario.caller_arn,
            "AROAEXAMPLEID:dev@example.com",
        ),
        "ListInferenceProfiles" => list(state, &request),
        "GetInferenceProfile" => {
            let id = model.unwrap_or_default();
            match find_profile(state, &id) {
                Some(profile) => wire::json(200, profile),
                None => wire::bedrock_error(
                    404,
                    "ResourceNotFoundException",
                    "The specified resource ARN was not found. Check the ARN and try your request again.",
                ),
            }
        }
        "InvokeModel" | "InvokeModelWithResponseStream" => {
            let id = model.unwrap_or_default();
            if scenario.refuse.contains(&id) {
                return wire::bedrock_error(
                    400,
                    "ValidationException",
                    "The provided model identifier is invalid.",
                );
            }
            if find_profile(state, &id).is_none() && !scenario.invoke_any {
                if id.starts_with("anthropic.") {
                    return wire::bedrock_error(
                        400,
                        "ValidationException",
                        &format!(
                            "Invocation of model ID {id} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model."
                        ),
                    );
                }
                return wire::bedrock_error(
                    400,
                    "ValidationException",
                    "The provided model identifier is invalid.",
                );
            }
            if operation == "InvokeModel" {
                wire::json(
                    200,
                    &wire::message(&id, wire::stop_reason_for(request.body())),
                )
            } else {
                wire::event_stream(&id, wire::stop_reason_for(request.body()))
            }
        }
        _ => wire::bedrock_error(404, "UnknownOperationException", "Unknown operation"),
    }
}

/// The partition of a region, as ARNs spell it.
fn partition(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

/// The action and resources AWS authorises a Bedrock call on.
fn authorised_on(
    state: &State,
    operation: &str,
    model: Option<&str>,
) -> Option<(String, Vec<String>)> {
    let region = &state.scenario.region;
    let partition = partition(region);
    let profile_arn = |id: &str| {
        if id.starts_with("arn:") {
            id.to_string()
        } else {
            format!("arn:{partition}:bedrock:{region}:{ACCOUNT}:inference-profile/{id}")
        }
    };
    match operation {
        "ListInferenceProfiles" => Some((
            "bedrock:ListInferenceProfiles".into(),
            vec![format!(
                "arn:{partition}:bedrock:{region}:{ACCOUNT}:inference-profile/*"
            )],
        )),
        "GetInferenceProfile" => Some((
            "bedrock:GetInferenceProfile".into(),
            vec![profile_arn(model.unwrap_or_default())],
        )),
        "InvokeModel" | "InvokeModelWithResponseStream" => {
            let id = model.unwrap_or_default();
            let mut resources = Vec::new();
            match find_profile(state, id) {
                Some(profile) => {
                    resources.push(profile_arn(id));
                    for route in profile["models"].as_array().into_iter().flatten() {
                        resources.push(route["modelArn"].as_str().unwrap_or_default().to_string());
                    }
                    // A global profile (however it is named in the call) is authorised on the
                    // region-less model too.
                    let profile_id = profile["inferenceProfileId"].as_str().unwrap_or_default();
                    if let Some(base) = profile_id.strip_prefix("global.") {
                        resources
                            .push(format!("arn:{partition}:bedrock:::foundation-model/{base}"));
                    }
                }
                None => resources.push(format!(
                    "arn:{partition}:bedrock:{region}::foundation-model/{id}"
                )),
            }
            Some((format!("bedrock:{operation}"), resources))
        }
        _ => None,
    }
}

/// `*` matches any run of characters, as in IAM.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len()).any(|i| {
                    text.is_char_boundary(head.len() + i) && glob(rest, &text[head.len() + i..])
                })
        }
    }
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// AWS's denial when `policy` does not allow the call on each of its resources.
fn denied_by(
    policy: &Value,
    state: &State,
    operation: &str,
    model: Option<&str>,
) -> Option<Response> {
    let (action, resources) = authorised_on(state, operation, model)?;
    let allows = |resource: &str| {
        policy["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|statement| {
                statement["Effect"] == "Allow"
                    && strings(&statement["Action"])
                        .iter()
                        .any(|a| glob(a, &action))
                    && strings(&statement["Resource"])
                        .iter()
                        .any(|r| glob(r, resource))
            })
    };
    let refused = resources.iter().find(|r| !allows(r))?;
    Some(wire::bedrock_error(
        403,
        "AccessDeniedException",
        &format!(
            "User: {} is not authorized to perform: {action} on resource: {refused} because no identity-based policy allows the {action} action",
            state.scenario.caller_arn
        ),
    ))
}

fn find_profile<'a>(state: &'a State, id: &str) -> Option<&'a Value> {
    state
        .profiles
        .iter()
        .find(|p| p["inferenceProfileId"] == id || p["inferenceProfileArn"] == id)
}

fn list(state: &State, request: &Request) -> Response {
    let query = request.uri().query().unwrap_or("");
    let kind = query_param(query, "type").unwrap_or_else(|| "SYSTEM_DEFINED".into());
    let matching: Vec<Value> = state
        .profiles
        .iter()
        .filter(|p| p["type"] == kind.as_str())
        .cloned()
        .collect();
    let start: usize = query_param(query, "nextToken")
        .and_then(|t| t.strip_prefix("page-").and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let size = state.scenario.page_size.max(1);
    let page: Vec<Value> = matching.iter().skip(start).take(size).cloned().collect();
    let next = if state.scenario.repeat_next_token {
        Some("page-0".to_string())
    } else {
        (start + size < matching.len()).then(|| format!("page-{}", start + size))
    };
    wire::profiles_page(&page, next.as_deref())
}

fn authenticate(
    request: &Request,
    scenario: &Scenario,
    is_sts: bool,
) -> (&'static str, AuthOutcome) {
    let Some(authorization) = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
    else {
        let response = if is_sts {
            wire::sts_error(
                403,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            )
        } else {
            wire::authorization_missing()
        };
        return ("none", AuthOutcome::Reject(response));
    };
    if let Some(key) = authorization.strip_prefix("Bearer ") {
        if is_sts {
            return (
                "bearer",
                AuthOutcome::Reject(wire::sts_error(
                    403,
                    "IncompleteSignature",
                    "Authorization header requires 'Credential' parameter.",
                )),
            );
        }
        if key == bearer_key() || scenario.accept_bearer.as_deref() == Some(key) {
            return ("bearer", AuthOutcome::Ok);
        }
        let mut response = wire::json(
            403,
            &serde_json::json!({"Message": "Authentication failed: Please make sure your API Key is valid."}),
        );
        response.headers_mut().insert(
            "x-amzn-ErrorType",
            http::HeaderValue::from_static("AccessDeniedException"),
        );
        return ("bearer", AuthOutcome::Reject(response));
    }
    if authorization.starts_with("AWS4-HMAC-SHA256 ") {
        let service = if is_sts { "sts" } else { "bedrock" };
        let regions: Vec<&str> = std::iter::once(scenario.region.as_str())
            .chain(scenario.other_regions.iter().map(String::as_str))
            .collect();
        let result = verify_sigv4(request, authorization, service, &regions);
        let reject = |code: &str, message: &str| {
            if is_sts {
                wire::sts_error(403, code, message)
            } else {
                wire::bedrock_error(403, code, message)
            }
        };
        return match result {
            Err(SigError::UnknownKey) => (
                "sigv4",
                AuthOutcome::Reject(reject(
                    if is_sts {
                        "InvalidClientTokenId"
                    } else {
                        "UnrecognizedClientException"
                    },
                    "The security token included in the request is invalid.",
                )),
            ),
            Err(SigError::Mismatch) => (
                "sigv4",
                AuthOutcome::Reject(reject(
                    if is_sts {
                        "SignatureDoesNotMatch"
                    } else {
                        "InvalidSignatureException"
                    },
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                )),
            ),
            Err(SigError::Scope(message)) => (
                "sigv4",
                AuthOutcome::Reject(reject("InvalidSignatureException", &message)),
            ),
            Ok(()) if scenario.expired_credentials => (
                "sigv4",
                AuthOutcome::Reject(reject(
                    if is_sts {
                        "ExpiredToken"
                    } else {
                        "ExpiredTokenException"
                    },
                    "The security token included in the request is expired",
                )),
            ),
            Ok(()) => ("sigv4", AuthOutcome::Ok),
        };
    }
    (
        "other",
        AuthOutcome::Reject(wire::bedrock_error(
            403,
            "IncompleteSignatureException",
            "Authorization header requires 'Credential' parameter.",
        )),
    )
}

fn signing_region(request: &Request) -> Option<String> {
    signing_scope(request, 2)
}

/// A field of the SigV4 credential scope (`<key>/<date>/<region>/<service>/aws4_request`).
fn signing_scope(request: &Request, field: usize) -> Option<String> {
    let authorization = request.headers().get("authorization")?.to_str().ok()?;
    let credential = authorization.split("Credential=").nth(1)?;
    credential
        .split(',')
        .next()?
        .split('/')
        .nth(field)
        .map(str::to_string)
}

/// Why a SigV4 request is refused.
pub(crate) enum SigError {
    UnknownKey,
    Mismatch,
    /// The credential scope names another service or region; AWS's message.
    Scope(String),
}

impl SigError {
    /// The message AWS gives for this refusal.
    pub(crate) fn message(&self) -> String {
        match self {
            SigError::UnknownKey => "The security token included in the request is invalid.".into(),
            SigError::Mismatch => "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into(),
            SigError::Scope(message) => message.clone(),
        }
    }
}

/// Recomputes the request's SigV4 signature from the test secret, as AWS does, for `service`
/// signed in one of `regions`.
pub(crate) fn verify_sigv4(
    request: &Request,
    authorization: &str,
    service: &str,
    regions: &[&str],
) -> Result<(), SigError> {
    let field = |name: &str| {
        authorization
            .split([',', ' '])
            .find_map(|part| part.trim().strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    };
    let credential = field("Credential").ok_or(SigError::Mismatch)?;
    let signed_headers = field("SignedHeaders").ok_or(SigError::Mismatch)?;
    let signature = field("Signature").ok_or(SigError::Mismatch)?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, _date, scope_region, scope_service, _] = scope[..] else {
        return Err(SigError::Mismatch);
    };
    if access_key != ACCESS_KEY {
        return Err(SigError::UnknownKey);
    }
    if scope_service != service {
        return Err(SigError::Scope(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    if !regions.contains(&scope_region) {
        return Err(SigError::Scope(format!(
            "Credential should be scoped to a valid region, not '{scope_region}'."
        )));
    }
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let amz_date = header("x-amz-date").ok_or(SigError::Mismatch)?;
    let time = time::PrimitiveDateTime::parse(
        &amz_date,
        time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
    .map_err(|_| SigError::Mismatch)?
    .assume_utc();
    let session_token = header("x-amz-security-token");
    // The signer adds x-amz-date and the session token itself; pass the other signed headers.
    let headers: Vec<(String, String)> = signed_headers
        .split(';')
        .filter(|h| *h != "x-amz-date" && *h != "x-amz-security-token")
        .filter_map(|h| header(h).map(|v| (h.to_string(), v)))
        .collect();
    let identity = Credentials::new(ACCESS_KEY, SECRET_KEY, session_token, None, "fake").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(scope_region)
        .name(service)
        .time(SystemTime::from(time))
        .settings(SigningSettings::default())
        .build()
        .map_err(|_| SigError::Mismatch)?
        .into();
    let uri = format!(
        "http://{}{}",
        header("host").unwrap_or_default(),
        request
            .uri()
            .path_and_query()
            .map(http::uri::PathAndQuery::as_str)
            .unwrap_or("/")
    );
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(request.body()),
    )
    .map_err(|_| SigError::Mismatch)?;
    let output = sign(signable, &params).map_err(|_| SigError::Mismatch)?;
    if output.signature() == signature {
        Ok(())
    } else {
        Err(SigError::Mismatch)
    }
}
