//! Hostile and malformed frames never panic the client, never become HTML, and the page keeps
//! working afterwards.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn hostile_frames_are_refused_and_the_page_keeps_working() {
    let relay = Relay::new();
    let (a, ia) = relay.mount("hostile-a", None);
    let (b, _) = relay.mount("hostile-b", None);
    login(&a, "gina").await;
    login(&b, "hank").await;
    wait_for("both see both", 5_000.0, || users(&a).len() == 2).await;
    let app = relay.app(ia);

    let huge = "x".repeat(200_000);
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    let frames: Vec<JsValue> = vec![
        "".into(),
        "not json".into(),
        "{".into(),
        "null".into(),
        "42".into(),
        "[]".into(),
        r#""a string""#.into(),
        "{}".into(),
        r#"{"type":null}"#.into(),
        r#"{"type":5}"#.into(),
        r#"{"type":"id","id":"abc"}"#.into(),
        r#"{"type":"id","id":-1}"#.into(),
        r#"{"type":"userlist","users":"x"}"#.into(),
        r#"{"type":"userlist","users":[1,null,{},[],true,"<b>bold</b>"]}"#.into(),
        r#"{"type":"rejectusername","name":{}}"#.into(),
        r#"{"type":"message","text":5,"name":[1]}"#.into(),
        r#"{"type":"video-offer","name":"x","target":"gina","sdp":5}"#.into(),
        r#"{"type":"video-offer","name":"x","target":"gina","sdp":{"type":"offer","sdp":"garbage"}}"#.into(),
        r#"{"type":"video-answer","name":"hank","target":"gina","sdp":{"type":"answer","sdp":"v=0"}}"#.into(),
        r#"{"type":"new-ice-candidate","target":"gina","candidate":{"candidate":"bogus","sdpMid":"0"}}"#.into(),
        r#"{"type":"new-ice-candidate","target":"gina","candidate":"x"}"#.into(),
        r#"{"type":"hang-up"}"#.into(),
        r#"{"type":"hang-up","name":"nobody","target":"gina"}"#.into(),
        r#"{"type":"unknown-type","x":[1,2,3]}"#.into(),
        format!(r#"{{"type":"message","name":"z","text":"{huge}"}}"#).into(),
        format!(r#"{{"type":"message","name":"z","text":"{}"}}"#, "é".repeat(35_000)).into(),
        deep.into(),
        JsValue::from_f64(1.0),
        JsValue::NULL,
        JsValue::UNDEFINED,
        js_sys::Object::new().into(),
        js_sys::Uint8Array::new_with_length(8).into(),
    ];
    for frame in frames {
        app.handle_message(frame);
    }

    // HTML in a chat message is shown as text, and nothing from it becomes an element.
    let html = r#"<img src=x onerror="window.__pwned=1"><b>bold</b>"#;
    let chat = format!(
        r#"{{"type":"message","name":"<i>mallory</i>","text":{},"date":1700000000000}}"#,
        js_sys::JSON::stringify(&html.into())
            .unwrap()
            .as_string()
            .unwrap()
    );
    app.handle_message(chat.into());
    wait_for("the HTML chat line", 5_000.0, || {
        a.query_selector_all(".chatbox .chat-text")
            .unwrap()
            .length()
            > 0
    })
    .await;
    let texts = a.query_selector_all(".chatbox .chat-text").unwrap();
    let last = texts.item(texts.length() - 1).unwrap();
    assert_eq!(last.text_content().unwrap(), html);
    assert!(q(&a, ".chatbox")
        .query_selector("img, b, i")
        .unwrap()
        .is_none());
    let names = a.query_selector_all(".chatbox .chat-name").unwrap();
    assert_eq!(
        names
            .item(names.length() - 1)
            .unwrap()
            .text_content()
            .unwrap(),
        "<i>mallory</i>"
    );

    // The page still works: chat goes through, and a call connects.
    type_into(&a, "#text", "still here");
    click(&a, "#send");
    wait_for("hank gets gina's chat", 5_000.0, || {
        let t = b.query_selector_all(".chatbox .chat-text").unwrap();
        (0..t.length()).any(|i| t.item(i).unwrap().text_content().unwrap() == "still here")
    })
    .await;
    click_user(&b, "gina");
    wait_for("the call connects after the junk", 15_000.0, || {
        status(&a, "data-call") == "connected" && status(&b, "data-call") == "connected"
    })
    .await;
    click(&a, "button#hangup-button");
    wait_for("idle", 15_000.0, || {
        status(&a, "data-call") == "idle" && status(&b, "data-call") == "idle"
    })
    .await;
    assert!(
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into())
            .unwrap()
            .is_undefined()
    );
    relay.destroy_all();
}
