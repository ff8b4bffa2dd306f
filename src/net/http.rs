//! One HTTP/1.1 request on its own connection, along a [`Route`], refusing to send anything over
//! TLS the imitated client would not trust. A connection per request keeps the proxy, the trust
//! decision and the timeout of each request explicit; the doctor makes only a handful.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::CertificateDer;
use tokio::time::{Instant, timeout_at};

use super::tls::{CertInfo, RootSet, Verdict};
use super::{BoxIo, NetError, NetErrorKind, Phase, Route, Scheme, Target, open};

/// The roots a client trusts: a chain is accepted when any set verifies it.
#[derive(Debug, Clone)]
pub struct ClientTrust {
    /// `Claude Code`, for messages.
    pub client: &'static str,
    pub sets: Vec<RootSet>,
}

impl ClientTrust {
    pub fn judge(&self, chain: &[CertificateDer<'static>], host: &str) -> Verdict {
        let verdicts: Vec<Verdict> = self.sets.iter().map(|s| s.verify(chain, host)).collect();
        if verdicts.iter().any(Verdict::is_trusted) {
            return Verdict::Trusted;
        }
        // A name or validity problem says more than "unknown issuer" from the other stores.
        verdicts
            .iter()
            .find(|v| **v != Verdict::UnknownIssuer)
            .or(verdicts.first())
            .cloned()
            .unwrap_or(Verdict::UnknownIssuer)
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub duration_ms: u64,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` (absolute URI) and reads the response body (at most
/// [`super::MAX_ANSWER`] bytes), all within `timeout`.
pub(crate) async fn send(
    request: http::Request<Bytes>,
    route: &Route,
    trust: &ClientTrust,
    timeout: Duration,
) -> Result<Response, NetError> {
    let started = Instant::now();
    let deadline = started + timeout;
    let target = Target::parse(&request.uri().to_string())
        .map_err(|err| NetError::new(NetErrorKind::Io, Phase::Request, err))?;
    let mut io: BoxIo = open(&target, route, deadline).await?;
    if target.scheme == Scheme::Https {
        let (stream, chain) =
            super::tls::handshake(io, &target.host, &[b"http/1.1"], deadline).await?;
        let verdict = trust.judge(&chain, &target.host);
        if !verdict.is_trusted() {
            let issuer = chain
                .first()
                .and_then(|c| CertInfo::parse(c))
                .map(|c| format!(" (issued by {})", c.issuer))
                .unwrap_or_default();
            return Err(NetError::new(
                NetErrorKind::Tls,
                Phase::Tls,
                format!(
                    "{} would reject the certificate of {}{issuer}: {}",
                    trust.client,
                    target.host,
                    verdict.describe()
                ),
            ));
        }
        io = Box::new(stream);
    }
    let (mut sender, connection) = match timeout_at(
        deadline,
        hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(io)),
    )
    .await
    {
        Err(_) => return Err(timeout_error(Phase::Request)),
        Ok(Err(err)) => {
            return Err(NetError::new(
                NetErrorKind::Io,
                Phase::Request,
                err.to_string(),
            ));
        }
        Ok(Ok(pair)) => pair,
    };
    let driver = tokio::spawn(connection);
    let (mut parts, body) = request.into_parts();
    parts.uri = parts
        .uri
        .path_and_query()
        .map(http::uri::PathAndQuery::as_str)
        .unwrap_or("/")
        .parse()
        .unwrap_or_default();
    if let Ok(host) = http::HeaderValue::from_str(&target.host_header()) {
        parts.headers.insert(http::header::HOST, host);
    }
    let request = http::Request::from_parts(parts, Full::new(body));
    let result = async {
        let response = match timeout_at(deadline, sender.send_request(request)).await {
            Err(_) => return Err(timeout_error(Phase::Response)),
            Ok(Err(err)) => {
                return Err(NetError::new(
                    NetErrorKind::Io,
                    Phase::Response,
                    err.to_string(),
                ));
            }
            Ok(Ok(response)) => response,
        };
        let (parts, body) = response.into_parts();
        let limited = http_body_util::Limited::new(body, super::MAX_ANSWER);
        let body = match timeout_at(deadline, limited.collect()).await {
            Err(_) => {
                return Err(NetError::new(
                    NetErrorKind::Timeout,
                    Phase::Response,
                    format!(
                        "HTTP {}: the body did not finish within the timeout",
                        parts.status.as_u16()
                    ),
                ));
            }
            Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => {
                return Err(NetError::new(
                    NetErrorKind::Io,
                    Phase::Response,
                    format!(
                        "HTTP {}: the answer was larger than {} MB, which no Bedrock answer is: cut off",
                        parts.status.as_u16(),
                        super::MAX_ANSWER / (1024 * 1024)
                    ),
                ));
            }
            Ok(Err(err)) => {
                return Err(NetError::new(
                    NetErrorKind::Io,
                    Phase::Response,
                    err.to_string(),
                ));
            }
            Ok(Ok(collected)) => collected.to_bytes(),
        };
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }
    .await;
    driver.abort();
    result
}

fn timeout_error(phase: Phase) -> NetError {
    NetError::new(
        NetErrorKind::Timeout,
        phase,
        format!("no answer within the timeout ({})", phase.label()),
    )
}
