//! AWS clients built from the effective configuration, so that the doctor tests the path Claude
//! Code will take: the same region, profile, credentials (bearer key or SigV4) and endpoints.

pub(crate) mod calls;
pub(crate) mod credential_export;
pub(crate) mod endpoints;
pub(crate) mod errors;
pub(crate) mod explain;
pub(crate) mod mantle;
pub(crate) mod ops;
pub(crate) mod policy;
pub(crate) mod resolve;
pub(crate) mod sigv4;

use std::collections::HashMap;
use std::time::Duration;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{Connector, tls};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
    http_client_fn,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_types::region::Region;

use crate::config::EffectiveConfig;
use crate::config::credentials::CredentialSource;
use calls::CallLog;

/// How requests are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// `Authorization: Bearer <AWS_BEARER_TOKEN_BEDROCK>` on Bedrock calls.
    Bearer,
    /// SigV4 with credentials from the chain (or `awsCredentialExport`).
    SigV4,
    /// `CLAUDE_CODE_SKIP_BEDROCK_AUTH`: nothing at all.
    None,
}

pub struct Clients {
    pub auth: AuthMode,
    pub sts: aws_sdk_sts::Client,
    pub bedrock: aws_sdk_bedrock::Client,
    pub runtime: aws_sdk_bedrockruntime::Client,
    /// The runtime client for `ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION`, when it applies.
    pub haiku_runtime: Option<(String, aws_sdk_bedrockruntime::Client)>,
    pub log: CallLog,
    pub timeout: Duration,
    /// Where every call goes (resolved once; the network checks test the same hosts).
    pub endpoints: endpoints::Endpoints,
    /// Where control-plane and runtime calls go, for reports (a gateway's password masked).
    pub control_endpoint: String,
    pub runtime_endpoint: String,
    /// Set when no SigV4 credentials could be had (the provider failed or hung): every call
    /// that needs them reports this cause instead of being made.
    pub credential_error: Option<resolve::CredentialError>,
    /// The SigV4 credentials the SDK resolved, for requests made outside the SDK (Mantle).
    pub credentials: Option<SharedCredentialsProvider>,
}

impl Clients {
    pub async fn build(config: &EffectiveConfig, timeout: Duration) -> Clients {
        let auth = match config.credentials.source {
            CredentialSource::BearerKey { .. } => AuthMode::Bearer,
            CredentialSource::SkipAuth { .. } => AuthMode::None,
            _ => AuthMode::SigV4,
        };
        let env = sdk_env(config);
        let inputs = resolve::SdkInputs::new(config, env.clone());
        let log = CallLog::default();
        let mut loader = inputs.loader(timeout);
        // SigV4 credentials are resolved once, here, bounded: every client then shares them.
        let mut credential_error = None;
        let resolved = match (
            &config.credentials.source,
            &config.keys.aws_credential_export,
        ) {
            (CredentialSource::SkipAuth { .. } | CredentialSource::BearerKey { .. }, _) => None,
            (CredentialSource::CredentialExport { .. }, Some(export)) => Some(
                credential_export::run(&export.value, &env, timeout)
                    .await
                    .map_err(|message| resolve::CredentialError {
                        message,
                        fix: "Run the awsCredentialExport command by hand: it must exit 0 and print {\"Credentials\":{\"AccessKeyId\":…,\"SecretAccessKey\":…,\"SessionToken\":…}}.".into(),
                        said: None,
                    }),
            ),
            _ => Some(resolve::resolve(config, &inputs, timeout).await),
        };
        match resolved {
            None if auth == AuthMode::None => loader = loader.no_credentials(),
            None => {}
            Some(Ok(credentials)) => {
                crate::secret::register(credentials.secret_access_key());
                if let Some(token) = credentials.session_token() {
                    crate::secret::register(token);
                }
                loader = loader.credentials_provider(SharedCredentialsProvider::new(credentials));
            }
            Some(Err(err)) => {
                credential_error = Some(err);
                loader = loader.no_credentials();
            }
        }
        let sdk = loader.load().await;
        let credentials = sdk.credentials_provider();

        let endpoints = endpoints::Endpoints::resolve(config, &sdk).await;
        // Each client takes Claude Code's way to its own endpoint (proxy or direct, by its
        // NO_PROXY rules), and sends to the endpoint resolved above.
        let proxies = crate::net::proxy::ProxyEnv::from_env(&config.env);
        let mut bedrock =
            aws_sdk_bedrock::config::Builder::from(&sdk).interceptor(log.interceptor());
        let mut runtime =
            aws_sdk_bedrockruntime::config::Builder::from(&sdk).interceptor(log.interceptor());
        let mut sts = aws_sdk_sts::config::Builder::from(&sdk).interceptor(log.interceptor());
        // An endpoint that could not be resolved is left to the SDK, which fails the call
        // with its own words.
        if let Ok(url) = &endpoints.control {
            bedrock = bedrock
                .http_client(http_client_to(&proxies, url))
                .endpoint_url(url);
        }
        if let Ok(url) = &endpoints.runtime {
            runtime = runtime
                .http_client(http_client_to(&proxies, url))
                .endpoint_url(url);
        }
        if let Ok(url) = &endpoints.sts {
            sts = sts
                .http_client(http_client_to(&proxies, url))
                .endpoint_url(url);
        }
        if auth == AuthMode::None {
            // Send nothing at all, as Claude Code does: no SigV4, no bearer token.
            let no_auth = [aws_smithy_runtime_api::client::auth::AuthSchemeId::new(
                "noAuth",
            )];
            bedrock = bedrock
                .allow_no_auth()
                .auth_scheme_preference(no_auth.clone());
            runtime = runtime.allow_no_auth().auth_scheme_preference(no_auth);
        }
        let bedrock = bedrock.build();
        // Claude Code calls the small/fast model in its own region when both are set.
        let haiku_runtime = endpoints.small_fast_runtime.as_ref().map(|(region, url)| {
            let mut builder = runtime.clone().region(Region::new(region.clone()));
            if let Ok(url) = url {
                builder = builder
                    .http_client(http_client_to(&proxies, url))
                    .endpoint_url(url);
            }
            let client = aws_sdk_bedrockruntime::Client::from_conf(builder.build());
            (region.clone(), client)
        });
        let runtime = runtime.build();
        Clients {
            auth,
            // For reports and messages only: a gateway URL's password is never kept here.
            control_endpoint: endpoints::shown(&endpoints.control),
            runtime_endpoint: endpoints::shown(&endpoints.runtime),
            endpoints,
            sts: aws_sdk_sts::Client::from_conf(sts.build()),
            bedrock: aws_sdk_bedrock::Client::from_conf(bedrock),
            runtime: aws_sdk_bedrockruntime::Client::from_conf(runtime),
            haiku_runtime,
            log,
            timeout,
            credential_error,
            credentials,
        }
    }
}

impl Clients {
    /// The runtime client for calls in `region` (`None`: the configured region).
    pub fn runtime_for(&self, region: Option<&str>) -> &aws_sdk_bedrockruntime::Client {
        match (&self.haiku_runtime, region) {
            (Some((haiku_region, client)), Some(wanted)) if haiku_region == wanted => client,
            _ => &self.runtime,
        }
    }
}

/// The HTTP client for calls to `url`, on the path Claude Code takes to it: through the proxy
/// its variables name unless its `NO_PROXY` rules exempt the host (Node's matching, not the
/// SDK's), or directly. A proxy variable Claude Code cannot use leaves the call direct; the
/// network checks fail it.
fn http_client_to(proxies: &crate::net::proxy::ProxyEnv, url: &str) -> SharedHttpClient {
    use crate::net::proxy::Decision;
    let decision = crate::net::Target::parse(url).map(|target| proxies.claude_code(&target));
    let proxy = match decision {
        Ok(Decision::Proxy { url, .. }) => {
            let host = if url.host.contains(':') {
                format!("[{}]", url.host)
            } else {
                url.host.clone()
            };
            match ProxyConfig::all(format!("{}://{host}:{}", url.scheme, url.port)) {
                Ok(proxy) => match url.credentials() {
                    Some((user, password)) => proxy.with_basic_auth(user, password),
                    None => proxy,
                },
                Err(_) => ProxyConfig::disabled(),
            }
        }
        _ => ProxyConfig::disabled(),
    };
    connector_with(proxy)
}

/// The SDK's HTTP client for credential providers (SSO, STS assume-role, …), proxied from the
/// effective environment (settings `env` included), which the SDK alone would not read.
pub(crate) fn http_client(env: &HashMap<String, String>) -> SharedHttpClient {
    let env = |name: &str| env.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let proxy = crate::net::proxy::PROXY_VARS
        .iter()
        .find_map(|name| env(name))
        .and_then(|url| {
            let mut proxy = ProxyConfig::all(url).ok()?;
            if let Ok(parsed) = crate::net::proxy::ProxyUrl::parse(url)
                && let Some((user, password)) = parsed.credentials()
            {
                proxy = proxy.with_basic_auth(user, password);
            }
            Some(
                match crate::net::proxy::NO_PROXY_VARS
                    .iter()
                    .find_map(|name| env(name))
                {
                    Some(rules) => proxy.no_proxy(rules),
                    None => proxy,
                },
            )
        })
        .unwrap_or_else(ProxyConfig::disabled);
    connector_with(proxy)
}

/// The SDK's HTTP client along `proxy`, its answers bounded by [`crate::net::MAX_ANSWER`].
fn connector_with(proxy: ProxyConfig) -> SharedHttpClient {
    let client = aws_smithy_http_client::Builder::new().build_with_connector_fn(
        move |settings, components| {
            let mut connector = Connector::builder().proxy_config(proxy.clone());
            if let Some(settings) = settings {
                connector = connector.connector_settings(settings.clone());
            }
            if let Some(sleep) =
                components.and_then(aws_sdk_bedrock::config::RuntimeComponents::sleep_impl)
            {
                connector = connector.sleep_impl(sleep);
            }
            connector
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ))
                .build()
        },
    );
    http_client_fn(move |settings, components| {
        SharedHttpConnector::new(BoundedAnswers(client.http_connector(settings, components)))
    })
}

/// An HTTP connector whose answers are read at most [`crate::net::MAX_ANSWER`] bytes deep: an
/// endpoint (or a proxy) that sends an endless body ends the call with an error, it does not
/// decide the tool's memory.
#[derive(Debug)]
struct BoundedAnswers(SharedHttpConnector);

impl HttpConnector for BoundedAnswers {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let answer = self.0.call(request);
        HttpConnectorFuture::new(async move {
            let mut response = answer.await?;
            let body = std::mem::replace(response.body_mut(), SdkBody::taken());
            *response.body_mut() =
                SdkBody::from_body_1_x(http_body_util::Limited::new(body, crate::net::MAX_ANSWER));
            Ok(response)
        })
    }
}

/// The environment the SDK resolves from: Claude Code's effective environment, with the
/// exceptions Claude Code makes.
pub(crate) fn sdk_env(config: &EffectiveConfig) -> HashMap<String, String> {
    let mut env: HashMap<String, String> = config.env.to_map().into_iter().collect();
    if config.profile.explicit {
        // A named profile makes Claude Code ignore access keys in the environment.
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ] {
            env.remove(name);
        }
        env.insert("AWS_PROFILE".into(), config.profile.name.clone());
    }
    if !matches!(
        config.credentials.source,
        CredentialSource::BearerKey { .. }
    ) {
        // Only a bearer-key configuration should authenticate with the key.
        env.remove("AWS_BEARER_TOKEN_BEDROCK");
    }
    env
}
