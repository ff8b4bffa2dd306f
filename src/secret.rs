//! Secrets never leave the process: everything shown of a secret goes through this module.

use sha2::{Digest, Sha256};

/// Variables whose values are credentials. Anything matching is shown only as a fingerprint.
const SECRET_VARS: &[&str] = &[
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_AWS_API_KEY",
    "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
];

/// Whether the value of environment variable `name` is a credential.
pub fn is_secret_var(name: &str) -> bool {
    if SECRET_VARS.contains(&name) {
        return true;
    }
    let upper = name.to_ascii_uppercase();
    ["SECRET", "PASSWORD", "TOKEN", "API_KEY", "CREDENTIAL"]
        .iter()
        .any(|marker| upper.contains(marker))
        && !upper.ends_with("_FILE")
        && !upper.ends_with("_TIMEOUT_MS")
}

/// A stable, non-reversible label for a secret: its first four characters and its length.
/// Keys shorter than 12 characters show only their length, so that nothing short leaks whole.
pub fn fingerprint(secret: &str) -> String {
    let len = secret.chars().count();
    if len < 12 {
        return format!("<{len} chars>");
    }
    let head: String = secret.chars().take(4).collect();
    format!("{head}…<{len} chars>")
}

/// SHA-256 of a secret, for comparing two copies without showing either.
pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// How a variable's value may be shown: secrets as a fingerprint, URLs without their password,
/// custom headers without their values.
pub fn display_value(name: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    if is_secret_var(name) {
        return fingerprint(value);
    }
    if name == "ANTHROPIC_CUSTOM_HEADERS" {
        return redact_headers(value);
    }
    if value.contains("://") {
        return redact_url(value);
    }
    value.to_string()
}

/// Removes the password from `scheme://user:password@host`; keeps the user name.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    let redacted = if userinfo.contains(':') {
        format!("{user}:****")
    } else {
        "****".to_string()
    };
    format!("{}://{}@{}", &url[..scheme_end], redacted, &rest[at + 1..])
}

/// `Name: value` lines with every value replaced; header names are useful, values may be keys.
pub fn redact_headers(headers: &str) -> String {
    headers
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| match line.split_once(':') {
            Some((name, value)) if !value.trim().is_empty() => {
                format!("{}: {}", name.trim(), fingerprint(value.trim()))
            }
            _ => line.trim().to_string(),
        })
        .collect::<Vec<_>>()
        .join("\\n")
}

/// A command line (awsAuthRefresh, awsCredentialExport, apiKeyHelper) safe to show: the value
/// after a flag naming a secret, and any long token mixing letters and digits, is fingerprinted.
pub fn redact_command(command: &str) -> String {
    let mut redact_next = false;
    command
        .split(' ')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let names_secret = ["secret", "token", "password", "passwd", "key"]
                .iter()
                .any(|m| lower.contains(m));
            let shown = if redact_next && !word.is_empty() {
                fingerprint(word)
            } else if let Some((flag, value)) = word.split_once('=')
                && flag.starts_with('-')
                && names_secret
                && !value.is_empty()
            {
                format!("{flag}={}", fingerprint(value))
            } else if looks_like_a_secret(word) {
                fingerprint(word)
            } else {
                word.to_string()
            };
            redact_next = word.starts_with('-') && !word.contains('=') && names_secret;
            shown
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn looks_like_a_secret(word: &str) -> bool {
    word.len() >= 20
        && !word.contains('/')
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// Replaces anything in free text (AWS messages, HTML pages, error chains) that looks like a key or
/// token — a long run of base64/hex characters — with its fingerprint, and caps the length.
pub fn scrub_text(text: &str) -> String {
    const MAX: usize = 600;
    let mut out = String::with_capacity(text.len().min(MAX));
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let opaque = token.len() >= 32
            && token.chars().any(|c| c.is_ascii_digit())
            && token.chars().any(|c| c.is_ascii_alphabetic());
        if opaque {
            out.push_str(&fingerprint(token));
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_') {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    if out.chars().count() > MAX {
        out = out.chars().take(MAX).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_shows_head_and_length_only() {
        let key = "ABSKQmVkcm9ja0FQSUtleS1hYmMtYXQtMTIzNDU2Nzg5MDEyOnNlY3JldA==";
        let fp = fingerprint(key);
        assert_eq!(fp, format!("ABSK…<{} chars>", key.len()));
        assert!(!fp.contains("Qm"));
    }

    #[test]
    fn short_secrets_show_only_length() {
        assert_eq!(fingerprint("hunter2"), "<7 chars>");
    }

    #[test]
    fn secret_variables_are_recognised() {
        for name in [
            "AWS_BEARER_TOKEN_BEDROCK",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "ANTHROPIC_AUTH_TOKEN",
            "MY_SERVICE_PASSWORD",
        ] {
            assert!(is_secret_var(name), "{name}");
        }
        for name in [
            "AWS_REGION",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "ANTHROPIC_MODEL",
        ] {
            assert!(!is_secret_var(name), "{name}");
        }
    }

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            redact_url("http://alice:s3cret@proxy.corp:3128"),
            "http://alice:****@proxy.corp:3128"
        );
        assert_eq!(
            redact_url("http://tokenonly@proxy:8080/path"),
            "http://****@proxy:8080/path"
        );
        assert_eq!(redact_url("http://proxy:8080"), "http://proxy:8080");
    }

    #[test]
    fn commands_keep_their_shape_but_lose_secrets() {
        assert_eq!(
            redact_command("aws sso login --profile dev"),
            "aws sso login --profile dev"
        );
        let shown = redact_command("/opt/creds --secret s3cretvalue99 --token=abcdefgh12345678");
        assert!(!shown.contains("s3cretvalue99"), "{shown}");
        assert!(!shown.contains("abcdefgh12345678"), "{shown}");
        assert!(shown.starts_with("/opt/creds --secret "));
        let shown = redact_command("get-creds AKIAABCDEFGHIJ1234567890XYZ");
        assert!(!shown.contains("ABCDEFGHIJ1234567890"), "{shown}");
    }

    #[test]
    fn header_values_are_fingerprinted() {
        let shown = redact_headers("Authorization: Bearer abcdefghijklmnopqrstuvwxyz\nX-Team: ml");
        assert!(!shown.contains("abcdefghijklmnop"));
        assert!(shown.starts_with("Authorization: Bear…<"));
        assert!(shown.contains("X-Team: <2 chars>"));
    }
}
