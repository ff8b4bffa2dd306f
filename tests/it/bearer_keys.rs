//! Bedrock API key analysis on real keys: short-term ones presigned with aws-sigv4, long-term ones
//! in the documented format, and the ways people get them wrong.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use claude_bedrock::config::bearer::{BearerKind, analyze};
use time::OffsetDateTime;

use crate::support::keys::{long_term_key, short_term_key};
use crate::support::{NOW, Sandbox};

fn system_time(t: OffsetDateTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(t.unix_timestamp() as u64)
}

#[test]
fn short_term_key_reveals_region_issue_time_and_expiry_bound() {
    let issued = NOW - time::Duration::hours(2);
    let key = short_term_key(
        "eu-central-1",
        system_time(issued),
        Duration::from_secs(43_200),
        true,
    );
    let analysis = analyze(&key);
    match analysis.kind {
        BearerKind::ShortTerm {
            region,
            issued_at,
            lifetime_secs,
            expires_at,
            signed_with_session_token,
        } => {
            assert_eq!(region, "eu-central-1");
            assert_eq!(issued_at, issued);
            assert_eq!(lifetime_secs, 43_200);
            assert_eq!(expires_at, issued + time::Duration::hours(12));
            assert!(signed_with_session_token);
        }
        other => panic!("expected short-term, got {other:?}"),
    }
    assert!(analysis.formatting.is_empty());
    assert!(!analysis.fingerprint.contains(&key[20..30]));
}

#[test]
fn expired_short_term_key_is_detected() {
    let key = short_term_key(
        "us-east-1",
        system_time(NOW - time::Duration::hours(13)),
        Duration::from_secs(43_200),
        false,
    );
    assert!(analyze(&key).is_expired(NOW));
    let fresh = short_term_key(
        "us-east-1",
        system_time(NOW - time::Duration::minutes(5)),
        Duration::from_secs(3600),
        false,
    );
    assert!(!analyze(&fresh).is_expired(NOW));
}

#[test]
fn long_term_key_reveals_its_account() {
    let analysis = analyze(&long_term_key("123456789012"));
    assert_eq!(
        analysis.kind,
        BearerKind::LongTerm {
            account: "123456789012".into()
        }
    );
}

#[test]
fn malformed_keys_get_specific_reasons() {
    let cases = [
        ("sk-ant-api03-abcdefghijklmnop", "Anthropic API key"),
        ("AKIAIOSFODNN7EXAMPLE", "access key ID"),
        ("ABSK!!!notbase64***", "not valid base64"),
        ("ABSKQmVkcm9ja0FQSUtleS1hYmM=", "no secret part"),
        ("bedrock-api-key-aGVsbG8gd29ybGQ=", "not a presigned URL"),
        ("hello-world-key-value", "starts with neither"),
    ];
    for (key, expected) in cases {
        match analyze(key).kind {
            BearerKind::Malformed { reason } => {
                assert!(reason.contains(expected), "{key}: {reason}");
                assert!(!reason.contains(key), "the reason must not echo the key");
            }
            other => panic!("{key}: expected malformed, got {other:?}"),
        }
    }
}

#[test]
fn truncated_short_term_key_is_malformed() {
    let key = short_term_key(
        "us-west-2",
        system_time(NOW),
        Duration::from_secs(600),
        false,
    );
    let truncated = &key[..key.len() / 2];
    assert!(matches!(
        analyze(truncated).kind,
        BearerKind::Malformed { .. }
    ));
}

#[test]
fn formatting_mistakes_are_reported_but_the_key_is_still_read() {
    let key = long_term_key("210987654321");
    for written in [
        format!("\"{key}\""),
        format!("{key}\n"),
        format!("Bearer {key}"),
    ] {
        let analysis = analyze(&written);
        assert_eq!(analysis.formatting.len(), 1, "{written:?}");
        assert_eq!(
            analysis.kind,
            BearerKind::LongTerm {
                account: "210987654321".into()
            }
        );
    }
}

#[test]
fn doctor_fails_a_short_term_key_made_for_another_region() {
    let key = short_term_key(
        "eu-west-1",
        system_time(NOW),
        Duration::from_secs(43_200),
        false,
    );
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_BEARER_TOKEN_BEDROCK", &key);
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("auth.bearer");
    assert_eq!(check["status"], "fail", "{check}");
    let text = check.to_string();
    assert!(text.contains("made for eu-west-1"), "{text}");
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("AWS_REGION=eu-west-1")
    );
    assert_eq!(run.code, 1);
}

#[test]
fn doctor_fails_an_expired_short_term_key() {
    let issued = OffsetDateTime::now_utc() - time::Duration::hours(20);
    let key = short_term_key(
        "us-east-1",
        system_time(issued),
        Duration::from_secs(43_200),
        false,
    );
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .user_settings(&format!(
            r#"{{"env":{{"AWS_BEARER_TOKEN_BEDROCK":"{key}"}}}}"#
        ));
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("auth.bearer");
    assert_eq!(check["status"], "fail");
    assert!(
        check["summary"].as_str().unwrap().contains("expired"),
        "{check}"
    );
}

#[test]
fn doctor_passes_a_long_term_key_and_names_the_account() {
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_BEARER_TOKEN_BEDROCK", &long_term_key("123456789012"));
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("auth.bearer");
    assert_eq!(check["status"], "pass", "{check}");
    assert!(check["summary"].as_str().unwrap().contains("123456789012"));
    assert!(
        run.check("auth.source")["summary"]
            .as_str()
            .unwrap()
            .contains("Bedrock API key")
    );
}

#[test]
fn skip_auth_with_a_key_is_a_conflict() {
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("CLAUDE_CODE_SKIP_BEDROCK_AUTH", "1")
        .env("AWS_BEARER_TOKEN_BEDROCK", &long_term_key("123456789012"));
    let run = s.run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.check("auth.bearer")["status"], "fail");
    assert_eq!(run.check("auth.source")["status"], "fail");
}

#[test]
fn authorization_headers_from_elsewhere_are_flagged() {
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .user_settings(r#"{"env":{"ANTHROPIC_CUSTOM_HEADERS":"Authorization: Bearer xyz-secret-header-value\nX-Team: ml"},"apiKeyHelper":"/bin/helper"}"#)
        .aws_credentials("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secretsecretsecret\n");
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("auth.bearer");
    assert_eq!(check["status"], "warn", "{check}");
    let text = check.to_string();
    assert!(text.contains("ANTHROPIC_CUSTOM_HEADERS"));
    assert!(text.contains("apiKeyHelper"));
    assert!(!run.stdout.contains("xyz-secret-header-value"));
}

#[test]
fn empty_string_bearer_is_flagged_for_old_clients() {
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_BEARER_TOKEN_BEDROCK", "")
        .aws_credentials("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secretsecretsecret\n");
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("auth.bearer");
    assert_eq!(check["status"], "warn");
    assert!(check["summary"].as_str().unwrap().contains("empty string"));
    assert_eq!(run.json()["context"]["auth"], "profile");
}
