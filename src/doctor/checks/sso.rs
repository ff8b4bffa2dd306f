//! `sso.session` and `sso.refresh-loop`: the IAM Identity Center session behind an SSO profile
//! (from the caches the AWS CLI writes), and the risk that `awsAuthRefresh` makes Claude Code
//! re-run a login that can never complete.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::EffectiveConfig;
use crate::doctor::check_id::CheckId;
use crate::doctor::facts::sso::{
    LOOP_WINDOW, SsoFacts, SsoProfile, TokenState, recent, shell_words,
};
use crate::report::{CheckResult, Findings, Skip, Status};
use crate::secret::redact_command;

/// This many cache files rewritten inside the window is more than one login writes (token and
/// client registration).
const LOOP_FILES: usize = 3;

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

pub fn check_session(config: &EffectiveConfig, facts: &SsoFacts) -> CheckResult {
    let (id, title) = CheckId::SsoSession.pair();
    let (Some(profile), Some(token)) = (&facts.profile, &facts.token) else {
        return not_sso(config, id, title);
    };
    let now = config.now;
    let login = login_command(&profile.name);
    let mut findings = Findings::default();
    let what = match &profile.session {
        Some(session) => format!("sso-session \"{session}\""),
        None => format!(
            "legacy SSO profile \"{}\" (start URL {})",
            profile.name,
            profile.start_url.as_deref().unwrap_or("unset")
        ),
    };
    let mut summary = String::new();
    match token {
        TokenState::NoKey => findings.fail(
            format!(
                "profile \"{}\" has no sso_start_url: the SSO token cannot be found or made",
                profile.name
            ),
            format!(
                "Run `aws configure sso --profile {}` to complete the profile, then {login}.",
                crate::secret::shell_quote(&profile.name)
            ),
        ),
        TokenState::Missing(path) => findings.fail(
            format!(
                "no cached SSO token for {what}: {} does not exist (never logged in on this machine, or logged out)",
                config.tilde(path)
            ),
            format!("Run: {login}"),
        ),
        TokenState::Unreadable(path, why) => findings.fail(
            format!("the SSO token cache {} is unreadable: {why}", config.tilde(path)),
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
            if let (Some(cached), Some(configured)) = (&token.region, &profile.sso_region)
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
    if let Some(sso_region) = &profile.sso_region
        && *sso_region != config.region.value
    {
        findings.note(format!(
            "sso_region {sso_region} differs from the Bedrock region {}: that is fine (Claude Code before 2.1.207 used the Bedrock region for SSO too)",
            config.region.value
        ));
    }
    if let Some(cache) = &facts.cli_cache {
        let now = config.now;
        findings.note(if cache.expiration > now {
            format!(
                "the AWS CLI's cached role credentials ({}) are valid until {} ({})",
                config.tilde(&cache.path),
                show(cache.expiration),
                relative(cache.expiration, now)
            )
        } else {
            format!(
                "the AWS CLI's cached role credentials ({}) expired {}; the CLI fetches new ones with the SSO token",
                config.tilde(&cache.path),
                relative(cache.expiration, now)
            )
        });
    }
    findings.into_result(id, title, summary)
}

/// The profile (or sso-session) a refresh command names explicitly.
fn named_profile(command: &str) -> Option<(&'static str, String)> {
    let words = shell_words(command);
    for (i, word) in words.iter().enumerate() {
        for (flag, what) in [("--profile", "profile"), ("--sso-session", "sso-session")] {
            if *word == flag {
                return words.get(i + 1).map(|v| (what, v.clone()));
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

pub fn check_refresh_loop(config: &EffectiveConfig, facts: &SsoFacts) -> CheckResult {
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
    let profile = &facts.profile;
    let login = login_command(&config.profile.name);
    let remove = format!("Remove awsAuthRefresh from {file}");
    // The reason the login cannot finish when Claude Code runs it, if there is one.
    let mut blocked: Vec<String> = Vec::new();
    if let Some(path) = &facts.path {
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
            (Some(p), "sso-session") => p.session.clone(),
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
    match &facts.refresh_program {
        Some((program, found)) => match found {
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
    if let Some(profile) = profile {
        loop_evidence(config, facts, profile, &remove, &login, &mut findings);
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
    facts: &SsoFacts,
    _profile: &SsoProfile,
    remove: &str,
    login: &str,
    findings: &mut Findings,
) {
    let now = config.now;
    if let Some(TokenState::Read(token)) = &facts.token
        && recent(token.modified, now)
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
    if let Some((dir, rewritten)) = &facts.rewritten
        && *rewritten >= LOOP_FILES
    {
        findings.warn(
            format!(
                "{rewritten} files in {} were rewritten in the last {} minutes: more than one login writes, as a refresh loop does",
                config.tilde(dir),
                LOOP_WINDOW.whole_minutes()
            ),
            format!("{remove}, run `{login}` by hand, and start claude once it has finished."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::facts::sso::program;
    use time::Duration;

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
