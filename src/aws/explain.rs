//! One place that turns a classified failure into the sentence a user reads and the exact fix.

use crate::aws::AuthMode;
use crate::aws::errors::{Failure, FailureKind};
use crate::aws::ops::ProfileList;
use crate::aws::policy;
use crate::config::EffectiveConfig;
use crate::config::aws_files::ProfileKind;
use crate::config::credentials::CredentialSource;
use crate::config::models::{ModelIdKind, ModelName, profile_form};
use crate::report::Status;

/// What was being attempted when the failure happened.
pub(crate) struct Attempt<'a> {
    /// `ListInferenceProfiles`, `InvokeModel`, …
    pub operation: &'a str,
    /// The IAM action the operation needs.
    pub action: &'a str,
    pub endpoint: &'a str,
    pub model: Option<&'a str>,
    pub auth: AuthMode,
    pub profiles: Option<&'a ProfileList>,
    /// How long the call was given.
    pub timeout: std::time::Duration,
    /// The region the call was made in, when not the configured one (the small/fast region).
    pub region: Option<&'a str>,
}

impl<'a> Attempt<'a> {
    /// `ListInferenceProfiles` on the control plane.
    pub(crate) fn list_profiles(clients: &'a crate::aws::Clients) -> Attempt<'a> {
        Attempt {
            operation: "ListInferenceProfiles",
            action: "bedrock:ListInferenceProfiles",
            endpoint: &clients.control_endpoint,
            model: None,
            auth: clients.auth,
            profiles: None,
            timeout: clients.timeout,
            region: None,
        }
    }

    /// A one-token `InvokeModel` (or its streaming twin when `stream`) of `model`.
    pub(crate) fn invoke(
        clients: &'a crate::aws::Clients,
        stream: bool,
        model: &'a str,
        profiles: Option<&'a ProfileList>,
    ) -> Attempt<'a> {
        let (operation, action) = if stream {
            (
                "InvokeModelWithResponseStream",
                "bedrock:InvokeModelWithResponseStream",
            )
        } else {
            ("InvokeModel", "bedrock:InvokeModel")
        };
        Attempt {
            operation,
            action,
            endpoint: &clients.runtime_endpoint,
            model: Some(model),
            auth: clients.auth,
            profiles,
            timeout: clients.timeout,
            region: None,
        }
    }

    /// The same call made in `region` (`None`: the configured one), on that region's runtime.
    pub(crate) fn in_region(
        mut self,
        clients: &'a crate::aws::Clients,
        region: Option<&'a str>,
    ) -> Attempt<'a> {
        if let (Some(wanted), Some((small_fast, url))) =
            (region, &clients.endpoints.small_fast_runtime)
            && wanted == small_fast
        {
            if let Ok(url) = url {
                self.endpoint = url.as_str();
            }
            self.region = Some(small_fast.as_str());
        }
        self
    }
}

pub struct Explanation {
    pub status: Status,
    pub summary: String,
    pub fix: String,
    /// What the service (or the SDK) said, verbatim but scrubbed: support engineers search for it.
    pub evidence: String,
    /// The same, as a person reads it: one line (see [`crate::aws::errors::plain_words`]);
    /// `None` where nothing was said (no answer came).
    pub said: Option<String>,
    /// What other failures this one is the same problem as (see [`cause_of`]).
    pub cause: String,
}

impl Explanation {
    pub fn into_check(self, id: &str, title: &str) -> crate::report::CheckResult {
        let mut check = crate::report::CheckResult::new(id, title, self.status, self.summary)
            .fix(self.fix)
            .cause(self.cause);
        check.said = self.said;
        check
            .details
            .push(crate::report::Detail::evidence(self.evidence));
        check
    }
}

/// The cause a failure names: one per identity-wide problem (expired credentials, the
/// Marketplace actions, a proxy answering), one per action IAM denies, one per model for a
/// problem of that model, one per endpoint for a problem of the path to it.
pub(crate) fn cause_of(failure: &Failure, attempt: &Attempt<'_>) -> String {
    let name = failure.kind.name();
    match &failure.kind {
        FailureKind::AccessDenied { action } => {
            format!("aws.{name}:{}", action.as_deref().unwrap_or(attempt.action))
        }
        FailureKind::OnDemandUnsupported
        | FailureKind::InvalidModelId
        | FailureKind::LegacyModel
        | FailureKind::NotFound => {
            format!("aws.{name}:{}", attempt.model.unwrap_or(attempt.operation))
        }
        FailureKind::NotAws { .. }
        | FailureKind::Timeout
        | FailureKind::Connect
        | FailureKind::Tls
        | FailureKind::PaginationLoop => format!("aws.{name}:{}", attempt.endpoint),
        // Unclassified: only the same words are the same problem.
        FailureKind::Other => format!("aws.{name}:{}", failure.brief()),
        _ => format!("aws.{name}"),
    }
}

/// The Bedrock console's model-access page for a region.
pub(crate) fn console_model_access(region: &str) -> String {
    format!("https://{region}.console.aws.amazon.com/bedrock/home?region={region}#/modelaccess")
}

pub(crate) fn explain(
    failure: &Failure,
    attempt: &Attempt<'_>,
    config: &EffectiveConfig,
) -> Explanation {
    let region = attempt.region.unwrap_or(&config.region.value);
    let model = attempt.model.unwrap_or("the model");
    let op = attempt.operation;
    let profile = &config.profile.name;
    let evidence = format!("{} said: {}", attempt.operation, failure.brief());
    let said = (failure.kind != FailureKind::Timeout).then(|| failure.said());
    let cause = cause_of(failure, attempt);
    let fail = |summary: String, fix: String| Explanation {
        status: Status::Fail,
        summary,
        fix,
        evidence: evidence.clone(),
        said: said.clone(),
        cause: cause.clone(),
    };
    match &failure.kind {
        FailureKind::AuthHeaderMissing => {
            let fix = match attempt.auth {
                AuthMode::None => "CLAUDE_CODE_SKIP_BEDROCK_AUTH sends no Authorization: remove it unless ANTHROPIC_BEDROCK_BASE_URL points at a gateway that signs requests.".to_string(),
                _ => format!(
                    "Something between this machine and {} removes the Authorization header (a proxy or gateway); check HTTPS_PROXY and ANTHROPIC_BEDROCK_BASE_URL. Claude Code 2.1.94 also dropped the bearer header on invoke calls: use 2.1.96 or later.",
                    attempt.endpoint
                ),
            };
            fail(format!("{op}: Bedrock answered 403 \"Authorization header is missing\": no credentials reached it"), fix)
        }
        FailureKind::AccessDenied { action } => {
            let action = action.as_deref().unwrap_or(attempt.action);
            let mut fix = format!("Grant {action} to the identity Claude Code uses; the statement that grants it:\n{}\n`claude-bedrock policy` prints the least-privilege policy for the whole configuration.", policy::statement_for(action, &config.region.value));
            if attempt.auth == AuthMode::Bearer {
                fix.push_str(&format!(
                    "\nA Bedrock API key also needs bedrock:CallWithBearerToken:\n{}",
                    policy::statement_for("bedrock:CallWithBearerToken", &config.region.value)
                ));
            }
            fail(format!("{op}: IAM denies {action} to the identity Claude Code uses"), fix)
        }
        FailureKind::Marketplace => fail(
            format!("{op} on {model}: the AWS Marketplace subscription actions are denied"),
            format!(
                "Allow aws-marketplace:ViewSubscriptions and aws-marketplace:Subscribe when called via Bedrock (or have an administrator open the model once in the console):\n{}",
                policy::statement_for("aws-marketplace:Subscribe", &config.region.value)
            ),
        ),
        FailureKind::ModelNotEnabled => fail(
            format!("{model}: this account has no access to the model in {region}"),
            format!("Enable Anthropic models for the account in the Bedrock console: {}", console_model_access(region)),
        ),
        FailureKind::UseCaseRequired => fail(
            format!("{model}: Anthropic's use case form has not been submitted for this account"),
            format!(
                "Submit it once per account: open {} (or the Chat/Text playground), choose any Anthropic model and fill in the form.",
                console_model_access(region)
            ),
        ),
        FailureKind::OnDemandUnsupported => {
            let suggestion = suggest_profile(model, attempt.profiles, config);
            fail(
                format!("{model} cannot be invoked on demand: Bedrock needs an inference profile that contains it"),
                format!("Use the inference profile ID {suggestion} instead."),
            )
        }
        FailureKind::InvalidModelId => fail(
            format!("{model} is not a model identifier Bedrock knows in {region}"),
            format!("Use an ID from `claude-bedrock models --region {region}`{}.", newest_hint(model, attempt.profiles, region)),
        ),
        FailureKind::LegacyModel => fail(
            format!("{model} is marked Legacy by Anthropic and is no longer callable from this account"),
            format!("Move to a current model{}.", newest_hint(model, attempt.profiles, region)),
        ),
        FailureKind::NotFound => fail(
            format!("{op}: {} not found in {region}", attempt.model.unwrap_or("the resource")),
            format!("Check the ID and the region; `claude-bedrock models --region {region}` lists what exists."),
        ),
        FailureKind::ExpiredToken => fail(
            format!("{op}: the AWS credentials have expired"),
            refresh_fix(config),
        ),
        FailureKind::SsoExpired => fail(
            format!("{op}: the SSO session for profile \"{profile}\" has expired or was never started"),
            format!("Run: aws sso login --profile {}", crate::secret::shell_quote(profile)),
        ),
        FailureKind::InvalidCredentials => fail(
            format!("{op}: AWS does not recognise the access key"),
            credentials_fix(config),
        ),
        FailureKind::SignatureMismatch => fail(
            format!("{op}: the secret access key does not belong to the access key ID"),
            credentials_fix(config),
        ),
        FailureKind::BearerRejected => fail(
            format!("{op}: Bedrock rejected the API key"),
            format!(
                "Check that the key is current, was made for {region}, and that its IAM identity has bedrock:CallWithBearerToken and bedrock:InvokeModel:\n{}",
                policy::statement_for("bedrock:CallWithBearerToken", &config.region.value)
            ),
        ),
        FailureKind::NoCredentials => fail(
            format!("{op}: no AWS credentials could be found"),
            "Run `claude-bedrock setup`, or `aws configure sso` and set AWS_PROFILE, or set AWS_BEARER_TOKEN_BEDROCK.".into(),
        ),
        FailureKind::CredentialProvider => fail(
            format!("{op}: the credential provider failed"),
            provider_fix(config),
        ),
        FailureKind::Throttled => Explanation {
            evidence: evidence.clone(),
            said: said.clone(),
            cause: cause.clone(),
            status: Status::Warn,
            summary: format!("{op} on {model}: Bedrock throttled the call (429): the account's quota for it in {region} is used up for now"),
            fix: format!("This is a quota, not a configuration problem: retry later, or request a higher quota in Service Quotas (Amazon Bedrock, the on-demand requests and tokens per minute for this model in {region})."),
        },
        FailureKind::NotAws { .. } => fail(
            format!("{op}: something other than Bedrock answered at {}", attempt.endpoint),
            "A proxy, firewall or gateway is answering instead of Bedrock: check HTTPS_PROXY and NO_PROXY (a proxy Claude Code takes), ANTHROPIC_BEDROCK_BASE_URL and AWS_ENDPOINT_URL_* (an endpoint set by hand).".into(),
        ),
        FailureKind::Timeout => fail(
            format!("{op}: no answer from {} within {} s", attempt.endpoint, attempt.timeout.as_secs()),
            "Check the network path (VPN, proxy, firewall) to the endpoint, or raise --timeout.".into(),
        ),
        FailureKind::Connect => fail(
            format!("{op}: cannot connect to {}", attempt.endpoint),
            "Check DNS, the firewall and the proxy settings (HTTPS_PROXY, NO_PROXY), and any endpoint override (ANTHROPIC_BEDROCK_BASE_URL, AWS_ENDPOINT_URL_*).".into(),
        ),
        FailureKind::Tls => fail(
            format!("{op}: the TLS handshake with {} failed", attempt.endpoint),
            "If a corporate proxy inspects TLS, point AWS_CA_BUNDLE (AWS SDK and CLI) and NODE_EXTRA_CA_CERTS (Claude Code, exported in the shell) at its CA certificate.".into(),
        ),
        FailureKind::PaginationLoop => fail(
            format!("{op}: {}", failure.words()),
            "The endpoint that answers (a gateway or proxy in front of Bedrock?) repeats its pages; Claude Code's own listing would not end either. Fix or bypass it (NO_PROXY, ANTHROPIC_BEDROCK_BASE_URL).".into(),
        ),
        FailureKind::Other => fail(format!("{op} failed"), "What AWS said names what went wrong; `-v` lists every call made and its answer.".into()),
    }
}

fn refresh_fix(config: &EffectiveConfig) -> String {
    match &config.credentials.source {
        CredentialSource::Profile { name, kind } if kind.is_sso() => {
            format!(
                "Run: aws sso login --profile {}",
                crate::secret::shell_quote(name)
            )
        }
        CredentialSource::Profile {
            name,
            kind: ProfileKind::ConsoleLogin,
        } => format!(
            "Run: aws login --profile {}",
            crate::secret::shell_quote(name)
        ),
        CredentialSource::EnvKeys { .. } => {
            let set: Vec<&str> = [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_SECURITY_TOKEN",
            ]
            .into_iter()
            .filter(|name| config.env.get(name).is_some_and(|v| !v.is_empty()))
            .collect();
            format!(
                "The temporary credentials in {} have expired: export fresh ones (from `aws configure export-credentials`, your identity provider, or a profile).",
                set.join(", ")
            )
        }
        CredentialSource::CredentialExport { .. } => {
            "The awsCredentialExport command returned expired credentials: check what it prints."
                .into()
        }
        CredentialSource::Profile { name, .. } => format!(
            "Refresh the credentials of profile \"{name}\" (for temporary keys, obtain new ones)."
        ),
        _ => "Obtain fresh credentials.".into(),
    }
}

fn credentials_fix(config: &EffectiveConfig) -> String {
    match &config.credentials.source {
        CredentialSource::EnvKeys { .. } => "Check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN: they must come from the same credential set (no stray quotes).".into(),
        CredentialSource::Profile { name, kind } if kind.is_sso() => format!("Run: aws sso login --profile {}", crate::secret::shell_quote(name)),
        CredentialSource::Profile { name, .. } => format!("Re-enter the keys of profile \"{name}\": aws configure --profile {}", crate::secret::shell_quote(name)),
        _ => "Check the credentials Claude Code uses (`claude-bedrock config` shows which).".into(),
    }
}

fn provider_fix(config: &EffectiveConfig) -> String {
    match &config.credentials.source {
        CredentialSource::Profile { name, kind: ProfileKind::Process } => format!("Run the credential_process of profile \"{name}\" by hand to see its error."),
        CredentialSource::Profile { name, kind: ProfileKind::AssumeRole { .. } } => format!("Check the source profile of \"{name}\" and the role's trust policy."),
        CredentialSource::Profile { name, kind } if kind.is_sso() => format!("Run: aws sso login --profile {}", crate::secret::shell_quote(name)),
        CredentialSource::CredentialExport { .. } => "Run the awsCredentialExport command by hand: it must print {\"Credentials\":{…}}.".into(),
        _ => "Run `aws sts get-caller-identity` with the same profile to see the provider's own error.".into(),
    }
}

/// The inference profile to use instead of an on-demand foundation-model ID: one from the
/// account's list that contains the model, preferring the region's prefix.
pub(crate) fn suggest_profile(
    model: &str,
    profiles: Option<&ProfileList>,
    config: &EffectiveConfig,
) -> String {
    let prefix = crate::config::models::default_prefix_for_region(&config.region.value);
    let bare = model.rsplit('/').next().unwrap_or(model);
    if let Some(list) = profiles {
        let mut containing: Vec<&str> = list
            .profiles
            .iter()
            .filter(|p| !p.is_application() && p.contains_model(bare))
            .map(|p| p.id.as_str())
            .collect();
        containing.sort_by_key(|id| {
            (
                !id.starts_with(&format!("{prefix}.")),
                !id.starts_with("global."),
                id.to_string(),
            )
        });
        if let Some(best) = containing.first() {
            return (*best).to_string();
        }
    }
    profile_form(bare, prefix).unwrap_or_else(|| format!("{prefix}.{bare}"))
}

/// ": the newest Opus here is us.anthropic.…" when the list has a newer model of the family.
fn newest_hint(model: &str, profiles: Option<&ProfileList>, region: &str) -> String {
    let (Some(name), Some(list)) = (ModelName::parse(model), profiles) else {
        return String::new();
    };
    let home_prefix = format!(
        "{}.",
        crate::config::models::default_prefix_for_region(region)
    );
    list.profiles
        .iter()
        .filter(|p| !p.is_application())
        .filter_map(|p| ModelName::parse(&p.id).map(|n| (n, p)))
        .filter(|(n, _)| n.family == name.family)
        // Newest first; among equals, the region's own prefix.
        .max_by_key(|(n, p)| (n.recency(), p.id.starts_with(&home_prefix)))
        .map(|(n, p)| format!(": the newest {} here is {}", n.display(), p.id))
        .unwrap_or_default()
}

/// Whether a pinned value is sent to Bedrock as is (aliases are resolved by Claude Code).
pub(crate) fn is_probeable(kind: &ModelIdKind) -> bool {
    !matches!(kind, ModelIdKind::Alias | ModelIdKind::MantleId)
}
