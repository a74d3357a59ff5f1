//! What this relay itself holds: its rooms and its users' names. This is the truth the relay
//! re-publishes after Redis comes back (pub/sub alone loses what happened while the broker was
//! down: socket.io-redis-adapter #393), so it is kept here, not read back from Redis.

use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalName {
    pub conn: u64,
    pub display: String,
    /// A claim script is in flight for it: a resync leaves it alone (the claim decides).
    pub pending: bool,
}

#[derive(Debug, Default)]
struct RoomNames {
    /// The generation of the room's last change.
    stamp: u64,
    /// name key → holder.
    names: HashMap<String, LocalName>,
}

#[derive(Debug, Default)]
pub struct Local {
    names: BTreeMap<String, RoomNames>,
    /// Rooms where Redis may hold an entry of this node that no connection holds any more (a
    /// release or claim that failed): the next resync cleans them.
    dirty: BTreeSet<String>,
    /// Bumped on every change, so a resync can tell which rooms changed while it ran.
    generation: u64,
}

/// Result of trying to reserve a name locally before asking Redis.
#[derive(Debug, PartialEq, Eq)]
pub enum Reserve {
    /// Reserved for this connection now.
    New,
    /// This connection already holds it.
    AlreadyHeld,
    /// Another connection of this relay holds it.
    Taken,
}

impl Local {
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn reserve(&mut self, room: &str, key: &str, name: LocalName) -> Reserve {
        let entry = self.names.entry(room.to_owned()).or_default();
        match entry.names.get(key) {
            Some(held) if held.conn == name.conn => Reserve::AlreadyHeld,
            Some(_) => Reserve::Taken,
            None => {
                entry.names.insert(key.to_owned(), name);
                self.generation += 1;
                entry.stamp = self.generation;
                Reserve::New
            }
        }
    }

    /// Marks a reserved name as settled (the claim returned).
    pub fn settle(&mut self, room: &str, key: &str, conn: u64) {
        let Some(entry) = self.names.get_mut(room) else {
            return;
        };
        if let Some(held) = entry.names.get_mut(key).filter(|h| h.conn == conn) {
            held.pending = false;
            self.generation += 1;
            entry.stamp = self.generation;
        }
    }

    /// Removes `key` if `conn` holds it; true if it did.
    pub fn remove(&mut self, room: &str, key: &str, conn: u64) -> bool {
        let Some(entry) = self.names.get_mut(room) else {
            return false;
        };
        if entry.names.get(key).is_none_or(|held| held.conn != conn) {
            return false;
        }
        entry.names.remove(key);
        self.generation += 1;
        entry.stamp = self.generation;
        if entry.names.is_empty() {
            self.names.remove(room);
        }
        true
    }

    /// Rooms changed after generation `since` (rooms emptied since are gone: the caller
    /// compares with the rooms it saw).
    pub fn changed_since(&self, since: u64) -> BTreeSet<String> {
        self.names
            .iter()
            .filter(|(_, entry)| entry.stamp > since)
            .map(|(room, _)| room.clone())
            .collect()
    }

    pub fn has_room(&self, room: &str) -> bool {
        self.names.contains_key(room)
    }

    pub fn mark_dirty(&mut self, room: &str) {
        self.dirty.insert(room.to_owned());
    }

    pub fn take_dirty(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.dirty)
    }

    pub fn rooms(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    /// A room's names, sorted by key (so resync arguments are stable).
    pub fn names_in(&self, room: &str) -> Vec<(String, LocalName)> {
        let mut out: Vec<_> = self
            .names
            .get(room)
            .map(|entry| {
                entry
                    .names
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(conn: u64) -> LocalName {
        LocalName {
            conn,
            display: format!("n{conn}"),
            pending: true,
        }
    }

    #[test]
    fn one_holder_per_name_and_only_the_holder_frees_it() {
        let mut local = Local::default();
        assert_eq!(local.reserve("r", "ann", name(1)), Reserve::New);
        assert_eq!(local.reserve("r", "ann", name(1)), Reserve::AlreadyHeld);
        assert_eq!(local.reserve("r", "ann", name(2)), Reserve::Taken);
        assert_eq!(local.reserve("s", "ann", name(2)), Reserve::New);
        let before = local.generation();
        assert!(!local.remove("r", "ann", 2));
        assert_eq!(local.generation(), before);
        assert!(local.changed_since(before).is_empty());
        local.settle("r", "ann", 1);
        assert!(!local.names_in("r")[0].1.pending);
        assert_eq!(
            local.changed_since(before),
            BTreeSet::from(["r".to_owned()])
        );
        assert!(local.remove("r", "ann", 1));
        assert_eq!(local.rooms().collect::<Vec<_>>(), ["s"]);
        assert!(!local.has_room("r"));
        assert!(local.generation() > before);
    }
}
