//! Claude Code's settings files: where they live, how they parse, and how their layers stack.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::fsio::{self, ReadError};

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
    /// A symlink to a file that does not exist: Claude Code reads no settings from it.
    DanglingSymlink(PathBuf),
    /// Not a regular file (a FIFO, a device, a directory), too large, or unreadable; the reason.
    Unreadable(String),
    /// Not valid JSON; Claude Code ignores the whole file.
    Invalid {
        message: String,
        line: usize,
        column: usize,
    },
    /// Valid JSON, but not an object at the top.
    NotAnObject(&'static str),
    /// A JSON object that Claude Code's settings validation rejects — `"env": null`, a known key
    /// of the wrong type — so it ignores the whole file (measured on 2.1.330 and 2.1.332).
    Rejected {
        reason: String,
        object: Map<String, Value>,
    },
    Loaded(Map<String, Value>),
}

/// Keys whose type Claude Code validates, with the type it expects: a file where one of them
/// has another type is ignored as a whole. Those observed on the real client (`env`, `model`,
/// `cleanupPeriodDays`, `permissions`) and those of the same schema this tool reads.
pub const VALIDATED_KEYS: &[(&str, &str)] = &[
    ("env", "an object"),
    ("model", "a string"),
    ("awsAuthRefresh", "a string"),
    ("awsCredentialExport", "a string"),
    ("apiKeyHelper", "a string"),
    ("modelOverrides", "an object"),
    ("availableModels", "an array"),
    ("cleanupPeriodDays", "a number"),
    ("permissions", "an object"),
];

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
        let state = match fsio::read_regular(&path, fsio::MAX_CONFIG_FILE) {
            Err(ReadError::NotFound) => FileState::Missing,
            Err(ReadError::DanglingSymlink { target }) => FileState::DanglingSymlink(target),
            Err(err) => FileState::Unreadable(err.to_string()),
            Ok(bytes) => parse_settings(&bytes),
        };
        SettingsFile { layer, path, state }
    }
}

/// Parses a settings file's bytes with the verdict of Node's `JSON.parse`, which is what Claude
/// Code reads settings with: duplicate keys are accepted (the last one wins, as in
/// `serde_json`), and so are lone surrogate escapes (`"\ud800"`) and numbers beyond a double's
/// range (`1e999` is `Infinity`), which `serde_json` alone would reject. Errors carry a line and
/// column, never the file's content.
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
    // Claude Code strips one UTF-8 byte-order mark (what Windows editors add), and reads an
    // empty or blank file as `{}`.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return FileState::Loaded(Map::new());
    }
    let text = node_compatible(text);
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => match rejection(&map) {
            Some(reason) => FileState::Rejected {
                reason,
                object: map,
            },
            None => FileState::Loaded(map),
        },
        Ok(other) => FileState::NotAnObject(json_type(&other)),
        Err(err) => FileState::Invalid {
            message: strip_position(&err.to_string()),
            line: err.line(),
            column: err.column(),
        },
    }
}

/// Why Claude Code's validation would reject this settings object, if it would.
fn rejection(map: &Map<String, Value>) -> Option<String> {
    VALIDATED_KEYS.iter().find_map(|(key, expected)| {
        let value = map.get(*key)?;
        let ok = match *expected {
            "an object" => value.is_object(),
            "a string" => value.is_string(),
            "an array" => value.is_array(),
            "a number" => value.is_number(),
            _ => true,
        };
        (!ok).then(|| {
            format!(
                "\"{key}\" is {}, where Claude Code expects {expected}",
                json_type(value)
            )
        })
    })
}

/// The text with the two things `JSON.parse` accepts and `serde_json` does not rewritten in
/// place, at the same length so that error positions stay right: a lone surrogate escape
/// becomes `\ufffd` (what the string turns into when Claude Code passes it on), and a number
/// that overflows a double becomes a zero padded with spaces (still a number, as `Infinity` is).
pub fn node_compatible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\u") && !text.contains(['e', 'E']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    let mut in_string = false;
    let replace = |out: &mut Option<Vec<u8>>, at: usize, with: &[u8]| {
        let buf = out.get_or_insert_with(|| bytes.to_vec());
        buf[at..at + with.len()].copy_from_slice(with);
    };
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'"' => in_string = false,
                b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                    let unit = |at: usize| {
                        text.get(at..at + 4)
                            .and_then(|hex| u16::from_str_radix(hex, 16).ok())
                    };
                    if let Some(first) = unit(i + 2) {
                        let is_high = (0xD800..0xDC00).contains(&first);
                        let is_low = (0xDC00..0xE000).contains(&first);
                        let paired = is_high
                            && bytes.get(i + 6) == Some(&b'\\')
                            && bytes.get(i + 7) == Some(&b'u')
                            && unit(i + 8).is_some_and(|u| (0xDC00..0xE000).contains(&u));
                        if paired {
                            i += 12;
                            continue;
                        }
                        if is_high || is_low {
                            replace(&mut out, i, b"\\ufffd");
                        }
                        i += 6;
                        continue;
                    }
                    i += 2;
                    continue;
                }
                b'\\' => {
                    i += 2;
                    continue;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let number = &text[start..i];
                if number.contains(['e', 'E']) && number.parse::<f64>().is_ok_and(f64::is_infinite)
                {
                    let mut zero = vec![b' '; number.len()];
                    zero[0] = b'0';
                    replace(&mut out, start, &zero);
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    match out {
        // Only ASCII was replaced by ASCII at ASCII positions: still UTF-8.
        Some(buf) => {
            std::borrow::Cow::Owned(String::from_utf8(buf).unwrap_or_else(|_| text.to_string()))
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// "a number", "an array": a JSON type with its article, for messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Every settings file Claude Code would read, highest precedence first.
#[derive(Debug, Clone)]
pub struct SettingsLayers {
    pub files: Vec<SettingsFile>,
    /// A problem with the managed drop-in directory itself (not a directory, unreadable).
    pub dropin_dir_problem: Option<String>,
    /// `CLAUDE_CODE_RESTRICTED` (≥ 2.1.248): the user, project and local files, which the client
    /// then ignores. They are not in `files`, so nothing of theirs is effective.
    pub restricted_out: Vec<SettingsFile>,
}

/// The layers a restricted session (`--restricted`, `CLAUDE_CODE_RESTRICTED=1`, ≥ 2.1.248)
/// ignores: only managed settings apply.
pub const RESTRICTED_IGNORES: [Layer; 3] = [Layer::Local, Layer::Project, Layer::User];

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
        // In the home directory the project's .claude/settings.json is the user file itself:
        // one file, read once.
        if !same_file(&locations.project_file(), &locations.user_file()) {
            files.push(SettingsFile::read(Layer::Project, locations.project_file()));
        }
        files.push(SettingsFile::read(Layer::User, locations.user_file()));
        SettingsLayers {
            files,
            dropin_dir_problem,
            restricted_out: Vec::new(),
        }
    }

    /// A restricted session: the user, project and local files are set aside, as the client
    /// ignores them.
    pub fn restrict(&mut self) {
        let (ignored, kept): (Vec<SettingsFile>, Vec<SettingsFile>) =
            std::mem::take(&mut self.files)
                .into_iter()
                .partition(|f| RESTRICTED_IGNORES.contains(&f.layer));
        self.files = kept;
        self.restricted_out = ignored;
    }

    /// Whether this is a restricted session's view of the settings.
    pub fn restricted(&self) -> bool {
        !self.restricted_out.is_empty()
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

fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
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
            FileState::NotAnObject("an array")
        ));
    }

    #[test]
    fn what_json_parse_accepts_is_accepted() {
        for text in [
            r#"{"env":{"A":"\ud800"}}"#,
            r#"{"env":{"A":"x\udc00y"}}"#,
            r#"{"n":1e999,"m":-1E+400}"#,
            r#"{"env":{"A":"1"},"env":{"B":"2"}}"#,
            r#"{"ok":"\ud834\udd1e","esc":"\\ud800"}"#,
        ] {
            assert!(
                matches!(parse_settings(text.as_bytes()), FileState::Loaded(_)),
                "{text}"
            );
        }
        let FileState::Loaded(map) = parse_settings(br#"{"env":{"A":"1"},"env":{"B":"2"}}"#) else {
            unreachable!()
        };
        assert_eq!(
            map["env"],
            serde_json::json!({"B":"2"}),
            "the last key wins"
        );
        let FileState::Loaded(map) = parse_settings(br#"{"a":"\ud834\udd1e","b":"\\ud800"}"#)
        else {
            unreachable!()
        };
        assert_eq!(map["a"], "𝄞");
        assert_eq!(map["b"], "\\ud800", "an escaped backslash is not an escape");
        for text in [r#"{"a":1,}"#, "{'a':1}", r#"{"a":01}"#, "{\"a\":NaN}"] {
            assert!(
                matches!(parse_settings(text.as_bytes()), FileState::Invalid { .. }),
                "{text}"
            );
        }
    }

    #[test]
    fn an_empty_file_is_an_empty_object_and_one_byte_order_mark_is_stripped() {
        for text in [&b""[..], b"  \n", b"\xEF\xBB\xBF{}", b"\xEF\xBB\xBF"] {
            assert!(
                matches!(parse_settings(text), FileState::Loaded(_)),
                "{text:?}"
            );
        }
        assert!(matches!(
            parse_settings(b"\xEF\xBB\xBF\xEF\xBB\xBF{}"),
            FileState::Invalid { .. }
        ));
    }

    #[test]
    fn a_validated_key_of_the_wrong_type_rejects_the_whole_file() {
        for text in [
            r#"{"env":null,"model":"opus"}"#,
            r#"{"env":["A=1"]}"#,
            r#"{"model":5}"#,
            r#"{"cleanupPeriodDays":"abc"}"#,
        ] {
            assert!(
                matches!(parse_settings(text.as_bytes()), FileState::Rejected { .. }),
                "{text}"
            );
        }
        // Non-string env values are not a rejection: Claude Code converts them.
        assert!(matches!(
            parse_settings(br#"{"env":{"A":1,"B":null},"unknownKey":5}"#),
            FileState::Loaded(_)
        ));
    }
}
