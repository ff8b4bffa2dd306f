//! Real Bedrock API keys for tests: short-term keys are presigned with aws-sigv4 exactly as AWS's
//! token generator does; long-term keys follow the documented format.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A short-term key for `region`, issued at `issued` and valid for `lifetime`.
pub(crate) fn short_term_key(
    region: &str,
    issued: SystemTime,
    lifetime: Duration,
    session_token: bool,
) -> String {
    let credentials = Credentials::new(
        "AKIDEXAMPLEKEY000001",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        session_token.then(|| "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN".to_string()),
        None,
        "test",
    );
    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(lifetime);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("bedrock")
        .time(issued)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let url = "https://bedrock.amazonaws.com/?Action=CallWithBearerToken";
    let request = SignableRequest::new(
        "POST",
        url,
        std::iter::once(("host", "bedrock.amazonaws.com")),
        SignableBody::Bytes(&[]),
    )
    .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let mut presigned = String::from("bedrock.amazonaws.com/?Action=CallWithBearerToken");
    for (name, value) in instructions.params() {
        presigned.push('&');
        presigned.push_str(name);
        presigned.push('=');
        presigned.push_str(&encode(value));
    }
    presigned.push_str("&Version=1");
    format!("bedrock-api-key-{}", STANDARD.encode(presigned))
}

/// A long-term key for `account`.
pub(crate) fn long_term_key(account: &str) -> String {
    format!(
        "ABSK{}",
        STANDARD.encode(format!(
            "BedrockAPIKey-k7x2-at-{account}:Zm9vYmFyYmF6cXV4c2VjcmV0c2VjcmV0"
        ))
    )
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
