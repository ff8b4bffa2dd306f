//! The minimal IAM policy statements Claude Code needs, as documented, so that a denial can be
//! answered with the exact statement that grants the missing action.

use serde_json::{Value, json};

/// The resources of the documented policy for Bedrock model actions, in `region`'s partition.
fn model_resources(region: &str) -> [String; 3] {
    let partition = crate::config::models::partition_of(region);
    [
        format!("arn:{partition}:bedrock:*:*:inference-profile/*"),
        format!("arn:{partition}:bedrock:*:*:application-inference-profile/*"),
        format!("arn:{partition}:bedrock:*:*:foundation-model/*"),
    ]
}

/// The statement that grants `action` (for calls in `region`), pretty-printed.
pub(crate) fn statement_for(action: &str, region: &str) -> String {
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
            "Resource": format!(
                "arn:{}:bedrock-mantle:*:*:project/default",
                crate::config::models::partition_of(region)
            )
        }),
        _ => json!({
            "Effect": "Allow",
            "Action": [action],
            "Resource": model_resources(region)
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

// ---- the least-privilege policy for one configuration ----

use crate::config::models::{ModelId, ModelIdKind, partition_of};

/// One model the configuration calls, and what is known of where it runs.
#[derive(Debug, Clone)]
pub(crate) struct ModelGrant {
    /// Why it is in the policy: `ANTHROPIC_DEFAULT_OPUS_MODEL`, `a candidate of the Sonnet tier`.
    pub why: String,
    pub model: ModelId,
    /// The region the call is made in.
    pub region: String,
    /// The foundation-model ARNs the profile routes to (`GetInferenceProfile`); `None` when not
    /// measured.
    pub routes: Option<Vec<String>>,
}

/// Everything the policy is made from.
#[derive(Debug, Clone)]
pub(crate) struct PolicyRequest {
    pub sid_prefix: String,
    /// From STS or the key; `None` leaves the account a wildcard.
    pub account: Option<String>,
    pub models: Vec<ModelGrant>,
    /// A Bedrock API key is used: `bedrock:CallWithBearerToken`.
    pub bearer: bool,
    /// Mantle is used, in this region.
    pub mantle: Option<String>,
    /// What the caller could not measure (a tier none of whose candidates answered).
    pub unmeasured: Vec<String>,
}

/// The policy document, and for each resource where it came from.
#[derive(Debug, Clone)]
pub(crate) struct LeastPrivilege {
    pub document: Value,
    /// `resource — why`, for people.
    pub explanation: Vec<String>,
    /// What could not be measured and was left to a documented wildcard.
    pub unresolved: Vec<String>,
}

/// The policy that lets exactly this configuration work: each model's profile and the
/// foundation model in every region it routes to, never `*` for the invoke actions.
pub(crate) fn least_privilege(request: &PolicyRequest) -> LeastPrivilege {
    let account = request.account.as_deref().unwrap_or("*");
    let mut invoke: Vec<String> = Vec::new();
    let mut profiles: Vec<String> = Vec::new();
    let mut explanation: Vec<String> = Vec::new();
    let mut unresolved: Vec<String> = request.unmeasured.clone();
    if request.account.is_none() {
        unresolved.push("the account (no identity could be had): `*` in its place".into());
    }
    for grant in &request.models {
        let id = &grant.model.id;
        let region = &grant.region;
        let why = &grant.why;
        let partition = partition_of(region);
        // A pattern is not a model: granting it would grant every model it matches.
        if id.contains(['*', '?']) {
            unresolved.push(format!(
                "{id} ({why}) is a pattern, not a model: left out rather than granted as a wildcard"
            ));
            continue;
        }
        let profile_arn = match &grant.model.kind {
            ModelIdKind::CrossRegionProfile { .. } => Some(format!(
                "arn:{partition}:bedrock:{region}:{account}:inference-profile/{id}"
            )),
            ModelIdKind::SystemProfileArn { .. } | ModelIdKind::ApplicationProfileArn { .. } => {
                Some(id.clone())
            }
            ModelIdKind::FoundationModel => {
                add(
                    &mut invoke,
                    &mut explanation,
                    format!("arn:{partition}:bedrock:{region}::foundation-model/{id}"),
                    format!("{why} (a foundation model, called in {region})"),
                );
                None
            }
            ModelIdKind::FoundationModelArn { .. } => {
                add(&mut invoke, &mut explanation, id.clone(), why.clone());
                None
            }
            _ => {
                unresolved.push(format!(
                    "{id} ({why}) is not a Bedrock identifier the Invoke API takes: left out"
                ));
                None
            }
        };
        let Some(profile_arn) = profile_arn else {
            continue;
        };
        add(
            &mut invoke,
            &mut explanation,
            profile_arn.clone(),
            format!("{why} (the inference profile)"),
        );
        add(
            &mut profiles,
            &mut Vec::new(),
            profile_arn.clone(),
            String::new(),
        );
        let base = base_model(id);
        // An answer is not trusted as written: only a concrete foundation-model ARN in this
        // partition is granted; anything else is named and handled as an unmeasured route.
        let routes: Option<Vec<String>> = grant.routes.as_ref().map(|routes| {
            routes
                .iter()
                .filter(|route| match checked_route(route, partition) {
                    Ok(()) => true,
                    Err(why) => {
                        unresolved.push(format!(
                            "GetInferenceProfile named \"{}\" as a route of {id}: {why}, so it is not granted",
                            shown(route)
                        ));
                        false
                    }
                })
                .cloned()
                .collect()
        });
        match &routes {
            Some(routes) if !routes.is_empty() => {
                for route in routes {
                    add(
                        &mut invoke,
                        &mut explanation,
                        route.clone(),
                        format!("{why} (a region its profile routes to)"),
                    );
                }
            }
            _ => {
                let wildcard = match &base {
                    Some(base) => format!("arn:{partition}:bedrock:*::foundation-model/{base}"),
                    None => format!("arn:{partition}:bedrock:*::foundation-model/*"),
                };
                unresolved.push(format!(
                    "the regions {id} routes to (unknown without an answer from GetInferenceProfile): {wildcard}"
                ));
                add(
                    &mut invoke,
                    &mut explanation,
                    wildcard,
                    format!("{why} (every region its profile may route to)"),
                );
            }
        }
        // A global profile is authorised on the region-less foundation model as well; so is an
        // application profile copied from one, which routes across geographies.
        let routes = routes.as_deref().unwrap_or_default();
        let global = grant.model.prefix() == Some("global")
            || (matches!(grant.model.kind, ModelIdKind::ApplicationProfileArn { .. })
                && spans_geographies(routes));
        let base = base.or_else(|| routes.iter().find_map(|route| base_model(route)));
        if global && let Some(base) = &base {
            add(
                &mut invoke,
                &mut explanation,
                format!("arn:{partition}:bedrock:::foundation-model/{base}"),
                format!("{why} (a global profile: the region-less model)"),
            );
        }
    }
    let sid = |name: &str| format!("{}{name}", request.sid_prefix);
    let mut statements = Vec::new();
    if !invoke.is_empty() {
        statements.push(json!({
            "Sid": sid("InvokeConfiguredModels"),
            "Effect": "Allow",
            "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            "Resource": invoke,
        }));
    }
    statements.push(json!({
        "Sid": sid("ListInferenceProfiles"),
        "Effect": "Allow",
        "Action": ["bedrock:ListInferenceProfiles"],
        "Resource": "*",
    }));
    if !profiles.is_empty() {
        statements.push(json!({
            "Sid": sid("ReadConfiguredProfiles"),
            "Effect": "Allow",
            "Action": ["bedrock:GetInferenceProfile"],
            "Resource": profiles,
        }));
    }
    let mut marketplace = marketplace();
    marketplace["Sid"] = json!(sid("MarketplaceSubscription"));
    statements.push(marketplace);
    if request.bearer {
        statements.push(json!({
            "Sid": sid("BedrockApiKey"),
            "Effect": "Allow",
            "Action": ["bedrock:CallWithBearerToken"],
            "Resource": "*",
        }));
    }
    if let Some(region) = &request.mantle {
        let mut actions = vec!["bedrock-mantle:CreateInference"];
        if request.bearer {
            actions.push("bedrock-mantle:CallWithBearerToken");
        }
        statements.push(json!({
            "Sid": sid("Mantle"),
            "Effect": "Allow",
            "Action": actions,
            "Resource": format!(
                "arn:{}:bedrock-mantle:{region}:{account}:project/default",
                partition_of(region)
            ),
        }));
    }
    LeastPrivilege {
        document: json!({ "Version": "2012-10-17", "Statement": statements }),
        explanation,
        unresolved,
    }
}

/// Whether `arn` is `arn:<partition>:bedrock:<a concrete region>::foundation-model/<a model ID>`:
/// what a profile's route must be before it is granted.
fn checked_route(arn: &str, partition: &str) -> Result<(), String> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, arn_partition, service, region, account, resource] = fields.as_slice() else {
        return Err("not an ARN".into());
    };
    if *scheme != "arn" || *service != "bedrock" || !account.is_empty() {
        return Err("not a foundation-model ARN".into());
    }
    if *arn_partition != partition {
        return Err(format!("not in this region's partition ({partition})"));
    }
    let concrete = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if !concrete(region) || !region.contains('-') {
        return Err("not in a concrete region".into());
    }
    let Some(model) = resource.strip_prefix("foundation-model/") else {
        return Err("not a foundation-model ARN".into());
    };
    let model_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    if model.is_empty() || model.len() > 256 || !model.chars().all(model_char) {
        return Err("not a model ID (a wildcard, a control character or a stray sign)".into());
    }
    Ok(())
}

/// A value from an answer as it may be quoted: control characters out, at most 120 characters.
fn shown(text: &str) -> String {
    let kept: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    if text.chars().count() > 120 {
        format!("{kept}…")
    } else {
        kept
    }
}

/// Adds `arn` to `list` once, saying why.
fn add(list: &mut Vec<String>, explanation: &mut Vec<String>, arn: String, why: String) {
    if !list.contains(&arn) {
        explanation.push(format!("{arn} — {why}"));
        list.push(arn);
    }
}

/// Whether foundation-model ARNs lie in more than one geography (`us-…` and `eu-…`): a
/// geographic profile routes within one, a global one across them.
fn spans_geographies(routes: &[String]) -> bool {
    let mut geographies: Vec<&str> = routes
        .iter()
        .filter_map(|arn| arn.split(':').nth(3))
        .filter(|region| !region.is_empty())
        .map(|region| region.split('-').next().unwrap_or(region))
        .collect();
    geographies.sort_unstable();
    geographies.dedup();
    geographies.len() > 1
}

/// `us.anthropic.claude-opus-4-6-v1` → `anthropic.claude-opus-4-6-v1`.
fn base_model(id: &str) -> Option<String> {
    let tail = id.rsplit('/').next().unwrap_or(id);
    let anthropic = tail.find("anthropic.")?;
    Some(tail[anthropic..].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(id: &str, routes: Option<&[&str]>) -> ModelGrant {
        ModelGrant {
            why: format!("pin {id}"),
            model: ModelId::parse(id),
            region: "us-east-1".into(),
            routes: routes.map(|r| r.iter().map(std::string::ToString::to_string).collect()),
        }
    }

    fn invoke_resources(policy: &LeastPrivilege) -> Vec<String> {
        policy.document["Statement"][0]["Resource"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn each_profile_and_every_region_it_routes_to_and_no_wildcard() {
        let policy = least_privilege(&PolicyRequest {
            sid_prefix: "ClaudeCode".into(),
            account: Some("123456789012".into()),
            models: vec![
                grant(
                    "us.anthropic.claude-opus-4-6-v1",
                    Some(&[
                        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-6-v1",
                        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-opus-4-6-v1",
                    ]),
                ),
                grant(
                    "global.anthropic.claude-haiku-4-5-20251001-v1:0",
                    Some(&[
                        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
                    ]),
                ),
            ],
            bearer: false,
            mantle: None,
            unmeasured: Vec::new(),
        });
        assert_eq!(
            invoke_resources(&policy),
            [
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-6-v1",
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-6-v1",
                "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-opus-4-6-v1",
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0",
                "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
                "arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
            ]
        );
        assert!(policy.unresolved.is_empty(), "{:?}", policy.unresolved);
        let text = policy.document.to_string();
        assert!(text.contains("\"aws:CalledViaLast\":\"bedrock.amazonaws.com\""));
        assert!(!text.contains("CallWithBearerToken"));
    }

    #[test]
    fn what_was_not_measured_is_said_and_wildcarded_narrowly() {
        let policy = least_privilege(&PolicyRequest {
            sid_prefix: "X".into(),
            account: None,
            models: vec![grant("us.anthropic.claude-sonnet-4-6", None)],
            bearer: true,
            mantle: Some("us-east-1".into()),
            unmeasured: Vec::new(),
        });
        assert_eq!(
            invoke_resources(&policy),
            [
                "arn:aws:bedrock:us-east-1:*:inference-profile/us.anthropic.claude-sonnet-4-6",
                "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-6",
            ]
        );
        assert_eq!(policy.unresolved.len(), 2, "{:?}", policy.unresolved);
        let text = policy.document.to_string();
        assert!(text.contains("bedrock:CallWithBearerToken"));
        assert!(text.contains("bedrock-mantle:CreateInference"));
        assert!(text.contains("bedrock-mantle:CallWithBearerToken"));
        assert!(text.contains("\"Sid\":\"XInvokeConfiguredModels\""));
    }

    fn request(region: &str, models: Vec<ModelGrant>) -> PolicyRequest {
        PolicyRequest {
            sid_prefix: "ClaudeCode".into(),
            account: Some("123456789012".into()),
            models: models
                .into_iter()
                .map(|g| ModelGrant {
                    region: region.into(),
                    ..g
                })
                .collect(),
            bearer: false,
            mantle: Some(region.into()),
            unmeasured: Vec::new(),
        }
    }

    #[test]
    fn arns_carry_the_partition_of_the_region() {
        let policy = least_privilege(&request(
            "us-gov-west-1",
            vec![
                grant("us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0", None),
                grant("anthropic.claude-3-haiku-20240307-v1:0", None),
            ],
        ));
        let resources = invoke_resources(&policy);
        assert_eq!(
            resources,
            [
                "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws-us-gov:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            ]
        );
        assert!(
            policy.document.to_string().contains(
                "arn:aws-us-gov:bedrock-mantle:us-gov-west-1:123456789012:project/default"
            )
        );
    }

    #[test]
    fn a_global_profile_given_as_an_arn_gets_the_region_less_model_too() {
        let arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-6";
        let policy = least_privilege(&request(
            "us-east-1",
            vec![grant(
                arn,
                Some(&["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4-6"]),
            )],
        ));
        assert_eq!(
            invoke_resources(&policy),
            [
                arn,
                "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-sonnet-4-6",
                "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6",
            ]
        );
    }

    #[test]
    fn a_route_an_answer_names_is_granted_only_when_it_is_a_concrete_model_arn() {
        let policy = least_privilege(&request(
            "us-east-1",
            vec![grant(
                "us.anthropic.claude-sonnet-4-6",
                Some(&[
                    "*",
                    "arn:aws:bedrock:*::foundation-model/*",
                    "arn:aws:bedrock:us-west-2::foundation-model/*",
                    "arn:aws-cn:bedrock:cn-north-1::foundation-model/anthropic.claude-sonnet-4-6",
                    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6\"],\"Action\":\"*",
                    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6\nx",
                    "arn:aws:iam::123456789012:role/admin",
                    "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-6",
                ]),
            )],
        ));
        assert_eq!(
            invoke_resources(&policy),
            [
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6",
                "arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-6",
            ]
        );
        assert_eq!(
            policy
                .unresolved
                .iter()
                .filter(|u| u.starts_with("GetInferenceProfile named"))
                .count(),
            7,
            "{:#?}",
            policy.unresolved
        );
        assert!(policy.unresolved.iter().all(|u| !u.contains('\n')));
        // Nothing valid: the routes are unmeasured, and get the narrowest wildcard for the model.
        let policy = least_privilege(&request(
            "us-east-1",
            vec![grant("us.anthropic.claude-sonnet-4-6", Some(&["*"]))],
        ));
        assert!(invoke_resources(&policy).contains(
            &"arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-6".to_string()
        ));
        assert!(!invoke_resources(&policy).contains(&"*".to_string()));
    }

    #[test]
    fn a_pattern_is_left_out_never_granted_and_empty_routes_are_not_measured() {
        let policy = least_privilege(&request(
            "us-east-1",
            vec![
                grant(
                    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/*",
                    None,
                ),
                grant("us.anthropic.claude-sonnet-4-6", Some(&[])),
            ],
        ));
        let resources = invoke_resources(&policy);
        assert!(
            resources.iter().all(|r| !r.ends_with("/*")),
            "{resources:?}"
        );
        assert!(
            resources.contains(
                &"arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-6".to_string()
            ),
            "{resources:?}"
        );
        assert_eq!(policy.unresolved.len(), 2, "{:?}", policy.unresolved);
        assert!(policy.unresolved[0].contains("a pattern"));
    }

    #[test]
    fn an_application_profile_copied_from_a_global_one_gets_the_region_less_model() {
        let app = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team";
        let fm = |region: &str| {
            format!("arn:aws:bedrock:{region}::foundation-model/anthropic.claude-sonnet-4-6")
        };
        let (us_east, us_west, eu) = (fm("us-east-1"), fm("us-west-2"), fm("eu-west-1"));
        let region_less = "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6";
        let global = least_privilege(&request(
            "us-east-1",
            vec![grant(app, Some(&[&us_east, &eu]))],
        ));
        assert!(invoke_resources(&global).contains(&region_less.to_string()));
        let geographic = least_privilege(&request(
            "us-east-1",
            vec![grant(app, Some(&[&us_east, &us_west]))],
        ));
        assert!(!invoke_resources(&geographic).contains(&region_less.to_string()));
    }

    #[test]
    fn the_statement_in_a_denial_is_in_the_region_s_partition() {
        let statement = statement_for("bedrock:InvokeModel", "us-gov-west-1");
        assert!(statement.contains("arn:aws-us-gov:bedrock:*:*:inference-profile/*"));
        assert!(!statement.contains("arn:aws:"), "{statement}");
        let mantle = statement_for("bedrock-mantle:CreateInference", "cn-north-1");
        assert!(mantle.contains("arn:aws-cn:bedrock-mantle:"), "{mantle}");
    }
}
