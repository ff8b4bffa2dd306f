//! The minimal IAM policy statements Claude Code needs, as documented, so that a denial can be
//! answered with the exact statement that grants the missing action.

use serde_json::{Value, json};

/// The resources of the documented policy for Bedrock model actions.
pub const MODEL_RESOURCES: [&str; 3] = [
    "arn:aws:bedrock:*:*:inference-profile/*",
    "arn:aws:bedrock:*:*:application-inference-profile/*",
    "arn:aws:bedrock:*:*:foundation-model/*",
];

/// The statement that grants `action`, pretty-printed.
pub fn statement_for(action: &str) -> String {
    let statement: Value = match action {
        "aws-marketplace:ViewSubscriptions" | "aws-marketplace:Subscribe" => marketplace(),
        "bedrock:CallWithBearerToken" | "bedrock-mantle:CallWithBearerToken" => json!({
            "Effect": "Allow",
            "Action": [action],
            "Resource": "*"
        }),
        "bedrock-mantle:CreateInference" => json!({
            "Effect": "Allow",
            "Action": ["bedrock-mantle:CreateInference"],
            "Resource": "arn:aws:bedrock-mantle:*:*:project/default"
        }),
        _ => json!({
            "Effect": "Allow",
            "Action": [action],
            "Resource": MODEL_RESOURCES
        }),
    };
    serde_json::to_string_pretty(&statement).unwrap_or_default()
}

fn marketplace() -> Value {
    json!({
        "Effect": "Allow",
        "Action": ["aws-marketplace:ViewSubscriptions", "aws-marketplace:Subscribe"],
        "Resource": "*",
        "Condition": { "StringEquals": { "aws:CalledViaLast": "bedrock.amazonaws.com" } }
    })
}

/// The whole documented policy, for `models.*` findings that need several actions.
pub fn full_policy(bearer: bool) -> String {
    let mut actions = vec![
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
        "bedrock:ListInferenceProfiles",
        "bedrock:GetInferenceProfile",
    ];
    if bearer {
        actions.push("bedrock:CallWithBearerToken");
    }
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            { "Sid": "AllowModelAndInferenceProfileAccess", "Effect": "Allow", "Action": actions, "Resource": MODEL_RESOURCES },
            marketplace(),
        ]
    });
    serde_json::to_string_pretty(&policy).unwrap_or_default()
}
