//! Command-line flags and `RELAY_*` environment variables (a flag wins over its variable),
//! through clap: `relay --help` lists every flag with its variable and default.

use std::path::PathBuf;
use std::time::Duration;

use chat_protocol::MAX_FRAME_BYTES;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::limit::Rate;
use crate::room::Limits;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:6503";
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Frames smaller than this could not even carry a login with a long name.
pub const MIN_FRAME_BYTES: usize = 1024;

/// What the server runs with. Tests build it directly; `relay` builds it from [`Cli`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `host:port`; port 0 picks a free port.
    pub listen: String,
    pub static_dir: Option<PathBuf>,
    /// Normalized origins (see [`normalize_origin`]); empty: any origin.
    pub allow_origins: Vec<String>,
    pub limits: Limits,
    pub max_connections: usize,
    pub log: LogLevel,
    /// With one, every WebSocket needs a join token signed with it (HS256).
    pub token_secret: Option<String>,
    /// With it, `GET /ice-servers` hands out time-limited TURN credentials.
    pub turn: Option<TurnConfig>,
    /// Connections from one IP address at once (0: no limit).
    pub max_connections_per_ip: usize,
    /// Deadline for a request's headers (also for a connection that sends nothing).
    pub header_timeout: Duration,
    /// Deadline for a WebSocket's `username` message.
    pub login_timeout: Duration,
    /// After SIGTERM/SIGINT, how long connections get to close before the relay exits.
    pub shutdown_grace: Duration,
    /// With one (`redis://host:port`), the relay joins the other relays on that Redis
    /// (docs/scale-out.md): client ids unique across nodes, health on `/healthz`.
    pub redis: Option<String>,
}

pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
pub const DEFAULT_LOGIN_TIMEOUT_SECS: u64 = 10;
pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnConfig {
    /// coturn's `static-auth-secret`.
    pub secret: String,
    pub urls: Vec<String>,
    /// Seconds the credentials stay valid.
    pub ttl: u64,
}

pub const DEFAULT_TURN_TTL: u64 = 86_400;

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: DEFAULT_LISTEN.into(),
            static_dir: None,
            allow_origins: Vec::new(),
            limits: Limits::default(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            log: LogLevel::Info,
            token_secret: None,
            turn: None,
            redis: None,
            max_connections_per_ip: 0,
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            login_timeout: Duration::from_secs(DEFAULT_LOGIN_TIMEOUT_SECS),
            shutdown_grace: Duration::from_secs(DEFAULT_SHUTDOWN_GRACE_SECS),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event, fields as `key=value`.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// `relay [OPTIONS] [COMMAND]`: without a command, serve.
#[derive(Debug, Parser)]
#[command(
    name = "relay",
    version,
    about = "Signaling relay for webrtc-chat (MDN webrtc-from-chat protocol) and static file server",
    long_about = "Signaling relay for webrtc-chat (MDN webrtc-from-chat protocol) and static file \
                  server.\n\nWebSocket (subprotocol \"json\" required) on / or /signal (the \
                  default room) and /signal/ROOM; other requests get the static files. Each \
                  option can also be set from the environment variable shown; the flag wins.",
    after_help = "SIGINT (Ctrl-C) or SIGTERM: close every socket (1001) and exit 0."
)]
pub struct Cli {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a join token (needs --token-secret or RELAY_TOKEN_SECRET), for operators'
    /// scripts; a host's backend mints the same JWT (HS256, claims room, name, exp).
    Token {
        /// The room it admits to (`default`: the room of / and /signal).
        #[arg(long, value_name = "ROOM")]
        room: String,
        /// The name its holder gets in that room.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Seconds until it expires.
        #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
        ttl: u64,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Address to listen on, host:port (port 0: any free port).
    #[arg(long, env = "RELAY_LISTEN", value_name = "ADDR", default_value = DEFAULT_LISTEN,
          value_parser = non_empty)]
    pub listen: String,

    /// Serve this directory over HTTP (index.html at /); without it, / says no page is built.
    #[arg(long = "static", env = "RELAY_STATIC", value_name = "DIR")]
    pub static_dir: Option<PathBuf>,

    /// Accept WebSockets only from this page origin, e.g. https://chat.example.org; repeatable
    /// and comma-separated; others get 403. `*` or none: any origin.
    #[arg(
        long = "allow-origin",
        env = "RELAY_ALLOW_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,

    /// Largest message accepted, 1024..=65536; larger ones get an error reply, over 4 times
    /// larger ones end the connection.
    #[arg(long, env = "RELAY_MAX_FRAME_BYTES", value_name = "N", default_value_t = MAX_FRAME_BYTES,
          value_parser = frame_bytes)]
    pub max_frame_bytes: usize,

    /// Largest user list sent, 1024..=65536 (clients refuse larger frames): a login whose
    /// name would make its room's list larger is refused, on one relay or across relays.
    #[arg(long, env = "RELAY_MAX_LIST_BYTES", value_name = "N", default_value_t = MAX_FRAME_BYTES,
          value_parser = frame_bytes)]
    pub max_list_bytes: usize,

    /// Messages per second per connection; excess gets an error reply and is dropped.
    #[arg(long, env = "RELAY_MAX_RATE", value_name = "N", default_value_t = 50.0,
          value_parser = positive_rate)]
    pub max_rate: f64,

    /// Messages a connection may send at once; after this many more refused ones it is
    /// closed (1008).
    #[arg(long, env = "RELAY_BURST", value_name = "N", default_value_t = 200,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub burst: u32,

    /// Connections at once, WebSocket or plain HTTP; more get 503.
    #[arg(long, env = "RELAY_MAX_CONNECTIONS", value_name = "N",
          default_value_t = DEFAULT_MAX_CONNECTIONS, value_parser = at_least_one)]
    pub max_connections: usize,

    /// Require a join token on every WebSocket (`?token=`, a JWT signed HS256 with this
    /// secret, claims room, name, exp): without a valid one the upgrade gets 401; with one, the
    /// client gets exactly the token's name. Use 32 random bytes or more.
    #[arg(
        long,
        env = "RELAY_TOKEN_SECRET",
        value_name = "SECRET",
        global = true,
        hide_env_values = true
    )]
    pub token_secret: Option<String>,

    /// Serve time-limited TURN credentials at GET /ice-servers, signed with this secret:
    /// coturn's `static-auth-secret` (run it with `use-auth-secret`). Needs --turn-urls.
    #[arg(
        long,
        env = "RELAY_TURN_SECRET",
        value_name = "SECRET",
        requires = "turn_urls",
        hide_env_values = true
    )]
    pub turn_secret: Option<String>,

    /// The TURN server URLs the credentials are for, comma-separated, e.g.
    /// turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349.
    #[arg(
        long,
        env = "RELAY_TURN_URLS",
        value_name = "URLS",
        value_delimiter = ',',
        requires = "turn_secret"
    )]
    pub turn_urls: Vec<String>,

    /// Seconds the TURN credentials stay valid (coturn refuses them afterwards, also for
    /// refreshing a running call's allocation, so keep it longer than a call).
    #[arg(long, env = "RELAY_TURN_TTL", value_name = "SECONDS", default_value_t = DEFAULT_TURN_TTL,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub turn_ttl: u64,

    /// Connections at once from one IP address; more get 429. 0: no limit. Behind a reverse
    /// proxy every client has the proxy's address: leave it at 0 and limit in the proxy.
    #[arg(
        long,
        env = "RELAY_MAX_CONNECTIONS_PER_IP",
        value_name = "N",
        default_value_t = 0
    )]
    pub max_connections_per_ip: usize,

    /// Seconds a client has to send a request's headers (a connection that sends nothing is
    /// closed after this too).
    #[arg(long, env = "RELAY_HEADER_TIMEOUT", value_name = "SECONDS",
          default_value_t = DEFAULT_HEADER_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,

    /// Seconds a WebSocket has to send its `username` message; then it is closed (1008).
    #[arg(long, env = "RELAY_LOGIN_TIMEOUT", value_name = "SECONDS",
          default_value_t = DEFAULT_LOGIN_TIMEOUT_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub login_timeout: u64,

    /// Seconds connections get to close after SIGTERM/SIGINT before the relay exits anyway.
    #[arg(long, env = "RELAY_SHUTDOWN_GRACE", value_name = "SECONDS",
          default_value_t = DEFAULT_SHUTDOWN_GRACE_SECS)]
    pub shutdown_grace: u64,

    /// Redis URL (`redis://[:password@]host:port/db`) shared by the relays serving the same
    /// rooms behind a load balancer (docs/scale-out.md). Without it the relay stands alone.
    #[arg(long, env = "RELAY_REDIS", value_name = "URL", value_parser = non_empty)]
    pub redis: Option<String>,

    /// Log level on stderr.
    #[arg(long, env = "RELAY_LOG", value_name = "LEVEL", value_enum, default_value_t = LogLevel::Info)]
    pub log: LogLevel,

    /// Log format on stderr.
    #[arg(long, env = "RELAY_LOG_FORMAT", value_name = "FORMAT", value_enum,
          default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl RunArgs {
    pub fn config(&self) -> Config {
        let mut allow_origins: Vec<String> = Vec::new();
        for origin in self.allow_origins.iter().map(|o| normalize_origin(o)) {
            if !origin.is_empty() && !allow_origins.contains(&origin) {
                allow_origins.push(origin);
            }
        }
        // `*` means any origin, the default.
        if allow_origins.iter().any(|o| o == "*") {
            allow_origins.clear();
        }
        Config {
            listen: self.listen.trim().to_owned(),
            static_dir: self.static_dir.clone(),
            allow_origins,
            limits: Limits {
                max_frame_bytes: self.max_frame_bytes,
                max_list_bytes: self.max_list_bytes,
                rate: Rate {
                    per_sec: self.max_rate,
                    burst: self.burst,
                },
            },
            max_connections: self.max_connections,
            log: self.log,
            token_secret: self.token_secret.clone(),
            turn: self.turn_secret.as_ref().map(|secret| TurnConfig {
                secret: secret.clone(),
                urls: self
                    .turn_urls
                    .iter()
                    .map(|u| u.trim().to_owned())
                    .filter(|u| !u.is_empty())
                    .collect(),
                ttl: self.turn_ttl,
            }),
            max_connections_per_ip: self.max_connections_per_ip,
            header_timeout: Duration::from_secs(self.header_timeout),
            login_timeout: Duration::from_secs(self.login_timeout),
            shutdown_grace: Duration::from_secs(self.shutdown_grace),
            redis: self.redis.clone(),
        }
    }
}

fn non_empty(value: &str) -> Result<String, String> {
    match value.trim() {
        "" => Err("empty address".into()),
        v => Ok(v.to_owned()),
    }
}

fn number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a valid number"))
}

fn frame_bytes(value: &str) -> Result<usize, String> {
    let n: usize = number(value)?;
    if !(MIN_FRAME_BYTES..=MAX_FRAME_BYTES).contains(&n) {
        return Err(format!(
            "{n} is outside {MIN_FRAME_BYTES}..={MAX_FRAME_BYTES} (clients refuse larger frames)"
        ));
    }
    Ok(n)
}

fn positive_rate(value: &str) -> Result<f64, String> {
    let n: f64 = number(value)?;
    if !(n.is_finite() && n > 0.0) {
        return Err(format!("{value} is not a positive rate"));
    }
    Ok(n)
}

fn at_least_one(value: &str) -> Result<usize, String> {
    match number(value)? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

/// An origin as browsers send it (`scheme://host[:port]`, lower case, no path): what
/// `--allow-origin` values and `Origin` headers are compared as.
pub fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    //! The environment half of each flag is tested on the binary (tests/binary.rs): clap reads
    //! the process's environment, which parallel unit tests must not change.
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("relay").chain(args.iter().copied()))
    }

    fn run(args: &[&str]) -> Config {
        match parse(args) {
            Ok(cli) => cli.run.config(),
            Err(e) => panic!("expected a config, got {e}"),
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let c = run(&[]);
        assert_eq!(c, Config::default());
        assert_eq!(c.listen, "127.0.0.1:6503");
        assert_eq!(c.limits.max_frame_bytes, MAX_FRAME_BYTES);
        assert_eq!(c.limits.max_list_bytes, MAX_FRAME_BYTES);
        assert_eq!(
            c.limits.rate,
            Rate {
                per_sec: 50.0,
                burst: 200
            }
        );
        assert!(c.allow_origins.is_empty());
    }

    #[test]
    fn flags_in_both_forms() {
        let c = run(&[
            "--listen",
            "0.0.0.0:80",
            "--static=dist",
            "--max-frame-bytes",
            "2048",
            "--max-list-bytes=4096",
            "--max-rate=2.5",
            "--burst",
            "7",
            "--max-connections",
            "3",
            "--log",
            "debug",
        ]);
        assert_eq!(c.listen, "0.0.0.0:80");
        assert_eq!(c.static_dir, Some(PathBuf::from("dist")));
        assert_eq!(c.limits.max_frame_bytes, 2048);
        assert_eq!(c.limits.max_list_bytes, 4096);
        assert_eq!(
            c.limits.rate,
            Rate {
                per_sec: 2.5,
                burst: 7
            }
        );
        assert_eq!(c.max_connections, 3);
        assert_eq!(c.log, LogLevel::Debug);
    }

    #[test]
    fn origins_repeat_split_and_normalize() {
        let c = run(&[
            "--allow-origin",
            "http://x",
            "--allow-origin=HTTP://Y/,http://z",
        ]);
        assert_eq!(c.allow_origins, ["http://x", "http://y", "http://z"]);
        assert!(run(&["--allow-origin", "http://x,*"])
            .allow_origins
            .is_empty());
    }

    #[test]
    fn turn_needs_secret_and_urls() {
        let c = run(&[
            "--turn-secret",
            "s",
            "--turn-urls",
            "turn:a:3478, turns:b:5349",
        ]);
        assert_eq!(
            c.turn,
            Some(TurnConfig {
                secret: "s".into(),
                urls: vec!["turn:a:3478".into(), "turns:b:5349".into()],
                ttl: DEFAULT_TURN_TTL
            })
        );
        assert!(parse(&["--turn-secret", "s"]).is_err());
        assert!(parse(&["--turn-urls", "turn:a"]).is_err());
        assert!(parse(&[
            "--turn-secret",
            "s",
            "--turn-urls",
            "turn:a",
            "--turn-ttl",
            "0"
        ])
        .is_err());
    }

    #[test]
    fn help_and_version() {
        for flag in ["--help", "-h", "-V", "--version"] {
            let e = parse(&[flag]).expect_err("help and version stop parsing");
            assert_eq!(e.exit_code(), 0, "{flag}");
        }
        let text = Cli::command().render_long_help().to_string();
        for word in [
            "--listen",
            "RELAY_LISTEN",
            "--allow-origin",
            "RELAY_LOG",
            "SIGTERM",
        ] {
            assert!(text.contains(word), "{word}: {text}");
        }
    }

    #[test]
    fn bad_input_is_an_error_naming_the_source() {
        let cases: [(&[&str], &str); 10] = [
            (&["--nope"], "--nope"),
            (&["stray"], "stray"),
            (&["--listen"], "--listen"),
            (&["--max-frame-bytes", "100"], "outside"),
            (&["--max-frame-bytes", "70000"], "outside"),
            (&["--max-list-bytes", "100"], "outside"),
            (&["--max-rate", "0"], "positive"),
            (&["--max-rate", "NaN"], "positive"),
            (&["--burst", "-1"], "-1"),
            (&["--log", "loud"], "loud"),
        ];
        for (args, want) in cases {
            match parse(args) {
                Err(e) => {
                    let text = e.to_string();
                    assert!(text.contains(want), "{args:?}: {text}");
                    assert_eq!(e.exit_code(), 2);
                }
                Ok(cli) => panic!("{args:?}: expected an error, got {cli:?}"),
            }
        }
        assert!(parse(&["--max-connections", "0"]).is_err());
    }
}
