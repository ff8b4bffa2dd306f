//! The text edits themselves, on strict JSON: every byte outside what changes stays as written,
//! and what is inserted follows the file's own layout (indentation, newlines, one line or many).

use jsonc_parser::ParseOptions;
use jsonc_parser::ast;
use jsonc_parser::cst::{CstInputValue, CstObject, CstObjectProp, CstRootNode};
use serde_json::Value;

/// The text edits that turn the file into what the edit asks for.
#[derive(Default)]
pub(super) struct TextOps<'a> {
    /// `"env": null` in the file.
    pub(super) null_env: bool,
    pub(super) env_exists: bool,
    pub(super) change_env: Vec<(&'a str, &'a str)>,
    pub(super) remove_env: Vec<&'a str>,
    pub(super) add_env: Vec<(&'a str, &'a str)>,
    pub(super) change_keys: Vec<(&'a str, &'a str)>,
    pub(super) remove_keys: Vec<&'a str>,
    pub(super) add_keys: Vec<(&'a str, &'a str)>,
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
pub(super) fn apply_text_ops(text: &str, ops: &TextOps) -> Result<String, String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::tests::{edited, env_edit, write};
    use crate::write::{Scope, apply, plan};
    use serde_json::Map;
    use std::fs;
    use std::path::Path;
    use tempfile::TempDir;

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
