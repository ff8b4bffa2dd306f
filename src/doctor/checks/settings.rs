//! `settings.files`: every settings layer parses, `env` values are strings, and Bedrock-related
//! values are ones the settings schema allows.

use crate::config::env::PROJECT_ENV_IGNORED;
use crate::config::settings::{BEDROCK_ENUMS, FileState};
use crate::config::source::Layer;
use crate::config::{EffectiveConfig, RESTRICTED_VARIABLE};
use crate::doctor::check_id::CheckId;
use crate::report::{CheckResult, Findings};

/// Switches whose unrecognised values Claude Code reads as "off".
const SWITCHES: &[&str] = &[
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_MANTLE",
    "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
];

pub fn check(config: &EffectiveConfig) -> CheckResult {
    let mut findings = Findings::default();
    let mut present = 0;
    for file in &config.settings.files {
        let path = config.tilde(&file.path);
        match &file.state {
            FileState::Missing => {}
            FileState::Loaded(_) => {
                present += 1;
                findings.note(format!("{}: {path}", file.layer.label()));
            }
            FileState::DanglingSymlink(target) => {
                present += 1;
                let target = config.tilde(target);
                findings.warn(
                    format!("{path} is a symbolic link to {target}, which does not exist: Claude Code reads no settings from it"),
                    format!("Create {target}, or remove the link: rm {}.", crate::secret::shell_quote(&path)),
                );
            }
            FileState::Unreadable(err) => {
                present += 1;
                findings.fail(
                    format!("{path} {err}: Claude Code cannot use it"),
                    format!("Replace {path} with a readable JSON file (for a permission problem: chmod u+r {}), or remove it.", crate::secret::shell_quote(&path)),
                );
            }
            FileState::Invalid {
                message,
                line,
                column,
            } => {
                present += 1;
                let at = if *line > 0 {
                    format!(" at line {line}, column {column}")
                } else {
                    String::new()
                };
                findings.fail(
                    format!("{path} is not valid JSON{at}: {message}; Claude Code ignores the whole file"),
                    format!(
                        "Fix the JSON{at} of {path} (`python3 -m json.tool {}` pinpoints it); until then none of its settings apply.",
                        crate::secret::shell_quote(&path)
                    ),
                );
            }
            FileState::Rejected { reason, .. } => {
                present += 1;
                findings.fail(
                    format!("{path}: {reason}, so Claude Code ignores the whole file (none of its settings apply)"),
                    format!("Fix that key in {path}; `claude auth status` shows \"firstParty\" while the file is ignored."),
                );
            }
            FileState::NotAnObject(kind) => {
                present += 1;
                findings.fail(
                    format!("{path} holds {kind}, not an object; Claude Code ignores it"),
                    format!("Make {path} a JSON object: {{ \"env\": {{ … }} }}."),
                );
            }
        }
    }
    if let Some(problem) = &config.settings.dropin_dir_problem {
        findings.warn(
            problem.clone(),
            "Make the managed-settings.d directory readable, or remove it.",
        );
    }
    for bad in &config.env.non_string {
        let where_ = config.describe(&bad.source);
        let shown = crate::secret::display_value(&bad.name, &bad.applied_as);
        let effect = if bad.json_type == "null" {
            ", which overrides any value from the shell"
        } else {
            ""
        };
        findings.warn(
            format!(
                "env.{} in {where_} is {}: Claude Code applies it as the text \"{shown}\"{effect}",
                bad.name, bad.json_type
            ),
            format!(
                "Write the value as a string (\"{}\": \"…\"), or remove it, so that what applies is plainly what you mean.",
                bad.name
            ),
        );
    }
    unknown_variables(config, &mut findings);
    for bad in &config.env.bad_names {
        findings.warn(
            format!(
                "env key \"{}\" in {} is not an environment variable name (A–Z, 0–9, _)",
                bad.name,
                config.describe(&bad.source)
            ),
            "Use the exact upper-case variable name.",
        );
    }
    for (key, expected, found, source) in &config.keys.wrong_types {
        findings.fail(
            format!(
                "{key} in {} is {found}; Claude Code expects {expected}",
                config.describe(source)
            ),
            format!("Make {key} {expected}."),
        );
    }
    check_enums(config, &mut findings);
    restricted(config, &mut findings);
    ignored_in_project(config, &mut findings);
    custom_headers_need_approval(config, &mut findings);
    let project_bedrock = config.env.iter().any(|(name, var)| {
        matches!(var.source.layer(), Some(Layer::Project | Layer::Local))
            && (name.starts_with("AWS_") || name.contains("BEDROCK"))
    });
    if project_bedrock {
        findings.note(
            "project settings set AWS/Bedrock variables: Claude Code applies them only once the workspace is trusted (or with -p)",
        );
    }
    let summary = match present {
        0 => "no settings files; Claude Code sees only the process environment".to_string(),
        1 => "1 settings file, valid".to_string(),
        n => format!("{n} settings files, all valid"),
    };
    let (id, title) = CheckId::SettingsFiles.pair();
    findings.into_result(id, title, summary)
}

fn check_enums(config: &EffectiveConfig, findings: &mut Findings) {
    for file in &config.settings.files {
        let Some(env) = file
            .object()
            .and_then(|map| map.get("env"))
            .and_then(|env| env.as_object())
        else {
            continue;
        };
        for (name, allowed) in BEDROCK_ENUMS {
            let Some(value) = env.get(*name).and_then(|v| v.as_str()) else {
                continue;
            };
            if value.is_empty() || allowed.contains(&value) {
                continue;
            }
            let where_ = config.tilde(&file.path);
            let allowed_list = allowed
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let truthy = crate::config::env::is_truthy(value);
            if SWITCHES.contains(name) && !truthy {
                findings.fail(
                    format!("{name}=\"{value}\" in {where_} is not a value Claude Code reads as on; it is off"),
                    format!("Set \"{name}\": \"1\" to turn it on, or remove it."),
                );
            } else if SWITCHES.contains(name) || *allowed == ["0", "1"] {
                findings.warn(
                    format!(
                        "{name}=\"{value}\" in {where_}: Claude Code reads it, but the settings schema allows only {allowed_list}"
                    ),
                    format!("Write \"{name}\": \"{}\".", if truthy { "1" } else { "0" }),
                );
            } else {
                findings.fail(
                    format!("{name}=\"{value}\" in {where_} is not one of {allowed_list}"),
                    format!("Set {name} to one of {allowed_list}."),
                );
            }
        }
    }
}

/// A Bedrock-, AWS- or model-related variable in a settings `env` that the observed client's
/// binary does not read: a typo, most likely, that silently does nothing.
fn unknown_variables(config: &EffectiveConfig, findings: &mut Findings) {
    let observed = crate::knowledge::observed();
    for (name, var) in config.env.iter() {
        if !matches!(var.source, crate::config::source::Source::Settings { .. })
            || !crate::knowledge::is_observed_variable(name)
            || observed.reads(name)
        {
            continue;
        }
        let closest = observed
            .variables
            .iter()
            .map(|known| (strsim::jaro_winkler(name, known), known))
            .filter(|(score, _)| *score > 0.9)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, known)| known);
        let fix = match closest {
            Some(known) => format!(
                "Did you mean {known}? Rename the key in {}.",
                config.describe(&var.source)
            ),
            None => format!(
                "Remove it from {}, or check its spelling in Claude Code's documentation.",
                config.describe(&var.source)
            ),
        };
        findings.warn(
            format!(
                "env.{name} ({}) is not a variable Claude Code {} reads, so it does nothing",
                config.describe(&var.source),
                observed.client
            ),
            fix,
        );
    }
}

/// A restricted session (`CLAUDE_CODE_RESTRICTED`, ≥ 2.1.248): only managed settings apply, and
/// the doctor resolved the configuration the same way.
fn restricted(config: &EffectiveConfig, findings: &mut Findings) {
    if !config.settings.restricted() {
        return;
    }
    let ignored: Vec<String> = config
        .settings
        .restricted_out
        .iter()
        .filter(|f| !matches!(f.state, FileState::Missing))
        .map(|f| format!("{} ({})", config.tilde(&f.path), f.layer.label()))
        .collect();
    let which = if ignored.is_empty() {
        String::new()
    } else {
        format!(": {} not read", ignored.join(", "))
    };
    findings.note(format!(
        "{RESTRICTED_VARIABLE} is on in the environment: Claude Code ignores user, project and local settings, and so does this report{which}"
    ));
}

/// Project and local `env` entries the client no longer applies (2.1.251).
fn ignored_in_project(config: &EffectiveConfig, findings: &mut Findings) {
    let user_settings = config.tilde(&config.locations.user_file());
    for ignored in &config.env.ignored_in_project {
        findings.warn(
            format!(
                "env.{} in {} is ignored: Claude Code does not let project settings set {}",
                ignored.name,
                config.describe(&ignored.source),
                PROJECT_ENV_IGNORED.join(", ")
            ),
            format!(
                "Move {} to the \"env\" block of {user_settings}, or export it in the shell that starts Claude Code, and remove it from {}.",
                ignored.name,
                config.tilde(ignored.source.path().unwrap_or(std::path::Path::new("the project settings")))
            ),
        );
        findings.caused_by(format!("project-env-ignored:{}", ignored.name));
    }
}

/// Header names (lower case) or name prefixes that set a credential, an organization or
/// tenant, routing, or the API's behaviour: from project or managed settings, the client asks
/// before sending them (2.1.251).
const APPROVAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "cookie",
    "host",
    "forwarded",
    "x-forwarded-",
    "x-amz-",
    "x-amzn-",
    "anthropic-",
];

const APPROVAL_WORDS: &[&str] = &[
    "token",
    "auth",
    "key",
    "secret",
    "session",
    "org",
    "tenant",
    "workspace",
    "account",
    "project",
    "route",
    "routing",
    "upstream",
    "region",
    "endpoint",
    "beta",
    "version",
];

/// Whether a custom header needs the user's approval when it comes from project or managed
/// settings.
pub fn header_needs_approval(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    APPROVAL_HEADERS.iter().any(|h| {
        if h.ends_with('-') {
            name.starts_with(h)
        } else {
            name == *h
        }
    }) || name
        .split(['-', '_'])
        .any(|word| APPROVAL_WORDS.contains(&word))
}

/// `ANTHROPIC_CUSTOM_HEADERS` set by project or managed settings, with headers that need the
/// user's approval (2.1.251). Names only: header values are often secrets.
fn custom_headers_need_approval(config: &EffectiveConfig, findings: &mut Findings) {
    let Some((headers, source)) = config.env.get_with_source("ANTHROPIC_CUSTOM_HEADERS") else {
        return;
    };
    let Some(layer) = source.layer() else { return };
    if !matches!(layer, Layer::Project | Layer::Local | Layer::Managed) {
        return;
    }
    let mut names: Vec<String> = headers
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, _)| name.trim().to_string())
        .filter(|name| !name.is_empty() && header_needs_approval(name))
        .collect();
    names.dedup();
    if names.is_empty() {
        return;
    }
    let user_settings = config.tilde(&config.locations.user_file());
    findings.warn(
        format!(
            "ANTHROPIC_CUSTOM_HEADERS comes from {} and sets {} ({}): an interactive Claude Code asks you to approve such headers from {} as it starts, and exits if you decline (claude -p sends them without asking)",
            config.describe(source),
            if names.len() == 1 { "a header that needs approval" } else { "headers that need approval" },
            names.join(", "),
            layer.label()
        ),
        format!(
            "Approve the headers when Claude Code asks at start, or set ANTHROPIC_CUSTOM_HEADERS in the \"env\" block of {user_settings} (or in the shell) instead of {}.",
            layer.label()
        ),
    );
    findings.caused_by(format!("headers-need-approval:{}", layer.label()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::defects::tests::with_files;
    use crate::report::Status;

    const BEDROCK: [(&str, &str); 2] = [
        ("CLAUDE_CODE_USE_BEDROCK", "1"),
        ("AWS_REGION", "us-east-1"),
    ];

    fn problems(result: &CheckResult) -> Vec<String> {
        result
            .details
            .iter()
            .filter(|d| d.level != crate::report::Level::Note)
            .map(|d| d.text.clone())
            .chain(std::iter::once(result.summary.clone()))
            .collect()
    }

    fn notes(result: &CheckResult) -> Vec<String> {
        result
            .details
            .iter()
            .filter(|d| d.level == crate::report::Level::Note)
            .map(|d| d.text.clone())
            .collect()
    }

    #[test]
    fn a_restricted_session_reads_managed_settings_only_and_says_so() {
        let files = [
            (
                ".claude/settings.json",
                r#"{"env":{"AWS_REGION":"eu-west-1","ANTHROPIC_MODEL":"us.anthropic.claude-opus-4-6-v1"}}"#,
            ),
            (
                "project/.claude/settings.json",
                r#"{"env":{"AWS_PROFILE":"project"}}"#,
            ),
            (
                "managed/managed-settings.json",
                r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1"}}"#,
            ),
        ];
        let open = with_files(&[], &files);
        assert_eq!(open.env.get("AWS_REGION"), Some("eu-west-1"));
        assert_eq!(open.env.get("AWS_PROFILE"), Some("project"));
        assert!(!open.settings.restricted());

        let restricted = with_files(&[("CLAUDE_CODE_RESTRICTED", "1")], &files);
        assert!(restricted.settings.restricted());
        assert_eq!(restricted.env.get("AWS_REGION"), None);
        assert_eq!(restricted.env.get("AWS_PROFILE"), None);
        assert_eq!(restricted.env.get("CLAUDE_CODE_USE_BEDROCK"), Some("1"));
        assert!(
            restricted.models.is_empty(),
            "the user pin is not effective"
        );
        let result = check(&restricted);
        let notes = notes(&result);
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("CLAUDE_CODE_RESTRICTED is on")
                    && n.contains("settings.json (user settings)")
                    && n.contains("(shared project settings)")),
            "{notes:?}"
        );
        assert!(
            notes.iter().all(|n| !n.starts_with("user settings:")),
            "an ignored file is not listed as read: {notes:?}"
        );
        // "0" is off, as the client reads it.
        let off = with_files(&[("CLAUDE_CODE_RESTRICTED", "0")], &files);
        assert_eq!(off.env.get("AWS_REGION"), Some("eu-west-1"));
    }

    #[test]
    fn project_env_entries_the_client_ignores_are_named_with_where_to_move_them() {
        let config = with_files(
            &BEDROCK,
            &[
                (
                    "project/.claude/settings.json",
                    r#"{"env":{"CLAUDE_CONFIG_DIR":"/opt/claude","TMPDIR":"/scratch"}}"#,
                ),
                (".claude/settings.json", r#"{"env":{"TMPDIR":"/home/tmp"}}"#),
            ],
        );
        assert_eq!(config.env.get("CLAUDE_CONFIG_DIR"), None);
        assert_eq!(config.env.get("TMPDIR"), Some("/home/tmp"));
        let result = check(&config);
        assert_eq!(result.status, Status::Warn);
        let problems = problems(&result);
        assert!(
            problems.iter().any(|p| p
                .starts_with("env.CLAUDE_CONFIG_DIR in shared project settings")
                && p.contains("is ignored")),
            "{problems:?}"
        );
        let fix = result.fix.clone().unwrap_or_default();
        assert!(
            fix.contains("Move CLAUDE_CONFIG_DIR to the \"env\" block of ~/.claude/settings.json"),
            "{fix}"
        );
        // In user settings the same names apply.
        let user = with_files(
            &BEDROCK,
            &[(
                ".claude/settings.json",
                r#"{"env":{"CLAUDE_CODE_TMPDIR":"/x"}}"#,
            )],
        );
        assert!(user.env.ignored_in_project.is_empty());
        assert_eq!(check(&user).status, Status::Pass);
    }

    #[test]
    fn custom_headers_from_project_or_managed_settings_need_approval_and_values_stay_hidden() {
        let headers = r#"{"env":{"ANTHROPIC_CUSTOM_HEADERS":"X-Api-Key: s3cr3t-header-value\nx-team: platform"}}"#;
        for path in [
            "project/.claude/settings.json",
            "managed/managed-settings.json",
        ] {
            let mut env = BEDROCK.to_vec();
            env.extend([
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "x"),
            ]);
            let config = with_files(&env, &[(path, headers)]);
            let result = check(&config);
            assert_eq!(result.status, Status::Warn, "{path}");
            let text = format!("{result:?}");
            assert!(text.contains("X-Api-Key"), "{text}");
            assert!(
                !text.contains("x-team"),
                "a plain header needs no approval: {text}"
            );
            assert!(!text.contains("s3cr3t"), "never a header value: {text}");
            assert!(
                result
                    .fix
                    .as_deref()
                    .unwrap_or("")
                    .contains("Approve the headers"),
                "{text}"
            );
        }
        let user = with_files(&BEDROCK, &[(".claude/settings.json", headers)]);
        assert!(
            !format!("{:?}", check(&user)).contains("approve"),
            "user settings need no approval"
        );
        assert!(header_needs_approval("Authorization"));
        assert!(header_needs_approval("anthropic-beta"));
        assert!(header_needs_approval("X-Tenant-Id"));
        assert!(header_needs_approval("x-amzn-bedrock-guardrailidentifier"));
        assert!(!header_needs_approval("x-team"));
        assert!(!header_needs_approval("X-Request-Source"));
    }

    #[test]
    fn variables_2_1_337_reads_are_not_called_typos() {
        let observed = crate::knowledge::observed();
        for name in [
            "CLAUDE_CODE_SUBAGENT_NO_SMALL_MODELS",
            "CLAUDE_CODE_RETRY_WATCHDOG_MAX_SUBAGENT_MODEL_LIMIT_WAIT_MS",
        ] {
            assert!(observed.reads(name), "{name} is in the observation");
            let config = with_files(
                &BEDROCK,
                &[(
                    ".claude/settings.json",
                    &format!(r#"{{"env":{{"{name}":"1"}}}}"#),
                )],
            );
            let result = check(&config);
            assert_eq!(result.status, Status::Pass, "{name}: {result:?}");
        }
        // A real typo still is one.
        let config = with_files(
            &BEDROCK,
            &[(
                ".claude/settings.json",
                r#"{"env":{"CLAUDE_CODE_SUBAGENT_NO_SMALL_MODEL":"1"}}"#,
            )],
        );
        let result = check(&config);
        assert_eq!(result.status, Status::Warn);
        assert!(
            result
                .fix
                .unwrap()
                .contains("Did you mean CLAUDE_CODE_SUBAGENT_NO_SMALL_MODELS?")
        );
    }
}
