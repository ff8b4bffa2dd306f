//! The AWS shared config and credentials files, read with aws-config's own parser.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::fsio::{self, ReadError};

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use aws_types::os_shim_internal::{Env, Fs};
use serde::Serialize;

use super::env::EffectiveEnv;
use super::source::{AwsFileKind, Source};

#[derive(Debug, Clone)]
pub enum AwsFileState {
    Missing,
    Unreadable(String),
    /// aws-config's parser rejected the file; the SDK (and Claude Code) will fail to load it.
    Invalid(String),
    Loaded,
}

#[derive(Debug, Clone)]
pub struct AwsFile {
    pub kind: AwsFileKind,
    pub path: PathBuf,
    /// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE` when set, else the default location.
    pub path_source: Source,
    pub state: AwsFileState,
    sections: Option<ProfileSet>,
    /// Section headers as written, for explaining why a profile was not found.
    raw_headers: Vec<String>,
    /// The text that was parsed: the SDK is given this, never the path, so that it reads the
    /// same bounded, regular-file content (a FIFO at the path would hang the SDK's own read).
    pub contents: Option<String>,
}

impl AwsFile {
    async fn load(kind: AwsFileKind, env: &EffectiveEnv, home: Option<&Path>) -> AwsFile {
        let (variable, default) = match kind {
            AwsFileKind::Config => ("AWS_CONFIG_FILE", ".aws/config"),
            AwsFileKind::Credentials => ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"),
        };
        let (path, path_source) = match env.get_with_source(variable) {
            Some((value, source)) => (expand_home(value, home), source.clone()),
            None => (
                home.map(|h| h.join(default))
                    .unwrap_or_else(|| PathBuf::from("~").join(default)),
                Source::Default,
            ),
        };
        let mut file = AwsFile {
            kind,
            path,
            path_source,
            state: AwsFileState::Missing,
            sections: None,
            raw_headers: Vec::new(),
            contents: None,
        };
        let contents = match fsio::read_regular(&file.path, fsio::MAX_CONFIG_FILE) {
            Ok(bytes) => bytes,
            Err(ReadError::NotFound) => return file,
            Err(err) => {
                file.state = AwsFileState::Unreadable(err.to_string());
                return file;
            }
        };
        let Ok(contents) = String::from_utf8(contents) else {
            file.state = AwsFileState::Invalid(
                "not UTF-8 text; the AWS SDK reads it as an empty file".to_string(),
            );
            return file;
        };
        file.raw_headers = section_headers(&contents);
        file.contents = Some(contents.clone());
        let sdk_kind = match kind {
            AwsFileKind::Config => ProfileFileKind::Config,
            AwsFileKind::Credentials => ProfileFileKind::Credentials,
        };
        let files = ProfileFiles::builder()
            .with_contents(sdk_kind, contents)
            .build();
        match aws_config::profile::load(&Fs::real(), &Env::from_slice(&[]), &files, None).await {
            Ok(set) => {
                file.sections = Some(set);
                file.state = AwsFileState::Loaded;
            }
            Err(err) => {
                // The parser names the line, never its content, so no key can leak through here.
                file.state = AwsFileState::Invalid(parse_error_message(&err));
            }
        }
        file
    }

    pub fn profile_names(&self) -> Vec<String> {
        self.sections
            .as_ref()
            .map(|s| s.profiles().map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.sections
            .as_ref()?
            .get_profile(profile)?
            .get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    fn has_profile(&self, profile: &str) -> bool {
        self.sections
            .as_ref()
            .is_some_and(|s| s.get_profile(profile).is_some())
    }

    fn sso_session(&self, name: &str, key: &str) -> Option<&str> {
        self.sections.as_ref()?.sso_session(name)?.get(key)
    }

    /// Secret keys and session tokens written in any profile, for the redaction layer.
    pub fn secret_values(&self) -> Vec<String> {
        let Some(sections) = &self.sections else {
            return Vec::new();
        };
        sections
            .profiles()
            .filter_map(|name| sections.get_profile(name))
            .flat_map(|profile| {
                [
                    "aws_secret_access_key",
                    "aws_session_token",
                    "aws_security_token",
                ]
                .into_iter()
                .filter_map(|key| profile.get(key).map(str::to_string))
            })
            .collect()
    }

    pub fn is_loaded(&self) -> bool {
        matches!(self.state, AwsFileState::Loaded)
    }
}

/// How a profile obtains credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ProfileKind {
    /// `aws_access_key_id` / `aws_secret_access_key`.
    StaticKeys { session_token: bool },
    /// `sso_session` pointing at an `[sso-session]` section (refreshable tokens).
    Sso { session: String },
    /// `sso_start_url` / `sso_account_id` directly in the profile (8-hour, no refresh).
    SsoLegacy,
    /// `role_arn` with `source_profile` or `credential_source`.
    AssumeRole { role_arn: String, source: String },
    /// `role_arn` with `web_identity_token_file`.
    WebIdentity { role_arn: String },
    /// `credential_process`.
    Process,
    /// `login_session`, written by `aws login`.
    ConsoleLogin,
    /// The profile exists but says nothing about credentials.
    NoCredentials,
    /// No such profile in either file.
    Missing,
}

impl ProfileKind {
    pub fn label(&self) -> String {
        match self {
            ProfileKind::StaticKeys {
                session_token: false,
            } => "static access keys".into(),
            ProfileKind::StaticKeys {
                session_token: true,
            } => "static access keys with session token".into(),
            ProfileKind::Sso { session } => {
                format!("IAM Identity Center (sso-session \"{session}\")")
            }
            ProfileKind::SsoLegacy => "IAM Identity Center (legacy, no refresh)".into(),
            ProfileKind::AssumeRole { source, .. } => format!("assume role (from {source})"),
            ProfileKind::WebIdentity { .. } => "web identity".into(),
            ProfileKind::Process => "credential_process".into(),
            ProfileKind::ConsoleLogin => "console login (aws login)".into(),
            ProfileKind::NoCredentials => "no credentials in profile".into(),
            ProfileKind::Missing => "profile not found".into(),
        }
    }

    pub fn short(&self) -> &'static str {
        match self {
            ProfileKind::StaticKeys { .. } => "static-keys",
            ProfileKind::Sso { .. } => "sso",
            ProfileKind::SsoLegacy => "sso-legacy",
            ProfileKind::AssumeRole { .. } => "assume-role",
            ProfileKind::WebIdentity { .. } => "web-identity",
            ProfileKind::Process => "credential-process",
            ProfileKind::ConsoleLogin => "console-login",
            ProfileKind::NoCredentials => "no-credentials",
            ProfileKind::Missing => "missing",
        }
    }

    pub fn is_sso(&self) -> bool {
        matches!(self, ProfileKind::Sso { .. } | ProfileKind::SsoLegacy)
    }
}

/// What the AWS files say about one profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileInfo {
    pub name: String,
    pub kind: ProfileKind,
    /// `region` and the file it came from (credentials file first, as Claude Code reads them).
    pub region: Option<(String, AwsFileKind)>,
    /// The region in the config file alone: what the aws CLI reads.
    pub config_region: Option<String>,
    /// The region in the credentials file alone.
    pub credentials_region: Option<String>,
    pub in_config: bool,
    pub in_credentials: bool,
    pub sso_region: Option<String>,
    pub sso_start_url: Option<String>,
    pub endpoint_url: Option<String>,
    pub ca_bundle: Option<String>,
}

/// Both AWS shared files.
#[derive(Debug, Clone)]
pub struct AwsFiles {
    pub config: AwsFile,
    pub credentials: AwsFile,
}

impl AwsFiles {
    pub async fn load(env: &EffectiveEnv, home: Option<&Path>) -> AwsFiles {
        AwsFiles {
            config: AwsFile::load(AwsFileKind::Config, env, home).await,
            credentials: AwsFile::load(AwsFileKind::Credentials, env, home).await,
        }
    }

    /// Every profile in either file, sorted, `default` first.
    pub fn profile_names(&self) -> Vec<String> {
        let names: BTreeSet<String> = self
            .config
            .profile_names()
            .into_iter()
            .chain(self.credentials.profile_names())
            .collect();
        let mut names: Vec<String> = names.into_iter().collect();
        if let Some(pos) = names.iter().position(|n| n == "default") {
            let default = names.remove(pos);
            names.insert(0, default);
        }
        names
    }

    /// A property, credentials file first (it wins over the config file, as in the SDKs).
    fn get(&self, profile: &str, key: &str) -> Option<(&str, AwsFileKind)> {
        self.credentials
            .get(profile, key)
            .map(|v| (v, AwsFileKind::Credentials))
            .or_else(|| {
                self.config
                    .get(profile, key)
                    .map(|v| (v, AwsFileKind::Config))
            })
    }

    /// A profile property, credentials file first.
    pub fn value(&self, profile: &str, key: &str) -> Option<String> {
        self.get(profile, key).map(|(v, _)| v.to_string())
    }

    /// The value of `key` in every profile that sets it.
    pub fn all_values(&self, key: &str) -> Vec<String> {
        self.profile_names()
            .iter()
            .filter_map(|name| self.value(name, key))
            .collect()
    }

    /// The profiles a role chain passes through, from `name` to the one whose own credentials
    /// start it: `role_arn` + `source_profile` leads on. `Err` with the cycle when it loops
    /// (a profile naming itself as its own source, with keys of its own, is not a loop).
    pub fn chain(&self, name: &str) -> Result<Vec<String>, Vec<String>> {
        let mut chain = vec![name.to_string()];
        let mut current = name.to_string();
        while self.value(&current, "role_arn").is_some() {
            let Some(source) = self.value(&current, "source_profile") else {
                break;
            };
            if source == current {
                break;
            }
            if chain.contains(&source) {
                chain.push(source);
                return Err(chain);
            }
            chain.push(source.clone());
            current = source;
        }
        Ok(chain)
    }

    /// The profile that starts `name`'s chain, and how it gets its credentials.
    pub fn chain_kind(&self, name: &str) -> Option<(String, ProfileKind)> {
        let root = self.chain(name).ok()?.pop()?;
        let kind = self.kind_of(&root);
        Some((root, kind))
    }

    /// Whether resolving `name` runs a `credential_process` anywhere in its chain.
    pub fn chain_runs_process(&self, name: &str) -> bool {
        let chain = self.chain(name).unwrap_or_else(|cycle| cycle);
        chain
            .iter()
            .any(|profile| self.get(profile, "credential_process").is_some())
    }

    /// Whether an `[sso-session NAME]` section exists in the config file.
    pub fn has_sso_session(&self, name: &str) -> bool {
        self.config
            .sections
            .as_ref()
            .is_some_and(|s| s.sso_session(name).is_some())
    }

    pub fn file(&self, kind: AwsFileKind) -> &AwsFile {
        match kind {
            AwsFileKind::Config => &self.config,
            AwsFileKind::Credentials => &self.credentials,
        }
    }

    pub fn describe(&self, name: &str) -> ProfileInfo {
        let in_config = self.config.has_profile(name);
        let in_credentials = self.credentials.has_profile(name);
        let kind = if !in_config && !in_credentials {
            ProfileKind::Missing
        } else {
            self.kind_of(name)
        };
        let sso_session = self.value(name, "sso_session");
        let from_session = |key: &str| {
            sso_session
                .as_deref()
                .and_then(|s| self.config.sso_session(s, key))
                .map(str::to_string)
        };
        ProfileInfo {
            name: name.to_string(),
            region: self.get(name, "region").map(|(v, k)| (v.to_string(), k)),
            config_region: self.config.get(name, "region").map(str::to_string),
            credentials_region: self.credentials.get(name, "region").map(str::to_string),
            in_config,
            in_credentials,
            sso_region: from_session("sso_region").or_else(|| self.value(name, "sso_region")),
            sso_start_url: from_session("sso_start_url")
                .or_else(|| self.value(name, "sso_start_url")),
            endpoint_url: self.value(name, "endpoint_url"),
            ca_bundle: self.value(name, "ca_bundle"),
            kind,
        }
    }

    fn kind_of(&self, name: &str) -> ProfileKind {
        let has = |key: &str| self.get(name, key).is_some();
        if let Some(role_arn) = self.value(name, "role_arn") {
            if has("web_identity_token_file") {
                return ProfileKind::WebIdentity { role_arn };
            }
            let source = self
                .value(name, "source_profile")
                .map(|p| format!("profile \"{p}\""))
                .or_else(|| self.value(name, "credential_source"))
                .unwrap_or_else(|| "nothing: no source_profile".into());
            return ProfileKind::AssumeRole { role_arn, source };
        }
        if let Some(session) = self.value(name, "sso_session") {
            return ProfileKind::Sso { session };
        }
        if has("sso_start_url") || has("sso_account_id") {
            return ProfileKind::SsoLegacy;
        }
        if has("credential_process") {
            return ProfileKind::Process;
        }
        if has("aws_access_key_id") {
            return ProfileKind::StaticKeys {
                session_token: has("aws_session_token"),
            };
        }
        if has("login_session") {
            return ProfileKind::ConsoleLogin;
        }
        ProfileKind::NoCredentials
    }

    /// Why `name` is not found, when a section of that name is written the wrong way.
    pub fn missing_profile_hint(&self, name: &str) -> Option<String> {
        if name != "default" && self.config.raw_headers.iter().any(|h| h == name) {
            return Some(format!(
                "{} has [{name}], which the AWS SDKs ignore: in the config file it must be written [profile {name}]",
                self.config.path.display()
            ));
        }
        if self
            .credentials
            .raw_headers
            .iter()
            .any(|h| h == &format!("profile {name}"))
        {
            return Some(format!(
                "{} has [profile {name}], which the AWS SDKs ignore: in the credentials file it must be written [{name}]",
                self.credentials.path.display()
            ));
        }
        None
    }
}

/// "line 3: Expected an '=' sign defining a property" from aws-config's error chain.
fn parse_error_message(err: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        innermost = cause.to_string();
        source = cause.source();
    }
    match innermost.split_once(" on line ") {
        Some((_, rest)) => {
            let (line, message) = rest.split_once(':').unwrap_or((rest, ""));
            format!("line {}: {}", line.trim(), message.trim())
        }
        None => innermost,
    }
}

/// `[...]` headers as written (trimmed, brackets removed).
fn section_headers(contents: &str) -> Vec<String> {
    contents
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            line.strip_prefix('[')
                .and_then(|rest| rest.split(']').next())
                .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect()
}

fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if path == "~" => home.map(Path::to_path_buf).unwrap_or_else(|| path.into()),
        _ => PathBuf::from(path),
    }
}
