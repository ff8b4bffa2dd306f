//! `client.version` and `client.bearer-trace`: the Claude Code client itself. Some failures are
//! not in the configuration but in the client reading it: versions with known defects that only
//! bite particular configurations, and models a version is too old for (both tables live in
//! [`crate::doctor::defects`]); and the auth header each request really carried.

use crate::config::EffectiveConfig;
use crate::config::credentials::CredentialSource;
use crate::doctor::check_id::CheckId;
use crate::doctor::defects::{
    DefectId, ONE_MILLION_SILENTLY_OFF_FROM, UPGRADE, Version, defect_fix, defects_for,
    too_new_models,
};
use crate::doctor::facts::claude_bin::{AuthStatus, Claude};
use crate::doctor::facts::client::ClientFacts;
use crate::doctor::facts::client_run::{ClientRun, NotRun, run_line};
use crate::loopback::request::{AuthSeen, CapturedRequest};
use crate::report::{CheckResult, Detail, Findings, Skip, Status};

pub fn check_version(config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let mut check = version_check(config, &facts.located, facts.version.as_ref());
    check.duration_ms = facts.version_ms;
    check
}

pub fn check_bearer_trace(config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let (id, title) = CheckId::ClientBearerTrace.pair();
    let mut check = match &facts.rehearsal {
        Ok(rehearsal) => bearer_check(config, &rehearsal.claude, rehearsal.version, &rehearsal.run),
        Err((why, summary)) => CheckResult::skipped(id, title, why.clone(), summary.clone()),
    };
    check.duration_ms = facts.rehearsal_ms;
    check
}

fn version_check(
    config: &EffectiveConfig,
    located: &Result<Claude, String>,
    version: Option<&Result<(Version, String), String>>,
) -> CheckResult {
    let (id, title) = CheckId::ClientVersion.pair();
    let claude = match located {
        Ok(claude) => claude,
        Err(reason) if reason.starts_with("--claude-bin") => {
            return CheckResult::new(id, title, Status::Fail, reason.clone())
                .fix("Point --claude-bin at the `claude` executable (`command -v claude` in the shell that runs Claude Code).");
        }
        Err(reason) => {
            return CheckResult::skipped(id, title, Skip::NoClient, format!("{reason}: the client version is not checked"))
                .fix("Pass --claude-bin PATH (`command -v claude` in your shell prints it), or add its directory to PATH.");
        }
    };
    let path = config.tilde(&claude.path);
    let (version, line) = match version {
        Some(Ok((version, line))) => (*version, line),
        Some(Err(reason)) => {
            return CheckResult::new(id, title, Status::Warn, reason.clone())
                .detail(format!("{path} (found via {})", claude.found))
                .fix(format!("Run `{path} --version` yourself; reinstall Claude Code if it fails ({UPGRADE})."));
        }
        None => {
            return CheckResult::skipped(id, title, Skip::NotInUse, "the version was not asked");
        }
    };
    let mut findings = Findings::default();
    findings.note(format!("{path} (found via {}): {line}", claude.found));
    if crate::knowledge::newer_than_observed(Some(version)) {
        findings.note(format!(
            "newer than the {} this tool has observed: where they differ, what this client does in the rehearsal decides",
            crate::knowledge::observed().client
        ));
    }
    let mut upgrade_to: Option<Version> = None;
    let mut workarounds = Vec::new();
    let mut untriggered = Vec::new();
    for (setting, model, needs) in too_new_models(version, config) {
        findings.raise(
            Status::Fail,
            format!("Claude Code {version} is too old for {model}, pinned in {setting}: it needs {needs} or later"),
            None,
        );
        upgrade_to = upgrade_to.max(Some(needs));
    }
    for (defect, trigger) in defects_for(version, config) {
        let Some(trigger) = trigger else {
            untriggered.push(format!("{} (fixed in {})", defect.id, defect.fixed_in));
            continue;
        };
        findings.raise(
            trigger.status,
            format!(
                "Claude Code {version} {} — {} (fixed in {})",
                defect.title, trigger.because, defect.fixed_in
            ),
            None,
        );
        upgrade_to = upgrade_to.max(Some(defect.fixed_in));
        if let Some(workaround) = trigger.workaround {
            workarounds.push(format!("Until then, {workaround}."));
        }
    }
    // One upgrade clears every defect found; the workarounds keep this version working meanwhile.
    if let Some(target) = upgrade_to {
        findings.fixes.push(format!(
            "Upgrade Claude Code to {target} or later: {UPGRADE}."
        ));
        findings.fixes.extend(workarounds);
    }
    let one_million = crate::doctor::defects::one_million_pins(config);
    if version >= ONE_MILLION_SILENTLY_OFF_FROM && !one_million.is_empty() {
        findings.note(format!(
            "a 1M-context model is pinned ({}): when Bedrock or a gateway refuses the context-1m beta, Claude Code {version} resends the request without it, so the session works with the standard context and does not say so",
            one_million.join(", ")
        ));
    }
    if !untriggered.is_empty() {
        findings.note(format!(
            "{version} has other known defects that this configuration does not trigger: {}",
            untriggered.join(", ")
        ));
    }
    findings.into_result(
        id,
        title,
        format!("Claude Code {version}: no known defect applies to this configuration"),
    )
}

pub fn check_provider(config: &EffectiveConfig, facts: &ClientFacts) -> CheckResult {
    let (id, title) = CheckId::ClientProvider.pair();
    let mut check = match (&facts.located, &facts.auth_status) {
        (Err(reason), _) => CheckResult::skipped(
            id,
            title,
            Skip::NoClient,
            format!("{reason}: the client was not asked which provider it uses"),
        ),
        (Ok(_), None) => CheckResult::skipped(
            id,
            title,
            Skip::NotInUse,
            "--no-client: your `claude` was not asked which provider it uses",
        ),
        // An older client, or a program that is not Claude Code: nothing to compare with.
        (Ok(_), Some(Err(reason))) => {
            CheckResult::skipped(id, title, Skip::NotInUse, reason.clone())
        }
        (Ok(claude), Some(Ok(status))) => provider_check(config, claude, status),
    };
    check.duration_ms = facts.auth_status_ms;
    check
}

/// The client's own word on its provider (`claude auth status --json`), against the provider
/// this report resolved.
fn provider_check(config: &EffectiveConfig, claude: &Claude, status: &AuthStatus) -> CheckResult {
    let (id, title) = CheckId::ClientProvider.pair();
    let said = status.api_provider.as_str();
    let client_is_bedrock = matches!(said, "bedrock" | "mantle");
    let expected = config.provider.expected_api_provider();
    let user_settings = config.tilde(&config.locations.user_file());
    let details = vec![format!(
        "`{} auth status --json`: \"apiProvider\": \"{said}\"",
        config.tilde(&claude.path)
    )];
    if expected == Some(said)
        || (expected.is_none() && client_is_bedrock == config.provider.any_bedrock())
    {
        return CheckResult::new(
            id,
            title,
            Status::Pass,
            format!("Claude Code says its provider is {said}, as this report resolved"),
        )
        .details(details);
    }
    let resolved = expected.unwrap_or(if config.provider.any_bedrock() {
        "bedrock"
    } else {
        "firstParty"
    });
    let (status, summary, fix) = if config.provider.any_bedrock() && !client_is_bedrock {
        let switch =
            config
                .provider
                .bedrock
                .as_ref()
                .map(|source| format!("CLAUDE_CODE_USE_BEDROCK ({})", config.describe(source)))
                .or_else(|| {
                    config.provider.mantle.as_ref().map(|source| {
                        format!("CLAUDE_CODE_USE_MANTLE ({})", config.describe(source))
                    })
                })
                .unwrap_or_default();
        let fix = format!(
            "Export CLAUDE_CODE_USE_BEDROCK=1 in the shell that starts Claude Code, or set \"CLAUDE_CODE_USE_BEDROCK\": \"1\" in the \"env\" block of {user_settings}; `claude auth status` then prints \"apiProvider\": \"bedrock\"."
        );
        (
            Status::Fail,
            format!(
                "Claude Code says its provider is {said}, not Bedrock: it does not apply {switch}, which this report resolved"
            ),
            fix,
        )
    } else if client_is_bedrock && !config.provider.any_bedrock() {
        (
            Status::Warn,
            format!(
                "Claude Code says its provider is {said}, but this report resolved no Bedrock switch: the client reads settings this report did not"
            ),
            "Pass the --project-dir and --claude-config-dir Claude Code runs with; managed settings are read from this machine's managed directory only.".to_string(),
        )
    } else {
        (
            Status::Warn,
            format!(
                "Claude Code says its provider is {said}, where this report resolved {resolved}"
            ),
            format!(
                "Leave one provider switch on: for Bedrock, \"CLAUDE_CODE_USE_BEDROCK\": \"1\" in the \"env\" block of {user_settings}, and remove the others."
            ),
        )
    };
    CheckResult::new(id, title, status, summary)
        .details(details)
        .fix(fix)
}

/// `client.bearer-trace` from a client run (or why there was none).
pub fn bearer_check(
    config: &EffectiveConfig,
    claude: &Claude,
    version: Option<Version>,
    run: &Result<ClientRun, NotRun>,
) -> CheckResult {
    let (id, title) = CheckId::ClientBearerTrace.pair();
    match run {
        Ok(run) => verdict(config, claude, version, run),
        Err(NotRun::Skipped(why)) => CheckResult::skipped(id, title, Skip::NotInUse, why.clone()),
        Err(NotRun::Failed(err)) => CheckResult::new(
            id,
            title,
            Status::Warn,
            format!("the client could not be run: {err}"),
        ),
    }
}

fn verdict(
    config: &EffectiveConfig,
    claude: &Claude,
    version: Option<Version>,
    outcome: &ClientRun,
) -> CheckResult {
    let (id, title) = CheckId::ClientBearerTrace.pair();
    let shown_version = version
        .map(|v| format!("Claude Code {v}"))
        .unwrap_or_else(|| "Claude Code".into());
    let mut details: Vec<String> = outcome
        .requests
        .iter()
        .map(|r| {
            let mut line = format!("{} — {}", r.line(), r.auth.describe());
            if let Some(matches) = r.api_key {
                line.push_str(match matches {
                    Some(true) => "; x-api-key with the configured key",
                    Some(false) => "; x-api-key with a different key",
                    None => "; x-api-key",
                });
            }
            line
        })
        .collect();
    details.push(run_line(config, claude, outcome));
    if outcome.exit.as_ref().is_some_and(|s| !s.success)
        && let Some(tail) = &outcome.stderr_tail
    {
        details.push(format!("its last message: {tail}"));
    }
    details.extend(outcome.notes.iter().cloned());

    let bedrock: Vec<&CapturedRequest> = outcome
        .requests
        .iter()
        .filter(|r| r.operation.is_bedrock())
        .collect();
    if bedrock.is_empty() {
        return CheckResult::new(
            id,
            title,
            Status::Warn,
            format!("{shown_version} made no Bedrock request to the trace server"),
        )
        .details(details)
        .fix("Run `claude -p \".\"` yourself to see why it stops before calling Bedrock; `claude-bedrock doctor -v` shows the configuration it reads.");
    }
    let count = bedrock.len();
    let plural = if count == 1 { "" } else { "s" };
    let configured_bearer = matches!(
        config.credentials.source,
        CredentialSource::BearerKey { .. }
    );
    if configured_bearer {
        let carries_key = |r: &CapturedRequest| {
            matches!(
                r.auth,
                AuthSeen::Bearer {
                    matches: Some(true)
                }
            ) || (r.operation.is_mantle() && r.api_key == Some(Some(true)))
        };
        let wrong: Vec<String> = bedrock
            .iter()
            .filter(|r| !carries_key(r))
            .map(|r| match &r.auth {
                AuthSeen::None => format!("{} carried no Authorization", r.line()),
                AuthSeen::Bearer { .. } => format!(
                    "{} carried a different bearer key than AWS_BEARER_TOKEN_BEDROCK",
                    r.line()
                ),
                other => format!(
                    "{} carried {} instead of the bearer key",
                    r.line(),
                    other.describe()
                ),
            })
            .collect();
        if wrong.is_empty() {
            return CheckResult::new(
                id,
                title,
                Status::Pass,
                format!(
                    "{shown_version} sent the configured bearer key on every Bedrock request ({count} request{plural})"
                ),
            )
            .details(details);
        }
        let dropped = wrong
            .iter()
            .any(|w| w.ends_with("carried no Authorization"));
        let known = if dropped {
            defect_fix(DefectId::BearerDroppedOnInvoke, version, config)
        } else {
            None
        };
        let fix = known.unwrap_or_else(|| if dropped {
            "Check CLAUDE_CODE_SKIP_BEDROCK_AUTH and ANTHROPIC_CUSTOM_HEADERS in every settings layer (`claude-bedrock config`), and upgrade Claude Code (`claude update`)."
                .to_string()
        } else {
            "Make every layer agree on one AWS_BEARER_TOKEN_BEDROCK (`claude-bedrock config` shows which file sets it), and remove apiKeyHelper / ANTHROPIC_AUTH_TOKEN while using Bedrock."
                .to_string()
        });
        let mut result = CheckResult::new(id, title, Status::Fail, wrong[0].clone());
        result.details = wrong[1..]
            .iter()
            .map(|w| Detail::problem(Status::Fail, w.clone()))
            .chain(details.into_iter().map(Detail::note))
            .collect();
        return result.fix(fix);
    }

    let schemes: Vec<String> = {
        let mut seen: Vec<String> = Vec::new();
        for r in &bedrock {
            let scheme = match &r.auth {
                AuthSeen::SigV4 { service, .. } => format!("SigV4 ({service})"),
                AuthSeen::None => "no Authorization".into(),
                AuthSeen::Bearer { .. } => "a bearer token".into(),
                AuthSeen::Other { scheme } => scheme.clone(),
            };
            if !seen.contains(&scheme) {
                seen.push(scheme);
            }
        }
        seen
    };
    let skip_auth = matches!(config.credentials.source, CredentialSource::SkipAuth { .. });
    let expected_ok = |r: &&&CapturedRequest| {
        if skip_auth {
            r.auth == AuthSeen::None
        } else {
            matches!(r.auth, AuthSeen::SigV4 { .. })
        }
    };
    let odd: Vec<String> = bedrock
        .iter()
        .filter(|r| !expected_ok(r))
        .map(|r| format!("{} carried {}", r.line(), r.auth.describe()))
        .collect();
    if odd.is_empty() {
        let how = if skip_auth {
            "sent no Authorization, as CLAUDE_CODE_SKIP_BEDROCK_AUTH asks".to_string()
        } else {
            format!("signed every Bedrock request with {}", schemes.join(", "))
        };
        return CheckResult::new(
            id,
            title,
            Status::Pass,
            format!("{shown_version} {how} ({count} request{plural}; no bearer key configured)"),
        )
        .details(details);
    }
    let expected = if skip_auth {
        "no Authorization"
    } else {
        "SigV4"
    };
    // Bedrock rejects what it cannot authenticate; a gateway (skip-auth) gets what it expects.
    let status = if skip_auth {
        Status::Warn
    } else {
        Status::Fail
    };
    let mut result = CheckResult::new(
        id,
        title,
        status,
        format!("{} (expected {expected})", odd[0]),
    );
    result.details = odd[1..]
        .iter()
        .map(|w| Detail::problem(status, w.clone()))
        .chain(details.into_iter().map(Detail::note))
        .collect();
    let fix = defect_fix(DefectId::SigV4SecondAuthorization, version, config).unwrap_or_else(|| {
        "Check which settings layer sets ANTHROPIC_AUTH_TOKEN, apiKeyHelper, ANTHROPIC_CUSTOM_HEADERS or CLAUDE_CODE_SKIP_BEDROCK_AUTH (`claude-bedrock config`), and upgrade Claude Code (`claude update`).".to_string()
    });
    result.fix(fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::defects::tests::config;
    use crate::loopback::request::Operation;

    const KEY: &str = "ABSKQmVkcm9ja0FQSUtleS1rN3gyLWF0LTEyMzQ1Njc4OTAxMjpzZWNyZXQ=";

    fn request(
        method: &str,
        target: &str,
        operation: Operation,
        auth: AuthSeen,
    ) -> CapturedRequest {
        CapturedRequest {
            method: method.into(),
            target: target.into(),
            operation,
            auth,
            api_key: None,
        }
    }

    fn outcome(requests: Vec<CapturedRequest>) -> ClientRun {
        ClientRun {
            requests,
            exchanges: Vec::new(),
            relayed: false,
            exit: None,
            elapsed_ms: 1500,
            stderr_tail: None,
            notes: Vec::new(),
        }
    }

    fn claude() -> Claude {
        Claude {
            path: "/usr/local/bin/claude".into(),
            found: "PATH",
        }
    }

    fn list(auth: AuthSeen) -> CapturedRequest {
        request(
            "GET",
            "/inference-profiles?type=SYSTEM_DEFINED",
            Operation::ListInferenceProfiles,
            auth,
        )
    }

    fn stream(auth: AuthSeen) -> CapturedRequest {
        request(
            "POST",
            "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream",
            Operation::InvokeModelWithResponseStream,
            auth,
        )
    }

    fn bearer_config() -> EffectiveConfig {
        config(
            &[
                ("CLAUDE_CODE_USE_BEDROCK", "1"),
                ("AWS_REGION", "us-east-1"),
                ("AWS_BEARER_TOKEN_BEDROCK", KEY),
            ],
            "",
        )
    }

    const MATCH: AuthSeen = AuthSeen::Bearer {
        matches: Some(true),
    };

    #[test]
    fn a_dropped_key_fails_with_the_upgrade_that_fixes_it() {
        let result = verdict(
            &bearer_config(),
            &claude(),
            Some(Version(2, 1, 94)),
            &outcome(vec![list(MATCH), stream(AuthSeen::None)]),
        );
        assert_eq!(result.status, Status::Fail);
        assert_eq!(
            result.summary,
            "POST /model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream carried no Authorization"
        );
        assert!(
            result
                .fix
                .unwrap()
                .starts_with("Upgrade Claude Code to 2.1.96 or later")
        );
    }

    #[test]
    fn a_different_key_fails() {
        let result = verdict(
            &bearer_config(),
            &claude(),
            Some(Version(2, 1, 330)),
            &outcome(vec![
                list(MATCH),
                stream(AuthSeen::Bearer {
                    matches: Some(false),
                }),
            ]),
        );
        assert_eq!(result.status, Status::Fail);
        assert!(
            result
                .summary
                .ends_with("carried a different bearer key than AWS_BEARER_TOKEN_BEDROCK"),
            "{}",
            result.summary
        );
        assert!(
            result
                .fix
                .unwrap()
                .contains("agree on one AWS_BEARER_TOKEN_BEDROCK")
        );
    }

    #[test]
    fn mantle_may_carry_the_key_as_x_api_key() {
        let mut messages = request(
            "POST",
            "/anthropic/v1/messages",
            Operation::MantleMessages,
            AuthSeen::None,
        );
        messages.api_key = Some(Some(true));
        let result = verdict(&bearer_config(), &claude(), None, &outcome(vec![messages]));
        assert_eq!(result.status, Status::Pass, "{result:?}");
    }

    #[test]
    fn without_a_bearer_key_the_scheme_is_reported() {
        let keys = config(
            &[
                ("CLAUDE_CODE_USE_BEDROCK", "1"),
                ("AWS_REGION", "us-west-2"),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ],
            "",
        );
        let sigv4 = || AuthSeen::SigV4 {
            region: "us-west-2".into(),
            service: "bedrock".into(),
        };
        let result = verdict(
            &keys,
            &claude(),
            Some(Version(2, 1, 330)),
            &outcome(vec![list(sigv4()), stream(sigv4())]),
        );
        assert_eq!(result.status, Status::Pass);
        assert!(
            result
                .summary
                .contains("signed every Bedrock request with SigV4 (bedrock)")
        );
        // A request that is not signed would be rejected by Bedrock.
        let result = verdict(
            &keys,
            &claude(),
            Some(Version(2, 1, 330)),
            &outcome(vec![list(sigv4()), stream(AuthSeen::None)]),
        );
        assert_eq!(result.status, Status::Fail);
    }

    fn version_of(version: Version, config: &EffectiveConfig) -> CheckResult {
        version_check(
            config,
            &Ok(claude()),
            Some(&Ok((version, format!("{version} (Claude Code)")))),
        )
    }

    #[test]
    fn a_one_million_pin_fails_before_2_1_295_and_is_a_note_after() {
        let config = config(
            &[
                ("CLAUDE_CODE_USE_BEDROCK", "1"),
                ("AWS_REGION", "us-east-1"),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
                (
                    "ANTHROPIC_DEFAULT_OPUS_MODEL",
                    "us.anthropic.claude-opus-4-6-v1[1m]",
                ),
                (
                    "ANTHROPIC_DEFAULT_SONNET_MODEL",
                    "us.anthropic.claude-sonnet-4-6",
                ),
                (
                    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                ),
            ],
            "",
        );
        let old = version_of(Version(2, 1, 294), &config);
        assert_eq!(old.status, Status::Warn, "{old:?}");
        assert!(old.summary.contains("context-1m beta"), "{}", old.summary);
        assert!(
            old.fix
                .as_deref()
                .unwrap()
                .starts_with("Upgrade Claude Code to 2.1.295 or later"),
            "{old:?}"
        );
        let current = version_of(Version(2, 1, 337), &config);
        assert_eq!(current.status, Status::Pass, "{current:?}");
        assert!(
            current
                .details
                .iter()
                .any(|d| d.text.contains("resends the request without it")),
            "{current:?}"
        );
    }

    fn said(provider: &str) -> AuthStatus {
        AuthStatus {
            api_provider: provider.into(),
        }
    }

    #[test]
    fn the_clients_own_provider_is_compared_with_the_resolved_one() {
        let bedrock = config(
            &[
                ("CLAUDE_CODE_USE_BEDROCK", "1"),
                ("AWS_REGION", "us-east-1"),
            ],
            "",
        );
        let agree = provider_check(&bedrock, &claude(), &said("bedrock"));
        assert_eq!(agree.status, Status::Pass, "{agree:?}");
        assert_eq!(
            agree.summary,
            "Claude Code says its provider is bedrock, as this report resolved"
        );

        let first_party = provider_check(&bedrock, &claude(), &said("firstParty"));
        assert_eq!(first_party.status, Status::Fail);
        assert_eq!(
            first_party.summary,
            "Claude Code says its provider is firstParty, not Bedrock: it does not apply CLAUDE_CODE_USE_BEDROCK (process env), which this report resolved"
        );
        let fix = first_party.fix.unwrap();
        assert!(fix.starts_with("Export CLAUDE_CODE_USE_BEDROCK=1"), "{fix}");
        assert!(!fix.contains("doctor"), "{fix}");

        // Both switches on: the client reports bedrock (measured).
        let both = config(
            &[
                ("CLAUDE_CODE_USE_BEDROCK", "1"),
                ("CLAUDE_CODE_USE_MANTLE", "1"),
            ],
            "",
        );
        assert_eq!(
            provider_check(&both, &claude(), &said("bedrock")).status,
            Status::Pass
        );
        assert_eq!(
            provider_check(&both, &claude(), &said("mantle")).status,
            Status::Warn
        );

        // The client on Bedrock where this report found no switch.
        let none = config(&[("AWS_REGION", "us-east-1")], "");
        let result = provider_check(&none, &claude(), &said("bedrock"));
        assert_eq!(result.status, Status::Warn);
        assert!(result.summary.contains("resolved no Bedrock switch"));
    }

    #[test]
    fn no_bedrock_request_is_a_warning() {
        let stray = request("POST", "/", Operation::Other, AuthSeen::None);
        let result = verdict(&bearer_config(), &claude(), None, &outcome(vec![stray]));
        assert_eq!(result.status, Status::Warn);
        assert!(
            result
                .details
                .iter()
                .any(|d| d.text.contains("was stopped after"))
        );
    }
}
