//! A small HTTP/1.1 server on a loopback port, and the wire formats Bedrock, STS and Mantle speak.
//! The doctor uses it to watch what the real Claude Code client sends; the test suite builds its
//! fake AWS on it.

pub mod capture;
pub mod relay;
pub mod shape;
pub mod wire;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A request with its body read in full.
pub type Request = http::Request<Bytes>;
pub type Response = http::Response<Full<Bytes>>;
pub type HandlerFuture = Pin<Box<dyn Future<Output = Response> + Send>>;

/// Answers one request.
pub trait Handler: Send + Sync + 'static {
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
        tokio::spawn(async move {
            loop {
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
                        async move {
                            let (parts, body) = request.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            Ok::<_, Infallible>(
                                handler.handle(http::Request::from_parts(parts, body)).await,
                            )
                        }
                    });
                    let connection =
                        http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = connection => {}
                        _ = connection_stopped.changed() => {}
                    }
                });
            }
        });
        Ok(Server { addr, stop })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
