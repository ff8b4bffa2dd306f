//! `network.proxy` and `network.tls` against a real TLS-intercepting proxy: mitmproxy (installed
//! into a cached virtualenv on first use) between the doctor and a loopback TLS endpoint with its
//! own certificate. Interception is found from the handshake itself, not from any flag.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::support::fake_aws::{ACCESS_KEY, SECRET_KEY};
use crate::support::fake_tls::FakeTls;
use crate::support::mitm::Mitm;
use crate::support::{Run, Sandbox};

/// A Bedrock configuration whose every AWS endpoint is the loopback TLS fake.
fn sandbox(tls: &FakeTls) -> Sandbox {
    Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &tls.url())
        .env(
            "ANTHROPIC_DEFAULT_OPUS_MODEL",
            "us.anthropic.claude-opus-4-6-v1",
        )
        .env(
            "ANTHROPIC_DEFAULT_SONNET_MODEL",
            "us.anthropic.claude-sonnet-4-6",
        )
        .env(
            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        )
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
}

fn doctor(sandbox: &Sandbox) -> Run {
    sandbox.run(&["doctor", "--json", "--timeout", "3"])
}

fn text(check: &serde_json::Value) -> String {
    serde_json::to_string(check).unwrap()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn interception_is_detected_from_the_handshake_and_the_issuer_named() {
    let tls = FakeTls::start();
    let mitm = Mitm::start();
    let run = doctor(&sandbox(&tls).env("HTTPS_PROXY", &mitm.url()));
    let proxy = run.check("network.proxy");
    assert_eq!(proxy["status"], "pass", "{proxy:#}");
    assert!(
        proxy["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("1 through {} (HTTPS_PROXY)", mitm.url())),
        "{proxy:#}"
    );
    let check = run.check("network.tls");
    assert_eq!(check["status"], "fail", "{check:#}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!(
            "TLS to localhost:{} is intercepted by the proxy {}",
            tls.port,
            mitm.url()
        )),
        "{summary}"
    );
    assert!(
        summary.contains("issued by CN=mitmproxy, O=mitmproxy"),
        "{summary}"
    );
    assert!(
        summary.contains("which Claude Code does not trust"),
        "{summary}"
    );
    let fix = check["fix"].as_str().unwrap();
    // mitmproxy sends only the leaf, so the CA is named but has no fingerprint to show.
    let lines: Vec<&str> = fix.lines().collect();
    assert_eq!(
        lines[0],
        "Save the CA that issued it (CN=mitmproxy, O=mitmproxy) as a PEM file, e.g. ~/.certs/corp-ca.pem; then:",
        "{fix}"
    );
    assert!(
        lines[1].starts_with(
            "export NODE_EXTRA_CA_CERTS=~/.certs/corp-ca.pem in the shell that starts claude"
        ),
        "{fix}"
    );
    assert!(
        lines[2].starts_with("export AWS_CA_BUNDLE=~/.certs/corp-ca.pem (or add `ca_bundle"),
        "{fix}"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn an_interception_ca_exported_for_both_clients_is_reported_as_trusted() {
    let tls = FakeTls::start();
    let mitm = Mitm::start();
    let ca = mitm.ca_pem.display().to_string();
    let run = doctor(
        &sandbox(&tls)
            .env("HTTPS_PROXY", &mitm.url())
            .env("NODE_EXTRA_CA_CERTS", &ca)
            .env("AWS_CA_BUNDLE", &ca),
    );
    let check = run.check("network.tls");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert_eq!(
        check["summary"],
        "TLS is intercepted (certificates issued by CN=mitmproxy, O=mitmproxy); the CA is trusted by Claude Code and the AWS CLI"
    );
    let all = text(&check);
    assert!(
        all.contains("Claude Code trusts it (NODE_EXTRA_CA_CERTS)"),
        "{all}"
    );
    assert!(
        all.contains("the AWS CLI trusts it (AWS_CA_BUNDLE)"),
        "{all}"
    );
}

#[test]
fn node_extra_ca_certs_only_in_settings_env_is_reported_ineffective() {
    let tls = FakeTls::start();
    let mitm = Mitm::start();
    let ca = mitm.ca_pem.display().to_string();
    let s = sandbox(&tls)
        .env("HTTPS_PROXY", &mitm.url())
        .env("AWS_CA_BUNDLE", &ca)
        .user_settings(&format!(r#"{{"env":{{"NODE_EXTRA_CA_CERTS":"{ca}"}}}}"#));
    let check = doctor(&s).check("network.tls");
    assert_eq!(check["status"], "fail", "{check:#}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.contains(
            "NODE_EXTRA_CA_CERTS holds the right CA but is set only in user settings: ~/.claude/settings.json, which is ineffective"
        ),
        "{summary}"
    );
    // The fix names the exact variable and the file that verifies the chain.
    assert_eq!(
        check["fix"],
        format!(
            "export NODE_EXTRA_CA_CERTS={ca} in the shell that starts claude (e.g. in ~/.bashrc or ~/.zshrc): Node reads it only at start-up, so settings `env` is too late."
        )
    );
    assert!(text(&check).contains("the AWS CLI trusts it (AWS_CA_BUNDLE)"));
}

#[test]
fn an_intercepted_sso_path_with_aws_auth_refresh_is_a_loop_risk() {
    let tls = FakeTls::start();
    let mitm = Mitm::start();
    let s = crate::sso::with_valid_sso_session(
        sandbox(&tls)
            .env("HTTPS_PROXY", &mitm.url())
            .env("AWS_PROFILE", "dev")
            .aws_config(crate::sso::SSO_CONFIG)
            .user_settings(r#"{"awsAuthRefresh":"aws sso login --profile dev"}"#),
    );
    let check = doctor(&s).check("sso.refresh-loop");
    assert_eq!(check["status"], "warn", "{check:#}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!(
            "TLS to {} is intercepted (certificates issued by CN=mitmproxy, O=mitmproxy)",
            tls.url()
        )),
        "{summary}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .starts_with("Remove awsAuthRefresh from user settings")
    );
}

#[test]
fn a_socks_proxy_is_flagged() {
    let tls = FakeTls::start();
    let run = doctor(&sandbox(&tls).env("https_proxy", "socks5://127.0.0.1:1080"));
    let check = run.check("network.proxy");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert_eq!(
        check["summary"],
        "https_proxy is a SOCKS proxy (socks5://): Claude Code supports only HTTP and HTTPS proxies"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("Set https_proxy to an HTTP proxy")
    );
}

#[test]
fn no_proxy_sends_matching_endpoints_direct() {
    let tls = FakeTls::start();
    let dead = closed_port();
    let run = doctor(
        &sandbox(&tls)
            .env("HTTPS_PROXY", &format!("http://127.0.0.1:{dead}"))
            .env("NO_PROXY", "example.internal,localhost"),
    );
    let check = run.check("network.proxy");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("1 bypassing it (NO_PROXY)"),
        "{check:#}"
    );
    assert!(
        text(&check).contains(&format!(
            "localhost:{}: direct (NO_PROXY entry \\\"localhost\\\"), reached in",
            tls.port
        )),
        "{check:#}"
    );
    // Direct, the fake's own certificate is not intercepted — only untrusted.
    let tls_check = run.check("network.tls");
    assert!(!text(&tls_check).contains("intercepted"), "{tls_check:#}");
    assert!(
        text(&tls_check).contains("not in the public (Mozilla) roots"),
        "{tls_check:#}"
    );
}

#[test]
fn a_refused_proxy_fails_fast() {
    let tls = FakeTls::start();
    let dead = closed_port();
    let started = Instant::now();
    let run = doctor(&sandbox(&tls).env("HTTPS_PROXY", &format!("http://127.0.0.1:{dead}")));
    let check = run.check("network.proxy");
    assert_eq!(check["status"], "fail", "{check:#}");
    let summary = check["summary"].as_str().unwrap();
    assert!(summary.contains("the proxy does not answer"), "{summary}");
    assert!(summary.contains("refused"), "{summary}");
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .starts_with("Check HTTPS_PROXY")
    );
    assert_eq!(run.check("network.tls")["status"], "skip");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_silent_proxy_times_out_instead_of_hanging() {
    let tls = FakeTls::start();
    // Accepts connections (the kernel completes them) but never answers CONNECT.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let run = doctor(&sandbox(&tls).env("HTTPS_PROXY", &format!("http://127.0.0.1:{port}")));
    let elapsed = started.elapsed();
    let check = run.check("network.proxy");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("no answer within the timeout (proxy CONNECT)"),
        "{check:#}"
    );
    assert!(elapsed < Duration::from_secs(25), "took {elapsed:?}");
    drop(silent);
}
