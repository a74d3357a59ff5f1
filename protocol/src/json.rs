//! A small JSON value: the one shape every signaling frame goes through.
//!
//! Why our own instead of `serde_json::Value`: the browser build parses frames with the
//! browser's `JSON.parse` and writes them with `JSON.stringify` (src/json.rs) and must not
//! bundle a JSON parser or writer, while the relay and the native tests use serde_json. Both
//! go through this type, so decoding a [`Message`](crate::Message) is one code path, written
//! once, tested natively.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::number::is_integral;

/// Deepest nesting accepted. Signaling messages are at most three levels deep; the limit keeps
/// a hostile `[[[[…]]]]` from overflowing the (small) wasm stack while deserializing.
pub const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    /// Keys in the order they arrived; lookups take the last duplicate, as `JSON.parse` does.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object; `None` for a missing key or a value that is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Builds an object from `(key, value)` pairs, skipping `None` values.
    pub fn object<I, K>(members: I) -> Value
    where
        I: IntoIterator<Item = (K, Option<Value>)>,
        K: Into<String>,
    {
        Value::object_of(&mut members.into_iter().map(|(k, v)| (k.into(), v)))
    }

    /// The body of [`Value::object`], once for all its callers rather than once per array
    /// length (the browser's bundle, README "Bundle size").
    fn object_of(members: &mut dyn Iterator<Item = (String, Option<Value>)>) -> Value {
        let mut object = Vec::new();
        for (k, v) in members {
            if let Some(v) = v {
                object.push((k, v));
            }
        }
        Value::Object(object)
    }

    /// Compact JSON text, through serde_json (native users; the browser writes frames with
    /// `JSON.stringify`). Integral numbers are written without a fraction, as JavaScript writes
    /// them; others as serde_json's shortest round-trip digits, which any JSON reader reads
    /// back as the same number.
    #[cfg(feature = "json")]
    pub fn to_json(&self) -> String {
        // Writing into a String cannot fail, and a `Value`'s keys are strings.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(n as f64)
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        /// Integers up to here are exact in an f64 (2^53), as in JavaScript.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            // As `JSON.stringify`: `3`, not `3.0`; `-0` is `0`. (Non-finite numbers: serde_json
            // writes `null`, as `JSON.stringify` does.)
            Value::Number(n) if is_integral(*n) && n.abs() <= EXACT => {
                serializer.serialize_i64(*n as i64)
            }
            Value::Number(n) => serializer.serialize_f64(*n),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ValueSeed { depth: 0 }.deserialize(deserializer)
    }
}

/// Deserializes a [`Value`] while counting depth, so nesting beyond [`MAX_DEPTH`] is an error
/// rather than unbounded recursion.
struct ValueSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(de::Error::custom("nested too deeply"));
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(ValueSeed { depth })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(de::Error::custom("nested too deeply"));
        }
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(ValueSeed { depth })?;
            members.push((key, value));
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn round_trips_through_serde_json() {
        let text = r#"{"type":"message","id":1700000000000,"text":"a \"quoted\" \\ line\nnext \u0001","date":1.5,"ok":true,"n":null,"l":[1,"x",[]]}"#;
        let v = parse(text);
        let again = parse(&v.to_json());
        assert_eq!(v, again);
        // What we write, serde_json reads back as the same document.
        let sj: serde_json::Value = serde_json::from_str(text).unwrap();
        let ours: serde_json::Value = serde_json::from_str(&v.to_json()).unwrap();
        assert_eq!(ours, sj);
    }

    #[test]
    fn last_duplicate_key_wins_like_json_parse() {
        let v = parse(r#"{"a":1,"a":2}"#);
        assert_eq!(v.get("a"), Some(&Value::Number(2.0)));
    }

    #[test]
    fn too_deep_is_an_error_not_a_crash() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(serde_json::from_str::<Value>(&deep).is_err());
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(serde_json::from_str::<Value>(&ok).is_ok());
    }

    #[test]
    fn numbers_write_as_json_stringify_reads_them() {
        assert_eq!(Value::Number(f64::NAN).to_json(), "null");
        assert_eq!(Value::Number(f64::INFINITY).to_json(), "null");
        assert_eq!(Value::Number(3.0).to_json(), "3");
        assert_eq!(Value::Number(-0.0).to_json(), "0");
        assert_eq!(Value::Number(-0.5).to_json(), "-0.5");
        assert_eq!(
            Value::Number(1_700_000_000_000.0).to_json(),
            "1700000000000"
        );
        // Not JavaScript's text (`1e+21`), but the same number to every JSON reader.
        for n in [1e21, 1.5e-7, 0.1, 2f64.powi(53), 1.7e131, 5e-324] {
            let back: f64 = serde_json::from_str(&Value::Number(n).to_json()).unwrap();
            assert_eq!(back.to_bits(), n.to_bits(), "{n}");
        }
    }
}
