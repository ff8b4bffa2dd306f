//! The effective configuration: exactly what Claude Code will see, and where each value came from.
//!
//! Everything here is computed from [`Inputs`] (the process environment, the directories, the
//! flags and the clock), so that tests can build any situation without touching the real machine.

pub mod aws_files;
pub mod bearer;
pub mod credentials;
pub mod env;
pub mod model_policy;
pub mod models;
pub mod region;
pub mod settings;
pub mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use time::OffsetDateTime;

use aws_files::{AwsFiles, ProfileInfo};
use bearer::BearerAnalysis;
use credentials::Credentials;
use env::EffectiveEnv;
use models::ModelId;
use region::RegionResolution;
use settings::{SettingsLayers, SettingsLocations};
use source::Source;

/// Everything the resolution reads.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub process_env: BTreeMap<String, String>,
    pub home: Option<PathBuf>,
    pub locations: SettingsLocations,
    pub profile_flag: Option<String>,
    pub region_flag: Option<String>,
    pub now: OffsetDateTime,
    /// Environment values laid over every settings layer (`setup` testing what it will write).
    pub overrides: Vec<(String, Option<String>)>,
}

impl Inputs {
    /// The real process: its environment, `$HOME`, the current time.
    pub fn from_process(
        claude_config_dir: Option<PathBuf>,
        project_dir: Option<PathBuf>,
        managed_dir: Option<PathBuf>,
        profile_flag: Option<String>,
        region_flag: Option<String>,
    ) -> Inputs {
        let process_env: BTreeMap<String, String> = std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect();
        let home = process_env
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(std::env::home_dir);
        let claude_config_dir = claude_config_dir
            .or_else(|| {
                process_env
                    .get("CLAUDE_CONFIG_DIR")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| {
                home.clone()
                    .unwrap_or_else(|| PathBuf::from("~"))
                    .join(".claude")
            });
        let project_dir = project_dir
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        Inputs {
            process_env,
            home,
            locations: SettingsLocations {
                managed_dir: managed_dir.unwrap_or_else(default_managed_dir),
                project_dir,
                claude_config_dir,
            },
            profile_flag,
            region_flag,
            now: OffsetDateTime::now_utc(),
            overrides: Vec::new(),
        }
    }
}

pub fn default_managed_dir() -> PathBuf {
    if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/ClaudeCode")
    } else if cfg!(windows) {
        PathBuf::from(r"C:\Program Files\ClaudeCode")
    } else {
        PathBuf::from("/etc/claude-code")
    }
}

/// Which provider switches are on, and where from.
#[derive(Debug, Clone, Default)]
pub struct Provider {
    pub bedrock: Option<Source>,
    pub mantle: Option<Source>,
    /// Other providers switched on at the same time (Vertex, Foundry, Claude Platform on AWS).
    pub others: Vec<(&'static str, Source)>,
    /// `CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST`: the host picks the provider; these switches are ignored.
    pub managed_by_host: Option<Source>,
}

pub const OTHER_PROVIDER_SWITCHES: &[&str] = &[
    "CLAUDE_CODE_USE_VERTEX",
    "CLAUDE_CODE_USE_FOUNDRY",
    "CLAUDE_CODE_USE_ANTHROPIC_AWS",
    "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD",
    "CLAUDE_CODE_USE_GATEWAY",
];

/// `CLAUDE_CODE_RESTRICTED` (the environment's twin of `--restricted`, ≥ 2.1.248).
pub const RESTRICTED_VARIABLE: &str = "CLAUDE_CODE_RESTRICTED";

impl Provider {
    fn resolve(env: &EffectiveEnv) -> Provider {
        let on = |name: &str| {
            env.get_with_source(name)
                .filter(|(value, _)| env::is_truthy(value))
                .map(|(_, source)| source.clone())
        };
        Provider {
            bedrock: on("CLAUDE_CODE_USE_BEDROCK"),
            mantle: on("CLAUDE_CODE_USE_MANTLE"),
            others: OTHER_PROVIDER_SWITCHES
                .iter()
                .filter_map(|name| on(name).map(|source| (*name, source)))
                .collect(),
            managed_by_host: on("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"),
        }
    }

    pub fn any_bedrock(&self) -> bool {
        self.bedrock.is_some() || self.mantle.is_some()
    }

    /// The `apiProvider` that `claude auth status --json` should print for these switches, as
    /// measured on 2.1.337: Bedrock wins over every other switch, Mantle over the rest, and the
    /// gateway switch alone reports `firstParty`. `None` when another provider's precedence
    /// over the rest is not known.
    pub fn expected_api_provider(&self) -> Option<&'static str> {
        if self.bedrock.is_some() {
            return Some("bedrock");
        }
        if self.mantle.is_some() {
            return Some("mantle");
        }
        let others: Vec<&str> = self
            .others
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| *name != "CLAUDE_CODE_USE_GATEWAY")
            .collect();
        match others.as_slice() {
            [] => Some("firstParty"),
            [one] => api_provider_of(one),
            _ => None,
        }
    }
}

/// The `apiProvider` name `claude auth status --json` gives a provider switch.
pub fn api_provider_of(switch: &str) -> Option<&'static str> {
    Some(match switch {
        "CLAUDE_CODE_USE_BEDROCK" => "bedrock",
        "CLAUDE_CODE_USE_MANTLE" => "mantle",
        "CLAUDE_CODE_USE_VERTEX" => "vertex",
        "CLAUDE_CODE_USE_FOUNDRY" => "foundry",
        "CLAUDE_CODE_USE_ANTHROPIC_AWS" => "anthropicAws",
        "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD" => "anthropicGoogleCloud",
        "CLAUDE_CODE_USE_GATEWAY" => "firstParty",
        _ => return None,
    })
}

/// The profile Claude Code will use.
#[derive(Debug, Clone)]
pub struct ActiveProfile {
    pub name: String,
    /// `--profile`, the `AWS_PROFILE` variable's origin, or the default.
    pub source: Source,
    /// Whether a profile was named (flag or `AWS_PROFILE`) rather than defaulted.
    pub explicit: bool,
    pub info: ProfileInfo,
}

impl ActiveProfile {
    /// `--profile`, `AWS_PROFILE (user settings: ~/.claude/settings.json)`, or `default`.
    pub fn describe_source(&self, home: Option<&Path>) -> String {
        match &self.source {
            Source::Flag(flag) => flag.to_string(),
            Source::Default => "no AWS_PROFILE: the default profile".to_string(),
            other => format!("AWS_PROFILE ({})", other.describe(home)),
        }
    }
}

/// A settings value together with its origin.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

/// Top-level settings keys that matter on Bedrock.
#[derive(Debug, Clone, Default)]
pub struct SettingsKeys {
    pub aws_auth_refresh: Option<Sourced<String>>,
    pub aws_credential_export: Option<Sourced<String>>,
    pub model: Option<Sourced<String>>,
    pub model_overrides: Vec<(String, Sourced<String>)>,
    pub available_models: Vec<Sourced<String>>,
    /// `enforceAvailableModels: true` (≥ 2.1.175): the allowlist also applies to the default.
    pub enforce_available_models: Option<Source>,
    /// `fallbackModel`: models tried in order when the primary is overloaded or unavailable.
    /// Not merged across files: the highest file that sets it supplies the whole list.
    pub fallback_models: Vec<Sourced<String>>,
    pub api_key_helper: Option<Sourced<String>>,
    /// Managed `deniedModels` (≥ 2.1.283; read from managed settings only).
    pub denied_models: Vec<Sourced<String>>,
    /// Managed `availableModelsMatch`: `prefix` (the default) or `exact` (≥ 2.1.283).
    pub available_models_match: Option<Sourced<String>>,
    /// Keys present with the wrong JSON type.
    pub wrong_types: Vec<(String, &'static str, &'static str, Source)>,
}

pub const SETTINGS_KEYS: &[&str] = &[
    "awsAuthRefresh",
    "awsCredentialExport",
    "model",
    "modelOverrides",
    "availableModels",
    "enforceAvailableModels",
    "fallbackModel",
    "apiKeyHelper",
    "deniedModels",
    "availableModelsMatch",
];

impl SettingsKeys {
    fn collect(layers: &SettingsLayers) -> SettingsKeys {
        let mut keys = SettingsKeys::default();
        let string = |keys: &mut SettingsKeys, key: &str| -> Option<Sourced<String>> {
            let (value, source) = layers.top_level(key)?;
            match value {
                Value::String(s) => Some(Sourced {
                    value: s.clone(),
                    source,
                }),
                other => {
                    keys.wrong_types.push((
                        key.to_string(),
                        "a string",
                        settings::json_type(other),
                        source,
                    ));
                    None
                }
            }
        };
        keys.aws_auth_refresh = string(&mut keys, "awsAuthRefresh");
        keys.aws_credential_export = string(&mut keys, "awsCredentialExport");
        keys.model = string(&mut keys, "model");
        keys.api_key_helper = string(&mut keys, "apiKeyHelper");
        if let Some((Value::Bool(true), source)) = layers.top_level("enforceAvailableModels") {
            keys.enforce_available_models = Some(source);
        }
        match layers.top_level("fallbackModel") {
            Some((Value::Array(items), source)) => {
                keys.fallback_models = items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|id| Sourced {
                        value: id.to_string(),
                        source: source.clone(),
                    })
                    .collect();
            }
            Some((Value::String(id), source)) => {
                keys.fallback_models = vec![Sourced {
                    value: id.clone(),
                    source,
                }];
            }
            _ => {}
        }

        // The model policy keys only count in managed settings.
        for (value, source) in layers.all_values("deniedModels") {
            if source.layer() != Some(source::Layer::Managed) {
                continue;
            }
            if let Value::Array(items) = value {
                keys.denied_models
                    .extend(items.iter().filter_map(Value::as_str).map(|id| Sourced {
                        value: id.to_string(),
                        source: source.clone(),
                    }));
            }
        }
        keys.available_models_match = layers
            .all_values("availableModelsMatch")
            .into_iter()
            .find(|(_, source)| source.layer() == Some(source::Layer::Managed))
            .and_then(|(value, source)| {
                value.as_str().map(|v| Sourced {
                    value: v.to_string(),
                    source,
                })
            });

        // modelOverrides merges per key across layers, the highest layer winning each key.
        for (value, source) in layers.all_values("modelOverrides").into_iter().rev() {
            let Value::Object(map) = value else {
                keys.wrong_types.push((
                    "modelOverrides".into(),
                    "an object",
                    settings::json_type(value),
                    source,
                ));
                continue;
            };
            for (name, target) in map {
                let Value::String(target) = target else {
                    keys.wrong_types.push((
                        format!("modelOverrides.{name}"),
                        "a string",
                        settings::json_type(target),
                        source.clone(),
                    ));
                    continue;
                };
                let entry = Sourced {
                    value: target.clone(),
                    source: source.clone(),
                };
                match keys.model_overrides.iter_mut().find(|(k, _)| k == name) {
                    Some((_, existing)) => *existing = entry,
                    None => keys.model_overrides.push((name.clone(), entry)),
                }
            }
        }
        // availableModels arrays are merged and de-duplicated across layers.
        for (value, source) in layers.all_values("availableModels") {
            let Value::Array(items) = value else {
                keys.wrong_types.push((
                    "availableModels".into(),
                    "an array",
                    settings::json_type(value),
                    source,
                ));
                continue;
            };
            for item in items {
                match item {
                    Value::String(id) if !keys.available_models.iter().any(|m| &m.value == id) => {
                        keys.available_models.push(Sourced {
                            value: id.clone(),
                            source: source.clone(),
                        });
                    }
                    Value::String(_) => {}
                    other => keys.wrong_types.push((
                        "availableModels[]".into(),
                        "a string",
                        settings::json_type(other),
                        source.clone(),
                    )),
                }
            }
        }
        keys
    }
}

/// The environment variables that pin models, in the order Claude Code documents them.
pub const MODEL_VARIABLES: &[(&str, &str)] = &[
    ("ANTHROPIC_MODEL", "primary"),
    ("ANTHROPIC_DEFAULT_OPUS_MODEL", "opus"),
    ("ANTHROPIC_DEFAULT_SONNET_MODEL", "sonnet"),
    ("ANTHROPIC_DEFAULT_HAIKU_MODEL", "haiku"),
    ("ANTHROPIC_SMALL_FAST_MODEL", "small-fast"),
    ("CLAUDE_CODE_SUBAGENT_MODEL", "subagent"),
    ("CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL", "workflow-subagent"),
];

/// One model identifier found in the configuration.
#[derive(Debug, Clone)]
pub struct PinnedModel {
    /// `ANTHROPIC_MODEL`, `modelOverrides.claude-opus-4-6`, `availableModels[2]`, `model`.
    pub setting: String,
    /// `primary`, `opus`, `sonnet`, `haiku`, `small-fast`, `subagent`, `override`, `available`.
    pub role: &'static str,
    pub id: ModelId,
    pub source: Source,
}

/// The bearer key, analysed, and where it was set.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub analysis: BearerAnalysis,
    pub source: Source,
}

/// Claude Code's effective configuration.
#[derive(Debug, Clone)]
pub struct EffectiveConfig {
    pub home: Option<PathBuf>,
    pub locations: SettingsLocations,
    pub process_env: BTreeMap<String, String>,
    pub settings: SettingsLayers,
    pub env: EffectiveEnv,
    pub keys: SettingsKeys,
    pub provider: Provider,
    pub aws_files: AwsFiles,
    pub profile: ActiveProfile,
    pub region: RegionResolution,
    pub credentials: Credentials,
    pub bearer: Option<Bearer>,
    pub models: Vec<PinnedModel>,
    pub now: OffsetDateTime,
}

impl EffectiveConfig {
    pub async fn resolve(inputs: &Inputs) -> EffectiveConfig {
        let mut settings = SettingsLayers::load(&inputs.locations);
        // A restricted session ignores the user, project and local files (≥ 2.1.248); the
        // variable is read from the environment the client starts in.
        if inputs
            .process_env
            .get(RESTRICTED_VARIABLE)
            .is_some_and(|value| env::is_truthy(value))
        {
            settings.restrict();
        }
        let mut env = EffectiveEnv::build(&inputs.process_env, &settings);
        env.overlay(&inputs.overrides, &Source::Flag("setup"));
        let keys = SettingsKeys::collect(&settings);
        let provider = Provider::resolve(&env);
        let home = inputs.home.as_deref();
        let aws_files = AwsFiles::load(&env, home).await;

        let (name, source, explicit) =
            match (&inputs.profile_flag, env.get_with_source("AWS_PROFILE")) {
                (Some(flag), _) => (flag.clone(), Source::Flag("--profile"), true),
                (None, Some((value, source))) => (value.to_string(), source.clone(), true),
                (None, None) => ("default".to_string(), Source::Default, false),
            };
        let profile = ActiveProfile {
            info: aws_files.describe(&name),
            name,
            source,
            explicit,
        };
        let region = region::resolve(
            &env,
            &profile.name,
            &aws_files,
            inputs.region_flag.as_deref(),
            &inputs.process_env,
        );
        let credentials = credentials::resolve(
            &env,
            profile.explicit.then_some(profile.name.as_str()),
            &profile.name,
            &profile.info.kind,
            keys.aws_credential_export.as_ref().map(|s| &s.source),
        );
        let bearer = env
            .var("AWS_BEARER_TOKEN_BEDROCK")
            .filter(|var| !var.value.is_empty())
            .map(|var| Bearer {
                analysis: bearer::analyze(&var.value),
                source: var.source.clone(),
            });
        let models = pinned_models(&env, &keys);
        register_secrets(
            &inputs.process_env,
            &settings,
            &inputs.overrides,
            &aws_files,
        );
        EffectiveConfig {
            home: inputs.home.clone(),
            locations: inputs.locations.clone(),
            process_env: inputs.process_env.clone(),
            settings,
            env,
            keys,
            provider,
            aws_files,
            profile,
            region,
            credentials,
            bearer,
            models,
            now: inputs.now,
        }
    }

    /// `ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION`, when Claude Code may use it: a region (as the
    /// client checks its shape) other than the configured one, with `ANTHROPIC_SMALL_FAST_MODEL`
    /// or `ANTHROPIC_DEFAULT_HAIKU_MODEL` set. Which requests go there is the roles' business.
    pub fn small_fast_region(&self) -> Option<&str> {
        self.env
            .get("ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION")
            .filter(|_| {
                self.env.get("ANTHROPIC_SMALL_FAST_MODEL").is_some()
                    || self.env.get("ANTHROPIC_DEFAULT_HAIKU_MODEL").is_some()
            })
            .filter(|r| region::is_region_shaped(r) && *r != self.region.value)
    }

    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// The web-identity token file the credentials depend on, and what names it: the
    /// environment's `AWS_WEB_IDENTITY_TOKEN_FILE`, or the `web_identity_token_file` of the
    /// profile that starts the active profile's role chain.
    pub fn web_identity_token_file(&self) -> Option<(PathBuf, String)> {
        match &self.credentials.source {
            credentials::CredentialSource::WebIdentityEnv => {
                let (path, source) = self.env.get_with_source("AWS_WEB_IDENTITY_TOKEN_FILE")?;
                Some((
                    PathBuf::from(path),
                    format!("AWS_WEB_IDENTITY_TOKEN_FILE ({})", self.describe(source)),
                ))
            }
            credentials::CredentialSource::Profile { name, .. } => {
                let (root, kind) = self.aws_files.chain_kind(name)?;
                if !matches!(kind, aws_files::ProfileKind::WebIdentity { .. }) {
                    return None;
                }
                let path = self.aws_files.value(&root, "web_identity_token_file")?;
                Some((
                    PathBuf::from(path),
                    format!("web_identity_token_file of profile \"{root}\""),
                ))
            }
            _ => None,
        }
    }

    /// Why the web-identity token file cannot be used, if it cannot: missing, not a regular
    /// file (a FIFO would hang the read, `/dev/zero` never ends), too large, unreadable.
    pub fn web_identity_token_problem(&self) -> Option<String> {
        let (path, named_by) = self.web_identity_token_file()?;
        let problem = crate::fsio::read_regular(&path, crate::fsio::MAX_TOKEN_FILE).err()?;
        Some(format!("{} ({named_by}) {problem}", self.tilde(&path)))
    }

    /// A source described for humans, with `~` for the home directory.
    pub fn describe(&self, source: &Source) -> String {
        source.describe(self.home())
    }

    pub fn tilde(&self, path: &Path) -> String {
        source::tilde(path, self.home())
    }
}

/// Every secret the configuration holds, wherever it is set — the winning value or a shadowed
/// one, the shell or any settings layer, a command line, an AWS file — is registered with the
/// redaction layer, so that no output can carry it whatever a check prints.
fn register_secrets(
    process_env: &BTreeMap<String, String>,
    settings: &SettingsLayers,
    overrides: &[(String, Option<String>)],
    aws_files: &AwsFiles,
) {
    use crate::secret::{register, secrets_in_command, secrets_in_value};
    for (name, value) in process_env {
        secrets_in_value(name, value)
            .iter()
            .for_each(|s| register(s));
    }
    for (name, value) in overrides {
        if let Some(value) = value {
            secrets_in_value(name, value)
                .iter()
                .for_each(|s| register(s));
        }
    }
    // The files a restricted session ignores hold secrets all the same.
    for file in settings.files.iter().chain(&settings.restricted_out) {
        let Some(map) = file.object() else { continue };
        if let Some(Value::Object(env)) = map.get("env") {
            for (name, value) in env {
                // A value that is not a string can still hold one (a header object, a proxy
                // list): every text in it, and the text Claude Code makes of it.
                let mut texts = vec![env::js_string(value)];
                string_leaves(value, &mut texts);
                for text in texts {
                    secrets_in_value(name, &text)
                        .iter()
                        .for_each(|s| register(s));
                }
            }
        }
        for key in ["apiKeyHelper", "awsCredentialExport", "awsAuthRefresh"] {
            if let Some(Value::String(command)) = map.get(key) {
                secrets_in_command(command).iter().for_each(|s| register(s));
            }
        }
    }
    for file in [&aws_files.config, &aws_files.credentials] {
        file.secret_values().iter().for_each(|s| register(s));
    }
}

/// Every string and number inside a JSON value.
fn string_leaves(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Number(number) => out.push(number.to_string()),
        Value::Array(items) => items.iter().for_each(|v| string_leaves(v, out)),
        Value::Object(map) => map.values().for_each(|v| string_leaves(v, out)),
        Value::Null | Value::Bool(_) => {}
    }
}

fn pinned_models(env: &EffectiveEnv, keys: &SettingsKeys) -> Vec<PinnedModel> {
    let mut models = Vec::new();
    for (name, role) in MODEL_VARIABLES {
        // A subagent variable set to `inherit` names no model: the parent's is used.
        if let Some((value, source)) = env.get_with_source(name).filter(|(value, _)| {
            !(role.contains("subagent") && value.eq_ignore_ascii_case("inherit"))
        }) {
            models.push(PinnedModel {
                setting: name.to_string(),
                role,
                id: ModelId::parse(value),
                source: source.clone(),
            });
        }
    }
    if let Some(model) = &keys.model {
        models.push(PinnedModel {
            setting: "model".into(),
            role: "primary",
            id: ModelId::parse(&model.value),
            source: model.source.clone(),
        });
    }
    for (name, target) in &keys.model_overrides {
        models.push(PinnedModel {
            setting: format!("modelOverrides.{name}"),
            role: "override",
            id: ModelId::parse(&target.value),
            source: target.source.clone(),
        });
    }
    for (index, entry) in keys.available_models.iter().enumerate() {
        models.push(PinnedModel {
            setting: format!("availableModels[{index}]"),
            role: "available",
            id: ModelId::parse(&entry.value),
            source: entry.source.clone(),
        });
    }
    models
}

/// Variables the configuration report always lists, set or not.
pub const RELEVANT_VARIABLES: &[&str] = &[
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_MANTLE",
    "CLAUDE_CODE_USE_VERTEX",
    "CLAUDE_CODE_USE_FOUNDRY",
    "CLAUDE_CODE_USE_ANTHROPIC_AWS",
    "CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD",
    "CLAUDE_CODE_USE_GATEWAY",
    "CLAUDE_CODE_RESTRICTED",
    "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST",
    "CLAUDE_CODE_SKIP_BEDROCK_AUTH",
    "CLAUDE_CODE_SKIP_MANTLE_AUTH",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_BEDROCK",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    "AWS_ENDPOINT_URL_STS",
    "AWS_CA_BUNDLE",
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
    "ANTHROPIC_BEDROCK_REGION_PREFIX",
    "ANTHROPIC_BEDROCK_SERVICE_TIER",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "ANTHROPIC_SMALL_FAST_MODEL",
    "ANTHROPIC_SMALL_FAST_MODEL_AWS_REGION",
    "CLAUDE_CODE_SUBAGENT_MODEL",
    "CLAUDE_CODE_WORKFLOW_SUBAGENT_MODEL",
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "NODE_EXTRA_CA_CERTS",
    "CLAUDE_CODE_CERT_STORE",
    "DISABLE_PROMPT_CACHING",
];

/// Whether a variable belongs in the configuration report even though it is not listed above.
pub fn is_related_variable(name: &str) -> bool {
    RELEVANT_VARIABLES.contains(&name)
        || name.starts_with("AWS_")
        || name.contains("BEDROCK")
        || name.contains("MANTLE")
        || (name.starts_with("ANTHROPIC_") && name.ends_with("_MODEL"))
}
