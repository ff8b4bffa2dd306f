//! Claude Code's settings files: where they live, how they parse, and how their layers stack.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::source::{Layer, Source};

/// Bedrock-related `env` variables whose values the settings schema restricts to a set.
/// The schema test keeps this table equal to the schema.
pub const BEDROCK_ENUMS: &[(&str, &[&str])] = &[
    ("CLAUDE_CODE_USE_BEDROCK", &["0", "1"]),
    ("CLAUDE_CODE_USE_MANTLE", &["0", "1"]),
    ("CLAUDE_CODE_SKIP_BEDROCK_AUTH", &["0", "1"]),
    ("CLAUDE_CODE_SKIP_MANTLE_AUTH", &["0", "1"]),
    ("CLAUDE_CODE_SKIP_AWS_CRED_CACHE", &["0", "1"]),
    ("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST", &["0", "1"]),
    (
        "CLAUDE_CODE_DISABLE_BEDROCK_CONTENT_TYPE_GUARD",
        &["0", "1"],
    ),
    ("CLAUDE_ENABLE_BYTE_WATCHDOG_BEDROCK", &["0", "1"]),
    ("CLAUDE_CODE_USE_VERTEX", &["0", "1"]),
    ("CLAUDE_CODE_USE_FOUNDRY", &["0", "1"]),
    ("CLAUDE_CODE_USE_ANTHROPIC_AWS", &["0", "1"]),
    ("DISABLE_PROMPT_CACHING", &["0", "1"]),
    (
        "ANTHROPIC_BEDROCK_SERVICE_TIER",
        &["default", "flex", "priority"],
    ),
];

/// The directories the settings layers live in.
#[derive(Debug, Clone)]
pub struct SettingsLocations {
    /// `managed-settings.json` and `managed-settings.d/` live here.
    pub managed_dir: PathBuf,
    /// `.claude/settings.json` and `.claude/settings.local.json` live under here.
    pub project_dir: PathBuf,
    /// The user's `settings.json` lives here (`$CLAUDE_CONFIG_DIR`, else `~/.claude`).
    pub claude_config_dir: PathBuf,
}

impl SettingsLocations {
    pub fn user_file(&self) -> PathBuf {
        self.claude_config_dir.join("settings.json")
    }
    pub fn project_file(&self) -> PathBuf {
        self.project_dir.join(".claude").join("settings.json")
    }
    pub fn local_file(&self) -> PathBuf {
        self.project_dir.join(".claude").join("settings.local.json")
    }
    pub fn managed_file(&self) -> PathBuf {
        self.managed_dir.join("managed-settings.json")
    }
    pub fn managed_dropin_dir(&self) -> PathBuf {
        self.managed_dir.join("managed-settings.d")
    }
}

/// What reading one settings file produced.
#[derive(Debug, Clone)]
pub enum FileState {
    Missing,
    Unreadable(String),
    /// Not valid JSON; Claude Code ignores the whole file.
    Invalid {
        message: String,
        line: usize,
        column: usize,
    },
    /// Valid JSON, but not an object at the top.
    NotAnObject(&'static str),
    Loaded(Map<String, Value>),
}

#[derive(Debug, Clone)]
pub struct SettingsFile {
    pub layer: Layer,
    pub path: PathBuf,
    pub state: FileState,
}

impl SettingsFile {
    pub fn source(&self) -> Source {
        Source::Settings {
            layer: self.layer,
            path: self.path.clone(),
        }
    }

    pub fn object(&self) -> Option<&Map<String, Value>> {
        match &self.state {
            FileState::Loaded(map) => Some(map),
            _ => None,
        }
    }

    pub fn read(layer: Layer, path: PathBuf) -> SettingsFile {
        let state = match fs::read(&path) {
            Err(err) if err.kind() == ErrorKind::NotFound => FileState::Missing,
            Err(err) => FileState::Unreadable(err.to_string()),
            Ok(bytes) => parse_settings(&bytes),
        };
        SettingsFile { layer, path, state }
    }
}

/// Parses a settings file's bytes. Errors carry a line and column, never the file's content.
pub fn parse_settings(bytes: &[u8]) -> FileState {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            return FileState::Invalid {
                message: format!("not UTF-8 text ({err})"),
                line: 0,
                column: 0,
            };
        }
    };
    // A UTF-8 byte-order mark is what Windows editors add; JSON.parse rejects it, and so do we.
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => FileState::Loaded(map),
        Ok(other) => FileState::NotAnObject(json_type(&other)),
        Err(err) => FileState::Invalid {
            message: strip_position(&err.to_string()),
            line: err.line(),
            column: err.column(),
        },
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every settings file Claude Code would read, highest precedence first.
#[derive(Debug, Clone)]
pub struct SettingsLayers {
    pub files: Vec<SettingsFile>,
    /// A problem with the managed drop-in directory itself (not a directory, unreadable).
    pub dropin_dir_problem: Option<String>,
}

impl SettingsLayers {
    pub fn load(locations: &SettingsLocations) -> SettingsLayers {
        let mut files = Vec::new();
        let (dropins, dropin_dir_problem) = managed_dropins(&locations.managed_dropin_dir());
        // Drop-ins merge on top of managed-settings.json in name order, so the last name wins.
        for path in dropins.into_iter().rev() {
            files.push(SettingsFile::read(Layer::Managed, path));
        }
        files.push(SettingsFile::read(Layer::Managed, locations.managed_file()));
        files.push(SettingsFile::read(Layer::Local, locations.local_file()));
        files.push(SettingsFile::read(Layer::Project, locations.project_file()));
        files.push(SettingsFile::read(Layer::User, locations.user_file()));
        SettingsLayers {
            files,
            dropin_dir_problem,
        }
    }

    /// Files that exist (loaded or broken), highest precedence first.
    pub fn present(&self) -> impl Iterator<Item = &SettingsFile> {
        self.files
            .iter()
            .filter(|f| !matches!(f.state, FileState::Missing))
    }

    /// Loaded files, lowest precedence first: the order in which they are merged.
    pub fn merge_order(&self) -> impl Iterator<Item = &SettingsFile> {
        self.files.iter().rev().filter(|f| f.object().is_some())
    }

    /// The winning value of a top-level key, and the file it came from.
    pub fn top_level(&self, key: &str) -> Option<(&Value, Source)> {
        self.files.iter().find_map(|file| {
            file.object()
                .and_then(|map| map.get(key))
                .filter(|value| !value.is_null())
                .map(|value| (value, file.source()))
        })
    }

    /// Every file that sets a top-level key, highest first.
    pub fn all_values(&self, key: &str) -> Vec<(&Value, Source)> {
        self.files
            .iter()
            .filter_map(|file| {
                file.object()
                    .and_then(|map| map.get(key))
                    .filter(|value| !value.is_null())
                    .map(|value| (value, file.source()))
            })
            .collect()
    }
}

/// `managed-settings.d/*.json`, sorted by name; hidden files are ignored, as Claude Code does.
fn managed_dropins(dir: &Path) -> (Vec<PathBuf>, Option<String>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == ErrorKind::NotFound => return (Vec::new(), None),
        Err(err) => {
            return (
                Vec::new(),
                Some(format!("{} cannot be listed: {err}", dir.display())),
            );
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with('.') && name.ends_with(".json")
        })
        .collect();
    paths.sort();
    (paths, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_json_reports_position_without_content() {
        let state =
            parse_settings(b"{\n  \"env\": {\"AWS_BEARER_TOKEN_BEDROCK\": \"ABSKsecret\",}\n}");
        match state {
            FileState::Invalid {
                message,
                line,
                column,
            } => {
                assert_eq!(line, 2);
                assert!(column > 0);
                assert!(!message.contains("ABSK"), "{message}");
            }
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn top_level_must_be_an_object() {
        assert!(matches!(
            parse_settings(b"[1,2]"),
            FileState::NotAnObject("array")
        ));
    }

    #[test]
    fn empty_file_is_invalid() {
        assert!(matches!(parse_settings(b""), FileState::Invalid { .. }));
    }

    #[test]
    fn byte_order_mark_is_rejected_clearly() {
        assert!(matches!(
            parse_settings(b"\xEF\xBB\xBF{}"),
            FileState::Invalid { .. }
        ));
    }
}
