//! The words the person reads or hears, one table per language (English, Korean), with named
//! `{placeholder}`s filled in by [`fill`]. Every text is a whole sentence in its table: word
//! order differs between the languages, so no sentence is built by concatenation. Chat text
//! and user names are only ever *values* of placeholders: never translated.
//!
//! Each table is one string, a text per line, in the order of [`Key`] (a key is its line
//! number). Measured against a `match` per language returning each text, plus a `match` from
//! page names to keys: that form cost 7.9 KB of gzipped page (README, "Bundle size"). No
//! `format!`, and no `str` slicing by index (its panic path pulls in the formatter: 4 KB of
//! wasm); one byte loop (`cut`) serves the lookups and the placeholders alike.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

/// The language of the page and of the core's notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// Both languages, for the table test.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// The BCP 47 tag, for `<html lang>`, the `#lang` switch and the `lang` setting.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// `ko`, `ko-KR`, `EN`, `en_GB`… → the language; anything else → `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let b = tag.as_bytes();
        // The primary subtag, two letters, case-insensitive; then the end or a separator.
        if !matches!(b.get(2), None | Some(b'-' | b'_')) {
            return None;
        }
        match (b.first()? | 0x20, b.get(1)? | 0x20) {
            (b'e', b'n') => Some(Lang::En),
            (b'k', b'o') => Some(Lang::Ko),
            _ => None,
        }
    }

    /// The first of the browser's preferred languages (`navigator.languages`) that we have;
    /// English when none is.
    pub fn pick<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::parse)
            .unwrap_or_default()
    }

    fn table(self) -> &'static str {
        match self {
            Lang::En => EN,
            Lang::Ko => KO,
        }
    }
}

/// One text of the tables: its line number in both. The first keys are the page's labels, in
/// the order of [`PAGE`]. Add a key here and a line at the same place in both tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Key {
    // The page's labels (data-i18n, data-i18n-label, data-i18n-title: docs/page.md).
    LabelName,
    LabelLogIn,
    LabelUsers,
    LabelAccept,
    LabelDecline,
    LabelHangUp,
    LabelMute,
    LabelCameraOff,
    LabelShare,
    LabelStats,
    LabelSend,
    LabelMessage,
    LabelLanguage,
    LabelRemoteVideo,
    LabelLocalVideo,
    LabelIncoming,
    LabelCallDetails,
    LabelSasHelp,
    LabelPip,
    LabelHeading,
    LabelCameraPicker,
    LabelMicPicker,
    /// Shown by the page itself, in `#error` (it is about the page's configuration).
    RoomInvalid,
    // Refusals and notices (the error box).
    EnterName,
    HangUpBeforeRename,
    ServerRefused,
    LogInToChat,
    LogInBeforeCalling,
    ChooseSomeone,
    NotConnectedYet,
    CannotCallYourself,
    AnswerFirst,
    AlreadyInCall,
    NotOnline,
    PeerBusy,
    PeerDeclined,
    PeerMedia,
    CallFailed,
    PeerLeft,
    PeerNoAnswer,
    PeerHungUp,
    ShareNeedsCall,
    MissedCall,
    CallClosed,
    PeerTracksEnded,
    CallOpFailed,
    ConnectionFailed,
    IceServerFailed,
    NoNetworkPath,
    ConnectionLost,
    // getUserMedia failures.
    MediaNotFound,
    MediaDenied,
    MediaInsecure,
    MediaNotReadable,
    MediaOverconstrained,
    MediaOverconstrainedBy,
    MediaAborted,
    MediaUnsupported,
    MediaOther,
    MediaOtherMessage,
    // The signaling server cannot be reached (the status line): whole notices, `{when}` one of
    // the two sentences after them (one `render` for the notice: README, "Bundle size").
    Unreachable1,
    UnreachableN,
    UnreachableAt1,
    UnreachableAtN,
    RetryIn,
    RetryNow,
    // The status line.
    StatusConnected,
    StatusNotConnected,
    StatusStartingMedia,
    StatusConnecting,
    StatusInCall,
    StatusReconnecting,
    StatusRinging,
    StatusCalling,
    // The polite live region (#announce).
    AnnounceIncoming,
    AnnounceStarted,
    AnnounceEnded,
    // In a call: the peer's switches, quality, verification code, room, figures.
    PeerMuted,
    PeerCameraOff,
    PeerMutedCameraOff,
    QualityGood,
    QualityFair,
    QualityPoor,
    Sas,
    Room,
    StatRtt,
    StatLoss,
    StatIn,
    StatOut,
    StatSize,
    StatFps,
    StatPath,
    // The camera and microphone pickers.
    CameraUnplugged,
    MicUnplugged,
    NoSuchCamera,
    NoSuchMic,
    DefaultCamera,
    DefaultMic,
    CameraN,
    MicN,
}

impl Key {
    /// How many keys (and lines in each table) there are.
    pub const COUNT: usize = Key::MicN as usize + 1;
}

/// The names the page's `data-i18n*` attributes use, in the order of the first [`Key`]s, one
/// string with a space after each: an array of `&str` costs a pointer and a length per name.
pub const PAGE: &str = "name login users accept decline hangup mute camera share stats send \
    message language remoteVideo localVideo incoming callDetails sasHelp pip heading \
    cameraPicker micPicker roomInvalid ";

/// The English table: a line per [`Key`], in its order.
const EN: &str = "Name
Log in
Users
Accept
Decline
Hang Up
Mute
Camera off
Share screen
Call statistics
Send
Message
Language
The other person's video
Your camera
Incoming call
Call details
Read this code aloud to the other person. If theirs is the same, nobody is listening in between; if not, hang up.
Picture in picture
WebRTC chat
Camera
Microphone
This room name is not valid: use letters, digits, - and _ (at most 64).
Enter a user name to log in.
Hang up the call with {peer} before changing your name.
The server refused a message: {text}
Log in to chat.
Log in before calling someone.
Choose someone to call.
Not connected to the server yet; try again in a moment.
You can't call yourself.
Accept or decline the incoming call first.
You are already in a call with {peer}. Hang up first.
{peer} is not online.
{peer} is busy.
{peer} declined the call.
{peer} could not start their camera or microphone.
The call with {peer} failed.
{peer} left.
{peer} did not answer.
{peer} hung up.
Start a call to share your screen.
Missed call from {peer}.
The call with {peer} was closed.
{peer}'s camera and microphone stopped.
The call with {peer} failed ({what}: {message}).
The connection to {peer} failed.
Could not connect to {peer}: the ICE server failed ({why}). Check the TURN server and its credentials.
Could not connect to {peer}: no network path was found.
The connection to {peer} was lost and could not be restored ({n} attempts in {secs} s).
No camera or microphone was found. Plug one in and try again.
Access to the camera and microphone was denied. Allow it for this site in the browser's settings (the icon in the address bar) and try again.
This page is not allowed to use the camera and microphone. Open it over https (or from localhost).
The camera or microphone could not be started: another application may be using it. Close that application and try again.
No camera or microphone matches the requested settings.
No camera or microphone matches the requested settings (\"{constraint}\").
Starting the camera or microphone was interrupted. Try again.
This browser cannot use the camera and microphone here. Open the page over https (or from localhost) in an up-to-date browser.
The camera or microphone could not be started ({name}).
The camera or microphone could not be started ({name}: {message}).
Cannot reach the signaling server (1 failed attempt). {when} Check that the server is running at that address and accepts WebSocket subprotocol \"json\" (our relay: cargo run -p webrtc-chat-relay), or give the page another one: ?signal=ws://host:port/signal.
Cannot reach the signaling server ({n} failed attempts). {when} Check that the server is running at that address and accepts WebSocket subprotocol \"json\" (our relay: cargo run -p webrtc-chat-relay), or give the page another one: ?signal=ws://host:port/signal.
Cannot reach the signaling server at {server} (1 failed attempt). {when} Check that the server is running at that address and accepts WebSocket subprotocol \"json\" (our relay: cargo run -p webrtc-chat-relay), or give the page another one: ?signal=ws://host:port/signal.
Cannot reach the signaling server at {server} ({n} failed attempts). {when} Check that the server is running at that address and accepts WebSocket subprotocol \"json\" (our relay: cargo run -p webrtc-chat-relay), or give the page another one: ?signal=ws://host:port/signal.
Trying again in {secs} s.
Trying again now…
Connected
Not connected
Starting camera and microphone…
Connecting to {peer}…
In a call with {peer}
Connection to {peer} interrupted, reconnecting…
{peer} is calling…
Calling {peer}…
{peer} is calling you.
The call with {peer} started.
The call with {peer} ended.
{peer} muted
{peer}: camera off
{peer} muted, camera off
Call quality: good
Call quality: fair
Call quality: poor
Verification code: {code}
Room: {room}
Round trip
Packet loss
Receiving
Sending
Video received
Frame rate
Path
The camera in use was unplugged: using the default camera.
The microphone in use was unplugged: using the default microphone.
No such camera.
No such microphone.
Default camera
Default microphone
Camera {n}
Microphone {n}";

/// The Korean table (polite 해요체, as Korean apps address their users), in [`Key`] order.
const KO: &str = "이름
로그인
사용자
받기
거절
끊기
음소거
카메라 끄기
화면 공유
통화 통계
보내기
메시지
언어
상대방 영상
내 카메라
걸려 온 전화
통화 정보
이 코드를 상대방에게 소리 내어 읽어 주세요. 같으면 중간에서 엿듣는 사람이 없고, 다르면 전화를 끊으세요.
화면 속 화면
WebRTC 채팅
카메라
마이크
방 이름이 올바르지 않아요. 영문자, 숫자, -, _만 쓸 수 있어요(64자 이하).
로그인하려면 사용자 이름을 입력하세요.
이름을 바꾸기 전에 {peer} 님과의 통화를 끊으세요.
서버가 메시지를 거부했어요: {text}
채팅하려면 로그인하세요.
전화를 걸기 전에 로그인하세요.
전화할 사람을 고르세요.
아직 서버에 연결되지 않았어요. 잠시 후 다시 시도하세요.
자기 자신에게는 전화할 수 없어요.
먼저 걸려 온 전화를 받거나 거절하세요.
이미 {peer} 님과 통화 중이에요. 먼저 통화를 끊으세요.
{peer} 님은 접속해 있지 않아요.
{peer} 님은 통화 중이에요.
{peer} 님이 전화를 거절했어요.
{peer} 님의 카메라나 마이크를 켤 수 없었어요.
{peer} 님과의 통화가 실패했어요.
{peer} 님이 나갔어요.
{peer} 님이 받지 않았어요.
{peer} 님이 전화를 끊었어요.
화면을 공유하려면 먼저 통화를 시작하세요.
{peer} 님의 부재중 전화가 있어요.
{peer} 님과의 통화가 닫혔어요.
{peer} 님의 카메라와 마이크가 멈췄어요.
{peer} 님과의 통화가 실패했어요({what}: {message}).
{peer} 님과의 연결이 실패했어요.
{peer} 님에게 연결할 수 없었어요. ICE 서버가 실패했어요({why}). TURN 서버와 인증 정보를 확인하세요.
{peer} 님에게 연결할 수 없었어요. 네트워크 경로를 찾지 못했어요.
{peer} 님과의 연결이 끊겼고 복구하지 못했어요({secs}초 동안 {n}번 시도).
카메라나 마이크를 찾지 못했어요. 장치를 연결하고 다시 시도하세요.
카메라와 마이크 사용이 거부되었어요. 주소 표시줄의 아이콘에서 이 사이트에 허용하고 다시 시도하세요.
이 페이지는 카메라와 마이크를 쓸 수 없어요. https(또는 localhost)로 여세요.
카메라나 마이크를 켤 수 없었어요. 그것을 쓰는 다른 앱을 닫고 다시 시도하세요.
요청한 설정에 맞는 카메라나 마이크가 없어요.
요청한 설정에 맞는 카메라나 마이크가 없어요(\"{constraint}\").
카메라나 마이크를 켜는 중에 중단되었어요. 다시 시도하세요.
이 브라우저는 여기서 카메라와 마이크를 쓸 수 없어요. 최신 브라우저에서 https(또는 localhost)로 여세요.
카메라나 마이크를 켤 수 없었어요({name}).
카메라나 마이크를 켤 수 없었어요({name}: {message}).
시그널링 서버에 연결할 수 없어요(1번 실패). {when} 서버가 그 주소에서 실행 중이고 WebSocket 하위 프로토콜 \"json\"을 받는지 확인하거나(우리 릴레이: cargo run -p webrtc-chat-relay), 다른 서버를 주세요: ?signal=ws://host:port/signal.
시그널링 서버에 연결할 수 없어요({n}번 실패). {when} 서버가 그 주소에서 실행 중이고 WebSocket 하위 프로토콜 \"json\"을 받는지 확인하거나(우리 릴레이: cargo run -p webrtc-chat-relay), 다른 서버를 주세요: ?signal=ws://host:port/signal.
시그널링 서버 {server}에 연결할 수 없어요(1번 실패). {when} 서버가 그 주소에서 실행 중이고 WebSocket 하위 프로토콜 \"json\"을 받는지 확인하거나(우리 릴레이: cargo run -p webrtc-chat-relay), 다른 서버를 주세요: ?signal=ws://host:port/signal.
시그널링 서버 {server}에 연결할 수 없어요({n}번 실패). {when} 서버가 그 주소에서 실행 중이고 WebSocket 하위 프로토콜 \"json\"을 받는지 확인하거나(우리 릴레이: cargo run -p webrtc-chat-relay), 다른 서버를 주세요: ?signal=ws://host:port/signal.
{secs}초 후에 다시 시도해요.
지금 다시 시도하는 중…
연결됨
연결 안 됨
카메라와 마이크를 켜는 중…
{peer} 님에게 연결하는 중…
{peer} 님과 통화 중
{peer} 님과의 연결이 끊겨 다시 연결하는 중…
{peer} 님의 전화…
{peer} 님에게 거는 중…
{peer} 님에게서 전화가 왔어요.
{peer} 님과 통화를 시작했어요.
{peer} 님과의 통화가 끝났어요.
{peer} 님 음소거
{peer} 님 카메라 꺼짐
{peer} 님 음소거, 카메라 꺼짐
통화 품질: 좋음
통화 품질: 보통
통화 품질: 나쁨
확인 코드: {code}
방: {room}
왕복 시간
패킷 손실
받는 중
보내는 중
받은 영상
프레임 속도
경로
쓰던 카메라가 빠졌어요. 기본 카메라를 써요.
쓰던 마이크가 빠졌어요. 기본 마이크를 써요.
그런 카메라는 없어요.
그런 마이크는 없어요.
기본 카메라
기본 마이크
카메라 {n}
마이크 {n}";

/// `key`'s text in `lang`, placeholders unfilled.
pub fn template(lang: Lang, key: Key) -> &'static str {
    line(lang, key as usize)
}

fn line(lang: Lang, i: usize) -> &'static str {
    let mut rest = lang.table();
    for _ in 0..i {
        rest = cut(rest, b'\n').map_or("", |(_, tail)| tail);
    }
    cut(rest, b'\n').map_or(rest, |(line, _)| line)
}

/// `s` split at its first `byte` (an ASCII one), without it. A byte loop rather than `split` or
/// `split_once` by a `char`: their searcher cost wasm bytes, and this serves both the table
/// lookups and the placeholders (README, "Bundle size").
fn cut(s: &str, byte: u8) -> Option<(&str, &str)> {
    let mut i = 0;
    while *s.as_bytes().get(i)? != byte {
        i += 1;
    }
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The text of a page element's `data-i18n*` name (docs/page.md), in `lang`.
pub fn page(lang: Lang, name: &str) -> Option<&'static str> {
    let mut rest = PAGE;
    let mut i = 0;
    while let Some((n, tail)) = cut(rest, b' ') {
        if n == name {
            return Some(line(lang, i));
        }
        rest = tail;
        i += 1;
    }
    None
}

/// A text to show: its key and the values of its placeholders, kept so that it can be
/// worded again in another language (the core's error box when `#lang` changes).
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub key: Key,
    pub args: Vec<(&'static str, String)>,
}

impl Text {
    pub fn new(key: Key) -> Text {
        Text {
            key,
            args: Vec::new(),
        }
    }

    /// `key` about `peer` (most texts have only that placeholder).
    pub fn peer(key: Key, peer: &str) -> Text {
        Text::new(key).with("peer", peer)
    }

    pub fn with(mut self, name: &'static str, value: &str) -> Text {
        self.args.push((name, value.to_owned()));
        self
    }

    /// The text in `lang`, each `{name}` replaced by its value. Values go in as they are (a
    /// user name containing `{peer}` stays literal: the template is scanned once).
    pub fn render(&self, lang: Lang) -> String {
        let mut rest = template(lang, self.key);
        let mut out = String::new();
        while let Some((head, tail)) = cut(rest, b'{') {
            out.push_str(head);
            rest = tail;
            let Some((name, tail)) = cut(rest, b'}') else {
                out.push('{');
                break;
            };
            match self.args.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => {
                    out.push_str(value);
                    rest = tail;
                }
                None => out.push('{'),
            }
        }
        out.push_str(rest);
        out
    }
}

/// `key` in `lang` with each `{name}` replaced by its value (tests and one-off texts).
pub fn render(lang: Lang, key: Key, args: &[(&'static str, &str)]) -> String {
    let mut text = Text::new(key);
    for (name, value) in args {
        text = text.with(name, value);
    }
    text.render(lang)
}

/// The `{names}` of a template, sorted, for the table test.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_table_has_a_line_for_every_key_with_the_same_placeholders() {
        let lines_en: Vec<&str> = EN.split('\n').collect();
        for lang in Lang::ALL {
            let lines: Vec<&str> = lang.table().split('\n').collect();
            assert_eq!(
                lines.len(),
                Key::COUNT,
                "{lang:?}: one line per key, no more, no less"
            );
            for (i, text) in lines.iter().enumerate() {
                assert!(!text.trim().is_empty(), "{lang:?}: line {i} is empty");
                assert_eq!(
                    placeholders(text),
                    placeholders(lines_en[i]),
                    "{lang:?}: line {i} ({text}) has other placeholders than in English"
                );
            }
        }
        // The order is the keys' (a line slipped out of place shows here).
        assert_eq!(template(Lang::En, Key::LabelHeading), "WebRTC chat");
        assert_eq!(
            template(Lang::En, Key::EnterName),
            "Enter a user name to log in."
        );
        assert_eq!(
            template(Lang::En, Key::RoomInvalid).get(..9),
            Some("This room")
        );
        assert_eq!(template(Lang::Ko, Key::StatPath), "경로");
        assert_eq!(
            template(Lang::En, Key::MediaNotFound).get(..9),
            Some("No camera")
        );
        assert_eq!(template(Lang::En, Key::StatusConnected), "Connected");
        assert_eq!(template(Lang::En, Key::PeerMuted), "{peer} muted");
    }

    #[test]
    fn every_page_name_has_a_label() {
        assert_eq!(page(Lang::En, "name"), Some("Name"));
        assert_eq!(page(Lang::En, "hangup"), Some("Hang Up"));
        assert_eq!(page(Lang::Ko, "accept"), Some("받기"));
        assert_eq!(
            page(Lang::En, "remoteVideo"),
            Some("The other person's video")
        );
        assert_eq!(page(Lang::En, "pip"), Some("Picture in picture"));
        assert_eq!(page(Lang::En, "heading"), Some("WebRTC chat"));
        assert_eq!(
            page(Lang::Ko, "roomInvalid"),
            Some(template(Lang::Ko, Key::RoomInvalid))
        );
        assert_eq!(page(Lang::En, "chat"), None);
        assert_eq!(page(Lang::En, "nam"), None);
        // A name for each label key, no more.
        assert_eq!(PAGE.matches(' ').count(), Key::RoomInvalid as usize + 1);
    }

    #[test]
    fn placeholders_are_filled_by_name_and_values_stay_literal() {
        assert_eq!(
            render(Lang::En, Key::AlreadyInCall, &[("peer", "bob")]),
            "You are already in a call with bob. Hang up first."
        );
        assert_eq!(
            render(Lang::Ko, Key::PeerHungUp, &[("peer", "{peer}")]),
            "{peer} 님이 전화를 끊었어요."
        );
        // A placeholder without a value stays as it is.
        assert_eq!(
            render(Lang::En, Key::Room, &[("peer", "x")]),
            "Room: {room}"
        );
        let t = Text::new(Key::LabelName).with("x", "1");
        assert_eq!(t.render(Lang::En), "Name");
        // Korean word order: the values land where the Korean sentence puts them.
        let t = Text::peer(Key::ConnectionLost, "bob")
            .with("n", "3")
            .with("secs", "30");
        assert_eq!(
            t.render(Lang::Ko),
            "bob 님과의 연결이 끊겼고 복구하지 못했어요(30초 동안 3번 시도)."
        );
    }

    #[test]
    fn the_browsers_first_known_language_wins() {
        assert_eq!(Lang::pick(["fr-FR", "ko-KR", "en"]), Lang::Ko);
        assert_eq!(Lang::pick(["en-GB", "ko"]), Lang::En);
        assert_eq!(Lang::pick(["de"]), Lang::En);
        assert_eq!(Lang::parse("KO"), Some(Lang::Ko));
        assert_eq!(Lang::parse("en_US"), Some(Lang::En));
        assert_eq!(Lang::parse("eng"), None);
        assert_eq!(Lang::parse("k"), None);
        assert_eq!(Lang::parse(""), None);
    }
}
