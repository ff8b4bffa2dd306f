//! A small HTTP/1.1 server on a loopback port, and the wire formats Bedrock, STS and Mantle speak.
//! The doctor uses it to watch what the real Claude Code client sends; the test suite builds its
//! fake AWS on it.

pub mod call;
pub mod capture;
pub mod gate;
pub mod relay;
pub mod request;
pub mod shape;
pub mod wire;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The largest request body a loopback server reads: anything larger is answered 413 without
/// being read further. A real model request is well under 1 MB.
pub const MAX_REQUEST_BODY: usize = 4 * 1024 * 1024;
/// Connections served at once; a further one waits to be accepted.
const MAX_CONNECTIONS: usize = 64;
/// A client that has not sent its request head by then is dropped.
const HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A request with its body read in full.
pub type Request = http::Request<Bytes>;
pub type Response = http::Response<Full<Bytes>>;
pub type HandlerFuture = Pin<Box<dyn Future<Output = Response> + Send>>;

/// Answers one request.
pub trait Handler: Send + Sync + 'static {
    /// Looks at the request head before its body is read: an answer here ends the request, and
    /// its body is never read.
    fn admit(&self, _head: &http::request::Parts) -> Option<Response> {
        None
    }

    fn handle(&self, request: Request) -> HandlerFuture;
}

impl<F, Fut> Handler for F
where
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    fn handle(&self, request: Request) -> HandlerFuture {
        Box::pin(self(request))
    }
}

/// A running server; dropping it stops accepting connections.
pub struct Server {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
}

impl Server {
    /// Binds `127.0.0.1:0` (a free port) and serves `handler` until dropped.
    pub async fn start(handler: impl Handler) -> std::io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let handler = Arc::new(handler);
        let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
        tokio::spawn(async move {
            loop {
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    return;
                };
                let (stream, _) = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok(pair) => pair,
                        Err(_) => continue,
                    },
                    _ = stopped.changed() => return,
                };
                let handler = handler.clone();
                let mut connection_stopped = stopped.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: http::Request<Incoming>| {
                        let handler = handler.clone();
                        async move { Ok::<_, Infallible>(serve(handler.as_ref(), request).await) }
                    });
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEAD_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = connection => {}
                        _ = connection_stopped.changed() => {}
                    }
                    drop(permit);
                });
            }
        });
        Ok(Server { addr, stop })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// One request: admitted by its head, its body read up to [`MAX_REQUEST_BODY`], then handled.
async fn serve<H: Handler + ?Sized>(handler: &H, request: http::Request<Incoming>) -> Response {
    let (parts, body) = request.into_parts();
    if let Some(answer) = handler.admit(&parts) {
        return answer;
    }
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY as u64) {
        return too_large();
    }
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err) if err.is::<LengthLimitError>() => return too_large(),
        Err(_) => {
            return wire::bedrock_error(
                400,
                "ValidationException",
                "the request body was cut short or could not be read",
            );
        }
    };
    handler.handle(http::Request::from_parts(parts, body)).await
}

fn too_large() -> Response {
    wire::bedrock_error(
        413,
        "ValidationException",
        &format!(
            "the request body is larger than {} MB",
            MAX_REQUEST_BODY / (1024 * 1024)
        ),
    )
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
