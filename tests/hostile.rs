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

#[wasm_bindgen_test]
fn mount_refuses_a_bad_root_without_side_effects() {
    let before = webrtc_chat::live_listeners();
    for root in [
        JsValue::NULL,
        JsValue::from_str("#app"),
        js_sys::Object::new().into(),
    ] {
        assert!(webrtc_chat::mount(root, JsValue::UNDEFINED).is_err());
    }
    // A root with some of the page's elements but not all of them.
    let partial = common::root("partial");
    partial.set_inner_html(r#"<input id="name"><button name="login">Log in</button>"#);
    let error = webrtc_chat::mount(partial.clone().into(), JsValue::UNDEFINED)
        .err()
        .expect("an incomplete page is refused");
    let text = js_sys::Reflect::get(&error, &"message".into()).unwrap();
    assert!(
        text.as_string().unwrap().contains("ul.userlistbox"),
        "{text:?}"
    );
    assert_eq!(webrtc_chat::live_listeners(), before);
    partial.remove();
}

/// A host whose `send` calls straight back into the client (a synchronous loopback), and
/// finally destroys it from inside that callback: no `BorrowMutError`, nothing left behind.
#[wasm_bindgen_test]
async fn a_host_may_reenter_the_client_from_its_callbacks() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::prelude::*;

    let before = webrtc_chat::live_listeners();
    let slot: Rc<RefCell<Option<Rc<webrtc_chat::ChatApp>>>> = Rc::default();
    let sent = Rc::new(RefCell::new(Vec::<String>::new()));
    let send = {
        let (slot, sent) = (Rc::clone(&slot), Rc::clone(&sent));
        Closure::<dyn FnMut(JsValue)>::new(move |text: JsValue| {
            let text = text.as_string().unwrap();
            sent.borrow_mut().push(text.clone());
            let Some(app) = slot.borrow().clone() else {
                return;
            };
            if text.contains(r#""type":"username""#) {
                app.handle_message(r#"{"type":"userlist","users":["loop"]}"#.into());
            } else if text.contains(r#""type":"message""#) {
                app.handle_message(
                    text.replace(r#""type":"message""#, r#""type":"message","name":"loop""#)
                        .into(),
                );
                app.destroy();
                app.handle_message(r#"{"type":"userlist","users":[]}"#.into());
            }
        })
    };
    let connect = {
        let slot = Rc::clone(&slot);
        Closure::<dyn FnMut()>::new(move || {
            if let Some(app) = slot.borrow().clone() {
                app.handle_message(r#"{"type":"id","id":1}"#.into());
            }
        })
    };
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"send".into(), send.as_ref()).unwrap();
    js_sys::Reflect::set(&options, &"connect".into(), connect.as_ref()).unwrap();
    let root = common::root("reenter");
    let app = Rc::new(webrtc_chat::mount(root.clone().into(), options.into()).unwrap());
    *slot.borrow_mut() = Some(Rc::clone(&app));

    type_into(&root, "#name", "loop");
    click(&root, "button[name=login]");
    assert_eq!(users(&root), ["loop"]);
    type_into(&root, "#text", "hello");
    click(&root, "#send");
    // Destroyed from inside `send`: the root is emptied, every listener gone.
    assert!(root.query_selector("#name").unwrap().is_none());
    assert_eq!(webrtc_chat::live_listeners(), before);
    assert!(sent.borrow().iter().any(|s| s.contains("hello")));
    slot.borrow_mut().take();
    root.remove();
}
