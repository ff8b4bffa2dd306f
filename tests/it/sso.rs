//! `sso.session` and `sso.refresh-loop` over SSO cache fixtures (fixtures/sso) written into the
//! sandbox home, with a fake `aws` on PATH where the refresh command needs one. All offline: the
//! SSO checks read local files only.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration as StdDuration, SystemTime};

use claude_bedrock::doctor::facts::sso::sha1_hex;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::support::{Run, Sandbox};

pub(crate) const SSO_CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = us-west-2\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\nsso_registration_scopes = sso:account:access\n";

const LEGACY_CONFIG: &str = "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = us-east-1\n";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sso")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn at(offset: Duration) -> String {
    (OffsetDateTime::now_utc() + offset)
        .replace_nanosecond(0)
        .unwrap()
        .format(&Rfc3339)
        .unwrap()
}

/// Writes a fixture into `~/.aws/sso/cache/<sha1 of key>.json` with its times filled in, and
/// backdates the file (a fresh write is the refresh-loop check's evidence) unless `fresh`.
pub(crate) fn write_token(
    sandbox: &Sandbox,
    fixture_name: &str,
    key: &str,
    expires_in: Duration,
    fresh: bool,
) -> PathBuf {
    let text = fixture(fixture_name)
        .replace("{expires_at}", &at(expires_in))
        .replace("{registration_expires_at}", &at(Duration::days(60)));
    let path = sandbox
        .home
        .join(".aws/sso/cache")
        .join(format!("{}.json", sha1_hex(key)));
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    if !fresh {
        backdate(&path);
    }
    path
}

fn backdate(path: &Path) {
    let file = fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - StdDuration::from_secs(3 * 3600))
        .unwrap();
}

/// An SSO profile "dev" (sso-session "corp") whose token is valid for eight hours.
pub(crate) fn with_valid_sso_session(sandbox: Sandbox) -> Sandbox {
    write_token(
        &sandbox,
        "token-session.json",
        "corp",
        Duration::hours(8),
        false,
    );
    sandbox
}

/// An SSO profile "dev" used by Claude Code whose token expired 340 days ago, with no way to
/// renew it.
pub(crate) fn with_expired_sso_session(sandbox: Sandbox) -> Sandbox {
    let sandbox = sandbox
        .local_settings(r#"{"env":{"AWS_PROFILE":"dev","AWS_REGION":"us-east-1"}}"#)
        .aws_config(SSO_CONFIG);
    write_token(
        &sandbox,
        "token-legacy.json",
        "corp",
        Duration::days(-340),
        false,
    );
    sandbox
}

fn sso_sandbox() -> Sandbox {
    Sandbox::new()
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_PROFILE":"dev","AWS_REGION":"eu-west-1"}}"#)
        .aws_config(SSO_CONFIG)
}

/// `doctor --offline --json` with `path` as the whole PATH (the binary is run by its full path).
fn run_with_path(sandbox: &Sandbox, path: &str) -> Run {
    let mut command = sandbox.command(&["doctor", "--offline", "--json"]);
    command.env("PATH", path);
    Run::from(command.output().unwrap())
}

/// A directory holding an `aws` that succeeds, as `aws sso login` would.
fn fake_aws_bin(sandbox: &Sandbox) -> String {
    let dir = sandbox.root.join("bin");
    fs::create_dir_all(&dir).unwrap();
    let aws = dir.join("aws");
    fs::write(&aws, "#!/bin/sh\nexit 0\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&aws, fs::Permissions::from_mode(0o755)).unwrap();
    }
    dir.display().to_string()
}

fn text(check: &serde_json::Value) -> String {
    serde_json::to_string(check).unwrap()
}

#[test]
fn a_valid_session_passes_offline_and_no_token_is_ever_printed() {
    let s = sso_sandbox();
    write_token(&s, "token-session.json", "corp", Duration::hours(8), false);
    let cli_key = r#"{"accountId":"123456789012","roleName":"Developer","sessionName":"corp"}"#;
    let cli_cache = s
        .home
        .join(".aws/cli/cache")
        .join(format!("{}.json", sha1_hex(cli_key)));
    fs::create_dir_all(cli_cache.parent().unwrap()).unwrap();
    fs::write(
        &cli_cache,
        fixture("cli-role-credentials.json").replace("{expiration}", &at(Duration::minutes(50))),
    )
    .unwrap();
    for args in [
        &["doctor", "--offline", "--json"][..],
        &["doctor", "--offline", "-vv"][..],
    ] {
        let run = s.run(args);
        for secret in [
            "FIXTUREACCESSTOKEN",
            "FIXTUREREFRESHTOKEN",
            "FIXTURECLIENTSECRET",
            "fixtureSecretAccessKey",
            "FIXTURESESSIONTOKEN",
        ] {
            assert!(
                !run.stdout.contains(secret),
                "{secret} leaked:\n{}",
                run.stdout
            );
            assert!(
                !run.stderr.contains(secret),
                "{secret} leaked:\n{}",
                run.stderr
            );
        }
    }
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("sso.session");
    assert_eq!(check["status"], "pass", "{check:#}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("sso-session \"corp\": token valid until"),
        "{summary}"
    );
    assert!(
        summary.contains("(in 7h 59m)") || summary.contains("(in 8h 0m)"),
        "{summary}"
    );
    let all = text(&check);
    assert!(
        all.contains(&format!("~/.aws/sso/cache/{}.json", sha1_hex("corp"))),
        "{all}"
    );
    assert!(
        all.contains("sso_region us-east-1 differs from the Bedrock region eu-west-1"),
        "{all}"
    );
    assert!(all.contains("2.1.207"), "{all}");
    assert!(
        all.contains("the AWS CLI's cached role credentials"),
        "{all}"
    );
    assert_eq!(run.check("sso.refresh-loop")["status"], "pass");
    // Offline, the network and Mantle checks skip while the SSO ones ran.
    for id in [
        "network.proxy",
        "network.tls",
        "mantle.endpoint",
        "mantle.models",
    ] {
        assert_eq!(run.check(id)["status"], "skip", "{id}");
    }
}

#[test]
fn an_expired_legacy_token_gives_the_exact_login_command() {
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_PROFILE", "legacy")
        .aws_config(LEGACY_CONFIG);
    // Legacy profiles are keyed by the start URL.
    write_token(
        &s,
        "token-legacy.json",
        "https://legacy.awsapps.com/start",
        -Duration::hours(2),
        false,
    );
    let run = s.run(&["doctor", "--offline", "--json"]);
    let check = run.check("sso.session");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("the SSO token expired"),
        "{check:#}"
    );
    assert!(
        check["summary"].as_str().unwrap().contains("(2h 0m ago)"),
        "{check:#}"
    );
    assert_eq!(check["fix"], "Run: aws sso login --profile legacy");
    assert_eq!(run.code, 1);
}

#[test]
fn an_expired_session_with_a_refresh_token_is_a_warning() {
    let s = sso_sandbox();
    write_token(
        &s,
        "token-session.json",
        "corp",
        -Duration::minutes(30),
        false,
    );
    let check = s
        .run(&["doctor", "--offline", "--json"])
        .check("sso.session");
    assert_eq!(check["status"], "warn", "{check:#}");
    assert!(text(&check).contains("renew it with the cached refresh token"));
    assert!(text(&check).contains("aws sso login --profile dev"));
}

#[test]
fn no_cached_token_means_never_logged_in() {
    let run = sso_sandbox().run(&["doctor", "--offline", "--json"]);
    let check = run.check("sso.session");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(text(&check).contains("no cached SSO token for sso-session \\\"corp\\\""));
    assert_eq!(check["fix"], "Run: aws sso login --profile dev");
}

#[test]
fn refresh_through_a_proxy_is_a_loop_risk_with_the_documented_fix() {
    let s = with_valid_sso_session(sso_sandbox())
        .env("HTTPS_PROXY", "http://alice:s3cret@proxy.corp.example:3128")
        .project_settings(r#"{"awsAuthRefresh":"aws sso login --profile dev"}"#);
    let path = fake_aws_bin(&s);
    let run = run_with_path(&s, &path);
    let check = run.check("sso.refresh-loop");
    assert_eq!(check["status"], "warn", "{check:#}");
    let all = text(&check);
    assert!(
        all.contains(
            "the SSO login goes through the proxy http://alice:****@proxy.corp.example:3128"
        ),
        "{all}"
    );
    assert!(!run.stdout.contains("s3cret"));
    let fix = check["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("Remove awsAuthRefresh from shared project settings: "),
        "{fix}"
    );
    assert!(
        fix.contains("run `aws sso login --profile dev` by hand before launching claude"),
        "{fix}"
    );
    assert!(
        all.contains("offline: the SSO endpoints were not contacted"),
        "{all}"
    );
    assert!(all.contains(&format!("aws found at {path}/aws")), "{all}");
}

#[test]
fn a_refresh_command_for_another_profile_is_flagged() {
    let s = with_valid_sso_session(sso_sandbox())
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_PROFILE":"dev"},"awsAuthRefresh":"aws sso login --profile sandbox"}"#);
    let path = fake_aws_bin(&s);
    let check = run_with_path(&s, &path).check("sso.refresh-loop");
    assert_eq!(check["status"], "warn", "{check:#}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("logs in profile \"sandbox\", but Claude Code uses profile \"dev\""),
        "{check:#}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("aws sso login --profile dev")
    );
}

#[test]
fn a_refresh_command_without_aws_on_path_is_flagged() {
    let s = with_valid_sso_session(sso_sandbox())
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_PROFILE":"dev"},"awsAuthRefresh":"aws sso login --profile dev"}"#);
    let empty = s.root.join("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    let check = run_with_path(&s, &empty.display().to_string()).check("sso.refresh-loop");
    assert_eq!(check["status"], "warn", "{check:#}");
    assert!(
        text(&check).contains("runs `aws`, which is not on PATH"),
        "{check:#}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("Install the AWS CLI v2")
    );
}

#[test]
fn a_cache_rewritten_while_still_expired_is_evidence_of_a_loop() {
    let s = sso_sandbox()
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_PROFILE":"dev"},"awsAuthRefresh":"aws sso login --profile dev"}"#);
    // The token file was just rewritten, yet its token expired an hour ago; so were others.
    write_token(&s, "token-session.json", "corp", -Duration::hours(1), true);
    for n in 0..3 {
        let path = s.home.join(format!(".aws/sso/cache/registration-{n}.json"));
        fs::write(
            &path,
            fixture("client-registration.json")
                .replace("{registration_expires_at}", &at(Duration::days(90))),
        )
        .unwrap();
    }
    let path = fake_aws_bin(&s);
    let run = run_with_path(&s, &path);
    let check = run.check("sso.refresh-loop");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .starts_with("refresh loop: ~/.aws/sso/cache/"),
        "{check:#}"
    );
    let all = text(&check);
    assert!(
        all.contains("4 files in ~/.aws/sso/cache were rewritten in the last 10 minutes"),
        "{all}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("Remove awsAuthRefresh from user settings")
    );
    assert_eq!(run.code, 1);
}

#[test]
fn no_refresh_command_and_no_sso_profile_need_nothing() {
    let run = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .aws_credentials("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n")
        .run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.check("sso.session")["status"], "skip");
    assert_eq!(run.check("sso.refresh-loop")["status"], "pass");
}

#[test]
fn the_fix_for_a_refresh_loop_removes_aws_auth_refresh_from_its_file() {
    let s = with_valid_sso_session(sso_sandbox())
        .env("HTTPS_PROXY", "http://proxy.corp.example:3128")
        .project_settings(r#"{"awsAuthRefresh":"aws sso login --profile dev","theme":"dark"}"#);
    let path = fake_aws_bin(&s);
    let mut command = s.command(&["doctor", "--offline", "--fix", "--yes", "--json"]);
    command.env("PATH", &path);
    let run = Run::from(command.output().unwrap());
    let doc = run.json();
    assert_eq!(doc["status"], "applied", "{doc:#}\n{}", run.stderr);
    let project = fs::read_to_string(s.project.join(".claude/settings.json")).unwrap();
    assert_eq!(project, r#"{"theme":"dark"}"#);
    let rechecked = doc["rechecked"].to_string();
    assert!(rechecked.contains("sso.refresh-loop"), "{rechecked}");
}
