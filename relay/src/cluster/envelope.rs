//! What travels on the pub/sub channels: one message kind, the origin node (so a node skips
//! its own broadcasts), and length-prefixed fields so a room or name may hold any character.
//!
//! Layout: `<kind><origin>|<room len>|<room><name len>|<name><frame>`, kind `U` (to a user),
//! `B` (broadcast to a room), `C` (a room's user list changed). The frame is the rest, as is.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Envelope {
    ToUser {
        room: String,
        name_key: String,
        frame: String,
    },
    Broadcast {
        room: String,
        frame: String,
    },
    Changed {
        room: String,
    },
}

impl Envelope {
    pub fn encode(&self, origin: u32) -> String {
        let (kind, room, name, frame) = match self {
            Envelope::ToUser {
                room,
                name_key,
                frame,
            } => ('U', room, name_key.as_str(), frame.as_str()),
            Envelope::Broadcast { room, frame } => ('B', room, "", frame.as_str()),
            Envelope::Changed { room } => ('C', room, "", ""),
        };
        format!(
            "{kind}{origin}|{}|{room}{}|{name}{frame}",
            room.len(),
            name.len()
        )
    }

    /// The envelope and its origin node; `None` for anything this module did not write.
    pub fn decode(bytes: &[u8]) -> Option<(u32, Envelope)> {
        let text = std::str::from_utf8(bytes).ok()?;
        let kind = text.chars().next()?;
        let rest = &text[kind.len_utf8()..];
        let (origin, rest) = rest.split_once('|')?;
        let origin: u32 = origin.parse().ok()?;
        let (room, rest) = field(rest)?;
        let (name, frame) = field(rest)?;
        let room = room.to_owned();
        let envelope = match kind {
            'U' => Envelope::ToUser {
                room,
                name_key: name.to_owned(),
                frame: frame.to_owned(),
            },
            'B' => Envelope::Broadcast {
                room,
                frame: frame.to_owned(),
            },
            'C' => Envelope::Changed { room },
            _ => return None,
        };
        Some((origin, envelope))
    }
}

/// `<len>|<bytes>` → (bytes, rest).
fn field(text: &str) -> Option<(&str, &str)> {
    let (len, rest) = text.split_once('|')?;
    let len: usize = len.parse().ok()?;
    if !rest.is_char_boundary(len) {
        return None;
    }
    Some(rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_separators_in_every_field() {
        let all = [
            Envelope::ToUser {
                room: "a|b:7".into(),
                name_key: "zoë|2".into(),
                frame: r#"{"type":"video-offer","sdp":"v=0|x"}"#.into(),
            },
            Envelope::Broadcast {
                room: String::new(),
                frame: "{\"text\":\"1|2\\n\"}".into(),
            },
            Envelope::Changed { room: "é".into() },
        ];
        for envelope in all {
            let wire = envelope.encode(65_535);
            assert_eq!(Envelope::decode(wire.as_bytes()), Some((65_535, envelope)));
        }
    }

    #[test]
    fn refuses_what_it_did_not_write() {
        for junk in [
            &b""[..],
            b"X1|0|0|",
            b"U|0|0|",
            b"Ux|0|0|",
            b"U1|9|ab0|",
            b"U1|1|\xc3\xa90|",
            b"\xff",
        ] {
            assert_eq!(Envelope::decode(junk), None, "{junk:?}");
        }
    }
}
