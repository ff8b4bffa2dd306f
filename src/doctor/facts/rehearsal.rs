//! The rehearsal: the user's own `claude`, run once in isolation, its requests relayed to the
//! account it would really call (see [`crate::loopback::relay`]). What it did is the ground truth
//! the client checks read (`crate::doctor::checks::rehearsal`).
//!
//! A rehearsal that worked is cached by (client, version, configuration) for a few minutes, so that
//! a second doctor run does not start the client again.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::provider::ProvideCredentials;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::aws::{AuthMode, Clients};
use crate::config::EffectiveConfig;
use crate::config::credentials::CredentialSource;
use crate::loopback::relay::{RelayOptions, Upstream};
use crate::net::Route;
use crate::net::proxy::ProxyEnv;

use super::claude_bin::Claude;
use super::client_run::{self as trace, ClientRun, NotRun};
use crate::doctor::defects::Version;

/// How long a rehearsal stands for the same client and configuration.
pub const CACHE_FOR: Duration = Duration::from_secs(10 * 60);

/// Runs the client: relayed to the account when `clients` is given (online), against the
/// loopback fake otherwise. The second value says whether the run came from the cache.
pub async fn rehearse(
    config: &EffectiveConfig,
    claude: &Claude,
    version: Option<Version>,
    clients: Option<&Clients>,
    timeout: Duration,
    use_cache: bool,
) -> (Result<ClientRun, NotRun>, bool) {
    let Some(clients) = clients else {
        return (
            trace::run_client(config, claude, timeout, None).await,
            false,
        );
    };
    let cache = Cache::locate(config, claude, version);
    // A cache directory another user could write to is never trusted, nor written.
    let (cache, cache_note) = match cache.map(Cache::trusted) {
        Some(Ok(cache)) => (Some(cache), None),
        Some(Err(why)) => (None, Some(why)),
        None => (None, None),
    };
    if use_cache && let Some(run) = cache.as_ref().and_then(Cache::load) {
        return (Ok(run), true);
    }
    let relay = match relay_options(config, clients).await {
        Ok(relay) => relay,
        Err(why) => return (Err(NotRun::Skipped(why)), false),
    };
    let mut run = trace::run_client(config, claude, timeout, Some(relay)).await;
    if let (Ok(run), Some(note)) = (&mut run, cache_note) {
        run.notes.push(note);
    }
    // Only a run that worked stands for the next one: after a failure the user is fixing
    // something (perhaps in the account, which no digest sees), and must see it measured again.
    if let (Ok(run), Some(cache)) = (&run, &cache)
        && run.exit.as_ref().is_some_and(|exit| exit.success)
    {
        cache.store(run);
    }
    (run, false)
}

/// Where the relay sends each kind of request, on Claude Code's way there, signed with the
/// credentials the doctor resolved.
async fn relay_options(
    config: &EffectiveConfig,
    clients: &Clients,
) -> Result<RelayOptions, String> {
    if let Some(err) = &clients.credential_error {
        return Err(format!(
            "no AWS credentials to sign the client's requests with ({})",
            err.message
        ));
    }
    let credentials = match (clients.auth, &clients.credentials) {
        (AuthMode::SigV4, Some(provider)) => {
            match tokio::time::timeout(clients.timeout, provider.provide_credentials()).await {
                Ok(Ok(credentials)) => Some(credentials),
                Ok(Err(err)) => {
                    return Err(format!(
                        "the AWS credentials could not be had: {}",
                        crate::secret::scrub_text(&err.to_string())
                    ));
                }
                Err(_) => return Err("the AWS credentials did not come within the timeout".into()),
            }
        }
        _ => None,
    };
    let proxies = ProxyEnv::from_env(&config.env);
    let upstream = |url: &crate::aws::endpoints::Url| -> Result<Upstream, String> {
        let base = url.clone()?;
        let route = crate::net::Target::parse(&base)
            .ok()
            .and_then(|target| proxies.claude_code(&target).route())
            .unwrap_or(Route::Direct);
        Ok(Upstream { base, route })
    };
    let endpoints = &clients.endpoints;
    let small_fast = match &endpoints.small_fast_runtime {
        Some((region, url)) => Some((region.clone(), upstream(url)?)),
        None => None,
    };
    let mantle = match config.provider.mantle {
        Some(_) => Some(upstream(&Ok(endpoints.mantle.clone()))?),
        None => None,
    };
    let expected_key = match config.credentials.source {
        CredentialSource::BearerKey { .. } => config
            .env
            .get("AWS_BEARER_TOKEN_BEDROCK")
            .map(str::to_string),
        _ => None,
    };
    let custom_headers = config
        .env
        .get("ANTHROPIC_CUSTOM_HEADERS")
        .map(custom_header_names)
        .unwrap_or_default();
    Ok(RelayOptions {
        region: config.region.value.clone(),
        custom_headers,
        control: upstream(&endpoints.control)?,
        runtime: upstream(&endpoints.runtime)?,
        small_fast,
        mantle,
        credentials,
        expected_key,
        trust: super::network::TrustEnv::from_config(config).claude_code(),
        timeout: clients.timeout,
    })
}

/// The header names in `ANTHROPIC_CUSTOM_HEADERS` (`Name: value` lines), lower-case.
fn custom_header_names(headers: &str) -> Vec<String> {
    headers
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, _)| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect()
}

/// A rehearsal on disk, under the user's cache directory.
struct Cache {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Cached {
    written_at: u64,
    run: ClientRun,
}

impl Cache {
    /// The cache file for this client and configuration: named by a digest of the client (path,
    /// size, mtime, version) and of everything the run reads (the effective environment, the
    /// settings files, the AWS files). Nothing of it is readable back from the name.
    fn locate(
        config: &EffectiveConfig,
        claude: &Claude,
        version: Option<Version>,
    ) -> Option<Cache> {
        let dir = match config.env.get("XDG_CACHE_HOME") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => config.home()?.join(".cache"),
        }
        .join("claude-bedrock");
        let mut hash = Sha256::new();
        hash.update(claude.path.as_os_str().as_encoded_bytes());
        if let Ok(meta) = std::fs::metadata(&claude.path) {
            hash.update(meta.len().to_le_bytes());
            if let Ok(modified) = meta.modified() {
                hash.update(format!("{modified:?}").as_bytes());
            }
        }
        hash.update(
            version
                .map(|v| v.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        for (name, value) in config.env.to_map() {
            hash.update(name.as_bytes());
            hash.update([0]);
            hash.update(value.as_bytes());
            hash.update([0]);
        }
        for file in &config.settings.files {
            hash.update(file.path.as_os_str().as_encoded_bytes());
            if let Some(object) = file.object() {
                hash.update(serde_json::to_vec(object).unwrap_or_default());
            }
        }
        for file in [&config.aws_files.config, &config.aws_files.credentials] {
            hash.update(file.contents.as_deref().unwrap_or("").as_bytes());
        }
        hash.update(config.region.value.as_bytes());
        hash.update(config.profile.name.as_bytes());
        let digest = hash.finalize();
        let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        Some(Cache {
            path: dir.join(format!("rehearsal-{name}.json")),
        })
    }

    /// The cache, when its directory is this user's own and no one else can write to it
    /// (created so when missing); otherwise why it is not used.
    fn trusted(self) -> Result<Cache, String> {
        let Some(dir) = self.path.parent() else {
            return Err("the rehearsal cache has no directory".into());
        };
        if crate::fsio::create_private_dir_all(dir).is_err() {
            return Err(format!(
                "the rehearsal cache {} cannot be created: not used",
                dir.display()
            ));
        }
        match crate::fsio::owned_privately(dir) {
            Ok(()) => Ok(self),
            Err(why) => Err(format!(
                "the rehearsal cache {} is not used: {why}",
                dir.display()
            )),
        }
    }

    fn load(&self) -> Option<ClientRun> {
        // An entry another user put there is not read (its directory is checked already).
        crate::fsio::owned_privately(&self.path).ok()?;
        let bytes = crate::fsio::read_regular(&self.path, 4 * 1024 * 1024).ok()?;
        let cached: Cached = serde_json::from_slice(&bytes).ok()?;
        let age = now().checked_sub(cached.written_at)?;
        (age <= CACHE_FOR.as_secs()).then_some(cached.run)
    }

    /// Best effort: a cache that cannot be written only costs the next run its time.
    fn store(&self, run: &ClientRun) {
        let cached = Cached {
            written_at: now(),
            run: run.clone(),
        };
        if let Ok(bytes) = serde_json::to_vec(&cached) {
            let _ = crate::fsio::replace_atomically(&self.path, &bytes, 0o600, None);
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
