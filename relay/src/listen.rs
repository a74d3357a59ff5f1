//! The accept loop's rules: every TCP connection (plain HTTP or WebSocket) takes a place under
//! `--max-connections` and `--max-connections-per-ip` when accepted and keeps it for its whole
//! life; a WebSocket upgrade carries the place over to the WebSocket (so simultaneous upgrades
//! cannot overshoot the limit). Request headers have a deadline (hyper's header read timeout,
//! which also covers a connection that sends nothing), so slowloris sockets give their places
//! back.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time;
use tower_service::Service;

use crate::metrics::{Metrics, Rejected};

/// The connection limits.
pub struct Gate {
    places: Arc<Semaphore>,
    /// 0: no per-IP limit.
    per_ip: usize,
    by_ip: Mutex<HashMap<IpAddr, usize>>,
}

/// A connection's place; given back when dropped.
pub struct Permit {
    _place: OwnedSemaphorePermit,
    ip: Option<(Arc<Gate>, IpAddr)>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some((gate, ip)) = self.ip.take() {
            let mut by_ip = gate.by_ip.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(n) = by_ip.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    by_ip.remove(&ip);
                }
            }
        }
    }
}

impl Gate {
    pub fn new(max: usize, per_ip: usize) -> Arc<Gate> {
        Arc::new(Gate {
            places: Arc::new(Semaphore::new(max)),
            per_ip,
            by_ip: Mutex::new(HashMap::new()),
        })
    }

    pub fn admit(self: &Arc<Gate>, ip: IpAddr) -> Result<Permit, Rejected> {
        let place = Arc::clone(&self.places)
            .try_acquire_owned()
            .map_err(|_| Rejected::Capacity)?;
        if self.per_ip == 0 {
            return Ok(Permit {
                _place: place,
                ip: None,
            });
        }
        let mut by_ip = self.by_ip.lock().unwrap_or_else(PoisonError::into_inner);
        let n = by_ip.entry(ip).or_insert(0);
        if *n >= self.per_ip {
            return Err(Rejected::PerIp);
        }
        *n += 1;
        Ok(Permit {
            _place: place,
            ip: Some((Arc::clone(self), ip)),
        })
    }
}

/// One HTTP connection's permit, for the request that upgrades it to take.
#[derive(Clone)]
pub struct Slot(Arc<Mutex<Option<Permit>>>);

impl Slot {
    pub fn take(&self) -> Option<Permit> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Counts the connection in `relay_http_connections` while it is not a WebSocket.
struct HttpGauge(Arc<Metrics>);

impl HttpGauge {
    fn new(metrics: &Arc<Metrics>) -> HttpGauge {
        metrics.http_connections.fetch_add(1, Ordering::Relaxed);
        HttpGauge(Arc::clone(metrics))
    }
}

impl Drop for HttpGauge {
    fn drop(&mut self) {
        self.0.http_connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves HTTP/1.1 on one accepted connection until it closes, upgrades, or the server stops.
pub async fn serve_http(
    stream: TcpStream,
    peer: SocketAddr,
    permit: Permit,
    router: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
    metrics: Arc<Metrics>,
) {
    let _gauge = HttpGauge::new(&metrics);
    let slot = Slot(Arc::new(Mutex::new(Some(permit))));
    let service = service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(slot.clone());
        let mut router = router.clone();
        async move {
            let response: Result<_, Infallible> = router.call(request).await;
            response
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let connection = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(connection);
    if *stop.borrow_and_update() {
        connection.as_mut().graceful_shutdown();
    }
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(?peer, "HTTP connection: {e}");
            }
            return;
        }
        _ = stop.changed() => connection.as_mut().graceful_shutdown(),
    }
    // The server's grace period bounds this (the task is aborted after it).
    if let Err(e) = connection.await {
        tracing::debug!(?peer, "HTTP connection at shutdown: {e}");
    }
}

/// Answers a connection over the limits with 503 (429 for the per-IP limit) and closes it.
/// Reads the request head first (briefly), so the client sees the answer rather than a reset.
pub async fn refuse(mut stream: TcpStream, why: Rejected) {
    let (status, text) = match why {
        Rejected::PerIp => (
            "429 Too Many Requests",
            "too many connections from your address\n",
        ),
        _ => ("503 Service Unavailable", "too many connections\n"),
    };
    let mut head = Vec::new();
    let read = async {
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    };
    let _ = time::timeout(Duration::from_secs(2), read).await;
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{text}",
        text.len()
    );
    let write = async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    };
    let _ = time::timeout(Duration::from_secs(2), write).await;
}
