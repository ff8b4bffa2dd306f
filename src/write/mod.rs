//! The one writer of the user's files: Claude Code settings files and the AWS credentials file,
//! for `setup` and `doctor --fix` alike.
//!
//! Edits the `env` block (and top-level string keys such as `awsAuthRefresh`) of one
//! `settings.json`-style file and leaves every other byte as the user wrote it. [`plan`] reads and
//! computes; [`apply`] is the only function that writes, and [`apply_all`] writes several files
//! all or none.
//!
//! Claude Code parses settings as strict JSON, so serde_json decides what is valid: a file it
//! rejects is never rewritten, even where jsonc-parser (comments, trailing commas) would accept it.

pub mod aws_credentials;
mod backup;
mod edit;
mod lock;
mod text;
mod transaction;

use std::fmt;
use std::fs;
use std::io::{self, ErrorKind};
use std::path::{Path, PathBuf};
use std::time::Duration;

use backup::write_backup;
use edit::{create_text, edit_existing};
use lock::Lock;

use crate::config::settings::SettingsLocations;
use crate::fsio::{self, ReadError, parent_dir};
use crate::secret;

pub use backup::KEEP_BACKUPS;
pub use lock::lock_path;
pub use transaction::{Failed, apply_all};

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
    /// `env` values that are not strings, to be written as the text Claude Code reads them as.
    /// (A value set to that same text is otherwise left as written.)
    pub quote_env: Vec<String>,
}

impl Edit {
    pub fn quote_env(mut self, name: impl Into<String>) -> Self {
        self.quote_env.push(name.into());
        self
    }
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

    /// The file as a preview names it: the path, and the real file when a link leads elsewhere
    /// (`.claude/settings.local.json → ~/dotfiles/local.json`).
    pub fn shown_path(&self, home: Option<&Path>) -> String {
        let named = crate::config::source::tilde(&self.target, home);
        let real = fs::canonicalize(&self.target).unwrap_or_else(|_| self.real_path.clone());
        let named_real = self
            .target
            .parent()
            .and_then(|dir| fs::canonicalize(dir).ok())
            .zip(self.target.file_name())
            .map(|(dir, name)| dir.join(name));
        if named_real.as_deref() == Some(real.as_path()) || real == self.target {
            named
        } else {
            format!("{named} → {}", crate::config::source::tilde(&real, home))
        }
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
        "cannot read {}: {source}; nothing was changed. Check the file's permissions (ls -l {}) and run the command again.",
        path.display(), path.display()
    )]
    Unreadable { path: PathBuf, source: io::Error },

    #[error(
        "{} is not valid UTF-8, so it is not a settings file Claude Code can read; it was left untouched. Fix or move the file, then run the command again.",
        path.display()
    )]
    NotUtf8 { path: PathBuf },

    #[error(
        "{} is not valid JSON at line {line}, column {column} ({detail}); it was left untouched. Claude Code reads settings as strict JSON (no comments, no trailing commas) and ignores a file it cannot parse: fix it by hand, then run the command again.",
        path.display()
    )]
    InvalidJson {
        path: PathBuf,
        line: usize,
        column: usize,
        detail: String,
    },

    #[error(
        "{} holds {found} at the top level, but settings must be a JSON object ({{ … }}); it was left untouched. Fix or move the file, then run the command again.",
        path.display()
    )]
    NotAnObject { path: PathBuf, found: &'static str },

    #[error(
        "\"env\" in {} is {found}, but it must be an object of strings; the file was left untouched. Make it {{ \"NAME\": \"value\", … }}, then run the command again.",
        path.display()
    )]
    EnvNotAnObject { path: PathBuf, found: &'static str },

    #[error(
        "{key} in {} is {found}, but Claude Code needs a string there; the file was left untouched. Quote the value (\"…\") or remove it, then run the command again.",
        path.display()
    )]
    NotAString {
        path: PathBuf,
        key: String,
        found: &'static str,
    },

    #[error(
        "{} is a symbolic link to {}, which does not exist; claude-bedrock does not create files through a dangling link. Remove the link (or create its target), then run the command again.",
        path.display(), target.display()
    )]
    DanglingSymlink { path: PathBuf, target: PathBuf },

    #[error(
        "{} leads to {}, outside the project {}; claude-bedrock does not write a project's settings through a link that leaves the project. It was left untouched: edit the file by hand, or replace the link with a regular file.",
        path.display(), target.display(), project.display()
    )]
    LinkOutOfProject {
        path: PathBuf,
        target: PathBuf,
        project: PathBuf,
    },

    #[error(
        "{} {problem}; it was left untouched. Replace it with a regular JSON file (or remove it), then run the command again.",
        path.display()
    )]
    NotRegular { path: PathBuf, problem: String },

    #[error(
        "{} cannot be edited by claude-bedrock: {detail}. It was left untouched; make the change by hand.",
        path.display()
    )]
    Unsupported { path: PathBuf, detail: String },

    #[error(
        "{}: {reason}, so Claude Code ignores the whole file and anything written there would not apply. It was left untouched; fix that key, then run the command again.",
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
        "another claude-bedrock is writing {} (it holds {}); nothing was changed. Wait for it to finish, then run the command again.",
        path.display(), lock.display()
    )]
    Locked { path: PathBuf, lock: PathBuf },

    #[error(
        "{} changed while claude-bedrock was running (another program edited it); nothing was written. Run the command again to start from its new contents.",
        path.display()
    )]
    ChangedSincePlan { path: PathBuf },

    #[error(
        "cannot {action} {}: {source}; the settings file was left untouched. Fix the problem and run the command again.",
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
    refuse_link_out_of_project(target, scope, &real_path)?;
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

/// A project's settings file (`.claude/settings.json`, `.claude/settings.local.json`) whose links
/// lead outside the project: a checked-out repository could otherwise make a write land in
/// any file of the user's. Refused.
fn refuse_link_out_of_project(
    target: &Path,
    scope: Scope,
    real_path: &Path,
) -> Result<(), WriteError> {
    if scope == Scope::User {
        return Ok(());
    }
    let Some(project) = target.parent().and_then(Path::parent) else {
        return Ok(());
    };
    let project = fs::canonicalize(project).unwrap_or_else(|_| project.to_path_buf());
    if real_path.starts_with(&project) {
        return Ok(());
    }
    Err(WriteError::LinkOutOfProject {
        path: target.to_path_buf(),
        target: real_path.to_path_buf(),
        project,
    })
}

/// Writes the plan: locked, checked against concurrent edits, backed up, atomically replaced.
pub fn apply(plan: &Plan) -> Result<Applied, WriteError> {
    apply_with_timeout(plan, LOCK_TIMEOUT)
}

/// Puts back what `apply` replaced: the previous text (with its mode), or no file where there
/// was none. For a pair of writes that must happen together, when the second one fails.
pub fn undo(plan: &Plan, applied: &Applied) -> Result<(), WriteError> {
    if plan.changes.is_empty() {
        return Ok(());
    }
    let path = applied.path.as_path();
    let _lock = Lock::acquire(path, LOCK_TIMEOUT)?;
    match &plan.original {
        None => fs::remove_file(path).or_else(|err| match err.kind() {
            ErrorKind::NotFound => Ok(()),
            _ => Err(write_error(path, "remove")(err)),
        }),
        Some(original) => {
            let meta = fs::metadata(path).ok();
            let mode = applied
                .tightened_from
                .or_else(|| meta.as_ref().map(fsio::file_mode))
                .unwrap_or(0o600);
            replace_file(path, original, mode, meta.as_ref())
        }
    }
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

fn display_key_value(key: &str, value: &str) -> String {
    if COMMAND_KEYS.contains(&key) {
        secret::redact_command(value)
    } else {
        secret::display_value(key, value)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::time::Instant;
    use tempfile::TempDir;

    const SECRET: &str = "ABSKQmVkcm9ja0FQSUtleS1hYmMtYXQtMTIzNDU2Nzg5MDEyOnNlY3JldA==";

    // The pub(super) helpers are shared with the tests of `edit` and `text`.
    pub(super) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, text).unwrap();
        path
    }

    pub(super) fn env_edit(pairs: &[(&str, &str)]) -> Edit {
        pairs
            .iter()
            .fold(Edit::default(), |edit, (k, v)| edit.set_env(*k, *v))
    }

    /// Plans and applies `edit` on a file holding `text`; returns the new text.
    pub(super) fn edited(text: &str, edit: &Edit) -> String {
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

    pub(super) fn plan_err(text: &[u8], edit: &Edit, scope: Scope) -> WriteError {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, text).unwrap();
        let err = plan(&path, scope, edit).unwrap_err();
        assert_eq!(fs::read(&path).unwrap(), text, "file untouched");
        assert_eq!(listing(dir.path()), ["settings.json"]);
        err
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
    fn a_project_file_linked_out_of_the_project_is_refused_and_one_inside_is_written() {
        let dir = TempDir::new().unwrap();
        let project = dir.path().join("repo");
        let claude = project.join(".claude");
        fs::create_dir_all(&claude).unwrap();
        let outside = write(dir.path(), "bashrc.json", "{}");
        let inside = write(&project, "shared-settings.json", "{}");
        for scope in [Scope::Local, Scope::Project] {
            let link = claude.join(format!("{}.json", scope.as_str()));
            std::os::unix::fs::symlink(&outside, &link).unwrap();
            let err = plan(&link, scope, &env_edit(&[("A", "1")])).unwrap_err();
            assert!(matches!(err, WriteError::LinkOutOfProject { .. }), "{err}");
            assert!(err.to_string().contains("outside the project"), "{err}");
            let inner = claude.join(format!("{}-inner.json", scope.as_str()));
            std::os::unix::fs::symlink(&inside, &inner).unwrap();
            let p = plan(&inner, scope, &env_edit(&[("A", "1")])).unwrap();
            assert!(
                p.shown_path(None).ends_with("/repo/shared-settings.json"),
                "{}",
                p.shown_path(None)
            );
        }
        assert_eq!(fs::read_to_string(&outside).unwrap(), "{}");
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
        assert!(
            err.to_string()
                .contains("changed while claude-bedrock was running")
        );
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
        assert!(msg.contains("another claude-bedrock is writing"), "{msg}");
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
}
