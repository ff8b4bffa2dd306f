//! `settings.files`: every settings layer parses, `env` values are strings, and Bedrock-related
//! values are ones the settings schema allows.

use crate::config::EffectiveConfig;
use crate::config::settings::{BEDROCK_ENUMS, FileState};
use crate::config::source::Layer;
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
