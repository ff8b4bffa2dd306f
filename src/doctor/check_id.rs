//! The doctor's check ids and titles: a leaf every check module may name, so that checks refer
//! to one another (`same cause as IAM: invoke`) without depending on the registry that runs them.

/// The stable check ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckId {
    SettingsFiles,
    Provider,
    Region,
    AuthSource,
    AuthBearer,
    ModelsPinned,
    AuthIdentity,
    IamListProfiles,
    IamGetProfile,
    IamInvoke,
    IamInvokeStream,
    ModelsPrimary,
    ModelsOpus,
    ModelsSonnet,
    ModelsHaiku,
    ModelsSmallFast,
    ModelsSubagent,
    ModelsFallback,
    ModelsOverrides,
    NetworkProxy,
    NetworkTls,
    SsoSession,
    SsoRefreshLoop,
    MantleEndpoint,
    MantleModels,
    ClientVersion,
    ClientModels,
    ClientRequests,
    ClientBearerTrace,
}

impl CheckId {
    /// Every check, in report order.
    pub const ALL: &[CheckId] = &[
        CheckId::SettingsFiles,
        CheckId::Provider,
        CheckId::Region,
        CheckId::AuthSource,
        CheckId::AuthBearer,
        CheckId::ModelsPinned,
        CheckId::AuthIdentity,
        CheckId::IamListProfiles,
        CheckId::IamGetProfile,
        CheckId::IamInvoke,
        CheckId::IamInvokeStream,
        CheckId::ModelsPrimary,
        CheckId::ModelsOpus,
        CheckId::ModelsSonnet,
        CheckId::ModelsHaiku,
        CheckId::ModelsSmallFast,
        CheckId::ModelsSubagent,
        CheckId::ModelsFallback,
        CheckId::ModelsOverrides,
        CheckId::NetworkProxy,
        CheckId::NetworkTls,
        CheckId::SsoSession,
        CheckId::SsoRefreshLoop,
        CheckId::MantleEndpoint,
        CheckId::MantleModels,
        CheckId::ClientVersion,
        CheckId::ClientModels,
        CheckId::ClientRequests,
        CheckId::ClientBearerTrace,
    ];

    pub const fn title(self) -> &'static str {
        match self {
            CheckId::SettingsFiles => "Settings files",
            CheckId::Provider => "Provider",
            CheckId::Region => "Region",
            CheckId::AuthSource => "Credential source",
            CheckId::AuthBearer => "Bedrock API key",
            CheckId::ModelsPinned => "Pinned models",
            CheckId::AuthIdentity => "AWS identity",
            CheckId::IamListProfiles => "IAM: list profiles",
            CheckId::IamGetProfile => "IAM: get profile",
            CheckId::IamInvoke => "IAM: invoke",
            CheckId::IamInvokeStream => "IAM: stream",
            CheckId::ModelsPrimary => "Primary model",
            CheckId::ModelsOpus => "Opus tier",
            CheckId::ModelsSonnet => "Sonnet tier",
            CheckId::ModelsHaiku => "Haiku tier",
            CheckId::ModelsSmallFast => "Small/fast model",
            CheckId::ModelsSubagent => "Subagent model",
            CheckId::ModelsFallback => "Fallback models",
            CheckId::ModelsOverrides => "modelOverrides",
            CheckId::NetworkProxy => "Proxy",
            CheckId::NetworkTls => "TLS",
            CheckId::SsoSession => "SSO session",
            CheckId::SsoRefreshLoop => "SSO refresh loop",
            CheckId::MantleEndpoint => "Mantle endpoint",
            CheckId::MantleModels => "Mantle models",
            CheckId::ClientVersion => "Claude Code version",
            CheckId::ClientModels => "Client models",
            CheckId::ClientRequests => "Client requests",
            CheckId::ClientBearerTrace => "Client auth trace",
        }
    }

    /// The stable id and the title, as a check's result carries them.
    pub const fn pair(self) -> (&'static str, &'static str) {
        (self.as_str(), self.title())
    }

    /// The check whose stable id is `id`.
    pub fn from_id(id: &str) -> Option<CheckId> {
        CheckId::ALL.iter().copied().find(|c| c.as_str() == id)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            CheckId::SettingsFiles => "settings.files",
            CheckId::Provider => "provider",
            CheckId::Region => "region",
            CheckId::AuthSource => "auth.source",
            CheckId::AuthBearer => "auth.bearer",
            CheckId::ModelsPinned => "models.pinned",
            CheckId::AuthIdentity => "auth.identity",
            CheckId::IamListProfiles => "iam.list-inference-profiles",
            CheckId::IamGetProfile => "iam.get-inference-profile",
            CheckId::IamInvoke => "iam.invoke",
            CheckId::IamInvokeStream => "iam.invoke-stream",
            CheckId::ModelsPrimary => "models.primary",
            CheckId::ModelsOpus => "models.opus",
            CheckId::ModelsSonnet => "models.sonnet",
            CheckId::ModelsHaiku => "models.haiku",
            CheckId::ModelsSmallFast => "models.small-fast",
            CheckId::ModelsSubagent => "models.subagent",
            CheckId::ModelsFallback => "models.fallback",
            CheckId::ModelsOverrides => "models.overrides",
            CheckId::NetworkProxy => "network.proxy",
            CheckId::NetworkTls => "network.tls",
            CheckId::SsoSession => "sso.session",
            CheckId::SsoRefreshLoop => "sso.refresh-loop",
            CheckId::MantleEndpoint => "mantle.endpoint",
            CheckId::MantleModels => "mantle.models",
            CheckId::ClientVersion => "client.version",
            CheckId::ClientModels => "client.models",
            CheckId::ClientRequests => "client.requests",
            CheckId::ClientBearerTrace => "client.bearer-trace",
        }
    }
}

/// The title of the check whose stable id is `id`.
pub fn title(id: &str) -> &'static str {
    CheckId::from_id(id).map(CheckId::title).unwrap_or("")
}
