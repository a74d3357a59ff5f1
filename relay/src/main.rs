//! `relay`: see `relay --help`.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use relay::config::{help, Command, Config};

fn main() -> ExitCode {
    let command = Config::parse(std::env::args().skip(1), |key| std::env::var(key).ok());
    match command {
        Ok(Command::Help) => {
            print!("{}", help());
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("relay {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Run(config)) => run(config),
        Err(e) => {
            eprintln!("relay: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(config: Config) -> ExitCode {
    relay::log::set_level(config.log);
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
