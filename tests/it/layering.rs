//! Settings layers and provenance: which file wins, what an empty value does, how managed drop-ins
//! stack, and what happens to broken files.

use claude_bedrock::config::settings::FileState;
use claude_bedrock::config::source::Layer;

use crate::support::Sandbox;

#[test]
fn precedence_is_managed_local_project_user() {
    let s = Sandbox::new()
        .user_settings(r#"{"env":{"A_VAR":"user","B_VAR":"user","C_VAR":"user","D_VAR":"user"}}"#)
        .project_settings(r#"{"env":{"A_VAR":"project","B_VAR":"project","C_VAR":"project"}}"#)
        .local_settings(r#"{"env":{"A_VAR":"local","B_VAR":"local"}}"#)
        .managed_settings(r#"{"env":{"A_VAR":"managed"}}"#);
    let config = s.resolve();
    let layer = |name: &str| config.env.var(name).unwrap().source.layer().unwrap();
    assert_eq!(config.env.get("A_VAR"), Some("managed"));
    assert_eq!(layer("A_VAR"), Layer::Managed);
    assert_eq!(config.env.get("B_VAR"), Some("local"));
    assert_eq!(layer("B_VAR"), Layer::Local);
    assert_eq!(config.env.get("C_VAR"), Some("project"));
    assert_eq!(layer("C_VAR"), Layer::Project);
    assert_eq!(config.env.get("D_VAR"), Some("user"));
    assert_eq!(layer("D_VAR"), Layer::User);
}

#[test]
fn sources_name_the_file() {
    let s = Sandbox::new().project_settings(r#"{"env":{"AWS_PROFILE":"p"}}"#);
    let config = s.resolve();
    let var = config.env.var("AWS_PROFILE").unwrap();
    assert_eq!(
        var.source.path().unwrap(),
        s.project.join(".claude/settings.json")
    );
}

#[test]
fn managed_dropins_override_the_base_file_in_name_order() {
    let s = Sandbox::new()
        .managed_settings(r#"{"env":{"X_VAR":"base","Y_VAR":"base"}}"#)
        .managed_dropin("10-team.json", r#"{"env":{"X_VAR":"ten","Y_VAR":"ten"}}"#)
        .managed_dropin("20-site.json", r#"{"env":{"X_VAR":"twenty"}}"#)
        .managed_dropin(".hidden.json", r#"{"env":{"X_VAR":"hidden"}}"#)
        .managed_dropin("notes.txt", r#"{"env":{"X_VAR":"text"}}"#);
    let config = s.resolve();
    assert_eq!(config.env.get("X_VAR"), Some("twenty"));
    assert_eq!(config.env.get("Y_VAR"), Some("ten"));
    let x = config.env.var("X_VAR").unwrap();
    assert!(x.source.path().unwrap().ends_with("20-site.json"));
    let losers: Vec<&str> = x.shadowed.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(losers, ["ten", "base"]);
}

#[test]
fn an_invalid_file_is_ignored_and_the_others_still_apply() {
    let s = Sandbox::new()
        .user_settings(r#"{"env":{"AWS_REGION":"eu-west-1"}}"#)
        .project_settings("{\"env\": {\"AWS_REGION\": \"us-west-2\",}}");
    let config = s.resolve();
    assert_eq!(config.env.get("AWS_REGION"), Some("eu-west-1"));
    let project = config
        .settings
        .files
        .iter()
        .find(|f| f.layer == Layer::Project)
        .unwrap();
    assert!(matches!(project.state, FileState::Invalid { line: 1, .. }));
}

#[test]
fn an_empty_string_cancels_and_is_remembered() {
    let s = Sandbox::new()
        .env("CLAUDE_CODE_USE_BEDROCK", "1")
        .local_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":""}}"#);
    let config = s.resolve();
    assert_eq!(config.env.get("CLAUDE_CODE_USE_BEDROCK"), None);
    assert!(config.provider.bedrock.is_none());
    assert_eq!(
        config
            .env
            .var("CLAUDE_CODE_USE_BEDROCK")
            .unwrap()
            .shadowed
            .len(),
        1
    );
}

#[test]
fn top_level_keys_come_from_the_highest_layer() {
    let s = Sandbox::new()
        .user_settings(r#"{"awsAuthRefresh":"aws sso login --profile user","model":"opus"}"#)
        .project_settings(r#"{"awsAuthRefresh":"aws sso login --profile team"}"#);
    let config = s.resolve();
    let refresh = config.keys.aws_auth_refresh.unwrap();
    assert_eq!(refresh.value, "aws sso login --profile team");
    assert_eq!(refresh.source.layer(), Some(Layer::Project));
    assert_eq!(config.keys.model.unwrap().source.layer(), Some(Layer::User));
}

#[test]
fn model_overrides_merge_per_key_and_available_models_deduplicate() {
    let s = Sandbox::new()
        .user_settings(r#"{"modelOverrides":{"claude-opus-4-6":"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/u","claude-sonnet-4-6":"us.anthropic.claude-sonnet-4-6"},"availableModels":["opus","sonnet"]}"#)
        .managed_settings(r#"{"modelOverrides":{"claude-opus-4-6":"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/m"},"availableModels":["sonnet","haiku"]}"#);
    let config = s.resolve();
    let overrides: Vec<(&str, &str)> = config
        .keys
        .model_overrides
        .iter()
        .map(|(k, v)| (k.as_str(), v.value.as_str()))
        .collect();
    assert!(overrides.contains(&(
        "claude-opus-4-6",
        "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/m"
    )));
    assert!(overrides.contains(&("claude-sonnet-4-6", "us.anthropic.claude-sonnet-4-6")));
    let available: Vec<&str> = config
        .keys
        .available_models
        .iter()
        .map(|m| m.value.as_str())
        .collect();
    assert_eq!(available, ["sonnet", "haiku", "opus"]);
}

#[test]
fn pinned_models_are_collected_from_env_and_settings_keys() {
    let s = Sandbox::new()
        .env("ANTHROPIC_MODEL", "global.anthropic.claude-sonnet-4-6[1m]")
        .user_settings(r#"{"env":{"ANTHROPIC_DEFAULT_HAIKU_MODEL":"us.anthropic.claude-haiku-4-5-20251001-v1:0"},"modelOverrides":{"claude-opus-4-6":"arn:aws:bedrock:us-east-2:123456789012:application-inference-profile/opus"},"availableModels":["anthropic.claude-haiku-4-5"]}"#);
    let config = s.resolve();
    let settings: Vec<&str> = config.models.iter().map(|m| m.setting.as_str()).collect();
    assert_eq!(
        settings,
        [
            "ANTHROPIC_MODEL",
            "ANTHROPIC_DEFAULT_HAIKU_MODEL",
            "modelOverrides.claude-opus-4-6",
            "availableModels[0]"
        ]
    );
    assert!(config.models[0].id.one_million_context);
    assert_eq!(config.models[2].id.kind.short(), "application-profile-arn");
    assert_eq!(config.models[3].id.kind.short(), "mantle");
}

#[test]
fn non_string_env_values_apply_as_text_and_a_null_env_drops_the_file() {
    // As the real 2.1.330 and 2.1.332 do: `1` is "1" (Bedrock on), the rest of the file applies.
    let s = Sandbox::new()
        .user_settings(r#"{"env":{"CLAUDE_CODE_USE_BEDROCK":1,"AWS_REGION":"eu-west-1"}}"#);
    let config = s.resolve();
    assert!(config.provider.bedrock.is_some());
    assert_eq!(config.env.non_string[0].name, "CLAUDE_CODE_USE_BEDROCK");
    assert_eq!(config.env.get("AWS_REGION"), Some("eu-west-1"));
    // `"env": null` makes Claude Code ignore the whole file, `model` included.
    let s = Sandbox::new().user_settings(r#"{"env":null,"model":"sonnet"}"#);
    let config = s.resolve();
    assert!(config.keys.model.is_none());
}

#[test]
fn claude_config_dir_moves_the_user_settings() {
    let s = Sandbox::new()
        .file("alt/settings.json", r#"{"env":{"AWS_REGION":"eu-west-1"}}"#)
        .user_settings(r#"{"env":{"AWS_REGION":"us-west-2"}}"#);
    let alt = s.root.join("alt").display().to_string();
    let s = s.env("CLAUDE_CONFIG_DIR", &alt);
    let run = s.run(&["config", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["region"]["value"], "eu-west-1");
    // The flag beats the variable.
    let home_claude = s.home.join(".claude").display().to_string();
    let run = s.run(&["config", "--json", "--claude-config-dir", &home_claude]);
    assert_eq!(run.json()["region"]["value"], "us-west-2");
}
