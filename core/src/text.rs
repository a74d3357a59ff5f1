//! The words the person reads, one table per language (English, Korean), with named
//! `{placeholder}`s filled in by [`render`]. Every text is a whole sentence in its table:
//! word order differs between the languages, so no sentence is built by concatenation.
//! Chat text and user names are only ever *values* of placeholders: never translated.

/// The language of the page and of the core's notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// Both languages, for the page's switch and the table test.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// The BCP 47 tag, for `<html lang>` and the `lang` setting.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// `ko`, `ko-KR`, `EN`, `en-GB`… → the language; anything else → `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
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
}

/// One text of either table. Add a key to [`Key::ALL`] and to both tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
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
    StatusConnected,
    StatusNotConnected,
    StatusStartingMedia,
    StatusConnecting,
    StatusInCall,
    StatusReconnecting,
    StatusRinging,
    StatusCalling,
    AnnounceIncoming,
    AnnounceStarted,
    AnnounceEnded,
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
}

impl Key {
    pub const ALL: [Key; 46] = [
        Key::EnterName,
        Key::HangUpBeforeRename,
        Key::ServerRefused,
        Key::LogInToChat,
        Key::LogInBeforeCalling,
        Key::ChooseSomeone,
        Key::NotConnectedYet,
        Key::CannotCallYourself,
        Key::AnswerFirst,
        Key::AlreadyInCall,
        Key::NotOnline,
        Key::PeerBusy,
        Key::PeerDeclined,
        Key::PeerMedia,
        Key::CallFailed,
        Key::PeerLeft,
        Key::PeerNoAnswer,
        Key::PeerHungUp,
        Key::StatusConnected,
        Key::StatusNotConnected,
        Key::StatusStartingMedia,
        Key::StatusConnecting,
        Key::StatusInCall,
        Key::StatusReconnecting,
        Key::StatusRinging,
        Key::StatusCalling,
        Key::AnnounceIncoming,
        Key::AnnounceStarted,
        Key::AnnounceEnded,
        Key::LabelName,
        Key::LabelLogIn,
        Key::LabelUsers,
        Key::LabelAccept,
        Key::LabelDecline,
        Key::LabelHangUp,
        Key::LabelMute,
        Key::LabelCameraOff,
        Key::LabelShare,
        Key::LabelStats,
        Key::LabelSend,
        Key::LabelMessage,
        Key::LabelLanguage,
        Key::LabelRemoteVideo,
        Key::LabelLocalVideo,
        Key::LabelIncoming,
        Key::LabelCallDetails,
    ];

    /// The key of a page element's `data-i18n` / `data-i18n-label` (docs/page.md).
    pub fn page(name: &str) -> Option<Key> {
        Some(match name {
            "name" => Key::LabelName,
            "login" => Key::LabelLogIn,
            "users" => Key::LabelUsers,
            "accept" => Key::LabelAccept,
            "decline" => Key::LabelDecline,
            "hangup" => Key::LabelHangUp,
            "mute" => Key::LabelMute,
            "camera" => Key::LabelCameraOff,
            "share" => Key::LabelShare,
            "stats" => Key::LabelStats,
            "send" => Key::LabelSend,
            "message" => Key::LabelMessage,
            "language" => Key::LabelLanguage,
            "remoteVideo" => Key::LabelRemoteVideo,
            "localVideo" => Key::LabelLocalVideo,
            "incoming" => Key::LabelIncoming,
            "callDetails" => Key::LabelCallDetails,
            _ => return None,
        })
    }
}

/// The English table. A `match` rather than a map: a key missing here does not compile.
fn en(key: Key) -> &'static str {
    match key {
        Key::EnterName => "Enter a user name to log in.",
        Key::HangUpBeforeRename => "Hang up the call with {peer} before changing your name.",
        Key::ServerRefused => "The server refused a message: {text}",
        Key::LogInToChat => "Log in to chat.",
        Key::LogInBeforeCalling => "Log in before calling someone.",
        Key::ChooseSomeone => "Choose someone to call.",
        Key::NotConnectedYet => "Not connected to the server yet; try again in a moment.",
        Key::CannotCallYourself => "You can't call yourself.",
        Key::AnswerFirst => "Accept or decline the incoming call first.",
        Key::AlreadyInCall => "You are already in a call with {peer}. Hang up first.",
        Key::NotOnline => "{peer} is not online.",
        Key::PeerBusy => "{peer} is busy.",
        Key::PeerDeclined => "{peer} declined the call.",
        Key::PeerMedia => "{peer} could not start their camera or microphone.",
        Key::CallFailed => "The call with {peer} failed.",
        Key::PeerLeft => "{peer} left.",
        Key::PeerNoAnswer => "{peer} did not answer.",
        Key::PeerHungUp => "{peer} hung up.",
        Key::StatusConnected => "Connected",
        Key::StatusNotConnected => "Not connected",
        Key::StatusStartingMedia => "Starting camera and microphone…",
        Key::StatusConnecting => "Connecting to {peer}…",
        Key::StatusInCall => "In a call with {peer}",
        Key::StatusReconnecting => "Connection to {peer} interrupted, reconnecting…",
        Key::StatusRinging => "{peer} is calling…",
        Key::StatusCalling => "Calling {peer}…",
        Key::AnnounceIncoming => "{peer} is calling you.",
        Key::AnnounceStarted => "The call with {peer} started.",
        Key::AnnounceEnded => "The call with {peer} ended.",
        Key::LabelName => "Name",
        Key::LabelLogIn => "Log in",
        Key::LabelUsers => "Users",
        Key::LabelAccept => "Accept",
        Key::LabelDecline => "Decline",
        Key::LabelHangUp => "Hang Up",
        Key::LabelMute => "Mute",
        Key::LabelCameraOff => "Camera off",
        Key::LabelShare => "Share screen",
        Key::LabelStats => "Call statistics",
        Key::LabelSend => "Send",
        Key::LabelMessage => "Message",
        Key::LabelLanguage => "Language",
        Key::LabelRemoteVideo => "The other person's video",
        Key::LabelLocalVideo => "Your camera",
        Key::LabelIncoming => "Incoming call",
        Key::LabelCallDetails => "Call details",
    }
}

/// The Korean table (polite 해요체, as Korean apps address their users).
fn ko(key: Key) -> &'static str {
    match key {
        Key::EnterName => "로그인하려면 사용자 이름을 입력하세요.",
        Key::HangUpBeforeRename => "이름을 바꾸기 전에 {peer} 님과의 통화를 끊으세요.",
        Key::ServerRefused => "서버가 메시지를 거부했어요: {text}",
        Key::LogInToChat => "채팅하려면 로그인하세요.",
        Key::LogInBeforeCalling => "전화를 걸기 전에 로그인하세요.",
        Key::ChooseSomeone => "전화할 사람을 고르세요.",
        Key::NotConnectedYet => "아직 서버에 연결되지 않았어요. 잠시 후 다시 시도하세요.",
        Key::CannotCallYourself => "자기 자신에게는 전화할 수 없어요.",
        Key::AnswerFirst => "먼저 걸려 온 전화를 받거나 거절하세요.",
        Key::AlreadyInCall => "이미 {peer} 님과 통화 중이에요. 먼저 통화를 끊으세요.",
        Key::NotOnline => "{peer} 님은 접속해 있지 않아요.",
        Key::PeerBusy => "{peer} 님은 통화 중이에요.",
        Key::PeerDeclined => "{peer} 님이 전화를 거절했어요.",
        Key::PeerMedia => "{peer} 님의 카메라나 마이크를 켤 수 없었어요.",
        Key::CallFailed => "{peer} 님과의 통화가 실패했어요.",
        Key::PeerLeft => "{peer} 님이 나갔어요.",
        Key::PeerNoAnswer => "{peer} 님이 받지 않았어요.",
        Key::PeerHungUp => "{peer} 님이 전화를 끊었어요.",
        Key::StatusConnected => "연결됨",
        Key::StatusNotConnected => "연결 안 됨",
        Key::StatusStartingMedia => "카메라와 마이크를 켜는 중…",
        Key::StatusConnecting => "{peer} 님에게 연결하는 중…",
        Key::StatusInCall => "{peer} 님과 통화 중",
        Key::StatusReconnecting => "{peer} 님과의 연결이 끊겨 다시 연결하는 중…",
        Key::StatusRinging => "{peer} 님의 전화…",
        Key::StatusCalling => "{peer} 님에게 거는 중…",
        Key::AnnounceIncoming => "{peer} 님에게서 전화가 왔어요.",
        Key::AnnounceStarted => "{peer} 님과 통화를 시작했어요.",
        Key::AnnounceEnded => "{peer} 님과의 통화가 끝났어요.",
        Key::LabelName => "이름",
        Key::LabelLogIn => "로그인",
        Key::LabelUsers => "사용자",
        Key::LabelAccept => "받기",
        Key::LabelDecline => "거절",
        Key::LabelHangUp => "끊기",
        Key::LabelMute => "음소거",
        Key::LabelCameraOff => "카메라 끄기",
        Key::LabelShare => "화면 공유",
        Key::LabelStats => "통화 통계",
        Key::LabelSend => "보내기",
        Key::LabelMessage => "메시지",
        Key::LabelLanguage => "언어",
        Key::LabelRemoteVideo => "상대방 영상",
        Key::LabelLocalVideo => "내 카메라",
        Key::LabelIncoming => "걸려 온 전화",
        Key::LabelCallDetails => "통화 정보",
    }
}

/// The template of `key` in `lang`, placeholders unfilled.
pub fn template(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::En => en(key),
        Lang::Ko => ko(key),
    }
}

/// `key` in `lang` with each `{name}` replaced by its value. Values are inserted as they
/// are (a user name containing `{peer}` stays literal: the template is scanned once).
pub fn render(lang: Lang, key: Key, args: &[(&str, &str)]) -> String {
    let template = template(lang, key);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        match args.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(value),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
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
    fn every_key_has_a_text_with_the_same_placeholders_in_each_language() {
        for key in Key::ALL {
            let english = placeholders(template(Lang::En, key));
            for lang in Lang::ALL {
                let text = template(lang, key);
                assert!(!text.trim().is_empty(), "{key:?} is empty in {lang:?}");
                assert_eq!(
                    placeholders(text),
                    english,
                    "{key:?} has other placeholders in {lang:?} than in English"
                );
            }
        }
    }

    #[test]
    fn every_page_name_has_a_key() {
        for name in [
            "name",
            "login",
            "hangup",
            "accept",
            "message",
            "remoteVideo",
        ] {
            assert!(Key::page(name).is_some(), "{name}");
        }
        assert_eq!(Key::page("chat"), None);
    }

    #[test]
    fn all_lists_every_key_once() {
        for (i, a) in Key::ALL.iter().enumerate() {
            assert!(!Key::ALL[i + 1..].contains(a), "{a:?} twice in Key::ALL");
        }
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
    }

    #[test]
    fn the_browsers_first_known_language_wins() {
        assert_eq!(Lang::pick(["fr-FR", "ko-KR", "en"]), Lang::Ko);
        assert_eq!(Lang::pick(["en-GB", "ko"]), Lang::En);
        assert_eq!(Lang::pick(["de"]), Lang::En);
        assert_eq!(Lang::parse("KO"), Some(Lang::Ko));
    }
}
