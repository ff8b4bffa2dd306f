//! The tool's knowledge of the settings schema stays equal to the schema itself, and every real
//! settings file of the corpus loads.

use std::fs;

use claude_bedrock::config::settings::{BEDROCK_ENUMS, FileState, parse_settings};

use crate::support::schemastore_dir;

#[test]
fn bedrock_enum_table_matches_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(schemastore_dir().join("claude-code-settings.schema.json")).unwrap(),
    )
    .unwrap();
    let env = &schema["properties"]["env"]["properties"];
    for (name, allowed) in BEDROCK_ENUMS {
        let from_schema: Vec<&str> = env[*name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} has no enum in the schema"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(&from_schema, allowed, "{name}");
    }
    // Every restricted variable of the schema that concerns Bedrock is in the table.
    for (name, spec) in env.as_object().unwrap() {
        let bedrock = name.contains("BEDROCK") || name.contains("MANTLE");
        if bedrock && spec.get("enum").is_some() {
            assert!(
                BEDROCK_ENUMS.iter().any(|(n, _)| n == name),
                "{name} missing from BEDROCK_ENUMS"
            );
        }
    }
}

#[test]
fn every_corpus_file_loads() {
    let dir = schemastore_dir().join("corpus");
    let mut count = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let state = parse_settings(&fs::read(&path).unwrap());
        assert!(
            matches!(state, FileState::Loaded(_)),
            "{}: {state:?}",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 20, "the corpus has {count} files");
}
