//! Offline analysis of a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`). Nothing here ever returns
//! the key or its secret part; callers get facts about it and a fingerprint.

use crate::encoding::percent_decode;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::secret;

pub const SHORT_TERM_PREFIX: &str = "bedrock-api-key-";
pub const LONG_TERM_PREFIX: &str = "ABSK";
/// Short-term keys live at most 12 hours.
pub const MAX_SHORT_TERM_LIFETIME_SECS: i64 = 43_200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum BearerKind {
    /// A presigned `CallWithBearerToken` URL: works in one region until it expires.
    ShortTerm {
        region: String,
        #[serde(with = "time::serde::rfc3339")]
        issued_at: OffsetDateTime,
        lifetime_secs: i64,
        /// Issue time plus lifetime; the key may die earlier with the session that signed it.
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
        signed_with_session_token: bool,
    },
    /// A long-term key bound to an IAM user; the account is readable, the expiry is not.
    LongTerm {
        account: String,
    },
    Malformed {
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct BearerAnalysis {
    pub fingerprint: String,
    pub length: usize,
    #[serde(flatten)]
    pub kind: BearerKind,
    /// Problems in how the value was written (quotes, whitespace, a `Bearer ` prefix).
    pub formatting: Vec<String>,
}

impl BearerAnalysis {
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        matches!(&self.kind, BearerKind::ShortTerm { expires_at, .. } if *expires_at <= now)
    }

    pub fn region(&self) -> Option<&str> {
        match &self.kind {
            BearerKind::ShortTerm { region, .. } => Some(region),
            _ => None,
        }
    }
}

pub fn analyze(raw: &str) -> BearerAnalysis {
    let mut formatting = Vec::new();
    let mut key = raw;
    if key.trim() != key {
        formatting.push(
            "the value has leading or trailing whitespace (a pasted newline?); Claude Code sends it as is"
                .to_string(),
        );
        key = key.trim();
    }
    for quote in ['"', '\''] {
        if key.len() >= 2 && key.starts_with(quote) && key.ends_with(quote) {
            formatting.push(format!(
                "the value is wrapped in {quote} quotes, which become part of the key"
            ));
            key = &key[1..key.len() - 1];
        }
    }
    if let Some(rest) = key
        .strip_prefix("Bearer ")
        .or_else(|| key.strip_prefix("bearer "))
    {
        formatting.push(
            "the value starts with \"Bearer \": set only the key, Claude Code adds the scheme"
                .to_string(),
        );
        key = rest.trim_start();
    }
    BearerAnalysis {
        fingerprint: secret::fingerprint(raw),
        length: raw.chars().count(),
        kind: classify(key),
        formatting,
    }
}

fn classify(key: &str) -> BearerKind {
    if let Some(encoded) = key.strip_prefix(SHORT_TERM_PREFIX) {
        return short_term(encoded).unwrap_or_else(|reason| BearerKind::Malformed { reason });
    }
    if let Some(encoded) = key.strip_prefix(LONG_TERM_PREFIX) {
        return long_term(encoded).unwrap_or_else(|reason| BearerKind::Malformed { reason });
    }
    let reason = if key.starts_with("sk-ant-") {
        "this is an Anthropic API key (sk-ant-…), not a Bedrock API key; it belongs in ANTHROPIC_API_KEY and does not work with Bedrock"
    } else if key.starts_with("AKIA") || key.starts_with("ASIA") {
        "this is an AWS access key ID, not a Bedrock API key; put access keys in a profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    } else if key.starts_with("eyJ") {
        "this looks like a JWT, not a Bedrock API key"
    } else if key.is_empty() {
        "the value is empty"
    } else {
        "a Bedrock API key starts with ABSK (long-term) or bedrock-api-key- (short-term); this one starts with neither"
    };
    BearerKind::Malformed {
        reason: reason.to_string(),
    }
}

fn decode(encoded: &str) -> Option<Vec<u8>> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(encoded).ok())
}

fn long_term(encoded: &str) -> Result<BearerKind, String> {
    let decoded = decode(encoded).ok_or(
        "the part after ABSK is not valid base64; the key was probably truncated when copied",
    )?;
    let decoded = String::from_utf8(decoded)
        .map_err(|_| "the part after ABSK does not decode to text; the key is corrupted")?;
    let (identity, secret) = decoded
        .split_once(':')
        .ok_or("the decoded key has no secret part; it was probably truncated when copied")?;
    if secret.is_empty() {
        return Err("the decoded key has an empty secret part".into());
    }
    let rest = identity
        .strip_prefix("BedrockAPIKey-")
        .ok_or("the decoded key does not name a BedrockAPIKey identity")?;
    let (_, account) = rest
        .rsplit_once("-at-")
        .ok_or("the decoded key does not name an account")?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the account in the key is not 12 digits".into());
    }
    Ok(BearerKind::LongTerm {
        account: account.to_string(),
    })
}

fn short_term(encoded: &str) -> Result<BearerKind, String> {
    let decoded = decode(encoded).ok_or(
        "the part after bedrock-api-key- is not valid base64; the key was probably truncated when copied",
    )?;
    let url = String::from_utf8(decoded)
        .map_err(|_| "the part after bedrock-api-key- does not decode to text")?;
    let query = url
        .split_once('?')
        .map(|(_, q)| q)
        .ok_or("the decoded key is not a presigned URL")?;
    let param = |name: &str| {
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| percent_decode(v))
        })
    };
    if param("Action").as_deref() != Some("CallWithBearerToken") {
        return Err("the decoded key is not a CallWithBearerToken presigned URL".into());
    }
    if param("X-Amz-Signature").is_none_or(|s| s.is_empty()) {
        return Err(
            "the decoded key has no signature; it was probably truncated when copied".into(),
        );
    }
    let credential = param("X-Amz-Credential").ok_or("the decoded key has no X-Amz-Credential")?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [_access_key, _date, region, service, terminator] = scope[..] else {
        return Err("the key's credential scope is malformed".into());
    };
    if service != "bedrock" || terminator != "aws4_request" {
        return Err(format!(
            "the key is signed for service \"{service}\", not bedrock"
        ));
    }
    let amz_date = param("X-Amz-Date").ok_or("the decoded key has no X-Amz-Date")?;
    let issued_at = PrimitiveDateTime::parse(
        &amz_date,
        format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
    .map_err(|_| "the key's X-Amz-Date is not a timestamp")?
    .assume_utc();
    let lifetime_secs: i64 = param("X-Amz-Expires")
        .ok_or("the decoded key has no X-Amz-Expires")?
        .parse()
        .map_err(|_| "the key's X-Amz-Expires is not a number")?;
    if !(1..=MAX_SHORT_TERM_LIFETIME_SECS).contains(&lifetime_secs) {
        return Err(format!(
            "the key claims a lifetime of {lifetime_secs} s; short-term keys last at most 12 hours"
        ));
    }
    // A forged or corrupted date (year 9999) must not overflow the arithmetic.
    let expires_at = issued_at
        .checked_add(Duration::seconds(lifetime_secs))
        .ok_or("the key's X-Amz-Date is not a plausible time")?;
    Ok(BearerKind::ShortTerm {
        region: region.to_string(),
        issued_at,
        lifetime_secs,
        expires_at,
        signed_with_session_token: param("X-Amz-Security-Token").is_some(),
    })
}

/// `2025-11-20T10:00:00Z`, for reports.
pub fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// "3 h 12 min" style durations for humans.
pub fn human_duration(d: Duration) -> String {
    let secs = d.whole_seconds().abs();
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    match (h, m) {
        (0, 0) => format!("{secs} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}
