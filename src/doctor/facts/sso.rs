//! The IAM Identity Center session behind an SSO profile, read from the caches the AWS CLI
//! writes (purely local, so it is gathered offline too), and what `awsAuthRefresh` would run.
//!
//! Token files are named by the SHA-1 of the sso-session name (or of the start URL for legacy
//! profiles), as the AWS CLI and aws-config name them. No token is ever kept: only paths, times
//! and whether a refresh token exists.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;
use sha1::{Digest, Sha1};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::config::EffectiveConfig;
use crate::config::aws_files::ProfileKind;
use crate::config::credentials::CredentialSource;

use super::network::SsoPath;

/// How recent a rewrite of the SSO cache counts as part of a refresh loop.
pub const LOOP_WINDOW: Duration = Duration::minutes(10);

/// The SSO profile Claude Code will use, when it uses one.
pub struct SsoProfile {
    pub name: String,
    /// `Some` for an `sso_session` profile, `None` for a legacy one.
    pub session: Option<String>,
    pub start_url: Option<String>,
    pub sso_region: Option<String>,
}

fn sso_profile(config: &EffectiveConfig) -> Option<SsoProfile> {
    let CredentialSource::Profile { name, kind } = &config.credentials.source else {
        return None;
    };
    let session = match kind {
        ProfileKind::Sso { session } => Some(session.clone()),
        ProfileKind::SsoLegacy => None,
        _ => return None,
    };
    Some(SsoProfile {
        name: name.clone(),
        session,
        start_url: config.profile.info.sso_start_url.clone(),
        sso_region: config.profile.info.sso_region.clone(),
    })
}

pub fn sha1_hex(text: &str) -> String {
    Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `~/.aws/sso/cache`.
pub fn sso_cache_dir(config: &EffectiveConfig) -> Option<PathBuf> {
    config.home().map(|h| h.join(".aws/sso/cache"))
}

/// `2026-11-22T20:00:00Z`, or the older `2026-11-22T20:00:00UTC` the AWS CLI v1 wrote.
pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        let fixed = format!("{}Z", text.strip_suffix("UTC")?);
        OffsetDateTime::parse(&fixed, &Rfc3339).ok()
    })
}

fn modified(path: &Path) -> Option<OffsetDateTime> {
    let time: SystemTime = fs::metadata(path).ok()?.modified().ok()?;
    Some(OffsetDateTime::from(time))
}

/// The cached SSO token, as far as it can be shown.
pub struct Token {
    pub path: PathBuf,
    pub expires_at: Option<OffsetDateTime>,
    pub has_access_token: bool,
    pub has_refresh_token: bool,
    pub registration_expires_at: Option<OffsetDateTime>,
    pub region: Option<String>,
    pub modified: Option<OffsetDateTime>,
}

pub enum TokenState {
    /// A legacy profile without `sso_start_url`: no file name can be computed.
    NoKey,
    Missing(PathBuf),
    Unreadable(PathBuf, String),
    Read(Token),
}

fn read_token(config: &EffectiveConfig, profile: &SsoProfile) -> TokenState {
    let key = match (&profile.session, &profile.start_url) {
        (Some(session), _) => session,
        (None, Some(url)) => url,
        (None, None) => return TokenState::NoKey,
    };
    let Some(dir) = sso_cache_dir(config) else {
        return TokenState::NoKey;
    };
    let path = dir.join(format!("{}.json", sha1_hex(key)));
    let text = match crate::fsio::read_regular(&path, crate::fsio::MAX_TOKEN_FILE) {
        Ok(bytes) => bytes,
        Err(crate::fsio::ReadError::NotFound) => return TokenState::Missing(path),
        Err(err) => return TokenState::Unreadable(path, err.to_string()),
    };
    let json: Value = match serde_json::from_slice(&text) {
        Ok(json) => json,
        Err(err) => return TokenState::Unreadable(path, format!("not JSON: {err}")),
    };
    let string = |key: &str| {
        json.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    TokenState::Read(Token {
        expires_at: string("expiresAt").and_then(parse_time),
        has_access_token: string("accessToken").is_some(),
        has_refresh_token: string("refreshToken").is_some(),
        registration_expires_at: string("registrationExpiresAt").and_then(parse_time),
        region: string("region").map(str::to_string),
        modified: modified(&path),
        path,
    })
}

impl Token {
    pub fn is_valid(&self, now: OffsetDateTime) -> bool {
        self.has_access_token && self.expires_at.is_some_and(|t| t > now)
    }

    /// Whether an expired token can be renewed without a browser: an sso-session token with a
    /// refresh token and a client registration that has not expired.
    pub fn refreshable(&self, now: OffsetDateTime, session: bool) -> bool {
        session && self.has_refresh_token && self.registration_expires_at.is_none_or(|t| t > now)
    }
}

/// The AWS CLI's cached role credentials for a profile: the file and when they expire.
pub struct CliCache {
    pub path: PathBuf,
    pub expiration: OffsetDateTime,
}

/// The local facts of SSO: the profile, its cached token, the AWS CLI's cached role credentials,
/// how many cache files were rewritten lately, the program `awsAuthRefresh` runs and where it is
/// found — and the network path to the SSO endpoints, when it was measured.
pub struct SsoFacts {
    pub profile: Option<SsoProfile>,
    pub token: Option<TokenState>,
    pub cli_cache: Option<CliCache>,
    /// `~/.aws/sso/cache`, and how many files in it were rewritten within [`LOOP_WINDOW`].
    pub rewritten: Option<(PathBuf, usize)>,
    /// `awsAuthRefresh`'s program (after any `NAME=value` words), and where PATH finds it.
    pub refresh_program: Option<(String, Option<PathBuf>)>,
    pub path: Option<SsoPath>,
}

/// Reads the SSO caches and looks up the refresh program; `path` is what the network facts
/// found on the way to the SSO endpoints.
pub fn gather(config: &EffectiveConfig, path: Option<SsoPath>) -> SsoFacts {
    let profile = sso_profile(config);
    let token = profile.as_ref().map(|p| read_token(config, p));
    let cli_cache = profile.as_ref().and_then(|p| cli_cache(config, p));
    let now = config.now;
    let rewritten = sso_cache_dir(config)
        .filter(|_| profile.is_some())
        .map(|dir| {
            let count = fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                        .filter(|e| recent(modified(&e.path()), now))
                        .count()
                })
                .unwrap_or(0);
            (dir, count)
        });
    let refresh_program = config.keys.aws_auth_refresh.as_ref().and_then(|refresh| {
        let program = program(&refresh.value)?;
        let found = crate::proc::find_program(&program, config.env.get("PATH"));
        Some((program, found))
    });
    SsoFacts {
        profile,
        token,
        cli_cache,
        rewritten,
        refresh_program,
        path,
    }
}

/// Within [`LOOP_WINDOW`] of `now` (and not in the future beyond a clock's skew).
pub fn recent(t: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    t.is_some_and(|t| now - t <= LOOP_WINDOW && t <= now + Duration::minutes(1))
}

/// The AWS CLI's cached role credentials for this profile (`~/.aws/cli/cache`), keyed as botocore
/// keys them. Informational: Claude Code's SDK keeps its own in memory.
fn cli_cache(config: &EffectiveConfig, profile: &SsoProfile) -> Option<CliCache> {
    let dir = config.home()?.join(".aws/cli/cache");
    let files = &config.aws_files;
    let account = files.value(&profile.name, "sso_account_id")?;
    let role = files.value(&profile.name, "sso_role_name")?;
    let mut args = serde_json::Map::new();
    args.insert("accountId".into(), Value::String(account));
    args.insert("roleName".into(), Value::String(role));
    match (&profile.session, &profile.start_url) {
        (Some(session), _) => args.insert("sessionName".into(), Value::String(session.clone())),
        (None, Some(url)) => args.insert("startUrl".into(), Value::String(url.clone())),
        _ => return None,
    };
    // serde_json's map keeps insertion order; botocore sorts the keys.
    let mut sorted: Vec<(String, Value)> = args.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let key = serde_json::to_string(&sorted.into_iter().collect::<serde_json::Map<_, _>>()).ok()?;
    let path = dir.join(format!("{}.json", sha1_hex(&key)));
    let text = crate::fsio::read_regular(&path, crate::fsio::MAX_TOKEN_FILE).ok()?;
    let json: Value = serde_json::from_slice(&text).ok()?;
    let expiration = json
        .pointer("/Credentials/Expiration")
        .and_then(Value::as_str)
        .and_then(parse_time)?;
    Some(CliCache { path, expiration })
}

/// A command's words as the shell splits them (`--profile "my profile"` is two words).
pub fn shell_words(command: &str) -> Vec<String> {
    shlex::split(command)
        .unwrap_or_else(|| command.split_whitespace().map(str::to_string).collect())
}

/// The program an `awsAuthRefresh` command runs, after any leading `NAME=value` assignments.
pub fn program(command: &str) -> Option<String> {
    shell_words(command)
        .into_iter()
        .find(|word| !(word.contains('=') && !word.starts_with('-') && !word.contains('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_file_names_are_sha1_of_the_session_name() {
        assert_eq!(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn both_expiry_formats_parse() {
        assert!(parse_time("2026-11-22T20:00:00Z").is_some());
        assert!(parse_time("2026-11-22T20:00:00UTC").is_some());
        assert!(parse_time("2026-11-22T20:00:00+00:00").is_some());
        assert!(parse_time("tomorrow").is_none());
    }
}
