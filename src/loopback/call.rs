//! A Bedrock or Mantle request as the relay understands it: one of the operations Claude Code
//! makes, with its identifier decoded and checked, written again in canonical form for the real
//! endpoint. Nothing the client wrote in the path or query reaches the endpoint as written, so a
//! `..` segment, an encoded `/` outside an identifier or an extra query parameter cannot.

use crate::encoding::percent_decode;

use super::request::Operation;

/// The longest identifier a call may name (Bedrock's own limit on a model ID or ARN).
pub const MAX_IDENTIFIER: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    ListInferenceProfiles { query: Vec<(String, String)> },
    GetInferenceProfile { id: String },
    InvokeModel { model: String },
    InvokeModelWithResponseStream { model: String },
    CountTokens { model: String },
    MantleMessages { beta: bool },
    MantleCountTokens { beta: bool },
    MantleModels,
}

impl Call {
    /// Reads `method` and `target` (path and query, as sent, below the relay's secret).
    pub fn parse(method: &str, target: &str) -> Result<Call, String> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let segments: Vec<&str> = path
            .strip_prefix('/')
            .ok_or_else(|| "the path does not start with /".to_string())?
            .split('/')
            .collect();
        for segment in &segments {
            if segment.is_empty() || matches!(percent_decode(segment).as_str(), "." | "..") {
                return Err("the path is not canonical (an empty, . or .. segment)".into());
            }
        }
        let plain = |segment: &str| -> Result<(), String> {
            if segment.contains('%') || segment.contains('\\') {
                Err("the path is not canonical (an encoded character outside an identifier)".into())
            } else {
                Ok(())
            }
        };
        let no_query = || -> Result<(), String> {
            if query.is_empty() {
                Ok(())
            } else {
                Err("this operation takes no query parameters".into())
            }
        };
        let call = match (method, segments.as_slice()) {
            ("GET", ["inference-profiles"]) => Call::ListInferenceProfiles {
                query: list_query(query)?,
            },
            ("GET", ["inference-profiles", id]) => {
                no_query()?;
                Call::GetInferenceProfile {
                    id: identifier(id)?,
                }
            }
            ("POST", ["model", model, action]) => {
                no_query()?;
                let model = identifier(model)?;
                match *action {
                    "invoke" => Call::InvokeModel { model },
                    "invoke-with-response-stream" => Call::InvokeModelWithResponseStream { model },
                    "count-tokens" => Call::CountTokens { model },
                    _ => {
                        return Err(format!(
                            "POST /model/…/{} is not a call Claude Code makes",
                            escape(action)
                        ));
                    }
                }
            }
            ("POST", ["anthropic", "v1", "messages"]) => Call::MantleMessages {
                beta: beta_query(query)?,
            },
            ("POST", ["anthropic", "v1", "messages", "count_tokens"]) => Call::MantleCountTokens {
                beta: beta_query(query)?,
            },
            ("GET", ["v1", "models"] | ["anthropic", "v1", "models"]) => {
                no_query()?;
                Call::MantleModels
            }
            _ => {
                for segment in &segments {
                    plain(segment)?;
                }
                return Err(format!(
                    "{} {} is not a call Claude Code makes to Bedrock",
                    escape(method),
                    escape(path)
                ));
            }
        };
        Ok(call)
    }

    pub fn operation(&self) -> Operation {
        match self {
            Call::ListInferenceProfiles { .. } => Operation::ListInferenceProfiles,
            Call::GetInferenceProfile { .. } => Operation::GetInferenceProfile,
            Call::InvokeModel { .. } => Operation::InvokeModel,
            Call::InvokeModelWithResponseStream { .. } => Operation::InvokeModelWithResponseStream,
            Call::CountTokens { .. } => Operation::CountTokens,
            Call::MantleMessages { .. } => Operation::MantleMessages,
            Call::MantleCountTokens { .. } => Operation::MantleCountTokens,
            Call::MantleModels => Operation::MantleModels,
        }
    }

    /// The model a call is for: the path's model ID (Mantle names it in the body).
    pub fn model(&self) -> Option<&str> {
        match self {
            Call::InvokeModel { model }
            | Call::InvokeModelWithResponseStream { model }
            | Call::CountTokens { model } => Some(model),
            _ => None,
        }
    }

    /// A model request: one that costs tokens and whose shape Bedrock may refuse.
    pub fn is_model_request(&self) -> bool {
        matches!(
            self,
            Call::InvokeModel { .. }
                | Call::InvokeModelWithResponseStream { .. }
                | Call::MantleMessages { .. }
        )
    }

    pub fn is_mantle(&self) -> bool {
        self.operation().is_mantle()
    }

    /// The SigV4 service a call is signed for.
    pub fn service(&self) -> &'static str {
        if self.is_mantle() {
            "bedrock-mantle"
        } else {
            "bedrock"
        }
    }

    pub fn method(&self) -> &'static str {
        match self {
            Call::ListInferenceProfiles { .. }
            | Call::GetInferenceProfile { .. }
            | Call::MantleModels => "GET",
            _ => "POST",
        }
    }

    /// The path and query under the endpoint's base, written canonically (`/model/<id>/invoke`).
    /// Mantle's messages path is under the base (which ends in `/anthropic`); its model list is
    /// beside it, and built by [`crate::aws::mantle::models_url`].
    pub fn path_and_query(&self) -> String {
        let beta = |beta: bool| if beta { "?beta=true" } else { "" };
        match self {
            Call::ListInferenceProfiles { query } => {
                let query: Vec<String> = query
                    .iter()
                    .map(|(name, value)| format!("{name}={}", encode(value)))
                    .collect();
                if query.is_empty() {
                    "/inference-profiles".into()
                } else {
                    format!("/inference-profiles?{}", query.join("&"))
                }
            }
            Call::GetInferenceProfile { id } => format!("/inference-profiles/{}", encode(id)),
            Call::InvokeModel { model } => format!("/model/{}/invoke", encode(model)),
            Call::InvokeModelWithResponseStream { model } => {
                format!("/model/{}/invoke-with-response-stream", encode(model))
            }
            Call::CountTokens { model } => format!("/model/{}/count-tokens", encode(model)),
            Call::MantleMessages { beta: b } => format!("/v1/messages{}", beta(*b)),
            Call::MantleCountTokens { beta: b } => format!("/v1/messages/count_tokens{}", beta(*b)),
            Call::MantleModels => "/v1/models".into(),
        }
    }
}

/// A model ID, inference-profile ID or ARN from a path segment: decoded, and made only of the
/// characters such identifiers have. An ARN's resource may hold `/` (encoded in the segment).
fn identifier(segment: &str) -> Result<String, String> {
    let id = percent_decode(segment);
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '/');
    if id.is_empty() || id.len() > MAX_IDENTIFIER || !id.chars().all(allowed) {
        return Err("the path names a model or profile that is not a Bedrock identifier".into());
    }
    if id.contains('/')
        && (!id.starts_with("arn:")
            || id
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == ".."))
    {
        return Err("the path names a model or profile that is not a Bedrock identifier".into());
    }
    Ok(id)
}

/// `ListInferenceProfiles`'s parameters: `type`, `maxResults` and `nextToken`, nothing else.
fn list_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        let valid = match name {
            "type" => matches!(value.as_str(), "SYSTEM_DEFINED" | "APPLICATION"),
            "maxResults" => {
                !value.is_empty() && value.len() <= 4 && value.bytes().all(|b| b.is_ascii_digit())
            }
            "nextToken" => {
                !value.is_empty()
                    && value.len() <= MAX_IDENTIFIER
                    && value.chars().all(|c| c.is_ascii_graphic())
            }
            _ => false,
        };
        if !valid || kept.iter().any(|(n, _)| n == name) {
            return Err(format!(
                "ListInferenceProfiles takes type, maxResults and nextToken once each, not {}",
                escape(name)
            ));
        }
        kept.push((name.to_string(), value));
    }
    Ok(kept)
}

/// Mantle's messages take `?beta=true` and nothing else.
fn beta_query(query: &str) -> Result<bool, String> {
    match query {
        "" => Ok(false),
        "beta=true" => Ok(true),
        _ => Err("Mantle's messages take no query parameter but beta=true".into()),
    }
}

/// Percent-encodes everything but the unreserved characters and `:` (as Claude Code sends model
/// IDs), so that an identifier is one path segment.
fn encode(text: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b':');
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// What the client sent, made safe to quote: control characters out, at most 80 characters.
fn escape(text: &str) -> String {
    let shown: String = text.chars().filter(|c| !c.is_control()).take(80).collect();
    if text.chars().count() > 80 {
        format!("{shown}…")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calls_claude_code_makes_are_read() {
        assert_eq!(
            Call::parse(
                "GET",
                "/inference-profiles?type=SYSTEM_DEFINED&maxResults=1000"
            )
            .unwrap(),
            Call::ListInferenceProfiles {
                query: vec![
                    ("type".into(), "SYSTEM_DEFINED".into()),
                    ("maxResults".into(), "1000".into())
                ]
            }
        );
        let arn =
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc";
        let get = Call::parse("GET", &format!("/inference-profiles/{arn}")).unwrap();
        assert_eq!(
            get,
            Call::GetInferenceProfile {
                id: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
                    .into()
            }
        );
        assert_eq!(
            get.path_and_query(),
            "/inference-profiles/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile%2Fabc"
        );
        let invoke = Call::parse(
            "POST",
            "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke",
        )
        .unwrap();
        assert_eq!(
            invoke.path_and_query(),
            "/model/us.anthropic.claude-haiku-4-5-20251001-v1:0/invoke"
        );
        assert!(invoke.is_model_request());
        assert_eq!(
            Call::parse("POST", "/model/x/count-tokens")
                .unwrap()
                .operation(),
            Operation::CountTokens
        );
        assert_eq!(
            Call::parse("POST", "/anthropic/v1/messages?beta=true").unwrap(),
            Call::MantleMessages { beta: true }
        );
        assert_eq!(
            Call::parse("GET", "/v1/models").unwrap(),
            Call::MantleModels
        );
        assert_eq!(
            Call::MantleMessages { beta: false }.service(),
            "bedrock-mantle"
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for (method, target) in [
            ("GET", "/inference-profiles/../../sts"),
            ("GET", "/inference-profiles/%2e%2e"),
            ("POST", "/model/../invoke"),
            ("POST", "/model/us.anthropic.x%2F..%2Fy/invoke"),
            (
                "POST",
                "/model/arn:aws:bedrock:us-east-1::foundation-model%2F..%2Fx/invoke",
            ),
            ("POST", "/model//invoke"),
            ("POST", "/model/x/invoke?x-amz-target=1"),
            ("POST", "/model/x/converse"),
            (
                "GET",
                "/inference-profiles?type=SYSTEM_DEFINED&Action=AssumeRole",
            ),
            ("GET", "/inference-profiles?type=X"),
            ("POST", "/"),
            ("POST", "/anthropic/v1/messages?model=x"),
            ("DELETE", "/inference-profiles/x"),
            ("POST", "/model/a%20b/invoke"),
            ("POST", "/model/a%0Ab/invoke"),
        ] {
            assert!(Call::parse(method, target).is_err(), "{method} {target}");
        }
        let long = "a".repeat(MAX_IDENTIFIER + 1);
        assert!(Call::parse("POST", &format!("/model/{long}/invoke")).is_err());
    }
}
