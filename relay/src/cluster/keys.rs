//! Names of the Redis keys and pub/sub channels, all under one prefix so several deployments
//! (or a test and a deployment) can share one Redis. docs/scale-out.md lists them.

#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Keys {
        Keys {
            prefix: prefix.to_owned(),
        }
    }

    /// The counter node numbers are drawn from (`INCR`).
    pub fn node_seq(&self) -> String {
        format!("{}nodes:seq", self.prefix)
    }

    /// Prefix of a node's presence key; the Lua scripts append the node number to test
    /// whether an owner is alive.
    pub fn node_alive_prefix(&self) -> String {
        format!("{}node:", self.prefix)
    }

    /// A node's presence key: exists (with a time-to-live) while the node is alive.
    pub fn node_alive(&self, node: u32) -> String {
        format!("{}{node}", self.node_alive_prefix())
    }

    /// Hash of a room's names: name key → `node|conn|claimed-at-ms|display name`.
    pub fn room_names(&self, room: &str) -> String {
        format!("{}room:{room}:names", self.prefix)
    }

    /// Hash of a room's user list sizes: name key → the bytes its entry adds to the
    /// `userlist` frame (`user_list::entry_bytes`, computed by the claiming relay).
    pub fn room_entry_bytes(&self, room: &str) -> String {
        format!("{}room:{room}:entry-bytes", self.prefix)
    }

    /// The sum of `room_entry_bytes`, kept by the same scripts that change the names; a claim
    /// that would take it over the budget is refused.
    pub fn room_list_bytes(&self, room: &str) -> String {
        format!("{}room:{room}:list-bytes", self.prefix)
    }

    /// Hash of a room's call links: name key → peer's name key, both directions.
    pub fn room_links(&self, room: &str) -> String {
        format!("{}room:{room}:links", self.prefix)
    }

    /// Prefix of the channel a node receives its targeted messages on.
    pub fn node_channel_prefix(&self) -> String {
        format!("{}to-node:", self.prefix)
    }

    pub fn node_channel(&self, node: u32) -> String {
        format!("{}{node}", self.node_channel_prefix())
    }

    /// The channel every node with connections in `room` listens on: chat and user-list
    /// changes.
    pub fn room_channel(&self, room: &str) -> String {
        format!("{}to-room:{room}", self.prefix)
    }
}
