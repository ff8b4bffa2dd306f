//! JSON documents. Every document carries `schema_version`; a fatal error is still a document.

use serde::Serialize;
use serde_json::json;

use crate::report::{SCHEMA_VERSION, Tool};

pub fn to_string<T: Serialize>(value: &T) -> String {
    // Serialising our own plain structs cannot fail; fall back to an error document if it does.
    serde_json::to_string_pretty(value).unwrap_or_else(|err| error_document(&err.to_string(), None))
}

/// `{"schema_version":1,"tool":{…},"error":{"message":…,"fix":…}}`
pub fn error_document(message: &str, fix: Option<&str>) -> String {
    let doc = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": Tool::this(),
        "error": { "message": message, "fix": fix },
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
