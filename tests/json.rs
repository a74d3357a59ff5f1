//! JSON through the platform: numbers read as names are exactly JavaScript's `String(n)` in the
//! page (the table the protocol crate and the relay check natively), and what the client sends
//! is what `JSON.stringify` writes.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::JSON;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `[number as a frame carries it, String(JSON.parse(number)) in V8]`.
const TABLE: &str = include_str!("../protocol/tests/number-names.json");

fn table() -> Vec<(String, String)> {
    let rows: js_sys::Array = JSON::parse(TABLE).unwrap().into();
    rows.iter()
        .map(|row| {
            let row: js_sys::Array = row.into();
            (
                row.get(0).as_string().unwrap(),
                row.get(1).as_string().unwrap(),
            )
        })
        .collect()
}

#[wasm_bindgen_test]
fn the_table_is_this_browsers_string_of_each_number() {
    let string: js_sys::Function = js_sys::Reflect::get(&js_sys::global(), &"String".into())
        .unwrap()
        .into();
    let table = table();
    assert!(table.len() >= 5);
    for (wire, js) in table {
        let n = JSON::parse(&wire).unwrap();
        let name = string.call1(&wasm_bindgen::JsValue::NULL, &n).unwrap();
        assert_eq!(name.as_string().unwrap(), js, "{wire}");
    }
}

#[wasm_bindgen_test]
async fn numbers_in_a_user_list_read_as_javascripts_string_of_them() {
    let relay = Relay::new();
    relay.record.set(true);
    let (a, ia) = relay.mount("json-a", None);
    login(&a, "nina").await;
    let table = table();
    let wires: Vec<&str> = table.iter().map(|(w, _)| w.as_str()).collect();
    let frame = format!(
        r#"{{"type":"userlist","users":["nina",{}]}}"#,
        wires.join(",")
    );
    relay.deliver(ia, frame);
    let mut expected = vec!["nina".to_owned()];
    expected.extend(table.iter().map(|(_, js)| js.clone()));
    wait_for("the numbered user list", 5_000.0, || {
        users(&a).len() == expected.len()
    })
    .await;
    assert_eq!(users(&a), expected);

    // Every frame the client wrote is in `JSON.stringify`'s own form.
    let sent = relay.sent.borrow().clone();
    assert!(
        sent.iter().any(|f| f.contains(r#""type":"username""#)),
        "{sent:?}"
    );
    for frame in sent {
        let again: String = JSON::stringify(&JSON::parse(&frame).unwrap())
            .unwrap()
            .into();
        assert_eq!(again, frame);
    }
    relay.destroy_all();
}
