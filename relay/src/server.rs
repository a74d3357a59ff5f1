//! HTTP: WebSocket upgrades on any path (after the origin and subprotocol checks), static
//! files or a placeholder page for everything else, and a clean shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time;
use tower_http::services::ServeDir;

use crate::cluster::{Cluster, ClusterConfig, ClusterError, Incoming};
use crate::config::TurnConfig;
use crate::config::{normalize_origin, Config};
use crate::listen::{self, Gate, Slot};
use crate::metrics::{Metrics, Rejected};
use crate::static_files;
use crate::ws::{self, Hub, Session};
use crate::{token, turn};

/// The subprotocol the sample's server demands (`request.accept("json", …)`).
pub use chat_protocol::SUBPROTOCOL;

/// Frames up to this many times the limit are read and answered with an error; larger ones
/// end the connection (tungstenite will not buffer them). Bounds memory per connection.
pub const TRANSPORT_CAP_FACTOR: usize = 4;

/// Per-WebSocket read chunk and write batch. tungstenite's defaults (128 KiB each, the read
/// buffer allocated up front) cost an idle connection 130 KB; measured with relay-load, 1000
/// idle connections took 139 MB. Larger messages still work (the buffers grow as needed).
const READ_BUFFER: usize = 4 * 1024;
const WRITE_BUFFER: usize = 4 * 1024;

/// Largest write buffer per WebSocket: a frame (at most the client limit) and some pongs.
/// tungstenite's default is unbounded, and a client that sends pings but never reads would
/// grow it with pongs without end.
const MAX_WRITE_BUFFER: usize = 512 * 1024;

const NO_PAGE: &str = "webrtc-chat relay\n\n\
    No page is built here: this relay was started without --static DIR.\n\
    Build the web client (trunk build --release) and start the relay with --static dist,\n\
    or point a page's `signal` setting at this server's WebSocket (any path, subprotocol \"json\").\n";

#[derive(Debug)]
pub enum StartError {
    Bind { addr: String, source: io::Error },
    StaticDir { path: PathBuf, reason: String },
    Redis { url: String, source: ClusterError },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            StartError::StaticDir { path, reason } => {
                write!(f, "cannot serve {}: {reason}", path.display())
            }
            StartError::Redis { url, source } => write!(f, "cannot join {url}: {source}"),
        }
    }
}

impl std::error::Error for StartError {}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    config: Config,
    /// `--static`, canonical (symlinks resolved), for [`static_files::check`].
    static_root: Option<PathBuf>,
    /// `--redis`: the cross-node layer and its event queue.
    cluster: Option<(Cluster, mpsc::Receiver<Incoming>)>,
}

/// Binds the listening socket and checks the static directory.
pub async fn bind(config: &Config) -> Result<Server, StartError> {
    let mut static_root = None;
    if let Some(dir) = &config.static_dir {
        match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {
                if !dir.join("index.html").is_file() {
                    tracing::warn!("{} has no index.html; / will be 404", dir.display());
                }
                static_root =
                    Some(
                        std::fs::canonicalize(dir).map_err(|e| StartError::StaticDir {
                            path: dir.clone(),
                            reason: e.to_string(),
                        })?,
                    );
            }
            Ok(_) => {
                return Err(StartError::StaticDir {
                    path: dir.clone(),
                    reason: "not a directory".into(),
                })
            }
            Err(e) => {
                return Err(StartError::StaticDir {
                    path: dir.clone(),
                    reason: e.to_string(),
                })
            }
        }
    }
    let listener = TcpListener::bind(&config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen.clone(),
            source,
        })?;
    // After the bind: a relay that cannot listen should not first take a node number.
    let cluster = match &config.redis {
        None => None,
        Some(url) => Some(
            Cluster::connect(ClusterConfig {
                max_list_bytes: config.limits.max_list_bytes,
                ..ClusterConfig::new(url)
            })
            .await
            .map_err(|source| StartError::Redis {
                url: url.clone(),
                source,
            })?,
        ),
    };
    Ok(Server {
        listener,
        config: config.clone(),
        static_root,
        cluster,
    })
}

/// What every request handler shares.
struct App {
    hub: Arc<Hub>,
    /// `--redis`: reported on `/healthz`.
    cluster: Option<Cluster>,
    allow_origins: Vec<String>,
    /// With one, every WebSocket needs a valid join token (see [`crate::token`]).
    token_secret: Option<Vec<u8>>,
    turn: Option<TurnConfig>,
    metrics: Arc<Metrics>,
    static_root: Option<PathBuf>,
    login_timeout: Duration,
    transport_cap: usize,
    stop: watch::Receiver<bool>,
    /// Cloned into each connection; see [`ws::serve`].
    alive: mpsc::Sender<()>,
}

impl Server {
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then closes every WebSocket (1001) and returns
    /// within the configured grace period.
    pub async fn run<F>(self, shutdown: F) -> io::Result<()>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let Server {
            listener,
            config,
            static_root,
            cluster,
        } = self;
        // Ids count up from the start time in milliseconds, like the sample's `Date.now()`.
        let first_id = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(0))
            .unwrap_or(0);
        let (cluster, incoming) = match cluster {
            Some((cluster, incoming)) => (Some(cluster), Some(incoming)),
            None => (None, None),
        };
        let hub = Arc::new(Hub::with_cluster(first_id, config.limits, cluster.clone()));
        let consumer =
            incoming.map(|incoming| tokio::spawn(ws::consume(Arc::clone(&hub), incoming)));
        let (stop_tx, stop_rx) = watch::channel(false);
        let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
        let metrics = Arc::clone(hub.metrics());
        let app = Arc::new(App {
            cluster: cluster.clone(),
            hub,
            turn: config.turn.clone(),
            metrics: Arc::clone(&metrics),
            static_root,
            login_timeout: config.login_timeout,
            allow_origins: config.allow_origins.clone(),
            token_secret: config.token_secret.as_ref().map(|s| s.as_bytes().to_vec()),
            transport_cap: config.limits.max_frame_bytes * TRANSPORT_CAP_FACTOR,
            stop: stop_rx.clone(),
            alive: alive_tx,
        });
        let router = router(app, config.static_dir.clone());
        let gate = Gate::new(config.max_connections, config.max_connections_per_ip);
        let mut tasks = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => {
                    // Forget finished connections.
                    while tasks.try_join_next().is_some() {}
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            // Out of file descriptors, usually: wait rather than spin.
                            tracing::warn!("accept failed: {e}");
                            time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    match gate.admit(peer.ip()) {
                        Ok(permit) => {
                            tasks.spawn(listen::serve_http(
                                stream,
                                peer,
                                permit,
                                router.clone(),
                                config.header_timeout,
                                stop_rx.clone(),
                                Arc::clone(&metrics),
                            ));
                        }
                        Err(why) => {
                            metrics.reject(why);
                            tracing::warn!(?peer, "refused connection: {why:?}");
                            tasks.spawn(listen::refuse(stream, why));
                        }
                    }
                }
            }
        }
        tracing::info!("shutting down");
        drop(listener);
        let _ = stop_tx.send(true);
        // The router holds the last `alive` sender outside the connections.
        drop(router);
        let grace = config.shutdown_grace;
        let all_closed = async {
            while tasks.join_next().await.is_some() {}
            alive_rx.recv().await;
        };
        if time::timeout(grace, all_closed).await.is_err() {
            tracing::warn!("some connections did not close within {grace:?}");
        }
        tasks.shutdown().await;
        if let Some(consumer) = consumer {
            consumer.abort();
        }
        // Frees this node's names and presence now rather than after the time-to-live.
        if let Some(cluster) = cluster {
            cluster.shutdown().await;
        }
        Ok(())
    }
}

fn router(app: Arc<App>, static_dir: Option<PathBuf>) -> Router {
    let pages = match static_dir {
        // Directories get their index.html; MIME types from the extension (`.wasm` is
        // `application/wasm`, which `WebAssembly.instantiateStreaming` insists on).
        Some(dir) => Router::new().fallback_service(ServeDir::new(dir)),
        None => Router::new().fallback(no_page),
    };
    pages.layer(middleware::from_fn_with_state(app, upgrade_or_page))
}

async fn no_page(uri: Uri) -> Response {
    let status = if uri.path() == "/" {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    (status, NO_PAGE).into_response()
}

/// WebSocket upgrades are taken on any path, as the sample does; then the relay's own paths;
/// everything else is a page.
async fn upgrade_or_page(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if asks_for_websocket(request.headers()) {
        return app.upgrade(request).await;
    }
    match request.uri().path() {
        // Stays 200 while Redis is down: the relay still serves its own users, and a 503 would
        // make a load balancer drop every relay at once when Redis blinks.
        HEALTHZ => match &app.cluster {
            None => (StatusCode::OK, [NO_STORE], "ok\n").into_response(),
            Some(cluster) if cluster.is_healthy() => {
                (StatusCode::OK, [NO_STORE], "ok\nredis: ok\n").into_response()
            }
            Some(_) => (StatusCode::OK, [NO_STORE], "ok\nredis: down\n").into_response(),
        },
        METRICS => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                ),
                NO_STORE,
            ],
            app.metrics.render(),
        )
            .into_response(),
        ICE_SERVERS => app.ice_servers(&request),
        path => {
            if let Some(root) = &app.static_root {
                if let Err(status) = static_files::check(root, path).await {
                    return (status, status.canonical_reason().unwrap_or_default()).into_response();
                }
            }
            next.run(request).await
        }
    }
}

/// Liveness: 200 "ok" while the relay accepts requests.
pub const HEALTHZ: &str = "/healthz";
/// Prometheus text format (see [`crate::metrics`]).
pub const METRICS: &str = "/metrics";
/// Time-limited TURN credentials as JSON `{iceServers, ttl}` (see [`crate::turn`]).
pub const ICE_SERVERS: &str = "/ice-servers";

const NO_STORE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-store");

impl App {
    /// `GET /ice-servers`: 404 without `--turn-secret`; with `--token-secret`, only for a
    /// valid join token (`?token=`, any room), whose name becomes the TURN user.
    fn ice_servers(&self, request: &Request) -> Response {
        let Some(turn) = &self.turn else {
            return (StatusCode::NOT_FOUND, "no TURN server configured\n").into_response();
        };
        let user = match &self.token_secret {
            None => "webrtc-chat".to_owned(),
            Some(secret) => {
                let claims = token::from_query(request.uri().query())
                    .ok_or_else(|| "no token".to_owned())
                    .and_then(|t| token::verify_any_room(secret, t).map_err(|e| e.to_string()));
                match claims {
                    Ok(claims) => claims.name,
                    Err(e) => {
                        tracing::info!("refused /ice-servers: {e}");
                        return (
                            StatusCode::UNAUTHORIZED,
                            "a valid join token is required (?token=)\n",
                        )
                            .into_response();
                    }
                }
            }
        };
        let servers = turn::ice_servers(
            turn.secret.as_bytes(),
            &turn.urls,
            &user,
            token::now_secs(),
            turn.ttl,
        );
        let body = serde_json::to_string(&servers).unwrap_or_default();
        let mut headers = vec![(header::CONTENT_TYPE, "application/json".to_owned())];
        headers.push((header::CACHE_CONTROL, "no-store".into()));
        // A page served from another origin may fetch it too, if that origin may connect.
        if let Some(origin) = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
        {
            if origin_allowed(&self.allow_origins, request.headers()) {
                headers.push((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.to_owned()));
                headers.push((header::VARY, "Origin".into()));
            }
        }
        let mut response = (StatusCode::OK, body).into_response();
        for (name, value) in headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }

    async fn upgrade(&self, request: Request) -> Response {
        let (mut parts, _body) = request.into_parts();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0);
        let Some(room) = room_of(parts.uri.path()).map(str::to_owned) else {
            self.metrics.reject(Rejected::Room);
            return (
                StatusCode::BAD_REQUEST,
                "room names are 1 to 64 letters, digits, '-' or '_'\n",
            )
                .into_response();
        };
        if !origin_allowed(&self.allow_origins, &parts.headers) {
            let origin = parts.headers.get(header::ORIGIN);
            tracing::info!(?origin, ?peer, "refused WebSocket: origin");
            self.metrics.reject(Rejected::Origin);
            return (StatusCode::FORBIDDEN, "origin not allowed\n").into_response();
        }
        // The sample answers 500 here (WebSocket-Node throws from `accept`); 400 says what is
        // wrong, and a browser cannot tell the two apart (both fail the WebSocket).
        if !offers_subprotocol(&parts.headers) {
            self.metrics.reject(Rejected::Subprotocol);
            return (
                StatusCode::BAD_REQUEST,
                "WebSocket subprotocol \"json\" required (Sec-WebSocket-Protocol: json)\n",
            )
                .into_response();
        }
        // The token's name is this connection's, whatever it asks for later.
        let fixed_name = match &self.token_secret {
            None => None,
            Some(secret) => {
                let claims = token::from_query(parts.uri.query())
                    .ok_or_else(|| "no token".to_owned())
                    .and_then(|t| token::verify(secret, t, &room).map_err(|e| e.to_string()));
                match claims {
                    Ok(claims) => Some(claims.name),
                    Err(e) => {
                        tracing::info!(?peer, room, "refused WebSocket: {e}");
                        self.metrics.reject(Rejected::Token);
                        return (
                            StatusCode::UNAUTHORIZED,
                            "a valid join token is required (?token=)\n",
                        )
                            .into_response();
                    }
                }
            }
        };
        if let Some(name) = &fixed_name {
            if self.hub.name_in_use(&room, name) {
                self.metrics.reject(Rejected::NameInUse);
                return (
                    StatusCode::CONFLICT,
                    "this token's name is in use in the room\n",
                )
                    .into_response();
            }
        }
        let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
            Ok(upgrade) => upgrade,
            Err(rejection) => return rejection.into_response(),
        };
        // The connection's place under the limits moves to the WebSocket, for its whole life.
        let permit = parts.extensions.get::<Slot>().and_then(Slot::take);
        let session = Session {
            hub: Arc::clone(&self.hub),
            room,
            fixed_name,
            stop: self.stop.clone(),
            alive: self.alive.clone(),
            peer,
            permit,
            login_timeout: self.login_timeout,
        };
        upgrade
            .protocols([SUBPROTOCOL])
            .max_message_size(self.transport_cap)
            .max_frame_size(self.transport_cap)
            .read_buffer_size(READ_BUFFER)
            .write_buffer_size(WRITE_BUFFER)
            .max_write_buffer_size(MAX_WRITE_BUFFER)
            .on_failed_upgrade(|e| tracing::debug!("WebSocket upgrade failed: {e}"))
            .on_upgrade(move |socket| ws::serve(socket, session))
    }
}

/// The default room's name: `/` and `/signal` (and, as in the sample, any path that does not
/// name a room), so the tutorial's clients keep working unchanged.
pub const DEFAULT_ROOM: &str = "default";

/// Longest room name, in characters.
pub const MAX_ROOM_CHARS: usize = 64;

/// The room a WebSocket path names: `/signal/<room>`, or the default room for any other path.
/// `None` for a `/signal/…` path that is not a valid room name.
pub fn room_of(path: &str) -> Option<&str> {
    let Some(rest) = path.strip_prefix("/signal/") else {
        return Some(DEFAULT_ROOM);
    };
    let room = rest.strip_suffix('/').unwrap_or(rest);
    if room.is_empty() {
        return Some(DEFAULT_ROOM);
    }
    room_of_name(room)
}

/// `room` if it is a valid room name.
pub fn room_of_name(room: &str) -> Option<&str> {
    let valid = !room.is_empty()
        && room.len() <= MAX_ROOM_CHARS
        && room
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then_some(room)
}

fn asks_for_websocket(headers: &HeaderMap) -> bool {
    header_tokens(headers, header::UPGRADE).any(|t| t.eq_ignore_ascii_case("websocket"))
}

fn offers_subprotocol(headers: &HeaderMap) -> bool {
    header_tokens(headers, header::SEC_WEBSOCKET_PROTOCOL).any(|t| t == SUBPROTOCOL)
}

/// With no list, any origin (as the sample). With one, the `Origin` header must be on it; a
/// request without one is refused, since every browser sends it on WebSocket upgrades.
fn origin_allowed(allowed: &[String], headers: &HeaderMap) -> bool {
    if allowed.is_empty() {
        return true;
    }
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(normalize_origin)
        .is_some_and(|origin| allowed.contains(&origin))
}

/// The comma-separated tokens of every `name` header.
fn header_tokens(headers: &HeaderMap, name: header::HeaderName) -> impl Iterator<Item = &str> {
    headers
        .get_all(name)
        .into_iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called,
/// not when the future is first polled, so a signal right after start-up is not lost.
pub fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("SIGINT"),
                _ = terminate.recv() => tracing::info!("SIGTERM"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn subprotocol_must_be_offered_exactly() {
        let p = header::SEC_WEBSOCKET_PROTOCOL;
        assert!(offers_subprotocol(&headers(&[(p.clone(), "json")])));
        assert!(offers_subprotocol(&headers(&[(p.clone(), "soap, json")])));
        assert!(offers_subprotocol(&headers(&[
            (p.clone(), "a"),
            (p.clone(), "json")
        ])));
        assert!(!offers_subprotocol(&headers(&[(p.clone(), "jsonx")])));
        assert!(!offers_subprotocol(&headers(&[])));
    }

    #[test]
    fn origins() {
        let o = header::ORIGIN;
        let allowed = vec!["https://a.example".to_string()];
        assert!(origin_allowed(&[], &headers(&[])));
        assert!(origin_allowed(
            &allowed,
            &headers(&[(o.clone(), "https://A.example")])
        ));
        assert!(!origin_allowed(
            &allowed,
            &headers(&[(o.clone(), "https://b.example")])
        ));
        assert!(!origin_allowed(&allowed, &headers(&[(o.clone(), "null")])));
        assert!(!origin_allowed(&allowed, &headers(&[])));
    }

    #[test]
    fn rooms_from_paths() {
        for path in ["/", "/signal", "/signal/", "/some/deep/path", "/signalx"] {
            assert_eq!(room_of(path), Some(DEFAULT_ROOM), "{path}");
        }
        assert_eq!(room_of("/signal/team-a_1"), Some("team-a_1"));
        assert_eq!(room_of("/signal/team/"), Some("team"));
        assert_eq!(room_of("/signal/default"), Some(DEFAULT_ROOM));
        let long = "r".repeat(MAX_ROOM_CHARS);
        assert_eq!(room_of(&format!("/signal/{long}")), Some(long.as_str()));
        for bad in [
            format!("/signal/{long}r"),
            "/signal/a/b".into(),
            "/signal/a%20b".into(),
            "/signal/ä".into(),
            "/signal/a.b".into(),
        ] {
            assert_eq!(room_of(&bad), None, "{bad}");
        }
    }

    #[test]
    fn upgrade_detection() {
        let u = header::UPGRADE;
        assert!(asks_for_websocket(&headers(&[(u.clone(), "WebSocket")])));
        assert!(asks_for_websocket(&headers(&[(
            u.clone(),
            "h2c, websocket"
        )])));
        assert!(!asks_for_websocket(&headers(&[(u.clone(), "h2c")])));
        assert!(!asks_for_websocket(&headers(&[])));
    }
}
