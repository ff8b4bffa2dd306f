//! The doctor against a loopback fake AWS, one scenario per failure Claude Code users meet. Each
//! scenario file in fixtures/scenarios says what the report must contain and how the run exits.

use crate::support::Sandbox;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario, bearer_key};
use crate::support::keys::long_term_key;

/// A machine configured for Bedrock against `fake`, with credentials as the scenario asks.
pub(crate) fn sandbox_for(fake: &FakeAws) -> Sandbox {
    let scenario = fake.scenario();
    let mut env = serde_json::json!({
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": scenario.region,
        "ANTHROPIC_DEFAULT_OPUS_MODEL": "us.anthropic.claude-opus-4-6-v1",
        "ANTHROPIC_DEFAULT_SONNET_MODEL": "us.anthropic.claude-sonnet-4-6",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    });
    for (name, value) in &scenario.env {
        let value = value
            .as_str()
            .unwrap_or_default()
            .replace("{url}", &fake.url);
        env[name] = serde_json::Value::String(value);
    }
    let settings = serde_json::json!({ "env": env }).to_string();
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(&settings);
    let keys = |id: &str, secret: &str| {
        format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n")
    };
    match scenario.auth.as_deref().unwrap_or("keys") {
        "keys" => sandbox.aws_credentials(&keys(ACCESS_KEY, SECRET_KEY)),
        "unknown-key" => sandbox.aws_credentials(&keys("AKIDUNKNOWN000000000", SECRET_KEY)),
        "wrong-secret" => {
            sandbox.aws_credentials(&keys(ACCESS_KEY, "not/the/right/secret/at/all/0123456789"))
        }
        "bearer" => sandbox.env("AWS_BEARER_TOKEN_BEDROCK", &bearer_key()),
        "bearer-wrong" => sandbox.env("AWS_BEARER_TOKEN_BEDROCK", &long_term_key("999999999999")),
        other => panic!("unknown auth {other}"),
    }
}

fn run_scenario(name: &str) {
    let fake = FakeAws::start(Scenario::load(name));
    let sandbox = sandbox_for(&fake);
    let run = sandbox.run(&["doctor", "--json", "--timeout", "2"]);
    let expect = &fake.scenario().expect;
    let report = run.json();
    crate::documents::doctor(&report);
    for (id, status) in &expect.checks {
        let check = run.check(id);
        assert_eq!(
            &check["status"],
            status,
            "{name}: {id} should be {status}:\n{}",
            serde_json::to_string_pretty(&check).unwrap()
        );
    }
    for (id, text) in &expect.contains {
        let check = serde_json::to_string(&run.check(id)).unwrap();
        let text = serde_json::to_string(text.as_str().unwrap()).unwrap();
        let text = text.trim_matches('"');
        assert!(
            check.contains(text),
            "{name}: {id} should contain {text}:\n{check}"
        );
    }
    assert_eq!(
        run.code,
        expect.exit,
        "{name}: exit code\n{}",
        serde_json::to_string_pretty(&report["checks"]).unwrap()
    );
    // Every request the doctor made reached the fake and was authenticated as configured.
    assert!(
        !fake.seen().is_empty(),
        "{name}: no request reached the fake"
    );
}

macro_rules! scenarios {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_scenario($file);
            }
        )*

        #[test]
        fn every_scenario_file_has_a_test() {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let mut tested = vec![$($file.to_string()),*];
            tested.sort();
            assert_eq!(files, tested);
        }
    };
}

scenarios! {
    healthy => "healthy",
    model_not_enabled => "model-not-enabled",
    use_case_form => "use-case-form",
    marketplace => "marketplace",
    marketplace_everywhere => "marketplace-everywhere",
    on_demand_throughput => "on-demand",
    invalid_model_identifier => "invalid-model-id",
    legacy_model => "legacy-model",
    throttled => "throttled",
    authorization_header_missing => "auth-header-missing",
    iam_denies_invoke => "iam-denied-invoke",
    iam_denies_stream => "iam-denied-stream",
    iam_denies_list => "iam-denied-list",
    expired_token => "expired-token",
    unknown_access_key => "unknown-access-key",
    wrong_secret_key => "wrong-secret",
    bearer_key_accepted => "bearer",
    bearer_key_rejected => "bearer-rejected",
    proxy_answers_with_html => "proxy-html",
    latency => "latency",
    hung_stream => "hung-stream",
    pagination => "pagination",
    application_profile => "application-profile",
    get_profile_denied => "get-profile-denied",
    application_profile_get_denied => "application-profile-get-denied",
    one_million_refused => "one-million-refused",
}

#[test]
fn requests_are_signed_the_way_claude_code_signs_them() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake).run(&["doctor", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let seen = fake.seen();
    for operation in [
        "GetCallerIdentity",
        "ListInferenceProfiles",
        "GetInferenceProfile",
        "InvokeModel",
        "InvokeModelWithResponseStream",
    ] {
        let calls: Vec<_> = seen.iter().filter(|s| s.operation == operation).collect();
        assert!(!calls.is_empty(), "{operation} was not called");
        assert!(
            calls.iter().all(|s| s.auth_scheme == "sigv4" && s.auth_ok),
            "{operation}: {calls:?}"
        );
    }
    // The probe body is Claude Code's own one-token request.
    let invoke = seen.iter().find(|s| s.operation == "InvokeModel").unwrap();
    assert!(invoke.body.contains("\"max_tokens\":1"), "{}", invoke.body);
    // Both profile types were listed.
    assert!(
        seen.iter()
            .filter(|s| s.operation == "ListInferenceProfiles")
            .count()
            >= 2
    );
}

#[test]
fn a_bearer_key_in_settings_only_is_the_one_used() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox_for(&fake)
        .env("AWS_BEARER_TOKEN_BEDROCK", &long_term_key("999999999999"))
        .local_settings(&format!(
            r#"{{"env":{{"AWS_BEARER_TOKEN_BEDROCK":"{}"}}}}"#,
            bearer_key()
        ));
    let run = sandbox.run(&["doctor", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        fake.seen()
            .iter()
            .filter(|s| s.operation != "GetCallerIdentity")
            .all(|s| s.auth_scheme == "bearer" && s.auth_ok)
    );
}

#[test]
fn a_profile_in_settings_only_is_the_one_used() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox_for(&fake)
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = AKIDUNKNOWN000000000\naws_secret_access_key = x\n[work]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
        .project_settings(r#"{"env":{"AWS_PROFILE":"work"}}"#);
    let run = sandbox.run(&["doctor", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["context"]["profile"], "work");
}

#[test]
fn an_aws_profile_makes_environment_keys_ignored() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox_for(&fake)
        .env("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN000000000")
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .env("AWS_PROFILE", "default");
    let run = sandbox.run(&["doctor", "--json"]);
    assert_eq!(
        run.check("auth.identity")["status"],
        "pass",
        "{}",
        run.stdout
    );
    assert_eq!(run.check("auth.source")["status"], "warn");
}

#[test]
fn offline_makes_no_network_call() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake).run(&["doctor", "--offline", "--json"]);
    assert_eq!(run.code, 0);
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
    let doc = run.json();
    assert_eq!(doc["context"]["mode"], "offline");
    for id in ["auth.identity", "iam.invoke", "models.opus"] {
        assert_eq!(run.check(id)["status"], "skip");
        assert!(
            run.check(id)["summary"]
                .as_str()
                .unwrap()
                .contains("--offline")
        );
    }
}

#[test]
fn verbose_human_report_lists_every_call() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = sandbox_for(&fake).run(&["doctor", "-v"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("Calls"), "{}", run.stdout);
    assert!(
        run.stdout.contains("STS.GetCallerIdentity"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Bedrock Runtime.InvokeModelWithResponseStream"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&fake.url), "{}", run.stdout);
}

#[test]
fn unreachable_endpoint_fails_fast_with_a_clear_message() {
    // A port nothing listens on: connection refused, reported per check, never a hang.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &format!("http://127.0.0.1:{port}"))
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .env("AWS_REGION", "us-east-1")
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ));
    let run = sandbox.run(&["doctor", "--json", "--timeout", "2"]);
    assert_eq!(run.code, 1);
    let check = run.check("iam.list-inference-profiles");
    assert_eq!(check["status"], "fail");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{check}"
    );
}

#[test]
fn the_haiku_model_is_probed_in_its_own_region() {
    let mut scenario = Scenario::healthy();
    scenario.other_regions = vec!["us-west-2".into()];
    let fake = FakeAws::start(scenario);
    let sandbox = sandbox_for(&fake)
        .local_settings(r#"{"env":{"ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION":"us-west-2"}}"#);
    let run = sandbox.run(&["doctor", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let haiku_calls: Vec<_> = fake
        .seen()
        .into_iter()
        .filter(|s| s.model.as_deref() == Some("us.anthropic.claude-haiku-4-5-20251001-v1:0"))
        .collect();
    assert_eq!(haiku_calls.len(), 2, "{haiku_calls:?}");
    assert!(
        haiku_calls
            .iter()
            .all(|s| s.signing_region.as_deref() == Some("us-west-2"))
    );
    let others = fake.seen().into_iter().filter(|s| {
        s.operation == "InvokeModel"
            && s.model.as_deref() != Some("us.anthropic.claude-haiku-4-5-20251001-v1:0")
    });
    assert!(
        others
            .into_iter()
            .all(|s| s.signing_region.as_deref() == Some("us-east-1"))
    );
    assert!(
        run.check("models.haiku")
            .to_string()
            .contains("called in us-west-2")
    );
}

#[test]
fn a_proxy_set_only_in_settings_is_the_one_the_checks_use() {
    let fake = FakeAws::start(Scenario::healthy());
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://127.0.0.1:{}", dead.local_addr().unwrap().port());
    drop(dead);
    // The shell has no proxy; the project settings route everything through a dead one.
    let sandbox = sandbox_for(&fake).local_settings(&format!(
        r#"{{"env":{{"HTTPS_PROXY":"{proxy}","HTTP_PROXY":"{proxy}"}}}}"#
    ));
    let run = sandbox.run(&["doctor", "--json", "--timeout", "2"]);
    let list = run.check("iam.list-inference-profiles");
    assert_eq!(list["status"], "fail", "{list}");
    assert!(
        fake.seen().is_empty(),
        "requests bypassed the proxy: {:?}",
        fake.seen()
    );
    // NO_PROXY exempts the endpoint, as it would for Claude Code.
    let exempt = sandbox_for(&fake).local_settings(&format!(
        r#"{{"env":{{"HTTPS_PROXY":"{proxy}","HTTP_PROXY":"{proxy}","NO_PROXY":"127.0.0.1"}}}}"#
    ));
    let run = exempt.run(&["doctor", "--json", "--timeout", "2"]);
    assert_eq!(run.check("iam.list-inference-profiles")["status"], "pass");
}

#[test]
fn an_sso_profile_without_a_session_gets_the_login_command() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = sandbox_for(&fake)
        .aws_config("[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n")
        .local_settings(r#"{"env":{"AWS_PROFILE":"corp"}}"#);
    let run = sandbox.run(&["doctor", "--json", "--timeout", "2"]);
    let identity = run.check("auth.identity");
    assert_eq!(identity["status"], "fail", "{identity}");
    assert!(
        identity["summary"]
            .as_str()
            .unwrap()
            .contains("SSO session for profile \"corp\""),
        "{identity}"
    );
    assert_eq!(identity["fix"], "Run: aws sso login --profile corp");
    // Nothing reached the fake: there were no credentials to sign with.
    assert!(
        fake.seen()
            .iter()
            .all(|s| s.operation != "GetCallerIdentity")
    );
}

#[test]
fn one_cause_is_told_once_with_every_check_it_affects() {
    let fake = FakeAws::start(Scenario::load("marketplace-everywhere"));
    let sandbox = sandbox_for(&fake);
    let run = sandbox.run(&["doctor", "--json", "--timeout", "2"]);
    let doc = run.json();
    let failed: Vec<&serde_json::Value> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(failed.len(), 8, "{}", run.stdout);
    // JSON keeps every check, each linked to the one cause.
    for check in &failed {
        assert_eq!(check["cause"], "aws.marketplace", "{check}");
        assert!(
            check["fix"]
                .as_str()
                .unwrap()
                .contains("aws-marketplace:Subscribe")
        );
    }
    let causes = doc["causes"].as_array().unwrap();
    assert_eq!(causes.len(), 1, "{}", doc["causes"]);
    assert_eq!(causes[0]["id"], "aws.marketplace");
    assert_eq!(causes[0]["checks"][0], "iam.invoke");
    assert_eq!(causes[0]["checks"].as_array().unwrap().len(), 8);
    assert_eq!(doc["summary"]["causes"], 1);

    for format in ["human", "markdown"] {
        let run = sandbox.run(&["doctor", "--format", format, "--timeout", "2"]);
        assert_eq!(run.code, 1);
        let out = &run.stdout;
        assert_eq!(
            out.matches("aws:CalledViaLast").count(),
            1,
            "{format}: the fix once\n{out}"
        );
        assert_eq!(
            out.matches("(aws-marketplace:ViewSubscriptions,").count(),
            1,
            "{format}: AWS's message once\n{out}"
        );
        assert!(
            out.contains("1 problem"),
            "{format}: one problem, not eight\n{out}"
        );
    }
    // The checklist (-v) still shows what is each check's own.
    let verbose = sandbox.run(&["doctor", "-v", "--timeout", "2"]);
    assert!(
        verbose.stdout.contains("CLAUDE_CODE_SUBAGENT_MODEL unset"),
        "{}",
        verbose.stdout
    );
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn the_live_calls_take_the_path_claude_code_takes() {
    let fake = FakeAws::start(Scenario::healthy());
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let doctor = |sandbox: Sandbox| sandbox.run(&["doctor", "--json", "--timeout", "3"]);
    // Claude Code sends an http:// endpoint past HTTPS_PROXY: so do the live calls.
    let run = doctor(sandbox_for(&fake).env("HTTPS_PROXY", &dead));
    assert_eq!(run.check("iam.invoke")["status"], "pass", "{}", run.stdout);
    assert_eq!(run.check("auth.identity")["status"], "pass");
    // HTTP_PROXY it does use: the calls go to the dead proxy and fail, as the client's would.
    let run = doctor(sandbox_for(&fake).env("HTTP_PROXY", &dead));
    assert_eq!(run.check("iam.invoke")["status"], "fail", "{}", run.stdout);
    // And NO_PROXY, read as Claude Code reads it, sends them past it again.
    let run = doctor(
        sandbox_for(&fake)
            .env("HTTP_PROXY", &dead)
            .env("NO_PROXY", "127.0.0.1"),
    );
    assert_eq!(run.check("iam.invoke")["status"], "pass", "{}", run.stdout);
}
