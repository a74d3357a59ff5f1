//! The relay's counters, served at `GET /metrics` in Prometheus's text exposition format
//! (version 0.0.4). A dozen atomics and their text need no metrics library; each line is
//! `name{labels} value`, each family preceded by its `# HELP` and `# TYPE`.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::room::RoomStats;

/// Why an upgrade was refused (the `reason` label of `relay_upgrades_rejected_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Origin,
    Subprotocol,
    Room,
    Token,
    NameInUse,
    Capacity,
    PerIp,
}

impl Rejected {
    const ALL: [Rejected; 7] = [
        Rejected::Origin,
        Rejected::Subprotocol,
        Rejected::Room,
        Rejected::Token,
        Rejected::NameInUse,
        Rejected::Capacity,
        Rejected::PerIp,
    ];

    fn label(self) -> &'static str {
        match self {
            Rejected::Origin => "origin",
            Rejected::Subprotocol => "subprotocol",
            Rejected::Room => "room",
            Rejected::Token => "token",
            Rejected::NameInUse => "name_in_use",
            Rejected::Capacity => "capacity",
            Rejected::PerIp => "per_ip",
        }
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    pub ws_connections: AtomicI64,
    pub http_connections: AtomicI64,
    pub rooms: AtomicI64,
    pub ws_opened: AtomicU64,
    pub logins: AtomicU64,
    pub routed: AtomicU64,
    pub frames_out: AtomicU64,
    pub dropped_rate_limited: AtomicU64,
    pub dropped_unknown_target: AtomicU64,
    pub dropped_no_peer: AtomicU64,
    pub dropped_slow_reader: AtomicU64,
    pub slow_readers_closed: AtomicU64,
    pub rate_limit_strikes: AtomicU64,
    pub rate_limit_closes: AtomicU64,
    pub rejected_frames: AtomicU64,
    /// Union user lists cut short to the frame limit (`--redis`).
    pub user_lists_truncated: AtomicU64,
    pub rejected_upgrades: [AtomicU64; Rejected::ALL.len()],
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
}

fn add(counter: &AtomicU64, n: u64) {
    if n > 0 {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

impl Metrics {
    pub fn absorb(&self, s: RoomStats) {
        add(&self.logins, s.logins);
        add(&self.routed, s.routed);
        add(&self.dropped_rate_limited, s.dropped_rate_limited);
        add(&self.dropped_unknown_target, s.dropped_unknown_target);
        add(&self.dropped_no_peer, s.dropped_no_peer);
        add(&self.rate_limit_strikes, s.rate_limit_strikes);
        add(&self.rate_limit_closes, s.rate_limit_closes);
        add(&self.rejected_frames, s.rejected_frames);
    }

    pub fn reject(&self, why: Rejected) {
        let i = Rejected::ALL.iter().position(|r| *r == why).unwrap_or(0);
        add(&self.rejected_upgrades[i], 1);
    }

    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let gauge = |c: &AtomicI64| c.load(Ordering::Relaxed);
        let mut out = String::with_capacity(4096);
        let mut family = |name: &str, kind: &str, help: &str, samples: &[(&str, i128)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        family(
            "relay_connections",
            "gauge",
            "Open WebSocket connections.",
            &[("", gauge(&self.ws_connections).into())],
        );
        family(
            "relay_http_connections",
            "gauge",
            "Open TCP connections that are not (yet) WebSockets.",
            &[("", gauge(&self.http_connections).into())],
        );
        family(
            "relay_rooms",
            "gauge",
            "Rooms with at least one connection.",
            &[("", gauge(&self.rooms).into())],
        );
        family(
            "relay_connections_opened_total",
            "counter",
            "WebSocket connections accepted.",
            &[("", get(&self.ws_opened).into())],
        );
        family(
            "relay_logins_total",
            "counter",
            "username messages accepted.",
            &[("", get(&self.logins).into())],
        );
        family(
            "relay_messages_routed_total",
            "counter",
            "Messages forwarded (once each, whatever the number of recipients).",
            &[("", get(&self.routed).into())],
        );
        family(
            "relay_frames_sent_total",
            "counter",
            "Frames queued to sockets (one per recipient).",
            &[("", get(&self.frames_out).into())],
        );
        family(
            "relay_messages_dropped_total",
            "counter",
            "Messages or frames not delivered, by reason.",
            &[
                (
                    "{reason=\"rate_limited\"}",
                    get(&self.dropped_rate_limited).into(),
                ),
                (
                    "{reason=\"unknown_target\"}",
                    get(&self.dropped_unknown_target).into(),
                ),
                ("{reason=\"no_peer\"}", get(&self.dropped_no_peer).into()),
                (
                    "{reason=\"slow_reader\"}",
                    get(&self.dropped_slow_reader).into(),
                ),
            ],
        );
        family(
            "relay_slow_readers_closed_total",
            "counter",
            "Connections closed because their unread frames passed the outbox bound.",
            &[("", get(&self.slow_readers_closed).into())],
        );
        family(
            "relay_rate_limit_strikes_total",
            "counter",
            "Frames refused by the per-connection rate limit.",
            &[("", get(&self.rate_limit_strikes).into())],
        );
        family(
            "relay_rate_limit_closes_total",
            "counter",
            "Connections closed (1008) for persistent abuse of the rate limit.",
            &[("", get(&self.rate_limit_closes).into())],
        );
        family(
            "relay_frames_rejected_total",
            "counter",
            "Frames answered with an error (malformed, too large, binary, not logged in...).",
            &[("", get(&self.rejected_frames).into())],
        );
        family(
            "relay_user_lists_truncated_total",
            "counter",
            "User lists across relays cut short to the list limit (names from a relay cut off from Redis or of an older version).",
            &[("", get(&self.user_lists_truncated).into())],
        );
        let upgrades: Vec<(String, i128)> = Rejected::ALL
            .iter()
            .zip(&self.rejected_upgrades)
            .map(|(r, c)| (format!("{{reason=\"{}\"}}", r.label()), get(c).into()))
            .collect();
        let upgrades: Vec<(&str, i128)> = upgrades.iter().map(|(l, v)| (l.as_str(), *v)).collect();
        family(
            "relay_upgrades_rejected_total",
            "counter",
            "WebSocket upgrades refused, by reason.",
            &upgrades,
        );
        family(
            "relay_bytes_in_total",
            "counter",
            "WebSocket payload bytes received.",
            &[("", get(&self.bytes_in).into())],
        );
        family(
            "relay_bytes_out_total",
            "counter",
            "WebSocket payload bytes sent.",
            &[("", get(&self.bytes_out).into())],
        );
        out
    }
}
