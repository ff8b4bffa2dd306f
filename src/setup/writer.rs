//! The one writer of Claude Code settings files.
//!
//! Edits the `env` block (and top-level string keys such as `awsAuthRefresh`) of one
//! `settings.json`-style file and leaves every other byte as the user wrote it. [`plan`] reads and
//! computes; [`apply`] is the only function that writes.
//!
//! Claude Code parses settings as strict JSON, so serde_json decides what is valid: a file it
//! rejects is never rewritten, even where jsonc-parser (comments, trailing commas) would accept it.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jsonc_parser::ParseOptions;
use jsonc_parser::ast;
use jsonc_parser::cst::{CstInputValue, CstObject, CstObjectProp, CstRootNode};
use serde_json::{Map, Value};

use crate::config::settings::{self, FileState, json_type};
use crate::fsio::{self, ReadError, file_name, parent_dir};

use crate::config::settings::SettingsLocations;
use crate::secret;

/// How long [`apply`] waits for another writer of the same file.
const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// Top-level keys whose values are shell commands; shown through `secret::redact_command`.
const COMMAND_KEYS: &[&str] = &["awsAuthRefresh", "awsCredentialExport", "apiKeyHelper"];

/// Which settings file to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `~/.claude/settings.json` (or `$CLAUDE_CONFIG_DIR/settings.json`).
    User,
    /// `.claude/settings.local.json`: this machine only, not committed.
    Local,
    /// `.claude/settings.json`: shared and committed to git, so never a secret.
    Project,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Local => "local",
            Scope::Project => "project",
        }
    }

    /// The file this scope names.
    pub fn path(self, locations: &SettingsLocations) -> PathBuf {
        match self {
            Scope::User => locations.user_file(),
            Scope::Local => locations.local_file(),
            Scope::Project => locations.project_file(),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to change. Values are written as JSON strings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Edit {
    pub set_env: Vec<(String, String)>,
    pub remove_env: Vec<String>,
    /// Top-level string keys other than `env`, e.g. `awsAuthRefresh`.
    pub set_keys: Vec<(String, String)>,
    pub remove_keys: Vec<String>,
}

impl Edit {
    pub fn set_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_env.push((name.into(), value.into()));
        self
    }
    pub fn remove_env(mut self, name: impl Into<String>) -> Self {
        self.remove_env.push(name.into());
        self
    }
    pub fn set_key(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set_keys.push((key.into(), value.into()));
        self
    }
    pub fn remove_key(mut self, key: impl Into<String>) -> Self {
        self.remove_keys.push(key.into());
        self
    }

    /// The first variable this edit sets to a credential, if any. Top-level keys hold commands
    /// (`awsCredentialExport`), not credentials.
    pub fn first_secret(&self) -> Option<&str> {
        self.set_env
            .iter()
            .find(|(name, value)| secret::is_secret_var(name) && !value.is_empty())
            .map(|(name, _)| name.as_str())
    }
}

impl fmt::Debug for Edit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let env: Vec<(&str, String)> = self
            .set_env
            .iter()
            .map(|(k, v)| (k.as_str(), secret::display_value(k, v)))
            .collect();
        let keys: Vec<(&str, String)> = self
            .set_keys
            .iter()
            .map(|(k, v)| (k.as_str(), display_key_value(k, v)))
            .collect();
        f.debug_struct("Edit")
            .field("set_env", &env)
            .field("remove_env", &self.remove_env)
            .field("set_keys", &keys)
            .field("remove_keys", &self.remove_keys)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Removed => "removed",
        })
    }
}

/// One key the plan changes. `before`/`after` are display values: secrets are fingerprinted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `env.AWS_REGION` or `awsAuthRefresh`.
    pub key: String,
    pub kind: ChangeKind,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What [`apply`] will write. Holds the file's text, so its `Debug` shows only lengths.
#[derive(Clone)]
pub struct Plan {
    /// The path the caller named.
    pub target: PathBuf,
    /// `target` with symlinks resolved: the file that gets replaced.
    pub real_path: PathBuf,
    pub scope: Scope,
    /// The file's text when planned; `None` when it did not exist.
    pub original: Option<String>,
    pub new_text: String,
    /// Empty when the file already says what the edit asks for.
    pub changes: Vec<Change>,
    /// The edit sets a credential: a new file gets mode 0600, a group/world-readable one too.
    pub writes_secret: bool,
    /// What the file holds that setup leaves as it is but the user should know (values that
    /// are not strings, an `env` that was null).
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_noop(&self) -> bool {
        self.changes.is_empty()
    }
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("target", &self.target)
            .field("real_path", &self.real_path)
            .field("scope", &self.scope)
            .field(
                "original",
                &self
                    .original
                    .as_ref()
                    .map(|t| format!("<{} bytes>", t.len())),
            )
            .field("new_text", &format!("<{} bytes>", self.new_text.len()))
            .field("changes", &self.changes)
            .field("writes_secret", &self.writes_secret)
            .field("notes", &self.notes)
            .finish()
    }
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The file written (symlinks resolved).
    pub path: PathBuf,
    /// Copy of the previous contents, when a file was replaced.
    pub backup: Option<PathBuf>,
    /// The file did not exist before.
    pub created: bool,
    /// The previous mode, when the file was group/world readable and now holds a secret (0600).
    pub tightened_from: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "cannot read {}: {source}; nothing was changed. Check the file's permissions (ls -l {}) and run setup again.",
        path.display(), path.display()
    )]
    Unreadable { path: PathBuf, source: io::Error },

    #[error(
        "{} is not valid UTF-8, so it is not a settings file Claude Code can read; it was left untouched. Fix or move the file, then run setup again.",
        path.display()
    )]
    NotUtf8 { path: PathBuf },

    #[error(
        "{} is not valid JSON at line {line}, column {column} ({detail}); it was left untouched. Claude Code reads settings as strict JSON (no comments, no trailing commas) and ignores a file it cannot parse: fix it by hand, then run setup again.",
        path.display()
    )]
    InvalidJson {
        path: PathBuf,
        line: usize,
        column: usize,
        detail: String,
    },

    #[error(
        "{} holds {found} at the top level, but settings must be a JSON object ({{ … }}); it was left untouched. Fix or move the file, then run setup again.",
        path.display()
    )]
    NotAnObject { path: PathBuf, found: &'static str },

    #[error(
        "\"env\" in {} is {found}, but it must be an object of strings; the file was left untouched. Make it {{ \"NAME\": \"value\", … }}, then run setup again.",
        path.display()
    )]
    EnvNotAnObject { path: PathBuf, found: &'static str },

    #[error(
        "{key} in {} is {found}, but Claude Code needs a string there; the file was left untouched. Quote the value (\"…\") or remove it, then run setup again.",
        path.display()
    )]
    NotAString {
        path: PathBuf,
        key: String,
        found: &'static str,
    },

    #[error(
        "{} is a symbolic link to {}, which does not exist; setup does not create files through a dangling link. Remove the link (or create its target), then run setup again.",
        path.display(), target.display()
    )]
    DanglingSymlink { path: PathBuf, target: PathBuf },

    #[error(
        "{} {problem}; it was left untouched. Replace it with a regular JSON file (or remove it), then run setup again.",
        path.display()
    )]
    NotRegular { path: PathBuf, problem: String },

    #[error(
        "{} cannot be edited by setup: {detail}. It was left untouched; make the change by hand.",
        path.display()
    )]
    Unsupported { path: PathBuf, detail: String },

    #[error(
        "{}: {reason}, so Claude Code ignores the whole file and anything setup wrote there would not apply. It was left untouched; fix that key, then run setup again.",
        path.display()
    )]
    Ignored { path: PathBuf, reason: String },

    #[error(
        "refusing to write the secret {key} to {}: .claude/settings.json is shared with everyone on the project and usually committed to git. Use --scope user (~/.claude/settings.json) or --scope local (.claude/settings.local.json, kept out of git) instead.",
        path.display()
    )]
    SecretInProjectScope { path: PathBuf, key: String },

    #[error(
        "cannot edit {}: {problem}; nothing was changed. This is a bug in claude-bedrock; please report it.",
        path.display()
    )]
    InvalidEdit { path: PathBuf, problem: String },

    #[error(
        "could not edit {} safely ({detail}); it was left untouched. Please report this, and make the change by hand meanwhile.",
        path.display()
    )]
    EditFailed { path: PathBuf, detail: String },

    #[error(
        "{} is read-only; make it writable (chmod u+w {}) or choose another --scope. Nothing was changed.",
        path.display(), path.display()
    )]
    ReadOnly { path: PathBuf },

    #[error(
        "another claude-bedrock setup is writing {} (it holds {}); nothing was changed. Wait for it to finish, then run setup again.",
        path.display(), lock.display()
    )]
    Locked { path: PathBuf, lock: PathBuf },

    #[error(
        "{} changed while setup was running (another program edited it); nothing was written. Run setup again to start from its new contents.",
        path.display()
    )]
    ChangedSincePlan { path: PathBuf },

    #[error(
        "cannot {action} {}: {source}; the settings file was left untouched. Fix the problem and run setup again.",
        path.display()
    )]
    Io {
        path: PathBuf,
        action: &'static str,
        source: io::Error,
    },
}

/// Reads `target` and computes the edit. Writes nothing.
pub fn plan(target: &Path, scope: Scope, edit: &Edit) -> Result<Plan, WriteError> {
    let real_path = resolve_symlinks(target)?;
    refuse_dangling_link(target, &real_path)?;
    check_edit(&real_path, edit)?;
    let writes_secret = edit.first_secret().is_some();
    if scope == Scope::Project
        && let Some(key) = edit.first_secret()
    {
        return Err(WriteError::SecretInProjectScope {
            path: target.to_path_buf(),
            key: key.to_string(),
        });
    }
    let original = read_optional(&real_path)?
        .map(|bytes| String::from_utf8(bytes).map_err(|_| not_utf8(&real_path)))
        .transpose()?;

    let (new_text, changes, notes) = match &original {
        // Claude Code reads an empty or blank file as `{}`: it gets a new file's text.
        Some(text) if text.trim_start_matches('\u{feff}').trim().is_empty() => {
            let (text, changes) = create_text(edit);
            (text, changes, Vec::new())
        }
        None => {
            let (text, changes) = create_text(edit);
            (text, changes, Vec::new())
        }
        Some(text) => edit_existing(&real_path, text, edit)?,
    };
    Ok(Plan {
        target: target.to_path_buf(),
        real_path,
        scope,
        original,
        new_text,
        changes,
        writes_secret,
        notes,
    })
}

/// A link whose target does not exist would make setup create a file wherever the link
/// points, outside the settings directory perhaps: refused.
pub(crate) fn refuse_dangling_link(target: &Path, real_path: &Path) -> Result<(), WriteError> {
    let is_link = fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && fs::symlink_metadata(real_path).is_err() {
        return Err(WriteError::DanglingSymlink {
            path: target.to_path_buf(),
            target: real_path.to_path_buf(),
        });
    }
    Ok(())
}

/// Writes the plan: locked, checked against concurrent edits, backed up, atomically replaced.
pub fn apply(plan: &Plan) -> Result<Applied, WriteError> {
    apply_with_timeout(plan, LOCK_TIMEOUT)
}

/// The sidecar lock file guarding `real_path` (`.settings.json.lock` beside it).
pub fn lock_path(real_path: &Path) -> PathBuf {
    let name = file_name(real_path);
    parent_dir(real_path).join(format!(".{name}.lock"))
}

fn not_utf8(path: &Path) -> WriteError {
    WriteError::NotUtf8 {
        path: path.to_path_buf(),
    }
}

fn check_edit(path: &Path, edit: &Edit) -> Result<(), WriteError> {
    let invalid = |problem: String| {
        Err(WriteError::InvalidEdit {
            path: path.to_path_buf(),
            problem,
        })
    };
    let env_names = edit.set_env.iter().map(|(k, _)| k).chain(&edit.remove_env);
    let key_names = edit
        .set_keys
        .iter()
        .map(|(k, _)| k)
        .chain(&edit.remove_keys);
    let mut seen_env = std::collections::HashSet::new();
    for name in env_names {
        if name.is_empty() {
            return invalid("an environment variable name is empty".into());
        }
        if !seen_env.insert(name) {
            return invalid(format!("env.{name} is named twice in one edit"));
        }
    }
    let mut seen_keys = std::collections::HashSet::new();
    for key in key_names {
        if key.is_empty() || key == "env" {
            return invalid(format!(
                "\"{key}\" is not a top-level key this edit may set"
            ));
        }
        if !seen_keys.insert(key) {
            return invalid(format!("{key} is named twice in one edit"));
        }
    }
    Ok(())
}

/// A new file: `{ "env": { … } }`, 2-space indented, with a trailing newline.
fn create_text(edit: &Edit) -> (String, Vec<Change>) {
    let mut root = Map::new();
    let mut changes = Vec::new();
    if !edit.set_env.is_empty() {
        let mut env = Map::new();
        for (name, value) in &edit.set_env {
            env.insert(name.clone(), Value::String(value.clone()));
            changes.push(added(
                format!("env.{name}"),
                secret::display_value(name, value),
            ));
        }
        root.insert("env".into(), Value::Object(env));
    }
    for (key, value) in &edit.set_keys {
        root.insert(key.clone(), Value::String(value.clone()));
        changes.push(added(key.clone(), display_key_value(key, value)));
    }
    if changes.is_empty() {
        return (String::new(), changes);
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(root)).expect("strings serialize");
    text.push('\n');
    (text, changes)
}

fn added(key: String, after: String) -> Change {
    Change {
        key,
        kind: ChangeKind::Added,
        before: None,
        after: Some(after),
    }
}

/// The text edits that turn the file into what the edit asks for.
#[derive(Default)]
struct TextOps<'a> {
    /// `"env": null` in the file.
    null_env: bool,
    env_exists: bool,
    change_env: Vec<(&'a str, &'a str)>,
    remove_env: Vec<&'a str>,
    add_env: Vec<(&'a str, &'a str)>,
    change_keys: Vec<(&'a str, &'a str)>,
    remove_keys: Vec<&'a str>,
    add_keys: Vec<(&'a str, &'a str)>,
}

/// The edit of a file that exists. Whether it is valid is decided exactly as the doctor (and
/// Claude Code's `JSON.parse`) decides it; where a key appears twice, the last copy is the one
/// that counts, so that is the one changed (and every copy is removed on removal). Values the
/// edit does not touch stay byte for byte, non-string `env` values included (they are noted).
fn edit_existing(
    path: &Path,
    file_text: &str,
    edit: &Edit,
) -> Result<(String, Vec<Change>, Vec<String>), WriteError> {
    // One byte-order mark is what Claude Code strips: it is kept, and the rest is edited.
    let (bom, text) = match file_text.strip_prefix('\u{feff}') {
        Some(body) => ("\u{feff}", body),
        None => ("", file_text),
    };
    let mut root = match settings::parse_settings(file_text.as_bytes()) {
        FileState::Loaded(root) => root,
        // A null env is the one rejection setup repairs: it becomes setup's object.
        FileState::Rejected { object, .. }
            if matches!(object.get("env"), Some(Value::Null))
                && matches!(
                    settings::parse_settings(without_null_env(&object).as_bytes()),
                    FileState::Loaded(_)
                ) =>
        {
            object
        }
        FileState::Rejected { reason, .. } => {
            return Err(WriteError::Ignored {
                path: path.to_path_buf(),
                reason,
            });
        }
        FileState::NotAnObject(found) => {
            return Err(WriteError::NotAnObject {
                path: path.to_path_buf(),
                found,
            });
        }
        FileState::Invalid {
            message,
            line,
            column,
        } => return Err(invalid_json(path, text, message, line, column)),
        // Bytes already read cannot be missing or unreadable.
        _ => return Err(not_utf8(path)),
    };
    // Valid for Claude Code, but the text editor underneath cannot hold these without
    // rewriting them: refused with that reason rather than edited lossily.
    if settings::node_compatible(text) != text {
        return Err(WriteError::Unsupported {
            path: path.to_path_buf(),
            detail: "it holds a lone surrogate escape (like \\ud800) or a number beyond a double's range (like 1e999); Claude Code reads it, but setup cannot edit it without rewriting those values".into(),
        });
    }
    let mut notes = Vec::new();
    let null_env = matches!(root.get("env"), Some(Value::Null));
    let mut env = match root.get("env") {
        None | Some(Value::Null) => None,
        Some(Value::Object(env)) => Some(env.clone()),
        Some(other) => {
            return Err(WriteError::EnvNotAnObject {
                path: path.to_path_buf(),
                found: json_type(other),
            });
        }
    };
    if null_env && !edit.set_env.is_empty() {
        notes.push(format!(
            "\"env\" in {} was null, which made Claude Code ignore the whole file; it becomes an object holding setup's variables, so the file's other settings apply again",
            path.display()
        ));
    }
    if let Some(env) = &env {
        for (name, value) in env.iter().filter(|(_, v)| !v.is_string()) {
            notes.push(format!(
                "env.{name} in {} is {}, not a string: left as it is (Claude Code reads it as the text \"{}\"; quote it to be sure)",
                path.display(),
                json_type(value),
                secret::display_value(name, &non_string_text(value))
            ));
        }
    }

    let mut ops = TextOps {
        env_exists: env.is_some(),
        null_env,
        ..TextOps::default()
    };
    let mut changes = Vec::new();
    for (name, value) in &edit.set_env {
        let shown = || Some(secret::display_value(name, value));
        match env.as_ref().and_then(|env| env.get(name)) {
            Some(Value::String(old)) if old == value => {}
            Some(Value::String(old)) => {
                changes.push(Change {
                    key: format!("env.{name}"),
                    kind: ChangeKind::Changed,
                    before: Some(secret::display_value(name, old)),
                    after: shown(),
                });
                ops.change_env.push((name, value));
            }
            _ => {
                changes.push(added(
                    format!("env.{name}"),
                    secret::display_value(name, value),
                ));
                ops.add_env.push((name, value));
            }
        }
        env.get_or_insert_with(Map::new)
            .insert(name.clone(), Value::String(value.clone()));
    }
    for name in &edit.remove_env {
        if let Some(Value::String(old)) = env.as_mut().and_then(|env| env.shift_remove(name)) {
            changes.push(Change {
                key: format!("env.{name}"),
                kind: ChangeKind::Removed,
                before: Some(secret::display_value(name, &old)),
                after: None,
            });
            ops.remove_env.push(name);
        }
    }
    if let Some(env) = env {
        root.insert("env".into(), Value::Object(env));
    }
    for (key, value) in &edit.set_keys {
        match root.get(key) {
            Some(Value::String(old)) if old == value => {}
            Some(Value::String(old)) => {
                changes.push(Change {
                    key: key.clone(),
                    kind: ChangeKind::Changed,
                    before: Some(display_key_value(key, old)),
                    after: Some(display_key_value(key, value)),
                });
                ops.change_keys.push((key, value));
            }
            Some(other) => {
                return Err(WriteError::NotAString {
                    path: path.to_path_buf(),
                    key: key.clone(),
                    found: json_type(other),
                });
            }
            None => {
                changes.push(added(key.clone(), display_key_value(key, value)));
                ops.add_keys.push((key, value));
            }
        }
        root.insert(key.clone(), Value::String(value.clone()));
    }
    for key in &edit.remove_keys {
        match root.get(key) {
            None => {}
            Some(Value::String(old)) => {
                changes.push(Change {
                    key: key.clone(),
                    kind: ChangeKind::Removed,
                    before: Some(display_key_value(key, old)),
                    after: None,
                });
                root.shift_remove(key);
                ops.remove_keys.push(key);
            }
            Some(other) => {
                return Err(WriteError::NotAString {
                    path: path.to_path_buf(),
                    key: key.clone(),
                    found: json_type(other),
                });
            }
        }
    }

    if changes.is_empty() {
        return Ok((file_text.to_string(), changes, notes));
    }
    let failed = |detail: String| WriteError::EditFailed {
        path: path.to_path_buf(),
        detail,
    };
    let new_text = apply_text_ops(text, &ops).map_err(failed)?;
    // Guards against editing mistakes: the result must be strict JSON meaning exactly the
    // expected settings, key order included.
    let FileState::Loaded(reparsed) = settings::parse_settings(new_text.as_bytes()) else {
        return Err(failed("the edited text is not valid JSON".into()));
    };
    if serde_json::to_string(&reparsed).ok() != serde_json::to_string(&root).ok() {
        return Err(failed(
            "the edited text does not hold the expected settings".into(),
        ));
    }
    Ok((format!("{bom}{new_text}"), changes, notes))
}

/// The text a non-string `env` value becomes when Claude Code hands it to a process.
fn non_string_text(value: &Value) -> String {
    crate::config::env::js_string(value)
}

/// The object's JSON with its `env` removed: what remains to be validated once a null env is
/// replaced.
fn without_null_env(object: &Map<String, Value>) -> String {
    let mut rest = object.clone();
    rest.shift_remove("env");
    Value::Object(rest).to_string()
}

/// The last property called `name`: the one a JSON parser keeps when a key is repeated.
fn last_prop(obj: &CstObject, name: &str) -> Option<CstObjectProp> {
    obj.properties()
        .into_iter()
        .rfind(|p| p.decoded_name().as_deref() == Some(name))
}

/// Every property called `name`: a removal must remove each copy, or an earlier one would count.
fn all_props(obj: &CstObject, name: &str) -> Vec<CstObjectProp> {
    obj.properties()
        .into_iter()
        .filter(|p| p.decoded_name().as_deref() == Some(name))
        .collect()
}

/// Applies the edits to already-validated strict JSON text.
///
/// The CST changes values in place, removes keys and appends to a multi-line `env`. Inserting
/// into the top-level object and into one-line objects is spliced by hand: CST `append` makes
/// the object it appends to multi-line and drops blank lines at its start and end, which would
/// rewrite bytes outside `env`.
fn apply_text_ops(text: &str, ops: &TextOps) -> Result<String, String> {
    let mut text = text.to_string();

    if !(ops.change_env.is_empty()
        && ops.remove_env.is_empty()
        && ops.change_keys.is_empty()
        && ops.remove_keys.is_empty())
    {
        let root = parse_cst(&text)?;
        let obj = root
            .object_value()
            .ok_or("the top level is not an object")?;
        if let Some(env) = last_prop(&obj, "env").and_then(|p| p.object_value()) {
            for (name, value) in &ops.change_env {
                let prop = last_prop(&env, name).ok_or("an env key disappeared")?;
                prop.set_value(CstInputValue::String(value.to_string()));
            }
            for name in &ops.remove_env {
                all_props(&env, name)
                    .into_iter()
                    .for_each(CstObjectProp::remove);
            }
        }
        for (key, value) in &ops.change_keys {
            let prop = last_prop(&obj, key).ok_or("a top-level key disappeared")?;
            prop.set_value(CstInputValue::String(value.to_string()));
        }
        for key in &ops.remove_keys {
            all_props(&obj, key)
                .into_iter()
                .for_each(CstObjectProp::remove);
        }
        text = root.to_string();
    }
    // A null `env` becomes the object setup's variables go into.
    let mut env_exists = ops.env_exists;
    if ops.null_env && !ops.add_env.is_empty() {
        let root = parse_cst(&text)?;
        let env = root
            .object_value()
            .and_then(|obj| last_prop(&obj, "env"))
            .ok_or("the null env disappeared")?;
        env.set_value(CstInputValue::Object(Vec::new()));
        text = root.to_string();
        env_exists = true;
    }

    let layout = Layout::of(&text)?;
    let mut root_items = Vec::new();
    if !env_exists && !ops.add_env.is_empty() {
        let env = if layout.compact {
            layout.compact_object(&json_items(&ops.add_env))
        } else {
            // Filled in below by the CST, which indents it like the rest of the file.
            "{}".to_string()
        };
        root_items.push((json_string("env"), env));
    }
    root_items.extend(json_items(&ops.add_keys));
    if !root_items.is_empty() {
        text = layout.append_to_root(&text, &root_items)?;
    }

    if !ops.add_env.is_empty() && (env_exists || !layout.compact) {
        if layout.compact {
            text = layout.append_compact_to_env(&text, &json_items(&ops.add_env))?;
        } else {
            let root = parse_cst(&text)?;
            let env = root
                .object_value()
                .and_then(|obj| last_prop(&obj, "env"))
                .and_then(|p| p.object_value())
                .ok_or("the env block is missing after inserting it")?;
            for (name, value) in &ops.add_env {
                env.append(name, CstInputValue::String(value.to_string()));
            }
            text = root.to_string();
        }
    }
    Ok(text)
}

fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

// jsonc-parser's messages are not shown verbatim: only its position, never file content.
fn parse_cst(text: &str) -> Result<CstRootNode, String> {
    CstRootNode::parse(text, &strict_options()).map_err(|err| {
        format!(
            "jsonc-parser rejected it at line {}, column {}",
            err.line_display(),
            err.column_display()
        )
    })
}

fn parse_ast(text: &str) -> Result<ast::Value<'_>, String> {
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &strict_options()).map_err(
        |err| {
            format!(
                "jsonc-parser rejected it at line {}, column {}",
                err.line_display(),
                err.column_display()
            )
        },
    )?;
    parsed
        .value
        .ok_or_else(|| "jsonc-parser found no value".to_string())
}

/// Byte positions of an object and its properties.
struct Shape {
    start: usize,
    end: usize,
    props: Vec<PropShape>,
}

struct PropShape {
    start: usize,
    end: usize,
    name_end: usize,
    value_start: usize,
}

impl Shape {
    fn of(obj: &ast::Object) -> Shape {
        use jsonc_parser::common::Ranged;
        Shape {
            start: obj.range.start,
            end: obj.range.end,
            props: obj
                .properties
                .iter()
                .map(|p| PropShape {
                    start: p.range.start,
                    end: p.range.end,
                    name_end: p.name.end(),
                    value_start: p.value.start(),
                })
                .collect(),
        }
    }

    fn root(text: &str) -> Result<Shape, String> {
        let value = parse_ast(text)?;
        let obj = value.as_object().ok_or("the top level is not an object")?;
        Ok(Shape::of(obj))
    }

    fn env(text: &str) -> Result<Shape, String> {
        let value = parse_ast(text)?;
        let env = value
            .as_object()
            .and_then(|root| {
                root.properties
                    .iter()
                    .rfind(|p| p.name.as_str() == "env")
                    .and_then(|p| p.value.as_object())
            })
            .ok_or("the env block is missing")?;
        Ok(Shape::of(env))
    }
}

/// How the file is laid out, learnt from its top-level object.
struct Layout {
    newline: &'static str,
    /// All on one line (minified or `{ "a": 1 }`): insertions stay on that line.
    compact: bool,
    /// Between a key and its value, e.g. `": "` or `":"`.
    colon: String,
    /// Between one-line properties, e.g. `","` or `", "`.
    separator: String,
    /// Inside a one-line object's braces, e.g. `""` or `" "`.
    pad_start: String,
    pad_end: String,
}

impl Layout {
    fn of(text: &str) -> Result<Layout, String> {
        let root = Shape::root(text)?;
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let root_text = &text[root.start..root.end];
        // An empty `{}` has no style to keep; it gets the layout of a new file.
        let compact = !root.props.is_empty() && !root_text.contains('\n');
        let one_line = |s: &str| (!s.contains('\n')).then(|| s.to_string());
        let colon = root
            .props
            .last()
            .and_then(|p| one_line(&text[p.name_end..p.value_start]))
            .unwrap_or_else(|| ": ".to_string());
        let (mut separator, mut pad_start, mut pad_end) = (", ".into(), " ".into(), " ".into());
        if compact {
            let first = &root.props[0];
            let last = &root.props[root.props.len() - 1];
            pad_start = text[root.start + 1..first.start].to_string();
            pad_end = text[last.end..root.end - 1].to_string();
            separator = match root.props.get(1) {
                Some(second) => text[first.end..second.start].to_string(),
                None => format!(",{pad_start}"),
            };
        }
        Ok(Layout {
            newline,
            compact,
            colon,
            separator,
            pad_start,
            pad_end,
        })
    }

    fn compact_object(&self, items: &[(String, String)]) -> String {
        if items.is_empty() {
            return "{}".into();
        }
        let body: Vec<String> = items
            .iter()
            .map(|(k, v)| format!("{k}{}{v}", self.colon))
            .collect();
        format!(
            "{{{}{}{}}}",
            self.pad_start,
            body.join(&self.separator),
            self.pad_end
        )
    }

    /// Appends to a one-line object: `…, "K": "V"` before its closing brace.
    fn append_compact(&self, text: &str, obj: &Shape, items: &[(String, String)]) -> String {
        match obj.props.last() {
            Some(last) => {
                let inserted: String = items
                    .iter()
                    .map(|(k, v)| format!("{}{k}{}{v}", self.separator, self.colon))
                    .collect();
                splice(text, last.end, last.end, &inserted)
            }
            None => splice(text, obj.start, obj.end, &self.compact_object(items)),
        }
    }

    fn append_compact_to_env(
        &self,
        text: &str,
        items: &[(String, String)],
    ) -> Result<String, String> {
        let env = Shape::env(text)?;
        Ok(self.append_compact(text, &env, items))
    }

    /// Appends properties at the end of the top-level object, each on its own line indented
    /// like the properties before it.
    fn append_to_root(&self, text: &str, items: &[(String, String)]) -> Result<String, String> {
        let root = Shape::root(text)?;
        if self.compact {
            return Ok(self.append_compact(text, &root, items));
        }
        let nl = self.newline;
        let root_indent = line_indent(text, root.start).unwrap_or("");
        let indent = root
            .props
            .iter()
            .rev()
            .find_map(|p| line_indent(text, p.start))
            .map(str::to_string)
            .unwrap_or_else(|| format!("{root_indent}  "));
        let line = |(k, v): &(String, String)| format!("{indent}{k}{}{v}", self.colon);
        Ok(match root.props.last() {
            Some(last) => {
                let inserted: String = items
                    .iter()
                    .map(|item| format!(",{nl}{}", line(item)))
                    .collect();
                splice(text, last.end, last.end, &inserted)
            }
            None => {
                let body: Vec<String> = items.iter().map(line).collect();
                let object = format!("{{{nl}{}{nl}{root_indent}}}", body.join(&format!(",{nl}")));
                splice(text, root.start, root.end, &object)
            }
        })
    }
}

/// The whitespace before `pos` on its line, if nothing else precedes it there.
fn line_indent(text: &str, pos: usize) -> Option<&str> {
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..pos];
    indent
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(indent)
}

fn splice(text: &str, start: usize, end: usize, replacement: &str) -> String {
    let mut out = String::with_capacity(text.len() + replacement.len());
    out.push_str(&text[..start]);
    out.push_str(replacement);
    out.push_str(&text[end..]);
    out
}

fn json_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn json_items(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (json_string(k), json_string(v)))
        .collect()
}

fn display_key_value(key: &str, value: &str) -> String {
    if COMMAND_KEYS.contains(&key) {
        secret::redact_command(value)
    } else {
        secret::display_value(key, value)
    }
}

fn invalid_json(
    path: &Path,
    text: &str,
    message: String,
    line: usize,
    column: usize,
) -> WriteError {
    let mut detail = message;
    if text.starts_with('\u{feff}') {
        detail = "it starts with a byte order mark; save it as UTF-8 without BOM".into();
    } else if text.trim().is_empty() {
        detail = "the file is empty; write {} into it or delete it".into();
    }
    WriteError::InvalidJson {
        path: path.to_path_buf(),
        line,
        column,
        detail,
    }
}

pub(crate) fn resolve_symlinks(target: &Path) -> Result<PathBuf, WriteError> {
    fsio::resolve_symlinks(target).map_err(|source| WriteError::Unreadable {
        path: target.to_path_buf(),
        source,
    })
}

/// The file's bytes, `None` when it does not exist; a FIFO, device or huge file is refused.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    match fsio::read_optional(path, fsio::MAX_CONFIG_FILE) {
        Ok(bytes) => Ok(bytes),
        // A missing parent directory is fine too: apply creates it.
        Err(ReadError::DanglingSymlink { .. }) => Ok(None),
        Err(ReadError::Io(source)) => Err(WriteError::Unreadable {
            path: path.to_path_buf(),
            source,
        }),
        Err(err) => Err(WriteError::NotRegular {
            path: path.to_path_buf(),
            problem: err.to_string(),
        }),
    }
}

fn io_error<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> WriteError + 'a {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Permission problems become the read-only error with its chmod advice.
fn write_error<'a>(
    path: &'a Path,
    action: &'static str,
) -> impl FnOnce(io::Error) -> WriteError + 'a {
    move |source| match source.kind() {
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => WriteError::ReadOnly {
            path: path.to_path_buf(),
        },
        _ => io_error(path, action)(source),
    }
}

fn apply_with_timeout(plan: &Plan, lock_timeout: Duration) -> Result<Applied, WriteError> {
    let path = plan.real_path.as_path();
    if plan.changes.is_empty() {
        return Ok(Applied {
            path: path.to_path_buf(),
            backup: None,
            created: false,
            tightened_from: None,
        });
    }
    let dir = parent_dir(path);

    // Everything that can be refused is refused before anything is created.
    match fs::metadata(path) {
        Ok(meta) if fsio::is_read_only(&meta) => {
            return Err(WriteError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        Ok(_) => {}
        Err(err) if err.kind() == ErrorKind::NotFound => {}
        Err(source) => {
            return Err(WriteError::Unreadable {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    match fs::metadata(dir) {
        Ok(meta) if fsio::is_read_only(&meta) => {
            return Err(WriteError::ReadOnly {
                path: dir.to_path_buf(),
            });
        }
        Ok(_) => {}
        Err(err) if err.kind() == ErrorKind::NotFound => create_dir(dir)?,
        Err(source) => return Err(io_error(dir, "inspect the directory")(source)),
    }

    let _lock = Lock::acquire(path, lock_timeout)?;

    let changed = || WriteError::ChangedSincePlan {
        path: plan.target.clone(),
    };
    if resolve_symlinks(&plan.target)? != plan.real_path {
        return Err(changed());
    }
    let current = read_optional(path)?;
    if current.as_deref() != plan.original.as_deref().map(str::as_bytes) {
        return Err(changed());
    }
    let meta = match fs::metadata(path) {
        Ok(meta) => Some(meta),
        Err(err) if err.kind() == ErrorKind::NotFound => None,
        Err(source) => {
            return Err(WriteError::Unreadable {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let old_mode = meta.as_ref().map(fsio::file_mode);
    let (mode, tightened_from) = match old_mode {
        None if plan.writes_secret => (0o600, None),
        None => (0o644, None),
        Some(old) if cfg!(unix) && plan.writes_secret && old & 0o077 != 0 => (0o600, Some(old)),
        Some(old) => (old, None),
    };

    let backup = match (&plan.original, old_mode) {
        (Some(original), Some(old_mode)) => {
            Some(write_backup(path, original.as_bytes(), old_mode)?)
        }
        _ => None,
    };
    if let Err(err) = replace_file(path, &plan.new_text, mode, meta.as_ref()) {
        if let Some(backup) = &backup {
            let _ = fs::remove_file(backup);
        }
        return Err(err);
    }
    Ok(Applied {
        path: path.to_path_buf(),
        backup,
        created: plan.original.is_none(),
        tightened_from,
    })
}

fn create_dir(dir: &Path) -> Result<(), WriteError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        // Settings may hold credentials.
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| {
        let existing = dir.ancestors().find(|a| a.exists()).unwrap_or(dir);
        write_error(existing, "create the directory")(source)
    })
}

/// How many backups of one file are kept; older ones are removed after a new one is made.
pub const KEEP_BACKUPS: usize = 5;

/// Copies the original beside it as `NAME.bak`, or `NAME.bak.N` if taken; never overwrites.
/// Only the [`KEEP_BACKUPS`] newest backups stay.
fn write_backup(path: &Path, original: &[u8], mode: u32) -> Result<PathBuf, WriteError> {
    let dir = parent_dir(path);
    let name = file_name(path);
    for n in 0..10_000 {
        let candidate = match n {
            0 => dir.join(format!("{name}.bak")),
            n => dir.join(format!("{name}.bak.{n}")),
        };
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Not readable by others even for a moment: the original may hold a secret.
            options.mode(0o600);
        }
        let mut file = match options.open(&candidate) {
            Ok(file) => file,
            Err(err) if err.kind() == ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(write_error(dir, "create a backup in")(source)),
        };
        let written = file
            .write_all(original)
            .and_then(|()| fsio::set_mode(&file, mode))
            .and_then(|()| file.sync_all());
        if let Err(source) = written {
            let _ = fs::remove_file(&candidate);
            return Err(io_error(&candidate, "write the backup")(source));
        }
        prune_backups(dir, &name, &candidate);
        return Ok(candidate);
    }
    Err(io_error(dir, "find a free backup name in")(
        io::Error::other("too many backups"),
    ))
}

/// Removes all but the newest [`KEEP_BACKUPS`] `NAME.bak` / `NAME.bak.N` files (never `keep`,
/// the one just made). Failing to remove one is harmless.
fn prune_backups(dir: &Path, name: &str, keep: &Path) {
    let stem = format!("{name}.bak");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut backups: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|entry| {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            file == stem
                || file
                    .strip_prefix(&format!("{stem}."))
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .filter_map(|entry| {
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some((modified, entry.path()))
        })
        .collect();
    // Newest first; the one just written always counts as the newest.
    backups.sort_by(|a, b| (b.1 == keep).cmp(&(a.1 == keep)).then(b.0.cmp(&a.0)));
    for (_, old) in backups.into_iter().skip(KEEP_BACKUPS) {
        let _ = fs::remove_file(old);
    }
}

/// Writes a temp file beside `path`, syncs it and renames it over `path`.
fn replace_file(
    path: &Path,
    text: &str,
    mode: u32,
    old: Option<&fs::Metadata>,
) -> Result<(), WriteError> {
    fsio::replace_atomically(path, text.as_bytes(), mode, old).map_err(|err| match err {
        fsio::ReplaceError::CreateTemp { dir, source } => {
            write_error(&dir, "create a temporary file in")(source)
        }
        fsio::ReplaceError::Write { path, source } => io_error(&path, "write")(source),
        fsio::ReplaceError::Rename { path, source } => write_error(&path, "replace")(source),
    })
}

/// An advisory lock on the sidecar `.NAME.lock`, removed when released.
struct Lock {
    file: File,
    path: PathBuf,
}

impl Lock {
    fn acquire(real_path: &Path, timeout: Duration) -> Result<Lock, WriteError> {
        let path = lock_path(real_path);
        let deadline = Instant::now() + timeout;
        loop {
            let mut options = OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let file = options
                .open(&path)
                .map_err(write_error(parent_dir(&path), "create the lock file in"))?;
            match file.try_lock() {
                // The previous holder deletes the lock file on release; a lock on the deleted
                // file excludes nobody, so it is taken again on the current one.
                Ok(()) if Self::is_current(&file, &path) => return Ok(Lock { file, path }),
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(source)) => {
                    return Err(io_error(&path, "lock")(source));
                }
            }
            if Instant::now() >= deadline {
                return Err(WriteError::Locked {
                    path: real_path.to_path_buf(),
                    lock: path,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[cfg(unix)]
    fn is_current(file: &File, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(held), Ok(named)) => (held.dev(), held.ino()) == (named.dev(), named.ino()),
            _ => false,
        }
    }

    #[cfg(not(unix))]
    fn is_current(_file: &File, _path: &Path) -> bool {
        true
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so a waiter can tell its lock file went stale (see acquire).
        #[cfg(unix)]
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tempfile::TempDir;

    const SECRET: &str = "ABSKQmVkcm9ja0FQSUtleS1hYmMtYXQtMTIzNDU2Nzg5MDEyOnNlY3JldA==";

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    fn env_edit(pairs: &[(&str, &str)]) -> Edit {
        pairs
            .iter()
            .fold(Edit::default(), |edit, (k, v)| edit.set_env(*k, *v))
    }

    /// Plans and applies `edit` on a file holding `text`; returns the new text.
    fn edited(text: &str, edit: &Edit) -> String {
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "settings.json", text);
        let plan = plan(&path, Scope::User, edit).unwrap();
        apply(&plan).unwrap();
        let new = fs::read_to_string(&path).unwrap();
        assert_eq!(new, plan.new_text);
        new
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[cfg(unix)]
    fn chmod(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Byte range of the `env` value, if present.
    fn env_range(text: &str) -> Option<(usize, usize)> {
        use jsonc_parser::common::Ranged;
        let value = parse_ast(text).unwrap();
        let prop = value
            .as_object()?
            .properties
            .iter()
            .find(|p| p.name.as_str() == "env")?
            .value
            .range();
        Some((prop.start, prop.end))
    }

    /// Everything but the `env` value (or, for a new `env`, the inserted property) is unchanged.
    fn assert_outside_env_unchanged(orig: &str, new: &str) {
        match (env_range(orig), env_range(new)) {
            (Some((s0, e0)), Some((s1, e1))) => {
                assert_eq!(orig[..s0], new[..s1]);
                assert_eq!(orig[e0..], new[e1..]);
            }
            (None, Some(_)) => {
                let root = Shape::root(orig).unwrap();
                let cut = root.props.last().map_or(root.start + 1, |p| p.end);
                let tail = if root.props.is_empty() {
                    &orig[root.end..]
                } else {
                    &orig[cut..]
                };
                assert_eq!(orig[..cut], new[..cut]);
                assert!(new.ends_with(tail), "{new:?}");
                let inserted = &new[cut..new.len() - tail.len()];
                assert!(inserted.contains("\"env\""), "{inserted:?}");
            }
            other => panic!("env ranges {other:?}"),
        }
    }

    const MANY_KEYS: &str = r#"{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "model": "opus",
  "permissions": {
    "allow": ["Bash(git diff:*)", "Read(~/.zshrc)"],
    "deny": [],
    "defaultMode": "acceptEdits"
  },
  "env": {
    "AWS_REGION": "us-west-2",
    "DISABLE_TELEMETRY": "1"
  },
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [{ "type": "command", "command": "echo hi" }]
      }
    ]
  },
  "includeCoAuthoredBy": false,
  "cleanupPeriodDays": 30,
  "statusLine": {"type":"command","command":"~/bin/status"}
}
"#;

    #[test]
    fn many_keys_and_nesting_are_kept_byte_for_byte() {
        let edit = env_edit(&[
            ("AWS_REGION", "us-east-1"),
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
        ]);
        let new = edited(MANY_KEYS, &edit);
        let expected = MANY_KEYS.replace("\"us-west-2\"", "\"us-east-1\"").replace(
            "\"DISABLE_TELEMETRY\": \"1\"\n",
            "\"DISABLE_TELEMETRY\": \"1\",\n    \"CLAUDE_CODE_USE_BEDROCK\": \"1\"\n",
        );
        assert_eq!(new, expected);
        assert_outside_env_unchanged(MANY_KEYS, &new);
    }

    #[test]
    fn four_space_file_gets_four_space_lines() {
        let orig = "{\n    \"model\": \"opus\",\n    \"permissions\": {\n        \"allow\": []\n    }\n}\n";
        let edit = env_edit(&[
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", "us-east-1"),
        ]);
        let new = edited(orig, &edit);
        assert_eq!(
            new,
            "{\n    \"model\": \"opus\",\n    \"permissions\": {\n        \"allow\": []\n    },\n    \"env\": {\n        \"CLAUDE_CODE_USE_BEDROCK\": \"1\",\n        \"AWS_REGION\": \"us-east-1\"\n    }\n}\n"
        );
        assert_outside_env_unchanged(orig, &new);

        let with_env =
            "{\n    \"env\": {\n        \"A\": \"1\"\n    },\n    \"model\": \"opus\"\n}";
        let new = edited(with_env, &env_edit(&[("B", "2")]));
        assert_eq!(
            new,
            "{\n    \"env\": {\n        \"A\": \"1\",\n        \"B\": \"2\"\n    },\n    \"model\": \"opus\"\n}"
        );
    }

    #[test]
    fn tab_and_crlf_files_keep_their_style() {
        let tabs = "{\n\t\"model\": \"opus\"\n}\n";
        assert_eq!(
            edited(tabs, &env_edit(&[("A", "1")])),
            "{\n\t\"model\": \"opus\",\n\t\"env\": {\n\t\t\"A\": \"1\"\n\t}\n}\n"
        );
        let crlf =
            "{\r\n  \"env\": {\r\n    \"A\": \"1\"\r\n  },\r\n  \"model\": \"opus\"\r\n}\r\n";
        let new = edited(
            crlf,
            &env_edit(&[("B", "2")]).set_key("awsAuthRefresh", "aws sso login"),
        );
        assert_eq!(
            new,
            "{\r\n  \"env\": {\r\n    \"A\": \"1\",\r\n    \"B\": \"2\"\r\n  },\r\n  \"model\": \"opus\",\r\n  \"awsAuthRefresh\": \"aws sso login\"\r\n}\r\n"
        );
    }

    #[test]
    fn minified_file_stays_on_one_line() {
        let orig = r#"{"model":"opus","permissions":{"allow":["Read"]},"env":{"A":"1"},"x":[1,2]}"#;
        let new = edited(orig, &env_edit(&[("A", "2"), ("B", "3")]));
        assert_eq!(
            new,
            r#"{"model":"opus","permissions":{"allow":["Read"]},"env":{"A":"2","B":"3"},"x":[1,2]}"#
        );
        assert_outside_env_unchanged(orig, &new);

        let no_env = r#"{"model":"opus","x":[1,2]}"#;
        let new = edited(no_env, &env_edit(&[("B", "3"), ("C", "4")]));
        assert_eq!(new, r#"{"model":"opus","x":[1,2],"env":{"B":"3","C":"4"}}"#);
        assert_outside_env_unchanged(no_env, &new);

        let empty_env = r#"{"env":{},"model":"opus"}"#;
        let new = edited(empty_env, &env_edit(&[("B", "3")]));
        assert_eq!(new, r#"{"env":{"B":"3"},"model":"opus"}"#);

        let spaced = "{ \"model\": \"opus\" }\n";
        let new = edited(spaced, &env_edit(&[("B", "3")]));
        assert_eq!(new, "{ \"model\": \"opus\", \"env\": { \"B\": \"3\" } }\n");
    }

    #[test]
    fn unicode_and_escapes_stay_as_written() {
        let orig = r#"{
  "greeting": "caf\u00e9 \"quoted\" \\ back\/slash \n tab\t",
  "literal": "café ☕ 日本",
  "env": {
    "NAME": "\u00e9t\u00e9",
    "WIN_PATH": "C:\\Users\\me"
  },
  "after": "\ud83d\ude00"
}
"#;
        // The same value as the escaped one on disk: no change, escapes untouched.
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "settings.json", orig);
        let p = plan(&path, Scope::User, &env_edit(&[("NAME", "été")])).unwrap();
        assert!(p.is_noop());
        assert_eq!(p.new_text, orig);

        let new = edited(orig, &env_edit(&[("NEW", "ü \"q\" \\ \n ☕")]));
        assert!(new.contains(r#""NAME": "\u00e9t\u00e9","#), "{new}");
        assert!(new.contains(r#""greeting": "caf\u00e9 \"quoted\" \\ back\/slash \n tab\t","#));
        assert_outside_env_unchanged(orig, &new);
        let value: Value = serde_json::from_str(&new).unwrap();
        assert_eq!(value["env"]["NEW"], "ü \"q\" \\ \n ☕");
        assert_eq!(value["env"]["NAME"], "été");
    }

    #[test]
    fn file_without_env_gets_env_at_the_end() {
        let orig = "{\n  \"model\": \"opus\",\n  \"theme\": \"dark\"\n}\n";
        let new = edited(orig, &env_edit(&[("AWS_REGION", "eu-west-1")]));
        assert_eq!(
            new,
            "{\n  \"model\": \"opus\",\n  \"theme\": \"dark\",\n  \"env\": {\n    \"AWS_REGION\": \"eu-west-1\"\n  }\n}\n"
        );
        assert_outside_env_unchanged(orig, &new);
        // Blank lines at the edges of the top-level object stay.
        let blank = "{\n\n  \"model\": \"opus\"\n\n}\n";
        let new = edited(blank, &env_edit(&[("A", "1")]));
        assert_eq!(
            new,
            "{\n\n  \"model\": \"opus\",\n  \"env\": {\n    \"A\": \"1\"\n  }\n\n}\n"
        );
    }

    #[test]
    fn one_line_env_in_a_multi_line_file_is_expanded() {
        let orig = "{\n  \"env\": {},\n  \"model\": \"opus\"\n}\n";
        let new = edited(orig, &env_edit(&[("A", "1")]));
        assert_eq!(
            new,
            "{\n  \"env\": {\n    \"A\": \"1\"\n  },\n  \"model\": \"opus\"\n}\n"
        );
        let orig = "{\n  \"env\": { \"X\": \"y\" },\n  \"model\": \"opus\"\n}\n";
        let new = edited(orig, &env_edit(&[("A", "1")]));
        assert_eq!(
            new,
            "{\n  \"env\": {\n    \"X\": \"y\",\n    \"A\": \"1\"\n  },\n  \"model\": \"opus\"\n}\n"
        );
        assert_outside_env_unchanged(orig, &new);
    }

    #[test]
    fn command_keys_are_not_secrets() {
        let edit = Edit::default().set_key("awsCredentialExport", "/opt/bin/export-creds");
        assert_eq!(edit.first_secret(), None);
        let dir = TempDir::new().unwrap();
        let path = dir.path().join(".claude").join("settings.json");
        let p = plan(&path, Scope::Project, &edit).unwrap();
        assert!(!p.writes_secret);
        assert_eq!(p.changes[0].after.as_deref(), Some("/opt/bin/export-creds"));
    }

    #[test]
    fn empty_object_file_gets_the_new_file_layout() {
        assert_eq!(
            edited("{}\n", &env_edit(&[("A", "1"), ("B", "2")])),
            "{\n  \"env\": {\n    \"A\": \"1\",\n    \"B\": \"2\"\n  }\n}\n"
        );
        assert_eq!(
            edited("{\n}", &env_edit(&[("A", "1")])),
            "{\n  \"env\": {\n    \"A\": \"1\"\n  }\n}"
        );
    }

    #[test]
    fn new_keys_are_appended_in_order_and_changed_keys_keep_their_place() {
        let orig =
            "{\n  \"env\": {\n    \"Z\": \"1\",\n    \"A\": \"old\",\n    \"M\": \"2\"\n  }\n}\n";
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "settings.json", orig);
        let edit = env_edit(&[("Y", "y"), ("A", "new"), ("B", "b"), ("M", "2")]);
        let p = plan(&path, Scope::User, &edit).unwrap();
        assert_eq!(
            p.new_text,
            "{\n  \"env\": {\n    \"Z\": \"1\",\n    \"A\": \"new\",\n    \"M\": \"2\",\n    \"Y\": \"y\",\n    \"B\": \"b\"\n  }\n}\n"
        );
        let summary: Vec<(String, ChangeKind)> =
            p.changes.iter().map(|c| (c.key.clone(), c.kind)).collect();
        assert_eq!(
            summary,
            vec![
                ("env.Y".to_string(), ChangeKind::Added),
                ("env.A".to_string(), ChangeKind::Changed),
                ("env.B".to_string(), ChangeKind::Added),
            ]
        );
        assert_eq!(p.changes[1].before.as_deref(), Some("old"));
        assert_eq!(p.changes[1].after.as_deref(), Some("new"));
    }

    #[test]
    fn values_are_always_json_strings() {
        let new = edited(
            "{}",
            &env_edit(&[("N", "1"), ("B", "true"), ("E", ""), ("O", "{}")])
                .set_key("awsAuthRefresh", "null"),
        );
        let value: Value = serde_json::from_str(&new).unwrap();
        for (_, v) in value["env"].as_object().unwrap() {
            assert!(v.is_string(), "{v}");
        }
        assert_eq!(value["env"]["N"], "1");
        assert_eq!(value["awsAuthRefresh"], "null");
    }

    #[test]
    fn removals_and_top_level_keys() {
        let orig = "{\n  \"env\": {\n    \"A\": \"1\",\n    \"B\": \"2\"\n  },\n  \"awsAuthRefresh\": \"aws sso login --profile old\",\n  \"model\": \"opus\"\n}\n";
        let edit = Edit::default()
            .remove_env("A")
            .remove_env("NOT_THERE")
            .set_key("awsAuthRefresh", "aws sso login --profile dev")
            .remove_key("model");
        let new = edited(orig, &edit);
        assert_eq!(
            new,
            "{\n  \"env\": {\n    \"B\": \"2\"\n  },\n  \"awsAuthRefresh\": \"aws sso login --profile dev\"\n}\n"
        );
    }

    #[test]
    fn no_change_means_no_write() {
        let dir = TempDir::new().unwrap();
        let orig = "{\"env\": {\"A\": \"1\"}}";
        let path = write(dir.path(), "settings.json", orig);
        let p = plan(&path, Scope::User, &env_edit(&[("A", "1")]).remove_env("Z")).unwrap();
        assert!(p.is_noop());
        let applied = apply(&p).unwrap();
        assert_eq!(applied.backup, None);
        assert_eq!(listing(dir.path()), ["settings.json"]);
        assert_eq!(fs::read_to_string(&path).unwrap(), orig);
    }

    fn plan_err(text: &[u8], edit: &Edit, scope: Scope) -> WriteError {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, text).unwrap();
        let err = plan(&path, scope, edit).unwrap_err();
        assert_eq!(fs::read(&path).unwrap(), text, "file untouched");
        assert_eq!(listing(dir.path()), ["settings.json"]);
        err
    }

    #[test]
    fn invalid_json_is_refused_with_position() {
        let edit = env_edit(&[("A", "1")]);
        let cases: &[(&[u8], usize)] = &[
            (b"{\n  \"a\": 1,\n}\n", 3),
            (b"{\n  // comment\n  \"a\": 1\n}\n", 2),
            (b"{\n  /* block */ \"a\": 1\n}\n", 2),
            (b"{\n  \"env\": {\n    \"A\": \"1\"\n", 4),
            (b"\xEF\xBB\xBF\xEF\xBB\xBF{\"a\": 1}", 1),
            (b"{\"a\": 1} {}", 1),
        ];
        for (text, line) in cases {
            let err = plan_err(text, &edit, Scope::User);
            let WriteError::InvalidJson { line: got, .. } = &err else {
                panic!("{err:?}");
            };
            assert_eq!(got, line, "{:?}", String::from_utf8_lossy(text));
            let msg = err.to_string();
            assert!(msg.contains(&format!("line {line}, column")), "{msg}");
            assert!(msg.contains("left untouched"), "{msg}");
            assert!(msg.contains("settings.json"), "{msg}");
        }
        // What Claude Code reads — one byte-order mark, an empty or blank file as {} — is edited.
        assert_eq!(
            edited("\u{feff}{\"a\": 1}", &edit),
            "\u{feff}{\"a\": 1,\"env\": {\"A\": \"1\"}}"
        );
        for blank in ["", "  \n"] {
            assert!(edited(blank, &edit).contains("\"A\": \"1\""));
        }
        assert!(matches!(
            plan_err(b"{\"a\": \"\xff\"}", &edit, Scope::User),
            WriteError::NotUtf8 { .. }
        ));
    }

    #[test]
    fn non_object_shapes_are_refused() {
        let edit = env_edit(&[("A", "1")]);
        for text in ["[]", "\"x\"", "null", "3"] {
            let err = plan_err(text.as_bytes(), &edit, Scope::User);
            assert!(matches!(err, WriteError::NotAnObject { .. }), "{err:?}");
        }
        // A file Claude Code ignores as a whole is not written into.
        for text in [&b"{\"env\": [\"A=1\"]}"[..], b"{\"model\": 5, \"env\": {}}"] {
            let err = plan_err(text, &edit, Scope::User);
            assert!(matches!(err, WriteError::Ignored { .. }), "{err:?}");
            assert!(err.to_string().contains("ignores the whole file"), "{err}");
        }

        let err = plan_err(
            b"{\"awsAuthRefresh\": true}",
            &Edit::default().set_key("awsAuthRefresh", "aws sso login"),
            Scope::User,
        );
        assert!(matches!(err, WriteError::Ignored { .. }), "{err:?}");
    }

    #[test]
    fn what_claude_code_reads_setup_edits_leaving_the_rest_as_it_is() {
        // Non-string env values: Claude Code still reads the file; setup writes its own key,
        // keeps theirs byte for byte, and says so.
        let dir = TempDir::new().unwrap();
        let text = "{\"env\": {\"OTHER\": \"x\", \"MAX_RETRIES\": 987654, \"FLAG\": true, \"NONE\": null}}";
        let path = write(dir.path(), "settings.json", text);
        let edit = env_edit(&[("A", "1")]);
        let p = plan(&path, Scope::User, &edit).unwrap();
        assert!(
            p.new_text
                .contains("\"MAX_RETRIES\": 987654, \"FLAG\": true, \"NONE\": null"),
            "{}",
            p.new_text
        );
        assert!(p.new_text.contains("\"A\": \"1\""), "{}", p.new_text);
        assert_eq!(p.notes.len(), 3, "{:?}", p.notes);
        assert!(
            p.notes[0].contains("env.MAX_RETRIES") && p.notes[0].contains("a number"),
            "{:?}",
            p.notes
        );

        // "env": null becomes the object setup writes into; nothing else moves.
        assert_eq!(
            edited("{\"model\": \"opus\", \"env\": null}", &edit),
            "{\"model\": \"opus\", \"env\": {\"A\": \"1\"}}"
        );

        // A repeated key: the last copy is the one JSON.parse keeps, so that one is changed.
        assert_eq!(
            edited("{\"env\": {\"A\": \"0\", \"A\": \"2\"}}", &edit),
            "{\"env\": {\"A\": \"0\", \"A\": \"1\"}}"
        );
        assert_eq!(
            edited("{\"env\": {\"B\": \"x\"}, \"env\": {}}", &edit),
            "{\"env\": {\"B\": \"x\"}, \"env\": {\"A\": \"1\"}}"
        );
        // …and a removal removes every copy, or an earlier one would count again.
        let removal = Edit {
            remove_env: vec!["A".into()],
            ..Edit::default()
        };
        assert_eq!(
            edited(
                "{\"env\": {\"B\": \"x\", \"A\": \"0\", \"A\": \"2\"}}",
                &removal
            ),
            "{\"env\": {\"B\": \"x\"}}"
        );
        // What JSON.parse accepts beyond serde_json is valid, and said to be: setup names why it
        // cannot edit it, instead of calling it invalid.
        for text in ["{\"env\": {\"H\": \"x\\ud800\"}}", "{\"n\": 1e999}"] {
            let err = plan_err(text.as_bytes(), &edit, Scope::User);
            assert!(matches!(err, WriteError::Unsupported { .. }), "{err:?}");
            assert!(!err.to_string().contains("not valid JSON"), "{err}");
        }
    }

    #[test]
    fn secrets_are_refused_in_project_scope() {
        let edit = env_edit(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_BEARER_TOKEN_BEDROCK", SECRET),
        ]);
        let err = plan_err(b"{}", &edit, Scope::Project);
        let msg = err.to_string();
        assert!(matches!(err, WriteError::SecretInProjectScope { .. }));
        assert!(msg.contains("AWS_BEARER_TOKEN_BEDROCK"), "{msg}");
        assert!(
            msg.contains("--scope user") && msg.contains("--scope local"),
            "{msg}"
        );
        assert!(msg.contains("committed"), "{msg}");
        assert!(!msg.contains(SECRET) && !format!("{err:?}").contains(SECRET));

        // Missing file in project scope: refused before anything else.
        let dir = TempDir::new().unwrap();
        let path = dir.path().join(".claude").join("settings.json");
        assert!(plan(&path, Scope::Project, &edit).is_err());
        assert!(!dir.path().join(".claude").exists());
        // Non-secrets are fine there, and so is an empty (cancelling) secret.
        let ok = env_edit(&[
            ("AWS_REGION", "us-east-1"),
            ("AWS_BEARER_TOKEN_BEDROCK", ""),
        ]);
        assert!(plan(&path, Scope::Project, &ok).is_ok());
        assert!(plan(&path, Scope::Local, &edit).is_ok());
    }

    #[test]
    fn secrets_never_show_in_debug_or_changes() {
        let dir = TempDir::new().unwrap();
        let path = write(
            dir.path(),
            "settings.json",
            &format!("{{\"env\": {{\"AWS_BEARER_TOKEN_BEDROCK\": \"{SECRET}x\"}}}}"),
        );
        let edit = env_edit(&[("AWS_BEARER_TOKEN_BEDROCK", SECRET)])
            .set_key("awsAuthRefresh", "get-creds --token=abcdefgh12345678");
        let p = plan(&path, Scope::User, &edit).unwrap();
        assert!(p.writes_secret);
        for shown in [
            format!("{p:?}"),
            format!("{edit:?}"),
            format!("{:?}", p.changes),
        ] {
            assert!(!shown.contains(&SECRET[6..]), "{shown}");
            assert!(!shown.contains("abcdefgh12345678"), "{shown}");
        }
        assert_eq!(
            p.changes[0].after.as_deref(),
            Some(secret::fingerprint(SECRET).as_str())
        );
    }

    #[cfg(unix)]
    #[test]
    fn missing_directory_is_created_private() {
        let dir = TempDir::new().unwrap();
        let path = dir
            .path()
            .join("home")
            .join(".claude")
            .join("settings.json");
        let p = plan(
            &path,
            Scope::User,
            &env_edit(&[("CLAUDE_CODE_USE_BEDROCK", "1")]),
        )
        .unwrap();
        assert_eq!(p.original, None);
        assert_eq!(
            p.new_text,
            "{\n  \"env\": {\n    \"CLAUDE_CODE_USE_BEDROCK\": \"1\"\n  }\n}\n"
        );
        let applied = apply(&p).unwrap();
        assert!(applied.created);
        assert_eq!(applied.backup, None);
        assert_eq!(fs::read_to_string(&path).unwrap(), p.new_text);
        assert_eq!(mode_of(path.parent().unwrap()), 0o700);
        assert_eq!(mode_of(&path), 0o644);
        assert_eq!(listing(path.parent().unwrap()), ["settings.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn backups_are_numbered_and_never_overwritten() {
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "settings.json", "{\"v\": \"0\"}");
        chmod(&path, 0o640);
        write(dir.path(), "settings.json.bak", "older backup");
        let mut backups = Vec::new();
        for n in 1..=2 {
            let before = fs::read_to_string(&path).unwrap();
            let p = plan(&path, Scope::User, &env_edit(&[("N", &n.to_string())])).unwrap();
            let applied = apply(&p).unwrap();
            let backup = applied.backup.unwrap();
            assert_eq!(fs::read_to_string(&backup).unwrap(), before);
            assert_eq!(mode_of(&backup), 0o640);
            backups.push(backup.file_name().unwrap().to_string_lossy().into_owned());
        }
        assert_eq!(backups, ["settings.json.bak.1", "settings.json.bak.2"]);
        assert_eq!(
            fs::read_to_string(dir.path().join("settings.json.bak")).unwrap(),
            "older backup"
        );
        assert_eq!(
            listing(dir.path()),
            [
                "settings.json",
                "settings.json.bak",
                "settings.json.bak.1",
                "settings.json.bak.2"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept_or_tightened_for_secrets() {
        let dir = TempDir::new().unwrap();
        // Kept without a secret.
        let path = write(dir.path(), "a.json", "{}");
        chmod(&path, 0o664);
        let applied = apply(&plan(&path, Scope::User, &env_edit(&[("A", "1")])).unwrap()).unwrap();
        assert_eq!((mode_of(&path), applied.tightened_from), (0o664, None));
        // Tightened with one.
        let secret = env_edit(&[("AWS_BEARER_TOKEN_BEDROCK", SECRET)]);
        let applied = apply(&plan(&path, Scope::User, &secret).unwrap()).unwrap();
        assert_eq!(
            (mode_of(&path), applied.tightened_from),
            (0o600, Some(0o664))
        );
        // Already private: kept as is.
        let path = write(dir.path(), "b.json", "{}");
        chmod(&path, 0o400 | 0o200);
        let applied = apply(&plan(&path, Scope::User, &secret).unwrap()).unwrap();
        assert_eq!((mode_of(&path), applied.tightened_from), (0o600, None));
        // New files.
        let path = dir.path().join("c.json");
        apply(&plan(&path, Scope::Local, &secret).unwrap()).unwrap();
        assert_eq!(mode_of(&path), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_written_through() {
        let dir = TempDir::new().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        let claude = dir.path().join(".claude");
        fs::create_dir_all(&dotfiles).unwrap();
        fs::create_dir_all(&claude).unwrap();
        let real = write(&dotfiles, "claude-settings.json", "{\"model\": \"opus\"}\n");
        let link = claude.join("settings.json");
        std::os::unix::fs::symlink("../dotfiles/claude-settings.json", &link).unwrap();

        let p = plan(&link, Scope::User, &env_edit(&[("A", "1")])).unwrap();
        assert_eq!(p.target, link);
        assert_eq!(p.real_path, fs::canonicalize(&real).unwrap());
        let applied = apply(&p).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), p.new_text);
        assert!(
            applied
                .backup
                .unwrap()
                .starts_with(fs::canonicalize(&dotfiles).unwrap())
        );
        assert_eq!(listing(&claude), ["settings.json"]);

        // A dangling link is refused: setup does not create a file wherever a link points.
        let dangling = claude.join("settings.local.json");
        std::os::unix::fs::symlink("../dotfiles/local.json", &dangling).unwrap();
        let err = plan(&dangling, Scope::Local, &env_edit(&[("A", "1")])).unwrap_err();
        assert!(matches!(err, WriteError::DanglingSymlink { .. }), "{err:?}");
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert!(!dotfiles.join("local.json").exists());
    }

    #[cfg(unix)]
    #[test]
    fn read_only_file_or_directory_is_refused_untouched() {
        let dir = TempDir::new().unwrap();
        let orig = "{\"model\": \"opus\"}";
        let path = write(dir.path(), "settings.json", orig);
        chmod(&path, 0o444);
        let p = plan(&path, Scope::User, &env_edit(&[("A", "1")])).unwrap();
        let err = apply(&p).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, WriteError::ReadOnly { .. }), "{err:?}");
        assert!(
            msg.contains("is read-only") && msg.contains("chmod u+w"),
            "{msg}"
        );
        assert!(msg.contains("--scope"), "{msg}");
        assert_eq!(fs::read_to_string(&path).unwrap(), orig);
        assert_eq!(listing(dir.path()), ["settings.json"]);

        chmod(&path, 0o644);
        chmod(dir.path(), 0o555);
        let result = apply(&p);
        chmod(dir.path(), 0o755);
        let err = result.unwrap_err();
        assert!(
            matches!(&err, WriteError::ReadOnly { path } if path == dir.path()),
            "{err:?}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), orig);
        assert_eq!(listing(dir.path()), ["settings.json"]);
    }

    #[test]
    fn concurrent_edit_between_plan_and_apply_is_refused() {
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "settings.json", "{}");
        let p = plan(&path, Scope::User, &env_edit(&[("A", "1")])).unwrap();
        fs::write(&path, "{\"model\": \"sonnet\"}").unwrap();
        let err = apply(&p).unwrap_err();
        assert!(
            matches!(err, WriteError::ChangedSincePlan { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("changed while setup was running"));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "{\"model\": \"sonnet\"}"
        );
        assert_eq!(listing(dir.path()), ["settings.json"]);

        // A file that appeared after planning its creation counts too.
        let new = dir.path().join("new.json");
        let p = plan(&new, Scope::User, &env_edit(&[("A", "1")])).unwrap();
        fs::write(&new, "{}").unwrap();
        assert!(matches!(
            apply(&p),
            Err(WriteError::ChangedSincePlan { .. })
        ));
    }

    #[test]
    fn a_held_lock_makes_apply_wait_then_fail() {
        let dir = TempDir::new().unwrap();
        let path = write(dir.path(), "settings.json", "{}");
        let p = plan(&path, Scope::User, &env_edit(&[("A", "1")])).unwrap();
        let held = File::create(lock_path(&p.real_path)).unwrap();
        held.lock().unwrap();
        let started = Instant::now();
        let err = apply_with_timeout(&p, Duration::from_millis(300)).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        let msg = err.to_string();
        assert!(matches!(err, WriteError::Locked { .. }), "{err:?}");
        assert!(
            msg.contains("another claude-bedrock setup is writing"),
            "{msg}"
        );
        assert!(msg.contains("settings.json"), "{msg}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "{}");

        held.unlock().unwrap();
        drop(held);
        apply(&p).unwrap();
        assert_eq!(listing(dir.path()), ["settings.json", "settings.json.bak"]);
    }

    #[test]
    fn unreadable_target_is_reported() {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("settings.json");
        fs::create_dir(&path).unwrap();
        let err = plan(&path, Scope::User, &env_edit(&[("A", "1")])).unwrap_err();
        assert!(matches!(err, WriteError::NotRegular { .. }), "{err:?}");
        assert!(err.to_string().contains("is a directory"), "{err}");
    }

    #[test]
    fn corpus_files_round_trip() {
        // SchemaStore's sample settings files, vendored (fixtures/schemastore/NOTICE.md).
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schemastore/corpus");
        let entries = fs::read_dir(&corpus).unwrap();
        let additions = [
            ("CLAUDE_CODE_USE_BEDROCK", "1"),
            ("AWS_REGION", "us-east-1"),
            (
                "ANTHROPIC_DEFAULT_OPUS_MODEL",
                "us.anthropic.claude-opus-4-6-v1",
            ),
        ];
        let mut seen = 0;
        for entry in entries {
            let source = entry.unwrap().path();
            if source.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let name = source.file_name().unwrap().to_string_lossy().into_owned();
            let orig = fs::read_to_string(&source).unwrap();
            let dir = TempDir::new().unwrap();
            let path = write(dir.path(), "settings.json", &orig);
            let p = plan(&path, Scope::User, &env_edit(&additions))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            apply(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
            let new = fs::read_to_string(&path).unwrap();

            let mut expected: Value = serde_json::from_str(&orig).unwrap();
            let root = expected.as_object_mut().unwrap();
            let env = root
                .entry("env")
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .unwrap();
            for (k, v) in additions {
                env.insert(k.into(), v.into());
            }
            let got: Value = serde_json::from_str(&new).unwrap();
            assert_eq!(
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&expected).unwrap(),
                "{name}"
            );
            assert_outside_env_unchanged(&orig, &new);
            seen += 1;
        }
        assert!(seen >= 20, "only {seen} corpus files");
    }
}
