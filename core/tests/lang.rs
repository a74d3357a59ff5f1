//! `Input::SetLang`: the core's texts come in the chosen language, and the error on the page
//! is shown again in it (the page's `#lang` switch changes everything at once).

use chat_core::text::Lang;
use chat_core::{Action, Client, Input};

fn errors(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ShowError { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_error_is_shown_again_in_the_new_language() {
    let mut client = Client::new(7);
    let out = client.handle(0.0, Input::Login { name: " ".into() });
    assert_eq!(errors(&out), ["Enter a user name to log in."]);

    let out = client.handle(1.0, Input::SetLang { lang: Lang::Ko });
    assert_eq!(errors(&out), ["로그인하려면 사용자 이름을 입력하세요."]);
    assert!(out.iter().any(|a| matches!(a, Action::ShowStatus(_))));

    // Texts from now on come in Korean too; the same language again changes nothing.
    let out = client.handle(2.0, Input::CallUser { name: "bob".into() });
    assert_eq!(errors(&out), ["전화를 걸기 전에 로그인하세요."]);
    assert!(client
        .handle(3.0, Input::SetLang { lang: Lang::Ko })
        .is_empty());
}
