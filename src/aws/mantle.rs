//! The client for Bedrock's Anthropic Messages API ("Mantle"): requests built and signed as
//! Claude Code sends them (SigV4 for `bedrock-mantle`, or the bearer key in `x-api-key` or
//! `Authorization: Bearer`), sent on Claude Code's network path, each recorded in the call log;
//! and what Mantle's refusals mean, beside the code that reads them.

use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::aws::Clients;
use crate::aws::policy;
use crate::config::EffectiveConfig;
use crate::net::http::{ClientTrust, Response, send};
use crate::net::{NetError, NetErrorKind, Target};
use crate::report::CallRecord;

pub(crate) const ANTHROPIC_VERSION: &str = "2023-06-01";
pub(crate) const SERVICE: &str = "bedrock-mantle";

/// Messages live under the base (`…/anthropic/v1/messages`).
pub(crate) fn messages_url(base: &str) -> String {
    format!("{}/v1/messages", base.trim_end_matches('/'))
}

/// The OpenAI-compatible model list lives beside the Anthropic API on the same host: the base
/// without its trailing `/anthropic`, then `/v1/models`.
pub(crate) fn models_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let root = base.strip_suffix("/anthropic").unwrap_or(base);
    format!("{root}/v1/models")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerHeader {
    XApiKey,
    Authorization,
}

impl BearerHeader {
    pub fn label(self) -> &'static str {
        match self {
            BearerHeader::XApiKey => "x-api-key",
            BearerHeader::Authorization => "Authorization: Bearer",
        }
    }
}

#[derive(Clone)]
pub enum Auth {
    SigV4(Credentials),
    Bearer(String, BearerHeader),
    None,
}

/// One request's outcome.
pub(crate) type Outcome = Result<Response, NetError>;

pub(crate) struct Ctx<'a> {
    pub clients: &'a Clients,
    pub trust: &'a ClientTrust,
    pub route: crate::net::Route,
    pub timeout: Duration,
    pub region: String,
}

impl Ctx<'_> {
    pub(crate) async fn request(
        &self,
        operation: &str,
        method: &str,
        url: &str,
        body: Option<&Value>,
        auth: &Auth,
    ) -> Outcome {
        let started = Instant::now();
        let result = self.build(method, url, body, auth).await;
        let result = match result {
            Ok(request) => send(request, &self.route, self.trust, self.timeout).await,
            Err(err) => Err(err),
        };
        self.clients.log.push(CallRecord {
            operation: format!("bedrock-mantle.{operation}"),
            endpoint: url.to_string(),
            status: result.as_ref().ok().map(|r| r.status),
            outcome: match &result {
                Ok(r) if r.status < 300 => "ok".into(),
                Ok(_) => "error".into(),
                Err(err) => err.message.clone(),
            },
            duration_ms: started.elapsed().as_millis() as u64,
            detail: None,
        });
        result
    }

    pub(crate) async fn build(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        auth: &Auth,
    ) -> Result<http::Request<Bytes>, NetError> {
        let bad = |why: String| NetError::new(NetErrorKind::Io, crate::net::Phase::Request, why);
        let target = Target::parse(url).map_err(bad)?;
        let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let mut builder = http::Request::builder()
            .method(method)
            .uri(url)
            .header("host", target.host_header())
            .header("anthropic-version", ANTHROPIC_VERSION)
            .header("accept", "application/json");
        if method == "POST" {
            builder = builder.header("content-type", "application/json");
        }
        match auth {
            Auth::Bearer(key, BearerHeader::XApiKey) => builder = builder.header("x-api-key", key),
            Auth::Bearer(key, BearerHeader::Authorization) => {
                builder = builder.header("authorization", format!("Bearer {key}"));
            }
            _ => {}
        }
        let mut request = builder
            .body(body)
            .map_err(|err| bad(format!("cannot build the request: {err}")))?;
        if let Auth::SigV4(credentials) = auth {
            super::sigv4::sign(&mut request, credentials, &self.region, SERVICE)
                .map_err(|why| bad(format!("cannot sign the request: {why}")))?;
        }
        Ok(request)
    }
}

/// What Mantle said in an error: Anthropic's `{"error":{"type","message"}}` or AWS's `{"message"}`.
pub(crate) fn error_of(response: &Response) -> (String, String) {
    let json: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    let kind = json
        .pointer("/error/type")
        .and_then(Value::as_str)
        .or_else(|| {
            response
                .header("x-amzn-errortype")
                .map(|t| t.split(':').next().unwrap_or(t))
        })
        .unwrap_or("")
        .to_string();
    let message = json
        .pointer("/error/message")
        .or_else(|| json.get("message"))
        .or_else(|| json.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            let text = response.text();
            if response
                .header("content-type")
                .is_some_and(|c| c.contains("html"))
            {
                "an HTML page (a proxy or gateway answered, not Mantle)".into()
            } else {
                text.chars().take(160).collect()
            }
        });
    (kind, crate::secret::scrub_text(&message))
}

/// A failed authenticated request, explained.
pub(crate) struct Denial {
    pub problem: String,
    pub fix: String,
    /// Mantle refused the credentials themselves (not an IAM action, not the account).
    pub credentials_rejected: bool,
}

pub(crate) fn denial(response: &Response, auth: &Auth, config: &EffectiveConfig) -> Denial {
    let (kind, message) = error_of(response);
    let status = response.status;
    let lower = message.to_ascii_lowercase().replace('’', "'");
    let bearer = matches!(auth, Auth::Bearer(..));
    let region = &config.region.value;
    if let Some(action) = lower
        .split("perform: ")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
                .collect::<String>()
        })
        .filter(|a| a.contains(':'))
    {
        let action = if action.eq_ignore_ascii_case("bedrock-mantle:createinference") {
            "bedrock-mantle:CreateInference".to_string()
        } else if action.eq_ignore_ascii_case("bedrock-mantle:callwithbearertoken") {
            "bedrock-mantle:CallWithBearerToken".to_string()
        } else {
            action
        };
        let mut fix = format!(
            "Grant {action} to the identity Claude Code uses:\n{}",
            policy::statement_for(&action, &config.region.value)
        );
        if bearer && action != "bedrock-mantle:CallWithBearerToken" {
            fix.push_str(&format!(
                "\nA Bedrock API key also needs bedrock-mantle:CallWithBearerToken:\n{}",
                policy::statement_for("bedrock-mantle:CallWithBearerToken", &config.region.value)
            ));
        }
        return Denial {
            problem: format!("IAM denies {action} ({status}): {message}"),
            fix,
            credentials_rejected: false,
        };
    }
    let auth_problem = status == 401
        || kind == "authentication_error"
        || lower.contains("signature")
        || lower.contains("security token")
        || lower.contains("api key")
        || lower.contains("missing authentication");
    if auth_problem {
        let fix = if lower.contains("expired") {
            format!(
                "The credentials have expired: refresh them (SSO: aws sso login --profile {}).",
                crate::secret::shell_quote(&config.profile.name)
            )
        } else if bearer {
            format!(
                "Check that the Bedrock API key is current and was made for {region}; its identity needs bedrock-mantle:CallWithBearerToken:\n{}",
                policy::statement_for("bedrock-mantle:CallWithBearerToken", &config.region.value)
            )
        } else {
            "Check the credentials (auth.identity): the signature must be made with the secret of the access key, for service bedrock-mantle in the configured region.".to_string()
        };
        return Denial {
            problem: format!("Mantle rejected the credentials ({status} {kind}): {message}"),
            fix,
            credentials_rejected: true,
        };
    }
    if status == 403 {
        // Authenticated (the credentials were accepted) but refused without naming an IAM action:
        // the account has not been granted Mantle.
        return Denial {
            problem: format!(
                "the account is not granted access to Mantle in {region} (403 {kind}): {message}"
            ),
            fix: format!(
                "The credentials are valid, but this AWS account is not enabled for Bedrock's Mantle endpoint: ask your AWS account team to grant the account access to Mantle in {region}. Until then, use the Invoke API (CLAUDE_CODE_USE_BEDROCK=1 with inference-profile IDs) instead of CLAUDE_CODE_USE_MANTLE."
            ),
            credentials_rejected: false,
        };
    }
    Denial {
        problem: format!("Mantle answered {status} {kind}: {message}"),
        fix: "What Mantle said names what went wrong; `-v` lists every call made and its answer."
            .into(),
        credentials_rejected: false,
    }
}

pub(crate) async fn reach(
    target: &Target,
    route: &crate::net::Route,
    trust: &ClientTrust,
    timeout: Duration,
) -> Result<(), NetError> {
    let deadline = tokio::time::Instant::now() + timeout;
    let io = crate::net::open(target, route, deadline).await?;
    if target.scheme == crate::net::Scheme::Https {
        let (_, chain) = crate::net::tls::handshake(io, &target.host, &[], deadline).await?;
        let verdict = trust.judge(&chain, &target.host);
        if !verdict.is_trusted() {
            return Err(NetError::new(
                NetErrorKind::Tls,
                crate::net::Phase::Tls,
                format!(
                    "Claude Code would reject the certificate: {}",
                    verdict.describe()
                ),
            ));
        }
    }
    Ok(())
}

pub(crate) fn message_body(model: &str, stream: bool) -> Value {
    let mut body = json!({
        "model": model,
        "max_tokens": 1,
        "messages": [{ "role": "user", "content": "." }]
    });
    if stream {
        body["stream"] = json!(true);
    }
    body
}

/// Reads an SSE body to its end: it must be `text/event-stream` and finish with `message_stop`.
pub(crate) fn stream_problem(response: &Response) -> Option<String> {
    let content_type = response.header("content-type").unwrap_or("");
    if !content_type.starts_with("text/event-stream") {
        return Some(format!(
            "the stream is not server-sent events (content-type \"{content_type}\"): something between here and Mantle rewrote it"
        ));
    }
    let text = response.text();
    let mut events = Vec::new();
    for block in text.split("\n\n") {
        let event = block
            .lines()
            .find_map(|l| l.strip_prefix("event:"))
            .map(|e| e.trim().to_string());
        let data = block.lines().find_map(|l| l.strip_prefix("data:"));
        if let Some(data) = data
            && let Ok(json) = serde_json::from_str::<Value>(data.trim())
            && json["type"] == "error"
        {
            return Some(format!(
                "the stream carried an error: {}",
                json.pointer("/error/message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            ));
        }
        if let Some(event) = event {
            events.push(event);
        }
    }
    if events.last().map(String::as_str) != Some("message_stop") {
        return Some(format!(
            "the stream ended without message_stop ({} events)",
            events.len()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_list_lives_beside_the_anthropic_base() {
        let base = "https://bedrock-mantle.us-east-1.api.aws/anthropic";
        assert_eq!(
            models_url(base),
            "https://bedrock-mantle.us-east-1.api.aws/v1/models"
        );
        assert_eq!(
            messages_url(base),
            "https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages"
        );
        assert_eq!(
            models_url("http://127.0.0.1:9/gw/anthropic/"),
            "http://127.0.0.1:9/gw/v1/models"
        );
        assert_eq!(
            models_url("http://127.0.0.1:9"),
            "http://127.0.0.1:9/v1/models"
        );
    }

    #[test]
    fn a_stream_must_end_with_message_stop() {
        let response = |content_type: &str, body: &str| Response {
            status: 200,
            headers: {
                let mut h = http::HeaderMap::new();
                h.insert("content-type", content_type.parse().unwrap());
                h
            },
            body: Bytes::from(body.to_string()),
            duration_ms: 0,
        };
        let full = "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        assert_eq!(stream_problem(&response("text/event-stream", full)), None);
        let cut = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n";
        assert!(
            stream_problem(&response("text/event-stream", cut))
                .unwrap()
                .contains("without message_stop")
        );
        assert!(
            stream_problem(&response("text/html", full))
                .unwrap()
                .contains("not server-sent")
        );
    }
}
