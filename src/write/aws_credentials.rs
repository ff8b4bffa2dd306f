//! Stores an access key pair as a named profile in the AWS shared credentials file, as
//! `aws configure` does: only that profile's two keys change (a stale session token in it is
//! dropped); every other line stays as written. The result is re-read with aws-config's own
//! parser before anything is written, and written by the settings writer's atomic, locked,
//! backed-up replace.

use std::path::Path;

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::os_shim_internal::{Env, Fs};

use super::{Change, ChangeKind, Plan, Scope, WriteError};
use crate::secret;

const KEYS: [&str; 2] = ["aws_access_key_id", "aws_secret_access_key"];

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The input cannot be stored (a bad profile name, a key with spaces, …).
    #[error("cannot store the keys in {path}: {problem}; nothing was changed")]
    Invalid { path: String, problem: String },
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The plan that puts `access_key_id`/`secret_access_key` under `[profile]` in `path`.
pub async fn plan(
    path: &Path,
    profile: &str,
    access_key_id: &str,
    secret_access_key: &str,
) -> Result<Plan, CredentialsError> {
    let invalid = |problem: String| CredentialsError::Invalid {
        path: path.display().to_string(),
        problem,
    };
    if profile.is_empty() || profile.contains(['[', ']', '\n']) || profile.trim() != profile {
        return Err(invalid(format!(
            "\"{profile}\" is not a usable profile name"
        )));
    }
    for (name, value) in [
        ("access key ID", access_key_id),
        ("secret access key", secret_access_key),
    ] {
        if value.is_empty() || value.chars().any(char::is_whitespace) {
            return Err(invalid(format!(
                "the {name} is empty or contains whitespace"
            )));
        }
    }
    let real_path = super::resolve_symlinks(path)?;
    super::refuse_dangling_link(path, &real_path)?;
    let original = match super::read_optional(&real_path)? {
        Some(bytes) => Some(
            String::from_utf8(bytes)
                .map_err(|_| invalid("the credentials file is not UTF-8 text".into()))?,
        ),
        None => None,
    };
    let text = original.clone().unwrap_or_default();
    let (new_text, before) = set_profile_keys(&text, profile, access_key_id, secret_access_key);

    // The edited file must still be one the SDKs read, with the new keys in the profile.
    let files = EnvConfigFiles::builder()
        .with_contents(EnvConfigFileKind::Credentials, new_text.clone())
        .build();
    let parsed: ProfileSet =
        aws_config::profile::load(&Fs::real(), &Env::from_slice(&[]), &files, None)
            .await
            .map_err(|err| invalid(format!("the edited file would not parse: {err}")))?;
    let reread = parsed.get_profile(profile);
    if reread.and_then(|p| p.get("aws_access_key_id")) != Some(access_key_id)
        || reread.and_then(|p| p.get("aws_secret_access_key")) != Some(secret_access_key)
    {
        return Err(invalid(format!(
            "profile [{profile}] could not be written unambiguously; edit the file by hand"
        )));
    }

    let changes = KEYS
        .iter()
        .zip([access_key_id, secret_access_key])
        .zip(before)
        .filter(|((_, new), old)| old.as_deref() != Some(*new))
        .map(|((key, new), old)| Change {
            key: format!("[{profile}].{key}"),
            kind: if old.is_some() {
                ChangeKind::Changed
            } else {
                ChangeKind::Added
            },
            before: old.map(|o| shown(key, &o)),
            after: Some(shown(key, new)),
        })
        .collect();
    Ok(Plan {
        target: path.to_path_buf(),
        real_path,
        scope: Scope::User,
        original,
        new_text,
        changes,
        writes_secret: true,
        notes: Vec::new(),
    })
}

fn shown(key: &str, value: &str) -> String {
    if key == "aws_access_key_id" {
        value.to_string()
    } else {
        secret::fingerprint(value)
    }
}

fn header_name(line: &str) -> Option<&str> {
    let line = line.trim();
    line.strip_prefix('[')?.strip_suffix(']').map(str::trim)
}

fn key_of(line: &str) -> Option<&str> {
    let line = line.trim_start();
    if line.starts_with(['#', ';']) {
        return None;
    }
    line.split_once('=').map(|(k, _)| k.trim())
}

/// Returns the new text and the previous values of the two keys.
fn set_profile_keys(
    text: &str,
    profile: &str,
    access_key_id: &str,
    secret: &str,
) -> (String, [Option<String>; 2]) {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut before: [Option<String>; 2] = [None, None];
    let values = [access_key_id, secret];
    let Some(start) = lines.iter().position(|l| header_name(l) == Some(profile)) else {
        // A new section at the end, separated by a blank line.
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
        if !out.trim().is_empty() {
            out.push_str(newline);
        }
        out.push_str(&format!("[{profile}]{newline}"));
        for (key, value) in KEYS.iter().zip(values) {
            out.push_str(&format!("{key} = {value}{newline}"));
        }
        return (out, before);
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| header_name(l).is_some())
        .map(|i| start + 1 + i)
        .unwrap_or(lines.len());
    let mut missing = Vec::new();
    for (index, (key, value)) in KEYS.iter().zip(values).enumerate() {
        match (start + 1..end).find(|&i| key_of(&lines[i]) == Some(*key)) {
            Some(i) => {
                before[index] = lines[i].split_once('=').map(|(_, v)| v.trim().to_string());
                lines[i] = format!("{key} = {value}");
            }
            None => missing.push(format!("{key} = {value}")),
        }
    }
    // A session token left from other keys would be sent with these and fail.
    let mut end = end;
    let mut i = start + 1;
    while i < end {
        if key_of(&lines[i]) == Some("aws_session_token")
            || key_of(&lines[i]) == Some("aws_security_token")
        {
            lines.remove(i);
            end -= 1;
        } else {
            i += 1;
        }
    }
    // New keys go after the section's last non-blank line.
    let mut insert_at = end;
    while insert_at > start + 1 && lines[insert_at - 1].trim().is_empty() {
        insert_at -= 1;
    }
    for (offset, line) in missing.into_iter().enumerate() {
        lines.insert(insert_at + offset, line);
    }
    let mut out = lines.join(newline);
    if text.ends_with('\n') || text.is_empty() {
        out.push_str(newline);
    }
    (out, before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_profile_is_appended_and_nothing_else_moves() {
        let text =
            "[default]\naws_access_key_id = AKIAOLD\naws_secret_access_key = old\n# team keys\n";
        let (out, before) = set_profile_keys(text, "bedrock", "AKIANEW", "s3cret");
        assert!(out.starts_with(text), "{out}");
        assert!(
            out.ends_with(
                "\n[bedrock]\naws_access_key_id = AKIANEW\naws_secret_access_key = s3cret\n"
            ),
            "{out}"
        );
        assert_eq!(before, [None, None]);
    }

    #[test]
    fn an_existing_profile_keeps_its_position_and_other_settings() {
        let text = "[a]\nregion = eu-west-1\n\n[bedrock]\n# mine\naws_access_key_id=AKIAOLD\nregion = us-east-1\naws_session_token = stale\n\n[z]\nx = 1";
        let (out, before) = set_profile_keys(text, "bedrock", "AKIANEW", "s3cret");
        assert_eq!(
            out,
            "[a]\nregion = eu-west-1\n\n[bedrock]\n# mine\naws_access_key_id = AKIANEW\nregion = us-east-1\naws_secret_access_key = s3cret\n\n[z]\nx = 1"
        );
        assert_eq!(before[0].as_deref(), Some("AKIAOLD"));
        assert_eq!(before[1], None);
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let (out, _) = set_profile_keys("[x]\r\nk = v\r\n", "x", "AKIA1", "s");
        assert_eq!(
            out,
            "[x]\r\nk = v\r\naws_access_key_id = AKIA1\r\naws_secret_access_key = s\r\n"
        );
    }

    #[tokio::test]
    async fn plan_reports_changes_without_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, "[bedrock]\naws_access_key_id = AKIAOLD\naws_secret_access_key = oldsecretoldsecretold\n").unwrap();
        let plan = plan(
            &path,
            "bedrock",
            "AKIANEWKEY0000000001",
            "newsecretnewsecretnewsecret",
        )
        .await
        .unwrap();
        assert_eq!(plan.changes.len(), 2);
        let shown = format!("{:?}", plan.changes);
        assert!(!shown.contains("newsecretnewsecret"), "{shown}");
        assert!(!shown.contains("oldsecretoldsecret"), "{shown}");
        let applied = crate::write::apply(&plan).unwrap();
        assert!(applied.backup.is_some());
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.contains("aws_secret_access_key = newsecretnewsecretnewsecret"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(
                mode & 0o077,
                0,
                "credentials must not be group/world readable: {mode:o}"
            );
        }
    }

    #[tokio::test]
    async fn bad_names_and_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        assert!(plan(&path, "a]b", "AKIA", "s").await.is_err());
        assert!(plan(&path, "ok", "AKIA X", "s").await.is_err());
        assert!(!path.exists());
    }
}
