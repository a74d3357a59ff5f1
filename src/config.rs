//! The client's configuration, read once at mount (the page contract in docs/page.md).
//!
//! Priority, highest first: the page's query parameters, the `options` given to `mount`, the
//! JSON block `<script type="application/json" id="webrtc-chat-config">`, the root's `data-*`
//! attributes, then defaults (for signaling the page's own origin, or in a development build
//! the tutorial's `<page host>:6503`; the tutorial's TURN server).

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, RtcConfiguration, RtcIceTransportPolicy, UrlSearchParams};

/// How signaling frames travel.
pub(crate) enum TransportConfig {
    /// A WebSocket to this URL (subprotocol `json`).
    Socket { url: String },
    /// The host page carries the frames: we call `send(text)`; it calls `handleMessage(text)`.
    /// `connect()`, if given, is called when the client wants to connect (at login).
    Host {
        send: Function,
        connect: Option<Function>,
    },
}

/// What `new RTCPeerConnection(...)` gets.
#[derive(Clone)]
pub(crate) struct Ice {
    /// An array of `RTCIceServer`, passed through untouched.
    pub servers: JsValue,
    pub relay_only: bool,
}

impl Ice {
    pub fn rtc_configuration(&self) -> RtcConfiguration {
        let c = RtcConfiguration::new();
        c.set_ice_servers(&self.servers);
        if self.relay_only {
            c.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
        }
        c
    }

    /// Reads `{iceServers, iceTransportPolicy?}` (an `iceUrl` response, or a config object).
    pub fn from_object(v: &JsValue) -> Option<Ice> {
        let servers = get(v, "iceServers").filter(Array::is_array)?;
        Some(Ice {
            servers,
            relay_only: text(v, "iceTransportPolicy").as_deref() == Some("relay"),
        })
    }
}

/// Fetches `{iceServers, iceTransportPolicy?, ttl?}` from `url` (an `iceUrl`, or the relay's
/// `/ice-servers`, whose 404 means "no TURN offered"); `None` on any failure. With it, how many
/// seconds the credentials last (`ttl`), when the response says.
///
/// Plain `fetch` rather than gloo-net's http module: that one brings the `http` crate's
/// request types (and a panicking error conversion) into the bundle for this single GET.
pub(crate) async fn fetch_ice(url: &str) -> Option<(Ice, Option<u32>)> {
    let window = web_sys::window()?;
    // `fetch` resolves to a `Response`; taken unchecked (a page's stand-in that does not
    // would read as `ok: undefined`, refused below).
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .ok()?
        .unchecked_into();
    if !response.ok() {
        return None;
    }
    let json = JsFuture::from(response.json().ok()?).await.ok()?;
    let ttl = get(&json, "ttl")
        .and_then(|t| t.as_f64())
        .filter(|t| t.is_finite() && *t >= 0.0)
        .map(|t| t.min(f64::from(u32::MAX)) as u32);
    Some((Ice::from_object(&json)?, ttl))
}

pub(crate) struct Config {
    pub transport: TransportConfig,
    pub ice: Ice,
    /// Fetch `{iceServers, iceTransportPolicy?}` from here (time-limited TURN credentials).
    pub ice_url: Option<String>,
    /// `getUserMedia` constraints; `{audio: true, video: true}` when absent.
    pub constraints: Option<JsValue>,
    /// The relay room this page joins (`/signal/<room>`); shown on the page.
    pub room: Option<String>,
    /// Answer incoming calls at once (the tutorial's way) instead of letting them ring; `None`
    /// when not configured (the page decides: `app.rs`).
    pub auto_accept: Option<bool>,
    /// `lang` (`ko` or `en`): the page's language, instead of the browser's preference.
    pub lang: Option<chat_core::text::Lang>,
    /// Problems worth a console line (a malformed JSON block, say); never fatal.
    pub warnings: Vec<String>,
}

/// One configuration key under its three spellings.
struct Key {
    /// Query parameter and JSON/options member.
    name: &'static str,
    attr: &'static str,
}

const SIGNAL: Key = Key {
    name: "signal",
    attr: "data-signal",
};
const ICE_SERVERS: Key = Key {
    name: "iceServers",
    attr: "data-ice",
};
/// The query spelling of `iceServers`: the same JSON, URL-encoded.
const ICE_QUERY: &str = "ice";
const TURN: Key = Key {
    name: "turn",
    attr: "data-turn",
};
const TURN_USER: Key = Key {
    name: "turnUser",
    attr: "data-turn-user",
};
const TURN_PASS: Key = Key {
    name: "turnPass",
    attr: "data-turn-pass",
};
const POLICY: Key = Key {
    name: "iceTransportPolicy",
    attr: "data-ice-transport-policy",
};
const ICE_URL: Key = Key {
    name: "iceUrl",
    attr: "data-ice-url",
};
const ROOM: Key = Key {
    name: "room",
    attr: "data-room",
};
const TOKEN: Key = Key {
    name: "token",
    attr: "data-token",
};
const LANG: Key = Key {
    name: "lang",
    attr: "data-lang",
};
const AUTO_ACCEPT: Key = Key {
    name: "autoAccept",
    attr: "data-auto-accept",
};

/// One place configuration can come from.
enum Level<'a> {
    Query(&'a UrlSearchParams),
    Object(&'a JsValue),
    Attrs(&'a Element),
}

impl Level<'_> {
    fn text(&self, key: &Key) -> Option<String> {
        match self {
            Level::Query(q) => q.get(key.name),
            Level::Object(o) => text(o, key.name),
            Level::Attrs(e) => e.get_attribute(key.attr),
        }
        .filter(|s| !s.is_empty())
    }

    /// A yes/no key: `true` or `1` (a boolean in an object), `false` or `0`.
    fn flag(&self, key: &Key) -> Option<bool> {
        if let Level::Object(o) = self {
            if let Some(b) = get(o, key.name).and_then(|v| v.as_bool()) {
                return Some(b);
            }
        }
        match self.text(key)?.as_str() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        }
    }

    /// The ICE servers this level names: an `iceServers` array, or one `turn` server.
    fn ice_servers(&self, warnings: &mut Vec<String>) -> Option<JsValue> {
        let servers = match self {
            Level::Query(q) => q.get(ICE_QUERY).and_then(|s| parse_json(&s, warnings)),
            Level::Object(o) => get(o, ICE_SERVERS.name),
            Level::Attrs(e) => e
                .get_attribute(ICE_SERVERS.attr)
                .and_then(|s| parse_json(&s, warnings)),
        };
        if let Some(servers) = servers {
            if Array::is_array(&servers) {
                return Some(servers);
            }
            warnings.push("iceServers is not an array; ignored".into());
        }
        let turn = self.text(&TURN)?;
        let server = Object::new();
        set(&server, "urls", &turn.into());
        if let Some(user) = self.text(&TURN_USER) {
            set(&server, "username", &user.into());
        }
        if let Some(pass) = self.text(&TURN_PASS) {
            set(&server, "credential", &pass.into());
        }
        Some(Array::of1(&server).into())
    }
}

impl Config {
    /// Never fails: whatever is missing or malformed falls back to the next source.
    pub fn read(root: &Element, options: &JsValue) -> Config {
        Config::read_with(root, options, default_signal_url)
    }

    /// [`Config::read`] with another default signaling URL (for the tutorial's pages).
    fn read_with(
        root: &Element,
        options: &JsValue,
        default_signal: fn(Option<&web_sys::Location>) -> String,
    ) -> Config {
        let mut warnings = Vec::new();
        let window = web_sys::window();
        let location = window.as_ref().map(|w| w.location());
        let query = location
            .as_ref()
            .and_then(|l| l.search().ok())
            .and_then(|s| UrlSearchParams::new_with_str(&s).ok());
        let block = config_block(root)
            .and_then(|text| parse_json(&text, &mut warnings))
            .unwrap_or(JsValue::UNDEFINED);
        let options = if options.is_object() {
            options.clone()
        } else {
            JsValue::UNDEFINED
        };

        let mut levels = Vec::with_capacity(4);
        if let Some(q) = &query {
            levels.push(Level::Query(q));
        }
        levels.push(Level::Object(&options));
        levels.push(Level::Object(&block));
        levels.push(Level::Attrs(root));
        let first = |key: &Key| levels.iter().find_map(|l| l.text(key));

        let room = first(&ROOM);
        let token = first(&TOKEN);
        let transport = match function(&options, "send") {
            Some(send) => TransportConfig::Host {
                send,
                connect: function(&options, "connect"),
            },
            None => TransportConfig::Socket {
                url: with_token(
                    first(&SIGNAL).unwrap_or_else(|| {
                        let url = default_signal(location.as_ref());
                        match &room {
                            Some(room) => [&url, "/", &encode(room)].concat(),
                            None => url,
                        }
                    }),
                    token.as_deref(),
                ),
            },
        };
        let configured = levels.iter().find_map(|l| l.ice_servers(&mut warnings));
        let mut ice_url = first(&ICE_URL);
        if configured.is_none() && ice_url.is_none() {
            // Nothing named: ask the relay that served the page for time-limited TURN
            // credentials (a 404 there means "not offered": the default below stays).
            ice_url = relay_ice_url(location.as_ref(), token.as_deref());
        }
        let servers = configured.unwrap_or_else(|| default_ice_servers(location.as_ref()));
        let ice = Ice {
            servers,
            relay_only: first(&POLICY).as_deref() == Some("relay"),
        };
        let constraints = [&options, &block]
            .into_iter()
            .find_map(|o| get(o, "constraints").filter(JsValue::is_object));
        Config {
            auto_accept: levels.iter().find_map(|l| l.flag(&AUTO_ACCEPT)),
            ice_url,
            room,
            lang: first(&LANG).and_then(|l| chat_core::text::Lang::parse(&l)),
            transport,
            ice,
            constraints,
            warnings,
        }
    }
}

/// The signaling URL of the tutorial-compatible `connect` (src/compat/): the page contract's
/// `signal` as for `mount` (query, JSON block, `data-signal` on `<body>`), else the tutorial's
/// server, port 6503 on the page's host.
#[cfg(feature = "compat")]
pub(crate) fn compat_signal_url() -> String {
    let tutorial = |l: Option<&web_sys::Location>| ws_url(l, ":6503", "");
    let body = web_sys::window().and_then(|w| w.document()?.body());
    match body.map(|body| Config::read_with(&body, &JsValue::UNDEFINED, tutorial)) {
        Some(Config {
            transport: TransportConfig::Socket { url },
            ..
        }) => url,
        _ => tutorial(web_sys::window().map(|w| w.location()).as_ref()),
    }
}

/// `ws(s)://` (as the page is http or https) + the page's host + `port` + `path`: the page's
/// own origin when `port` is empty, else its host name with that port.
fn ws_url(location: Option<&web_sys::Location>, port: &str, path: &str) -> String {
    let secure = location.and_then(|l| l.protocol().ok()).as_deref() == Some("https:");
    let host = location.and_then(|l| {
        if port.is_empty() {
            l.host()
        } else {
            l.hostname()
        }
        .ok()
    });
    let host = host.filter(|h| !h.is_empty() || port.is_empty());
    let scheme = if secure { "wss://" } else { "ws://" };
    [scheme, host.as_deref().unwrap_or("localhost"), port, path].concat()
}

/// Whether `room` is a name the relay accepts: letters, digits, `-`, `_`; 1 to 64 of them.
pub(crate) fn valid_room(room: &str) -> bool {
    !room.is_empty()
        && room.len() <= 64
        && room
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// `url` with `token=<token>` added to its query (the relay reads it before the socket opens).
fn with_token(url: String, token: Option<&str>) -> String {
    match token {
        Some(token) => {
            let sep = if url.contains('?') { "&" } else { "?" };
            [&url, sep, "token=", &encode(token)].concat()
        }
        None => url,
    }
}

/// The relay's `GET /ice-servers` on the page's origin (with the token when there is one).
fn relay_ice_url(location: Option<&web_sys::Location>, token: Option<&str>) -> Option<String> {
    let origin = location?.origin().ok().filter(|o| o.starts_with("http"))?;
    Some(with_token([&origin, "/ice-servers"].concat(), token))
}

/// Where a development build's page finds the relay: its default port, on the page's host.
pub(crate) const DEV_SIGNAL_PORT: &str = "6503";

/// A release build: the page's own origin (the relay serves page and socket on one port), with
/// the ws/wss scheme and path `/signal`. A development build (`trunk serve`, whose dev server
/// is on another port): the relay's default port on the page's host, as the tutorial's own
/// page does. Not through Trunk's `[[proxy]] ws = true`: Trunk 0.21 forwards the upgrade but
/// not the subprotocol the relay chose, and browsers then refuse a socket that asked for `json`.
fn default_signal_url(location: Option<&web_sys::Location>) -> String {
    if cfg!(debug_assertions) {
        ws_url(location, &[":", DEV_SIGNAL_PORT].concat(), "/signal")
    } else {
        ws_url(location, "", "/signal")
    }
}

/// The tutorial's: one TURN server on the web server's host.
fn default_ice_servers(location: Option<&web_sys::Location>) -> JsValue {
    let host = location.and_then(|l| l.hostname().ok()).unwrap_or_default();
    if host.is_empty() {
        return Array::new().into();
    }
    let server = Object::new();
    set(&server, "urls", &["turn:", &host].concat().into());
    set(&server, "username", &"webrtc".into());
    set(&server, "credential", &"turnserver".into());
    Array::of1(&server).into()
}

/// The text of the JSON config block: inside the root first (one per client), else the page's.
fn config_block(root: &Element) -> Option<String> {
    const SELECTOR: &str = "script#webrtc-chat-config";
    let block = root.query_selector(SELECTOR).ok().flatten().or_else(|| {
        root.owner_document()?
            .query_selector(SELECTOR)
            .ok()
            .flatten()
    })?;
    block.text_content()
}

fn parse_json(text: &str, warnings: &mut Vec<String>) -> Option<JsValue> {
    match JSON::parse(text) {
        Ok(v) => Some(v),
        Err(_) => {
            warnings.push("webrtc-chat: ignoring configuration that is not valid JSON".into());
            None
        }
    }
}

/// A member of an object; `None` for a non-object, a missing member, `undefined` or `null`.
pub(crate) fn get(v: &JsValue, key: &str) -> Option<JsValue> {
    if !v.is_object() {
        return None;
    }
    Reflect::get(v, &JsValue::from_str(key))
        .ok()
        .filter(|x| !x.is_undefined() && !x.is_null())
}

/// A function member: `typeof` it is `"function"` (no `instanceof Function`, an import of its
/// own; a function from another frame counts too).
pub(crate) fn function(v: &JsValue, key: &str) -> Option<Function> {
    get(v, key)
        .filter(JsValue::is_function)
        .map(JsCast::unchecked_into)
}

fn text(v: &JsValue, key: &str) -> Option<String> {
    get(v, key)?.as_string()
}

fn set(o: &Object, key: &str, value: &JsValue) {
    // Cannot fail on a fresh plain object.
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn root(attrs: &[(&str, &str)], block: Option<&str>) -> Element {
        let doc = web_sys::window().unwrap().document().unwrap();
        let root = doc.create_element("div").unwrap();
        for (k, v) in attrs {
            root.set_attribute(k, v).unwrap();
        }
        if let Some(json) = block {
            let script = doc.create_element("script").unwrap();
            script.set_attribute("type", "application/json").unwrap();
            script.set_id("webrtc-chat-config");
            script.set_text_content(Some(json));
            root.append_child(&script).unwrap();
        }
        root
    }

    fn json(s: &str) -> JsValue {
        JSON::parse(s).unwrap()
    }

    fn url(c: &Config) -> String {
        match &c.transport {
            TransportConfig::Socket { url } => url.clone(),
            TransportConfig::Host { .. } => panic!("host transport"),
        }
    }

    fn servers(c: &Config) -> String {
        JSON::stringify(&c.ice.servers).unwrap().into()
    }

    #[wasm_bindgen_test]
    fn defaults_are_the_pages_origin_and_the_tutorials_turn() {
        let c = Config::read(&root(&[], None), &JsValue::UNDEFINED);
        let loc = web_sys::window().unwrap().location();
        // These tests run in a development build: the relay's port on the page's host.
        let want = if cfg!(debug_assertions) {
            format!("ws://{}:{DEV_SIGNAL_PORT}/signal", loc.hostname().unwrap())
        } else {
            format!("ws://{}/signal", loc.host().unwrap())
        };
        assert_eq!(url(&c), want);
        assert_eq!(
            servers(&c),
            format!(
                r#"[{{"urls":"turn:{}","username":"webrtc","credential":"turnserver"}}]"#,
                loc.hostname().unwrap()
            )
        );
        assert!(!c.ice.relay_only);
        // Nothing configured: ask the relay that served the page (a 404 keeps the above).
        assert_eq!(
            c.ice_url,
            Some(format!("{}/ice-servers", loc.origin().unwrap()))
        );
        assert!(c.room.is_none() && c.constraints.is_none() && c.warnings.is_empty());
    }

    #[wasm_bindgen_test]
    fn room_and_token_go_into_the_signaling_and_ice_urls() {
        let loc = web_sys::window().unwrap().location();
        let c = Config::read(
            &root(&[("data-room", "team-42"), ("data-token", "a.b+c")], None),
            &JsValue::UNDEFINED,
        );
        assert_eq!(c.room.as_deref(), Some("team-42"));
        let base = default_signal_url(Some(&loc));
        assert_eq!(url(&c), format!("{base}/team-42?token=a.b%2Bc"));
        assert_eq!(
            c.ice_url,
            Some(format!(
                "{}/ice-servers?token=a.b%2Bc",
                loc.origin().unwrap()
            ))
        );
        // An explicit `signal` is used as it is (the token still goes along); an explicit
        // ICE setting means no fetch from the relay.
        let c = Config::read(
            &root(&[], None),
            &json(r#"{"room":"r","token":"t","signal":"ws://x/s?a=1","turn":"turn:y"}"#),
        );
        assert_eq!(url(&c), "ws://x/s?a=1&token=t");
        assert!(c.ice_url.is_none());
    }

    #[wasm_bindgen_test]
    fn room_names_are_checked_as_the_relay_does() {
        assert!(valid_room("team-42_B"));
        assert!(valid_room(&"a".repeat(64)));
        assert!(!valid_room(&"a".repeat(65)));
        assert!(!valid_room(""));
        assert!(!valid_room("no spaces"));
        assert!(!valid_room("é"));
        assert!(!valid_room("a/b"));
    }

    #[wasm_bindgen_test]
    fn options_beat_the_json_block_which_beats_data_attributes() {
        let attrs = [
            ("data-signal", "ws://attr/"),
            ("data-turn", "turn:attr"),
            ("data-ice-url", "/attr-ice"),
        ];
        let c = Config::read(&root(&attrs, None), &JsValue::UNDEFINED);
        assert_eq!(url(&c), "ws://attr/");
        assert_eq!(servers(&c), r#"[{"urls":"turn:attr"}]"#);
        assert_eq!(c.ice_url.as_deref(), Some("/attr-ice"));

        let block = r#"{"signal":"ws://block/","iceServers":[{"urls":"stun:block"}],"iceTransportPolicy":"relay"}"#;
        let c = Config::read(&root(&attrs, Some(block)), &JsValue::UNDEFINED);
        assert_eq!(url(&c), "ws://block/");
        assert_eq!(servers(&c), r#"[{"urls":"stun:block"}]"#);
        assert!(c.ice.relay_only);
        assert_eq!(c.ice_url.as_deref(), Some("/attr-ice"));

        let options = json(
            r#"{"signal":"ws://opt/","turn":"turn:opt","turnUser":"u","turnPass":"p","constraints":{"audio":true}}"#,
        );
        let c = Config::read(&root(&attrs, Some(block)), &options);
        assert_eq!(url(&c), "ws://opt/");
        assert_eq!(
            servers(&c),
            r#"[{"urls":"turn:opt","username":"u","credential":"p"}]"#
        );
        assert!(c.constraints.is_some());
    }

    #[wasm_bindgen_test]
    fn malformed_configuration_falls_through_with_a_warning() {
        let c = Config::read(
            &root(
                &[("data-ice", "[not json"), ("data-signal", "ws://attr/")],
                Some("{oops"),
            ),
            &json(r#"{"iceServers":"nope","signal":5}"#),
        );
        assert_eq!(url(&c), "ws://attr/");
        assert!(
            servers(&c).starts_with(r#"[{"urls":"turn:"#),
            "{}",
            servers(&c)
        );
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
    }

    #[wasm_bindgen_test]
    fn a_send_function_selects_the_host_transport() {
        let options = json("{}");
        let send = js_sys::Function::new_with_args("text", "");
        Reflect::set(&options, &"send".into(), &send).unwrap();
        let c = Config::read(&root(&[], None), &options);
        assert!(matches!(
            c.transport,
            TransportConfig::Host { connect: None, .. }
        ));
    }
}
