//! Where each call goes, resolved once, by the SDK's own rules: the configured endpoint URLs
//! (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, a profile's `endpoint_url` and `services`
//! section, all dropped under `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`), else each service's
//! endpoint rules (partitions such as `amazonaws.com.cn` and GovCloud, FIPS and dual-stack from
//! `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT`). On top of that, what Claude Code does
//! itself: `ANTHROPIC_BEDROCK_BASE_URL` for every Bedrock call, the small/fast model's own region,
//! and Mantle's URL. The live calls and the network checks both use these.

use std::time::Duration;

use aws_types::SdkConfig;
use aws_types::service_config::ServiceConfigKey;

use crate::config::EffectiveConfig;

/// A URL, or why there is none (a region no partition accepts).
pub(crate) type Url = Result<String, String>;

/// The endpoints Claude Code's configuration sends calls to.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub control: Url,
    pub runtime: Url,
    /// The runtime in `ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION`, when it applies: (region, URL).
    pub small_fast_runtime: Option<(String, Url)>,
    pub sts: Url,
    /// SSO OIDC and the SSO portal, in the profile's SSO region, for an SSO profile.
    pub sso: Option<SsoEndpoints>,
    /// Mantle's base (Claude Code appends `/v1/messages`).
    pub mantle: String,
}

/// The URL, or the reason in its place (for reports).
pub(crate) fn shown(url: &Url) -> String {
    match url {
        Ok(url) => crate::secret::redact_url(url),
        Err(why) => why.clone(),
    }
}

#[derive(Debug, Clone)]
pub struct SsoEndpoints {
    pub oidc: Url,
    pub portal: Url,
}

/// One service's endpoint: the configured URL if any, else the service's endpoint rules.
macro_rules! resolve_service {
    ($krate:ident, $service_id:literal, $sdk:expr, $region:expr) => {{
        use $krate::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
        let params = Params::builder()
            .region($region.to_string())
            .use_fips($sdk.use_fips().unwrap_or(false))
            .use_dual_stack($sdk.use_dual_stack().unwrap_or(false))
            .set_endpoint(configured($sdk, $service_id))
            .build();
        match params {
            Ok(params) => DefaultResolver::new()
                .resolve_endpoint(&params)
                .await
                .map(|endpoint| endpoint.url().to_string())
                .map_err(|err| unresolved($service_id, $region, &err.to_string())),
            Err(err) => Err(unresolved($service_id, $region, &err.to_string())),
        }
    }};
}

impl Endpoints {
    /// From the SDK configuration the clients are built from.
    pub async fn resolve(config: &EffectiveConfig, sdk: &SdkConfig) -> Endpoints {
        let region = config.region.value.as_str();
        // Claude Code sends control-plane and runtime calls alike to this base.
        let base = config
            .env
            .get("ANTHROPIC_BEDROCK_BASE_URL")
            .map(|url| url.trim().to_string());
        let control = match &base {
            Some(base) => Ok(base.clone()),
            None => resolve_service!(aws_sdk_bedrock, "Bedrock", sdk, region),
        };
        let runtime = match &base {
            Some(base) => Ok(base.clone()),
            None => resolve_service!(aws_sdk_bedrockruntime, "Bedrock Runtime", sdk, region),
        };
        let small_fast_runtime = match config.small_fast_region() {
            None => None,
            Some(other) => Some((
                other.to_string(),
                match &base {
                    Some(base) => Ok(base.clone()),
                    None => resolve_service!(aws_sdk_bedrockruntime, "Bedrock Runtime", sdk, other),
                },
            )),
        };
        let sts = resolve_service!(aws_sdk_sts, "STS", sdk, region);
        let sso = if config.profile.info.kind.is_sso() {
            let sso_region = config.profile.info.sso_region.as_deref().unwrap_or(region);
            Some(SsoEndpoints {
                oidc: resolve_service!(aws_sdk_ssooidc, "SSO OIDC", sdk, sso_region),
                portal: resolve_service!(aws_sdk_sso, "SSO", sdk, sso_region),
            })
        } else {
            None
        };
        Endpoints {
            control,
            runtime,
            small_fast_runtime,
            sts,
            sso,
            mantle: mantle_base(config),
        }
    }

    /// Without the clients (`--offline`): the same SDK configuration, loaded without credentials.
    pub async fn offline(config: &EffectiveConfig) -> Endpoints {
        let inputs = super::resolve::SdkInputs::new(config, super::sdk_env(config));
        let sdk = inputs
            .loader(Duration::from_secs(1))
            .no_credentials()
            .load()
            .await;
        Endpoints::resolve(config, &sdk).await
    }
}

/// The endpoint URL configured for `service_id`, as the SDK's client builders read it.
fn configured(sdk: &SdkConfig, service_id: &str) -> Option<String> {
    let key = ServiceConfigKey::builder()
        .service_id(service_id)
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .ok()?;
    sdk.service_config()
        .and_then(|service| service.load_config(key))
        .or_else(|| sdk.endpoint_url().map(str::to_string))
}

fn unresolved(service_id: &str, region: &str, why: &str) -> String {
    format!("no {service_id} endpoint for region \"{region}\": {why}")
}

/// Mantle's base URL as Claude Code computes it: `ANTHROPIC_BEDROCK_MANTLE_BASE_URL`, else the
/// regional `bedrock-mantle` host under `/anthropic`.
pub(crate) fn mantle_base(config: &EffectiveConfig) -> String {
    config
        .env
        .get("ANTHROPIC_BEDROCK_MANTLE_BASE_URL")
        .map(|url| url.trim().trim_end_matches('/').to_string())
        .unwrap_or_else(|| {
            format!(
                "https://bedrock-mantle.{}.api.aws/anthropic",
                config.region.value
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Inputs;
    use crate::config::settings::SettingsLocations;
    use std::collections::BTreeMap;

    async fn resolved(env: &[(&str, &str)], config_file: &str) -> Endpoints {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".aws")).unwrap();
        std::fs::write(home.path().join(".aws/config"), config_file).unwrap();
        let inputs = Inputs {
            process_env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            home: Some(home.path().to_path_buf()),
            locations: SettingsLocations {
                managed_dir: home.path().join("managed"),
                project_dir: home.path().join("project"),
                claude_config_dir: home.path().join(".claude"),
            },
            profile_flag: None,
            region_flag: None,
            now: time::OffsetDateTime::now_utc(),
            overrides: Vec::new(),
        };
        let config = EffectiveConfig::resolve(&inputs).await;
        Endpoints::offline(&config).await
    }

    #[tokio::test]
    async fn partitions_come_from_the_sdk_rules() {
        let china = resolved(&[("AWS_REGION", "cn-north-1")], "").await;
        assert_eq!(
            china.runtime.unwrap(),
            "https://bedrock-runtime.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            china.sts.unwrap(),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        let gov = resolved(&[("AWS_REGION", "us-gov-west-1")], "").await;
        assert_eq!(
            gov.control.unwrap(),
            "https://bedrock.us-gov-west-1.amazonaws.com"
        );
        let fips = resolved(
            &[
                ("AWS_REGION", "us-east-1"),
                ("AWS_USE_FIPS_ENDPOINT", "true"),
            ],
            "",
        )
        .await;
        assert_eq!(
            fips.runtime.unwrap(),
            "https://bedrock-runtime-fips.us-east-1.amazonaws.com"
        );
    }

    #[tokio::test]
    async fn configured_urls_win_unless_ignored() {
        let env = [
            ("AWS_REGION", "us-west-2"),
            (
                "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
                "https://vpce-1.example.com",
            ),
            ("AWS_ENDPOINT_URL", "https://everything.example.com"),
        ];
        let configured = resolved(&env, "").await;
        assert_eq!(configured.runtime.unwrap(), "https://vpce-1.example.com");
        assert_eq!(
            configured.control.unwrap(),
            "https://everything.example.com"
        );
        let mut ignored_env = env.to_vec();
        ignored_env.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));
        let ignored = resolved(&ignored_env, "").await;
        assert_eq!(
            ignored.runtime.unwrap(),
            "https://bedrock-runtime.us-west-2.amazonaws.com"
        );
        // A profile's services section names a service's endpoint as well.
        let profile = resolved(
            &[("AWS_REGION", "us-west-2")],
            "[default]\nservices = corp\n[services corp]\nbedrock-runtime =\n  endpoint_url = https://gateway.corp\n",
        )
        .await;
        assert_eq!(profile.runtime.unwrap(), "https://gateway.corp");
        assert_eq!(
            profile.control.unwrap(),
            "https://bedrock.us-west-2.amazonaws.com"
        );
    }

    #[tokio::test]
    async fn claude_code_sends_every_bedrock_call_to_its_base_url() {
        let endpoints = resolved(
            &[
                ("AWS_REGION", "us-east-1"),
                (
                    "ANTHROPIC_BEDROCK_BASE_URL",
                    "https://llm-gateway.corp/bedrock",
                ),
                ("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION", "us-west-2"),
                (
                    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
                    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                ),
            ],
            "",
        )
        .await;
        assert_eq!(
            endpoints.control.unwrap(),
            "https://llm-gateway.corp/bedrock"
        );
        assert_eq!(
            endpoints.runtime.unwrap(),
            "https://llm-gateway.corp/bedrock"
        );
        assert_eq!(
            endpoints.small_fast_runtime,
            Some((
                "us-west-2".into(),
                Ok("https://llm-gateway.corp/bedrock".into())
            ))
        );
        assert_eq!(
            endpoints.sts.unwrap(),
            "https://sts.us-east-1.amazonaws.com"
        );
    }
}
