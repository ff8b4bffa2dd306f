//! Bodies and errors exactly as AWS sends them: Bedrock REST-JSON, the AWS event stream that
//! carries Anthropic streaming events, the STS Query API's XML, and Mantle's messages and SSE.

use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use aws_smithy_types::str_bytes::StrBytes;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Value, json};

use super::Response;

pub const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

fn response(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response {
    http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("x-amzn-RequestId", REQUEST_ID)
        .body(Full::new(body.into()))
        .unwrap_or_default()
}

/// A Bedrock REST-JSON success.
pub fn json(status: u16, body: &Value) -> Response {
    response(status, "application/json", body.to_string())
}

/// A Bedrock REST-JSON error: `x-amzn-ErrorType` header and `{"message": …}`.
pub fn bedrock_error(status: u16, error_type: &str, message: &str) -> Response {
    let mut response = response(
        status,
        "application/json",
        json!({ "message": message }).to_string(),
    );
    if !error_type.is_empty() {
        response.headers_mut().insert(
            "x-amzn-ErrorType",
            http::HeaderValue::from_str(&format!(
                "{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/"
            ))
            .unwrap_or(http::HeaderValue::from_static("UnknownError")),
        );
    }
    response
}

/// The answer when a request carries no Authorization at all.
pub fn authorization_missing() -> Response {
    let mut response = response(
        403,
        "application/json",
        r#"{"Message":"Authorization header is missing"}"#,
    );
    response.headers_mut().insert(
        "x-amzn-ErrorType",
        http::HeaderValue::from_static("MissingAuthenticationTokenException"),
    );
    response
}

/// A page of `ListInferenceProfiles`.
pub fn profiles_page(summaries: &[Value], next_token: Option<&str>) -> Response {
    let mut body = json!({ "inferenceProfileSummaries": summaries });
    if let Some(token) = next_token {
        body["nextToken"] = json!(token);
    }
    json(200, &body)
}

/// How a short answer ends: a one-token request (a probe) stops at `max_tokens`, anything else
/// ends its turn — as Bedrock answers, and so that a real client has no reason to ask again.
pub fn stop_reason_for(request_body: &[u8]) -> &'static str {
    let max_tokens = serde_json::from_slice::<Value>(request_body)
        .ok()
        .and_then(|body| body.get("max_tokens").and_then(Value::as_u64));
    match max_tokens {
        Some(n) if n <= 1 => "max_tokens",
        _ => "end_turn",
    }
}

/// The Anthropic message a short `InvokeModel` returns.
pub fn message(model: &str, stop_reason: &str) -> Value {
    json!({
        "id": "msg_bdrk_01",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{ "type": "text", "text": "." }],
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": { "input_tokens": 8, "output_tokens": 1 }
    })
}

/// The Anthropic streaming events of a one-token answer.
pub fn stream_events(model: &str, stop_reason: &str) -> Vec<Value> {
    vec![
        json!({"type":"message_start","message":{"id":"msg_bdrk_01","type":"message","role":"assistant","model":model,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":1}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"."}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"message_delta","delta":{"stop_reason":stop_reason,"stop_sequence":null},"usage":{"output_tokens":1}}),
        json!({"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":8,"outputTokenCount":1,"invocationLatency":120,"firstByteLatency":100}}),
    ]
}

/// `InvokeModelWithResponseStream`'s body: each Anthropic event, base64 in `{"bytes":…}`, framed
/// as an AWS event-stream `chunk` message.
pub fn event_stream(model: &str, stop_reason: &str) -> Response {
    event_stream_of(stream_events(model, stop_reason))
}

/// Any Anthropic streaming events, framed as `InvokeModelWithResponseStream` sends them.
pub fn event_stream_of(events: Vec<Value>) -> Response {
    let mut body = Vec::new();
    for event in events {
        let payload = json!({ "bytes": STANDARD.encode(event.to_string()) }).to_string();
        let header = |name: &'static str, value: &'static str| {
            Header::new(name, HeaderValue::String(StrBytes::from(value)))
        };
        let message = Message::new(Bytes::from(payload))
            .add_header(header(":event-type", "chunk"))
            .add_header(header(":content-type", "application/json"))
            .add_header(header(":message-type", "event"));
        if aws_smithy_eventstream::frame::write_message_to(&message, &mut body).is_err() {
            return bedrock_error(
                500,
                "InternalServerException",
                "event-stream framing failed",
            );
        }
    }
    let mut response = response(200, "application/vnd.amazon.eventstream", body);
    response.headers_mut().insert(
        "x-amzn-bedrock-content-type",
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// `sts:GetCallerIdentity` in the STS Query API's XML.
pub fn sts_identity(account: &str, arn: &str, user_id: &str) -> Response {
    let body = format!(
        r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>{arn}</Arn>
    <UserId>{user_id}</UserId>
    <Account>{account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>{REQUEST_ID}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
"#
    );
    response(200, "text/xml", body)
}

/// An STS error in XML.
pub fn sts_error(status: u16, code: &str, message: &str) -> Response {
    let body = format!(
        r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>{code}</Code>
    <Message>{message}</Message>
  </Error>
  <RequestId>{REQUEST_ID}</RequestId>
</ErrorResponse>
"#
    );
    response(status, "text/xml", body)
}

/// Mantle's (Anthropic Messages API) answer to a short message (see [`stop_reason_for`]).
pub fn mantle_message(model: &str, stop_reason: &str) -> Response {
    json(200, &message(model, stop_reason))
}

/// Mantle's streaming answer to a short request, as server-sent events.
pub fn mantle_sse(model: &str, stop_reason: &str) -> Response {
    sse(&stream_events(model, stop_reason))
}

/// Anthropic streaming events as server-sent events (Mantle's `stream: true`).
pub fn sse(events: &[Value]) -> Response {
    let mut body = String::new();
    for event in events {
        let name = event["type"].as_str().unwrap_or("message");
        body.push_str(&format!("event: {name}\ndata: {event}\n\n"));
    }
    response(200, "text/event-stream", body)
}

/// Mantle's OpenAI-compatible `GET /v1/models`.
pub fn mantle_models(ids: &[&str]) -> Response {
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "id": id, "object": "model", "created": 1_760_000_000, "owned_by": "anthropic" }))
        .collect();
    json(200, &json!({ "object": "list", "data": data }))
}

/// An Anthropic-API-shaped error, as Mantle returns it.
pub fn mantle_error(status: u16, error_type: &str, message: &str) -> Response {
    json(
        status,
        &json!({ "type": "error", "error": { "type": error_type, "message": message } }),
    )
}

/// An HTML page, as a corporate proxy returns it.
pub fn html(status: u16, title: &str) -> Response {
    let body =
        format!("<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>");
    http::Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .header("server", "corp-proxy")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}
