//! The Lua scripts: every read-check-write on shared state runs inside Redis as one script, so
//! two relays can never both see a name free and both take it (LiveKit's non-atomic room
//! assignment, its PR #1645). `redis::Script` sends `EVALSHA` and falls back to `EVAL` after a
//! `NOSCRIPT` (a restarted Redis has an empty script cache), so a restart needs nothing here.
//!
//! A name entry is `node|conn|claimed-at-ms|display name`; an owner is alive while its
//! presence key `<prefix>node:<n>` exists. Scripts build presence keys from a prefix argument
//! instead of declaring them in KEYS: fine on one Redis (or Sentinel), not on Redis Cluster,
//! which this design does not target (docs/scale-out.md).
//!
//! A room's user list is held to the client frame limit across relays: each name's entry size
//! (`user_list::entry_bytes`, computed in Rust and passed in: Lua only adds) is kept in
//! `<room>:entry-bytes` and their sum in `<room>:list-bytes`, changed only together with the
//! names, by `set_size`; CLAIM refuses a name that would take the sum over the budget.

use redis::Script;

/// Shared Lua helpers, prepended to the scripts that need them.
const LIB: &str = r#"
local function owner_of(entry)
  return string.match(entry, '^(%d+)|')
end
local function now_ms()
  local t = redis.call('TIME')
  return string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000))
end
-- Sets (bytes: a number) or removes (nil) a name's entry size, keeping the room's sum with it.
local function set_size(sizes, total, name, bytes)
  local old = tonumber(redis.call('HGET', sizes, name) or '0')
  if bytes then
    redis.call('HSET', sizes, name, bytes)
  else
    redis.call('HDEL', sizes, name)
  end
  if redis.call('INCRBY', total, (bytes or 0) - old) <= 0 then
    redis.call('DEL', total)
  end
end
-- A name that goes loses its own link and every link that points at it (a room's links are
-- a handful: one per user in a call).
local function drop_links(links, name)
  redis.call('HDEL', links, name)
  local all = redis.call('HGETALL', links)
  for i = 1, #all, 2 do
    if all[i + 1] == name then
      redis.call('HDEL', links, all[i])
    end
  end
end
"#;

/// KEYS: seq. ARGV: presence prefix, token, ttl ms, max node.
/// Draws node numbers until one is free; returns it, or 0 if all are alive.
const ALLOCATE_NODE: &str = r#"
local max = tonumber(ARGV[4])
for i = 1, max do
  local v = redis.call('INCR', KEYS[1])
  local n = ((v - 1) % max) + 1
  if redis.call('SET', ARGV[1] .. n, ARGV[2], 'NX', 'PX', ARGV[3]) then
    return n
  end
end
return 0
"#;

/// KEYS: presence key, seq. ARGV: token, ttl ms, node.
/// Takes (back) a given node number: 1, or 0 if another live relay holds it. Raises the counter
/// to at least that number, so a Redis that lost its data does not hand it out again.
const ASSERT_NODE: &str = r#"
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[3]) then
  redis.call('SET', KEYS[2], ARGV[3])
end
return 1
"#;

/// KEYS: presence key. ARGV: token, ttl ms. 1 if renewed, 0 if the key is gone or not ours.
const RENEW: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"#;

/// KEYS: presence key. ARGV: token. Deletes the presence key if it is ours (a clean leave).
const RELEASE_NODE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// KEYS: names, entry bytes, list bytes. ARGV: name key, node, conn, display, presence
/// prefix, room channel, payload, the entry's bytes, the list's budget.
/// 1 if claimed (free, ours, or its owner is dead), 0 if a live relay holds it, 2 if the
/// room's entries would then add up to more than the budget (the entry it replaces, if any,
/// no longer counting).
const CLAIM: &str = r#"
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local owner = owner_of(cur) or ''
  if owner ~= ARGV[2] and redis.call('EXISTS', ARGV[5] .. owner) == 1 then
    return 0
  end
end
local bytes = tonumber(ARGV[8])
local replaced = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local sum = tonumber(redis.call('GET', KEYS[3]) or '0')
if sum - replaced + bytes > tonumber(ARGV[9]) then
  return 2
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3] .. '|' .. now_ms() .. '|' .. ARGV[4])
set_size(KEYS[2], KEYS[3], ARGV[1], bytes)
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1
"#;

/// KEYS: names, links, entry bytes, list bytes. ARGV: name key, node, conn, room channel,
/// payload. Frees a name if this connection holds it, with its call links and its bytes. 1 if
/// freed.
const RELEASE: &str = r#"
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  return 0
end
local owner, conn = string.match(cur, '^(%d+)|(%d+)|')
if owner ~= ARGV[2] or conn ~= ARGV[3] then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
drop_links(KEYS[2], ARGV[1])
set_size(KEYS[3], KEYS[4], ARGV[1], nil)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
"#;

/// KEYS: names. ARGV: presence prefix. The entries whose owner is alive, flat.
const LIVE_ENTRIES: &str = r#"
local all = redis.call('HGETALL', KEYS[1])
local alive = {}
local out = {}
for i = 1, #all, 2 do
  local owner = owner_of(all[i + 1]) or ''
  if alive[owner] == nil then
    alive[owner] = redis.call('EXISTS', ARGV[1] .. owner) == 1
  end
  if alive[owner] then
    table.insert(out, all[i + 1])
  end
end
return out
"#;

/// KEYS: names, links, entry bytes, list bytes. ARGV: presence prefix, room channel, payload.
/// Deletes the names (call links, bytes) of dead relays; tells the room if any went. Returns
/// how many. Every live relay runs it for its rooms; the script is atomic, so one of them
/// finds the dead entries and the room hears of it once. It also recounts the list's bytes
/// from the names left, so sizes left behind by a relay of an older version (which does not
/// keep them) go within one round, and the sum cannot drift.
const REAP: &str = r#"
local all = redis.call('HGETALL', KEYS[1])
local alive = {}
local gone = {}
local present = {}
for i = 1, #all, 2 do
  local owner = owner_of(all[i + 1]) or ''
  if alive[owner] == nil then
    alive[owner] = redis.call('EXISTS', ARGV[1] .. owner) == 1
  end
  if alive[owner] then
    present[all[i]] = true
  else
    table.insert(gone, all[i])
  end
end
for _, name in ipairs(gone) do
  redis.call('HDEL', KEYS[1], name)
  drop_links(KEYS[2], name)
end
local sizes = redis.call('HGETALL', KEYS[3])
local sum = 0
for i = 1, #sizes, 2 do
  if present[sizes[i]] then
    sum = sum + tonumber(sizes[i + 1])
  else
    redis.call('HDEL', KEYS[3], sizes[i])
  end
end
if sum > 0 then
  if tonumber(redis.call('GET', KEYS[4]) or '0') ~= sum then
    redis.call('SET', KEYS[4], sum)
  end
else
  redis.call('DEL', KEYS[4])
end
if #gone > 0 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return #gone
"#;

/// KEYS: names, links, entry bytes, list bytes. ARGV: presence prefix, node, room channel,
/// payload, then per local name five values: name key, conn, display, mode (`c`: claim it
/// again, `k`: a claim is in flight, leave it), entry bytes. Re-asserts this relay's names
/// after a reconnect: each is kept, taken back, or lost to a live relay that took it meanwhile
/// (returned, so the relay can rename one of the two). Entries of this node that it no longer
/// holds are deleted (a release that could not reach Redis). Names taken back are not held to
/// the list's budget (their users already have them; some were accepted while Redis was
/// away): the list builder cuts an oversized list until enough of them leave.
const RESYNC_NAMES: &str = r#"
local me = ARGV[2]
local mine = {}
local lost = {}
for i = 5, #ARGV, 5 do
  local key, conn, display, mode = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  mine[key] = true
  if mode == 'c' then
    local cur = redis.call('HGET', KEYS[1], key)
    local take = true
    if cur then
      local owner, oconn = string.match(cur, '^(%d+)|(%d+)|')
      owner = owner or ''
      if owner == me and oconn == conn then
        take = false
      elseif owner ~= me and redis.call('EXISTS', ARGV[1] .. owner) == 1 then
        take = false
        table.insert(lost, key)
      end
    end
    if take then
      redis.call('HSET', KEYS[1], key, me .. '|' .. conn .. '|' .. now_ms() .. '|' .. display)
      set_size(KEYS[3], KEYS[4], key, tonumber(ARGV[i + 4]))
    end
  end
end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if not mine[all[i]] and owner_of(all[i + 1]) == me then
    redis.call('HDEL', KEYS[1], all[i])
    drop_links(KEYS[2], all[i])
    set_size(KEYS[3], KEYS[4], all[i], nil)
  end
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return lost
"#;

/// KEYS: names. ARGV: name key, presence prefix, node channel prefix, payload.
/// Publishes to the channel of the node holding the name: the number of receivers (0 if that
/// node is between connections), or -1 if no live relay holds the name.
const SEND_TO_USER: &str = r#"
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  return -1
end
local owner = owner_of(cur) or ''
if redis.call('EXISTS', ARGV[2] .. owner) == 0 then
  return -1
end
return redis.call('PUBLISH', ARGV[3] .. owner, ARGV[4])
"#;

/// KEYS: links. ARGV: from, to, if free (`1`/`0`). Sets from's peer to `to`; if free, only
/// when from has no other peer. 1 if set.
const SET_LINK: &str = r#"
if ARGV[3] == '1' then
  local cur = redis.call('HGET', KEYS[1], ARGV[1])
  if cur and cur ~= ARGV[2] then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"#;

/// KEYS: links. ARGV: name, expected peer (empty: any). Removes name's link if it points at
/// the expected peer; returns the peer removed.
const CLEAR_LINK: &str = r#"
local peer = redis.call('HGET', KEYS[1], ARGV[1])
if peer and (ARGV[2] == '' or peer == ARGV[2]) then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return peer
end
return false
"#;

pub struct Scripts {
    pub allocate_node: Script,
    pub assert_node: Script,
    pub renew: Script,
    pub release_node: Script,
    pub claim: Script,
    pub release: Script,
    pub live_entries: Script,
    pub reap: Script,
    pub resync_names: Script,
    pub send_to_user: Script,
    pub set_link: Script,
    pub clear_link: Script,
}

impl Scripts {
    pub fn new() -> Scripts {
        let with_lib = |body: &str| Script::new(&format!("{LIB}{body}"));
        Scripts {
            allocate_node: Script::new(ALLOCATE_NODE),
            assert_node: Script::new(ASSERT_NODE),
            renew: Script::new(RENEW),
            release_node: Script::new(RELEASE_NODE),
            claim: with_lib(CLAIM),
            release: with_lib(RELEASE),
            live_entries: with_lib(LIVE_ENTRIES),
            reap: with_lib(REAP),
            resync_names: with_lib(RESYNC_NAMES),
            send_to_user: with_lib(SEND_TO_USER),
            set_link: Script::new(SET_LINK),
            clear_link: Script::new(CLEAR_LINK),
        }
    }
}
