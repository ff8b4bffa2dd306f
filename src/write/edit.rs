//! What an edit changes in a file's text: which keys are added, changed or removed, which files
//! are refused and why, and what is noted but left alone. Pure: nothing here touches a file.

use std::path::Path;

use serde_json::{Map, Value};

use super::text::{TextOps, apply_text_ops};
use super::{Change, ChangeKind, Edit, WriteError, display_key_value, not_utf8};
use crate::config::settings::{self, FileState, json_type};
use crate::secret;

/// A new file: `{ "env": { … } }`, 2-space indented, with a trailing newline.
pub(super) fn create_text(edit: &Edit) -> (String, Vec<Change>) {
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

/// The edit of a file that exists. Whether it is valid is decided exactly as the doctor (and
/// Claude Code's `JSON.parse`) decides it; where a key appears twice, the last copy is the one
/// that counts, so that is the one changed (and every copy is removed on removal). Values the
/// edit does not touch stay byte for byte, non-string `env` values included (they are noted).
pub(super) fn edit_existing(
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
        // Only values this edit leaves as they are: one quoted, removed or replaced is a change.
        let changed = |name: &String, value: &Value| {
            edit.quote_env.contains(name)
                || edit.remove_env.contains(name)
                || edit
                    .set_env
                    .iter()
                    .any(|(n, v)| n == name && *v != non_string_text(value))
        };
        for (name, value) in env
            .iter()
            .filter(|(name, v)| !v.is_string() && !changed(name, v))
        {
            notes.push(if value.is_null() {
                format!(
                    "env.{name} in {} is null: left as it is; Claude Code sets it to the text \"null\" (remove it, or write the value you mean)",
                    path.display()
                )
            } else {
                format!(
                    "env.{name} in {} is {}, not a string: left as it is (Claude Code reads it as the text \"{}\"; quote it to be sure)",
                    path.display(),
                    json_type(value),
                    secret::display_value(name, &non_string_text(value))
                )
            });
        }
    }

    let mut ops = TextOps {
        env_exists: env.is_some(),
        null_env,
        ..TextOps::default()
    };
    let mut changes = Vec::new();
    let mut quoted: Vec<(&str, String)> = Vec::new();
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
            // A value that is not a string already says it, as Claude Code reads it: left as
            // written.
            Some(other) if non_string_text(other) == *value => continue,
            // Otherwise it is replaced in place, never added beside.
            Some(other) => {
                changes.push(Change {
                    key: format!("env.{name}"),
                    kind: ChangeKind::Changed,
                    before: Some(typed(name, other)),
                    after: shown(),
                });
                ops.change_env.push((name, value));
            }
            None => {
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
    for name in &edit.quote_env {
        let Some(old) = env.as_ref().and_then(|env| env.get(name)).cloned() else {
            continue;
        };
        if old.is_string() || old.is_null() {
            continue;
        }
        let text = non_string_text(&old);
        changes.push(Change {
            key: format!("env.{name}"),
            kind: ChangeKind::Changed,
            before: Some(typed(name, &old)),
            after: Some(secret::display_value(name, &text)),
        });
        quoted.push((name.as_str(), text.clone()));
        env.get_or_insert_with(Map::new)
            .insert(name.clone(), Value::String(text));
    }
    for (name, text) in &quoted {
        ops.change_env.push((name, text.as_str()));
    }
    for name in &edit.remove_env {
        if let Some(old) = env.as_mut().and_then(|env| env.shift_remove(name)) {
            let before = match &old {
                Value::String(old) => secret::display_value(name, old),
                other => typed(name, other),
            };
            changes.push(Change {
                key: format!("env.{name}"),
                kind: ChangeKind::Removed,
                before: Some(before),
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

/// A value that is not a string, for people: `the number 2`, its text masked as secrets are.
fn typed(name: &str, value: &Value) -> String {
    let kind = json_type(value);
    let kind = kind
        .strip_prefix("an ")
        .or_else(|| kind.strip_prefix("a "))
        .unwrap_or(kind);
    format!(
        "the {kind} {}",
        secret::display_value(name, &non_string_text(value))
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::tests::{edited, env_edit, plan_err, write};
    use crate::write::{Scope, plan};
    use tempfile::TempDir;

    #[test]
    fn a_value_that_is_not_a_string_is_replaced_in_place_or_removed() {
        let text = "{\n  \"env\": {\n    \"CLAUDE_CODE_USE_BEDROCK\": 1,\n    \"DISABLE_PROMPT_CACHING\": true\n  }\n}\n";
        // Set to the text it already reads as: left as written.
        assert_eq!(
            edited(text, &env_edit(&[("CLAUDE_CODE_USE_BEDROCK", "1")])),
            text
        );
        let changed = edited(text, &env_edit(&[("CLAUDE_CODE_USE_BEDROCK", "0")]));
        assert_eq!(
            changed,
            "{\n  \"env\": {\n    \"CLAUDE_CODE_USE_BEDROCK\": \"0\",\n    \"DISABLE_PROMPT_CACHING\": true\n  }\n}\n"
        );
        let quoted = edited(text, &Edit::default().quote_env("CLAUDE_CODE_USE_BEDROCK"));
        assert_eq!(
            quoted,
            "{\n  \"env\": {\n    \"CLAUDE_CODE_USE_BEDROCK\": \"1\",\n    \"DISABLE_PROMPT_CACHING\": true\n  }\n}\n"
        );
        let removed = edited(text, &Edit::default().remove_env("DISABLE_PROMPT_CACHING"));
        assert!(!removed.contains("DISABLE_PROMPT_CACHING"), "{removed}");
        assert!(
            removed.contains("\"CLAUDE_CODE_USE_BEDROCK\": 1"),
            "{removed}"
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
}
