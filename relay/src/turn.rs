//! Time-limited TURN credentials, as coturn checks them with `use-auth-secret` and
//! `static-auth-secret` (the "TURN REST API" scheme): the username is `<expiry>:<user>` (Unix
//! time in seconds), the password base64(HMAC-SHA1(secret, username)). coturn recomputes the
//! password from the username, so it needs no list of users, and refuses an expired one.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha1::Sha1;

/// What `GET /ice-servers` answers: the page passes `iceServers` to `RTCPeerConnection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IceServers {
    pub ice_servers: Vec<IceServer>,
    /// Seconds the credentials stay valid.
    pub ttl: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: String,
    pub credential: String,
}

/// The username and password for `user`, valid until `now + ttl` (Unix seconds).
pub fn credentials(secret: &[u8], user: &str, now: u64, ttl: u64) -> (String, String) {
    // coturn reads the expiry up to the first ':'; a user part with its own ':' would still
    // work there, but keep the username unambiguous for people reading logs.
    let user: String = user
        .chars()
        .map(|c| if c == ':' || c.is_control() { '_' } else { c })
        .collect();
    let username = format!("{}:{user}", now.saturating_add(ttl));
    (username.clone(), password(secret, &username))
}

/// base64(HMAC-SHA1(secret, username)).
pub fn password(secret: &[u8], username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

pub fn ice_servers(secret: &[u8], urls: &[String], user: &str, now: u64, ttl: u64) -> IceServers {
    let (username, credential) = credentials(secret, user, now, ttl);
    IceServers {
        ice_servers: vec![IceServer {
            urls: urls.to_vec(),
            username,
            credential,
        }],
        ttl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_coturns_scheme() {
        // Python: base64(hmac.new(b"north", b"1700003600:bob", sha1).digest())
        let (user, pass) = credentials(b"north", "bob", 1_700_000_000, 3600);
        assert_eq!(user, "1700003600:bob");
        assert_eq!(pass, "v0IYSihM8PccX7hQh0Fbh4kDdk8=");
        assert_eq!(credentials(b"north", "a:b\n", 0, 1).0, "1:a_b_");
    }

    #[test]
    fn json_shape() {
        let servers = ice_servers(b"k", &["turn:t.example:3478".into()], "bob", 10, 5);
        let json = serde_json::to_string(&servers).unwrap();
        assert!(
            json.starts_with(r#"{"iceServers":[{"urls":["turn:t.example:3478"],"username":"15:bob","credential":""#),
            "{json}"
        );
        assert!(json.ends_with(r#""}],"ttl":5}"#), "{json}");
    }
}
