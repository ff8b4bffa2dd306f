//! Region resolution, step by step: AWS_REGION → AWS_DEFAULT_REGION → the active profile's region
//! (credentials file, then config file) → us-east-1; malformed values are skipped; flags override.

use claude_bedrock::config::region::{RegionSource, is_region_shaped};
use claude_bedrock::config::source::{AwsFileKind, Layer, Source};

use crate::support::Sandbox;

fn region(sandbox: &Sandbox) -> (String, RegionSource) {
    let config = sandbox.resolve();
    (config.region.value.clone(), config.region.source.clone())
}

fn described(sandbox: &Sandbox) -> String {
    let config = sandbox.resolve();
    config.region.source.describe(config.home())
}

#[test]
fn aws_region_from_the_shell_wins() {
    let s = Sandbox::new()
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_DEFAULT_REGION", "us-west-2")
        .aws_config("[default]\nregion = ap-south-1\n");
    let (value, source) = region(&s);
    assert_eq!(value, "eu-west-1");
    assert!(matches!(
        source,
        RegionSource::Variable {
            name: "AWS_REGION",
            origin: Source::ProcessEnv
        }
    ));
    assert_eq!(described(&s), "AWS_REGION (process env)");
}

#[test]
fn aws_region_in_settings_overrides_the_shell() {
    let s = Sandbox::new()
        .env("AWS_REGION", "eu-west-1")
        .user_settings(r#"{"env":{"AWS_REGION":"us-east-2"}}"#);
    assert_eq!(region(&s).0, "us-east-2");
    assert_eq!(
        described(&s),
        "AWS_REGION (user settings: ~/.claude/settings.json)"
    );
}

#[test]
fn project_settings_region_beats_user_settings() {
    let s = Sandbox::new()
        .user_settings(r#"{"env":{"AWS_REGION":"us-east-2"}}"#)
        .project_settings(r#"{"env":{"AWS_REGION":"eu-central-1"}}"#);
    let (value, source) = region(&s);
    assert_eq!(value, "eu-central-1");
    let RegionSource::Variable { origin, .. } = source else {
        panic!()
    };
    assert_eq!(origin.layer(), Some(Layer::Project));
}

#[test]
fn managed_settings_region_beats_everything_in_env() {
    let s = Sandbox::new()
        .env("AWS_REGION", "eu-west-1")
        .local_settings(r#"{"env":{"AWS_REGION":"us-east-2"}}"#)
        .managed_settings(r#"{"env":{"AWS_REGION":"us-gov-west-1"}}"#);
    assert_eq!(region(&s).0, "us-gov-west-1");
}

#[test]
fn aws_default_region_when_aws_region_is_unset() {
    let s = Sandbox::new()
        .env("AWS_DEFAULT_REGION", "ap-northeast-1")
        .aws_config("[default]\nregion = eu-west-3\n");
    let (value, source) = region(&s);
    assert_eq!(value, "ap-northeast-1");
    assert!(matches!(
        source,
        RegionSource::Variable {
            name: "AWS_DEFAULT_REGION",
            ..
        }
    ));
}

#[test]
fn aws_default_region_from_settings() {
    let s = Sandbox::new().user_settings(r#"{"env":{"AWS_DEFAULT_REGION":"ca-central-1"}}"#);
    assert_eq!(region(&s).0, "ca-central-1");
}

#[test]
fn default_profile_region_from_config_file() {
    let s = Sandbox::new().aws_config("[default]\nregion = eu-north-1\n");
    let (value, source) = region(&s);
    assert_eq!(value, "eu-north-1");
    let RegionSource::Profile { source } = source else {
        panic!("{source:?}")
    };
    assert_eq!(source.kind(), "config-file");
    assert_eq!(
        described(&s),
        "profile \"default\" in config file (~/.aws/config)"
    );
}

#[test]
fn default_profile_region_from_credentials_file() {
    let s = Sandbox::new().aws_credentials("[default]\nregion = sa-east-1\n");
    assert_eq!(region(&s).0, "sa-east-1");
    assert_eq!(
        described(&s),
        "profile \"default\" in credentials file (~/.aws/credentials)"
    );
}

#[test]
fn credentials_file_region_beats_config_file_region() {
    let s = Sandbox::new()
        .aws_config("[profile dev]\nregion = us-west-2\n")
        .aws_credentials("[dev]\nregion = eu-west-2\n")
        .env("AWS_PROFILE", "dev");
    let (value, source) = region(&s);
    assert_eq!(value, "eu-west-2");
    let RegionSource::Profile {
        source: Source::Profile { file, .. },
    } = source
    else {
        panic!()
    };
    assert_eq!(file, AwsFileKind::Credentials);
}

#[test]
fn named_profile_from_aws_profile() {
    let s = Sandbox::new()
        .aws_config("[default]\nregion = us-east-2\n[profile work]\nregion = ap-southeast-2\n")
        .env("AWS_PROFILE", "work");
    assert_eq!(region(&s).0, "ap-southeast-2");
}

#[test]
fn aws_profile_in_settings_selects_the_profile() {
    let s = Sandbox::new()
        .aws_config("[default]\nregion = us-east-2\n[profile work]\nregion = me-central-1\n")
        .user_settings(r#"{"env":{"AWS_PROFILE":"work"}}"#);
    assert_eq!(region(&s).0, "me-central-1");
}

#[test]
fn profile_flag_overrides_aws_profile() {
    let s = Sandbox::new()
        .aws_config("[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-south-1\n")
        .env("AWS_PROFILE", "a")
        .profile_flag("b");
    assert_eq!(region(&s).0, "eu-south-1");
    let config = s.resolve();
    assert_eq!(config.profile.source, Source::Flag("--profile"));
}

#[test]
fn region_flag_overrides_everything() {
    let s = Sandbox::new()
        .env("AWS_REGION", "eu-west-1")
        .user_settings(r#"{"env":{"AWS_REGION":"us-east-2"}}"#)
        .region_flag("ap-south-2");
    let (value, source) = region(&s);
    assert_eq!(value, "ap-south-2");
    assert_eq!(source, RegionSource::Flag);
    assert_eq!(described(&s), "--region");
}

#[test]
fn missing_profile_falls_back_to_default_region() {
    let s = Sandbox::new()
        .aws_config("[default]\nregion = eu-west-1\n")
        .env("AWS_PROFILE", "nope");
    let (value, source) = region(&s);
    assert_eq!(value, "us-east-1");
    assert_eq!(source, RegionSource::Default);
    assert_eq!(described(&s), "default us-east-1");
}

#[test]
fn no_files_at_all_gives_us_east_1() {
    let s = Sandbox::new();
    assert_eq!(region(&s), ("us-east-1".to_string(), RegionSource::Default));
}

#[test]
fn profile_without_region_falls_back_to_default() {
    let s = Sandbox::new().aws_config("[default]\noutput = json\n");
    assert_eq!(region(&s).1, RegionSource::Default);
}

#[test]
fn aws_config_file_variable_is_honoured() {
    let s = Sandbox::new()
        .file("elsewhere/config", "[default]\nregion = eu-west-3\n")
        .aws_config("[default]\nregion = us-west-1\n");
    let path = s.root.join("elsewhere/config").display().to_string();
    let s = s.env("AWS_CONFIG_FILE", &path);
    assert_eq!(region(&s).0, "eu-west-3");
}

#[test]
fn aws_shared_credentials_file_variable_is_honoured() {
    let s = Sandbox::new().file("creds", "[default]\nregion = af-south-1\n");
    let path = s.root.join("creds").display().to_string();
    let s = s.env("AWS_SHARED_CREDENTIALS_FILE", &path);
    assert_eq!(region(&s).0, "af-south-1");
}

#[test]
fn aws_config_file_set_in_settings_env_is_honoured() {
    let s = Sandbox::new().file("team/aws-config", "[default]\nregion = il-central-1\n");
    let path = s.root.join("team/aws-config").display().to_string();
    let s = s.user_settings(&format!(r#"{{"env":{{"AWS_CONFIG_FILE":"{path}"}}}}"#));
    assert_eq!(region(&s).0, "il-central-1");
}

#[test]
fn aws_config_file_with_tilde_is_expanded() {
    let s = Sandbox::new()
        .file("home/team.cfg", "[default]\nregion = eu-central-2\n")
        .env("AWS_CONFIG_FILE", "~/team.cfg");
    assert_eq!(region(&s).0, "eu-central-2");
}

#[test]
fn aws_region_with_a_slash_is_treated_as_unset() {
    let s = Sandbox::new()
        .env("AWS_REGION", "us-east-1/")
        .env("AWS_DEFAULT_REGION", "us-west-2");
    let config = s.resolve();
    assert_eq!(config.region.value, "us-west-2");
    assert_eq!(config.region.ignored.len(), 1);
    assert!(config.region.ignored[0].reason.contains("slash"));
}

#[test]
fn aws_region_with_a_dot_is_treated_as_unset() {
    let s = Sandbox::new()
        .env("AWS_REGION", "bedrock.us-east-1")
        .aws_config("[default]\nregion = eu-west-1\n");
    let config = s.resolve();
    assert_eq!(config.region.value, "eu-west-1");
    assert!(config.region.ignored[0].reason.contains("dot"));
}

#[test]
fn aws_region_with_a_space_is_treated_as_unset() {
    let s = Sandbox::new().user_settings(r#"{"env":{"AWS_REGION":"us-east-1 "}}"#);
    let config = s.resolve();
    assert_eq!(config.region.value, "us-east-1");
    assert_eq!(config.region.source, RegionSource::Default);
    assert!(config.region.ignored[0].reason.contains("whitespace"));
}

#[test]
fn upper_case_region_is_treated_as_unset() {
    let s = Sandbox::new()
        .env("AWS_REGION", "US-EAST-2")
        .env("AWS_DEFAULT_REGION", "us-east-2");
    let config = s.resolve();
    assert_eq!(config.region.value, "us-east-2");
    assert!(matches!(
        config.region.source,
        RegionSource::Variable {
            name: "AWS_DEFAULT_REGION",
            ..
        }
    ));
}

#[test]
fn malformed_profile_region_falls_through_to_default() {
    let s = Sandbox::new().aws_config("[default]\nregion = https://bedrock.example\n");
    let config = s.resolve();
    assert_eq!(config.region.source, RegionSource::Default);
    assert_eq!(config.region.ignored.len(), 1);
}

#[test]
fn malformed_credentials_region_falls_back_to_config_region() {
    let s = Sandbox::new()
        .aws_config("[default]\nregion = eu-west-1\n")
        .aws_credentials("[default]\nregion = eu west 1\n");
    let config = s.resolve();
    assert_eq!(config.region.value, "eu-west-1");
    assert_eq!(config.region.ignored.len(), 1);
}

#[test]
fn empty_aws_region_in_settings_cancels_the_shell_value() {
    let s = Sandbox::new()
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_DEFAULT_REGION", "ap-east-1")
        .user_settings(r#"{"env":{"AWS_REGION":""}}"#);
    assert_eq!(region(&s).0, "ap-east-1");
}

#[test]
fn malformed_config_file_means_no_profile_region() {
    let s = Sandbox::new().aws_config("region = eu-west-1\n[default\n");
    let config = s.resolve();
    assert_eq!(config.region.source, RegionSource::Default);
    assert!(matches!(
        config.aws_files.config.state,
        claude_bedrock::config::aws_files::AwsFileState::Invalid(_)
    ));
}

#[test]
fn config_section_without_profile_prefix_is_not_a_profile() {
    let s = Sandbox::new()
        .aws_config("[dev]\nregion = eu-west-1\n")
        .env("AWS_PROFILE", "dev");
    let config = s.resolve();
    assert_eq!(config.region.source, RegionSource::Default);
    let hint = config.aws_files.missing_profile_hint("dev").unwrap();
    assert!(hint.contains("[profile dev]"), "{hint}");
}

#[test]
fn the_aws_cli_ignores_aws_region() {
    let s = Sandbox::new()
        .env("AWS_REGION", "us-west-2")
        .env("AWS_DEFAULT_REGION", "us-east-1");
    let config = s.resolve();
    assert_eq!(config.region.value, "us-west-2");
    assert_eq!(config.region.aws_cli.value.as_deref(), Some("us-east-1"));
}

#[test]
fn the_aws_cli_reads_only_the_config_file_region() {
    let s = Sandbox::new().aws_credentials("[default]\nregion = eu-west-1\n");
    let config = s.resolve();
    assert_eq!(config.region.value, "eu-west-1");
    assert_eq!(config.region.aws_cli.value, None);
}

#[test]
fn the_aws_cli_does_not_see_settings_env() {
    let s = Sandbox::new()
        .aws_config("[default]\nregion = us-east-2\n[profile x]\nregion = eu-west-1\n")
        .user_settings(r#"{"env":{"AWS_PROFILE":"x"}}"#);
    let config = s.resolve();
    assert_eq!(config.region.value, "eu-west-1");
    assert_eq!(config.region.aws_cli.value.as_deref(), Some("us-east-2"));
}

#[test]
fn region_shapes() {
    for good in [
        "us-east-1",
        "us-gov-west-1",
        "eusc-de-east-1",
        "ap-southeast-7",
        "cn-north-1",
    ] {
        assert!(is_region_shaped(good), "{good}");
    }
    for bad in [
        "",
        "us-east",
        "useast1",
        "us-east-1/",
        "US-EAST-1",
        "us east 1",
        "us-east-1a",
        "us-east-100",
        "-east-1",
    ] {
        assert!(!is_region_shaped(bad), "{bad}");
    }
}

/// A region-shaped value AWS has no region for is a failure naming the region it was likely meant
/// to be; every partition's regions are regions, and a later number of a known one may be new.
#[test]
fn a_region_aws_does_not_have_fails_with_the_one_meant() {
    let doctor = |region: &str| {
        let run = Sandbox::new()
            .env("CLAUDE_CODE_USE_BEDROCK", "1")
            .env("AWS_REGION", region)
            .run(&["doctor", "--offline", "--json"]);
        run.check("region")
    };
    let check = doctor("us-wset-2");
    assert_eq!(check["status"], "fail", "{check}");
    let text = check.to_string();
    assert!(
        text.contains("us-wset-2 is not a region AWS has (did you mean us-west-2?)"),
        "{text}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .contains(r#""AWS_REGION": "us-west-2""#),
        "{check}"
    );
    for region in [
        "us-gov-west-1",
        "cn-north-1",
        "us-iso-east-1",
        "us-isob-east-1",
        "eusc-de-east-1",
        "ap-southeast-7",
    ] {
        let check = doctor(region);
        assert!(
            !check.to_string().contains("not a region AWS has")
                && !check
                    .to_string()
                    .contains("regions this claude-bedrock knows"),
            "{region}: {check}"
        );
    }
    let later = doctor("us-west-3");
    assert_eq!(later["status"], "warn", "{later}");
    assert!(
        later.to_string().contains(
            "us-west-3 is not among the regions this claude-bedrock knows (did you mean us-west-2?)"
        ),
        "{later}"
    );
}
