//! From checks to causes: the problems a person reads. Each failing or warning check names its
//! cause; checks that name the same one are one problem, told once under the check that says it
//! best. Some causes make others moot and absorb them, most fundamental first:
//!
//! - Claude Code not switched to Bedrock: nothing else matters yet (`setup` sets it all up);
//! - no usable credentials: every call that could not be signed, or was refused for its
//!   credentials, fails of that one cause;
//! - the path to Bedrock (no answer, a refused connection, TLS, a proxy answering instead):
//!   every call along it fails of that one cause;
//! - a denied action, the Marketplace actions, the use case form, a model not enabled: every
//!   check that met it, the rehearsal's included.
//!
//! Then each problem gets the one line a closing list names it by.

use std::collections::HashMap;

use crate::report::{CheckResult, Status};

use super::check_id::CheckId;

/// A family of causes, most fundamental first: the order problems are told in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    /// Claude Code is not switched to Bedrock.
    Setup,
    Credentials,
    /// The way to the endpoints.
    Path,
    /// What the account allows: IAM, the Marketplace, the use case form.
    Access,
    /// One model: not enabled, an ID Bedrock does not take.
    Model,
    Other,
}

/// The family of a problem: by the cause it names (as `explain` names AWS's), else by the check.
fn family(check: &CheckResult) -> Family {
    let kind = check
        .cause
        .as_deref()
        .and_then(|c| c.strip_prefix("aws."))
        .map(|c| c.split(':').next().unwrap_or(c));
    match kind {
        Some(
            "credentials"
            | "no-credentials"
            | "credential-provider"
            | "expired-token"
            | "sso-expired"
            | "invalid-credentials"
            | "signature-mismatch"
            | "bearer-rejected",
        ) => return Family::Credentials,
        Some("timeout" | "connect" | "tls" | "not-aws" | "pagination-loop") => {
            return Family::Path;
        }
        Some("marketplace" | "use-case-required" | "access-denied" | "auth-header-missing") => {
            return Family::Access;
        }
        Some(
            "model-not-enabled"
            | "on-demand-unsupported"
            | "invalid-model-id"
            | "legacy-model"
            | "not-found",
        ) => return Family::Model,
        _ => {}
    }
    match CheckId::from_id(&check.id) {
        Some(CheckId::Provider) if check.status == Status::Fail => Family::Setup,
        Some(CheckId::AuthSource | CheckId::SsoSession) if check.status == Status::Fail => {
            Family::Credentials
        }
        Some(CheckId::AuthBearer) if check.status == Status::Fail => Family::Credentials,
        Some(CheckId::NetworkProxy | CheckId::NetworkTls) if check.status == Status::Fail => {
            Family::Path
        }
        _ => Family::Other,
    }
}

/// Which check of a merged cause tells it: the one that says the most certain thing.
fn teller_rank(id: &str) -> u8 {
    match CheckId::from_id(id) {
        Some(CheckId::Provider) => 0,
        Some(CheckId::SsoSession) => 1,
        Some(CheckId::AuthSource) => 2,
        Some(CheckId::AuthBearer) => 3,
        Some(CheckId::AuthIdentity) => 4,
        Some(CheckId::NetworkProxy | CheckId::NetworkTls) => 5,
        _ => 9,
    }
}

/// A group of problem checks, as it is being formed.
struct Group {
    family: Family,
    /// Indexes into the checks, in report order.
    members: Vec<usize>,
}

/// The problems behind the failed and warned checks, most fundamental first; each check's
/// `cause` is set to its problem's id.
pub fn causes(checks: &mut [CheckResult]) -> Vec<crate::report::Cause> {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (index, check) in checks.iter_mut().enumerate() {
        check.blocked_by = None;
        if !check.is_problem() {
            check.cause = None;
            continue;
        }
        let family = family(check);
        // A named cause is matched by name; unnamed ones by their fix (one remedy, one cause);
        // a whole family of credentials or of the path is one cause.
        let key = match (family, &check.cause, &check.fix) {
            (Family::Credentials, _, _) => "family:credentials".to_string(),
            (Family::Path, _, _) => "family:path".to_string(),
            (_, Some(cause), _) => format!("cause:{cause}"),
            (_, None, Some(fix)) => format!("fix:{fix}"),
            (_, None, None) => format!("check:{}", check.id),
        };
        match by_key.get(&key) {
            Some(&group) => groups[group].members.push(index),
            None => {
                by_key.insert(key, groups.len());
                groups.push(Group {
                    family,
                    members: vec![index],
                });
            }
        }
    }
    // Not switched to Bedrock: every other finding waits for `setup`.
    if let Some(setup) = groups.iter().position(|g| g.family == Family::Setup) {
        let mut all: Vec<usize> = groups.iter().flat_map(|g| g.members.clone()).collect();
        all.sort_unstable();
        groups = vec![Group {
            family: Family::Setup,
            members: all,
        }];
        let _ = setup;
    }
    // What fails first, most fundamental first; warnings (which stop nothing) after.
    groups.sort_by_key(|g| {
        let fails = g.members.iter().any(|&i| checks[i].status == Status::Fail);
        (!fails, g.family, g.members[0])
    });
    groups
        .into_iter()
        .map(|group| cause_of_group(checks, group))
        .collect()
}

fn cause_of_group(checks: &mut [CheckResult], group: Group) -> crate::report::Cause {
    // A failure says more than a warning it caused; then the most certain check.
    let teller = *group
        .members
        .iter()
        .min_by_key(|&&i| {
            (
                checks[i].status != Status::Fail,
                teller_rank(&checks[i].id),
                i,
            )
        })
        .unwrap_or(&group.members[0]);
    let told = &checks[teller];
    let id = match group.family {
        Family::Setup => "setup".to_string(),
        Family::Credentials => "credentials".to_string(),
        Family::Path => "path".to_string(),
        _ => told.cause.clone().unwrap_or_else(|| told.id.clone()),
    };
    let status = if group
        .members
        .iter()
        .any(|&i| checks[i].status == Status::Fail)
    {
        Status::Fail
    } else {
        Status::Warn
    };
    // What was said, from the telling check, or another of the same family (never from a
    // finding that waits for `setup`).
    let said = told.said.clone().or_else(|| {
        (group.family != Family::Setup)
            .then(|| group.members.iter().find_map(|&i| checks[i].said.clone()))
            .flatten()
    });
    let mut members = vec![teller];
    members.extend(group.members.iter().copied().filter(|&i| i != teller));
    let cause = crate::report::Cause {
        title: title(group.family, told),
        id: id.clone(),
        status,
        summary: told.summary.clone(),
        said,
        fix: told.fix.clone(),
        checks: members.iter().map(|&i| checks[i].id.clone()).collect(),
        repairable: false,
    };
    let told_by = checks[teller].id.clone();
    for &i in &members {
        checks[i].cause = Some(id.clone());
        checks[i].blocked_by = (i != teller).then(|| told_by.clone());
    }
    cause
}

/// Each area of the report in a line: the problems that touch it by their titles, or — when
/// everything in it passed — what it comes to in a few words.
pub fn areas(
    checks: &[CheckResult],
    causes: &[crate::report::Cause],
    context: &crate::report::Context,
) -> Vec<crate::report::AreaLine> {
    use crate::report::{Area, AreaLine};
    let find = |id: CheckId| checks.iter().find(|c| c.id == id.as_str());
    Area::ALL
        .iter()
        .filter_map(|&area| {
            let mine: Vec<&CheckResult> = checks.iter().filter(|c| c.area == Some(area)).collect();
            if mine.is_empty() {
                return None;
            }
            let ran: Vec<&&CheckResult> =
                mine.iter().filter(|c| c.status != Status::Skip).collect();
            let status = ran
                .iter()
                .map(|c| c.status)
                .max_by_key(|s| match s {
                    Status::Fail => 2,
                    Status::Warn => 1,
                    _ => 0,
                })
                .unwrap_or(Status::Skip);
            // A problem told in this area by its title; one told elsewhere by its number.
            let touching: Vec<String> = causes
                .iter()
                .enumerate()
                .filter(|(_, cause)| mine.iter().any(|c| cause.checks.contains(&c.id)))
                .map(|(n, cause)| {
                    if mine.iter().any(|c| c.id == cause.first_check()) {
                        cause.title.clone()
                    } else {
                        format!("affected by problem {}", n + 1)
                    }
                })
                .collect();
            let summary = if !touching.is_empty() {
                match touching.as_slice() {
                    [one] => one.clone(),
                    [one, two] => format!("{one}; {two}"),
                    [one, rest @ ..] => format!("{one}; and {} more", rest.len()),
                    [] => String::new(),
                }
            } else if status == Status::Skip {
                mine.first()
                    .map(|c| first_clause(&c.summary))
                    .unwrap_or_default()
            } else {
                passed(area, &find, context)
            };
            Some(AreaLine {
                area,
                status,
                summary,
            })
        })
        .collect()
}

/// What an area that passed comes to, in a few words.
fn passed<'a>(
    area: crate::report::Area,
    find: &dyn Fn(CheckId) -> Option<&'a CheckResult>,
    context: &crate::report::Context,
) -> String {
    use crate::report::Area;
    let clause = |id: CheckId| find(id).map(|c| first_clause(&c.summary));
    let ran = |id: CheckId| find(id).filter(|c| c.status != Status::Skip);
    match area {
        Area::Configuration => {
            let provider = match (context.bedrock, context.mantle) {
                (true, true) => "Bedrock and Mantle",
                (false, true) => "Mantle",
                _ => "Bedrock",
            };
            let pins = find(CheckId::ModelsPinned)
                .map(|c| c.summary.split(',').next().unwrap_or("").trim().to_string())
                .unwrap_or_default();
            format!("{provider} on, region {}, {pins}", context.region)
        }
        Area::Credentials => match ran(CheckId::AuthIdentity) {
            Some(identity) => {
                let account = identity
                    .summary
                    .split(" as ")
                    .next()
                    .unwrap_or(&identity.summary)
                    .to_string();
                match identity.details.first() {
                    Some(kind) => format!("{account}, {}", kind.text),
                    None => account,
                }
            }
            None => clause(CheckId::AuthBearer)
                .filter(|_| ran(CheckId::AuthBearer).is_some())
                .or_else(|| clause(CheckId::AuthSource))
                .unwrap_or_default(),
        },
        Area::Bedrock => {
            if ran(CheckId::MantleModels).is_some() && ran(CheckId::IamInvoke).is_none() {
                "Mantle answers with every model Claude Code sends it".into()
            } else {
                "every model Claude Code calls answers, plain and streamed".into()
            }
        }
        Area::Network => clause(CheckId::NetworkProxy).unwrap_or_default(),
        Area::ClaudeCode => {
            let version = context.client_version.clone().unwrap_or_default();
            match ran(CheckId::ClientModels) {
                Some(_) => format!("{version}: the rehearsal ran on your account"),
                None => version,
            }
        }
    }
}

/// The few words a closing list names a problem by.
fn title(family: Family, told: &CheckResult) -> String {
    let kind = told
        .cause
        .as_deref()
        .map(|c| c.strip_prefix("aws.").unwrap_or(c))
        .unwrap_or("");
    let (name, detail) = kind.split_once(':').unwrap_or((kind, ""));
    let by_kind = match name {
        "marketplace" => Some("the AWS Marketplace actions are denied".to_string()),
        "use-case-required" => Some("Anthropic's use case form is not submitted".into()),
        "access-denied" if !detail.is_empty() => Some(format!("IAM denies {detail}")),
        "access-denied" => Some("IAM denies an action Claude Code needs".into()),
        "auth-header-missing" => Some("no Authorization reaches Bedrock".into()),
        "model-not-enabled" => Some("model access is not enabled".into()),
        "on-demand-unsupported" => Some(format!("{detail} needs an inference profile")),
        "invalid-model-id" => Some(format!("{detail} is not a model ID Bedrock knows")),
        "legacy-model" => Some(format!("{detail} is a Legacy model")),
        "one-million-refused" => Some(format!("{detail} is refused 1M context")),
        "policy-denied" => Some(format!("the managed policy denies {detail}")),
        "policy-not-allowed" => Some(format!("{detail} is not in the managed availableModels")),
        "project-env-ignored" => Some(format!("project settings cannot set {detail}")),
        "headers-need-approval" => Some(format!("custom headers from {detail} need approval")),
        "config.profile-region" => Some(format!("{detail} does not fit the region")),
        "not-found" => Some(format!("{detail} does not exist here")),
        "throttled" => Some("Bedrock throttles the calls (a quota)".into()),
        "expired-token" => Some("the AWS credentials have expired".into()),
        "sso-expired" => Some("the SSO session has expired".into()),
        "invalid-credentials" => Some("AWS does not recognise the access key".into()),
        "signature-mismatch" => Some("the secret key does not match the access key".into()),
        "bearer-rejected" => Some("Bedrock rejects the API key".into()),
        "not-aws" => Some("something other than Bedrock answers (a proxy?)".into()),
        "timeout" => Some("Bedrock does not answer in time".into()),
        "connect" => Some("Bedrock cannot be reached".into()),
        "tls" => Some("the TLS handshake with Bedrock fails".into()),
        _ => None,
    };
    if let Some(title) = by_kind {
        return title;
    }
    match (family, CheckId::from_id(&told.id)) {
        (Family::Setup, _) => "Claude Code is not switched to Bedrock".into(),
        (_, Some(CheckId::SsoSession)) if told.summary.contains("expired") => {
            "the SSO session has expired".into()
        }
        (_, Some(CheckId::SsoSession)) => "the SSO session cannot be used".into(),
        (_, Some(CheckId::AuthSource)) => "no usable AWS credentials".into(),
        (Family::Credentials, _) => "the AWS credentials cannot be had".into(),
        (_, Some(CheckId::NetworkProxy)) => "the proxy settings are broken".into(),
        (_, Some(CheckId::NetworkTls)) => "TLS to Bedrock is intercepted".into(),
        _ => first_clause(&told.summary),
    }
}

/// A summary's first clause, at most 72 characters: enough to name it in a list.
fn first_clause(summary: &str) -> String {
    let clause = summary.split(['(', ';']).next().unwrap_or(summary);
    let clause = clause.trim_end_matches([' ', ':', ',']).trim();
    // A title follows "✗ 12. ": at most 72 characters keep it within 80 columns.
    if clause.chars().count() <= 72 {
        return clause.to_string();
    }
    let mut cut: String = clause.chars().take(71).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(id: &str, status: Status, cause: Option<&str>, fix: &str) -> CheckResult {
        let mut check = CheckResult::new(id, id, status, format!("{id} is wrong"));
        check.cause = cause.map(str::to_string);
        check.fix = Some(fix.to_string());
        check
    }

    #[test]
    fn one_cause_is_one_problem_whoever_met_it() {
        let mut checks = vec![
            problem("iam.invoke", Status::Fail, Some("aws.marketplace"), "allow"),
            problem(
                "models.opus",
                Status::Fail,
                Some("aws.marketplace"),
                "allow, or",
            ),
            problem("client.models", Status::Fail, Some("aws.marketplace"), "x"),
            problem(
                "models.sonnet",
                Status::Warn,
                Some("aws.throttled"),
                "quota",
            ),
        ];
        let causes = causes(&mut checks);
        assert_eq!(causes.len(), 2);
        assert_eq!(
            causes[0].checks,
            ["iam.invoke", "models.opus", "client.models"]
        );
        assert_eq!(causes[0].title, "the AWS Marketplace actions are denied");
        assert_eq!(checks[2].cause.as_deref(), Some("aws.marketplace"));
        assert_eq!(causes[1].status, Status::Warn);
    }

    #[test]
    fn credentials_are_one_cause_told_by_the_most_certain_check() {
        let mut checks = vec![
            problem(
                "auth.identity",
                Status::Fail,
                Some("aws.credentials"),
                "login",
            ),
            problem(
                "iam.invoke",
                Status::Fail,
                Some("aws.credential-provider"),
                "x",
            ),
            problem(
                "sso.session",
                Status::Fail,
                None,
                "aws sso login --profile dev",
            ),
        ];
        let causes = causes(&mut checks);
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].checks[0], "sso.session");
        assert_eq!(
            causes[0].fix.as_deref(),
            Some("aws sso login --profile dev")
        );
    }

    #[test]
    fn not_switched_to_bedrock_absorbs_everything() {
        let mut checks = vec![
            problem("provider", Status::Fail, None, "claude-bedrock setup"),
            problem("region", Status::Warn, None, "set AWS_REGION"),
            problem(
                "auth.source",
                Status::Fail,
                None,
                "claude-bedrock setup, or",
            ),
            problem("models.pinned", Status::Warn, None, "pin"),
        ];
        let causes = causes(&mut checks);
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].id, "setup");
        assert_eq!(causes[0].checks.len(), 4);
        assert_eq!(causes[0].title, "Claude Code is not switched to Bedrock");
    }
    #[test]
    fn checks_that_name_one_cause_are_one_problem() {
        let mut checks = vec![
            CheckResult::new("a", "A", Status::Pass, "fine").cause("aws.x"),
            CheckResult::new("b", "B", Status::Fail, "denied")
                .cause("aws.x")
                .fix("grant"),
            CheckResult::new("c", "C", Status::Warn, "denied too")
                .cause("aws.x")
                .fix("grant\nor pin"),
            CheckResult::new("d", "D", Status::Fail, "other")
                .cause("aws.y")
                .fix("grant"),
            CheckResult::new("e", "E", Status::Warn, "offline").fix("set it"),
            CheckResult::new("f", "F", Status::Fail, "offline too").fix("set it"),
            CheckResult::new("g", "G", Status::Fail, "no fix"),
        ];
        let causes = causes(&mut checks);
        let grouped: Vec<(&str, Status, Vec<&str>)> = causes
            .iter()
            .map(|c| {
                (
                    c.id.as_str(),
                    c.status,
                    c.checks.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            grouped,
            [
                ("aws.x", Status::Fail, vec!["b", "c"]),
                // A named cause is not merged with another for sharing a fix's words.
                ("aws.y", Status::Fail, vec!["d"]),
                // Told by the failure, not the warning it shares a fix with.
                ("f", Status::Fail, vec!["f", "e"]),
                ("g", Status::Fail, vec!["g"]),
            ]
        );
        assert_eq!(checks[0].cause, None, "a pass has no cause");
        assert_eq!(checks[2].cause.as_deref(), Some("aws.x"));
        assert_eq!(checks[4].cause.as_deref(), Some("f"));
        let summary = crate::report::Summary::of(&checks, &causes);
        let words: Vec<String> = summary.parts().into_iter().map(|(_, p)| p).collect();
        assert_eq!(words, ["4 failed", "2 warnings", "4 causes", "1 passed"]);
    }

    #[test]
    fn causes_are_counted_only_when_checks_share_one() {
        let mut checks = vec![
            CheckResult::new("a", "A", Status::Fail, "x").fix("one"),
            CheckResult::new("b", "B", Status::Fail, "y").fix("two"),
        ];
        let causes = causes(&mut checks);
        let words: Vec<String> = crate::report::Summary::of(&checks, &causes)
            .parts()
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        assert_eq!(words, ["2 failed", "0 passed"]);
    }
}
