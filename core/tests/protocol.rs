#[test]
fn probe() { let _ = chat_core::Message::decode("{}"); }
