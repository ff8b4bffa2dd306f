//! `auth.identity` and the IAM checks — listing and reading inference profiles, invoking and
//! streaming — judged from what the live calls answered.

use std::collections::HashMap;

use crate::aws::AuthMode;
use crate::aws::Clients;
use crate::aws::errors::{Failure, FailureKind};
use crate::aws::explain::{Attempt, explain};
use crate::aws::ops::{Identity, Probe, ProfileList, ProfileSummary};
use crate::config::EffectiveConfig;
use crate::config::bearer::BearerKind;
use crate::config::models::ModelIdKind;
use crate::doctor::check_id::CheckId;
use crate::doctor::facts::live::{LiveFacts, ModelProbes, ModelTarget, ProbeKey};
use crate::report::{CheckResult, Skip, Status};

pub fn check_identity(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    identity_check(config, &facts.clients, facts.identity.clone())
}

pub fn check_list(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    list_check(config, &facts.clients, &facts.list, facts.list_ms)
}

pub fn check_get(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    get_check(
        config,
        &facts.clients,
        facts.get.clone(),
        facts.list_ok(),
        &facts.targets,
    )
}

pub fn check_invoke(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    permission(config, facts, false)
}

pub fn check_invoke_stream(config: &EffectiveConfig, facts: &LiveFacts) -> CheckResult {
    permission(config, facts, true)
}

fn permission(config: &EffectiveConfig, facts: &LiveFacts, stream: bool) -> CheckResult {
    permission_check(
        if stream {
            CheckId::IamInvokeStream
        } else {
            CheckId::IamInvoke
        },
        stream,
        config,
        &facts.clients,
        &facts.unique,
        &facts.probes,
        facts.list_ok(),
    )
}

fn identity_check(
    config: &EffectiveConfig,
    clients: &Clients,
    identity: Option<(Result<Identity, Failure>, u64)>,
) -> CheckResult {
    let id = CheckId::AuthIdentity;
    if let Some(err) = &clients.credential_error {
        let mut check =
            CheckResult::new(id.as_str(), id.title(), Status::Fail, err.message.clone())
                .fix(err.fix.clone())
                .cause("aws.credentials");
        check.said = err.said.clone();
        return check;
    }
    let Some((result, ms)) = identity else {
        let reason = match (&clients.auth, &config.bearer) {
            (AuthMode::Bearer, Some(bearer)) => match &bearer.analysis.kind {
                BearerKind::LongTerm { account } => format!(
                    "STS cannot take a bearer key; the long-term key belongs to account {account}; the Bedrock calls test it"
                ),
                BearerKind::ShortTerm { region, .. } => format!(
                    "STS cannot take a bearer key; the short-term key was made in {region}; the Bedrock calls test it"
                ),
                BearerKind::Malformed { .. } => {
                    "STS cannot take a bearer key, and this one is malformed".to_string()
                }
            },
            (AuthMode::None, _) => {
                "CLAUDE_CODE_SKIP_BEDROCK_AUTH: no credentials are used".to_string()
            }
            _ => "not applicable".to_string(),
        };
        return CheckResult::skipped(id.as_str(), id.title(), Skip::NotInUse, reason);
    };
    let mut check = match result {
        Ok(identity) => {
            let mut check = CheckResult::new(
                id.as_str(),
                id.title(),
                Status::Pass,
                format!("account {} as {}", identity.account, identity.arn),
            );
            check.details.push(identity_kind(&identity.arn).into());
            if identity.arn.ends_with(":root") {
                check.status = Status::Warn;
                check.summary = format!("account {} as its root user", identity.account);
                check.fix = Some("Use an IAM role or IAM Identity Center user for Claude Code, not the root user.".into());
            }
            check
        }
        Err(failure) => {
            let attempt = Attempt {
                operation: "GetCallerIdentity",
                action: "sts:GetCallerIdentity",
                endpoint: "STS",
                model: None,
                auth: clients.auth,
                profiles: None,
                timeout: clients.timeout,
                region: None,
            };
            let mut check = explain(&failure, &attempt, config).into_check(id.as_str(), id.title());
            // STS that only this doctor calls cannot fail Claude Code: an unreachable one
            // leaves the identity unconfirmed, nothing more.
            let network = matches!(
                failure.kind,
                FailureKind::Connect
                    | FailureKind::Timeout
                    | FailureKind::Tls
                    | FailureKind::NotAws { .. }
            );
            if network && !crate::doctor::facts::network::Role::Sts.used_by_client(config) {
                check.status = Status::Warn;
                check.summary = format!(
                    "could not confirm the identity: {} (Claude Code does not call STS with this configuration; the Bedrock calls test the credentials)",
                    check.summary
                );
            }
            check
        }
    };
    check.duration_ms = ms;
    check
}

fn identity_kind(arn: &str) -> String {
    if arn.contains(":assumed-role/AWSReservedSSO_") {
        "an IAM Identity Center (SSO) role session".into()
    } else if arn.contains(":assumed-role/") {
        "an assumed IAM role".into()
    } else if arn.contains(":user/") {
        "an IAM user".into()
    } else if arn.contains(":federated-user/") {
        "a federated user".into()
    } else {
        "another kind of identity".into()
    }
}

fn list_check(
    config: &EffectiveConfig,
    clients: &Clients,
    list: &Result<ProfileList, Failure>,
    ms: u64,
) -> CheckResult {
    let id = CheckId::IamListProfiles;
    let mut check = match list {
        Ok(list) => {
            let anthropic = list.profiles.iter().filter(|p| p.is_anthropic()).count();
            let application = list.profiles.iter().filter(|p| p.is_application()).count();
            let summary = format!(
                "{} inference profiles in {} ({anthropic} Anthropic, {application} application), {} page{}",
                list.profiles.len(),
                config.region.value,
                list.pages,
                if list.pages == 1 { "" } else { "s" }
            );
            if anthropic == 0 {
                CheckResult::new(id.as_str(), id.title(), Status::Warn, format!("{summary}: none serves an Anthropic model"))
                    .fix(format!("Use a region that offers Claude models (us-east-1, us-west-2, eu-central-1, …), or check `claude-bedrock models --region {}`.", config.region.value))
            } else {
                CheckResult::new(id.as_str(), id.title(), Status::Pass, summary)
            }
        }
        Err(failure) => {
            let attempt = Attempt::list_profiles(clients);
            let mut e = explain(failure, &attempt, config);
            // Claude Code lists profiles only to choose among the defaults it may use, and when
            // the listing is denied it tries its candidates one by one instead (2.1.337 works
            // either way): the denial costs a slower first start, not a working setup.
            if e.status == Status::Fail && matches!(failure.kind, FailureKind::AccessDenied { .. })
            {
                e.status = Status::Warn;
                e.summary.push_str(
                    ": Claude Code still works (it tries each default model in turn instead), and this tool cannot list the models you can use",
                );
            }
            e.into_check(id.as_str(), id.title())
        }
    };
    check.duration_ms = ms;
    check
}

fn get_check(
    config: &EffectiveConfig,
    clients: &Clients,
    get: Option<(String, Result<ProfileSummary, Failure>, u64)>,
    list: Option<&ProfileList>,
    targets: &[ModelTarget],
) -> CheckResult {
    let id = CheckId::IamGetProfile;
    let Some((profile_id, result, ms)) = get else {
        return CheckResult::skipped(
            id.as_str(),
            id.title(),
            Skip::NotInUse,
            "no inference profile to fetch (nothing pinned, none listed)",
        );
    };
    let needed = targets
        .iter()
        .any(|t| matches!(t.id.kind, ModelIdKind::ApplicationProfileArn { .. }));
    let mut check = match result {
        Ok(profile) => CheckResult::new(
            id.as_str(),
            id.title(),
            Status::Pass,
            format!("{} ({}, {})", profile.id, profile.kind, profile.status),
        )
        .details(profile.models.iter().map(|m| format!("routes to {m}"))),
        Err(failure) => {
            let attempt = Attempt {
                operation: "GetInferenceProfile",
                action: "bedrock:GetInferenceProfile",
                endpoint: &clients.control_endpoint,
                model: Some(&profile_id),
                auth: clients.auth,
                profiles: list,
                timeout: clients.timeout,
                region: None,
            };
            let mut e = explain(&failure, &attempt, config);
            // Claude Code calls it only for an application inference profile ARN, and carries
            // on when it fails (seen on 2.1.332 and 2.1.337): not knowing the model behind the
            // ARN, it leaves out what the model may not take. A warning, then, naming that.
            if e.status == Status::Fail {
                e.status = Status::Warn;
                if needed {
                    e.summary.push_str(
                        ": Claude Code still works, but without the model behind the ARN it sends thinking \"enabled\" instead of adaptive, and no effort setting",
                    );
                    e.fix.push_str(
                        "\nOr tell Claude Code what the model takes: CLAUDE_CODE_MODEL_CAPABILITIES=adaptive_thinking,effort in the shell or the user settings (project settings cannot set it).",
                    );
                } else {
                    e.summary.push_str(
                        " (Claude Code needs it only for application inference profile ARNs)",
                    );
                }
            }
            e.into_check(id.as_str(), id.title())
        }
    };
    check.duration_ms = ms;
    check
}

#[allow(clippy::too_many_arguments)]
fn permission_check(
    id: CheckId,
    stream: bool,
    config: &EffectiveConfig,
    clients: &Clients,
    models: &[ProbeKey],
    probes: &HashMap<ProbeKey, ModelProbes>,
    list: Option<&ProfileList>,
) -> CheckResult {
    let pick = |p: &ModelProbes| {
        if stream {
            p.stream.clone()
        } else {
            p.invoke.clone()
        }
    };
    let action = Attempt::invoke(clients, stream, "", list).action;
    if models.is_empty() {
        return CheckResult::skipped(
            id.as_str(),
            id.title(),
            Skip::NotInUse,
            "no Invoke API model to call",
        );
    }
    let outcomes: Vec<(&String, Probe)> = models
        .iter()
        .filter_map(|key| probes.get(key).map(|p| (&key.0, pick(p))))
        .collect();
    let ms = outcomes
        .iter()
        .map(|(_, p)| p.duration_ms)
        .max()
        .unwrap_or(0);
    let mut check = if let Some((model, _)) = outcomes.iter().find(|(_, p)| p.ok) {
        let mut check = CheckResult::new(
            id.as_str(),
            id.title(),
            Status::Pass,
            format!("{action} allowed ({model} answered)"),
        );
        for (other, probe) in &outcomes {
            if let Some(failure) = &probe.failure {
                check
                    .details
                    .push(format!("{other}: {}", failure.brief()).into());
            }
        }
        check
    } else {
        use crate::aws::errors::FailureKind as K;
        // Prefer the failure that says something about the permission or the credentials.
        let rank = |f: &Failure| match f.kind {
            K::AccessDenied { .. } | K::Marketplace => 0,
            K::AuthHeaderMissing
            | K::BearerRejected
            | K::ExpiredToken
            | K::SsoExpired
            | K::InvalidCredentials
            | K::SignatureMismatch
            | K::NoCredentials
            | K::CredentialProvider => 1,
            K::NotAws { .. } | K::Tls | K::Connect | K::Timeout => 2,
            _ => 3,
        };
        let worst = outcomes
            .iter()
            .filter_map(|(m, p)| p.failure.as_ref().map(|f| (m, f)))
            .min_by_key(|(_, f)| rank(f));
        match worst {
            Some((model, failure)) if rank(failure) < 3 => {
                let e = explain(
                    failure,
                    &Attempt::invoke(clients, stream, model, list),
                    config,
                );
                e.into_check(id.as_str(), id.title())
            }
            Some((model, failure)) => {
                // No model answered for a reason of its own: that reason is the problem, and
                // this check one more that it affects.
                let e = explain(
                    failure,
                    &Attempt::invoke(clients, stream, model, list),
                    config,
                );
                let mut check = CheckResult::new(
                    id.as_str(),
                    id.title(),
                    Status::Warn,
                    format!("{action} could not be confirmed: no model answered"),
                )
                .fix(e.fix)
                .cause(e.cause);
                check.said = e.said;
                check
            }
            None => CheckResult::new(id.as_str(), id.title(), Status::Skip, "no probe ran"),
        }
    };
    check.duration_ms = ms;
    check
}
