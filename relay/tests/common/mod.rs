//! Test support: an in-process relay on an ephemeral port, WebSocket clients over loopback, a
//! raw HTTP GET. "Nothing else arrived" is shown by a marker message sent after the action,
//! which the relay must deliver after anything the action caused, not by waiting. Every read
//! has a generous deadline ([`DEADLINE`]) so a missing message fails the test instead of
//! hanging CI; no test asserts on how fast anything is.
#![allow(dead_code)] // each test file uses a different part

pub mod redis;

use std::net::SocketAddr;
use std::time::Duration;

/// How long a read waits before the test fails: far beyond any real delivery on loopback.
pub const DEADLINE: Duration = Duration::from_secs(20);

use chat_protocol::json::Value;
use chat_protocol::parse;
use futures_util::{SinkExt, StreamExt};
use relay::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Response;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Relay {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Relay {
    pub async fn start(config: Config) -> Relay {
        let config = Config {
            listen: "127.0.0.1:0".into(),
            ..config
        };
        let server = relay::bind(&config).await.expect("bind");
        let addr = server.local_addr().expect("address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        Relay {
            addr,
            stop: Some(stop),
            task,
        }
    }

    pub async fn start_default() -> Relay {
        Relay::start(Config::default()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// Starts the shutdown; [`Relay::stopped`] waits for it.
    pub fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    pub async fn stopped(self) -> std::io::Result<()> {
        self.task.await.expect("server task")
    }

    pub async fn client(&self) -> Client {
        Client::connect(&self.url("/")).await
    }

    /// Connects and logs in each name in turn; every client has read everything sent to it.
    pub async fn logins(&self, names: &[&str]) -> Vec<Client> {
        self.logins_at("/", names).await
    }

    /// [`Relay::logins`] on a WebSocket path (`/signal/<room>`).
    pub async fn logins_at(&self, path: &str, names: &[&str]) -> Vec<Client> {
        let mut clients: Vec<Client> = Vec::new();
        for name in names {
            let mut client = Client::connect(&self.url(path)).await;
            client.send_username(name).await;
            let list = client.recv_kind("userlist").await;
            for other in &mut clients {
                assert_eq!(other.recv_kind("userlist").await, list);
            }
            client.name = (*name).to_owned();
            clients.push(client);
        }
        clients
    }
}

/// A WebSocket upgrade request for `url` with the given subprotocol and origin headers.
pub fn request(
    url: &str,
    protocol: Option<&str>,
    origin: Option<&str>,
) -> tungstenite::handshake::client::Request {
    let mut request = url.into_client_request().expect("request");
    if let Some(protocol) = protocol {
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(protocol).expect("header"),
        );
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", HeaderValue::from_str(origin).expect("header"));
    }
    request
}

/// The upgrade's outcome: the socket and response, or the HTTP status it was refused with.
pub async fn try_connect(
    url: &str,
    protocol: Option<&str>,
    origin: Option<&str>,
) -> Result<(Socket, Response), u16> {
    match tokio_tungstenite::connect_async(request(url, protocol, origin)).await {
        Ok(ok) => Ok(ok),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("unexpected connect error: {e}"),
    }
}

pub struct Client {
    pub ws: Socket,
    pub id: u64,
    pub name: String,
}

impl Client {
    /// Connects with subprotocol `json` and reads the `id` message.
    pub async fn connect(url: &str) -> Client {
        let (ws, response) = try_connect(url, Some("json"), None)
            .await
            .expect("upgrade accepted");
        assert_eq!(
            response
                .headers()
                .get("Sec-WebSocket-Protocol")
                .map(|v| v.as_bytes()),
            Some(&b"json"[..])
        );
        Client::from_socket(ws).await
    }

    pub async fn from_socket(ws: Socket) -> Client {
        let mut client = Client {
            ws,
            id: 0,
            name: String::new(),
        };
        let id = client.recv_kind("id").await;
        client.id = id.get("id").and_then(Value::as_f64).expect("numeric id") as u64;
        client
    }

    pub async fn send(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.ws.send(Message::text(text)).await.expect("send");
    }

    pub async fn send_username(&mut self, name: &str) {
        let frame = format!(
            r#"{{"type":"username","id":{},"name":"{name}","date":1700000000000}}"#,
            self.id
        );
        self.send(frame).await;
    }

    /// The next WebSocket message that is not a ping or pong; panics after [`DEADLINE`].
    pub async fn next(&mut self) -> Option<Result<Message, tungstenite::Error>> {
        loop {
            let next = tokio::time::timeout(DEADLINE, self.ws.next()).await;
            match next
                .unwrap_or_else(|_| panic!("{}: nothing arrived within {DEADLINE:?}", self.name))
            {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => return other,
            }
        }
    }

    /// The next text frame, parsed.
    pub async fn recv(&mut self) -> Value {
        match self.next().await {
            Some(Ok(Message::Text(text))) => parse(text.as_str()).expect("the relay sends JSON"),
            other => panic!("{}: expected a text frame, got {other:?}", self.name),
        }
    }

    pub async fn recv_kind(&mut self, kind: &str) -> Value {
        let v = self.recv().await;
        assert_eq!(
            v.get("type").and_then(Value::as_str),
            Some(kind),
            "{}: got {}",
            self.name,
            v.to_json()
        );
        v
    }

    /// Sends a marker to itself (a targeted unknown type) and asserts it is the very next
    /// frame: nothing else was queued for this client before it.
    pub async fn assert_nothing_pending(&mut self) {
        let marker = format!(r#"{{"type":"marker","target":"{}"}}"#, self.name);
        self.send(marker).await;
        let v = self.recv().await;
        assert_eq!(
            v.get("type").and_then(Value::as_str),
            Some("marker"),
            "{}: unexpected frame {}",
            self.name,
            v.to_json()
        );
    }

    /// Reads until the close frame, skipping text frames (e.g. user lists sent while others
    /// close); returns its code (None: closed without one).
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match self.next().await {
                Some(Ok(Message::Close(frame))) => {
                    // Read on so tungstenite sends our half of the close handshake.
                    while let Some(Ok(_)) = self.ws.next().await {}
                    return frame.map(|f: CloseFrame| u16::from(f.code));
                }
                Some(Ok(Message::Text(_))) => continue,
                Some(Ok(other)) => panic!("{}: expected a close, got {other:?}", self.name),
                Some(Err(e)) => panic!("{}: expected a close, got error {e}", self.name),
                None => return None,
            }
        }
    }
}

pub fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A plain HTTP/1.1 GET: (status, headers lower-cased, body).
pub async fn http_get(addr: SocketAddr, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A WebSocket handshake by hand; the stream is positioned after the 101 response.
pub async fn raw_ws(addr: SocketAddr, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: json\r\n\r\n",
        addr
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.expect("response");
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    stream
}

/// One client frame: FIN, `opcode`, masked (as clients must) unless `masked` is false.
pub fn frame(opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n < 65536 => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        let key = [0x12, 0x34, 0x56, 0x78];
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// Reads server frames until a close frame: its code (None: the stream ended without one).
pub async fn raw_close_code(stream: &mut TcpStream) -> Option<u16> {
    let read = async {
        loop {
            let mut head = [0u8; 2];
            stream.read_exact(&mut head).await.ok()?;
            let mut len = u64::from(head[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                stream.read_exact(&mut b).await.ok()?;
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                stream.read_exact(&mut b).await.ok()?;
                len = u64::from_be_bytes(b);
            }
            let mut payload = vec![0u8; len as usize];
            stream.read_exact(&mut payload).await.ok()?;
            if head[0] & 0x0f == 0x8 {
                return payload
                    .get(..2)
                    .map(|code| u16::from_be_bytes([code[0], code[1]]));
            }
        }
    };
    tokio::time::timeout(DEADLINE, read)
        .await
        .expect("the relay ends the connection")
}
