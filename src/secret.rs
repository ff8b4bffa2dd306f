//! Secrets never leave the process: everything shown of a secret goes through this module.
//!
//! Two layers. Structural redaction knows where secrets sit — the value of a secret variable, a
//! URL's userinfo, a custom header's value, a `NAME=value` word in a command — and replaces them
//! where a value is shown. Behind it, every document and every message on the way out (stdout,
//! `--output`, stderr) passes [`scrub`], which replaces each secret the configuration holds
//! ([`register`]ed as it is resolved) wherever it still appears, in its raw, JSON-, XML- and
//! terminal-escaped forms. A secret reaches the user only as a [`fingerprint`].

use std::sync::{Mutex, OnceLock};

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

/// `NAME=value` words in a command whose value is shown: names that never carry a secret.
const PLAIN_ASSIGNMENTS: &[&str] = &[
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_DEFAULT_PROFILE",
    "PATH",
    "HOME",
    "LANG",
];

/// Secrets shorter than this are not searched for in free text: replacing "pass" would garble
/// "4 passed". They are still redacted wherever they sit structurally.
const MIN_SCRUB_LEN: usize = 6;

/// Whether the value of environment variable `name` is a credential.
pub(crate) fn is_secret_var(name: &str) -> bool {
    if SECRET_VARS.contains(&name) {
        return true;
    }
    let upper = name.to_ascii_uppercase();
    [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "API_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|marker| upper.contains(marker))
        && !upper.ends_with("_FILE")
        && !upper.ends_with("_TIMEOUT_MS")
        // A count of tokens (`CLAUDE_CODE_MAX_OUTPUT_TOKENS`), not a token.
        && !upper.ends_with("_TOKENS")
}

/// A stable, non-reversible label for a secret: its first four characters and its length.
/// Keys shorter than 12 characters show only their length, so that nothing short leaks whole.
pub(crate) fn fingerprint(secret: &str) -> String {
    let len = secret.chars().count();
    if len < 12 {
        return format!("<{len} chars>");
    }
    let head: String = secret.chars().take(4).collect();
    format!("{head}…<{len} chars>")
}

/// An access key ID as the AWS console shows one: its first and last four characters
/// (`AKIA…7EXA`). Not a secret, but there is no need to print it whole either.
pub(crate) fn key_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if chars.len() < 12 {
        return fingerprint(id);
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// SHA-256 of a secret, for comparing two copies without showing either.
pub(crate) fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Every known secret, each with the forms it takes in the output formats, longest first.
fn vault() -> &'static Mutex<Vec<(String, String)>> {
    static VAULT: OnceLock<Mutex<Vec<(String, String)>>> = OnceLock::new();
    VAULT.get_or_init(|| Mutex::new(Vec::new()))
}

/// Remembers a secret so that [`scrub`] removes it from everything that leaves the process.
pub(crate) fn register(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_SCRUB_LEN {
        return;
    }
    let shown = fingerprint(secret);
    let json = serde_json::to_string(secret).unwrap_or_default();
    let forms = [
        secret.to_string(),
        json.trim_matches('"').to_string(),
        xml_escaped(secret),
        crate::encoding::escape_controls(secret).into_owned(),
    ];
    let Ok(mut vault) = vault().lock() else {
        return;
    };
    for form in forms {
        if form.chars().count() >= MIN_SCRUB_LEN && !vault.iter().any(|(known, _)| *known == form) {
            vault.push((form, shown.clone()));
        }
    }
    vault.sort_by_key(|(form, _)| std::cmp::Reverse(form.len()));
}

fn xml_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `text` with every registered secret replaced by its fingerprint.
pub(crate) fn scrub(text: &str) -> String {
    let Ok(vault) = vault().lock() else {
        return text.to_string();
    };
    let mut out = text.to_string();
    for (form, shown) in vault.iter() {
        if out.contains(form.as_str()) {
            out = out.replace(form.as_str(), shown);
        }
    }
    out
}

/// How a variable's value may be shown: secrets as a fingerprint, URLs without their password,
/// custom headers without their values, proxies without their password even with no scheme.
pub(crate) fn display_value(name: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    if is_secret_var(name) {
        return fingerprint(value);
    }
    if name == "ANTHROPIC_CUSTOM_HEADERS" {
        return redact_headers(value);
    }
    if value.contains("://")
        || (name.to_ascii_lowercase().ends_with("_proxy") && value.contains('@'))
    {
        return redact_url(value);
    }
    value.to_string()
}

/// The secrets a variable's value carries, for [`register`]: the whole value of a secret
/// variable, a URL's password, a custom header's values.
pub(crate) fn secrets_in_value(name: &str, value: &str) -> Vec<String> {
    if value.is_empty() {
        return Vec::new();
    }
    if is_secret_var(name) {
        return vec![value.to_string()];
    }
    if name == "ANTHROPIC_CUSTOM_HEADERS" {
        return value
            .lines()
            .map(|line| match line.split_once(':') {
                Some((_, value)) => value.trim().to_string(),
                None => line.trim().to_string(),
            })
            .filter(|v| !v.is_empty())
            .collect();
    }
    url_userinfo_secret(value).into_iter().collect()
}

/// The part of a URL's userinfo after the user name (the password), however it is written.
fn url_userinfo_secret(value: &str) -> Option<String> {
    let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
    let at = rest.rfind('@')?;
    let userinfo = &rest[..at];
    let secret = match userinfo.split_once(':') {
        Some((_, password)) => password,
        None => userinfo,
    };
    (!secret.is_empty()).then(|| secret.to_string())
}

/// Removes the password from `scheme://user:password@host`, keeping the user name.
///
/// Conservative by design: everything up to the *last* `@` counts as userinfo, so a password
/// holding an unescaped `/`, `?` or `#` (which no URL parser reads as a password) is masked as
/// well, and so is one in a value with no scheme (`alice:pass@proxy:3128`).
pub(crate) fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let Some(at) = rest.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &rest[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    let user = if user.contains(['/', '?', '#']) {
        ""
    } else {
        user
    };
    let masked = match (userinfo.contains(':'), user.is_empty()) {
        (true, false) => format!("{user}:****"),
        _ => "****".to_string(),
    };
    let host = &rest[at + 1..];
    match scheme {
        Some(scheme) => format!("{scheme}://{masked}@{host}"),
        None => format!("{masked}@{host}"),
    }
}

/// `Name: value` lines with every value fingerprinted; header names are useful, values may be
/// keys. A line without a colon is not a header at all and is shown only by its length.
pub(crate) fn redact_headers(headers: &str) -> String {
    headers
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| match line.split_once(':') {
            Some((name, value)) if !value.trim().is_empty() => {
                format!("{}: {}", name.trim(), fingerprint(value.trim()))
            }
            Some((name, _)) => format!("{}:", name.trim()),
            None => format!("<not a header: {} chars>", line.trim().chars().count()),
        })
        .collect::<Vec<_>>()
        .join("\\n")
}

/// A command line (awsAuthRefresh, awsCredentialExport, apiKeyHelper) safe to show. Words are
/// split as the shell splits them; the value after a flag naming a secret, the value of a
/// `NAME=value` word (unless the name never holds one), a URL's password, and any long token
/// mixing letters and digits are fingerprinted. The result is quoted for the shell again.
pub(crate) fn redact_command(command: &str) -> String {
    let words = shlex::split(command)
        .unwrap_or_else(|| command.split_whitespace().map(str::to_string).collect());
    let mut redact_next = false;
    let shown: Vec<String> = words
        .iter()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let names_secret = ["secret", "token", "password", "passwd", "key"]
                .iter()
                .any(|m| lower.contains(m));
            let shown = if redact_next && !word.is_empty() {
                fingerprint(word)
            } else if let Some((name, value)) = word.split_once('=')
                && !value.is_empty()
                && (is_assignment_name(name) || (name.starts_with('-') && names_secret))
                && !PLAIN_ASSIGNMENTS.contains(&name)
            {
                format!("{name}={}", fingerprint(value))
            } else if word.contains('@') && word.contains("://") {
                redact_url(word)
            } else if looks_like_a_secret(word) {
                fingerprint(word)
            } else {
                word.clone()
            };
            redact_next = word.starts_with('-') && !word.contains('=') && names_secret;
            shown
        })
        .collect();
    shown
        .iter()
        .map(|word| {
            if word.contains('…') || word.contains('<') {
                // A fingerprint is shown as it is: quoting it would suggest it is the value.
                word.clone()
            } else {
                shell_quote(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The secrets a command line carries, for [`register`]: what [`redact_command`] hides.
pub(crate) fn secrets_in_command(command: &str) -> Vec<String> {
    let words = shlex::split(command)
        .unwrap_or_else(|| command.split_whitespace().map(str::to_string).collect());
    let mut secrets = Vec::new();
    let mut take_next = false;
    for word in &words {
        let lower = word.to_ascii_lowercase();
        let names_secret = ["secret", "token", "password", "passwd", "key"]
            .iter()
            .any(|m| lower.contains(m));
        if take_next {
            secrets.push(word.clone());
        } else if let Some((name, value)) = word.split_once('=')
            && !value.is_empty()
            && (is_assignment_name(name) || (name.starts_with('-') && names_secret))
            && !PLAIN_ASSIGNMENTS.contains(&name)
        {
            secrets.push(value.to_string());
        } else if word.contains("://")
            && let Some(secret) = url_userinfo_secret(word)
        {
            secrets.push(secret);
        } else if looks_like_a_secret(word) {
            secrets.push(word.clone());
        }
        take_next = word.starts_with('-') && !word.contains('=') && names_secret;
    }
    secrets
}

/// `NAME` of a shell assignment `NAME=value`.
fn is_assignment_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn looks_like_a_secret(word: &str) -> bool {
    word.len() >= 20
        && !word.contains('/')
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

/// A value as one shell word: `dev` stays `dev`, `dev; curl … | sh #` becomes `'dev; curl … | sh #'`.
/// A path shown as `~/…` keeps its tilde outside the quotes, so that the shell still expands it.
pub(crate) fn shell_quote(value: &str) -> String {
    if let Some(rest) = value.strip_prefix("~/") {
        return format!("~/{}", shell_quote(rest));
    }
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-~".contains(c))
        && !value.starts_with('~');
    if plain {
        return value.to_string();
    }
    shlex::try_quote(value)
        .map(std::borrow::Cow::into_owned)
        // Only a NUL byte cannot be quoted; it cannot be in a command line either.
        .unwrap_or_else(|_| format!("'{}'", value.replace('\0', "").replace('\'', r"'\''")))
}

/// Replaces anything in free text (AWS messages, HTML pages, error chains) that looks like a key or
/// token — a long run of base64/hex characters — with its fingerprint, and caps the length.
pub(crate) fn scrub_text(text: &str) -> String {
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
    for c in text.chars().take(MAX * 4) {
        if c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_') {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    let out = redact_url_userinfo_in_text(&out);
    if out.chars().count() > MAX {
        return out.chars().take(MAX).collect::<String>() + "…";
    }
    out
}

/// Masks `scheme://user:password@` wherever it occurs in free text.
fn redact_url_userinfo_in_text(text: &str) -> String {
    if !text.contains("://") || !text.contains('@') {
        return text.to_string();
    }
    text.split(' ')
        .map(|word| {
            if word.contains("://") && word.contains('@') {
                redact_url(word)
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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
            "CLAUDE_CODE_MAX_OUTPUT_TOKENS",
            "MAX_THINKING_TOKENS",
        ] {
            assert!(!is_secret_var(name), "{name}");
        }
    }

    #[test]
    fn urls_lose_their_password_however_it_is_written() {
        assert_eq!(
            redact_url("http://alice:s3cret@proxy.corp:3128"),
            "http://alice:****@proxy.corp:3128"
        );
        assert_eq!(
            redact_url("http://tokenonly@proxy:8080/path"),
            "http://****@proxy:8080/path"
        );
        assert_eq!(redact_url("http://proxy:8080"), "http://proxy:8080");
        for raw in [
            "http://alice:pa/ss@proxy:3128",
            "http://alice:pa?ss@proxy:3128",
            "http://alice:pa#ss@proxy:3128",
            "alice:pa/ss@proxy:3128",
        ] {
            let shown = redact_url(raw);
            assert!(
                !shown.contains("pa/ss") && !shown.contains("ss@"),
                "{shown}"
            );
            assert!(shown.contains("alice:****@proxy:3128"), "{shown}");
        }
        assert_eq!(
            redact_url("https://u:p@ss:w0rd@gw.example.com/bedrock"),
            "https://u:****@gw.example.com/bedrock"
        );
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
        let shown = redact_command("VAULT_PW=hunter22 MYVAR=opaque get-creds --profile dev");
        assert!(
            !shown.contains("hunter22") && !shown.contains("opaque"),
            "{shown}"
        );
        assert!(shown.ends_with("get-creds --profile dev"), "{shown}");
        let shown = redact_command("curl -s https://bob:letmein@vault.corp/creds");
        assert!(!shown.contains("letmein"), "{shown}");
        assert!(shown.contains("bob:****@vault.corp"), "{shown}");
        assert_eq!(
            redact_command("AWS_PROFILE=dev aws sso login --profile \"my profile\""),
            "AWS_PROFILE=dev aws sso login --profile 'my profile'"
        );
        for secret in ["hunter22", "opaque"] {
            assert!(
                secrets_in_command("VAULT_PW=hunter22 MYVAR=opaque x").contains(&secret.into())
            );
        }
    }

    #[test]
    fn header_values_are_fingerprinted_and_lines_without_a_colon_hidden() {
        let shown = redact_headers(
            "Authorization: Bearer abcdefghijklmnopqrstuvwxyz\nX-Team: ml\nsecretlinewithoutcolon",
        );
        assert!(!shown.contains("abcdefghijklmnop"));
        assert!(shown.starts_with("Authorization: Bear…<"));
        assert!(shown.contains("X-Team: <2 chars>"));
        assert!(!shown.contains("secretline"), "{shown}");
        assert!(shown.contains("<not a header: 22 chars>"), "{shown}");
    }

    #[test]
    fn registered_secrets_are_scrubbed_in_every_escaped_form() {
        let secret = "pr0xy\"pass<word>\u{1b}x";
        register(secret);
        let json = serde_json::to_string(secret).unwrap();
        let text = format!(
            "raw {secret} json {json} xml {} tty {}",
            xml_escaped(secret),
            crate::encoding::escape_controls(secret)
        );
        let scrubbed = scrub(&text);
        assert!(!scrubbed.contains("pass"), "{scrubbed}");
        assert_eq!(scrubbed.matches("pr0x…<18 chars>").count(), 4, "{scrubbed}");
        register("pass");
        assert_eq!(
            scrub("4 passed"),
            "4 passed",
            "short secrets are not searched for"
        );
    }

    #[test]
    fn values_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("dev"), "dev");
        assert_eq!(
            shell_quote("~/.claude/settings.json"),
            "~/.claude/settings.json"
        );
        assert_eq!(shell_quote("~/my dir/x"), "~/'my dir/x'");
        assert_eq!(
            shell_quote("dev; curl http://x | sh #"),
            "'dev; curl http://x | sh #'"
        );
    }
}
