//! How frames reach the server: our own WebSocket, or the host page's `send` / `connect`
//! (the host transport of `mount`). The executor only asks to connect and to send.

use chat_core::Input;
use wasm_bindgen::JsValue;

use crate::config::TransportConfig;
use crate::error::JsError;
use crate::log::log;
use crate::queue::Inbox;
use crate::signaling::Socket;

pub(crate) struct Transport {
    config: TransportConfig,
    /// The open (or opening) socket, with the socket transport.
    socket: Option<Socket>,
}

impl Transport {
    pub fn new(config: TransportConfig) -> Transport {
        Transport {
            config,
            socket: None,
        }
    }

    /// Opens the connection; its opening and closing come back as inputs.
    pub fn connect(&mut self, inbox: &Inbox) {
        self.socket = None;
        match &self.config {
            TransportConfig::Socket { url } => match Socket::open(url, inbox) {
                Ok(socket) => self.socket = Some(socket),
                Err(e) => {
                    log(&["webrtc-chat: cannot open ", url, ": ", &e.text()].concat());
                    inbox.input(Input::SocketClosed);
                }
            },
            TransportConfig::Host { connect, .. } => {
                // Open first: the host may deliver frames (the server's `id`) from inside
                // `connect()`, and they must come after `SocketOpen`.
                inbox.input(Input::SocketOpen);
                if let Some(Err(e)) = connect.as_ref().map(|f| f.call0(&JsValue::NULL)) {
                    log(&["webrtc-chat: connect failed: ", &JsError::from(e).text()].concat());
                    inbox.input(Input::SocketClosed);
                }
            }
        }
    }

    /// The socket is gone: drop its listeners now rather than at the next connect.
    pub fn closed(&mut self) {
        self.socket = None;
    }

    pub fn send(&self, text: &str) -> Result<(), JsError> {
        match &self.config {
            TransportConfig::Host { send, .. } => send
                .call1(&JsValue::NULL, &JsValue::from_str(text))
                .map(drop)
                .map_err(JsError::from),
            TransportConfig::Socket { .. } => match &self.socket {
                Some(socket) => socket.send(text),
                None => Err(JsError {
                    name: "InvalidStateError".into(),
                    message: "not connected".into(),
                }),
            },
        }
    }
}
