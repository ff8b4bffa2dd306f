//! What the AWS SDK reads, and the SigV4 credentials it resolves — once, before any call.
//!
//! The SDK never touches the user's files itself: it gets the AWS config and credentials text
//! the configuration engine already read (regular files, bounded) and an in-memory snapshot of
//! the few other files its providers read (the SSO and login token caches, a web-identity or
//! container token file). A FIFO or `/dev/zero` at any of those paths cannot hang or exhaust it,
//! and an SSO token the SDK refreshes is not written back into the user's cache.
//!
//! Credentials are resolved up front, within the timeout, so that a provider that hangs is
//! named ("the profile's credential_process did not answer within 10 s") instead of a later STS
//! or Bedrock call taking the blame. A chain that runs a `credential_process` is resolved in a
//! child process of this binary, in a process group of its own, which is killed whole on
//! timeout: the SDK does not stop the process it started when its future is dropped.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, ConfigLoader};
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_types::os_shim_internal::{Env, Fs};
use aws_types::region::Region;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::config::EffectiveConfig;
use crate::config::aws_files::ProfileKind;
use crate::config::credentials::CredentialSource;
use crate::fsio;

/// The hidden subcommand the child process runs.
pub(crate) const CHILD_COMMAND: &str = "__resolve-credentials";

/// Cache directories the SDK's token providers read, relative to the home directory.
const CACHE_DIRS: [&str; 2] = [".aws/sso/cache", ".aws/login/cache"];
/// At most this many files are taken from one cache directory.
const MAX_CACHE_FILES: usize = 256;

/// Everything the SDK is allowed to read: the environment, the profile, the two AWS files'
/// text, and the other files its providers may open.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SdkInputs {
    pub env: HashMap<String, String>,
    pub profile: String,
    pub region: String,
    pub config_file: String,
    pub credentials_file: String,
    /// Path (as the SDK spells it) → base64 of the content.
    pub files: BTreeMap<String, String>,
}

impl SdkInputs {
    pub(crate) fn new(config: &EffectiveConfig, env: HashMap<String, String>) -> SdkInputs {
        let mut files = BTreeMap::new();
        let take = |path: &Path, files: &mut BTreeMap<String, String>| {
            if let Ok(bytes) = fsio::read_regular(path, fsio::MAX_TOKEN_FILE) {
                files.insert(path.display().to_string(), STANDARD.encode(bytes));
            }
        };
        let home = env.get("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        let mut dirs: Vec<PathBuf> = home
            .iter()
            .flat_map(|home| CACHE_DIRS.iter().map(move |dir| home.join(dir)))
            .collect();
        if let Some(dir) = env.get("AWS_LOGIN_CACHE_DIRECTORY") {
            dirs.push(PathBuf::from(dir));
        }
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten().take(MAX_CACHE_FILES) {
                take(&entry.path(), &mut files);
            }
        }
        let token_files = [
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        ]
        .iter()
        .filter_map(|name| env.get(*name).cloned())
        .chain(config.aws_files.all_values("web_identity_token_file"));
        for path in token_files {
            take(Path::new(&path), &mut files);
        }
        SdkInputs {
            env,
            profile: config.profile.name.clone(),
            region: config.region.value.clone(),
            config_file: config.aws_files.config.contents.clone().unwrap_or_default(),
            credentials_file: config
                .aws_files
                .credentials
                .contents
                .clone()
                .unwrap_or_default(),
            files,
        }
    }

    /// The SDK loader over exactly these inputs (no retries; timeouts per call).
    pub(crate) fn loader(&self, timeout: Duration) -> ConfigLoader {
        use aws_config::retry::RetryConfig;
        use aws_config::timeout::TimeoutConfig;
        let files: HashMap<String, Vec<u8>> = self
            .files
            .iter()
            .filter_map(|(path, data)| Some((path.clone(), STANDARD.decode(data).ok()?)))
            .collect();
        let profile_files = EnvConfigFiles::builder()
            .with_contents(EnvConfigFileKind::Config, self.config_file.clone())
            .with_contents(
                EnvConfigFileKind::Credentials,
                self.credentials_file.clone(),
            )
            .build();
        aws_config::defaults(BehaviorVersion::latest())
            .env(Env::from(self.env.clone()))
            .fs(Fs::from_map(files))
            .profile_files(profile_files)
            .http_client(super::http_client(&self.env))
            .region(Region::new(self.region.clone()))
            .profile_name(&self.profile)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(timeout)
                    .read_timeout(timeout)
                    .operation_attempt_timeout(timeout)
                    .operation_timeout(timeout)
                    .build(),
            )
    }
}

/// Why no SigV4 credentials could be had: what failed, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialError {
    pub message: String,
    pub fix: String,
    /// What the provider said, as a person reads it (one line).
    pub said: Option<String>,
}

/// Resolves the SigV4 credentials of this configuration's chain, bounded by `timeout`.
pub(crate) async fn resolve(
    config: &EffectiveConfig,
    inputs: &SdkInputs,
    timeout: Duration,
) -> Result<Credentials, CredentialError> {
    let provider = Provider::of(config);
    if let Some(problem) = config.web_identity_token_problem() {
        return Err(CredentialError {
            message: format!("{}: {problem}", provider.what),
            fix: provider.fix.clone(),
            said: None,
        });
    }
    if let Err(cycle) = config.aws_files.chain(&config.profile.name) {
        return Err(provider.failed(&format!(
            "its source_profile chain loops ({})",
            cycle.join(" → ")
        )));
    }
    if config.aws_files.chain_runs_process(&config.profile.name) {
        return resolve_in_child(inputs, timeout, &provider).await;
    }
    let sdk = inputs.loader(timeout).load().await;
    let Some(chain) = sdk.credentials_provider() else {
        return Err(provider.failed("no credential provider is configured"));
    };
    match tokio::time::timeout(timeout, chain.provide_credentials()).await {
        Ok(Ok(credentials)) => Ok(credentials),
        Ok(Err(err)) => Err(provider.failed(&crate::aws::errors::error_chain(&err))),
        Err(_) => Err(provider.timed_out(timeout)),
    }
}

/// Who supplies the credentials, in words, with the fix for when it fails.
struct Provider {
    what: String,
    fix: String,
    /// The SSO profile, when the chain starts with an SSO sign-in.
    sso_profile: Option<String>,
}

impl Provider {
    fn of(config: &EffectiveConfig) -> Provider {
        let quoted = crate::secret::shell_quote;
        let sso_profile = match &config.credentials.source {
            CredentialSource::Profile { name, .. } => config
                .aws_files
                .chain_kind(name)
                .filter(|(_, kind)| kind.is_sso())
                .map(|_| name.clone()),
            _ => None,
        };
        let (what, fix) = match &config.credentials.source {
            CredentialSource::Profile { name, kind } => {
                let (_, kind) = config.aws_files.chain_kind(name).unwrap_or((name.clone(), kind.clone()));
                match kind {
                    _ if config.aws_files.chain_runs_process(name) => (
                        format!("the credential_process of profile \"{name}\""),
                        format!("Run the credential_process command of profile \"{name}\" by hand: it must print its JSON and exit promptly."),
                    ),
                    k if k.is_sso() => (
                        format!("the IAM Identity Center (SSO) sign-in of profile \"{name}\""),
                        format!("Run: aws sso login --profile {}", quoted(name)),
                    ),
                    ProfileKind::AssumeRole { .. } => (
                        format!("the role assumption of profile \"{name}\" (sts:AssumeRole)"),
                        format!("Check the source profile of \"{name}\" and the role's trust policy: `aws sts get-caller-identity --profile {}`.", quoted(name)),
                    ),
                    ProfileKind::WebIdentity { .. } => (
                        format!("the web-identity role of profile \"{name}\" (sts:AssumeRoleWithWebIdentity)"),
                        format!("Check the web_identity_token_file of profile \"{name}\": it must be a readable, current token."),
                    ),
                    ProfileKind::ConsoleLogin => (
                        format!("the console login of profile \"{name}\""),
                        format!("Run: aws login --profile {}", quoted(name)),
                    ),
                    _ => (
                        format!("profile \"{name}\""),
                        format!("Check profile \"{name}\": `aws sts get-caller-identity --profile {}` shows the provider's own error.", quoted(name)),
                    ),
                }
            }
            CredentialSource::Container => {
                let endpoint = ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]
                    .iter()
                    .find(|v| config.env.get(v).is_some())
                    .map(|v| format!(" ({v})"))
                    .unwrap_or_default();
                (
                    format!("the container credentials endpoint{endpoint}"),
                    "Check that the container credentials endpoint is reachable from here (it serves only inside its task or build).".into(),
                )
            }
            CredentialSource::WebIdentityEnv => (
                "the web-identity role (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)".into(),
                "Check that AWS_WEB_IDENTITY_TOKEN_FILE is a readable, current token and AWS_ROLE_ARN trusts its issuer.".into(),
            ),
            CredentialSource::EnvKeys { .. } => (
                "the access keys in the environment".into(),
                "Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.".into(),
            ),
            _ => (
                "the AWS SDK's default credential chain".into(),
                "Configure credentials for Claude Code: `claude-bedrock setup`, or `aws configure sso` and AWS_PROFILE.".into(),
            ),
        };
        Provider {
            what,
            fix,
            sso_profile,
        }
    }

    fn failed(&self, reason: &str) -> CredentialError {
        if let Some(profile) = &self.sso_profile
            && crate::aws::errors::credentials_kind(reason)
                == crate::aws::errors::FailureKind::SsoExpired
        {
            return CredentialError {
                message: format!(
                    "the SSO session for profile \"{profile}\" has expired or was never started"
                ),
                fix: self.fix.clone(),
                said: Some(crate::aws::errors::plain_words(&crate::secret::scrub_text(
                    reason,
                ))),
            };
        }
        CredentialError {
            message: format!("{} could not supply credentials", self.what),
            fix: self.fix.clone(),
            said: Some(crate::aws::errors::plain_words(&crate::secret::scrub_text(
                reason,
            ))),
        }
    }

    fn timed_out(&self, timeout: Duration) -> CredentialError {
        CredentialError {
            message: format!(
                "{} did not answer within {} s; no AWS call was made",
                self.what,
                seconds(timeout)
            ),
            fix: self.fix.clone(),
            said: None,
        }
    }
}

fn seconds(timeout: Duration) -> String {
    let secs = timeout.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0}")
    } else {
        format!("{secs:.1}")
    }
}

/// What the child prints: the credentials, or why there are none. Never shown.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ChildAnswer {
    Credentials {
        access_key_id: String,
        secret_access_key: String,
        session_token: Option<String>,
        /// Seconds since the epoch.
        expires: Option<u64>,
    },
    Error(String),
}

#[derive(Serialize, Deserialize)]
struct ChildRequest {
    inputs: SdkInputs,
    timeout_ms: u64,
}

async fn resolve_in_child(
    inputs: &SdkInputs,
    timeout: Duration,
    provider: &Provider,
) -> Result<Credentials, CredentialError> {
    let request = serde_json::to_vec(&ChildRequest {
        inputs: inputs.clone(),
        timeout_ms: timeout.as_millis() as u64,
    })
    .map_err(|err| provider.failed(&err.to_string()))?;
    let exe = std::env::current_exe().map_err(|err| provider.failed(&err.to_string()))?;
    let mut command = tokio::process::Command::new(exe);
    command.arg(CHILD_COMMAND).env_clear();
    let keep = crate::proc::Keep {
        stdout: 1024 * 1024,
        stderr_tail: 0,
    };
    // A little beyond the child's own limit, so that it can report a provider error itself.
    // Whatever happens, nothing of its tree survives: the credential_process, its shell, anything
    // either started.
    let outcome = crate::proc::run_bounded(
        &mut command,
        Some(request),
        timeout + Duration::from_millis(500),
        keep,
    )
    .await
    .map_err(|err| provider.failed(&format!("cannot start a helper process: {err}")))?;
    if outcome.status.is_none() {
        return Err(provider.timed_out(timeout));
    }
    let answer = outcome.stdout;
    match serde_json::from_slice::<ChildAnswer>(&answer) {
        Ok(ChildAnswer::Credentials {
            access_key_id,
            secret_access_key,
            session_token,
            expires,
        }) => {
            crate::secret::register(&secret_access_key);
            if let Some(token) = &session_token {
                crate::secret::register(token);
            }
            Ok(Credentials::new(
                access_key_id,
                secret_access_key,
                session_token,
                expires.map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s)),
                "credential_process",
            ))
        }
        Ok(ChildAnswer::Error(message)) if message == "timed out" => {
            Err(provider.timed_out(timeout))
        }
        Ok(ChildAnswer::Error(message)) => Err(provider.failed(&message)),
        Err(_) => Err(provider.failed("the helper process gave no answer")),
    }
}

/// The child: reads a request on stdin, resolves, prints the answer on stdout, and exits.
pub(crate) fn child_main() -> u8 {
    let mut request = Vec::new();
    if std::io::stdin()
        .take(64 << 20)
        .read_to_end(&mut request)
        .is_err()
    {
        return 2;
    }
    let Ok(request) = serde_json::from_slice::<ChildRequest>(&request) else {
        return 2;
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return 2;
    };
    let timeout = Duration::from_millis(request.timeout_ms);
    let answer = runtime.block_on(async {
        let sdk = request.inputs.loader(timeout).load().await;
        let Some(chain) = sdk.credentials_provider() else {
            return ChildAnswer::Error("no credential provider is configured".into());
        };
        match tokio::time::timeout(timeout, chain.provide_credentials()).await {
            Err(_) => ChildAnswer::Error("timed out".into()),
            Ok(Err(err)) => ChildAnswer::Error(crate::aws::errors::error_chain(&err)),
            Ok(Ok(creds)) => ChildAnswer::Credentials {
                access_key_id: creds.access_key_id().to_string(),
                secret_access_key: creds.secret_access_key().to_string(),
                session_token: creds.session_token().map(str::to_string),
                expires: creds
                    .expiry()
                    .and_then(|e| e.duration_since(SystemTime::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs()),
            },
        }
    });
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut stdout, &answer).is_ok() && stdout.flush().is_ok();
    // The runtime is not waited for: a hung provider's process is the parent's to kill.
    std::mem::forget(runtime);
    if written { 0 } else { 2 }
}
