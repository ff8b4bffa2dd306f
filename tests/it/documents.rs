//! Every JSON document the tool prints, mirrored in structs that refuse unknown fields: a field
//! added, renamed or removed fails here first, and is then a reviewed change of the contract
//! (`schema_version: 1` consumers read these). Each mirror also checks the document's invariants.

// A mirror's fields exist to be matched, not all to be read.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::support::Sandbox;
use crate::support::fake_aws::{FakeAws, Scenario};

fn strict<T: DeserializeOwned>(what: &str, doc: &Value) -> T {
    match serde_json::from_value(doc.clone()) {
        Ok(parsed) => parsed,
        Err(err) => panic!(
            "the {what} document no longer matches its mirror: {err}\n{}",
            serde_json::to_string_pretty(doc).unwrap()
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ToolDoc {
    pub name: String,
    pub version: String,
}

// ---- doctor --json ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Doctor {
    pub schema_version: u32,
    pub tool: ToolDoc,
    pub context: Context,
    pub checks: Vec<Check>,
    pub causes: Vec<Cause>,
    pub areas: Vec<AreaDoc>,
    pub summary: Summary,
    #[serde(default)]
    pub calls: Vec<Call>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AreaDoc {
    pub area: String,
    pub status: String,
    pub summary: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Context {
    pub region: String,
    pub region_source: String,
    pub profile: String,
    pub profile_source: String,
    pub auth: String,
    pub auth_detail: String,
    pub bedrock: bool,
    pub mantle: bool,
    pub claude_config_dir: String,
    pub project_dir: String,
    pub os: String,
    pub client_version: Option<String>,
    pub observed_client: String,
    pub mode: String,
    pub control_endpoint: Option<String>,
    pub runtime_endpoint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Check {
    pub id: String,
    pub title: String,
    pub area: Option<String>,
    pub status: String,
    pub summary: String,
    pub details: Vec<String>,
    pub fix: Option<String>,
    pub cause: Option<String>,
    pub blocked_by: Option<String>,
    pub skip: Option<SkipDoc>,
    pub said: Option<String>,
    pub duration_ms: u64,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum SkipDoc {
    Offline,
    NotInUse,
    NoClient,
    Blocked { by: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Cause {
    pub id: String,
    pub title: String,
    pub status: String,
    pub summary: String,
    pub said: Option<String>,
    pub fix: Option<String>,
    pub checks: Vec<String>,
    pub repairable: bool,
}

#[derive(Deserialize, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    pub causes: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Call {
    pub operation: String,
    pub endpoint: String,
    pub status: Option<u16>,
    pub outcome: String,
    pub duration_ms: u64,
    pub detail: Option<String>,
}

/// Parses a doctor report strictly and checks what every report promises.
pub(crate) fn doctor(doc: &Value) -> Doctor {
    let report: Doctor = strict("doctor", doc);
    assert_eq!(report.schema_version, 1);
    assert!(["online", "offline"].contains(&report.context.mode.as_str()));
    let count = |status: &str| report.checks.iter().filter(|c| c.status == status).count();
    assert_eq!(
        report.summary,
        Summary {
            pass: count("pass"),
            warn: count("warn"),
            fail: count("fail"),
            skip: count("skip"),
            causes: report.causes.len(),
        }
    );
    for check in &report.checks {
        assert!(["pass", "warn", "fail", "skip"].contains(&check.status.as_str()));
        // Skip reasons are data: a skipped check says why, no other check claims one.
        assert_eq!(
            check.status == "skip",
            check.skip.is_some(),
            "{}: skip reason",
            check.id
        );
        // Every problem has a cause, listed at the top; nothing else has one.
        let problem = check.status == "fail" || check.status == "warn";
        assert_eq!(problem, check.cause.is_some(), "{}: cause", check.id);
        if let Some(cause) = &check.cause {
            let listed = report.causes.iter().find(|c| &c.id == cause);
            let listed = listed.unwrap_or_else(|| panic!("{}: cause {cause} not listed", check.id));
            assert!(listed.checks.contains(&check.id), "{}: {cause}", check.id);
            // The first check of a cause tells it; every other is blocked by that one.
            let teller = &listed.checks[0];
            assert_eq!(
                check.blocked_by.as_ref(),
                (teller != &check.id).then_some(teller),
                "{}: blocked_by",
                check.id
            );
        } else {
            assert_eq!(check.blocked_by, None, "{}: blocked_by", check.id);
        }
        if report.context.mode == "offline" && check.skip == Some(SkipDoc::Offline) {
            assert_eq!(check.duration_ms, 0);
        }
    }
    let linked: usize = report.causes.iter().map(|c| c.checks.len()).sum();
    assert_eq!(linked, report.summary.fail + report.summary.warn);
    // Each area is a line: the areas checks name, in report order; a problem's said is a line.
    for area in &report.areas {
        assert!(
            [
                "configuration",
                "credentials",
                "bedrock",
                "network",
                "claude-code"
            ]
            .contains(&area.area.as_str())
        );
        assert!(!area.summary.contains('\n'), "{}", area.summary);
    }
    for cause in &report.causes {
        assert!(!cause.title.is_empty());
        assert!(cause.said.as_deref().is_none_or(|s| !s.contains('\n')));
    }
    report
}

// ---- config --json ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    pub schema_version: u32,
    pub tool: ToolDoc,
    pub provider: Provider,
    pub region: Region,
    pub profile: Profile,
    pub credentials: Credentials,
    pub bearer: Option<Bearer>,
    pub env: BTreeMap<String, EnvEntry>,
    pub settings: Settings,
    pub models: Vec<ConfigModel>,
    pub files: Files,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Switch {
    pub on: bool,
    pub source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Provider {
    pub bedrock: Switch,
    pub mantle: Switch,
    pub others: Vec<OtherProvider>,
    pub managed_by_host: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OtherProvider {
    pub variable: String,
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Region {
    pub value: String,
    pub source: String,
    pub source_kind: String,
    pub ignored: Vec<Value>,
    pub aws_cli: ValueSource,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ValueSource {
    pub value: Option<String>,
    pub source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub name: String,
    pub source: String,
    pub explicit: bool,
    pub kind: String,
    pub kind_detail: String,
    pub region: Option<String>,
    pub region_file: Option<String>,
    pub in_config_file: bool,
    pub in_credentials_file: bool,
    pub sso_region: Option<String>,
    pub sso_start_url: Option<String>,
    pub available: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Credentials {
    pub source: String,
    pub description: String,
    pub notes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Bearer {
    pub fingerprint: String,
    pub length: usize,
    #[serde(rename = "type")]
    pub kind: String,
    pub region: Option<String>,
    pub issued_at: Option<String>,
    pub lifetime_secs: Option<i64>,
    pub expires_at: Option<String>,
    pub signed_with_session_token: Option<bool>,
    pub account: Option<String>,
    pub reason: Option<String>,
    pub formatting: Vec<String>,
    pub source: String,
    pub expired: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvEntry {
    pub value: Option<String>,
    pub source: Option<String>,
    pub layer: Option<String>,
    pub file: Option<String>,
    pub secret: Option<bool>,
    pub cancelled: Option<bool>,
    pub shadowed: Option<Vec<ValueSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub(crate) struct Settings {
    pub awsAuthRefresh: Option<ValueSource>,
    pub awsCredentialExport: Option<ValueSource>,
    pub model: Option<ValueSource>,
    pub apiKeyHelper: Option<ValueSource>,
    pub modelOverrides: BTreeMap<String, ValueSource>,
    pub availableModels: Vec<ValueSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigModel {
    pub setting: String,
    pub role: String,
    pub value: String,
    pub id: String,
    pub kind: String,
    pub kind_detail: ModelKind,
    pub prefix: Option<String>,
    pub one_million_context: bool,
    pub model: Option<String>,
    pub source: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum ModelKind {
    CrossRegionProfile {
        prefix: String,
    },
    FoundationModel,
    MantleId,
    ApplicationProfileArn {
        partition: String,
        region: String,
        account: String,
    },
    SystemProfileArn {
        partition: String,
        region: String,
        prefix: String,
    },
    FoundationModelArn {
        partition: String,
        region: String,
    },
    Alias,
    AnthropicApiId,
    TooLong {
        length: usize,
    },
    Unknown,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Files {
    pub settings: Vec<SettingsFile>,
    pub aws: Vec<AwsFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsFile {
    pub layer: String,
    pub path: String,
    pub state: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AwsFile {
    pub kind: String,
    pub path: String,
    pub path_source: String,
    pub state: String,
}

pub(crate) fn config(doc: &Value) -> Config {
    let config: Config = strict("config", doc);
    assert_eq!(config.schema_version, 1);
    for (name, entry) in &config.env {
        // An unset variable is exactly {value: null, source: null}.
        if entry.value.is_none() {
            assert!(entry.source.is_none() && entry.layer.is_none(), "{name}");
        } else {
            assert!(entry.source.is_some() && entry.layer.is_some(), "{name}");
        }
    }
    config
}

// ---- models --json ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Models {
    pub schema_version: u32,
    pub tool: ToolDoc,
    pub region: String,
    pub region_source: String,
    pub profiles: Vec<ModelRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelRow {
    pub id: String,
    pub arn: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub prefix: Option<String>,
    pub family: Option<String>,
    pub model: Option<String>,
    pub probe: Option<Probe>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Probe {
    pub ok: bool,
    pub failure: Option<Failure>,
    pub duration_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Failure {
    pub kind: String,
    pub action: Option<String>,
    pub content_type: Option<String>,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: String,
}

pub(crate) fn models(doc: &Value) -> Models {
    let models: Models = strict("models", doc);
    for row in &models.profiles {
        if let Some(probe) = &row.probe {
            assert_eq!(probe.ok, probe.failure.is_none(), "{}", row.id);
        }
    }
    models
}

// ---- setup --json ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Setup {
    pub schema_version: u32,
    pub tool: ToolDoc,
    pub status: String,
    pub target: String,
    pub scope: String,
    pub auth: SetupAuth,
    pub region: String,
    pub pins: Pins,
    pub changes: Vec<Change>,
    pub backup: Option<String>,
    pub credentials_file: Option<String>,
    pub probes: Vec<SetupProbe>,
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetupAuth {
    #[serde(rename = "type")]
    pub kind: String,
    pub detail: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Pins {
    pub primary: Option<String>,
    pub opus: Option<String>,
    pub sonnet: Option<String>,
    pub haiku: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Change {
    pub file: String,
    pub key: String,
    pub kind: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetupProbe {
    pub tier: String,
    pub id: String,
    pub model: Option<String>,
    pub invoke: Probe,
    pub stream: Probe,
}

pub(crate) fn setup(doc: &Value) -> Setup {
    let setup: Setup = strict("setup", doc);
    assert!(["written", "dry-run", "unchanged"].contains(&setup.status.as_str()));
    assert_eq!(setup.status == "unchanged", setup.changes.is_empty());
    setup
}

// ---- the error document every command prints under --json ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorDoc {
    pub schema_version: u32,
    pub tool: ToolDoc,
    pub error: ErrorBody,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorBody {
    pub message: String,
    pub fix: Option<String>,
}

pub(crate) fn error(doc: &Value) -> ErrorDoc {
    strict("error", doc)
}

// ---- the documents of real runs ----

fn configured(fake: &FakeAws) -> Sandbox {
    crate::live::sandbox_for(fake)
}

#[test]
fn every_document_matches_its_mirror() {
    for name in ["healthy", "marketplace-everywhere", "bearer", "on-demand"] {
        let fake = FakeAws::start(Scenario::load(name));
        let sandbox = configured(&fake);
        let doctor_doc = doctor(&sandbox.run(&["doctor", "--json", "-v"]).json());
        assert!(!doctor_doc.calls.is_empty(), "{name}: -v lists the calls");
        doctor(&sandbox.run(&["doctor", "--json", "--offline"]).json());
        config(&sandbox.run(&["config", "--json"]).json());
        let listed = models(&sandbox.run(&["models", "--probe", "--json"]).json());
        assert!(!listed.profiles.is_empty(), "{name}");
        let preview = sandbox.run(&[
            "setup",
            "--yes",
            "--dry-run",
            "--json",
            "--region",
            &fake.scenario().region,
        ]);
        setup(&preview.json());
    }
    let unusable = Sandbox::new().run(&["doctor", "--json", "--region", "not a region"]);
    let parsed: Value = unusable.json();
    if parsed.get("error").is_some() {
        error(&parsed);
    } else {
        doctor(&parsed);
    }
}

#[test]
fn a_bearer_key_and_a_setup_write_fill_the_optional_fields() {
    let fake = FakeAws::start(Scenario::load("bearer"));
    let sandbox = configured(&fake);
    let config_doc = config(&sandbox.run(&["config", "--json"]).json());
    let bearer = config_doc.bearer.expect("the key is analysed");
    assert_eq!(bearer.kind, "long-term");
    assert!(bearer.account.is_some());
    let written = sandbox.run(&[
        "setup",
        "--yes",
        "--json",
        "--scope",
        "user",
        "--region",
        &fake.scenario().region,
    ]);
    let doc = setup(&written.json());
    assert_eq!(doc.status, "written", "{}", written.stderr);
    assert!(doc.backup.is_some(), "the previous settings file was kept");
}

// ---- doctor --fix --json ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fix {
    pub schema_version: u32,
    pub tool: ToolDoc,
    pub status: String,
    pub changes: Vec<Change>,
    pub remedies: Vec<FixRemedy>,
    pub backups: Vec<String>,
    pub rechecked: Vec<Rechecked>,
    pub summary_before: Summary,
    pub summary_after: Option<Summary>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixRemedy {
    pub check: String,
    pub why: String,
    pub action: FixAction,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum FixAction {
    Edit {
        layer: String,
        file: String,
        change: FixChange,
    },
    Command {
        line: String,
    },
    NotApplied {
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) enum FixChange {
    SetEnv { name: String, value: String },
    QuoteEnv { name: String },
    RemoveEnv { name: String },
    RemoveKey { key: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Rechecked {
    pub id: String,
    pub before: String,
    pub after: String,
}

pub(crate) fn fix(doc: &Value) -> Fix {
    let fix: Fix = strict("fix", doc);
    assert!(["nothing", "dry-run", "declined", "applied"].contains(&fix.status.as_str()));
    assert_eq!(fix.status == "applied", fix.summary_after.is_some());
    fix
}

#[test]
fn the_fix_document_matches_its_mirror() {
    let fake = FakeAws::start(Scenario::healthy());
    let sandbox = Sandbox::new()
        .env("AWS_ENDPOINT_URL", &fake.url)
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":"1","AWS_REGION":"us-east-1","ANTHROPIC_DEFAULT_OPUS_MODEL":"eu.anthropic.claude-opus-4-6-v1","NODE_EXTRA_CA_CERTS":"/ca.pem","DISABLE_PROMPT_CACHING":1}}"#)
        .aws_credentials(&format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            crate::support::fake_aws::ACCESS_KEY,
            crate::support::fake_aws::SECRET_KEY
        ));
    let dry = fix(&sandbox
        .run(&["doctor", "--fix", "--dry-run", "--json", "--no-client"])
        .json());
    assert_eq!(dry.status, "dry-run");
    let applied = fix(&sandbox
        .run(&["doctor", "--fix", "--yes", "--json", "--no-client"])
        .json());
    assert_eq!(applied.status, "applied");
    assert!(!applied.rechecked.is_empty());
}
