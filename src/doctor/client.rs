//! `client.version` and `client.bearer-trace`: the Claude Code client itself. Some failures are
//! not in the configuration but in the client reading it: versions with known defects that only
//! bite particular configurations. They live in one table, [`DEFECTS`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;

use crate::config::EffectiveConfig;
use crate::config::aws_files::ProfileKind;
use crate::config::credentials::CredentialSource;
use crate::config::region::{DEFAULT_REGION, RegionSource};
use crate::report::{CheckResult, Findings, Status};

use super::trace;

/// The client checks, in report order: `(id, title)`.
pub const CLIENT_CHECKS: &[(&str, &str)] = &[
    ("client.version", "Claude Code version"),
    ("client.bearer-trace", "Client auth trace"),
];

/// What the doctor was asked about the client.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// `--claude-bin`; otherwise `claude` is looked up on the effective PATH.
    pub claude_bin: Option<PathBuf>,
    /// `--trace-client`.
    pub trace: bool,
    pub timeout: Duration,
}

/// A Claude Code version: `2.1.330`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The first `x.y.z` in `claude --version` output (`2.1.330 (Claude Code)`).
    pub fn parse(text: &str) -> Option<Version> {
        text.split_whitespace().find_map(|word| {
            let core = word
                .trim_start_matches('v')
                .split(['-', '+'])
                .next()
                .unwrap_or("");
            let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(Some(a)), Some(Some(b)), Some(Some(c)), None) => Some(Version(a, b, c)),
                _ => None,
            }
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// One known client defect: the versions it affects and when it bites.
pub struct Defect {
    pub id: &'static str,
    pub title: &'static str,
    /// The first affected version; `None`: every earlier version.
    pub since: Option<Version>,
    /// The first version without it.
    pub fixed_in: Version,
    /// `Some(finding)` when this configuration triggers it.
    pub applies: fn(&EffectiveConfig) -> Option<Trigger>,
}

impl Defect {
    pub fn affects(&self, version: Version) -> bool {
        version < self.fixed_in && self.since.is_none_or(|since| version >= since)
    }
}

/// How a defect shows in this configuration.
pub struct Trigger {
    pub status: Status,
    /// Why it applies here.
    pub because: String,
    /// A workaround that keeps this version, if there is one.
    pub workaround: Option<String>,
}

const UPGRADE: &str = "`claude update`, or `npm install -g @anthropic-ai/claude-code@latest`";

/// Every known defect, oldest fix first (REFERENCE §2, §3, §7).
pub const DEFECTS: &[Defect] = &[
    Defect {
        id: "bearer-dropped-on-invoke",
        title: "drops `Authorization: Bearer` on invoke calls (anthropics/claude-code#45000): model calls answer 403 \"Authorization header is missing\"",
        since: Some(Version(2, 1, 94)),
        fixed_in: Version(2, 1, 96),
        applies: |config| {
            matches!(config.credentials.source, CredentialSource::BearerKey { .. }).then(|| Trigger {
                status: Status::Fail,
                because: "this configuration authenticates with a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)".into(),
                workaround: None,
            })
        },
    },
    Defect {
        id: "empty-variable-breaks-sigv4",
        title: "fails to sign requests when AWS_BEARER_TOKEN_BEDROCK or ANTHROPIC_BEDROCK_BASE_URL is an empty string",
        since: None,
        fixed_in: Version(2, 1, 97),
        applies: |config| {
            if !signs_with_sigv4(config) {
                return None;
            }
            let empty: Vec<String> = ["AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_BEDROCK_BASE_URL"]
                .iter()
                .filter_map(|name| {
                    config
                        .env
                        .var(name)
                        .filter(|var| var.value.is_empty())
                        .map(|var| {
                            format!("{name} is set to \"\" ({})", config.describe(&var.source))
                        })
                })
                .collect();
            (!empty.is_empty()).then(|| Trigger {
                status: Status::Fail,
                because: empty.join("; "),
                workaround: Some("remove the variable instead of setting it to an empty string (CI systems export unset inputs as \"\")".into()),
            })
        },
    },
    Defect {
        id: "sigv4-second-authorization",
        title: "sends a second Authorization header with SigV4 when ANTHROPIC_AUTH_TOKEN, apiKeyHelper or an Authorization in ANTHROPIC_CUSTOM_HEADERS is set: Bedrock answers 403",
        since: None,
        fixed_in: Version(2, 1, 101),
        applies: |config| {
            if !signs_with_sigv4(config) {
                return None;
            }
            let mut sources = Vec::new();
            if let Some((_, source)) = config.env.get_with_source("ANTHROPIC_AUTH_TOKEN") {
                sources.push(format!(
                    "ANTHROPIC_AUTH_TOKEN ({})",
                    config.describe(source)
                ));
            }
            if let Some(helper) = &config.keys.api_key_helper {
                sources.push(format!(
                    "apiKeyHelper ({})",
                    config.describe(&helper.source)
                ));
            }
            if let Some((headers, source)) = config.env.get_with_source("ANTHROPIC_CUSTOM_HEADERS")
                && headers.lines().any(|line| {
                    line.split_once(':')
                        .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("authorization"))
                })
            {
                sources.push(format!(
                    "an Authorization line in ANTHROPIC_CUSTOM_HEADERS ({})",
                    config.describe(source)
                ));
            }
            (!sources.is_empty()).then(|| Trigger {
                status: Status::Fail,
                because: format!(
                    "requests are signed with SigV4 and {} is set",
                    sources.join(", ")
                ),
                workaround: Some(format!("remove {}", sources.join(" and "))),
            })
        },
    },
    Defect {
        id: "no-aws-files",
        title: "reads no AWS config or credentials file, so a region set only in a profile is ignored (it calls us-east-1)",
        since: None,
        fixed_in: Version(2, 1, 172),
        applies: |config| {
            let RegionSource::Profile { source } = &config.region.source else {
                return None;
            };
            let region = &config.region.value;
            (region != DEFAULT_REGION).then(|| Trigger {
                status: Status::Fail,
                because: format!(
                    "the region {region} comes from {}; this version calls {DEFAULT_REGION} instead",
                    config.describe(source)
                ),
                workaround: Some(format!(
                    "set AWS_REGION={region} in the env block of {}",
                    config.tilde(&config.locations.user_file())
                )),
            })
        },
    },
    Defect {
        id: "flat-credential-export",
        title: "accepts awsCredentialExport output only in the nested {\"Credentials\":{…}} shape, not the flat one",
        since: None,
        fixed_in: Version(2, 1, 181),
        applies: |config| {
            if !matches!(
                config.credentials.source,
                CredentialSource::CredentialExport { .. }
            ) {
                return None;
            }
            let export = config.keys.aws_credential_export.as_ref()?;
            // `aws configure export-credentials` prints the flat `process` format by default.
            let flat = export.value.contains("export-credentials")
                && !["env", "env-no-export", "powershell", "windows-cmd"]
                    .iter()
                    .any(|f| export.value.contains(&format!("--format {f}")));
            Some(Trigger {
                status: if flat { Status::Fail } else { Status::Warn },
                because: if flat {
                    format!(
                        "awsCredentialExport ({}) runs `aws configure export-credentials`, which prints the flat shape",
                        config.describe(&export.source)
                    )
                } else {
                    format!(
                        "awsCredentialExport ({}) must print the nested shape for this version",
                        config.describe(&export.source)
                    )
                },
                workaround: Some("make the command print {\"Credentials\":{\"AccessKeyId\":…,\"SecretAccessKey\":…,\"SessionToken\":…,\"Expiration\":…}} (e.g. pipe it through `jq '{Credentials: .}'`)".into()),
            })
        },
    },
    Defect {
        id: "sso-region-overridden",
        title: "signs in to IAM Identity Center in the Bedrock region instead of the profile's sso_region",
        since: None,
        fixed_in: Version(2, 1, 207),
        applies: |config| {
            let CredentialSource::Profile { name, kind } = &config.credentials.source else {
                return None;
            };
            if !kind.is_sso() {
                return None;
            }
            let sso_region = config.profile.info.sso_region.as_deref()?;
            let region = &config.region.value;
            (sso_region != region).then(|| Trigger {
                status: Status::Fail,
                because: format!(
                    "profile \"{name}\" has sso_region {sso_region}, but Bedrock is called in {region}"
                ),
                workaround: None,
            })
        },
    },
    Defect {
        id: "sso-oidc-bypasses-proxy",
        title: "sends the IAM Identity Center token refresh (SSO-OIDC) directly, bypassing HTTPS_PROXY",
        since: None,
        fixed_in: Version(2, 1, 239),
        applies: |config| {
            let CredentialSource::Profile {
                name,
                kind: ProfileKind::Sso { .. },
            } = &config.credentials.source
            else {
                return None;
            };
            let proxy = crate::net::proxy::PROXY_VARS
                .into_iter()
                .find(|v| config.env.get(v).is_some())?;
            Some(Trigger {
                status: Status::Warn,
                because: format!(
                    "profile \"{name}\" uses IAM Identity Center and {proxy} is set: where only the proxy reaches the internet, the token refresh fails"
                ),
                workaround: Some(format!(
                    "run `aws sso login --profile {}` before starting Claude Code, so that no refresh is needed during the session",
                    crate::secret::shell_quote(name)
                )),
            })
        },
    },
];

fn signs_with_sigv4(config: &EffectiveConfig) -> bool {
    !matches!(
        config.credentials.source,
        CredentialSource::BearerKey { .. } | CredentialSource::SkipAuth { .. }
    )
}

/// The defects `version` has, each with how this configuration triggers it (`None`: it has the
/// defect, but this configuration does not trigger it).
pub fn defects_for(
    version: Version,
    config: &EffectiveConfig,
) -> Vec<(&'static Defect, Option<Trigger>)> {
    DEFECTS
        .iter()
        .filter(|d| d.affects(version))
        .map(|d| (d, (d.applies)(config)))
        .collect()
}

/// The fix for defect `id` when this configuration triggers it and `version` (if known) has it:
/// the version that fixes it, and the workaround until then.
pub fn defect_fix(id: &str, version: Option<Version>, config: &EffectiveConfig) -> Option<String> {
    let defect = DEFECTS.iter().find(|d| d.id == id)?;
    if version.is_some_and(|v| !defect.affects(v)) {
        return None;
    }
    let trigger = (defect.applies)(config)?;
    let mut fix = format!(
        "Upgrade Claude Code to {} or later: {UPGRADE}.",
        defect.fixed_in
    );
    if let Some(workaround) = trigger.workaround {
        fix.push_str(&format!(" Until then, {workaround}."));
    }
    Some(fix)
}

/// Where the `claude` executable is, and how it was found.
#[derive(Debug, Clone)]
pub struct Claude {
    pub path: PathBuf,
    pub found: &'static str,
}

/// `--claude-bin`, else `claude` on the effective PATH, else the installers' usual places.
pub fn locate(config: &EffectiveConfig, claude_bin: Option<&Path>) -> Result<Claude, String> {
    if let Some(path) = claude_bin {
        return if is_executable(path) {
            Ok(Claude {
                path: path.to_path_buf(),
                found: "--claude-bin",
            })
        } else {
            Err(format!(
                "--claude-bin {} is not an executable file",
                path.display()
            ))
        };
    }
    let on_path = config.env.get("PATH").and_then(|path| {
        std::env::split_paths(path)
            .filter(|dir| !dir.as_os_str().is_empty())
            .map(|dir| dir.join("claude"))
            .find(|candidate| is_executable(candidate))
    });
    if let Some(path) = on_path {
        return Ok(Claude {
            path,
            found: "PATH",
        });
    }
    // The native installer's and the old local installer's homes; a shell alias may point there.
    if let Some(home) = config.home() {
        for relative in [".local/bin/claude", ".claude/local/claude"] {
            let candidate = home.join(relative);
            if is_executable(&candidate) {
                return Ok(Claude {
                    path: candidate,
                    found: "the installer's directory (not on PATH)",
                });
            }
        }
    }
    Err("no `claude` on PATH".into())
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Runs `claude --version` with the effective environment, bounded in time.
pub async fn run_version(
    claude: &Claude,
    config: &EffectiveConfig,
    timeout: Duration,
) -> Result<(Version, String), String> {
    let mut command = Command::new(&claude.path);
    command
        .arg("--version")
        .env_clear()
        .envs(config.env.to_map())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let output = match tokio::time::timeout(timeout, command.output()).await {
        Err(_) => {
            return Err(format!(
                "`claude --version` did not answer within {} s",
                timeout.as_secs()
            ));
        }
        Ok(Err(err)) => return Err(format!("`claude --version` could not be started: {err}")),
        Ok(Ok(output)) => output,
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let hint = if output.status.code() == Some(127) && first.contains("node") {
            " (this `claude` is a Node.js script: `node` must be on PATH)"
        } else {
            ""
        };
        return Err(format!(
            "`claude --version` exited with {}{hint}: {}",
            output.status,
            crate::secret::scrub_text(first)
        ));
    }
    let line = stdout.lines().next().unwrap_or("").trim().to_string();
    match Version::parse(&line) {
        Some(version) => Ok((version, line)),
        None => Err(format!(
            "`claude --version` printed no version: \"{}\"",
            crate::secret::scrub_text(&line)
        )),
    }
}

/// Both client checks.
pub async fn run(config: &EffectiveConfig, options: &ClientOptions) -> Vec<CheckResult> {
    let started = Instant::now();
    let located = locate(config, options.claude_bin.as_deref());
    let version = match &located {
        Ok(claude) => {
            Some(run_version(claude, config, options.timeout.max(Duration::from_secs(5))).await)
        }
        Err(_) => None,
    };
    let mut version_check = version_check(config, &located, version.as_ref());
    version_check.duration_ms = started.elapsed().as_millis() as u64;

    let (id, title) = CLIENT_CHECKS[1];
    let started = Instant::now();
    let mut trace_check = match (&located, options.trace) {
        (_, false) => CheckResult::new(
            id,
            title,
            Status::Skip,
            "run with --trace-client to watch which auth headers your `claude` sends",
        ),
        (Err(reason), true) => CheckResult::new(
            id,
            title,
            Status::Skip,
            format!("{reason}: nothing to trace"),
        )
        .fix("Pass --claude-bin PATH to trace a `claude` that is not on PATH."),
        (Ok(claude), true) => {
            let known = version
                .as_ref()
                .and_then(|v| v.as_ref().ok())
                .map(|(v, _)| *v);
            trace::run(config, claude, known, options.timeout).await
        }
    };
    trace_check.duration_ms = started.elapsed().as_millis() as u64;
    vec![version_check, trace_check]
}

fn version_check(
    config: &EffectiveConfig,
    located: &Result<Claude, String>,
    version: Option<&Result<(Version, String), String>>,
) -> CheckResult {
    let (id, title) = CLIENT_CHECKS[0];
    let claude = match located {
        Ok(claude) => claude,
        Err(reason) if reason.starts_with("--claude-bin") => {
            return CheckResult::new(id, title, Status::Fail, reason.clone())
                .fix("Point --claude-bin at the `claude` executable (`command -v claude` in the shell that runs Claude Code).");
        }
        Err(reason) => {
            return CheckResult::new(id, title, Status::Skip, format!("{reason}: the client version is not checked"))
                .fix("Pass --claude-bin PATH (`command -v claude` in your shell prints it), or add its directory to PATH.");
        }
    };
    let path = config.tilde(&claude.path);
    let (version, line) = match version {
        Some(Ok((version, line))) => (*version, line),
        Some(Err(reason)) => {
            return CheckResult::new(id, title, Status::Warn, reason.clone())
                .detail(format!("{path} (found via {})", claude.found))
                .fix(format!("Run `{path} --version` yourself; reinstall Claude Code if it fails ({UPGRADE})."));
        }
        None => return CheckResult::new(id, title, Status::Skip, "the version was not asked"),
    };
    let mut findings = Findings::default();
    findings.note(format!("{path} (found via {}): {line}", claude.found));
    let mut upgrade_to: Option<Version> = None;
    let mut workarounds = Vec::new();
    let mut untriggered = Vec::new();
    for (defect, trigger) in defects_for(version, config) {
        let Some(trigger) = trigger else {
            untriggered.push(format!("{} (fixed in {})", defect.id, defect.fixed_in));
            continue;
        };
        findings.raise(
            trigger.status,
            format!(
                "Claude Code {version} {} — {} (fixed in {})",
                defect.title, trigger.because, defect.fixed_in
            ),
            None,
        );
        upgrade_to = upgrade_to.max(Some(defect.fixed_in));
        if let Some(workaround) = trigger.workaround {
            workarounds.push(format!("Until then, {workaround}."));
        }
    }
    // One upgrade clears every defect found; the workarounds keep this version working meanwhile.
    if let Some(target) = upgrade_to {
        findings.fixes.push(format!(
            "Upgrade Claude Code to {target} or later: {UPGRADE}."
        ));
        findings.fixes.extend(workarounds);
    }
    if !untriggered.is_empty() {
        findings.note(format!(
            "{version} has other known defects that this configuration does not trigger: {}",
            untriggered.join(", ")
        ));
    }
    findings.into_result(
        id,
        title,
        format!("Claude Code {version}: no known defect applies to this configuration"),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Inputs;

    /// The effective configuration of a machine with only `env` and an AWS config file.
    pub(crate) fn config(env: &[(&str, &str)], aws_config: &str) -> EffectiveConfig {
        config_with_settings(env, aws_config, "{}")
    }

    fn config_with_settings(
        env: &[(&str, &str)],
        aws_config: &str,
        user_settings: &str,
    ) -> EffectiveConfig {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_path_buf();
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        std::fs::create_dir_all(home.join(".claude")).unwrap();
        std::fs::write(home.join(".aws/config"), aws_config).unwrap();
        std::fs::write(home.join(".claude/settings.json"), user_settings).unwrap();
        // Built from the process, then every input replaced: robust to fields added later.
        let mut inputs = Inputs::from_process(
            Some(home.join(".claude")),
            Some(home.join("project")),
            Some(home.join("managed")),
            None,
            None,
        );
        inputs.process_env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([("HOME".to_string(), home.display().to_string())])
            .collect();
        inputs.home = Some(home.clone());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(EffectiveConfig::resolve(&inputs))
    }

    fn triggered(version: Version, config: &EffectiveConfig) -> Vec<(&'static str, Status)> {
        defects_for(version, config)
            .into_iter()
            .filter_map(|(d, t)| t.map(|t| (d.id, t.status)))
            .collect()
    }

    const BEDROCK: (&str, &str) = ("CLAUDE_CODE_USE_BEDROCK", "1");
    const KEY: &str = "ABSKQmVkcm9ja0FQSUtleS1rN3gyLWF0LTEyMzQ1Njc4OTAxMjpzZWNyZXQ=";

    #[test]
    fn the_bearer_defect_applies_only_to_bearer_keys_on_affected_versions() {
        let bearer = config(
            &[
                BEDROCK,
                ("AWS_REGION", "us-east-1"),
                ("AWS_BEARER_TOKEN_BEDROCK", KEY),
            ],
            "",
        );
        assert_eq!(
            triggered(Version(2, 1, 94), &bearer),
            [("bearer-dropped-on-invoke", Status::Fail)]
        );
        assert!(triggered(Version(2, 1, 96), &bearer).is_empty());
        let keys = config(
            &[
                BEDROCK,
                ("AWS_REGION", "us-east-1"),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ],
            "",
        );
        assert!(triggered(Version(2, 1, 94), &keys).is_empty());
        // The defect is still listed for the version, as not triggered.
        assert!(
            defects_for(Version(2, 1, 94), &keys)
                .iter()
                .any(|(d, t)| d.id == "bearer-dropped-on-invoke" && t.is_none())
        );
    }

    #[test]
    fn a_region_from_a_profile_is_lost_before_2_1_172() {
        let profile = config(
            &[BEDROCK, ("AWS_PROFILE", "dev")],
            "[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n",
        );
        assert_eq!(
            triggered(Version(2, 1, 171), &profile),
            [("no-aws-files", Status::Fail)]
        );
        assert!(triggered(Version(2, 1, 172), &profile).is_empty());
        // The same region from AWS_REGION is read by every version.
        let variable = config(&[BEDROCK, ("AWS_REGION", "eu-west-1")], "");
        assert!(
            triggered(Version(2, 1, 100), &variable)
                .iter()
                .all(|(id, _)| *id != "no-aws-files")
        );
    }

    #[test]
    fn empty_strings_and_second_authorizations_break_sigv4_on_old_versions() {
        let empty = config(
            &[
                BEDROCK,
                ("AWS_REGION", "us-east-1"),
                ("AWS_BEARER_TOKEN_BEDROCK", ""),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ],
            "",
        );
        assert_eq!(
            triggered(Version(2, 1, 96), &empty),
            [("empty-variable-breaks-sigv4", Status::Fail)]
        );
        assert!(triggered(Version(2, 1, 97), &empty).is_empty());
        let token = config(
            &[
                BEDROCK,
                ("AWS_REGION", "us-east-1"),
                ("ANTHROPIC_AUTH_TOKEN", "gateway-token-value"),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ],
            "",
        );
        assert_eq!(
            triggered(Version(2, 1, 100), &token),
            [("sigv4-second-authorization", Status::Fail)]
        );
        assert!(triggered(Version(2, 1, 101), &token).is_empty());
        let headers = config(
            &[
                BEDROCK,
                ("AWS_REGION", "us-east-1"),
                (
                    "ANTHROPIC_CUSTOM_HEADERS",
                    "X-Team: ml\nAuthorization: Basic abc",
                ),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ],
            "",
        );
        assert_eq!(
            triggered(Version(2, 1, 99), &headers),
            [("sigv4-second-authorization", Status::Fail)]
        );
    }

    #[test]
    fn sso_defects_need_sso_and_their_own_trigger() {
        let sso = "[profile corp]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_region = eu-central-1\nsso_start_url = https://corp.awsapps.com/start\n";
        let proxied = config(
            &[
                BEDROCK,
                ("AWS_PROFILE", "corp"),
                ("AWS_REGION", "us-west-2"),
                ("HTTPS_PROXY", "http://proxy.corp:3128"),
            ],
            sso,
        );
        assert_eq!(
            triggered(Version(2, 1, 200), &proxied),
            [
                ("sso-region-overridden", Status::Fail),
                ("sso-oidc-bypasses-proxy", Status::Warn)
            ]
        );
        assert_eq!(
            triggered(Version(2, 1, 207), &proxied),
            [("sso-oidc-bypasses-proxy", Status::Warn)]
        );
        assert!(triggered(Version(2, 1, 239), &proxied).is_empty());
        // Same SSO region as Bedrock, no proxy: nothing applies.
        let plain = config(
            &[
                BEDROCK,
                ("AWS_PROFILE", "corp"),
                ("AWS_REGION", "eu-central-1"),
            ],
            sso,
        );
        assert!(triggered(Version(2, 1, 200), &plain).is_empty());
    }

    #[test]
    fn flat_credential_export_output_needs_2_1_181() {
        let export = config_with_settings(
            &[BEDROCK, ("AWS_REGION", "us-east-1")],
            "",
            r#"{"awsCredentialExport":"aws configure export-credentials --profile dev"}"#,
        );
        assert_eq!(
            triggered(Version(2, 1, 180), &export),
            [("flat-credential-export", Status::Fail)]
        );
        assert!(triggered(Version(2, 1, 181), &export).is_empty());
    }

    #[test]
    fn versions_parse_from_claude_output() {
        assert_eq!(
            Version::parse("2.1.330 (Claude Code)"),
            Some(Version(2, 1, 330))
        );
        assert_eq!(Version::parse("v2.1.94"), Some(Version(2, 1, 94)));
        assert_eq!(
            Version::parse("2.2.0-beta.1 (Claude Code)"),
            Some(Version(2, 2, 0))
        );
        assert_eq!(Version::parse("Claude Code"), None);
        assert_eq!(Version::parse("1.2"), None);
        assert!(Version(2, 1, 96) > Version(2, 1, 94));
        assert!(Version(2, 1, 100) > Version(2, 1, 96));
        assert!(Version(3, 0, 0) > Version(2, 1, 330));
    }

    #[test]
    fn version_ranges_follow_the_fixes() {
        let bearer = DEFECTS
            .iter()
            .find(|d| d.id == "bearer-dropped-on-invoke")
            .unwrap();
        assert!(!bearer.affects(Version(2, 1, 93)));
        assert!(bearer.affects(Version(2, 1, 94)));
        assert!(bearer.affects(Version(2, 1, 95)));
        assert!(!bearer.affects(Version(2, 1, 96)));
        let files = DEFECTS.iter().find(|d| d.id == "no-aws-files").unwrap();
        assert!(files.affects(Version(2, 1, 171)));
        assert!(!files.affects(Version(2, 1, 172)));
        assert!(files.affects(Version(1, 0, 0)));
    }

    #[test]
    fn defect_ids_are_unique_and_fixes_ordered() {
        for (i, defect) in DEFECTS.iter().enumerate() {
            assert!(
                DEFECTS[i + 1..].iter().all(|other| other.id != defect.id),
                "{}",
                defect.id
            );
            if let Some(since) = defect.since {
                assert!(since < defect.fixed_in, "{}", defect.id);
            }
        }
        assert!(DEFECTS.windows(2).all(|w| w[0].fixed_in <= w[1].fixed_in));
    }
}
