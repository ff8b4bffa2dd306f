//! Bedrock's Anthropic Messages API endpoint ("Mantle"), measured once: the base URL, the path
//! Claude Code takes to it, whether it answers (DNS, TCP, TLS through that path), which
//! authentication it takes — SigV4 for `bedrock-mantle`, or the bearer key in each header style —
//! what `GET /v1/models` lists, and how each model Claude Code will send there answers a
//! one-token message, plain and streamed. The verdicts are `crate::doctor::checks::mantle`'s.

use std::time::{Duration, Instant};

use aws_credential_types::provider::ProvideCredentials;
use futures_util::future::join_all;
use serde_json::Value;

use crate::aws::mantle::{
    Auth, BearerHeader, Ctx, Outcome, message_body, messages_url, models_url, reach,
};
use crate::aws::{AuthMode, Clients};
use crate::config::EffectiveConfig;
use crate::config::models::{ModelId, ModelIdKind};
use crate::net::http::ClientTrust;
use crate::net::proxy::{Decision, ProxyEnv};
use crate::net::{NetError, Target};

/// Regions known to serve Mantle (REFERENCE §5), and regions known not to. This is the one place
/// the list lives; anything else is checked against the AWS endpoints page.
pub const SERVED_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
];
pub const UNSERVED_REGIONS: &[&str] = &["us-west-1", "ca-central-1", "eu-west-3"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    Yes,
    No,
    Unknown,
}

pub fn region_served(region: &str) -> Served {
    if SERVED_REGIONS.contains(&region) {
        Served::Yes
    } else if UNSERVED_REGIONS.contains(&region) {
        Served::No
    } else {
        Served::Unknown
    }
}

/// Why the Mantle checks run, or why not.
pub fn wanted(config: &EffectiveConfig, flag: bool) -> Result<String, String> {
    match (&config.provider.mantle, flag) {
        (Some(source), _) => Ok(format!(
            "CLAUDE_CODE_USE_MANTLE ({})",
            config.describe(source)
        )),
        (None, true) => Ok("--mantle".into()),
        (None, false) => Err(
            "Mantle is off (CLAUDE_CODE_USE_MANTLE unset); `doctor --mantle` checks it anyway"
                .into(),
        ),
    }
}

/// A model Claude Code will send to Mantle, and the setting that names it.
#[derive(Debug, Clone)]
pub struct MantleTarget {
    pub setting: String,
    pub id: ModelId,
}

/// Mantle-form IDs always go to Mantle; with only Mantle on, every other pinned ID goes there too.
pub fn targets(config: &EffectiveConfig) -> Vec<MantleTarget> {
    let mantle_only = config.provider.mantle.is_some() && config.provider.bedrock.is_none();
    let mut targets: Vec<MantleTarget> = Vec::new();
    for model in &config.models {
        let goes_there = match &model.id.kind {
            ModelIdKind::MantleId => true,
            ModelIdKind::CrossRegionProfile { .. }
            | ModelIdKind::FoundationModel
            | ModelIdKind::SystemProfileArn { .. }
            | ModelIdKind::ApplicationProfileArn { .. }
            | ModelIdKind::FoundationModelArn { .. } => mantle_only,
            _ => false,
        };
        if goes_there && !targets.iter().any(|t| t.id.id == model.id.id) {
            targets.push(MantleTarget {
                setting: model.setting.clone(),
                id: model.id.clone(),
            });
        }
    }
    targets
}

/// How the requests were authenticated, and what each way of doing it got.
pub enum AuthFacts {
    /// `CLAUDE_CODE_SKIP_MANTLE_AUTH` / `CLAUDE_CODE_SKIP_BEDROCK_AUTH`: no credentials.
    Skipped,
    /// The bearer key, tried in each header style; the accepted one (else `Authorization`) used.
    Bearer {
        tries: Vec<(BearerHeader, Outcome)>,
    },
    SigV4,
    /// No SigV4 credentials resolved.
    NoCredentials,
    /// The credential provider failed, in its words.
    CredentialError(String),
    /// The credential provider did not answer within the timeout.
    CredentialTimeout,
}

/// The probes of one model.
pub struct ModelProbe {
    pub target: MantleTarget,
    pub message: Outcome,
    pub stream: Outcome,
}

/// What the Mantle session measured, stage by stage; a stage that could not be reached is `None`.
pub struct MantleFacts {
    /// Why Mantle was checked (`CLAUDE_CODE_USE_MANTLE (…)`, `--mantle`).
    pub why: String,
    pub base: String,
    pub region: String,
    /// `ANTHROPIC_BEDROCK_MANTLE_BASE_URL` is set.
    pub custom: bool,
    pub default_host: String,
    /// The base URL parsed, or why not.
    pub target: Result<Target, String>,
    /// The proxy decision for the host (when the URL parsed).
    pub decision: Option<Decision>,
    /// DNS, TCP and TLS, and how long they took (when a route was usable).
    pub reach: Option<(Result<(), NetError>, u64)>,
    pub auth: Option<AuthFacts>,
    /// The authentication the model list (and the probes) used.
    pub auth_used: Option<Auth>,
    /// `GET /v1/models` with it.
    pub list: Option<Outcome>,
    /// Each model Claude Code will send to Mantle, probed when the list answered.
    pub probes: Vec<ModelProbe>,
}

impl MantleFacts {
    /// The models `GET /v1/models` listed, when it answered 200 with a list.
    pub fn served(&self) -> Option<Vec<String>> {
        let Some(Ok(response)) = &self.list else {
            return None;
        };
        if response.status != 200 {
            return None;
        }
        let json: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        json.get("data").and_then(Value::as_array).map(|data| {
            data.iter()
                .filter_map(|m| m.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
    }

    /// The endpoint answered the listing with the credentials: the models can be probed.
    pub fn usable(&self) -> bool {
        self.auth_used.is_some() && matches!(&self.list, Some(Ok(r)) if r.status == 200)
    }
}

/// Measures the Mantle session, stage by stage, stopping where a stage leaves nothing to try.
pub async fn gather(
    config: &EffectiveConfig,
    clients: &Clients,
    trust: &ClientTrust,
    why: &str,
    timeout: Duration,
) -> MantleFacts {
    let base = crate::aws::endpoints::mantle_base(config);
    let region = config.region.value.clone();
    let mut facts = MantleFacts {
        why: why.to_string(),
        target: Target::parse(&base),
        base,
        default_host: format!("bedrock-mantle.{region}.api.aws"),
        region,
        custom: config
            .env
            .get("ANTHROPIC_BEDROCK_MANTLE_BASE_URL")
            .is_some(),
        decision: None,
        reach: None,
        auth: None,
        auth_used: None,
        list: None,
        probes: Vec::new(),
    };
    let Ok(target) = facts.target.clone() else {
        return facts;
    };
    let decision = ProxyEnv::from_env(&config.env).claude_code(&target);
    let route = decision.route();
    facts.decision = Some(decision);
    let Some(route) = route else {
        return facts;
    };
    let ctx = Ctx {
        clients,
        trust,
        route: route.clone(),
        timeout,
        region: facts.region.clone(),
    };
    // Resolve, connect and complete TLS, timed, before any credential is involved.
    let started = Instant::now();
    let reached = reach(&target, &route, trust, timeout).await;
    facts.reach = Some((reached, started.elapsed().as_millis() as u64));
    if !matches!(facts.reach, Some((Ok(()), _))) {
        return facts;
    }
    let models = models_url(&facts.base);
    let skip_auth =
        config.env.is_truthy("CLAUDE_CODE_SKIP_MANTLE_AUTH") || clients.auth == AuthMode::None;
    if skip_auth {
        facts.auth = Some(AuthFacts::Skipped);
        facts.list = Some(
            ctx.request("ListModels", "GET", &models, None, &Auth::None)
                .await,
        );
        facts.auth_used = Some(Auth::None);
    } else if clients.auth == AuthMode::Bearer {
        let key = config
            .env
            .get("AWS_BEARER_TOKEN_BEDROCK")
            .unwrap_or_default()
            .to_string();
        let styles = [BearerHeader::XApiKey, BearerHeader::Authorization];
        let tries: Vec<(BearerHeader, Outcome)> = join_all(styles.iter().map(|style| {
            let auth = Auth::Bearer(key.clone(), *style);
            let (ctx, models) = (&ctx, &models);
            async move {
                (
                    *style,
                    ctx.request("ListModels", "GET", models, None, &auth).await,
                )
            }
        }))
        .await;
        // Prefer the accepted style; otherwise the Authorization attempt's refusal is explained.
        let chosen = tries
            .iter()
            .find(|(_, r)| r.as_ref().is_ok_and(|r| r.status == 200))
            .map_or(BearerHeader::Authorization, |(s, _)| *s);
        facts.list = tries
            .iter()
            .find(|(s, _)| *s == chosen)
            .map(|(_, r)| r.clone());
        facts.auth_used = Some(Auth::Bearer(key, chosen));
        facts.auth = Some(AuthFacts::Bearer { tries });
    } else {
        facts.auth = Some(match &clients.credentials {
            None => AuthFacts::NoCredentials,
            Some(provider) => match tokio::time::timeout(
                timeout + Duration::from_secs(2),
                provider.provide_credentials(),
            )
            .await
            {
                Ok(Ok(credentials)) => {
                    let auth = Auth::SigV4(credentials);
                    facts.list = Some(ctx.request("ListModels", "GET", &models, None, &auth).await);
                    facts.auth_used = Some(auth);
                    AuthFacts::SigV4
                }
                Ok(Err(err)) => AuthFacts::CredentialError(crate::secret::scrub_text(
                    &crate::aws::errors::error_chain(&err),
                )),
                Err(_) => AuthFacts::CredentialTimeout,
            },
        });
    }
    if !facts.usable() {
        return facts;
    }
    let Some(auth) = facts.auth_used.clone() else {
        return facts;
    };
    let url = messages_url(&facts.base);
    facts.probes = join_all(targets(config).into_iter().map(|target| {
        let (url, ctx, auth) = (&url, &ctx, &auth);
        async move {
            let plain = message_body(&target.id.id, false);
            let streamed = message_body(&target.id.id, true);
            let (message, stream) = tokio::join!(
                ctx.request("CreateMessage", "POST", url, Some(&plain), auth),
                ctx.request("CreateMessage(stream)", "POST", url, Some(&streamed), auth)
            );
            ModelProbe {
                target,
                message,
                stream,
            }
        }
    }))
    .await;
    facts
}
