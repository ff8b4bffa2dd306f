//! One isolated run of the user's own `claude -p "."`, against a loopback server that answers
//! like Bedrock or through the relay to the account: what it sent and how it ended. This measures
//! what the configuration analysis can only predict — e.g. 2.1.94 sending no `Authorization` on
//! invoke (`client.bearer-trace`), or how the account takes each request shape (the rehearsal).
//!
//! Isolation: nothing may leave the machine and no user file may change.
//! - Settings `env` overrides the process env, so the redirects go in a `--settings` file (the
//!   highest layer but managed) as well as in the child's env; managed settings that could undo
//!   them stop the trace.
//! - `claude -p` writes `.claude.json`, `backups/` and `projects/` under its config dir, so the
//!   child gets `CLAUDE_CONFIG_DIR` = a temp copy holding the user's `settings.json`; it runs in a
//!   temp working directory, so project settings are carried in the `--settings` file instead.
//! - Proxies are removed and `NO_PROXY` covers loopback; credential sources that would call AWS
//!   (SSO, assume-role, web identity, `credential_process`, containers, instance roles) are cut
//!   off, with placeholder keys when the client must still sign; `apiKeyHelper` and
//!   `awsCredentialExport` are replaced by local commands printing placeholders; hooks are off
//!   and `awsAuthRefresh` is dropped.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::process::Command;

use crate::config::EffectiveConfig;
use crate::config::aws_files::ProfileKind;
use crate::config::credentials::CredentialSource;
use crate::config::models::default_prefix_for_region;
use crate::config::settings::{SettingsLayers, SettingsLocations};
use crate::config::source::{Layer, Source};
use crate::knowledge::{Family, tier_default};
use crate::loopback::capture::{CaptureOptions, CaptureServer};
use crate::loopback::relay::{Exchange, RelayOptions, RelayServer};
use crate::loopback::request::CapturedRequest;

use super::claude_bin::Claude;

const PROXY_VARIABLES: &[&str] = &[
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Variables that would send the traced client somewhere else if a layer above `--settings`
/// (managed settings) set them.
const REDIRECT_GUARDED: &[&str] = &[
    "ANTHROPIC_BEDROCK_BASE_URL",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST",
];

/// Credential variables that make the AWS SDK call out (STS, containers).
const NETWORK_CREDENTIAL_VARIABLES: &[&str] = &[
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

const PLACEHOLDER_ACCESS_KEY: &str = "AKIDCLAUDEBEDROCKTRACE";
const PLACEHOLDER_SECRET: &str = "claude-bedrock-trace-placeholder-secret";
const PLACEHOLDER_KEY_HELPER: &str = "echo claude-bedrock-trace-placeholder-key";
const PLACEHOLDER_CREDENTIAL_EXPORT: &str = r#"echo '{"Credentials":{"AccessKeyId":"AKIDCLAUDEBEDROCKTRACE","SecretAccessKey":"claude-bedrock-trace-placeholder-secret","SessionToken":"claude-bedrock-trace","Expiration":"2099-01-01T00:00:00Z"}}'"#;

/// A managed settings file (the only layer above `--settings`) that sets a redirect or proxy.
fn managed_redirect(config: &EffectiveConfig) -> Option<String> {
    for name in REDIRECT_GUARDED {
        if let Some(var) = config.env.var(name)
            && var.source.layer() == Some(Layer::Managed)
        {
            return Some(format!("{name} is set by {}", config.describe(&var.source)));
        }
    }
    // The child reads the platform's managed settings, whatever --managed-settings-dir said.
    let platform = crate::config::default_managed_dir();
    if platform != config.locations.managed_dir {
        let layers = SettingsLayers::load(&SettingsLocations {
            managed_dir: platform.clone(),
            project_dir: platform.clone(),
            claude_config_dir: platform,
        });
        for file in layers.files.iter().filter(|f| f.layer == Layer::Managed) {
            if let Some(Value::Object(env)) = file.object().and_then(|m| m.get("env"))
                && let Some(name) = REDIRECT_GUARDED.iter().find(|n| env.contains_key(**n))
            {
                return Some(format!(
                    "{name} is set by managed settings: {}",
                    config.tilde(&file.path)
                ));
            }
        }
    }
    if config.env.is_truthy("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST") {
        return Some(
            "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST makes Claude Code ignore endpoint variables"
                .into(),
        );
    }
    None
}

/// How a client run ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exit {
    pub success: bool,
    /// `exit status: 1`, as the system says it.
    pub shown: String,
}

/// One run of the user's `claude`, isolated, and what it sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientRun {
    /// How each request was authenticated, in arrival order.
    pub requests: Vec<CapturedRequest>,
    /// With the relay: each request and the account's real answer.
    pub exchanges: Vec<Exchange>,
    pub relayed: bool,
    /// `None` when the client was stopped at the time limit.
    pub exit: Option<Exit>,
    pub elapsed_ms: u64,
    pub stderr_tail: Option<String>,
    pub notes: Vec<String>,
}

/// Why the client was not run.
#[derive(Debug, Clone)]
pub enum NotRun {
    /// Nothing to run it for, or it could not be kept from leaving the machine.
    Skipped(String),
    Failed(String),
}

/// Runs the user's `claude -p "."` in isolation: against a loopback fake (`relay: None`), or
/// through the relay to the real endpoints.
pub async fn run_client(
    config: &EffectiveConfig,
    claude: &Claude,
    timeout: Duration,
    relay: Option<RelayOptions>,
) -> Result<ClientRun, NotRun> {
    if !config.provider.any_bedrock() {
        return Err(NotRun::Skipped(
            "Claude Code is not switched to Bedrock (CLAUDE_CODE_USE_BEDROCK / CLAUDE_CODE_USE_MANTLE): nothing to run it for"
                .into(),
        ));
    }
    if let Some(reason) = managed_redirect(config) {
        return Err(NotRun::Skipped(format!(
            "{reason}, which the run cannot override: not run, so that nothing leaves this machine unrelayed"
        )));
    }
    trace(config, claude, timeout, relay)
        .await
        .map_err(NotRun::Failed)
}

/// The loopback server the client talks to.
enum Listener {
    Fake(CaptureServer),
    Relay(RelayServer),
}

impl Listener {
    fn url(&self) -> String {
        match self {
            Listener::Fake(server) => server.url(),
            Listener::Relay(server) => server.url(),
        }
    }
}

async fn trace(
    config: &EffectiveConfig,
    claude: &Claude,
    timeout: Duration,
    relay: Option<RelayOptions>,
) -> Result<ClientRun, String> {
    let region = config.region.value.clone();
    let prefix = config
        .env
        .get("ANTHROPIC_BEDROCK_REGION_PREFIX")
        .map(str::to_string)
        .unwrap_or_else(|| default_prefix_for_region(&region).to_string());
    let bearer_key = match config.credentials.source {
        CredentialSource::BearerKey { .. } => config
            .env
            .get("AWS_BEARER_TOKEN_BEDROCK")
            .map(str::to_string),
        _ => None,
    };
    let listening = match relay {
        None => CaptureServer::start(CaptureOptions {
            region: region.clone(),
            profiles: Family::ALL
                .iter()
                .map(|f| tier_default(*f, &prefix))
                .collect(),
            expected_key: bearer_key,
        })
        .await
        .map(Listener::Fake),
        Some(options) => RelayServer::start(options).await.map(Listener::Relay),
    };
    let server = listening.map_err(|err| format!("cannot listen on 127.0.0.1: {err}"))?;
    let url = server.url();

    // It holds a copy of the user's settings (a bearer key, perhaps): owner only.
    let dir = crate::fsio::private_tempdir("claude-bedrock-trace-")
        .map_err(|err| format!("cannot create a temp directory: {err}"))?;
    // A signal that ends the doctor removes it too (the copied settings may hold a key).
    let _tracked = crate::proc::track_dir(dir.path());
    let work = dir.path().join("work");
    let config_dir = dir.path().join("config");
    let aws_dir = dir.path().join("aws");
    for d in [&work, &config_dir, &aws_dir] {
        crate::fsio::create_private_dir_all(d)
            .map_err(|err| format!("cannot create {}: {err}", d.display()))?;
    }
    let mut notes = Vec::new();
    let isolation = network_credentials(config);

    // The user settings, minus what would run or wait on its own during a bounded trace.
    // (apiKeyHelper and awsCredentialExport are replaced through the higher --settings layer.)
    copy_user_settings(config, &config_dir, &["awsAuthRefresh"])?;

    // env for both the --settings layer (which beats user/project env) and the process.
    let mut layer_env: BTreeMap<String, String> = BTreeMap::new();
    for (name, var) in config.env.iter() {
        if matches!(var.source, Source::Settings { .. }) {
            layer_env.insert(name.clone(), var.value.clone());
        }
    }
    if matches!(
        config.region.source,
        crate::config::region::RegionSource::Flag
    ) {
        layer_env.insert("AWS_REGION".into(), region.clone());
    }
    if matches!(config.profile.source, Source::Flag(_)) {
        layer_env.insert("AWS_PROFILE".into(), config.profile.name.clone());
    }
    for name in PROXY_VARIABLES {
        layer_env.insert(name.to_string(), String::new());
    }
    let redirects = [
        ("ANTHROPIC_BEDROCK_BASE_URL", url.clone()),
        (
            "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
            format!("{url}/anthropic"),
        ),
        ("CLAUDE_CODE_MAX_RETRIES", "0".into()),
        ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1".into()),
        ("DISABLE_AUTOUPDATER", "1".into()),
        ("DISABLE_TELEMETRY", "1".into()),
        ("DISABLE_ERROR_REPORTING", "1".into()),
        ("NO_PROXY", "127.0.0.1,localhost".into()),
        ("no_proxy", "127.0.0.1,localhost".into()),
    ];
    for (name, value) in &redirects {
        layer_env.insert(name.to_string(), value.clone());
    }
    if let Some(reason) = &isolation {
        // Empty AWS files and no profile: the SDK finds nothing that would call AWS.
        let empty_config = aws_dir.join("config");
        let empty_credentials = aws_dir.join("credentials");
        for file in [&empty_config, &empty_credentials] {
            crate::fsio::write_private(file, b"")
                .map_err(|err| format!("cannot write {}: {err}", file.display()))?;
        }
        layer_env.insert("AWS_CONFIG_FILE".into(), empty_config.display().to_string());
        layer_env.insert(
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            empty_credentials.display().to_string(),
        );
        layer_env.insert("AWS_PROFILE".into(), String::new());
        layer_env.insert("AWS_REGION".into(), region.clone());
        for name in NETWORK_CREDENTIAL_VARIABLES {
            layer_env.insert(name.to_string(), String::new());
        }
        if matches!(
            config.credentials.source,
            CredentialSource::BearerKey { .. } | CredentialSource::SkipAuth { .. }
        ) {
            notes.push(format!(
                "{reason}: cut off for the trace (a bearer key needs no AWS credentials)"
            ));
        } else {
            layer_env.insert("AWS_ACCESS_KEY_ID".into(), PLACEHOLDER_ACCESS_KEY.into());
            layer_env.insert("AWS_SECRET_ACCESS_KEY".into(), PLACEHOLDER_SECRET.into());
            layer_env.insert("AWS_SESSION_TOKEN".into(), String::new());
            notes.push(format!(
                "{reason}: replaced by placeholder access keys for the trace, so that no call goes to AWS (the scheme is what is measured)"
            ));
        }
    }

    let mut settings = Map::new();
    settings.insert(
        "env".into(),
        Value::Object(
            layer_env
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        ),
    );
    settings.insert("disableAllHooks".into(), json!(true));
    // The user's commands may call out; local stand-ins keep the client on the same code path.
    if config.keys.api_key_helper.is_some() {
        settings.insert("apiKeyHelper".into(), json!(PLACEHOLDER_KEY_HELPER));
        notes.push("apiKeyHelper was replaced by a command printing a placeholder key".into());
    }
    if config.keys.aws_credential_export.is_some() {
        settings.insert(
            "awsCredentialExport".into(),
            json!(PLACEHOLDER_CREDENTIAL_EXPORT),
        );
        notes.push(
            "awsCredentialExport was replaced by a command printing placeholder credentials".into(),
        );
    }
    if let Some(model) = &config.keys.model {
        settings.insert("model".into(), json!(model.value));
    }
    if !config.keys.model_overrides.is_empty() {
        let overrides: Map<String, Value> = config
            .keys
            .model_overrides
            .iter()
            .map(|(k, v)| (k.clone(), json!(v.value)))
            .collect();
        settings.insert("modelOverrides".into(), Value::Object(overrides));
    }
    let settings_file = dir.path().join("trace-settings.json");
    crate::fsio::write_private(
        &settings_file,
        &serde_json::to_vec_pretty(&Value::Object(settings)).unwrap_or_default(),
    )
    .map_err(|err| format!("cannot write {}: {err}", settings_file.display()))?;

    let mut env = config.env.to_map();
    for (name, value) in &layer_env {
        if value.is_empty() {
            env.remove(name);
        } else {
            env.insert(name.clone(), value.clone());
        }
    }
    env.insert("CLAUDE_CONFIG_DIR".into(), config_dir.display().to_string());
    env.insert("AWS_EC2_METADATA_DISABLED".into(), "true".into());
    // Any AWS SDK call the client still makes (STS, SSO) lands on the trace server.
    env.insert("AWS_ENDPOINT_URL".into(), url.clone());

    let mut command = Command::new(&claude.path);
    command
        .args(["-p", "."])
        .arg("--settings")
        .arg(&settings_file)
        .current_dir(&work)
        .env_clear()
        .envs(&env);
    let started = Instant::now();
    let limit = trace_limit(timeout);
    // Its own session (no terminal), its whole tree ended after, its output bounded.
    let captured = crate::proc::run_bounded(&mut command, None, limit, CLIENT_OUTPUT)
        .await
        .map_err(|err| format!("cannot run {}: {err}", claude.path.display()))?;
    let elapsed = started.elapsed();
    let exit = captured.status.map(|status| Exit {
        success: status.success(),
        shown: status.to_string(),
    });
    let stderr_tail = captured
        .last_stderr_line()
        .map(|line| crate::secret::scrub_text(&line));
    let (requests, exchanges, relayed) = match &server {
        Listener::Fake(server) => (server.requests(), Vec::new(), false),
        Listener::Relay(server) => {
            let exchanges = server.exchanges();
            let requests = exchanges.iter().map(|e| e.request.clone()).collect();
            (requests, exchanges, true)
        }
    };
    drop(server);
    drop(dir);
    Ok(ClientRun {
        requests,
        exchanges,
        relayed,
        exit,
        elapsed_ms: elapsed.as_millis() as u64,
        stderr_tail,
        notes,
    })
}

/// How the run went: `` `claude -p "."` finished in 4.2 s ``.
pub fn run_line(config: &EffectiveConfig, claude: &Claude, run: &ClientRun) -> String {
    let seconds = run.elapsed_ms as f64 / 1000.0;
    let command = format!("`{} -p \".\"`", config.tilde(&claude.path));
    match &run.exit {
        Some(exit) if exit.success => format!("{command} finished in {seconds:.1} s"),
        Some(exit) => format!("{command} exited with {} after {seconds:.1} s", exit.shown),
        None => format!("{command} was stopped after {seconds:.0} s"),
    }
}

/// What is kept of the client's output: its answer is not read (the relay saw what it did), and
/// its stderr only for its last words.
const CLIENT_OUTPUT: crate::proc::Keep = crate::proc::Keep {
    stdout: 64 * 1024,
    stderr_tail: 16 * 1024,
};

/// Time for node to start, read its settings and make a few loopback calls.
pub fn trace_limit(timeout: Duration) -> Duration {
    timeout.max(Duration::from_secs(60))
}

/// Why the client's own credential chain would reach AWS, if it would.
fn network_credentials(config: &EffectiveConfig) -> Option<String> {
    let needs_network = |kind: &ProfileKind| {
        matches!(
            kind,
            ProfileKind::Sso { .. }
                | ProfileKind::SsoLegacy
                | ProfileKind::AssumeRole { .. }
                | ProfileKind::WebIdentity { .. }
                | ProfileKind::Process
                | ProfileKind::ConsoleLogin
        )
    };
    match &config.credentials.source {
        CredentialSource::Profile { name, kind } if needs_network(kind) => {
            return Some(format!("profile \"{name}\" ({})", kind.label()));
        }
        CredentialSource::WebIdentityEnv => return Some("web identity credentials".into()),
        CredentialSource::Container => return Some("container credentials".into()),
        CredentialSource::None => return Some("the instance-role lookup".into()),
        _ => {}
    }
    // A bearer key needs no AWS credentials, but the profile is still there for the SDK to load.
    if needs_network(&config.profile.info.kind) {
        return Some(format!(
            "profile \"{}\" ({})",
            config.profile.name,
            config.profile.info.kind.label()
        ));
    }
    NETWORK_CREDENTIAL_VARIABLES
        .iter()
        .find(|name| config.env.get(name).is_some())
        .map(std::string::ToString::to_string)
}

pub(crate) fn copy_user_settings(
    config: &EffectiveConfig,
    config_dir: &Path,
    dropped: &[&str],
) -> Result<(), String> {
    let source = config.locations.user_file();
    let bytes = match crate::fsio::read_regular(&source, crate::fsio::MAX_CONFIG_FILE) {
        Ok(bytes) => bytes,
        Err(crate::fsio::ReadError::NotFound) => return Ok(()),
        Err(err) => return Err(format!("{} {err}", config.tilde(&source))),
    };
    // A file that does not parse is copied as it is: Claude Code ignores it the same way.
    let bytes = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut map)) => {
            for key in dropped {
                map.remove(*key);
            }
            serde_json::to_vec_pretty(&Value::Object(map)).unwrap_or(bytes)
        }
        _ => bytes,
    };
    let target = config_dir.join("settings.json");
    crate::fsio::write_private(&target, &bytes)
        .map_err(|err| format!("cannot write {}: {err}", target.display()))
}
