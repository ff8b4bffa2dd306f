//! The calls the doctor, `models` and `setup` make — each exercising one permission Claude Code
//! needs — returning plain data or a classified [`Failure`].

use std::time::{Duration, Instant};

use aws_sdk_bedrock::types::InferenceProfileType;
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::ResponseStream;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;

use super::errors::{Failure, FailureKind, classify, error_chain};
use super::{AuthMode, Clients};
use crate::config::models::MAX_MODEL_ID_LEN;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProfileSummary {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// `SYSTEM_DEFINED` or `APPLICATION`.
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    /// Foundation-model ARNs the profile routes to.
    pub models: Vec<String>,
}

impl ProfileSummary {
    /// From the fields that `ListInferenceProfiles` and `GetInferenceProfile` both return.
    fn from_parts(
        id: &str,
        arn: &str,
        name: &str,
        kind: &InferenceProfileType,
        status: &aws_sdk_bedrock::types::InferenceProfileStatus,
        models: &[aws_sdk_bedrock::types::InferenceProfileModel],
    ) -> ProfileSummary {
        ProfileSummary {
            id: id.to_string(),
            arn: arn.to_string(),
            name: name.to_string(),
            kind: kind.as_str().to_string(),
            status: status.as_str().to_string(),
            models: models
                .iter()
                .filter_map(|m| m.model_arn().map(str::to_string))
                .collect(),
        }
    }

    pub fn is_application(&self) -> bool {
        self.kind == "APPLICATION"
    }

    /// Whether the profile serves an Anthropic model.
    pub fn is_anthropic(&self) -> bool {
        self.id.contains("anthropic.") || self.models.iter().any(|m| m.contains("anthropic."))
    }

    /// Whether `model_id` (a foundation-model ID) is one of the models behind this profile.
    pub fn contains_model(&self, model_id: &str) -> bool {
        self.models
            .iter()
            .any(|arn| arn.rsplit('/').next() == Some(model_id))
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProfileList {
    pub profiles: Vec<ProfileSummary>,
    pub pages: usize,
}

impl ProfileList {
    /// A profile by ID or ARN.
    pub fn find(&self, id_or_arn: &str) -> Option<&ProfileSummary> {
        self.profiles
            .iter()
            .find(|p| p.id == id_or_arn || p.arn == id_or_arn)
    }
}

async fn bounded<T>(
    clients: &Clients,
    future: impl Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    // Without credentials nothing signed is sent: every call reports the provider's failure.
    if clients.auth == AuthMode::SigV4
        && let Some(err) = &clients.credential_error
    {
        return Err(Failure::new(
            FailureKind::CredentialProvider,
            err.message.clone(),
        ));
    }
    // A backstop above the SDK's own timeouts, for credential providers that ignore them.
    match tokio::time::timeout(clients.timeout + Duration::from_secs(2), future).await {
        Ok(result) => result,
        Err(_) => Err(Failure::new(
            FailureKind::Timeout,
            format!("no answer within {} s", clients.timeout.as_secs_f64()),
        )),
    }
}

/// An identifier Bedrock would refuse anyway, refused before the SDK builds a request with it
/// (it cannot build a URI of 64 KiB and more): from a pin or from a server's answer alike.
fn too_long(id: &str) -> Option<Failure> {
    (id.len() > MAX_MODEL_ID_LEN).then(|| {
        Failure::new(
            FailureKind::InvalidModelId,
            format!(
                "the identifier is {} characters long; Bedrock takes at most {MAX_MODEL_ID_LEN}",
                id.len()
            ),
        )
    })
}

fn bearer(clients: &Clients) -> bool {
    clients.auth == AuthMode::Bearer
}

/// `ListInferenceProfiles`, both types concurrently, every page.
pub(crate) async fn list_profiles(clients: &Clients) -> Result<ProfileList, Failure> {
    let (system, application) = tokio::join!(
        list_type(clients, InferenceProfileType::SystemDefined),
        list_type(clients, InferenceProfileType::Application),
    );
    let (mut system, application) = (system?, application?);
    system.profiles.extend(application.profiles);
    system.pages += application.pages;
    Ok(system)
}

async fn list_type(clients: &Clients, kind: InferenceProfileType) -> Result<ProfileList, Failure> {
    let mut list = ProfileList::default();
    let mut next_token: Option<String> = None;
    let mut seen_tokens = std::collections::HashSet::new();
    loop {
        let page = bounded(clients, async {
            clients
                .bedrock
                .list_inference_profiles()
                .type_equals(kind.clone())
                .max_results(1000)
                .set_next_token(next_token.clone())
                .send()
                .await
                .map_err(|e| classify(&e, bearer(clients)))
        })
        .await?;
        list.pages += 1;
        list.profiles
            .extend(page.inference_profile_summaries().iter().map(|p| {
                ProfileSummary::from_parts(
                    p.inference_profile_id(),
                    p.inference_profile_arn(),
                    p.inference_profile_name(),
                    p.r#type(),
                    p.status(),
                    p.models(),
                )
            }));
        next_token = page
            .next_token()
            .map(str::to_string)
            .filter(|t| !t.is_empty());
        let Some(token) = &next_token else {
            return Ok(list);
        };
        // A token handed out twice means the listing never ends (a broken gateway or proxy
        // cache); 100 pages of 1000 profiles is far beyond any real account as well.
        if !seen_tokens.insert(token.clone()) || list.pages >= 100 {
            return Err(Failure::new(
                FailureKind::PaginationLoop,
                format!(
                    "the listing of {} profiles did not end: after {} pages the endpoint {}",
                    kind.as_str(),
                    list.pages,
                    if list.pages >= 100 && seen_tokens.len() == list.pages {
                        "was still handing out new nextTokens"
                    } else {
                        "handed back a nextToken it had already given"
                    }
                ),
            ));
        }
    }
}

/// `GetInferenceProfile` on an ID or ARN.
pub(crate) async fn get_profile(
    clients: &Clients,
    id_or_arn: &str,
) -> Result<ProfileSummary, Failure> {
    if let Some(failure) = too_long(id_or_arn) {
        return Err(failure);
    }
    bounded(clients, async {
        let p = clients
            .bedrock
            .get_inference_profile()
            .inference_profile_identifier(id_or_arn)
            .send()
            .await
            .map_err(|e| classify(&e, bearer(clients)))?;
        Ok(ProfileSummary::from_parts(
            p.inference_profile_id(),
            p.inference_profile_arn(),
            p.inference_profile_name(),
            p.r#type(),
            p.status(),
            p.models(),
        ))
    })
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// `sts:GetCallerIdentity`.
pub(crate) async fn caller_identity(clients: &Clients) -> Result<Identity, Failure> {
    bounded(clients, async {
        let out = clients
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| classify(&e, false))?;
        Ok(Identity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
        })
    })
    .await
}

/// The outcome of a one-token request.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub ok: bool,
    pub failure: Option<Failure>,
    pub duration_ms: u64,
}

impl Probe {
    fn from(result: Result<(), Failure>, started: Instant) -> Probe {
        Probe {
            ok: result.is_ok(),
            failure: result.err(),
            duration_ms: started.elapsed().as_millis() as u64,
        }
    }
}

/// A one-token `InvokeModel`.
/// `region`: `None` for the configured region, or the Haiku-class model's own region.
pub(crate) async fn invoke(clients: &Clients, model_id: &str, region: Option<&str>) -> Probe {
    // The one-token request Claude Code itself sends to probe a model, as observed.
    invoke_body(
        clients,
        model_id,
        region,
        crate::knowledge::observed().probe_body(),
    )
    .await
}

/// The one-token `InvokeModel` with a beta in the body's `anthropic_beta`, as Claude Code
/// sends a beta on Bedrock.
pub(crate) async fn invoke_with_beta(
    clients: &Clients,
    model_id: &str,
    region: Option<&str>,
    beta: &str,
) -> Probe {
    let mut body: serde_json::Value =
        serde_json::from_str(&crate::knowledge::observed().probe_body()).unwrap_or_default();
    if let Some(object) = body.as_object_mut() {
        object.insert("anthropic_beta".into(), serde_json::json!([beta]));
    }
    invoke_body(clients, model_id, region, body.to_string()).await
}

async fn invoke_body(
    clients: &Clients,
    model_id: &str,
    region: Option<&str>,
    request_body: String,
) -> Probe {
    let started = Instant::now();
    if let Some(failure) = too_long(model_id) {
        return Probe::from(Err(failure), started);
    }
    let result = bounded(clients, async {
        let out = clients
            .runtime_for(region)
            .invoke_model()
            .model_id(model_id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(request_body))
            .send()
            .await
            .map_err(|e| classify(&e, bearer(clients)))?;
        let body: Option<serde_json::Value> = serde_json::from_slice(out.body().as_ref()).ok();
        let is_message = body
            .as_ref()
            .is_some_and(|b| b.get("type").and_then(|t| t.as_str()) == Some("message"));
        if !is_message {
            return Err(Failure::new(
                FailureKind::NotAws {
                    content_type: Some(out.content_type().to_string()),
                },
                format!(
                    "the invoke answer is not an Anthropic message (content type {})",
                    out.content_type()
                ),
            ));
        }
        Ok(())
    })
    .await;
    Probe::from(result, started)
}

/// A one-token `InvokeModelWithResponseStream`, read to its end.
pub(crate) async fn invoke_stream(
    clients: &Clients,
    model_id: &str,
    region: Option<&str>,
) -> Probe {
    let started = Instant::now();
    if let Some(failure) = too_long(model_id) {
        return Probe::from(Err(failure), started);
    }
    let result = bounded(clients, async {
        let mut out = clients
            .runtime_for(region)
            .invoke_model_with_response_stream()
            .model_id(model_id)
            .content_type("application/json")
            .accept("application/json")
            // The one-token request Claude Code itself sends to probe a model, as observed.
            .body(Blob::new(crate::knowledge::observed().probe_body()))
            .send()
            .await
            .map_err(|e| classify(&e, bearer(clients)))?;
        let mut chunks = 0;
        loop {
            match out.body.recv().await {
                Ok(Some(ResponseStream::Chunk(_))) => chunks += 1,
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(err) => {
                    let code = err.code().map(str::to_string);
                    let message = err
                        .message()
                        .map(str::to_string)
                        .unwrap_or_else(|| error_chain(&err));
                    let kind = match code.as_deref() {
                        Some("ThrottlingException") => FailureKind::Throttled,
                        _ if message.to_ascii_lowercase().contains("content type") => {
                            FailureKind::NotAws { content_type: None }
                        }
                        _ => FailureKind::Other,
                    };
                    let mut failure = Failure::new(
                        kind,
                        format!("the stream broke after {chunks} events: {message}"),
                    );
                    failure.code = code;
                    return Err(failure);
                }
            }
        }
        if chunks == 0 {
            return Err(Failure::new(
                FailureKind::Other,
                "the stream ended without a single event",
            ));
        }
        Ok(())
    })
    .await;
    Probe::from(result, started)
}
