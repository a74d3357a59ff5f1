//! The verification code from SDPs captured in Chromium (protocol/tests/fixtures/), hashed with SHA-256 as the
//! browser's `crypto.subtle.digest` does, against codes computed independently (Python's
//! hashlib, by hand, when these tests were written).

use chat_core::sas;
use sha2::{Digest, Sha256};

fn sdp_of(fixture: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(fixture).expect("fixture is JSON");
    v["sdp"]["sdp"]
        .as_str()
        .expect("fixture has sdp.sdp")
        .to_owned()
}

fn code(local: &str, remote: &str) -> Option<String> {
    let input = sas::hash_input(local, remote)?;
    sas::code(&Sha256::digest(input.as_bytes()))
}

const OFFER: &str = include_str!("../../protocol/tests/fixtures/chromium-video-offer.json");
const ANSWER: &str = include_str!("../../protocol/tests/fixtures/chromium-video-answer.json");

#[test]
fn caller_and_callee_show_the_same_code() {
    let (offer, answer) = (sdp_of(OFFER), sdp_of(ANSWER));
    let caller = code(&offer, &answer);
    let callee = code(&answer, &offer);
    assert_eq!(caller.as_deref(), Some("330 502"));
    assert_eq!(caller, callee);
}

#[test]
fn a_server_that_swaps_a_fingerprint_makes_the_codes_differ() {
    let (offer, answer) = (sdp_of(OFFER), sdp_of(ANSWER));
    // The man in the middle gives the caller his own certificate instead of the callee's.
    let forged = answer.replace("a=fingerprint:sha-256 8D:E7", "a=fingerprint:sha-256 00:E7");
    let caller = code(&offer, &forged);
    let callee = code(&answer, &offer);
    assert_eq!(caller.as_deref(), Some("794 513"));
    assert_ne!(caller, callee);
}

#[test]
fn no_fingerprint_no_code() {
    let offer = sdp_of(OFFER);
    assert_eq!(code(&offer, "v=0\r\n"), None);
}
