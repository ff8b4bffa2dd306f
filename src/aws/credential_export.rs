//! Runs the `awsCredentialExport` command as Claude Code does and reads the credentials it prints.
//! Its output holds secrets: nothing of it is ever shown, only what is wrong with its shape.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use serde_json::Value;
use tokio::process::Command;

/// Runs `command` through the shell with `env`; returns credentials or a printable reason.
pub(crate) async fn run(
    command: &str,
    env: &HashMap<String, String>,
    timeout: Duration,
) -> Result<Credentials, String> {
    let mut child = Command::new("/bin/sh");
    child.arg("-c").arg(command).env_clear().envs(env);
    // Credentials are a few hundred bytes; its stderr is never shown (it may hold secrets).
    let keep = crate::proc::Keep {
        stdout: 64 * 1024,
        stderr_tail: 0,
    };
    let output = match crate::proc::run_bounded(&mut child, None, timeout, keep).await {
        Err(err) => return Err(format!("awsCredentialExport could not be started: {err}")),
        Ok(output) => output,
    };
    let Some(status) = output.status else {
        return Err(format!(
            "awsCredentialExport did not finish within {} s",
            timeout.as_secs()
        ));
    };
    if !status.success() {
        return Err(format!(
            "awsCredentialExport exited with {status} (its output is not shown because it may hold secrets)"
        ));
    }
    if output.stdout_cut {
        return Err("awsCredentialExport printed more than 64 KB: not credentials".into());
    }
    parse(&output.stdout)
}

/// Accepts `{"Credentials":{AccessKeyId,…}}` and the flat `aws configure export-credentials
/// --format process` shape.
pub(crate) fn parse(stdout: &[u8]) -> Result<Credentials, String> {
    let value: Value = serde_json::from_slice(stdout).map_err(|err| {
        format!(
            "awsCredentialExport printed something that is not JSON (line {}, column {})",
            err.line(),
            err.column()
        )
    })?;
    let creds = value.get("Credentials").unwrap_or(&value);
    let field = |name: &str| {
        creds
            .get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let (Some(access_key), Some(secret_key)) = (field("AccessKeyId"), field("SecretAccessKey"))
    else {
        return Err(
            "awsCredentialExport output lacks Credentials.AccessKeyId or Credentials.SecretAccessKey".into(),
        );
    };
    let expiry = field("Expiration").and_then(|e| {
        time::OffsetDateTime::parse(e, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(SystemTime::from)
    });
    Ok(Credentials::new(
        access_key,
        secret_key,
        field("SessionToken").map(str::to_string),
        expiry,
        "awsCredentialExport",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_are_accepted() {
        let nested = br#"{"Credentials":{"AccessKeyId":"AKID","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}}"#;
        let flat = br#"{"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"S"}"#;
        assert_eq!(parse(nested).unwrap().access_key_id(), "AKID");
        assert!(parse(nested).unwrap().expiry().is_some());
        assert_eq!(parse(flat).unwrap().secret_access_key(), "S");
    }

    #[test]
    fn errors_never_echo_the_output() {
        let err = parse(b"SECRETVALUE not json").unwrap_err();
        assert!(!err.contains("SECRETVALUE"));
        let err = parse(br#"{"Credentials":{"SecretAccessKey":"SECRETVALUE"}}"#).unwrap_err();
        assert!(!err.contains("SECRETVALUE"));
    }
}
