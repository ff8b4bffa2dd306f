//! The doctor's checks, declared once: the table below gives each check its typed id, the stable
//! id CI filters on, its title, the facts it is computed from and its function. This leaf makes
//! [`CheckId`] from it, which every check may name (`same cause as IAM: invoke`); the registry
//! makes its list of checks to run from the same table. Adding a check is one row here and one
//! function in `checks/`.

/// The table, handed to `$then!`: `Variant "stable.id" "Title" Area Facts(function)`, in report
/// order. The area is where the report tells the check; the functions are named as the registry
/// sees them (`checks::…`).
macro_rules! with_checks {
    ($then:ident) => {
        $then! {
            SettingsFiles "settings.files" "Settings files" Configuration Config(checks::settings::check),
            Provider "provider" "Provider" Configuration Config(checks::provider::check),
            Region "region" "Region" Configuration Config(checks::region::check),
            AuthSource "auth.source" "Credential source" Credentials Config(checks::auth::check_source),
            AuthBearer "auth.bearer" "Bedrock API key" Credentials Config(checks::auth::check_bearer),
            ModelsPinned "models.pinned" "Pinned models" Configuration Config(checks::pinned::check),
            AuthIdentity "auth.identity" "AWS identity" Credentials Live(checks::iam::check_identity),
            IamListProfiles "iam.list-inference-profiles" "IAM: list profiles" Bedrock Live(checks::iam::check_list),
            IamGetProfile "iam.get-inference-profile" "IAM: get profile" Bedrock Live(checks::iam::check_get),
            IamInvoke "iam.invoke" "IAM: invoke" Bedrock Live(checks::iam::check_invoke),
            IamInvokeStream "iam.invoke-stream" "IAM: stream" Bedrock Live(checks::iam::check_invoke_stream),
            ModelsPrimary "models.primary" "Primary model" Bedrock Live(|c, f| checks::models::check(CheckId::ModelsPrimary, c, f)),
            ModelsOpus "models.opus" "Opus tier" Bedrock Live(|c, f| checks::models::check(CheckId::ModelsOpus, c, f)),
            ModelsSonnet "models.sonnet" "Sonnet tier" Bedrock Live(|c, f| checks::models::check(CheckId::ModelsSonnet, c, f)),
            ModelsHaiku "models.haiku" "Haiku tier" Bedrock Live(|c, f| checks::models::check(CheckId::ModelsHaiku, c, f)),
            ModelsSmallFast "models.small-fast" "Small/fast model" Bedrock Live(|c, f| checks::models::check(CheckId::ModelsSmallFast, c, f)),
            ModelsSubagent "models.subagent" "Subagent model" Bedrock Live(|c, f| checks::models::check(CheckId::ModelsSubagent, c, f)),
            ModelsFallback "models.fallback" "Fallback models" Bedrock Live(|c, f| checks::models::check(CheckId::ModelsFallback, c, f)),
            ModelsOverrides "models.overrides" "modelOverrides" Bedrock Live(|c, f| checks::models::check(CheckId::ModelsOverrides, c, f)),
            NetworkProxy "network.proxy" "Proxy" Network Network(checks::network::check_proxy),
            NetworkTls "network.tls" "TLS" Network Network(checks::network::check_tls),
            SsoSession "sso.session" "SSO session" Credentials Sso(checks::sso::check_session),
            SsoRefreshLoop "sso.refresh-loop" "SSO refresh loop" Credentials Sso(checks::sso::check_refresh_loop),
            MantleEndpoint "mantle.endpoint" "Mantle endpoint" Bedrock Mantle(checks::mantle::check_endpoint),
            MantleModels "mantle.models" "Mantle models" Bedrock Mantle(checks::mantle::check_models),
            ClientVersion "client.version" "Claude Code version" ClaudeCode Client(checks::client::check_version),
            ClientProvider "client.provider" "Client's provider" ClaudeCode Client(checks::client::check_provider),
            ClientModels "client.models" "Client models" ClaudeCode Client(checks::rehearsal::check_models),
            ClientRequests "client.requests" "Client requests" ClaudeCode Client(checks::rehearsal::check_requests),
            ClientBearerTrace "client.bearer-trace" "Client auth trace" ClaudeCode Client(checks::client::check_bearer_trace),
        }
    };
}
pub(crate) use with_checks;

/// [`CheckId`] from the table: the variants, their stable ids and titles, in report order.
macro_rules! declare_ids {
    ($($variant:ident $id:literal $title:literal $area:ident $facts:ident ($($run:tt)*)),* $(,)?) => {
        /// A check, typed: its string form ([`CheckId::as_str`]) is the stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CheckId {
            $($variant),*
        }

        impl CheckId {
            /// Every check, in report order.
            pub const ALL: &[CheckId] = &[$(CheckId::$variant),*];

            pub const fn title(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $title),*
                }
            }

            /// The stable id (`iam.invoke`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $id),*
                }
            }

            /// The area of the report it belongs to.
            pub const fn area(self) -> crate::report::Area {
                match self {
                    $(CheckId::$variant => crate::report::Area::$area),*
                }
            }
        }
    };
}
with_checks!(declare_ids);

impl CheckId {
    /// The stable id and the title, as a check's result carries them.
    pub const fn pair(self) -> (&'static str, &'static str) {
        (self.as_str(), self.title())
    }

    /// The check whose stable id is `id`.
    pub fn from_id(id: &str) -> Option<CheckId> {
        CheckId::ALL.iter().copied().find(|c| c.as_str() == id)
    }
}

/// The title of the check whose stable id is `id`.
pub fn title(id: &str) -> &'static str {
    CheckId::from_id(id).map(CheckId::title).unwrap_or("")
}

/// A check is written as its stable id wherever it is serialised.
impl serde::Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
