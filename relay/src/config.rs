//! Command-line flags and `RELAY_*` environment variables (a flag wins over its variable).

use std::fmt;
use std::path::PathBuf;

use chat_protocol::MAX_FRAME_BYTES;

use crate::limit::Rate;
use crate::log::Level;
use crate::room::Limits;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:6503";
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Frames smaller than this could not even carry a login with a long name.
pub const MIN_FRAME_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `host:port`; port 0 picks a free port.
    pub listen: String,
    pub static_dir: Option<PathBuf>,
    /// Normalized origins (see [`normalize_origin`]); empty: any origin.
    pub allow_origins: Vec<String>,
    pub limits: Limits,
    pub max_connections: usize,
    pub log: Level,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: DEFAULT_LISTEN.into(),
            static_dir: None,
            allow_origins: Vec::new(),
            limits: Limits::default(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            log: Level::Info,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Run(Config),
    Help,
    Version,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Listen,
    Static,
    AllowOrigin,
    MaxFrameBytes,
    MaxRate,
    Burst,
    MaxConnections,
    Log,
}

struct Opt {
    key: Key,
    flag: &'static str,
    env: &'static str,
    metavar: &'static str,
    help: &'static str,
}

const OPTS: [Opt; 8] = [
    Opt {
        key: Key::Listen,
        flag: "--listen",
        env: "RELAY_LISTEN",
        metavar: "ADDR",
        help: "address to listen on, host:port (port 0: any free port) [default: 127.0.0.1:6503]",
    },
    Opt {
        key: Key::Static,
        flag: "--static",
        env: "RELAY_STATIC",
        metavar: "DIR",
        help:
            "serve this directory over HTTP (index.html at /); without it, / says no page is built",
    },
    Opt {
        key: Key::AllowOrigin,
        flag: "--allow-origin",
        env: "RELAY_ALLOW_ORIGIN",
        metavar: "ORIGIN",
        help: "accept WebSockets only from this page origin, e.g. https://chat.example.org; \
               repeatable and comma-separated; others get 403 [default: any origin]",
    },
    Opt {
        key: Key::MaxFrameBytes,
        flag: "--max-frame-bytes",
        env: "RELAY_MAX_FRAME_BYTES",
        metavar: "N",
        help: "largest message accepted, 1024..=65536; larger ones get an error reply, \
               over 4 times larger ones end the connection [default: 65536]",
    },
    Opt {
        key: Key::MaxRate,
        flag: "--max-rate",
        env: "RELAY_MAX_RATE",
        metavar: "N",
        help: "messages per second per connection; excess gets an error reply and is dropped \
               [default: 50]",
    },
    Opt {
        key: Key::Burst,
        flag: "--burst",
        env: "RELAY_BURST",
        metavar: "N",
        help: "messages a connection may send at once; after this many more refused ones \
               it is closed (1008) [default: 200]",
    },
    Opt {
        key: Key::MaxConnections,
        flag: "--max-connections",
        env: "RELAY_MAX_CONNECTIONS",
        metavar: "N",
        help: "WebSocket connections at once; more get 503 [default: 1024]",
    },
    Opt {
        key: Key::Log,
        flag: "--log",
        env: "RELAY_LOG",
        metavar: "LEVEL",
        help: "stderr logging: off, error, warn, info or debug [default: info]",
    },
];

/// The `--help` text.
pub fn help() -> String {
    let mut out = String::from(
        "relay: signaling relay for webrtc-chat (MDN webrtc-from-chat protocol) and static file server\n\
         \n\
         Usage: relay [OPTIONS]\n\
         \n\
         WebSocket on any path (subprotocol \"json\" required); other requests get the static files.\n\
         Each option can also be set from the environment variable shown; the flag wins.\n\
         \n\
         Options:\n",
    );
    for opt in &OPTS {
        let head = format!("  {} {}", opt.flag, opt.metavar);
        push_wrapped(&mut out, &head, opt.help);
        push_wrapped(&mut out, "", &format!("[env: {}]", opt.env));
    }
    push_wrapped(&mut out, "  -h, --help", "print this help");
    push_wrapped(&mut out, "  -V, --version", "print the version");
    out.push_str("\nSIGINT (Ctrl-C) or SIGTERM: close every socket (1001) and exit 0.\n");
    out
}

/// `head` in a 28-column gutter, `text` word-wrapped to 100 columns beside it.
fn push_wrapped(out: &mut String, head: &str, text: &str) {
    const GUTTER: usize = 28;
    const WIDTH: usize = 100;
    let mut line = format!("{head:<GUTTER$}");
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.len() + 1 + word.len() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(GUTTER);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
}

impl Config {
    /// Reads the environment (through `env`, so tests need not touch the process's), then
    /// `args` (without the program name).
    pub fn parse<I, E>(args: I, env: E) -> Result<Command, ConfigError>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let mut config = Config::default();
        for opt in &OPTS {
            if let Some(value) = env(opt.env).filter(|v| !v.trim().is_empty()) {
                config
                    .set(opt.key, &value)
                    .map_err(|e| ConfigError(format!("{}: {e}", opt.env)))?;
            }
        }
        // Origins from flags replace those from the environment rather than adding to them.
        let mut flag_origins = false;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "-h" | "--help" => return Ok(Command::Help),
                "-V" | "--version" => return Ok(Command::Version),
                _ => {}
            }
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let Some(opt) = OPTS.iter().find(|o| o.flag == flag) else {
                return Err(ConfigError(format!(
                    "unexpected argument {arg:?} (see --help)"
                )));
            };
            let value = match inline.or_else(|| args.next()) {
                Some(value) => value,
                None => {
                    return Err(ConfigError(format!(
                        "{flag} needs a value ({})",
                        opt.metavar
                    )))
                }
            };
            if opt.key == Key::AllowOrigin && !flag_origins {
                flag_origins = true;
                config.allow_origins.clear();
            }
            config
                .set(opt.key, &value)
                .map_err(|e| ConfigError(format!("{flag}: {e}")))?;
        }
        Ok(Command::Run(config))
    }

    fn set(&mut self, key: Key, value: &str) -> Result<(), String> {
        let value = value.trim();
        match key {
            Key::Listen => {
                if value.is_empty() {
                    return Err("empty address".into());
                }
                self.listen = value.to_owned();
            }
            Key::Static => self.static_dir = Some(PathBuf::from(value)),
            Key::AllowOrigin => {
                for origin in value.split(',').map(normalize_origin) {
                    if origin.is_empty() {
                        continue;
                    }
                    if !self.allow_origins.contains(&origin) {
                        self.allow_origins.push(origin);
                    }
                }
                // `*` means any origin, the default.
                if self.allow_origins.iter().any(|o| o == "*") {
                    self.allow_origins.clear();
                }
            }
            Key::MaxFrameBytes => {
                let n: usize = number(value)?;
                if !(MIN_FRAME_BYTES..=MAX_FRAME_BYTES).contains(&n) {
                    return Err(format!(
                        "{n} is outside {MIN_FRAME_BYTES}..={MAX_FRAME_BYTES} (clients refuse larger frames)"
                    ));
                }
                self.limits.max_frame_bytes = n;
            }
            Key::MaxRate => {
                let n: f64 = number(value)?;
                if !(n.is_finite() && n > 0.0) {
                    return Err(format!("{value} is not a positive rate"));
                }
                self.limits.rate = Rate {
                    per_sec: n,
                    ..self.limits.rate
                };
            }
            Key::Burst => {
                let n: u32 = number(value)?;
                if n == 0 {
                    return Err("must be at least 1".into());
                }
                self.limits.rate = Rate {
                    burst: n,
                    ..self.limits.rate
                };
            }
            Key::MaxConnections => {
                let n: usize = number(value)?;
                if n == 0 {
                    return Err("must be at least 1".into());
                }
                self.max_connections = n;
            }
            Key::Log => {
                self.log = Level::parse(value).ok_or_else(|| {
                    format!("{value:?} is not one of off, error, warn, info, debug")
                })?;
            }
        }
        Ok(())
    }
}

fn number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{value:?} is not a valid number"))
}

/// An origin as browsers send it (`scheme://host[:port]`, lower case, no path): what
/// `--allow-origin` values and `Origin` headers are compared as.
pub fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Command, ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::parse(args.iter().map(|s| s.to_string()), |key| {
            env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        })
    }

    fn run(args: &[&str], env: &[(&str, &str)]) -> Config {
        match parse(args, env) {
            Ok(Command::Run(config)) => config,
            other => panic!("expected a config, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let c = run(&[], &[]);
        assert_eq!(c, Config::default());
        assert_eq!(c.listen, "127.0.0.1:6503");
        assert_eq!(c.limits.max_frame_bytes, MAX_FRAME_BYTES);
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
        let c = run(
            &[
                "--listen",
                "0.0.0.0:80",
                "--static=dist",
                "--max-frame-bytes",
                "2048",
                "--max-rate=2.5",
                "--burst",
                "7",
                "--max-connections",
                "3",
                "--log",
                "debug",
            ],
            &[],
        );
        assert_eq!(c.listen, "0.0.0.0:80");
        assert_eq!(c.static_dir, Some(PathBuf::from("dist")));
        assert_eq!(c.limits.max_frame_bytes, 2048);
        assert_eq!(
            c.limits.rate,
            Rate {
                per_sec: 2.5,
                burst: 7
            }
        );
        assert_eq!(c.max_connections, 3);
        assert_eq!(c.log, Level::Debug);
    }

    #[test]
    fn environment_and_flag_precedence() {
        let env = [
            ("RELAY_LISTEN", "127.0.0.1:9"),
            ("RELAY_STATIC", "/srv/www"),
            (
                "RELAY_ALLOW_ORIGIN",
                "https://a.example, https://B.example/",
            ),
            ("RELAY_MAX_FRAME_BYTES", "4096"),
            ("RELAY_MAX_RATE", "10"),
            ("RELAY_BURST", "20"),
            ("RELAY_MAX_CONNECTIONS", "5"),
            ("RELAY_LOG", "warn"),
        ];
        let c = run(&[], &env);
        assert_eq!(c.listen, "127.0.0.1:9");
        assert_eq!(c.static_dir, Some(PathBuf::from("/srv/www")));
        assert_eq!(c.allow_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(c.limits.max_frame_bytes, 4096);
        assert_eq!(
            c.limits.rate,
            Rate {
                per_sec: 10.0,
                burst: 20
            }
        );
        assert_eq!(c.max_connections, 5);
        assert_eq!(c.log, Level::Warn);

        let c = run(
            &[
                "--listen",
                "[::1]:1",
                "--allow-origin",
                "http://x",
                "--allow-origin=http://y,http://z",
            ],
            &env,
        );
        assert_eq!(c.listen, "[::1]:1");
        assert_eq!(c.allow_origins, ["http://x", "http://y", "http://z"]);
        // An empty variable counts as unset.
        assert_eq!(run(&[], &[("RELAY_LISTEN", " ")]).listen, DEFAULT_LISTEN);
        assert!(run(&["--allow-origin", "*"], &env).allow_origins.is_empty());
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse(&["--help"], &[]), Ok(Command::Help));
        assert_eq!(parse(&["--listen", "x:1", "-h"], &[]), Ok(Command::Help));
        assert_eq!(parse(&["-V"], &[]), Ok(Command::Version));
        let text = help();
        assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
        for opt in &OPTS {
            assert!(
                text.contains(opt.flag) && text.contains(opt.env),
                "{}",
                opt.flag
            );
        }
    }

    #[test]
    fn bad_input_is_an_error_naming_the_source() {
        // (arguments, environment, expected part of the message)
        type Case = (
            &'static [&'static str],
            &'static [(&'static str, &'static str)],
            &'static str,
        );
        let cases: [Case; 10] = [
            (&["--nope"], &[], "--nope"),
            (&["stray"], &[], "stray"),
            (&["--listen"], &[], "needs a value"),
            (&["--max-frame-bytes", "100"], &[], "outside"),
            (&["--max-frame-bytes", "70000"], &[], "outside"),
            (&["--max-rate", "0"], &[], "positive"),
            (&["--max-rate", "NaN"], &[], "positive"),
            (&["--burst", "-1"], &[], "not a valid number"),
            (&["--log", "loud"], &[], "not one of"),
            (
                &[],
                &[("RELAY_MAX_CONNECTIONS", "0")],
                "RELAY_MAX_CONNECTIONS",
            ),
        ];
        for (args, env, want) in cases {
            match parse(args, env) {
                Err(ConfigError(text)) => assert!(text.contains(want), "{args:?}: {text}"),
                other => panic!("{args:?}: expected an error, got {other:?}"),
            }
        }
    }
}
