//! A real `redis-server` on a free loopback port, for the tests of the Redis layer
//! (`cluster.rs`) and of relays sharing it (`scale_out.rs`).

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// A fresh `redis-server` on a free loopback port, or `None` (with a message) if it is not
    /// installed.
    pub fn start(test: &str) -> Option<RedisServer> {
        if let Err(e) = Command::new("redis-server").arg("--version").output() {
            if std::env::var_os("WEBRTC_CHAT_REQUIRE_REDIS").is_some() {
                panic!("redis-server is required (WEBRTC_CHAT_REQUIRE_REDIS) but cannot run: {e}");
            }
            eprintln!(
                "SKIPPED {test}: redis-server cannot run ({e}); `scripts/install.sh test` installs it"
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut server = RedisServer { port, child: None };
        server.spawn();
        Some(server)
    }

    pub fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen in 5 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the server: it holds its connections open and
    /// answers nothing, the case where only deadlines help.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill").args([signal, &pid]).status();
        assert!(status.is_ok_and(|s| s.success()), "kill {signal} {pid}");
    }

    /// Kills the server (its data goes with it: no persistence).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Thawed first, in case a test froze it.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
