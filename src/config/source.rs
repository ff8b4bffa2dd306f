//! Where a value came from, so that every output can say so.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// A settings layer of Claude Code, in precedence order: earlier variants win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    Managed,
    Local,
    Project,
    User,
}

impl Layer {
    /// Every layer, highest precedence first.
    pub const ALL: [Layer; 4] = [Layer::Managed, Layer::Local, Layer::Project, Layer::User];

    pub fn label(self) -> &'static str {
        match self {
            Layer::Managed => "managed settings",
            Layer::Local => "local project settings",
            Layer::Project => "shared project settings",
            Layer::User => "user settings",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Layer::Managed => "managed",
            Layer::Local => "local",
            Layer::Project => "project",
            Layer::User => "user",
        }
    }
}

/// Which AWS shared file a profile value was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AwsFileKind {
    Config,
    Credentials,
}

impl AwsFileKind {
    pub fn label(self) -> &'static str {
        match self {
            AwsFileKind::Config => "config file",
            AwsFileKind::Credentials => "credentials file",
        }
    }
}

/// The origin of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag of this tool, e.g. `--region`.
    Flag(&'static str),
    /// The environment this process was started with (the shell Claude Code would inherit).
    ProcessEnv,
    /// A settings file's `env` block or top-level key.
    Settings { layer: Layer, path: PathBuf },
    /// A profile in an AWS shared file.
    Profile {
        profile: String,
        file: AwsFileKind,
        path: PathBuf,
    },
    /// A built-in default.
    Default,
}

impl Source {
    /// A short machine-readable kind: `flag`, `process-env`, `settings`, `config-file`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Flag(_) => "flag",
            Source::ProcessEnv => "process-env",
            Source::Settings { .. } => "settings",
            Source::Profile {
                file: AwsFileKind::Config,
                ..
            } => "config-file",
            Source::Profile {
                file: AwsFileKind::Credentials,
                ..
            } => "credentials-file",
            Source::Default => "default",
        }
    }

    pub fn layer(&self) -> Option<Layer> {
        match self {
            Source::Settings { layer, .. } => Some(*layer),
            _ => None,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Settings { path, .. } | Source::Profile { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Human description, with paths under `home` shortened to `~`.
    pub fn describe(&self, home: Option<&Path>) -> String {
        match self {
            Source::Flag(flag) => flag.to_string(),
            Source::ProcessEnv => "process env".to_string(),
            Source::Settings { layer, path } => {
                format!("{}: {}", layer.label(), tilde(path, home))
            }
            Source::Profile {
                profile,
                file,
                path,
            } => format!(
                "profile \"{profile}\" in {} ({})",
                file.label(),
                tilde(path, home)
            ),
            Source::Default => "default".to_string(),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(None))
    }
}

/// `path` with the home directory replaced by `~`.
pub fn tilde(path: &Path, home: Option<&Path>) -> String {
    if let Some(home) = home.filter(|h| !h.as_os_str().is_empty())
        && let Ok(rest) = path.strip_prefix(home)
    {
        if rest.as_os_str().is_empty() {
            return "~".to_string();
        }
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_home_are_shortened() {
        let home = Path::new("/home/dev");
        assert_eq!(
            tilde(Path::new("/home/dev/.claude/settings.json"), Some(home)),
            "~/.claude/settings.json"
        );
        assert_eq!(tilde(Path::new("/etc/x"), Some(home)), "/etc/x");
        assert_eq!(tilde(Path::new("/home/devx/a"), Some(home)), "/home/devx/a");
    }

    #[test]
    fn settings_source_reads_naturally() {
        let source = Source::Settings {
            layer: Layer::User,
            path: PathBuf::from("/home/dev/.claude/settings.json"),
        };
        assert_eq!(
            source.describe(Some(Path::new("/home/dev"))),
            "user settings: ~/.claude/settings.json"
        );
        assert_eq!(source.kind(), "settings");
    }
}
