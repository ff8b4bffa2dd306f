//! `sso.session` and `sso.refresh-loop`: the IAM Identity Center session behind an SSO profile,
//! read from the caches the AWS CLI writes (purely local, so they run offline too), and the risk
//! that `awsAuthRefresh` makes Claude Code re-run a login that can never complete.
//!
//! Token files are named by the SHA-1 of the sso-session name (or of the start URL for legacy
//! profiles), as the AWS CLI and aws-config name them. No token is ever printed: only paths, times
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
use crate::report::{CheckResult, Findings, Skip, Status};

use super::check_id::CheckId;
use crate::secret::redact_command;

use super::network::SsoPath;

/// How recent a rewrite of the SSO cache counts as part of a refresh loop.
const LOOP_WINDOW: Duration = Duration::minutes(10);
/// This many cache files rewritten inside the window is more than one login writes (token and
/// client registration).
const LOOP_FILES: usize = 3;

/// The SSO profile Claude Code will use, when it uses one.
struct SsoProfile<'a> {
    name: &'a str,
    /// `Some` for an `sso_session` profile, `None` for a legacy one.
    session: Option<&'a str>,
    start_url: Option<&'a str>,
    sso_region: Option<&'a str>,
}

fn sso_profile(config: &EffectiveConfig) -> Option<SsoProfile<'_>> {
    let CredentialSource::Profile { name, kind } = &config.credentials.source else {
        return None;
    };
    let session = match kind {
        ProfileKind::Sso { session } => Some(session.as_str()),
        ProfileKind::SsoLegacy => None,
        _ => return None,
    };
    Some(SsoProfile {
        name,
        session,
        start_url: config.profile.info.sso_start_url.as_deref(),
        sso_region: config.profile.info.sso_region.as_deref(),
    })
}

pub fn sha1_hex(text: &str) -> String {
    Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `~/.aws/sso/cache`.
fn sso_cache_dir(config: &EffectiveConfig) -> Option<PathBuf> {
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

fn show(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// "in 5h 12m" / "3h 4m ago".
fn relative(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let delta = t - now;
    let minutes = delta.whole_minutes().abs();
    let span = if minutes >= 48 * 60 {
        format!("{}d {}h", minutes / (24 * 60), (minutes / 60) % 24)
    } else if minutes >= 60 {
        format!("{}h {}m", minutes / 60, minutes % 60)
    } else {
        format!("{minutes}m")
    };
    if delta.is_negative() {
        format!("{span} ago")
    } else {
        format!("in {span}")
    }
}

fn modified(path: &Path) -> Option<OffsetDateTime> {
    let time: SystemTime = fs::metadata(path).ok()?.modified().ok()?;
    Some(OffsetDateTime::from(time))
}

/// The cached SSO token, as far as it can be shown.
struct Token {
    path: PathBuf,
    expires_at: Option<OffsetDateTime>,
    has_access_token: bool,
    has_refresh_token: bool,
    registration_expires_at: Option<OffsetDateTime>,
    region: Option<String>,
    modified: Option<OffsetDateTime>,
}

enum TokenState {
    /// A legacy profile without `sso_start_url`: no file name can be computed.
    NoKey,
    Missing(PathBuf),
    Unreadable(PathBuf, String),
    Read(Token),
}

fn read_token(config: &EffectiveConfig, profile: &SsoProfile<'_>) -> TokenState {
    let key = match (profile.session, profile.start_url) {
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
    fn is_valid(&self, now: OffsetDateTime) -> bool {
        self.has_access_token && self.expires_at.is_some_and(|t| t > now)
    }

    /// Whether an expired token can be renewed without a browser: an sso-session token with a
    /// refresh token and a client registration that has not expired.
    fn refreshable(&self, now: OffsetDateTime, session: bool) -> bool {
        session && self.has_refresh_token && self.registration_expires_at.is_none_or(|t| t > now)
    }
}

fn login_command(profile: &str) -> String {
    format!(
        "aws sso login --profile {}",
        crate::secret::shell_quote(profile)
    )
}

/// Skips when Claude Code's credentials do not come from an SSO profile.
fn not_sso(config: &EffectiveConfig, id: &str, title: &str) -> CheckResult {
    CheckResult::skipped(
        id,
        title,
        Skip::NotInUse,
        format!(
            "credentials do not come from an IAM Identity Center (SSO) profile: {}",
            config.credentials.source.describe(config.home())
        ),
    )
}

pub fn check_session(config: &EffectiveConfig) -> CheckResult {
    let (id, title) = CheckId::SsoSession.pair();
    let Some(profile) = sso_profile(config) else {
        return not_sso(config, id, title);
    };
    let now = config.now;
    let login = login_command(profile.name);
    let mut findings = Findings::default();
    let what = match profile.session {
        Some(session) => format!("sso-session \"{session}\""),
        None => format!(
            "legacy SSO profile \"{}\" (start URL {})",
            profile.name,
            profile.start_url.unwrap_or("unset")
        ),
    };
    let mut summary = String::new();
    match read_token(config, &profile) {
        TokenState::NoKey => findings.fail(
            format!(
                "profile \"{}\" has no sso_start_url: the SSO token cannot be found or made",
                profile.name
            ),
            format!(
                "Run `aws configure sso --profile {}` to complete the profile, then {login}.",
                crate::secret::shell_quote(profile.name)
            ),
        ),
        TokenState::Missing(path) => findings.fail(
            format!(
                "no cached SSO token for {what}: {} does not exist (never logged in on this machine, or logged out)",
                config.tilde(&path)
            ),
            format!("Run: {login}"),
        ),
        TokenState::Unreadable(path, why) => findings.fail(
            format!("the SSO token cache {} is unreadable: {why}", config.tilde(&path)),
            format!("Run: {login} (it rewrites the file)"),
        ),
        TokenState::Read(token) => {
            findings.note(format!("token cache: {}", config.tilde(&token.path)));
            match token.expires_at {
                _ if !token.has_access_token => findings.fail(
                    format!("the SSO token cache for {what} holds no access token"),
                    format!("Run: {login}"),
                ),
                None => findings.fail(
                    format!("the SSO token cache for {what} has no readable expiresAt"),
                    format!("Run: {login}"),
                ),
                Some(expires) if expires > now => {
                    summary = format!(
                        "{what}: token valid until {} ({})",
                        show(expires),
                        relative(expires, now)
                    );
                    if token.has_refresh_token {
                        findings.note("a refresh token is cached: the SDKs renew the access token by themselves");
                    }
                }
                Some(expires) if token.refreshable(now, profile.session.is_some()) => {
                    findings.warn(
                        format!(
                            "{what}: the access token expired {} ({}); the SDKs will try to renew it with the cached refresh token",
                            show(expires),
                            relative(expires, now)
                        ),
                        format!(
                            "If Claude Code reports an SSO error, the session itself has ended (its length is set in IAM Identity Center): run {login}"
                        ),
                    );
                }
                Some(expires) => findings.fail(
                    format!(
                        "{what}: the SSO token expired {} ({})",
                        show(expires),
                        relative(expires, now)
                    ),
                    format!("Run: {login}"),
                ),
            }
            if let (Some(cached), Some(configured)) = (&token.region, profile.sso_region)
                && cached != configured
            {
                findings.note(format!(
                    "the token was issued in {cached}, but the profile's sso_region is {configured}"
                ));
            }
            if let Some(registration) = token.registration_expires_at
                && registration <= now
            {
                findings.note(format!(
                    "the cached client registration expired {}: the next login registers again",
                    relative(registration, now)
                ));
            }
        }
    }
    if let Some(sso_region) = profile.sso_region
        && sso_region != config.region.value
    {
        findings.note(format!(
            "sso_region {sso_region} differs from the Bedrock region {}: that is fine (Claude Code before 2.1.207 used the Bedrock region for SSO too)",
            config.region.value
        ));
    }
    if let Some(note) = cli_cache_note(config, &profile) {
        findings.note(note);
    }
    findings.into_result(id, title, summary)
}

/// The AWS CLI's cached role credentials for this profile (`~/.aws/cli/cache`), keyed as botocore
/// keys them. Informational: Claude Code's SDK keeps its own in memory.
fn cli_cache_note(config: &EffectiveConfig, profile: &SsoProfile<'_>) -> Option<String> {
    let dir = config.home()?.join(".aws/cli/cache");
    let files = &config.aws_files;
    let account = files.value(profile.name, "sso_account_id")?;
    let role = files.value(profile.name, "sso_role_name")?;
    let mut args = serde_json::Map::new();
    args.insert("accountId".into(), Value::String(account));
    args.insert("roleName".into(), Value::String(role));
    match (profile.session, profile.start_url) {
        (Some(session), _) => args.insert("sessionName".into(), Value::String(session.into())),
        (None, Some(url)) => args.insert("startUrl".into(), Value::String(url.into())),
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
    let now = config.now;
    Some(if expiration > now {
        format!(
            "the AWS CLI's cached role credentials ({}) are valid until {} ({})",
            config.tilde(&path),
            show(expiration),
            relative(expiration, now)
        )
    } else {
        format!(
            "the AWS CLI's cached role credentials ({}) expired {}; the CLI fetches new ones with the SSO token",
            config.tilde(&path),
            relative(expiration, now)
        )
    })
}

/// A command's words as the shell splits them (`--profile "my profile"` is two words).
fn shell_words(command: &str) -> Vec<String> {
    shlex::split(command)
        .unwrap_or_else(|| command.split_whitespace().map(str::to_string).collect())
}

/// The program an `awsAuthRefresh` command runs, after any leading `NAME=value` assignments.
fn program(command: &str) -> Option<String> {
    shell_words(command)
        .into_iter()
        .find(|word| !(word.contains('=') && !word.starts_with('-') && !word.contains('/')))
}

/// The profile (or sso-session) a refresh command names explicitly.
fn named_profile(command: &str) -> Option<(&'static str, String)> {
    let words = shell_words(command);
    for (i, word) in words.iter().enumerate() {
        for (flag, what) in [("--profile", "profile"), ("--sso-session", "sso-session")] {
            if *word == flag {
                return words.get(i + 1).map(|v| (what, v.to_string()));
            }
            if let Some(value) = word.strip_prefix(&format!("{flag}=")) {
                return Some((what, value.to_string()));
            }
        }
        if let Some(value) = word.strip_prefix("AWS_PROFILE=") {
            return Some(("profile", value.to_string()));
        }
    }
    None
}

pub fn check_refresh_loop(config: &EffectiveConfig, path: Option<&SsoPath>) -> CheckResult {
    let (id, title) = CheckId::SsoRefreshLoop.pair();
    let Some(refresh) = &config.keys.aws_auth_refresh else {
        return CheckResult::new(
            id,
            title,
            Status::Pass,
            "awsAuthRefresh is not set: Claude Code never starts a login by itself",
        );
    };
    let command = redact_command(&refresh.value);
    let file = config.describe(&refresh.source);
    let mut findings = Findings::default();
    findings.note(format!("awsAuthRefresh = {command} ({file})"));
    let profile = sso_profile(config);
    let login = login_command(&config.profile.name);
    let remove = format!("Remove awsAuthRefresh from {file}");
    // The reason the login cannot finish when Claude Code runs it, if there is one.
    let mut blocked: Vec<String> = Vec::new();
    if let Some(path) = path {
        if let Some(issuer) = &path.intercepted_by {
            blocked.push(format!(
                "TLS to {} is intercepted (certificates issued by {issuer})",
                path.endpoint
            ));
        } else if let Some(proxy) = &path.proxy {
            blocked.push(format!("the SSO login goes through the proxy {proxy}"));
        }
        if let Some(why) = &path.unreachable {
            blocked.push(format!(
                "the SSO OIDC endpoint {} is unreachable: {why}",
                path.endpoint
            ));
        }
        if !path.tested {
            findings.note(
                "offline: the SSO endpoints were not contacted, only the proxy settings were read",
            );
        }
    }
    if !blocked.is_empty() {
        findings.warn(
            format!(
                "awsAuthRefresh is set and {}: a login that cannot complete there makes Claude Code re-run it on every request (browser tabs keep opening)",
                blocked.join("; ")
            ),
            format!(
                "{remove}, and run `{login}` by hand before launching claude (in a browser that can pass the proxy): Claude Code then uses the cached session and never starts a login it cannot finish."
            ),
        );
    }
    if let Some((what, named)) = named_profile(&refresh.value) {
        let active = match (&profile, what) {
            (Some(p), "sso-session") => p.session.map(str::to_string),
            _ => Some(config.profile.name.clone()),
        };
        if active.as_deref() != Some(named.as_str()) {
            findings.warn(
                format!(
                    "awsAuthRefresh logs in {what} \"{named}\", but Claude Code uses profile \"{}\": the refreshed session is never the one that expired, so the refresh repeats",
                    config.profile.name
                ),
                format!("Make awsAuthRefresh `{login}`, or remove it and run that command before launching claude."),
            );
        }
    }
    match program(&refresh.value) {
        Some(program) => match crate::proc::find_program(&program, config.env.get("PATH")) {
            Some(found) => findings.note(format!("{program} found at {}", found.display())),
            None => findings.warn(
                format!("awsAuthRefresh runs `{program}`, which is not on PATH: every refresh fails and is retried"),
                if program == "aws" {
                    format!("Install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), or remove awsAuthRefresh from {file} and run your login before launching claude.")
                } else {
                    format!("Give the full path of `{program}` in awsAuthRefresh, or remove awsAuthRefresh from {file}.")
                },
            ),
        },
        None => findings.warn("awsAuthRefresh is empty", format!("{remove}.")),
    }
    if let Some(profile) = &profile {
        loop_evidence(config, profile, &remove, &login, &mut findings);
    } else {
        findings.note(format!(
            "profile \"{}\" is not an SSO profile; awsAuthRefresh runs whenever its credentials look expired",
            config.profile.name
        ));
    }
    findings.into_result(
        id,
        title,
        format!("awsAuthRefresh ({command}) has nothing in its way"),
    )
}

/// Signs that a refresh loop is already running: the token file rewritten recently while the token
/// is still unusable, or more cache files rewritten in the last minutes than one login writes.
fn loop_evidence(
    config: &EffectiveConfig,
    profile: &SsoProfile<'_>,
    remove: &str,
    login: &str,
    findings: &mut Findings,
) {
    let now = config.now;
    let recent = |t: Option<OffsetDateTime>| {
        t.is_some_and(|t| now - t <= LOOP_WINDOW && t <= now + Duration::minutes(1))
    };
    if let TokenState::Read(token) = read_token(config, profile)
        && recent(token.modified)
        && !token.is_valid(now)
    {
        findings.fail(
            format!(
                "refresh loop: {} was rewritten {} but its token is still expired or empty",
                config.tilde(&token.path),
                token.modified.map(|t| relative(t, now)).unwrap_or_default()
            ),
            format!(
                "{remove} now (quit claude first), run `{login}` by hand and check that it finishes, then start claude again."
            ),
        );
    }
    let Some(dir) = sso_cache_dir(config) else {
        return;
    };
    let rewritten = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .filter(|e| recent(modified(&e.path())))
                .count()
        })
        .unwrap_or(0);
    if rewritten >= LOOP_FILES {
        findings.warn(
            format!(
                "{rewritten} files in {} were rewritten in the last {} minutes: more than one login writes, as a refresh loop does",
                config.tilde(&dir),
                LOOP_WINDOW.whole_minutes()
            ),
            format!("{remove}, run `{login}` by hand, and start claude once it has finished."),
        );
    }
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

    #[test]
    fn refresh_commands_name_their_profile_and_program() {
        assert_eq!(
            named_profile("aws sso login --profile dev"),
            Some(("profile", "dev".into()))
        );
        assert_eq!(
            named_profile("AWS_PROFILE=ops aws sso login"),
            Some(("profile", "ops".into()))
        );
        assert_eq!(
            named_profile("aws sso login --sso-session=corp"),
            Some(("sso-session", "corp".into()))
        );
        assert_eq!(named_profile("aws sso login"), None);
        assert_eq!(
            named_profile("aws sso login --profile \"my profile\""),
            Some(("profile", "my profile".into()))
        );
        assert_eq!(
            program("AWS_PROFILE=ops aws sso login").as_deref(),
            Some("aws")
        );
        assert_eq!(
            program("/opt/bin/login.sh --x=1").as_deref(),
            Some("/opt/bin/login.sh")
        );
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1000);
        assert_eq!(relative(now + Duration::minutes(312), now), "in 5h 12m");
        assert_eq!(relative(now - Duration::minutes(5), now), "5m ago");
        assert_eq!(relative(now - Duration::days(3), now), "3d 0h ago");
    }
}
