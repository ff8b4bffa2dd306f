//! The environment Claude Code will run with: the process environment overlaid by every settings
//! layer's `env` block, each variable remembering where its value came from.

use std::collections::BTreeMap;

use serde_json::Value;

use super::settings::{SettingsLayers, json_type};
use super::source::{Layer, Source};

/// One variable of the effective environment.
#[derive(Debug, Clone)]
pub struct EnvVar {
    /// The value Claude Code sees. An empty string means a settings file cancelled the variable.
    pub value: String,
    pub source: Source,
    /// Definitions that lost to this one, highest precedence first.
    pub shadowed: Vec<(Source, String)>,
}

/// A settings `env` entry whose value is not a string. Claude Code applies it anyway, as the
/// text JavaScript's `String(value)` makes of it: `1` → "1", `true` → "true", `null` → "null"
/// (which overrides the shell's value), `["a","b"]` → "a,b" (measured on 2.1.330 and 2.1.332).
#[derive(Debug, Clone)]
pub struct NonStringEnv {
    pub name: String,
    pub json_type: &'static str,
    /// What Claude Code sets the variable to.
    pub applied_as: String,
    pub source: Source,
}

/// A settings `env` key that is not shaped like an environment variable name.
#[derive(Debug, Clone)]
pub struct BadEnvName {
    pub name: String,
    pub source: Source,
}

#[derive(Debug, Clone, Default)]
pub struct EffectiveEnv {
    vars: BTreeMap<String, EnvVar>,
    pub non_string: Vec<NonStringEnv>,
    pub bad_names: Vec<BadEnvName>,
    /// Entries of a project or local `env` that the client ignores ([`PROJECT_ENV_IGNORED`]).
    pub ignored_in_project: Vec<BadEnvName>,
}

/// Variables a project's `env` (`.claude/settings.json`, `.claude/settings.local.json`) can no
/// longer set (2.1.251): the client ignores them there; the user settings or the shell still
/// set them.
pub const PROJECT_ENV_IGNORED: &[&str] = &[
    "CLAUDE_CONFIG_DIR",
    "CLAUDE_CODE_TMPDIR",
    "TMPDIR",
    "TMP",
    "TEMP",
];

/// JavaScript's `String(value)` of a JSON value: what Node makes of a non-string `env` value.
pub fn js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            (_, _, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Null => String::new(),
                other => js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

impl EffectiveEnv {
    pub fn build(process_env: &BTreeMap<String, String>, layers: &SettingsLayers) -> EffectiveEnv {
        let mut env = EffectiveEnv {
            vars: process_env
                .iter()
                .map(|(name, value)| {
                    (
                        name.clone(),
                        EnvVar {
                            value: value.clone(),
                            source: Source::ProcessEnv,
                            shadowed: Vec::new(),
                        },
                    )
                })
                .collect(),
            ..EffectiveEnv::default()
        };
        for file in layers.merge_order() {
            let Some(block) = file.object().and_then(|map| map.get("env")) else {
                continue;
            };
            // A file whose env is not an object is rejected whole when it is read.
            let Value::Object(block) = block else {
                continue;
            };
            let project = matches!(file.layer, Layer::Project | Layer::Local);
            for (name, value) in block {
                if project && PROJECT_ENV_IGNORED.contains(&name.to_ascii_uppercase().as_str()) {
                    env.ignored_in_project.push(BadEnvName {
                        name: name.clone(),
                        source: file.source(),
                    });
                    continue;
                }
                if !is_env_name(name) {
                    env.bad_names.push(BadEnvName {
                        name: name.clone(),
                        source: file.source(),
                    });
                }
                let value = match value {
                    Value::String(value) => value.clone(),
                    other => {
                        let applied_as = js_string(other);
                        env.non_string.push(NonStringEnv {
                            name: name.clone(),
                            json_type: json_type(other),
                            applied_as: applied_as.clone(),
                            source: file.source(),
                        });
                        applied_as
                    }
                };
                env.set(name, value, file.source());
            }
        }
        env
    }

    fn set(&mut self, name: &str, value: String, source: Source) {
        match self.vars.get_mut(name) {
            Some(var) => {
                let previous_value = std::mem::replace(&mut var.value, value);
                let previous_source = std::mem::replace(&mut var.source, source);
                var.shadowed.insert(0, (previous_source, previous_value));
            }
            None => {
                self.vars.insert(
                    name.to_string(),
                    EnvVar {
                        value,
                        source,
                        shadowed: Vec::new(),
                    },
                );
            }
        }
    }

    /// Applies values above every settings layer: what `setup` is about to write, so that it can
    /// test a configuration before committing it. `None` removes the variable.
    pub fn overlay(&mut self, overrides: &[(String, Option<String>)], source: &Source) {
        for (name, value) in overrides {
            match value {
                Some(value) => self.set(name, value.clone(), source.clone()),
                None => {
                    self.vars.remove(name);
                }
            }
        }
    }

    /// The variable with its provenance, even when its value is empty.
    pub fn var(&self, name: &str) -> Option<&EnvVar> {
        self.vars.get(name)
    }

    /// The value, treating an empty string as unset (as Claude Code does).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|var| var.value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// A non-empty value together with its source.
    pub fn get_with_source(&self, name: &str) -> Option<(&str, &Source)> {
        self.vars
            .get(name)
            .filter(|var| !var.value.is_empty())
            .map(|var| (var.value.as_str(), &var.source))
    }

    /// Claude Code's notion of "on": `1`, `true`, `yes` or `on`, case-insensitively.
    pub fn is_truthy(&self, name: &str) -> bool {
        self.get(name).is_some_and(is_truthy)
    }

    /// Variables whose names satisfy `filter`, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &EnvVar)> {
        self.vars.iter()
    }

    /// The whole environment as plain pairs, empty values dropped: what a child process or the
    /// AWS SDK should be given.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.vars
            .iter()
            .filter(|(_, var)| !var.value.is_empty())
            .map(|(name, var)| (name.clone(), var.value.clone()))
            .collect()
    }
}

pub fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

/// The settings schema's pattern for `env` keys: `^[A-Z_][A-Z0-9_]*$`.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::super::settings::{FileState, SettingsFile};
    use super::*;
    use std::path::PathBuf;

    fn file(layer: Layer, json: &str) -> SettingsFile {
        let state = super::super::settings::parse_settings(json.as_bytes());
        assert!(matches!(state, FileState::Loaded(_)), "{json}");
        SettingsFile {
            layer,
            path: PathBuf::from(format!("/{}.json", layer.id())),
            state,
        }
    }

    fn layers(files: Vec<SettingsFile>) -> SettingsLayers {
        let mut files = files;
        files.sort_by_key(|f| f.layer);
        SettingsLayers {
            files,
            dropin_dir_problem: None,
            restricted_out: Vec::new(),
        }
    }

    fn process(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn settings_override_the_shell_and_remember_what_they_shadowed() {
        let env = EffectiveEnv::build(
            &process(&[("AWS_REGION", "us-east-1")]),
            &layers(vec![file(
                Layer::User,
                r#"{"env":{"AWS_REGION":"eu-west-1"}}"#,
            )]),
        );
        let var = env.var("AWS_REGION").unwrap();
        assert_eq!(var.value, "eu-west-1");
        assert_eq!(var.source.layer(), Some(Layer::User));
        assert_eq!(var.shadowed, vec![(Source::ProcessEnv, "us-east-1".into())]);
    }

    #[test]
    fn higher_layers_win_in_order() {
        let env = EffectiveEnv::build(
            &BTreeMap::new(),
            &layers(vec![
                file(Layer::User, r#"{"env":{"AWS_PROFILE":"user"}}"#),
                file(Layer::Project, r#"{"env":{"AWS_PROFILE":"project"}}"#),
                file(Layer::Local, r#"{"env":{"AWS_PROFILE":"local"}}"#),
                file(Layer::Managed, r#"{"env":{"AWS_PROFILE":"managed"}}"#),
            ]),
        );
        let var = env.var("AWS_PROFILE").unwrap();
        assert_eq!(var.value, "managed");
        let losers: Vec<&str> = var.shadowed.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(losers, ["local", "project", "user"]);
    }

    #[test]
    fn an_empty_string_cancels_a_shell_value() {
        let env = EffectiveEnv::build(
            &process(&[("AWS_BEARER_TOKEN_BEDROCK", "ABSKxyz")]),
            &layers(vec![file(
                Layer::Project,
                r#"{"env":{"AWS_BEARER_TOKEN_BEDROCK":""}}"#,
            )]),
        );
        assert_eq!(env.get("AWS_BEARER_TOKEN_BEDROCK"), None);
        assert_eq!(env.var("AWS_BEARER_TOKEN_BEDROCK").unwrap().value, "");
        assert!(!env.to_map().contains_key("AWS_BEARER_TOKEN_BEDROCK"));
    }

    #[test]
    fn non_string_values_are_applied_as_claude_code_converts_them() {
        let env = EffectiveEnv::build(
            &process(&[
                ("CLAUDE_CODE_USE_BEDROCK", "0"),
                ("AWS_REGION", "eu-west-1"),
            ]),
            &layers(vec![file(
                Layer::User,
                r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":1,"AWS_REGION":null,"L":["x","y"],"O":{"a":1},"F":2.0,"bad-name":"x"}}"#,
            )]),
        );
        assert_eq!(env.get("CLAUDE_CODE_USE_BEDROCK"), Some("1"));
        assert_eq!(
            env.get("AWS_REGION"),
            Some("null"),
            "null overrides the shell"
        );
        assert_eq!(env.get("L"), Some("x,y"));
        assert_eq!(env.get("O"), Some("[object Object]"));
        assert_eq!(env.get("F"), Some("2"));
        assert_eq!(env.non_string.len(), 5);
        assert_eq!(env.non_string[0].json_type, "a number");
        assert_eq!(env.bad_names[0].name, "bad-name");
    }

    #[test]
    fn a_project_env_cannot_set_the_config_or_temporary_directories() {
        let env = EffectiveEnv::build(
            &process(&[("TMPDIR", "/tmp")]),
            &layers(vec![
                file(
                    Layer::User,
                    r#"{"env":{"CLAUDE_CODE_TMPDIR":"/home/dev/tmp"}}"#,
                ),
                file(
                    Layer::Project,
                    r#"{"env":{"CLAUDE_CONFIG_DIR":"/x","TMPDIR":"/y","AWS_REGION":"eu-west-1"}}"#,
                ),
                file(Layer::Local, r#"{"env":{"TEMP":"/z","TMP":"/w"}}"#),
                file(Layer::Managed, r#"{"env":{"TMP":"/managed"}}"#),
            ]),
        );
        assert_eq!(env.get("CLAUDE_CONFIG_DIR"), None);
        assert_eq!(env.get("TMPDIR"), Some("/tmp"), "the shell's value stays");
        assert_eq!(env.get("TEMP"), None);
        assert_eq!(
            env.get("TMP"),
            Some("/managed"),
            "managed settings still set it"
        );
        assert_eq!(env.get("CLAUDE_CODE_TMPDIR"), Some("/home/dev/tmp"));
        assert_eq!(env.get("AWS_REGION"), Some("eu-west-1"));
        let ignored: Vec<(&str, Option<Layer>)> = env
            .ignored_in_project
            .iter()
            .map(|i| (i.name.as_str(), i.source.layer()))
            .collect();
        assert_eq!(
            ignored,
            [
                ("CLAUDE_CONFIG_DIR", Some(Layer::Project)),
                ("TMPDIR", Some(Layer::Project)),
                ("TEMP", Some(Layer::Local)),
                ("TMP", Some(Layer::Local)),
            ]
        );
    }

    #[test]
    fn truthiness_matches_claude_code() {
        for on in ["1", "true", "TRUE", "yes", "on", " 1 "] {
            assert!(is_truthy(on), "{on}");
        }
        for off in ["0", "false", "", "2", "enabled"] {
            assert!(!is_truthy(off), "{off}");
        }
    }
}
