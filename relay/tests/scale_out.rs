//! Relays started with `--redis` (docs/scale-out.md): a real `redis-server` on a free loopback
//! port and three `relay` processes (the binary, so one can be killed with `kill -9`). Users
//! on different relays see each other, call each other (targeted and untargeted messages),
//! race for one name, outlive a killed relay and a Redis restart.
//!
//! Skipped, loudly, only when `redis-server` is not installed (`scripts/install.sh test`
//! installs it); with `WEBRTC_CHAT_REQUIRE_REDIS=1` a missing server fails instead.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chat_protocol::json::Value;
use common::redis::RedisServer;
use common::{http_get, str_of, Client, Relay};

const BIN: &str = env!("CARGO_BIN_EXE_relay");

/// A `relay --redis` process; killed on drop so a failing test leaves nothing behind.
struct Node {
    child: Child,
    addr: SocketAddr,
}

impl Node {
    fn start(redis: &RedisServer) -> Node {
        Node::start_with(redis, &[])
    }

    fn start_with(redis: &RedisServer, extra: &[&str]) -> Node {
        let mut child = Command::new(BIN)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--log",
                &std::env::var("SCALE_LOG").unwrap_or("warn".into()),
            ])
            .args(["--redis", &redis.url()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("SCALE_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("start relay");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok());
        match addr {
            Some(addr) => Node { child, addr },
            None => {
                let _ = child.kill();
                panic!("no address in {line:?}")
            }
        }
    }

    fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    async fn client(&self, name: &str) -> Client {
        let mut client = Client::connect(&self.url()).await;
        client.name = name.to_owned();
        client
    }

    /// A client logged in as `name`, which it must get as asked.
    async fn login(&self, name: &str) -> Client {
        let mut client = self.client(name).await;
        assert_eq!(login_as(&mut client, name).await, Ok(()));
        client
    }

    /// `kill -9`: no clean shutdown, its names stay in Redis until its presence expires.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn nodes(redis: &RedisServer, n: usize) -> Vec<Node> {
    let nodes: Vec<Node> = (0..n).map(|_| Node::start(redis)).collect();
    for node in &nodes {
        wait_healthz(node.addr, "redis: ok", Duration::from_secs(10)).await;
    }
    nodes
}

async fn healthz(addr: SocketAddr) -> (u16, String) {
    let (status, _, body) = http_get(addr, "/healthz").await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Polls `/healthz` until its body names `want`; it must stay 200 throughout.
async fn wait_healthz(addr: SocketAddr, want: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let (status, body) = healthz(addr).await;
        assert_eq!(
            status, 200,
            "/healthz stays 200 whatever Redis does: {body}"
        );
        if body.contains(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/healthz never said {want:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The last user list each client read (by id, unique across relays): a list that arrived
/// while a helper waited for something else still counts for [`until_list`].
static LAST_LIST: Mutex<BTreeMap<u64, Vec<Option<String>>>> = Mutex::new(BTreeMap::new());

fn last_lists() -> std::sync::MutexGuard<'static, BTreeMap<u64, Vec<Option<String>>>> {
    LAST_LIST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Every frame a test reads comes through here.
async fn recv(client: &mut Client) -> Value {
    let v = client.recv().await;
    if kind(&v) == Some("userlist") {
        last_lists().insert(client.id, users_of(&v));
    }
    v
}

fn kind(v: &Value) -> Option<&str> {
    str_of(v, "type")
}

/// The next frame that is not a user list (lists come whenever any relay's users change).
async fn recv_skip_lists(client: &mut Client) -> Value {
    loop {
        let v = recv(client).await;
        if kind(&v) != Some("userlist") {
            return v;
        }
    }
}

fn users_of(v: &Value) -> Vec<Option<String>> {
    match v.get("users") {
        Some(Value::Array(users)) => users
            .iter()
            .map(|u| u.as_str().map(str::to_owned))
            .collect(),
        _ => panic!("a user list without users: {}", v.to_json()),
    }
}

/// Reads until a user list holds exactly `want` (in any order); other frames are not expected.
async fn until_list(client: &mut Client, want: &[&str]) {
    let want: BTreeSet<Option<String>> = want.iter().map(|n| Some((*n).to_owned())).collect();
    let mut users = last_lists().get(&client.id).cloned();
    loop {
        if let Some(users) = users {
            let got: BTreeSet<Option<String>> = users.iter().cloned().collect();
            if got == want {
                assert_eq!(got.len(), users.len(), "no one listed twice: {users:?}");
                return;
            }
        }
        let v = recv(client).await;
        assert_eq!(
            kind(&v),
            Some("userlist"),
            "{}: got {}",
            client.name,
            v.to_json()
        );
        users = Some(users_of(&v));
    }
}

/// Logs in as `name`: `Err` with the name given instead. A marker sent to `name` comes back
/// once the login is settled (the relay handles a connection's frames in order); nobody else
/// hears of it.
async fn login_as(client: &mut Client, name: &str) -> Result<(), String> {
    client.send_username(name).await;
    client
        .send(format!(r#"{{"type":"marker","target":"{name}"}}"#))
        .await;
    loop {
        let v = recv(client).await;
        match kind(&v) {
            Some("rejectusername") => return Err(str_of(&v, "name").unwrap_or("").to_owned()),
            Some("marker") => return Ok(()),
            _ => {}
        }
    }
}

/// After a `username`: sends a chat marker and reads until its echo, which carries the name
/// the relay settled on (it handles a connection's frames in order, so the claim is done).
/// A renamed login must have been told by `rejectusername`.
async fn final_name(client: &mut Client, marker: &str) -> String {
    client
        .send(format!(r#"{{"type":"message","text":"{marker}"}}"#))
        .await;
    let mut rejected = None;
    loop {
        let v = recv(client).await;
        match kind(&v) {
            Some("rejectusername") => rejected = str_of(&v, "name").map(str::to_owned),
            Some("message") if str_of(&v, "text") == Some(marker) => {
                let name = str_of(&v, "name").expect("stamped name").to_owned();
                if let Some(rejected) = rejected {
                    assert_eq!(rejected, name, "rejectusername names the name given");
                }
                return name;
            }
            _ => {}
        }
    }
}

async fn send_call(from: &mut Client, kind: &str, target: Option<&str>, extra: &str) {
    let target = target.map_or("null".to_owned(), |t| format!("\"{t}\""));
    from.send(format!(
        r#"{{"type":"{kind}","name":"{}","target":{target}{extra}}}"#,
        from.name
    ))
    .await;
}

async fn expect_call(to: &mut Client, kind_: &str, from: &str) -> Value {
    let v = recv_skip_lists(to).await;
    assert_eq!(kind(&v), Some(kind_), "{}: got {}", to.name, v.to_json());
    assert_eq!(str_of(&v, "name"), Some(from));
    // As sent (names match case-insensitively), or the recipient's for an untargeted one.
    let target = str_of(&v, "target").map(str::to_lowercase);
    assert_eq!(target.as_deref(), Some(to.name.as_str()));
    v
}

const SDP: &str = r#","sdp":{"type":"offer","sdp":"v=0\r\n"}"#;
const ANSWER_SDP: &str = r#","sdp":{"type":"answer","sdp":"v=0\r\n"}"#;

/// Nothing but user lists is queued for `client`: a marker sent to itself comes next.
async fn nothing_pending(client: &mut Client) {
    let marker = format!(r#"{{"type":"marker","target":"{}"}}"#, client.name);
    client.send(marker).await;
    let v = recv_skip_lists(client).await;
    assert_eq!(
        kind(&v),
        Some("marker"),
        "{}: got {}",
        client.name,
        v.to_json()
    );
}

async fn chat(from: &mut Client, text: &str) {
    from.send(format!(r#"{{"type":"message","text":"{text}"}}"#))
        .await;
}

async fn expect_chat(client: &mut Client, from: &str, text: &str) {
    let v = recv_skip_lists(client).await;
    assert_eq!(
        kind(&v),
        Some("message"),
        "{}: got {}",
        client.name,
        v.to_json()
    );
    assert_eq!(str_of(&v, "text"), Some(text));
    assert_eq!(str_of(&v, "name"), Some(from));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_on_different_relays_see_each_other_chat_and_call() {
    let Some(redis) = RedisServer::start("users_on_different_relays_see_each_other") else {
        return;
    };
    let nodes = nodes(&redis, 3).await;
    let mut a = nodes[0].login("ann").await;
    let mut b = nodes[1].login("bob").await;
    let mut c = nodes[2].login("cy").await;
    for client in [&mut a, &mut b, &mut c] {
        until_list(client, &["ann", "bob", "cy"]).await;
    }
    // Chat reaches every relay once.
    chat(&mut a, "hello").await;
    for client in [&mut a, &mut b, &mut c] {
        expect_chat(client, "ann", "hello").await;
    }
    // A targeted call, ann on relay 0 and bob on relay 1.
    send_call(&mut a, "video-offer", Some("bob"), SDP).await;
    expect_call(&mut b, "video-offer", "ann").await;
    send_call(&mut b, "video-answer", Some("ann"), ANSWER_SDP).await;
    expect_call(&mut a, "video-answer", "bob").await;
    let ice = r#","candidate":{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host","sdpMid":"0","sdpMLineIndex":0}"#;
    send_call(&mut a, "new-ice-candidate", Some("BOB"), ice).await;
    expect_call(&mut b, "new-ice-candidate", "ann").await;
    send_call(&mut b, "hang-up", Some("ann"), "").await;
    expect_call(&mut a, "hang-up", "bob").await;
    // Only to the target: cy saw none of it (just the chat, read above).
    for client in [&mut a, &mut b, &mut c] {
        nothing_pending(client).await;
    }
    // Someone leaving leaves every relay's list.
    drop(c);
    until_list(&mut a, &["ann", "bob"]).await;
    until_list(&mut b, &["ann", "bob"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untargeted_hang_up_reaches_exactly_its_peer_across_relays() {
    let Some(redis) = RedisServer::start("an_untargeted_hang_up_reaches_exactly_its_peer") else {
        return;
    };
    let nodes = nodes(&redis, 3).await;
    let mut ann = nodes[0].login("ann").await;
    let mut bob = nodes[1].login("bob").await;
    let mut cy = nodes[2].login("cy").await;
    let mut dee = nodes[0].login("dee").await;
    // ann (relay 0) calls bob (relay 1); cy (relay 2) calls dee (relay 0, ann's relay).
    send_call(&mut ann, "video-offer", Some("bob"), SDP).await;
    expect_call(&mut bob, "video-offer", "ann").await;
    send_call(&mut bob, "video-answer", Some("ann"), ANSWER_SDP).await;
    expect_call(&mut ann, "video-answer", "bob").await;
    send_call(&mut cy, "video-offer", Some("dee"), SDP).await;
    expect_call(&mut dee, "video-offer", "cy").await;
    send_call(&mut dee, "video-answer", Some("cy"), ANSWER_SDP).await;
    expect_call(&mut cy, "video-answer", "dee").await;

    // The tutorial client's hang-up: no target. It reaches bob only, with bob as target.
    send_call(&mut ann, "hang-up", None, "").await;
    expect_call(&mut bob, "hang-up", "ann").await;
    // And the callee's side of the other call, untargeted too: cy only.
    send_call(&mut dee, "hang-up", None, "").await;
    expect_call(&mut cy, "hang-up", "dee").await;
    for client in [&mut ann, &mut bob, &mut cy, &mut dee] {
        nothing_pending(client).await;
    }
    // The links ended with the hang-ups: another untargeted one goes nowhere.
    send_call(&mut bob, "hang-up", None, "").await;
    for client in [&mut ann, &mut bob, &mut cy, &mut dee] {
        nothing_pending(client).await;
    }
    // A peer that goes away mid-call: the other relay's user hears "gone".
    send_call(&mut cy, "video-offer", Some("bob"), SDP).await;
    expect_call(&mut bob, "video-offer", "cy").await;
    send_call(&mut bob, "video-answer", Some("cy"), ANSWER_SDP).await;
    expect_call(&mut cy, "video-answer", "bob").await;
    drop(cy);
    let v = expect_call(&mut bob, "hang-up", "cy").await;
    assert_eq!(str_of(&v, "reason"), Some("gone"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_clients_on_three_relays_race_for_one_name() {
    let Some(redis) = RedisServer::start("a_hundred_clients_race_for_one_name") else {
        return;
    };
    let nodes = nodes(&redis, 3).await;
    let mut clients = Vec::new();
    for i in 0..100 {
        clients.push(nodes[i % 3].client(&format!("client{i}")).await);
    }
    // Every login sent before any answer is read: the claims race.
    for client in &mut clients {
        client.send_username("Racer").await;
    }
    let mut names = Vec::new();
    for (i, client) in clients.iter_mut().enumerate() {
        names.push(final_name(client, &format!("done{i}")).await);
    }
    let winners = names
        .iter()
        .filter(|n| n.eq_ignore_ascii_case("racer"))
        .count();
    assert_eq!(winners, 1, "exactly one gets the name: {names:?}");
    let distinct: BTreeSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(distinct.len(), 100, "every name differs: {names:?}");
    assert!(names.iter().all(|n| n.starts_with("Racer")), "{names:?}");
    // Every relay lists all 100 once.
    let want: Vec<&str> = names.iter().map(String::as_str).collect();
    // Clients 0, 1 and 2 are on relays 0, 1 and 2.
    for (i, client) in clients.iter_mut().take(3).enumerate() {
        let deadline = Instant::now() + Duration::from_secs(10);
        // The complete list may already have been read while waiting for the markers.
        let mut list = last_lists().get(&client.id).cloned();
        loop {
            if let Some(list) = &list {
                let users: BTreeSet<&Option<String>> = list.iter().collect();
                if users.len() == 100 && want.iter().all(|n| users.contains(&Some((*n).to_owned())))
                {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "relay {i} never listed all 100");
            list = Some(users_of(&recv_skip_chat(client).await));
        }
    }
}

/// The next user list, skipping the chat markers of the race.
async fn recv_skip_chat(client: &mut Client) -> Value {
    loop {
        let v = recv(client).await;
        if kind(&v) == Some("userlist") {
            return v;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_mid_call_leaves_the_lists_and_frees_its_names_within_ten_seconds() {
    let Some(redis) = RedisServer::start("a_relay_killed_mid_call") else {
        return;
    };
    let mut nodes = nodes(&redis, 3).await;
    let mut ann = nodes[0].login("ann").await;
    let mut bob = nodes[1].login("bob").await;
    let mut cy = nodes[2].login("cy").await;
    until_list(&mut bob, &["ann", "bob", "cy"]).await;
    send_call(&mut ann, "video-offer", Some("bob"), SDP).await;
    expect_call(&mut bob, "video-offer", "ann").await;
    send_call(&mut bob, "video-answer", Some("ann"), ANSWER_SDP).await;
    expect_call(&mut ann, "video-answer", "bob").await;

    let killed = Instant::now();
    nodes[0].kill();
    drop(ann);
    until_list(&mut bob, &["bob", "cy"]).await;
    until_list(&mut cy, &["bob", "cy"]).await;
    let listed = killed.elapsed();
    assert!(listed < Duration::from_secs(10), "lists took {listed:?}");
    // Its name is free again: a login on another relay gets it as asked.
    let mut again = nodes[2].client("ann").await;
    assert_eq!(login_as(&mut again, "ann").await, Ok(()));
    assert!(killed.elapsed() < Duration::from_secs(10));
    // The dead call's link went with it: bob's untargeted hang-up reaches nobody, and the new
    // ann is not rung by it.
    send_call(&mut bob, "hang-up", None, "").await;
    nothing_pending(&mut bob).await;
    nothing_pending(&mut again).await;

    // A relay started again in its place rejoins: its users and the others see each other,
    // a name held elsewhere stays taken, and a call crosses to it.
    nodes[0] = Node::start(&redis);
    let mut dee = nodes[0].login("dee").await;
    until_list(&mut dee, &["bob", "cy", "ann", "dee"]).await;
    until_list(&mut bob, &["bob", "cy", "ann", "dee"]).await;
    let mut twin = nodes[0].client("ann").await;
    assert_ne!(
        login_as(&mut twin, "ann").await,
        Ok(()),
        "ann is held on another relay"
    );
    send_call(&mut bob, "video-offer", Some("dee"), SDP).await;
    expect_call(&mut dee, "video-offer", "bob").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_and_started_relays_serve_their_own_and_end_without_duplicates() {
    let Some(mut redis) = RedisServer::start("redis_stopped_and_started") else {
        return;
    };
    let nodes = nodes(&redis, 3).await;
    let mut ann = nodes[0].login("ann").await;
    let mut al = nodes[0].login("al").await;
    let mut bob = nodes[1].login("bob").await;
    until_list(&mut bob, &["al", "ann", "bob"]).await;

    redis.stop();
    for node in &nodes {
        wait_healthz(node.addr, "redis: down", Duration::from_secs(10)).await;
    }
    // Each relay serves its own users: chat and calls between users of one relay.
    chat(&mut ann, "local").await;
    expect_chat(&mut ann, "ann", "local").await;
    expect_chat(&mut al, "ann", "local").await;
    send_call(&mut ann, "video-offer", Some("al"), SDP).await;
    expect_call(&mut al, "video-offer", "ann").await;
    // Logins still work, locally: the same name on two relays, both held provisionally.
    let zed0 = nodes[0].login("zed").await;
    let zed1 = nodes[1].login("zed").await;

    redis.spawn();
    for node in &nodes {
        wait_healthz(node.addr, "redis: ok", Duration::from_secs(20)).await;
    }
    // One keeps "zed"; the other is renamed (rejectusername) by its relay.
    let mut zeds = [zed0, zed1];
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut renamed = None;
    while renamed.is_none() {
        for (i, zed) in zeds.iter_mut().enumerate() {
            if let Ok(v) = tokio::time::timeout(Duration::from_millis(100), recv(zed)).await {
                if kind(&v) == Some("rejectusername") {
                    renamed = Some((i, str_of(&v, "name").expect("name").to_owned()));
                }
            }
        }
        assert!(Instant::now() < deadline, "neither zed was renamed");
    }
    let (i, new_name) = renamed.expect("renamed");
    assert_ne!(new_name.to_lowercase(), "zed");
    zeds[i].name = new_name.clone();
    // Every relay ends with one list: everyone once, no duplicates.
    let want = ["al", "ann", "bob", "zed", new_name.as_str()];
    until_list(&mut bob, &want).await;
    until_list(&mut ann, &want).await;
    // Crossing works again.
    chat(&mut bob, "again").await;
    expect_chat(&mut ann, "bob", "again").await;
    expect_chat(&mut al, "bob", "again").await;
    let mut c = nodes[2].login("cy").await;
    until_list(
        &mut c,
        &["al", "ann", "bob", "cy", "zed", new_name.as_str()],
    )
    .await;
}

#[tokio::test]
async fn without_redis_healthz_is_unchanged() {
    let relay = Relay::start_default().await;
    assert_eq!(healthz(relay.addr).await, (200, "ok\n".to_owned()));
}

/// Reads `client`'s frames until a `marker` (`Ok`) or an `error` (`Err` with its text); every
/// user list on the way must fit in `limit` bytes.
async fn until_marker_or_error(client: &mut Client, limit: usize) -> Result<(), String> {
    loop {
        let v = recv(client).await;
        match kind(&v) {
            Some("userlist") => {
                let bytes = v.to_json().len();
                assert!(bytes <= limit, "{}: a {bytes}-byte user list", client.name);
            }
            Some("marker") => return Ok(()),
            Some("error") => return Err(str_of(&v, "text").unwrap_or("").to_owned()),
            _ => {}
        }
    }
}

/// Logs in as `name` (a marker to itself follows); `Err`: the relay's `error`.
async fn try_login(client: &mut Client, name: &str, limit: usize) -> Result<(), String> {
    client.name = name.to_owned();
    client.send_username(name).await;
    client
        .send(format!(r#"{{"type":"marker","target":"{name}"}}"#))
        .await;
    let result = until_marker_or_error(client, limit).await;
    if result.is_err() {
        // The marker's own refusal (not logged in).
        let _ = until_marker_or_error(client, limit).await;
    }
    result
}

/// Every frame queued for a logged-in `client` so far, its user lists checked.
async fn drain(client: &mut Client, limit: usize) {
    client
        .send(format!(r#"{{"type":"marker","target":"{}"}}"#, client.name))
        .await;
    assert_eq!(until_marker_or_error(client, limit).await, Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_filled_from_three_relays_keeps_its_user_list_within_the_limit() {
    let Some(redis) = RedisServer::start("a_room_filled_from_three_relays") else {
        return;
    };
    const LIMIT: usize = 1024;
    let mut nodes: Vec<Node> = (0..3)
        .map(|_| {
            Node::start_with(
                &redis,
                &["--max-list-bytes", "1024", "--login-timeout", "60"],
            )
        })
        .collect();
    for node in &nodes {
        wait_healthz(node.addr, "redis: ok", Duration::from_secs(10)).await;
    }
    let long = |i: usize| format!("{}{i:02}", "L".repeat(60));
    // By the relay's own size rule: how many of these names one list holds.
    let fits =
        relay::user_list::entries_budget(LIMIT) / relay::user_list::entry_bytes(Some(&long(0)));

    // Long names logged in on the three relays in turn until one is refused.
    let mut clients: Vec<(usize, Client)> = Vec::new();
    let (refused_on, mut refused) = loop {
        let i = clients.len();
        let mut client = nodes[i % 3].client("").await;
        match try_login(&mut client, &long(i), LIMIT).await {
            Ok(()) => clients.push((i % 3, client)),
            Err(text) => {
                assert!(text.contains("user list is full"), "{text}");
                break (i % 3, client);
            }
        }
        assert!(i < 100, "never refused");
    };
    assert_eq!(
        clients.len(),
        fits,
        "as many as one relay's list would hold"
    );
    // Refused on another relay too, and the connection stays, as on one relay.
    let mut again = nodes[(refused_on + 1) % 3].client("").await;
    let text = try_login(&mut again, &long(98), LIMIT).await.unwrap_err();
    assert!(text.contains("user list is full"), "{text}");
    for (_, client) in &mut clients {
        // Lists come a window after the change: read on until the full one (the refused
        // connections, unnamed, are `null` on their own relay).
        let named = |c: &Client| {
            last_lists()
                .get(&c.id)
                .map_or(0, |u| u.iter().flatten().count())
        };
        while named(client) != fits {
            let v = recv(client).await;
            assert_eq!(kind(&v), Some("userlist"), "{}", v.to_json());
            assert!(v.to_json().len() <= LIMIT);
        }
        drain(client, LIMIT).await;
    }

    // Two leave (from two relays): the refused connection now gets its name.
    let first_on = |node: usize, clients: &[(usize, Client)]| {
        clients
            .iter()
            .position(|(n, _)| *n == node)
            .expect("a user there")
    };
    for node in [0, 1] {
        let i = first_on(node, &clients);
        let (_, mut gone) = clients.remove(i);
        let _ = gone.ws.close(None).await;
    }
    let name = long(50);
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Err(text) = try_login(&mut refused, &name, LIMIT).await {
        assert!(text.contains("user list is full"), "{text}");
        assert!(Instant::now() < deadline, "no room after two left");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    clients.push((refused_on, refused));
    // The other place goes to the connection refused on the next relay; then it is full again.
    assert_eq!(try_login(&mut again, &long(51), LIMIT).await, Ok(()));
    clients.push(((refused_on + 1) % 3, again));
    let mut late = nodes[2].client("").await;
    let text = try_login(&mut late, &long(98), LIMIT).await.unwrap_err();
    assert!(text.contains("user list is full"), "{text}");

    // A relay killed: its users are reaped, their bytes come back to the others.
    let on_killed = clients.iter().filter(|(n, _)| *n == 2).count();
    assert!(on_killed > 0);
    nodes[2].kill();
    clients.retain(|(n, _)| *n != 2);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut joined = 0;
    while joined < on_killed {
        let name = long(70 + joined);
        let mut client = nodes[joined % 2].client("").await;
        match try_login(&mut client, &name, LIMIT).await {
            Ok(()) => {
                clients.push((joined % 2, client));
                joined += 1;
            }
            Err(text) => {
                assert!(text.contains("user list is full"), "{text}");
                assert!(joined == 0, "every killed user's place comes back at once");
                assert!(Instant::now() < deadline, "the killed relay's names stay");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    let mut late = nodes[0].client("").await;
    let text = try_login(&mut late, &long(98), LIMIT).await.unwrap_err();
    assert!(text.contains("user list is full"), "{text}");
    for (_, client) in &mut clients {
        drain(client, LIMIT).await;
    }
}
