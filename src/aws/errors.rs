//! Every way a Bedrock, STS or credential call fails, classified into one kind with its own
//! wording and fix. Matching is on the essential part of AWS's messages (REFERENCE §6), with
//! typographic quotes normalised.

use std::error::Error as StdError;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;

use crate::secret;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FailureKind {
    /// `403 {"Message":"Authorization header is missing"}`: no auth reached Bedrock.
    AuthHeaderMissing,
    /// IAM denied an action (`… is not authorized to perform: bedrock:X …`).
    AccessDenied {
        action: Option<String>,
    },
    /// The Marketplace subscription actions are missing.
    Marketplace,
    /// "You don't have access to the model with the specified model ID."
    ModelNotEnabled,
    /// "Model use case details have not been submitted for this account."
    UseCaseRequired,
    /// "… with on-demand throughput isn't supported …"
    OnDemandUnsupported,
    /// "The provided model identifier is invalid."
    InvalidModelId,
    /// "This Model is marked by provider as Legacy"
    LegacyModel,
    /// 404 on a profile or model that does not exist.
    NotFound,
    /// "The security token included in the request is expired"
    ExpiredToken,
    /// "The security token included in the request is invalid", unknown access key.
    InvalidCredentials,
    /// The secret key does not match the access key.
    SignatureMismatch,
    /// A bearer key that Bedrock refused.
    BearerRejected,
    /// The SSO session (token cache) is missing or expired.
    SsoExpired,
    /// No credentials could be found by the chain.
    NoCredentials,
    /// A credential provider (process, assume-role, SSO) failed for another reason.
    CredentialProvider,
    /// 429: throttled — a warning, not a failure.
    Throttled,
    /// Something other than AWS answered (HTML, wrong content type, no request id).
    NotAws {
        content_type: Option<String>,
    },
    Timeout,
    /// DNS, refused connection, reset.
    Connect,
    /// The TLS handshake failed (certificate not trusted: interception, or a wrong endpoint).
    Tls,
    /// `ListInferenceProfiles` handed back a `nextToken` it had already given: it never ends.
    PaginationLoop,
    Other,
}

/// A classified failure of one call.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    #[serde(flatten)]
    pub kind: FailureKind,
    pub status: Option<u16>,
    pub code: Option<String>,
    /// AWS's message, or the error chain, scrubbed of anything that looks like a secret.
    pub message: String,
}

impl FailureKind {
    /// A refusal of the model itself: another model may answer where this one does not. A
    /// throttle, a timeout, a network or credential failure says nothing of the model.
    pub fn is_model_refusal(&self) -> bool {
        matches!(
            self,
            FailureKind::AccessDenied { .. }
                | FailureKind::Marketplace
                | FailureKind::ModelNotEnabled
                | FailureKind::OnDemandUnsupported
                | FailureKind::InvalidModelId
                | FailureKind::LegacyModel
                | FailureKind::NotFound
        )
    }

    /// The kind's name, as JSON carries it.
    pub fn name(&self) -> &'static str {
        match self {
            FailureKind::AuthHeaderMissing => "auth-header-missing",
            FailureKind::AccessDenied { .. } => "access-denied",
            FailureKind::Marketplace => "marketplace",
            FailureKind::ModelNotEnabled => "model-not-enabled",
            FailureKind::UseCaseRequired => "use-case-required",
            FailureKind::OnDemandUnsupported => "on-demand-unsupported",
            FailureKind::InvalidModelId => "invalid-model-id",
            FailureKind::LegacyModel => "legacy-model",
            FailureKind::NotFound => "not-found",
            FailureKind::ExpiredToken => "expired-token",
            FailureKind::InvalidCredentials => "invalid-credentials",
            FailureKind::SignatureMismatch => "signature-mismatch",
            FailureKind::BearerRejected => "bearer-rejected",
            FailureKind::SsoExpired => "sso-expired",
            FailureKind::NoCredentials => "no-credentials",
            FailureKind::CredentialProvider => "credential-provider",
            FailureKind::Throttled => "throttled",
            FailureKind::NotAws { .. } => "not-aws",
            FailureKind::Timeout => "timeout",
            FailureKind::Connect => "connect",
            FailureKind::Tls => "tls",
            FailureKind::PaginationLoop => "pagination-loop",
            FailureKind::Other => "other",
        }
    }
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            status: None,
            code: None,
            message: secret::scrub_text(&message.into()),
        }
    }

    pub fn is_throttled(&self) -> bool {
        self.kind == FailureKind::Throttled
    }

    /// A few words for a list: "model access not enabled", "bedrock:InvokeModel denied", …
    pub fn short_reason(&self) -> String {
        match &self.kind {
            FailureKind::ModelNotEnabled => "model access not enabled".into(),
            FailureKind::UseCaseRequired => "use case form not submitted".into(),
            FailureKind::Marketplace => "Marketplace actions denied".into(),
            FailureKind::AccessDenied { action } => {
                format!("{} denied", action.as_deref().unwrap_or("IAM"))
            }
            FailureKind::LegacyModel => "legacy model".into(),
            FailureKind::OnDemandUnsupported => "needs an inference profile".into(),
            FailureKind::InvalidModelId => "invalid model identifier".into(),
            FailureKind::Throttled => "throttled".into(),
            FailureKind::Timeout => "timed out".into(),
            FailureKind::AuthHeaderMissing => "no Authorization reached Bedrock".into(),
            FailureKind::BearerRejected => "API key rejected".into(),
            FailureKind::ExpiredToken | FailureKind::SsoExpired => "credentials expired".into(),
            FailureKind::NotAws { .. } => "answered by something other than AWS".into(),
            _ => self.brief().chars().take(60).collect(),
        }
    }

    /// What was said, as a person reads it: one line, the SDK's chains and Rust's `Debug` forms
    /// reduced to their words (see [`plain_words`]).
    pub fn words(&self) -> String {
        plain_words(&self.message)
    }

    /// [`Failure::brief`] as a person reads it: `403 AccessDeniedException: …`, one line.
    pub fn said(&self) -> String {
        if let FailureKind::NotAws { .. } = self.kind {
            // Already says what answered, and its status.
            return self.words();
        }
        match (&self.status, &self.code) {
            (Some(status), Some(code)) => format!("{status} {code}: {}", self.words()),
            (Some(status), None) => format!("HTTP {status}: {}", self.words()),
            _ => self.words(),
        }
    }

    /// A short one-line description including the status and the AWS error code.
    pub fn brief(&self) -> String {
        match (&self.status, &self.code) {
            (Some(status), Some(code)) => format!("{status} {code}: {}", self.message),
            (Some(status), None) => format!("HTTP {status}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// The longest a message is shown to a person; the whole of it stays in `-v` and JSON.
const MAX_WORDS: usize = 400;

/// The SDK's names for the links of its default credential chain, as a person says them.
const CHAIN_LINKS: &[(&str, &str)] = &[
    ("Environment", "env"),
    ("Profile", "profile"),
    ("WebIdentityToken", "web identity"),
    ("EcsContainer", "container"),
    ("Ec2InstanceMetadata", "instance metadata"),
];

/// A message as a person reads it, normalised once, here: the SDK's credential-chain dump
/// becomes one line naming the links it tried; a Rust `Debug` form (`Error { code: …, message:
/// Some("…"), … }`) becomes its message; escaped and real line breaks become spaces; the whole
/// is one line of at most [`MAX_WORDS`] characters, cut at a word.
pub(crate) fn plain_words(text: &str) -> String {
    if let Some(at) = text.find("no credentials found in chain") {
        let tried: Vec<&str> = CHAIN_LINKS
            .iter()
            .filter(|(sdk, _)| text[at..].contains(&format!("{sdk}:")))
            .map(|(_, said)| *said)
            .collect();
        return match tried.as_slice() {
            [] => "no credentials found".to_string(),
            [one] => format!("no credentials from {one}"),
            [rest @ .., last] => format!("no credentials from {} or {last}", rest.join(", ")),
        };
    }
    let text = match debug_message(text) {
        Some(message) => message,
        None => text.to_string(),
    };
    let one_line = text
        .replace("\\n", " ")
        .replace("\\r", " ")
        .replace(['\n', '\r', '\t'], " ");
    let words: Vec<&str> = one_line.split_whitespace().collect();
    let mut line = String::new();
    for word in words {
        if line.chars().count() + word.chars().count() + 1 > MAX_WORDS {
            line.push('…');
            return line;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    line
}

/// The message inside a Rust `Debug` form of an SDK error (`message: Some("…")`), with what
/// precedes the form kept (`GetRoleCredentials failed: `).
fn debug_message(text: &str) -> Option<String> {
    let start = text.find(" { ").or_else(|| text.find("Error {"))?;
    let quoted = text.find("message: Some(\"")? + "message: Some(\"".len();
    let end = text[quoted..].find("\")")? + quoted;
    let before = text[..start]
        .rsplit_once(": ")
        .map(|(head, _)| head)
        .filter(|head| !head.contains('{'))
        .unwrap_or("");
    let message = text[quoted..end].replace("\\\"", "\"");
    Some(if before.is_empty() {
        message
    } else {
        format!("{before}: {message}")
    })
}

/// The text of an error and all its causes, which is where the SDK puts credential-chain and
/// connector details.
pub(crate) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

pub(crate) fn classify<E>(err: &SdkError<E, HttpResponse>, bearer: bool) -> Failure
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let raw = service.raw();
            let code = service.err().code().map(str::to_string);
            let message = service
                .err()
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| body_text(raw));
            let mut failure = classify_response(raw, code, message, bearer);
            if failure.kind == FailureKind::Other && not_aws(raw) {
                failure.kind = FailureKind::NotAws {
                    content_type: header(raw, "content-type"),
                };
                failure.message = secret::scrub_text(&describe_foreign_body(raw));
            }
            failure
        }
        SdkError::ResponseError(response) => {
            let raw = response.raw();
            let status = raw.status().as_u16();
            if not_aws(raw) || !is_json_or_xml(raw) {
                let content_type = header(raw, "content-type");
                return Failure {
                    kind: FailureKind::NotAws {
                        content_type: content_type.clone(),
                    },
                    status: Some(status),
                    code: None,
                    message: secret::scrub_text(&describe_foreign_body(raw)),
                };
            }
            let message = error_chain(err);
            classify_response(raw, None, message, bearer)
        }
        SdkError::TimeoutError(_) => {
            Failure::new(FailureKind::Timeout, "no response before the timeout")
        }
        SdkError::DispatchFailure(dispatch) => {
            let chain = error_chain(err);
            let kind = if dispatch.is_timeout() {
                FailureKind::Timeout
            } else if is_tls(&chain) {
                FailureKind::Tls
            } else if is_credentials_problem(&chain) {
                credentials_kind(&chain)
            } else if dispatch.is_io() {
                FailureKind::Connect
            } else {
                credentials_kind(&chain)
            };
            Failure::new(kind, chain)
        }
        SdkError::ConstructionFailure(_) => {
            let chain = error_chain(err);
            Failure::new(credentials_kind(&chain), chain)
        }
        _ => Failure::new(FailureKind::Other, error_chain(err)),
    }
}

fn classify_response(
    raw: &HttpResponse,
    code: Option<String>,
    message: String,
    bearer: bool,
) -> Failure {
    let code = code.or_else(|| {
        header(raw, "x-amzn-errortype").map(|t| t.split(':').next().unwrap_or("").to_string())
    });
    classify_answer(raw.status().as_u16(), code, message, bearer)
}

/// An error answer classified by its status, AWS error code and message: the same kinds a
/// live call gets, for an answer the relay passed back to the user's client too.
pub(crate) fn classify_answer(
    status: u16,
    code: Option<String>,
    message: String,
    bearer: bool,
) -> Failure {
    let text = normalise(&message);
    let code_is = |c: &str| code.as_deref() == Some(c);
    let kind = if text.contains("authorization header is missing") {
        FailureKind::AuthHeaderMissing
    } else if text.contains("aws-marketplace:") || text.contains("marketplace actions") {
        FailureKind::Marketplace
    } else if text.contains("is not authorized to perform") {
        FailureKind::AccessDenied {
            action: denied_action(&message),
        }
    } else if text.contains("use case details have not been submitted") {
        FailureKind::UseCaseRequired
    } else if text.contains("don't have access to the model") {
        FailureKind::ModelNotEnabled
    } else if text.contains("on-demand throughput isn't supported") {
        FailureKind::OnDemandUnsupported
    } else if text.contains("model identifier is invalid") {
        FailureKind::InvalidModelId
    } else if text.contains("marked by provider as legacy") {
        FailureKind::LegacyModel
    } else if text.contains("security token included in the request is expired")
        || code_is("ExpiredTokenException")
        || code_is("ExpiredToken")
    {
        FailureKind::ExpiredToken
    } else if text.contains("signature we calculated does not match")
        || code_is("SignatureDoesNotMatch")
        || code_is("InvalidSignatureException")
    {
        FailureKind::SignatureMismatch
    } else if text.contains("security token included in the request is invalid")
        || code_is("UnrecognizedClientException")
        || code_is("InvalidClientTokenId")
    {
        FailureKind::InvalidCredentials
    } else if bearer
        && (text.contains("api key") || status == 401 || (status == 403 && code.is_none()))
    {
        FailureKind::BearerRejected
    } else if status == 429
        || code_is("ThrottlingException")
        || text.contains("too many requests")
        || text.contains("too many tokens")
    {
        FailureKind::Throttled
    } else if status == 404 || code_is("ResourceNotFoundException") {
        FailureKind::NotFound
    } else if code_is("AccessDeniedException") {
        FailureKind::AccessDenied { action: None }
    } else {
        FailureKind::Other
    };
    Failure {
        kind,
        status: Some(status),
        code,
        message: secret::scrub_text(&message),
    }
}

fn normalise(message: &str) -> String {
    message.replace(['’', '‘'], "'").to_ascii_lowercase()
}

/// `bedrock:InvokeModel` out of "… is not authorized to perform: bedrock:InvokeModel on resource …".
fn denied_action(message: &str) -> Option<String> {
    let rest = message.split("perform: ").nth(1)?;
    let action: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
        .collect();
    (action.contains(':')).then_some(action)
}

fn header(raw: &HttpResponse, name: &str) -> Option<String> {
    raw.headers().get(name).map(str::to_string)
}

/// AWS always sends a request id; proxies and gateways usually don't.
fn not_aws(raw: &HttpResponse) -> bool {
    let has_request_id = ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
        .iter()
        .any(|h| raw.headers().get(*h).is_some());
    let html = header(raw, "content-type").is_some_and(|ct| ct.contains("html"));
    html || !has_request_id
}

fn is_json_or_xml(raw: &HttpResponse) -> bool {
    header(raw, "content-type")
        .is_some_and(|ct| ct.contains("json") || ct.contains("xml") || ct.contains("eventstream"))
}

fn body_text(raw: &HttpResponse) -> String {
    raw.body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// What answered instead of AWS, in words: `an HTML page "Access Denied by Corporate Proxy"
/// (HTTP 403, server "proxy.corp")`; a body without a title is quoted by its first words.
fn describe_foreign_body(raw: &HttpResponse) -> String {
    let body = body_text(raw);
    let title = body
        .find("<title>")
        .and_then(|start| {
            let rest = &body[start + 7..];
            rest.find("</title>")
                .map(|end| rest[..end].trim().to_string())
        })
        .filter(|t| !t.is_empty());
    let content_type = header(raw, "content-type");
    let html = content_type
        .as_deref()
        .is_some_and(|ct| ct.contains("html"))
        || body.trim_start().starts_with('<');
    let excerpt = || {
        let words: String = body
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(80)
            .collect();
        format!("\"{words}\"")
    };
    let what = match (html, title) {
        (true, Some(title)) => format!("an HTML page \"{title}\""),
        (true, None) => "an HTML page".to_string(),
        (false, _) => match &content_type {
            Some(ct) => format!("a {ct} answer {}", excerpt()),
            None => format!("an answer without a content type {}", excerpt()),
        },
    };
    let server = header(raw, "server")
        .map(|s| format!(", server \"{s}\""))
        .unwrap_or_default();
    format!("{what} (HTTP {}{server})", raw.status().as_u16())
}

fn is_tls(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "unknownissuer",
        "self-signed",
        "self signed",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

fn is_credentials_problem(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    ["credential", "identity", "sso", "token", "profile"]
        .iter()
        .any(|m| lower.contains(m))
}

pub(crate) fn credentials_kind(chain: &str) -> FailureKind {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("session token not found or invalid")
        || (lower.contains("sso") && (lower.contains("expired") || lower.contains("token")))
    {
        FailureKind::SsoExpired
    } else if lower.contains("no credentials")
        || lower.contains("credentialsnotloaded")
        || lower.contains("could not find")
        || lower.contains("not loaded")
    {
        FailureKind::NoCredentials
    } else if lower.contains("credential") || lower.contains("profile") || lower.contains("assume")
    {
        FailureKind::CredentialProvider
    } else if is_tls(chain) {
        FailureKind::Tls
    } else {
        FailureKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::{Failure, FailureKind};

    #[test]
    fn what_was_said_is_one_line_of_words() {
        use super::plain_words;
        let chain = "the credential provider was not enabled: no credentials found in chain. Attempted:\n  Environment: the credential provider was not enabled: environment variable not set\n  Profile: the credential provider was not enabled\n  WebIdentityToken: not set\n  EcsContainer: ECS provider not configured\n  Ec2InstanceMetadata: IMDS disabled";
        assert_eq!(
            plain_words(chain),
            "no credentials from env, profile, web identity, container or instance metadata"
        );
        let debug = r#"failed to load SSO token: Error { code: "UnauthorizedException", message: Some("Session token not found or invalid"), aws_request_id: "x" }"#;
        assert_eq!(
            plain_words(debug),
            "failed to load SSO token: Session token not found or invalid"
        );
        assert_eq!(plain_words("a\\nb\n  c"), "a b c");
        let long = "word ".repeat(200);
        let cut = plain_words(&long);
        assert!(
            cut.chars().count() <= super::MAX_WORDS + 1 && cut.ends_with('…'),
            "{cut}"
        );
    }

    #[test]
    fn a_kind_is_named_as_json_names_it() {
        for kind in [
            FailureKind::AuthHeaderMissing,
            FailureKind::AccessDenied { action: None },
            FailureKind::Marketplace,
            FailureKind::OnDemandUnsupported,
            FailureKind::NotAws { content_type: None },
            FailureKind::PaginationLoop,
            FailureKind::Other,
        ] {
            let name = kind.name();
            let json = serde_json::to_value(Failure::new(kind, "m")).unwrap();
            assert_eq!(json["kind"], name);
        }
    }
}
