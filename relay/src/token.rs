//! Join tokens: a JWT (HS256, signed with `--token-secret`) naming the room a client may join
//! and the name it gets there, until `exp`. The host's backend mints them (or `relay token`);
//! the page passes one as `?token=` on the WebSocket URL.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::server::room_of_name;
use crate::text::clean_name;

/// Seconds a token's `exp` may lie in the past: the backend that mints tokens and the relay
/// may disagree slightly about the time.
pub const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The room (see `room_of_name`); `default` is the room of `/` and `/signal`.
    pub room: String,
    /// The user name the holder gets in that room, whatever it asks for.
    pub name: String,
    /// Expiry, Unix time in seconds.
    pub exp: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Bad signature, malformed, expired, or not HS256.
    Invalid(String),
    /// Signed, but for another room.
    WrongRoom,
    /// Signed, but the name is not one the relay would accept.
    BadName(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::Invalid(e) => write!(f, "invalid token: {e}"),
            TokenError::WrongRoom => f.write_str("token is for another room"),
            TokenError::BadName(e) => write!(f, "token's name refused: {e}"),
        }
    }
}

impl std::error::Error for TokenError {}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A token for `name` in `room`, valid for `ttl_secs` from now.
pub fn mint(secret: &[u8], room: &str, name: &str, ttl_secs: u64) -> Result<String, String> {
    if room_of_name(room).is_none() {
        return Err(format!(
            "{room:?} is not a room name (1 to 64 letters, digits, '-' or '_')"
        ));
    }
    let name = clean_name(name).map_err(|e| e.to_string())?;
    let claims = Claims {
        room: room.to_owned(),
        name,
        exp: now_secs().saturating_add(ttl_secs),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|e| e.to_string())
}

/// The claims of a valid token for `room`; the name comes back cleaned as a login would be.
pub fn verify(secret: &[u8], token: &str, room: &str) -> Result<Claims, TokenError> {
    let claims = verify_any_room(secret, token)?;
    if claims.room != room {
        return Err(TokenError::WrongRoom);
    }
    Ok(claims)
}

/// [`verify`] for whichever room the token names.
pub fn verify_any_room(secret: &[u8], token: &str) -> Result<Claims, TokenError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECS;
    validation.set_required_spec_claims(&["exp"]);
    let data = decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation)
        .map_err(|e| TokenError::Invalid(e.to_string()))?;
    let mut claims = data.claims;
    claims.name = clean_name(&claims.name).map_err(|e| TokenError::BadName(e.to_string()))?;
    Ok(claims)
}

/// The `token` query parameter of a request URI's query string, if any.
pub fn from_query(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "token")
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_minted_token_verifies_for_its_room_only() {
        let token = mint(SECRET, "team", " bob ", 60).unwrap();
        let claims = verify(SECRET, &token, "team").unwrap();
        assert_eq!(
            (claims.room.as_str(), claims.name.as_str()),
            ("team", "bob")
        );
        assert!(claims.exp >= now_secs() + 59);
        assert_eq!(verify(SECRET, &token, "other"), Err(TokenError::WrongRoom));
        assert!(matches!(
            verify(b"another secret, just as long....", &token, "team"),
            Err(TokenError::Invalid(_))
        ));
    }

    #[test]
    fn expired_forged_and_unsigned_tokens_are_refused() {
        let expired = encode(
            &Header::new(Algorithm::HS256),
            &Claims {
                room: "team".into(),
                name: "bob".into(),
                exp: now_secs() - LEEWAY_SECS - 5,
            },
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert!(matches!(
            verify(SECRET, &expired, "team"),
            Err(TokenError::Invalid(_))
        ));
        // Claims changed after signing.
        let token = mint(SECRET, "team", "bob", 60).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let other = mint(SECRET, "team", "mallory", 60).unwrap();
        let other_claims = other.split('.').nth(1).unwrap();
        let forged = format!("{}.{}.{}", parts[0], other_claims, parts[2]);
        assert!(matches!(
            verify(SECRET, &forged, "team"),
            Err(TokenError::Invalid(_))
        ));
        // `alg: none`.
        let none = format!("eyJhbGciOiJub25lIn0.{other_claims}.");
        assert!(verify(SECRET, &none, "team").is_err());
        assert!(verify(SECRET, "garbage", "team").is_err());
        assert!(mint(SECRET, "a.b", "bob", 60).is_err());
        assert!(mint(SECRET, "team", "  ", 60).is_err());
    }

    #[test]
    fn query_parameter() {
        assert_eq!(from_query(Some("room=x&token=abc.def")), Some("abc.def"));
        assert_eq!(from_query(Some("tokenx=1")), None);
        assert_eq!(from_query(None), None);
    }
}
