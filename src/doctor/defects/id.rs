//! The known client defects' ids: a type, whose string form is the stable id reports carry.

/// A known client defect, by the stable id reports carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefectId {
    BaseUrlIgnoredForControlPlane,
    EffortOnCustomModelIds,
    AdaptiveThinkingOnCustomModelIds,
    BearerDroppedOnInvoke,
    EmptyVariableBreaksSigV4,
    SigV4SecondAuthorization,
    NoProxyIgnoredNative,
    ThinkingOnApplicationProfiles,
    NoProxyInManagedSettings,
    NoEffortOnApplicationProfiles,
    DefaultModelGlobalPrefix,
    MantleMissingXApiKey,
    PromptCaching1h400,
    CredentialExportSkipped,
    ForceLoginBlocksThirdParty,
    CiRequiresApiKey,
    NoAwsFiles,
    GovcloudPrefix,
    FlatCredentialExport,
    SsoCredentialsEveryRequest,
    SsoRegionOverridden,
    ModelOverridesBadKey,
    MalformedRegionInUrls,
    GatewayStripsContentType,
    AuthPrecheckIgnoresHttpsProxy,
    GatewayLostInBackground,
    Opus5EffortWithoutThinking,
    CorporateCaOnlyInOsStore,
    BaseUrlEveryTurn400,
    BetaRefusedNot400,
    OneMillionBetaRefused,
    SmallFastRegionForMainLoop,
}

impl std::fmt::Display for DefectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DefectId {
    pub const fn as_str(self) -> &'static str {
        match self {
            DefectId::BaseUrlIgnoredForControlPlane => "base-url-ignored-for-control-plane",
            DefectId::EffortOnCustomModelIds => "effort-on-custom-model-ids",
            DefectId::AdaptiveThinkingOnCustomModelIds => "adaptive-thinking-on-custom-model-ids",
            DefectId::BearerDroppedOnInvoke => "bearer-dropped-on-invoke",
            DefectId::EmptyVariableBreaksSigV4 => "empty-variable-breaks-sigv4",
            DefectId::SigV4SecondAuthorization => "sigv4-second-authorization",
            DefectId::NoProxyIgnoredNative => "no-proxy-ignored-native",
            DefectId::ThinkingOnApplicationProfiles => "thinking-on-application-profiles",
            DefectId::NoProxyInManagedSettings => "no-proxy-in-managed-settings",
            DefectId::NoEffortOnApplicationProfiles => "no-effort-on-application-profiles",
            DefectId::DefaultModelGlobalPrefix => "default-model-global-prefix",
            DefectId::MantleMissingXApiKey => "mantle-missing-x-api-key",
            DefectId::PromptCaching1h400 => "prompt-caching-1h-400",
            DefectId::CredentialExportSkipped => "credential-export-skipped",
            DefectId::ForceLoginBlocksThirdParty => "force-login-blocks-third-party",
            DefectId::CiRequiresApiKey => "ci-requires-api-key",
            DefectId::NoAwsFiles => "no-aws-files",
            DefectId::GovcloudPrefix => "govcloud-prefix",
            DefectId::FlatCredentialExport => "flat-credential-export",
            DefectId::SsoCredentialsEveryRequest => "sso-credentials-every-request",
            DefectId::SsoRegionOverridden => "sso-region-overridden",
            DefectId::ModelOverridesBadKey => "model-overrides-bad-key",
            DefectId::MalformedRegionInUrls => "malformed-region-in-urls",
            DefectId::GatewayStripsContentType => "gateway-strips-content-type",
            DefectId::AuthPrecheckIgnoresHttpsProxy => "auth-precheck-ignores-https-proxy",
            DefectId::GatewayLostInBackground => "gateway-lost-in-background",
            DefectId::Opus5EffortWithoutThinking => "opus-5-effort-without-thinking",
            DefectId::CorporateCaOnlyInOsStore => "corporate-ca-only-in-os-store",
            DefectId::BaseUrlEveryTurn400 => "base-url-every-turn-400",
            DefectId::BetaRefusedNot400 => "beta-refused-not-400",
            DefectId::OneMillionBetaRefused => "one-million-beta-refused",
            DefectId::SmallFastRegionForMainLoop => "small-fast-region-for-main-loop",
        }
    }
}
