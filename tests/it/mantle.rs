//! `mantle.endpoint` and `mantle.models` against the loopback Mantle fake: SigV4 for service
//! `bedrock-mantle`, the bearer key in whichever header the endpoint accepts, the model list,
//! one-token messages plain and streamed, and the ways Mantle refuses.

use crate::support::Sandbox;
use claude_bedrock::knowledge::MantleBearerHeader;

use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario, bearer_key};
use crate::support::fake_mantle::{BearerStyle, FakeMantle, MantleScenario};

/// Mantle on, pointed at `mantle`; every other AWS endpoint at the fake AWS.
fn sandbox(mantle: &FakeMantle, aws: &FakeAws, models: &[(&str, &str)]) -> Sandbox {
    let mut s = Sandbox::new()
        .env("CLAUDE_CODE_USE_MANTLE", "1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &aws.url)
        .env("ANTHROPIC_BEDROCK_MANTLE_BASE_URL", &mantle.base_url)
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ));
    for (name, value) in models {
        s = s.env(name, value);
    }
    s
}

const PINNED: &[(&str, &str)] = &[
    (
        "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "anthropic.claude-sonnet-4-6",
    ),
    (
        "ANTHROPIC_DEFAULT_HAIKU_MODEL",
        "anthropic.claude-haiku-4-5",
    ),
];

fn text(check: &serde_json::Value) -> String {
    serde_json::to_string(check).unwrap()
}

#[test]
fn sigv4_for_bedrock_mantle_lists_and_calls_every_pinned_model() {
    let mantle = FakeMantle::start(MantleScenario::default());
    let aws = FakeAws::start(Scenario::healthy());
    let run = sandbox(&mantle, &aws, PINNED).run(&["doctor", "--json", "--timeout", "3"]);
    let endpoint = run.check("mantle.endpoint");
    assert_eq!(endpoint["status"], "pass", "{endpoint:#}");
    assert_eq!(
        endpoint["summary"],
        "127.0.0.1 answers; authenticated with SigV4 (service bedrock-mantle)"
    );
    let models = run.check("mantle.models");
    assert_eq!(models["status"], "pass", "{models:#}");
    let summary = models["summary"].as_str().unwrap();
    assert!(
        summary.contains("anthropic.claude-sonnet-4-6 answers (message "),
        "{summary}"
    );
    assert!(
        summary.contains("anthropic.claude-haiku-4-5 answers"),
        "{summary}"
    );
    assert!(text(&models).contains("GET /v1/models lists 3: anthropic.claude-opus-4-6"));
    let seen = mantle.seen();
    assert!(
        seen.iter().all(|s| s.auth == "sigv4" && s.auth_ok),
        "{seen:#?}"
    );
    assert!(
        seen.iter()
            .any(|s| s.method == "GET" && s.path == "/v1/models")
    );
    let messages: Vec<_> = seen
        .iter()
        .filter(|s| s.path == "/anthropic/v1/messages")
        .collect();
    assert_eq!(messages.len(), 4, "{seen:#?}");
    assert!(
        messages
            .iter()
            .all(|s| s.anthropic_version.as_deref() == Some("2023-06-01"))
    );
    assert_eq!(messages.iter().filter(|s| s.stream).count(), 2);
    // -vv lists the Mantle calls with the others.
    let calls = run.json()["calls"].clone();
    assert!(
        text(&calls).contains("bedrock-mantle.CreateMessage(stream)"),
        "{calls:#}"
    );
}

#[test]
fn the_bearer_key_is_tried_in_both_headers_and_the_accepted_one_named() {
    for (style, accepted, refused) in [
        (BearerStyle::XApiKey, "x-api-key", "Authorization: Bearer"),
        (
            BearerStyle::Authorization,
            "Authorization: Bearer",
            "x-api-key",
        ),
    ] {
        let mantle = FakeMantle::start(MantleScenario {
            bearer_style: style,
            ..MantleScenario::default()
        });
        let aws = FakeAws::start(Scenario::healthy());
        let key = bearer_key();
        let run = sandbox(&mantle, &aws, PINNED)
            .env("AWS_BEARER_TOKEN_BEDROCK", &key)
            .run(&["doctor", "--json", "--timeout", "3"]);
        let endpoint = run.check("mantle.endpoint");
        // Only the header the client itself sends makes a working setup.
        let client_sends = match claude_bedrock::knowledge::observed().mantle_bearer_header {
            MantleBearerHeader::XApiKey => "x-api-key",
            MantleBearerHeader::Authorization => "Authorization: Bearer",
        };
        if accepted == client_sends {
            assert_eq!(endpoint["status"], "pass", "{endpoint:#}");
            assert_eq!(
                endpoint["summary"],
                format!("127.0.0.1 answers; authenticated with the bearer key in {accepted}")
            );
        } else {
            assert_eq!(endpoint["status"], "fail", "{endpoint:#}");
            assert!(
                endpoint["summary"].as_str().unwrap().starts_with(&format!(
                    "this endpoint takes the bearer key only in {accepted}, and Claude Code (as seen in "
                )),
                "{endpoint:#}"
            );
            assert!(
                endpoint["fix"]
                    .as_str()
                    .unwrap()
                    .contains("unset AWS_BEARER_TOKEN_BEDROCK"),
                "{endpoint:#}"
            );
        }
        let all = text(&endpoint);
        assert!(
            all.contains(&format!("bearer key in {accepted}: accepted")),
            "{all}"
        );
        assert!(
            all.contains(&format!(
                "bearer key in {refused}: 401 Missing Authentication Token"
            )),
            "{all}"
        );
        assert_eq!(run.check("mantle.models")["status"], "pass");
        assert!(!run.stdout.contains(&key), "the key leaked");
    }
}

#[test]
fn an_inference_profile_id_sent_to_mantle_is_flagged_with_the_mantle_id() {
    let mantle = FakeMantle::start(MantleScenario::default());
    let aws = FakeAws::start(Scenario::healthy());
    let run = sandbox(
        &mantle,
        &aws,
        &[(
            "ANTHROPIC_DEFAULT_SONNET_MODEL",
            "us.anthropic.claude-sonnet-4-6",
        )],
    )
    .run(&["doctor", "--json", "--timeout", "3"]);
    let check = run.check("mantle.models");
    assert_eq!(check["status"], "fail", "{check:#}");
    let summary = check["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("us.anthropic.claude-sonnet-4-6 is a Bedrock inference-profile/model ID, which Mantle does not serve (400 invalid_request_error"),
        "{summary}"
    );
    assert_eq!(
        check["fix"],
        "Pin the Mantle ID instead: ANTHROPIC_DEFAULT_SONNET_MODEL=anthropic.claude-sonnet-4-6."
    );
}

#[test]
fn a_not_granted_account_is_told_to_contact_the_account_team() {
    let mantle = FakeMantle::start(MantleScenario {
        not_granted: true,
        ..MantleScenario::default()
    });
    let aws = FakeAws::start(Scenario::healthy());
    let run = sandbox(&mantle, &aws, PINNED).run(&["doctor", "--json", "--timeout", "3"]);
    let check = run.check("mantle.endpoint");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(
        check["summary"].as_str().unwrap().contains(
            "the account is not granted access to Mantle in us-east-1 (403 permission_error)"
        ),
        "{check:#}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains("ask your AWS account team")
    );
    assert_eq!(run.check("mantle.models")["status"], "skip");
    // The credentials themselves were fine: the fake verified the signature.
    assert!(mantle.seen().iter().all(|s| s.auth_ok));
}

#[test]
fn a_missing_create_inference_permission_gets_its_statement() {
    let mantle = FakeMantle::start(MantleScenario {
        deny_create_inference: true,
        ..MantleScenario::default()
    });
    let aws = FakeAws::start(Scenario::healthy());
    let run = sandbox(&mantle, &aws, PINNED).run(&["doctor", "--json", "--timeout", "3"]);
    let check = run.check("mantle.models");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("IAM denies bedrock-mantle:CreateInference (403)"),
        "{check:#}"
    );
    let fix = check["fix"].as_str().unwrap();
    assert!(fix.contains("\"bedrock-mantle:CreateInference\""), "{fix}");
    assert!(
        fix.contains("arn:aws:bedrock-mantle:*:*:project/default"),
        "{fix}"
    );
}

#[test]
fn a_stream_that_stops_early_fails() {
    let mantle = FakeMantle::start(MantleScenario {
        truncate_streams: true,
        ..MantleScenario::default()
    });
    let aws = FakeAws::start(Scenario::healthy());
    let check = sandbox(&mantle, &aws, PINNED)
        .run(&["doctor", "--json", "--timeout", "3"])
        .check("mantle.models");
    assert_eq!(check["status"], "fail", "{check:#}");
    assert!(
        text(&check).contains("the stream ended without message_stop (1 events)"),
        "{check:#}"
    );
}

#[test]
fn mantle_is_skipped_unless_on_or_asked_for() {
    let mantle = FakeMantle::start(MantleScenario::default());
    let aws = FakeAws::start(Scenario::healthy());
    let s = sandbox(&mantle, &aws, PINNED)
        .env("CLAUDE_CODE_USE_MANTLE", "")
        .env("CLAUDE_CODE_USE_BEDROCK", "1");
    let run = s.run(&["doctor", "--json", "--timeout", "3"]);
    let check = run.check("mantle.endpoint");
    assert_eq!(check["status"], "skip");
    assert!(
        check["summary"]
            .as_str()
            .unwrap()
            .contains("`doctor --mantle`")
    );
    assert!(mantle.seen().is_empty());
    let run = s.run(&["doctor", "--mantle", "--json", "--timeout", "3"]);
    let check = run.check("mantle.endpoint");
    assert_eq!(check["status"], "pass", "{check:#}");
    assert!(text(&check).contains("checked because of --mantle"));
    // With Bedrock on as well, only Mantle-form IDs go to Mantle.
    assert!(
        run.check("mantle.models")["summary"]
            .as_str()
            .unwrap()
            .contains("anthropic.claude-sonnet-4-6 answers")
    );
    let offline = s.run(&["doctor", "--mantle", "--offline", "--json"]);
    assert_eq!(offline.check("mantle.endpoint")["status"], "skip");
}
