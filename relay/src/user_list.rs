//! The size of a `userlist` frame, decided in one place: a single relay's room keeps its
//! frame's size with [`entry_bytes`], the Redis claim script adds the very same numbers (Rust
//! passes them in; Lua only adds, docs/scale-out.md), and the union list of several relays is
//! built within the limit by [`bounded_frame`].

use chat_protocol::json::Value;
use chat_protocol::Message;

/// `{"type":"userlist","users":[]}`.
pub const EMPTY_BYTES: usize = 30;

/// What one entry adds to the frame: the name as a JSON string (`null` for a connection with
/// no name yet) plus its comma. The first entry has no comma, so a list whose entries add up
/// to `entries` bytes is [`frame_bytes`]`(entries)` long.
pub fn entry_bytes(name: Option<&str>) -> usize {
    let json = name.map_or(4, |n| Value::String(n.to_owned()).to_json().len());
    json + 1
}

/// The frame's size for entries adding up to `entries` bytes (0: the empty list).
pub fn frame_bytes(entries: usize) -> usize {
    (EMPTY_BYTES - 1 + entries).max(EMPTY_BYTES)
}

/// The most the entries may add up to in a frame of at most `max_frame` bytes.
pub fn entries_budget(max_frame: usize) -> usize {
    max_frame.saturating_sub(EMPTY_BYTES - 1)
}

/// A `userlist` frame built within a limit, and what had to be left out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounded {
    pub frame: String,
    /// Named entries left out.
    pub dropped_names: usize,
    /// `null` entries (connections with no name yet) left out.
    pub dropped_unnamed: usize,
}

/// The `userlist` frame of `users`, in order, cut short before the first entry that would
/// make it larger than `max_frame` bytes: truncated rather than skipping to later, shorter
/// entries, so what a client sees is always the first users in claim order (those whose claim
/// was held to the budget), never a list with holes that changes with every long name.
pub fn bounded_frame(mut users: Vec<Option<String>>, max_frame: usize) -> Bounded {
    let budget = entries_budget(max_frame);
    let mut sum = 0;
    let fits = users
        .iter()
        .take_while(|user| {
            sum += entry_bytes(user.as_deref());
            sum <= budget
        })
        .count();
    let dropped = users.split_off(fits);
    let dropped_names = dropped.iter().filter(|u| u.is_some()).count();
    Bounded {
        frame: Message::UserList { users }.to_json(),
        dropped_names,
        dropped_unnamed: dropped.len() - dropped_names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(users: &[Option<&str>]) -> String {
        let users = users.iter().map(|u| u.map(str::to_owned)).collect();
        Message::UserList { users }.to_json()
    }

    #[test]
    fn entry_bytes_add_up_to_the_encoded_frame() {
        let lists: [&[Option<&str>]; 5] = [
            &[],
            &[Some("a")],
            &[None],
            &[Some("ann"), None, Some("b\"o\\b"), Some("\u{1F600}é")],
            &[Some("x"), Some("y"), None, None],
        ];
        for users in lists {
            let entries: usize = users.iter().map(|u| entry_bytes(*u)).sum();
            assert_eq!(frame_bytes(entries), frame(users).len(), "{users:?}");
        }
        assert_eq!(frame(&[]).len(), EMPTY_BYTES);
    }

    #[test]
    fn a_bounded_frame_keeps_the_first_entries_that_fit() {
        let users = vec![
            Some("aaaa".to_owned()),
            Some("bb".into()),
            None,
            Some("c".into()),
        ];
        let whole = frame(&[Some("aaaa"), Some("bb"), None, Some("c")]);
        let all = bounded_frame(users.clone(), whole.len());
        assert_eq!((all.frame, all.dropped_names), (whole.clone(), 0));
        let cut = bounded_frame(users.clone(), whole.len() - 1);
        assert_eq!(cut.frame, frame(&[Some("aaaa"), Some("bb"), None]));
        assert_eq!((cut.dropped_names, cut.dropped_unnamed), (1, 0));
        let cut = bounded_frame(users.clone(), frame(&[Some("aaaa")]).len() + 2);
        assert_eq!(cut.frame, frame(&[Some("aaaa")]));
        assert_eq!((cut.dropped_names, cut.dropped_unnamed), (2, 1));
        for limit in EMPTY_BYTES..=whole.len() {
            assert!(bounded_frame(users.clone(), limit).frame.len() <= limit);
        }
    }
}
