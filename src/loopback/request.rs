//! What one request to a loopback server was: the operation it asked for and how it was
//! authenticated. Facts about the `Authorization` header — its scheme, whether a bearer key
//! equals the expected one (compared as SHA-256 digests), the SigV4 scope — and never the header
//! itself.

use serde::{Deserialize, Serialize};

use crate::encoding::percent_decode;
use crate::secret::digest;

/// Requests recorded from one run; a client that makes more is cut off from the record (its
/// requests are still answered), so that no client decides a loopback server's memory.
pub const MAX_RECORDED: usize = 512;

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
