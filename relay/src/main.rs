//! `relay`: see `relay --help`.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use relay::config::{Cli, Command, Config, LogFormat, LogLevel};
use tracing::level_filters::LevelFilter;

fn main() -> ExitCode {
    // An empty `RELAY_*` variable counts as unset (as a blank line in a systemd or compose file
    // means "not configured"); clap would read it as an empty value. Single-threaded here.
    for (key, value) in std::env::vars_os() {
        let key_is_ours = key.to_str().is_some_and(|k| k.starts_with("RELAY_"));
        if key_is_ours && value.to_str().is_some_and(|v| v.trim().is_empty()) {
            std::env::remove_var(key);
        }
    }
    // Exits 0 for --help/--version, 2 with a message naming the flag or variable otherwise.
    let cli = Cli::parse();
    if let Some(Command::Token { room, name, ttl }) = &cli.command {
        let Some(secret) = &cli.run.token_secret else {
            eprintln!("relay: token needs --token-secret or RELAY_TOKEN_SECRET");
            return ExitCode::from(2);
        };
        return match relay::token::mint(secret.as_bytes(), room, name, *ttl) {
            Ok(token) => {
                println!("{token}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("relay: {e}");
                ExitCode::from(2)
            }
        };
    }
    init_logs(cli.run.log, cli.run.log_format);
    run(cli.run.config())
}

/// Structured logs on stderr (stdout carries only the "listening" line scripts wait for).
fn init_logs(level: LogLevel, format: LogFormat) {
    let filter = match level {
        LogLevel::Off => LevelFilter::OFF,
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Trace => LevelFilter::TRACE,
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    match format {
        LogFormat::Text => builder.with_ansi(false).init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn run(config: Config) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("relay: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let server = match relay::bind(&config).await {
            Ok(server) => server,
            Err(e) => {
                eprintln!("relay: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Before announcing the address: a signal sent as soon as it appears must not kill us.
        let shutdown = match relay::server::shutdown_signal() {
            Ok(shutdown) => shutdown,
            Err(e) => {
                eprintln!("relay: cannot install signal handlers: {e}");
                return ExitCode::FAILURE;
            }
        };
        match server.local_addr() {
            Ok(addr) => {
                // One line on stdout, for people and for scripts waiting for the port.
                println!("relay listening on http://{addr}/ (WebSocket: ws://{addr}/, subprotocol \"json\")");
                let _ = std::io::stdout().flush();
            }
            Err(e) => eprintln!("relay: listening, address unknown: {e}"),
        }
        match server.run(shutdown).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("relay: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
