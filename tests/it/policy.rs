//! `claude-bedrock policy` against the loopback fake: exactly the ARNs the configuration needs
//! (the fake's profiles say where each routes), and the fake, evaluating the generated policy as
//! IAM would, lets every call of the doctor through — and refuses when one resource is missing.

use serde_json::{Value, json};

use crate::support::Sandbox;
use crate::support::fake_aws::{ACCESS_KEY, FakeAws, SECRET_KEY, Scenario, bearer_key};

const OPUS: &str = "us.anthropic.claude-opus-4-6-v1";
const SONNET: &str = "global.anthropic.claude-sonnet-4-6";
const HAIKU: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const APP: &str = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/opus-prod";

fn machine(fake: &FakeAws) -> Sandbox {
    let env = json!({
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": "us-east-1",
        "ANTHROPIC_MODEL": APP,
        "ANTHROPIC_DEFAULT_OPUS_MODEL": OPUS,
        "ANTHROPIC_DEFAULT_SONNET_MODEL": SONNET,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": HAIKU,
    });
    Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(&json!({ "env": env }).to_string())
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
}

fn statement<'a>(policy: &'a Value, sid: &str) -> &'a Value {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("no {sid} in {policy:#}"))
}

fn resources(statement: &Value) -> Vec<String> {
    statement["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

fn fm(region: &str, model: &str) -> String {
    format!("arn:aws:bedrock:{region}::foundation-model/anthropic.{model}")
}

#[test]
fn the_policy_names_exactly_the_resources_of_this_configuration() {
    let fake = FakeAws::start(Scenario::healthy());
    let run = machine(&fake).run(&["policy"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy = run.json();
    let invoke = statement(&policy, "ClaudeCodeInvokeConfiguredModels");
    assert_eq!(
        invoke["Action"],
        json!([
            "bedrock:InvokeModel",
            "bedrock:InvokeModelWithResponseStream"
        ])
    );
    let mut got = resources(invoke);
    got.sort();
    let profile =
        |id: &str| format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{id}");
    let mut expected = vec![
        APP.to_string(),
        profile(OPUS),
        profile(SONNET),
        profile(HAIKU),
        fm("us-east-1", "claude-opus-4-6-v1"),
        fm("us-east-2", "claude-opus-4-6-v1"),
        fm("us-west-2", "claude-opus-4-6-v1"),
        fm("us-east-1", "claude-sonnet-4-6"),
        fm("us-west-2", "claude-sonnet-4-6"),
        fm("eu-west-1", "claude-sonnet-4-6"),
        fm("ap-northeast-1", "claude-sonnet-4-6"),
        "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6".to_string(),
        fm("us-east-1", "claude-haiku-4-5-20251001-v1:0"),
        fm("us-east-2", "claude-haiku-4-5-20251001-v1:0"),
        fm("us-west-2", "claude-haiku-4-5-20251001-v1:0"),
    ];
    expected.sort();
    assert_eq!(got, expected);
    assert!(
        got.iter().all(|r| !r.contains('*')),
        "a wildcard on invoke: {got:?}"
    );
    let market = statement(&policy, "ClaudeCodeMarketplaceSubscription");
    assert_eq!(
        market["Condition"]["StringEquals"]["aws:CalledViaLast"],
        "bedrock.amazonaws.com"
    );
    assert!(!policy.to_string().contains("CallWithBearerToken"));
    // Where each resource came from, for people.
    assert!(
        run.stderr.contains("ANTHROPIC_DEFAULT_SONNET_MODEL"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not measured"), "{}", run.stderr);
}

#[test]
fn the_generated_policy_lets_every_call_through_and_one_resource_less_does_not() {
    let policy = machine(&FakeAws::start(Scenario::healthy()))
        .run(&["policy"])
        .json();
    let enforcing = |policy: &Value| {
        let mut scenario = Scenario::healthy();
        scenario.policy = Some(policy.clone());
        FakeAws::start(scenario)
    };
    let fake = enforcing(&policy);
    let run = machine(&fake).run(&["doctor", "--json", "--no-client"]);
    assert_eq!(
        run.code, 0,
        "the generated policy is enough:\n{}",
        run.stdout
    );
    for id in [
        "iam.invoke",
        "iam.invoke-stream",
        "iam.list-inference-profiles",
        "models.sonnet",
    ] {
        assert_eq!(run.check(id)["status"], "pass", "{id}");
    }

    // Without the region-less model a global profile needs, its calls are refused.
    let mut tight = policy.clone();
    let invoke = tight["Statement"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["Sid"] == "ClaudeCodeInvokeConfiguredModels")
        .unwrap();
    let kept: Vec<Value> = invoke["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r.as_str() != Some("arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6")
        })
        .cloned()
        .collect();
    invoke["Resource"] = Value::Array(kept);
    let fake = enforcing(&tight);
    let run = machine(&fake).run(&["doctor", "--json", "--no-client"]);
    assert_eq!(run.code, 1);
    let sonnet = run.check("models.sonnet");
    assert_eq!(sonnet["status"], "fail", "{sonnet:#}");
    assert!(
        sonnet.to_string().contains("bedrock:InvokeModel"),
        "{sonnet:#}"
    );
}

#[test]
fn a_bearer_key_and_offline_are_said_in_the_policy() {
    let run = Sandbox::new()
        .user_settings(
            &json!({"env": {
                "CLAUDE_CODE_USE_BEDROCK": "1",
                "AWS_REGION": "us-east-1",
                "AWS_BEARER_TOKEN_BEDROCK": bearer_key(),
                "ANTHROPIC_DEFAULT_OPUS_MODEL": OPUS,
            }})
            .to_string(),
        )
        .run(&["policy", "--offline", "--sid-prefix", "Team"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy = run.json();
    assert!(
        statement(&policy, "TeamBedrockApiKey")["Action"]
            .to_string()
            .contains("bedrock:CallWithBearerToken")
    );
    let invoke = resources(statement(&policy, "TeamInvokeConfiguredModels"));
    // The key says the account; where the profile routes is not measured offline: said, and
    // kept to that one model.
    assert!(invoke.contains(&format!(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/{OPUS}"
    )));
    assert!(
        invoke.contains(
            &"arn:aws:bedrock:*::foundation-model/anthropic.claude-opus-4-6-v1".to_string()
        )
    );
    assert!(run.stderr.contains("not measured"), "{}", run.stderr);
    // An unpinned tier's candidates are all in, each named.
    assert!(run.stderr.contains("a candidate of"), "{}", run.stderr);
    let bad = Sandbox::new().run(&["policy", "--offline", "--sid-prefix", "no spaces"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn a_global_profile_pinned_by_its_arn_is_granted_what_the_call_needs() {
    let arn = format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{SONNET}");
    let sandbox = |fake: &FakeAws| {
        Sandbox::new()
            .env("AWS_ENDPOINT_URL", &fake.url)
            .user_settings(
                &json!({"env": {
                    "CLAUDE_CODE_USE_BEDROCK": "1",
                    "AWS_REGION": "us-east-1",
                    "ANTHROPIC_DEFAULT_SONNET_MODEL": arn,
                }})
                .to_string(),
            )
            .aws_credentials(&format!(
                "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
            ))
    };
    let policy = sandbox(&FakeAws::start(Scenario::healthy()))
        .run(&["policy"])
        .json();
    let invoke = resources(statement(&policy, "ClaudeCodeInvokeConfiguredModels"));
    assert!(
        invoke.contains(&"arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6".into()),
        "{invoke:?}"
    );
    let mut scenario = Scenario::healthy();
    scenario.policy = Some(policy);
    let fake = FakeAws::start(scenario);
    let run = sandbox(&fake).run(&["doctor", "--json", "--no-client"]);
    assert_eq!(
        run.check("models.sonnet")["status"],
        "pass",
        "{}",
        run.stdout
    );
}

#[test]
fn when_no_candidate_answers_every_candidate_is_granted_and_that_is_said() {
    // The caller may list profiles but not invoke: which model a tier settles on is unknown.
    let mut scenario = Scenario::healthy();
    scenario.policy = Some(json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["bedrock:ListInferenceProfiles", "bedrock:GetInferenceProfile"],
            "Resource": "*"
        }]
    }));
    let fake = FakeAws::start(scenario);
    let run = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1"}}"#)
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
        .run(&["policy"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("no candidate answered"),
        "{}",
        run.stderr
    );
    let invoke = resources(statement(&run.json(), "ClaudeCodeInvokeConfiguredModels"));
    let sonnets = invoke
        .iter()
        .filter(|r| r.contains(":inference-profile/") && r.contains("sonnet"))
        .count();
    assert!(sonnets >= 2, "every Sonnet candidate: {invoke:?}");
    assert!(invoke.iter().all(|r| !r.ends_with("/*")), "{invoke:?}");
}

#[test]
fn a_hung_listing_is_named_as_why_the_policy_is_not_measured() {
    let mut scenario = Scenario::healthy();
    scenario.hang = vec!["ListInferenceProfiles".into()];
    let fake = FakeAws::start(scenario);
    let run = machine(&fake).run(&["policy", "--timeout", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("not measured: ListInferenceProfiles failed"),
        "{}",
        run.stderr
    );
    let invoke = resources(statement(&run.json(), "ClaudeCodeInvokeConfiguredModels"));
    assert!(!invoke.iter().any(|r| r == "*"), "{invoke:?}");
}

/// A gateway or intercepting proxy answering GetInferenceProfile with `*`, a wildcard ARN, an ARN
/// of another partition or one with a newline and quotes: none of it is granted; each is named on
/// stderr and the routes are handled as unmeasured.
#[test]
fn routes_an_answer_names_are_granted_only_when_they_are_concrete_model_arns() {
    let hostile = "us.anthropic.claude-opus-4-8";
    let fake = FakeAws::start(
        serde_json::from_value(json!({
            "extra_profiles": [{
                "inferenceProfileName": "US Anthropic Claude Opus 4.8",
                "inferenceProfileArn": format!("arn:aws:bedrock:us-east-1:123456789012:inference-profile/{hostile}"),
                "inferenceProfileId": hostile,
                "models": [
                    {"modelArn": "*"},
                    {"modelArn": "arn:aws:bedrock:*::foundation-model/*"},
                    {"modelArn": "arn:aws-cn:bedrock:cn-north-1::foundation-model/anthropic.claude-opus-4-6-v1"},
                    {"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-6-v1\"],\"Action\":\"*\n"}
                ],
                "status": "ACTIVE",
                "type": "SYSTEM_DEFINED"
            }]
        }))
        .unwrap(),
    );
    let env = json!({
        "CLAUDE_CODE_USE_BEDROCK": "1",
        "AWS_REGION": "us-east-1",
        "ANTHROPIC_DEFAULT_OPUS_MODEL": hostile,
        "ANTHROPIC_DEFAULT_SONNET_MODEL": "us.anthropic.claude-sonnet-4-6",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": HAIKU,
    });
    let run = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(&json!({ "env": env }).to_string())
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ))
        .run(&["policy"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let policy = run.json();
    let invoke = resources(statement(&policy, "ClaudeCodeInvokeConfiguredModels"));
    assert!(!invoke.iter().any(|r| r == "*"), "{invoke:?}");
    assert!(
        invoke
            .iter()
            .all(|r| r.starts_with("arn:aws:bedrock:") && !r.contains('"') && !r.contains('\n')),
        "{invoke:?}"
    );
    // Nothing the server named stands: the routes are unmeasured, and get the narrowest
    // wildcard for the profile's own model, never the server's.
    assert!(
        !invoke.contains(&"arn:aws:bedrock:*::foundation-model/*".to_string()),
        "{invoke:?}"
    );
    assert!(
        invoke
            .contains(&"arn:aws:bedrock:*::foundation-model/anthropic.claude-opus-4-8".to_string()),
        "{invoke:?}"
    );
    for said in [
        "\"*\"",
        "cn-north-1",
        "not in this region's partition",
        "not granted",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.contains("GetInferenceProfile named"))
            .count(),
        4,
        "{}",
        run.stderr
    );
}
