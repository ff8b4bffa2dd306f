//! What makes a model request what it is, for Bedrock: the shape (every header and body field
//! Bedrock may refuse — betas, the thinking mode, the effort, guardrail and service-tier headers,
//! tool types, cache markers) apart from its cost (the conversation, the prompt, the tool
//! descriptions, `max_tokens`). [`shrink`] keeps the first and cuts the second, so that a
//! rehearsed request is refused or accepted as the real one would be, for a few tokens.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// A rehearsed model request's body is at most this large.
pub const MAX_SHRUNK_BODY: usize = 16 * 1024;
/// And asks for at most this many output tokens.
pub const MAX_SHRUNK_TOKENS: u64 = 4096;
/// The smallest thinking budget Bedrock accepts.
const MIN_THINKING_BUDGET: u64 = 1024;

/// Headers every client sends; anything else a request carries is the configuration's own.
const ORDINARY_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "anthropic-beta",
    "anthropic-dangerous-direct-browser-access",
    "anthropic-version",
    "authorization",
    "connection",
    "content-length",
    "content-type",
    "host",
    "user-agent",
    "x-api-key",
    "x-app",
];

/// The parts of a model request Bedrock accepts or refuses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestShape {
    /// The `anthropic-beta` header, split.
    pub header_betas: Vec<String>,
    /// The body's `anthropic_beta`.
    pub body_betas: Vec<String>,
    /// `thinking.type` (`adaptive`, `enabled`, `disabled`), with `display` when set.
    pub thinking: Option<String>,
    /// `output_config.effort`.
    pub effort: Option<String>,
    /// A guardrail is applied (`x-amzn-bedrock-guardrailidentifier`); its identifier comes from
    /// `ANTHROPIC_CUSTOM_HEADERS`, whose values are never shown.
    pub guardrail: bool,
    /// `x-amzn-bedrock-service-tier`.
    pub service_tier: Option<String>,
    /// Other headers the configuration adds (`ANTHROPIC_CUSTOM_HEADERS`): names only, since their
    /// values may be credentials.
    pub custom_headers: Vec<String>,
    pub tools: usize,
    /// Tool `type`s other than a plain custom tool (server tools, tool search).
    pub tool_types: Vec<String>,
    /// How many `cache_control` markers the request carries.
    pub cache_markers: usize,
    pub context_management: bool,
    /// `messages` entries with `role: "system"`, which only some models take.
    pub system_messages: usize,
    pub max_tokens: Option<u64>,
    /// The body's size as the client sent it.
    pub body_bytes: usize,
}

impl RequestShape {
    /// The shape of a request with these headers and this JSON body.
    pub fn of(headers: &http::HeaderMap, body: &[u8]) -> RequestShape {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let strings = |value: &Value| -> Vec<String> {
            value
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let thinking = json.get("thinking").and_then(|t| {
            let kind = t.get("type")?.as_str()?;
            Some(match t.get("display").and_then(Value::as_str) {
                Some(display) => format!("{kind} (display {display})"),
                None => kind.to_string(),
            })
        });
        let guardrail = header("x-amzn-bedrock-guardrailidentifier").is_some();
        let mut custom_headers: Vec<String> = headers
            .keys()
            .map(|k| k.as_str().to_ascii_lowercase())
            .filter(|k| {
                !ORDINARY_HEADERS.contains(&k.as_str())
                    && !k.starts_with("x-amz-")
                    && !k.starts_with("x-stainless-")
                    && !k.starts_with("amz-sdk-")
                    && !k.starts_with("x-claude-code-")
                    && !k.starts_with("x-amzn-bedrock-guardrail")
                    && k != "x-amzn-bedrock-service-tier"
            })
            .collect();
        custom_headers.sort();
        custom_headers.dedup();
        let tools = json.get("tools").and_then(Value::as_array);
        let mut tool_types: Vec<String> = tools
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("type").and_then(Value::as_str))
            .filter(|t| *t != "custom")
            .map(str::to_string)
            .collect();
        tool_types.sort();
        tool_types.dedup();
        RequestShape {
            header_betas: header("anthropic-beta")
                .map(|v| {
                    v.split(',')
                        .map(|b| b.trim().to_string())
                        .filter(|b| !b.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            body_betas: strings(&json["anthropic_beta"]),
            thinking,
            effort: json
                .pointer("/output_config/effort")
                .and_then(Value::as_str)
                .map(str::to_string),
            guardrail,
            service_tier: header("x-amzn-bedrock-service-tier").map(str::to_string),
            custom_headers,
            tools: tools.map_or(0, Vec::len),
            tool_types,
            cache_markers: count_key(&json, "cache_control"),
            context_management: json.get("context_management").is_some(),
            system_messages: json["messages"]
                .as_array()
                .map_or(0, |m| m.iter().filter(|m| m["role"] == "system").count()),
            max_tokens: json.get("max_tokens").and_then(Value::as_u64),
            body_bytes: body.len(),
        }
    }

    /// One line for a report: the parts Bedrock may refuse.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let betas = self.betas();
        if !betas.is_empty() {
            parts.push(format!("betas {}", betas.join(", ")));
        }
        if let Some(thinking) = &self.thinking {
            parts.push(format!("thinking {thinking}"));
        }
        if let Some(effort) = &self.effort {
            parts.push(format!("effort {effort}"));
        }
        if self.guardrail {
            parts.push("a guardrail".into());
        }
        if let Some(tier) = &self.service_tier {
            parts.push(format!("service tier {tier}"));
        }
        if self.tools > 0 {
            parts.push(format!("{} tools", self.tools));
        }
        if !self.custom_headers.is_empty() {
            parts.push(format!("headers {}", self.custom_headers.join(", ")));
        }
        if let Some(max) = self.max_tokens {
            parts.push(format!("max_tokens {max}"));
        }
        parts.join(" · ")
    }

    /// Every beta, header first, each once.
    pub fn betas(&self) -> Vec<String> {
        let mut betas: Vec<String> = Vec::new();
        for beta in self.header_betas.iter().chain(&self.body_betas) {
            if !betas.contains(beta) {
                betas.push(beta.clone());
            }
        }
        betas
    }

    /// What `later` no longer carries that this request did: how a client recovered from a
    /// refusal ("the beta tool-search-tool-2025-10-19", "the effort setting high").
    pub fn dropped_in(&self, later: &RequestShape) -> Vec<String> {
        let mut dropped: Vec<String> = Vec::new();
        let later_betas = later.betas();
        for beta in self.betas() {
            if !later_betas.contains(&beta) {
                dropped.push(format!("the beta {beta}"));
            }
        }
        if self.thinking.is_some() && self.thinking != later.thinking {
            dropped.push(match &later.thinking {
                Some(now) => format!(
                    "thinking {} (now {now})",
                    self.thinking.as_deref().unwrap_or("")
                ),
                None => format!("thinking {}", self.thinking.as_deref().unwrap_or("")),
            });
        }
        if self.effort.is_some() && later.effort.is_none() {
            dropped.push(format!(
                "the effort setting {}",
                self.effort.as_deref().unwrap_or("")
            ));
        }
        if self.system_messages > later.system_messages {
            dropped.push("the system-role message".into());
        }
        if self.tools > later.tools && later.tools == 0 {
            dropped.push("the tools".into());
        }
        dropped
    }
}

fn count_key(value: &Value, key: &str) -> usize {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| usize::from(k == key) + count_key(v, key))
            .sum(),
        Value::Array(items) => items.iter().map(|v| count_key(v, key)).sum(),
        _ => 0,
    }
}

/// The cost a shrunk request can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shrunk {
    pub max_tokens: u64,
    pub body_bytes: usize,
}

/// A model request cut to its shape: one short user turn (after any `system`-role messages,
/// kept short), each system block and tool description a placeholder, tool schemas reduced to
/// an object, `max_tokens` the least that keeps the request valid. Everything Bedrock may refuse
/// stays as sent. Whatever the request's structure, the result is at most [`MAX_SHRUNK_BODY`]
/// bytes asking for at most [`MAX_SHRUNK_TOKENS`]: past that, repeated parts (tools, system
/// blocks) are thinned out and long values cut. A body that is not a Messages API request (not a
/// JSON object, no `messages`), or whose shape alone is larger than the bound, is an error: it is
/// not forwarded.
pub fn shrink(body: &[u8]) -> Result<(Vec<u8>, Shrunk), String> {
    let mut json = messages_request(body)?;
    let marker = json
        .get("messages")
        .is_some_and(|m| count_key(m, "cache_control") > 0);
    let mut messages: Vec<Value> = json
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|m| m.get("role").and_then(Value::as_str) == Some("system"))
        .take(2)
        .map(|_| json!({ "role": "system", "content": "." }))
        .collect();
    let mut turn = json!({ "type": "text", "text": "Reply with the word ok." });
    if marker {
        turn["cache_control"] = json!({ "type": "ephemeral" });
    }
    messages.push(json!({ "role": "user", "content": [turn] }));
    json.insert("messages".into(), Value::Array(messages));

    match json.get_mut("system") {
        Some(Value::Array(blocks)) => {
            for block in blocks {
                if let Some(text) = block.get_mut("text")
                    && text.as_str().is_some_and(|t| t.len() > 120)
                {
                    *text = json!("You are a helpful assistant.");
                }
            }
        }
        Some(text @ Value::String(_)) => *text = json!("You are a helpful assistant."),
        _ => {}
    }
    if let Some(Value::Array(tools)) = json.get_mut("tools") {
        for tool in tools {
            if let Value::Object(tool) = tool {
                if tool.contains_key("description") {
                    tool.insert("description".into(), json!("."));
                }
                if tool.contains_key("input_schema") {
                    tool.insert(
                        "input_schema".into(),
                        json!({ "type": "object", "properties": {} }),
                    );
                }
            }
        }
    }
    let max_tokens = least_tokens(&mut json);
    json.insert("max_tokens".into(), json!(max_tokens));
    let bytes = bounded(json)?;
    let shrunk = Shrunk {
        max_tokens,
        body_bytes: bytes.len(),
    };
    Ok((bytes, shrunk))
}

/// A body as a Messages API request: a JSON object with a `messages` list.
fn messages_request(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(json)) if json.get("messages").is_some_and(Value::is_array) => Ok(json),
        Ok(Value::Object(_)) => {
            Err("the body has no `messages` list: not a Messages API request".into())
        }
        Ok(_) => Err("the body is not a JSON object".into()),
        Err(err) => Err(format!(
            "the body is not valid JSON (line {}, column {})",
            err.line(),
            err.column()
        )),
    }
}

/// Serialises `json`, thinning it until it fits [`MAX_SHRUNK_BODY`]: custom tools, then system
/// blocks, are halved (typed tools — server tools, tool search — are shape, and stay first);
/// then every long string is cut and every long list shortened. A shape that still does not fit
/// is refused.
fn bounded(mut json: Map<String, Value>) -> Result<Vec<u8>, String> {
    loop {
        let bytes = serde_json::to_vec(&json).map_err(|err| err.to_string())?;
        if bytes.len() <= MAX_SHRUNK_BODY {
            return Ok(bytes);
        }
        if let Some(Value::Array(tools)) = json.get_mut("tools")
            && tools.len() > 1
        {
            // Typed tools first: they are what Bedrock may refuse.
            tools.sort_by_key(|t| t.get("type").is_none_or(|kind| kind == "custom"));
            tools.truncate(tools.len() / 2);
            continue;
        }
        if let Some(Value::Array(blocks)) = json.get_mut("system")
            && blocks.len() > 1
        {
            blocks.truncate(blocks.len() / 2);
            continue;
        }
        let mut cut = false;
        for (key, value) in &mut json {
            if key != "messages" && key != "max_tokens" {
                cut |= cut_long_values(value);
            }
        }
        if !cut {
            return Err(format!(
                "the request's shape alone is larger than {} KB",
                MAX_SHRUNK_BODY / 1024
            ));
        }
    }
}

/// Cuts strings over 64 characters to a placeholder and lists over 8 items to 8; whether
/// anything was cut.
fn cut_long_values(value: &mut Value) -> bool {
    match value {
        Value::String(text) if text.len() > 64 => {
            *text = ".".into();
            true
        }
        Value::Array(items) => {
            let mut cut = items.len() > 8;
            items.truncate(8);
            for item in items {
                cut |= cut_long_values(item);
            }
            cut
        }
        Value::Object(map) => map
            .values_mut()
            .fold(false, |cut, v| cut_long_values(v) | cut),
        _ => false,
    }
}

/// A count of tokens cut to its shape: the same request as [`shrink`] makes, without the
/// `max_tokens` a count does not take. Small counts pass as they are.
pub fn shrink_count(body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() <= MAX_SHRUNK_BODY {
        messages_request(body)?;
        return Ok(body.to_vec());
    }
    let asked = messages_request(body)?.contains_key("max_tokens");
    let (shrunk, _) = shrink(body)?;
    if asked {
        return Ok(shrunk);
    }
    let mut json = messages_request(&shrunk)?;
    json.remove("max_tokens");
    serde_json::to_vec(&json).map_err(|err| err.to_string())
}

/// Bedrock's `CountTokens` body (`{"input":{"invokeModel":{"body":"<base64>"}}}`) cut as
/// [`shrink_count`] cuts the request it counts. Small bodies pass as they are.
pub fn shrink_bedrock_count(body: &[u8]) -> Result<Vec<u8>, String> {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let Ok(Value::Object(mut json)) = serde_json::from_slice::<Value>(body) else {
        return Err("the body is not a JSON object".into());
    };
    if body.len() <= MAX_SHRUNK_BODY {
        return Ok(body.to_vec());
    }
    let inner = json
        .get("input")
        .and_then(|i| i.get("invokeModel"))
        .and_then(|i| i.get("body"))
        .and_then(Value::as_str)
        .and_then(|b| STANDARD.decode(b).ok())
        .ok_or("a count of tokens this large must count an InvokeModel body")?;
    let shrunk = shrink_count(&inner)?;
    json.insert(
        "input".into(),
        json!({ "invokeModel": { "body": STANDARD.encode(shrunk) } }),
    );
    let bytes = serde_json::to_vec(&json).map_err(|err| err.to_string())?;
    if bytes.len() > MAX_SHRUNK_BODY * 2 {
        return Err(format!(
            "the count's shape alone is larger than {} KB",
            MAX_SHRUNK_BODY / 1024
        ));
    }
    Ok(bytes)
}

/// Enough output tokens for the request to be valid: above an explicit thinking budget (cut to
/// Bedrock's minimum), a little room for adaptive thinking, and never more than was asked.
fn least_tokens(json: &mut Map<String, Value>) -> u64 {
    let asked = json
        .get("max_tokens")
        .and_then(Value::as_u64)
        .unwrap_or(MAX_SHRUNK_TOKENS);
    let needed = match json.get_mut("thinking") {
        Some(Value::Object(thinking)) if thinking.get("budget_tokens").is_some() => {
            thinking.insert("budget_tokens".into(), json!(MIN_THINKING_BUDGET));
            MIN_THINKING_BUDGET + 64
        }
        Some(Value::Object(thinking)) if thinking.get("type") == Some(&json!("adaptive")) => {
            MIN_THINKING_BUDGET
        }
        _ => 32,
    };
    needed.min(asked).min(MAX_SHRUNK_TOKENS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The main-loop request as Claude Code 2.1.332 sends it to Opus 4.6 (cut, same shape).
    fn main_loop() -> (http::HeaderMap, Vec<u8>) {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "anthropic-beta",
            "claude-code-20250219,effort-2025-11-24".parse().unwrap(),
        );
        headers.insert("anthropic-version", "2023-06-01".parse().unwrap());
        headers.insert(
            "x-amzn-bedrock-guardrailidentifier",
            "gr-abc123".parse().unwrap(),
        );
        headers.insert("x-amzn-bedrock-guardrailversion", "1".parse().unwrap());
        headers.insert("x-amzn-bedrock-service-tier", "flex".parse().unwrap());
        headers.insert("x-corp-gateway-token", "secret-value".parse().unwrap());
        headers.insert("x-amz-date", "20261201T000000Z".parse().unwrap());
        let long = "x".repeat(28_000);
        let tool = |name: &str| json!({"name": name, "description": long, "input_schema": {"type": "object", "properties": {"a": {"type": "string", "description": long}}}});
        let body = json!({
            "anthropic_version": "bedrock-2023-05-31",
            "anthropic_beta": ["interleaved-thinking-2025-05-14", "tool-search-tool-2025-10-19"],
            "thinking": {"type": "adaptive"},
            "output_config": {"effort": "high"},
            "max_tokens": 64000,
            "metadata": {"user_id": "{\"session_id\":\"s\"}"},
            "system": [
                {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.332.abc;"},
                {"type": "text", "text": "You are a Claude agent.", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": long, "cache_control": {"type": "ephemeral"}}
            ],
            "tools": [tool("Bash"), tool("Read"), {"type": "tool_search_tool_regex_20251119", "name": "ToolSearch"}],
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": long, "cache_control": {"type": "ephemeral"}}]}
            ]
        });
        (headers, serde_json::to_vec(&body).unwrap())
    }

    #[test]
    fn the_shape_names_what_bedrock_may_refuse_and_no_header_value() {
        let (headers, body) = main_loop();
        let shape = RequestShape::of(&headers, &body);
        assert_eq!(
            shape.betas(),
            [
                "claude-code-20250219",
                "effort-2025-11-24",
                "interleaved-thinking-2025-05-14",
                "tool-search-tool-2025-10-19"
            ]
        );
        assert_eq!(shape.thinking.as_deref(), Some("adaptive"));
        assert_eq!(shape.effort.as_deref(), Some("high"));
        assert!(shape.guardrail);
        assert_eq!(shape.service_tier.as_deref(), Some("flex"));
        assert_eq!(shape.custom_headers, ["x-corp-gateway-token"]);
        assert_eq!(shape.tool_types, ["tool_search_tool_regex_20251119"]);
        assert_eq!(shape.cache_markers, 3);
        assert_eq!(shape.max_tokens, Some(64000));
        assert!(!shape.summary().contains("secret-value"));
        assert!(!shape.summary().contains("gr-abc123"));
    }

    #[test]
    fn shrinking_keeps_the_shape_and_cuts_the_cost() {
        let (headers, body) = main_loop();
        let (shrunk, cost) = shrink(&body).unwrap();
        assert!(body.len() > 100_000);
        assert!(shrunk.len() <= MAX_SHRUNK_BODY, "{} bytes", shrunk.len());
        assert_eq!(cost.body_bytes, shrunk.len());
        assert!(cost.max_tokens <= MAX_SHRUNK_TOKENS);
        let before = RequestShape::of(&headers, &body);
        let after = RequestShape::of(&headers, &shrunk);
        // Everything but the cost is as sent.
        assert_eq!(
            RequestShape {
                max_tokens: None,
                body_bytes: 0,
                ..after.clone()
            },
            RequestShape {
                max_tokens: None,
                body_bytes: 0,
                ..before
            }
        );
        assert_eq!(after.max_tokens, Some(1024));
        let json: Value = serde_json::from_slice(&shrunk).unwrap();
        assert_eq!(json["messages"].as_array().unwrap().len(), 1);
        assert_eq!(json["metadata"]["user_id"], "{\"session_id\":\"s\"}");
    }

    #[test]
    fn any_structure_is_cut_to_the_bound_or_refused() {
        let bytes = |v: Value| serde_json::to_vec(&v).unwrap();
        // Thousands of short system blocks: each under the length that is replaced.
        let blocks: Vec<Value> = (0..30_000)
            .map(|i| json!({"type": "text", "text": format!("block {i}")}))
            .collect();
        let body = bytes(json!({"max_tokens": 64000, "system": blocks, "messages": []}));
        let (shrunk, cost) = shrink(&body).unwrap();
        assert!(shrunk.len() <= MAX_SHRUNK_BODY, "{} bytes", shrunk.len());
        assert!(cost.max_tokens <= MAX_SHRUNK_TOKENS);
        // A probe of 3 MB keeps its one token and loses its size.
        let probe = bytes(
            json!({"max_tokens": 1, "messages": [{"role": "user", "content": "x".repeat(3_000_000)}]}),
        );
        let (shrunk, cost) = shrink(&probe).unwrap();
        assert!(shrunk.len() <= MAX_SHRUNK_BODY);
        assert_eq!(cost.max_tokens, 1);
        // Hundreds of tools with long names, a long list of betas.
        let tools: Vec<Value> = (0..2000)
            .map(|i| json!({"name": format!("mcp__server__{}", "t".repeat(50) + &i.to_string()), "description": "d", "input_schema": {}}))
            .collect();
        let betas: Vec<String> = (0..5000).map(|i| format!("beta-{i}")).collect();
        let body = bytes(
            json!({"tools": tools, "anthropic_beta": betas, "messages": [], "max_tokens": 100}),
        );
        let (shrunk, _) = shrink(&body).unwrap();
        assert!(shrunk.len() <= MAX_SHRUNK_BODY);
        // A shape that cannot be cut (thousands of keys) is refused, not forwarded.
        let keys: Map<String, Value> = (0..5000).map(|i| (format!("k{i}"), json!(1))).collect();
        let body = bytes(json!({"metadata": keys, "messages": []}));
        assert!(shrink(&body).unwrap_err().contains("larger than 16 KB"));
        // Not a Messages API request: refused with a reason, never a panic.
        assert!(shrink(b"{}").unwrap_err().contains("no `messages`"));
        assert!(
            shrink(br#"{"prompt":"\n\nHuman: hi\n\nAssistant:","max_tokens_to_sample":300}"#)
                .is_err()
        );
        assert!(
            shrink(br#"{"messages":"#)
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert!(shrink(b"[1,2]").unwrap_err().contains("not a JSON object"));
        assert!(shrink_count(b"{}").is_err());
        assert!(shrink_bedrock_count(b"nope").is_err());
    }

    #[test]
    fn a_large_count_of_tokens_is_cut_inside_its_invoke_body() {
        use base64::Engine;
        use base64::engine::general_purpose::STANDARD;
        let inner = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64000, "messages": [{"role": "user", "content": "x".repeat(200_000)}]});
        let body = json!({"input": {"invokeModel": {"body": STANDARD.encode(inner.to_string())}}});
        let cut = shrink_bedrock_count(body.to_string().as_bytes()).unwrap();
        assert!(cut.len() <= MAX_SHRUNK_BODY * 2);
        let cut: Value = serde_json::from_slice(&cut).unwrap();
        let inner = STANDARD
            .decode(cut["input"]["invokeModel"]["body"].as_str().unwrap())
            .unwrap();
        let inner: Value = serde_json::from_slice(&inner).unwrap();
        assert_eq!(inner["anthropic_version"], "bedrock-2023-05-31");
        // A Mantle count keeps having no max_tokens.
        let count = json!({"model": "anthropic.claude-haiku-4-5", "messages": [{"role": "user", "content": "x".repeat(100_000)}]});
        let cut: Value =
            serde_json::from_slice(&shrink_count(count.to_string().as_bytes()).unwrap()).unwrap();
        assert!(cut.get("max_tokens").is_none());
    }

    #[test]
    fn an_explicit_thinking_budget_stays_below_max_tokens() {
        let body = json!({
            "thinking": {"type": "enabled", "budget_tokens": 31999},
            "max_tokens": 32000,
            "messages": [{"role": "user", "content": "hi"}, {"role": "system", "content": "env"}]
        });
        let (shrunk, cost) = shrink(&serde_json::to_vec(&body).unwrap()).unwrap();
        let json: Value = serde_json::from_slice(&shrunk).unwrap();
        assert_eq!(json["thinking"]["budget_tokens"], 1024);
        assert!(cost.max_tokens > 1024);
        // The system-role message some models take is kept, short, before the user turn.
        assert_eq!(json["messages"][0]["role"], "system");
        assert_eq!(json["messages"][1]["role"], "user");
    }

    #[test]
    fn what_a_retry_dropped_is_named() {
        let (headers, body) = main_loop();
        let first = RequestShape::of(&headers, &body);
        let retry = RequestShape {
            body_betas: vec!["interleaved-thinking-2025-05-14".into()],
            header_betas: vec!["claude-code-20250219".into()],
            effort: None,
            ..first.clone()
        };
        assert_eq!(
            first.dropped_in(&retry),
            [
                "the beta effort-2025-11-24",
                "the beta tool-search-tool-2025-10-19",
                "the effort setting high"
            ]
        );
    }
}
