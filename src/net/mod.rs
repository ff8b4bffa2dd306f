//! The network path as Claude Code takes it: the proxy its environment names (an HTTP CONNECT
//! tunnel), then TLS whose certificate chain is kept for inspection, every step bounded by the
//! `--timeout`. The AWS SDK hides all of this; the network and Mantle checks need to see it.

pub(crate) mod http;
pub(crate) mod proxy;
pub(crate) mod tls;

/// The most of an answer the tool reads from any endpoint (Bedrock, STS, Mantle, a proxy): far
/// above any real one (a page of inference profiles is a few KB), so that no endpoint decides
/// the tool's memory.
pub(crate) const MAX_ANSWER: usize = 2 * 1024 * 1024;

use crate::secret::redact_url;
use std::fmt;
use std::net::SocketAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use proxy::ProxyUrl;

/// A byte stream: plain TCP, TLS to a proxy, or a tunnel through one.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}
pub(crate) type BoxIo = Box<dyn Io>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    Http,
    Https,
}

/// Where a request goes: scheme, host and port of a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub scheme: Scheme,
    pub host: String,
    pub port: u16,
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, String> {
        let uri: ::http::Uri = url
            .trim()
            .parse()
            .map_err(|err| format!("\"{}\" is not a URL: {err}", redact_url(url)))?;
        let scheme = match uri.scheme_str() {
            Some("https") => Scheme::Https,
            Some("http") => Scheme::Http,
            Some(other) => {
                return Err(format!(
                    "\"{}\": unsupported scheme {other}",
                    redact_url(url)
                ));
            }
            None => return Err(format!("\"{}\" has no scheme (https://…)", redact_url(url))),
        };
        let host = uri
            .host()
            .ok_or_else(|| format!("\"{}\" has no host", redact_url(url)))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port = uri.port_u16().unwrap_or(match scheme {
            Scheme::Https => 443,
            Scheme::Http => 80,
        });
        Ok(Target { scheme, host, port })
    }

    /// `host:port`, brackets around IPv6 addresses, as CONNECT and `Host` want it.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The `Host` header: the port only when it is not the scheme's default.
    pub fn host_header(&self) -> String {
        let default = match self.scheme {
            Scheme::Https => 443,
            Scheme::Http => 80,
        };
        if self.port == default {
            if self.host.contains(':') {
                format!("[{}]", self.host)
            } else {
                self.host.clone()
            }
        } else {
            self.authority()
        }
    }
}

/// The step a connection failed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Dns,
    Connect,
    /// Reaching the proxy itself.
    ProxyConnect,
    /// The proxy's answer to CONNECT.
    Tunnel,
    Tls,
    Request,
    Response,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Dns => "DNS lookup",
            Phase::Connect => "TCP connect",
            Phase::ProxyConnect => "connecting to the proxy",
            Phase::Tunnel => "proxy CONNECT",
            Phase::Tls => "TLS handshake",
            Phase::Request => "sending the request",
            Phase::Response => "reading the response",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NetErrorKind {
    /// The name does not resolve.
    Dns,
    Refused,
    Timeout,
    /// The proxy answered CONNECT with 407.
    ProxyAuth,
    /// The proxy answered CONNECT with another non-2xx status.
    ProxyRefused {
        status: u16,
    },
    /// The proxy's answer was not HTTP.
    ProxyProtocol,
    /// The handshake failed, or the chain is not trusted by the client being imitated.
    Tls,
    Io,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetError {
    #[serde(flatten)]
    pub kind: NetErrorKind,
    pub phase: Phase,
    pub message: String,
}

impl NetError {
    pub fn new(kind: NetErrorKind, phase: Phase, message: impl Into<String>) -> NetError {
        NetError {
            kind,
            phase,
            message: crate::secret::scrub_text(&message.into()),
        }
    }

    fn timeout(phase: Phase) -> NetError {
        NetError::new(
            NetErrorKind::Timeout,
            phase,
            format!("no answer within the timeout ({})", phase.label()),
        )
    }

    fn io(phase: Phase, err: &std::io::Error) -> NetError {
        let kind = match err.kind() {
            std::io::ErrorKind::ConnectionRefused => NetErrorKind::Refused,
            std::io::ErrorKind::TimedOut => NetErrorKind::Timeout,
            _ => NetErrorKind::Io,
        };
        NetError::new(kind, phase, format!("{}: {err}", phase.label()))
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// How a connection is made: directly, or through a proxy.
#[derive(Debug, Clone)]
pub enum Route {
    Direct,
    Proxy(ProxyUrl),
}

/// Resolves `host` and connects to the first address that answers, before `deadline`.
pub(crate) async fn tcp(
    host: &str,
    port: u16,
    deadline: Instant,
    phase: Phase,
) -> Result<(TcpStream, SocketAddr), NetError> {
    let dns_phase = if phase == Phase::ProxyConnect {
        Phase::ProxyConnect
    } else {
        Phase::Dns
    };
    let addrs: Vec<SocketAddr> =
        match timeout_at(deadline, tokio::net::lookup_host((host, port))).await {
            Err(_) => return Err(NetError::timeout(dns_phase)),
            Ok(Err(err)) => {
                return Err(NetError::new(
                    NetErrorKind::Dns,
                    dns_phase,
                    format!("{host} does not resolve: {err}"),
                ));
            }
            Ok(Ok(addrs)) => addrs.collect(),
        };
    let mut last = NetError::new(NetErrorKind::Dns, dns_phase, format!("{host}: no address"));
    for addr in addrs {
        match timeout_at(deadline, TcpStream::connect(addr)).await {
            Err(_) => return Err(NetError::timeout(phase)),
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                return Ok((stream, addr));
            }
            Ok(Err(err)) => {
                last = NetError::io(phase, &err);
                last.message = format!("{} to {addr}: {err}", phase.label());
            }
        }
    }
    Err(last)
}

/// A byte stream to `target` along `route` (no TLS to the target yet).
pub(crate) async fn open(
    target: &Target,
    route: &Route,
    deadline: Instant,
) -> Result<BoxIo, NetError> {
    match route {
        Route::Direct => {
            let (stream, _) = tcp(&target.host, target.port, deadline, Phase::Connect).await?;
            Ok(Box::new(stream))
        }
        Route::Proxy(proxy) => {
            let (stream, _) = tcp(&proxy.host, proxy.port, deadline, Phase::ProxyConnect).await?;
            let io: BoxIo = if proxy.scheme == "https" {
                // An HTTPS proxy: TLS to the proxy first. Its password goes only to a proxy whose
                // certificate public or system roots verify.
                let (tls, chain) = tls::handshake(Box::new(stream), &proxy.host, &[], deadline)
                    .await
                    .map_err(|mut err| {
                        err.phase = Phase::ProxyConnect;
                        err
                    })?;
                if proxy.credentials().is_some() {
                    let trusted = std::iter::once(tls::RootSet::public())
                        .chain(tls::RootSet::system())
                        .any(|roots| roots.verify(&chain, &proxy.host).is_trusted());
                    if !trusted {
                        return Err(NetError::new(
                            NetErrorKind::Tls,
                            Phase::ProxyConnect,
                            format!(
                                "the HTTPS proxy {} presents a certificate no trusted root verifies; its password was not sent",
                                proxy.display
                            ),
                        ));
                    }
                }
                Box::new(tls)
            } else {
                Box::new(stream)
            };
            connect_tunnel(io, target, proxy, deadline).await
        }
    }
}

/// Sends `CONNECT host:port` and reads the proxy's answer, leaving a tunnel on success.
async fn connect_tunnel(
    mut io: BoxIo,
    target: &Target,
    proxy: &ProxyUrl,
    deadline: Instant,
) -> Result<BoxIo, NetError> {
    let authority = target.authority();
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some((user, password)) = proxy.credentials() {
        let token = STANDARD.encode(format!("{user}:{password}"));
        request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    match timeout_at(deadline, io.write_all(request.as_bytes())).await {
        Err(_) => return Err(NetError::timeout(Phase::Tunnel)),
        Ok(Err(err)) => return Err(NetError::io(Phase::Tunnel, &err)),
        Ok(Ok(())) => {}
    }
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err(NetError::new(
                NetErrorKind::ProxyProtocol,
                Phase::Tunnel,
                "the proxy's answer to CONNECT has no end of headers",
            ));
        }
        let n = match timeout_at(deadline, io.read(&mut buf)).await {
            Err(_) => return Err(NetError::timeout(Phase::Tunnel)),
            Ok(Err(err)) => return Err(NetError::io(Phase::Tunnel, &err)),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            return Err(NetError::new(
                NetErrorKind::ProxyProtocol,
                Phase::Tunnel,
                format!(
                    "the proxy {} closed the connection instead of answering CONNECT",
                    proxy.display
                ),
            ));
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let status_line = text.lines().next().unwrap_or("").trim().to_string();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok());
    match status {
        Some(200..=299) => Ok(io),
        Some(407) => Err(NetError::new(
            NetErrorKind::ProxyAuth,
            Phase::Tunnel,
            format!(
                "the proxy {} wants authentication: {status_line}",
                proxy.display
            ),
        )),
        Some(status) => Err(NetError::new(
            NetErrorKind::ProxyRefused { status },
            Phase::Tunnel,
            format!(
                "the proxy {} refused CONNECT {authority}: {status_line}",
                proxy.display
            ),
        )),
        None => Err(NetError::new(
            NetErrorKind::ProxyProtocol,
            Phase::Tunnel,
            format!(
                "the proxy {} did not answer CONNECT with HTTP: {}",
                proxy.display,
                status_line.chars().take(80).collect::<String>()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_know_their_default_ports() {
        let t = Target::parse("https://bedrock-runtime.us-east-1.amazonaws.com").unwrap();
        assert_eq!(t.port, 443);
        assert_eq!(t.authority(), "bedrock-runtime.us-east-1.amazonaws.com:443");
        assert_eq!(t.host_header(), "bedrock-runtime.us-east-1.amazonaws.com");
        let t = Target::parse("http://127.0.0.1:8080/anthropic").unwrap();
        assert_eq!((t.scheme, t.port), (Scheme::Http, 8080));
        assert_eq!(t.host_header(), "127.0.0.1:8080");
        let t = Target::parse("https://[::1]:9443").unwrap();
        assert_eq!(t.authority(), "[::1]:9443");
        assert!(Target::parse("bedrock.example.com").is_err());
    }
}
