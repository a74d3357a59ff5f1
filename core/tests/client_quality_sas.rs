//! The Client's plumbing for call quality and the verification code: when it asks the shell
//! for `getStats` and hashing, what it shows from the answers, and that all of it goes with the
//! call. (The levels, adaptation and digits themselves: `quality.rs`, `sas.rs`.)
//!
//! Cast: we are `alice`; `bob` is online.

mod common;

use chat_core::call::{Action, IceConnectionState, Input, Timer, STATS_INTERVAL_MS};
use chat_core::quality::{Figures, Level, Sample, SendStep};
use chat_core::sas;
use common::*;

const ALL: &[&str] = &["alice", "bob"];

/// Only what this file is about.
fn ours(actions: Vec<Action>) -> Vec<Action> {
    actions
        .into_iter()
        .filter(|a| {
            matches!(
                a,
                Action::SampleStats { .. }
                    | Action::ShowQuality { .. }
                    | Action::ShowStats { .. }
                    | Action::SetSendStep { .. }
                    | Action::HashSas { .. }
                    | Action::ShowSas { .. }
                    | Action::StartTimer {
                        timer: Timer::Stats(_),
                        ..
                    }
            )
        })
        .collect()
}

fn stats_timer(call: u32) -> Action {
    Action::StartTimer {
        timer: Timer::Stats(call),
        ms: STATS_INTERVAL_MS,
    }
}

fn fired(call: u32) -> Input {
    Input::TimerFired {
        timer: Timer::Stats(call),
    }
}

/// A second of a healthy call: 50 packets, none lost, 40 ms round trip. `t` in seconds.
fn sample(t: u64, lost: i64) -> Sample {
    Sample {
        at: t as f64 * 1000.0,
        rtt_s: Some(0.04),
        packets_received: Some(50 * t),
        packets_lost: Some(lost),
        bytes_received: Some(100_000 * t),
        bytes_sent: Some(90_000 * t),
        frame_width: Some(640),
        frame_height: Some(480),
        fps: Some(30.0),
        candidate_type: Some("host".into()),
        protocol: Some("udp".into()),
    }
}

fn feed(h: &mut H, call: u32, s: Sample) -> Vec<Action> {
    ours(h.go(Input::StatsSample { call, sample: s }))
}

#[test]
fn sampling_starts_when_the_call_connects_and_repeats_each_second() {
    let mut h = H::logged_in("alice", ALL);
    h.go(Input::CallUser { name: "bob".into() });
    let call = h.call();
    h.go(Input::MediaReady { call });
    // Not before the media flows.
    assert!(ours(h.go(Input::NegotiationNeeded { call })).is_empty());
    let connected = h.go(Input::IceConnectionState {
        call,
        state: IceConnectionState::Connected,
    });
    assert_eq!(ours(connected), vec![stats_timer(call)]);
    assert_eq!(
        ours(h.go(fired(call))),
        vec![Action::SampleStats { call }, stats_timer(call)]
    );
    // A reconnection does not start a second sampler.
    h.go(Input::IceConnectionState {
        call,
        state: IceConnectionState::Disconnected,
    });
    let back = h.go(Input::IceConnectionState {
        call,
        state: IceConnectionState::Connected,
    });
    assert!(ours(back).is_empty());
}

#[test]
fn samples_become_a_level_figures_and_send_steps() {
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    let call = h.call();
    // The first sample is only the baseline.
    assert!(feed(&mut h, call, sample(1, 0)).is_empty());
    let second = feed(&mut h, call, sample(2, 0));
    let figures = Figures {
        rtt_ms: Some(40.0),
        loss_pct: Some(0.0),
        kbps_in: Some(800.0),
        kbps_out: Some(720.0),
        frame_width: Some(640),
        frame_height: Some(480),
        fps: Some(30.0),
        candidate_type: Some("host".into()),
        protocol: Some("udp".into()),
    };
    assert_eq!(
        second,
        vec![
            Action::ShowQuality {
                level: Some(Level::Good)
            },
            Action::ShowStats {
                figures: Some(figures.clone())
            },
        ]
    );
    // Same level: only the figures.
    assert_eq!(
        feed(&mut h, call, sample(3, 0)),
        vec![Action::ShowStats {
            figures: Some(figures)
        }]
    );
    // 20 lost of 70 in each of the next seconds: poor, and after three the sender steps down.
    let poor = |h: &mut H, t: u64| feed(h, call, sample(t, 20 * (t as i64 - 3)));
    let first_poor = poor(&mut h, 4);
    assert_eq!(
        first_poor[0],
        Action::ShowQuality {
            level: Some(Level::Poor)
        }
    );
    assert!(!first_poor
        .iter()
        .any(|a| matches!(a, Action::SetSendStep { .. })));
    poor(&mut h, 5);
    let third = poor(&mut h, 6);
    assert_eq!(
        third.last(),
        Some(&Action::SetSendStep {
            call,
            step: SendStep(1)
        })
    );
}

#[test]
fn samples_of_another_call_are_ignored_and_everything_goes_with_the_call() {
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    let call = h.call();
    feed(&mut h, call, sample(1, 0));
    assert!(feed(&mut h, call + 1, sample(2, 0)).is_empty());
    assert!(ours(h.go(fired(call + 1))).is_empty());
    assert_eq!(feed(&mut h, call, sample(2, 0)).len(), 2);
    let hung_up = h.go(Input::HangUp);
    assert_eq!(
        ours(hung_up.clone()),
        vec![
            Action::ShowQuality { level: None },
            Action::ShowStats { figures: None }
        ]
    );
    // After ClosePeer, which stops the call's timers in the shell.
    let close = hung_up
        .iter()
        .position(|a| *a == Action::ClosePeer { call });
    let hide = hung_up
        .iter()
        .position(|a| *a == Action::ShowQuality { level: None });
    assert!(close < hide, "{hung_up:?}");
    // A late timer or sample of the ended call does nothing.
    assert!(ours(h.go(fired(call))).is_empty());
    assert!(feed(&mut h, call, sample(3, 0)).is_empty());
}

#[test]
fn a_call_that_never_sampled_hides_nothing() {
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    assert!(ours(h.go(Input::HangUp)).is_empty());
}

// --- verification code ---

const FP_A: &str = "v=0\r\na=fingerprint:sha-256 AA:01\r\n";
const FP_B: &str = "v=0\r\na=fingerprint:sha-256 BB:02\r\n";
const FP_C: &str = "v=0\r\na=fingerprint:sha-256 CC:03\r\n";

fn hash(call: u32, local: &str, remote: &str) -> Action {
    Action::HashSas {
        call,
        input: sas::hash_input(local, remote).expect("fingerprints"),
    }
}

#[test]
fn caller_hashes_once_both_descriptions_are_set_and_shows_the_code() {
    let mut h = H::logged_in("alice", ALL);
    h.go(Input::CallUser { name: "bob".into() });
    let call = h.call();
    h.go(Input::MediaReady { call });
    h.go(Input::NegotiationNeeded { call });
    // Our offer alone: nothing to hash yet.
    let set = h.go(Input::LocalDescriptionSet {
        call,
        desc: offer(FP_A),
    });
    assert!(ours(set).is_empty());
    let token = h.token();
    // The answer is only hashed once it is applied.
    assert!(ours(h.go(server(answer_msg("bob", "alice", FP_B, Some(&token))))).is_empty());
    let applied = h.go(Input::RemoteDescriptionSet { call });
    assert_eq!(ours(applied), vec![hash(call, FP_A, FP_B)]);
    let input = sas::hash_input(FP_A, FP_B).expect("fingerprints");
    // A digest of some other input (descriptions since replaced) is ignored.
    let stale = h.go(Input::SasDigest {
        call,
        input: "something else".into(),
        digest: vec![0; 32],
    });
    assert!(ours(stale).is_empty());
    let digest = vec![0, 0, 0, 42, 7, 7];
    let shown = h.go(Input::SasDigest {
        call,
        input: input.clone(),
        digest: digest.clone(),
    });
    assert_eq!(
        ours(shown),
        vec![Action::ShowSas {
            code: sas::code(&digest)
        }]
    );
    assert_eq!(sas::code(&digest).as_deref(), Some("000 042"));
    // Hung up: the code goes.
    assert_eq!(
        ours(h.go(Input::HangUp)),
        vec![Action::ShowSas { code: None }]
    );
}

#[test]
fn callee_hashes_the_same_input_as_the_caller() {
    let mut h = H::logged_in("alice", ALL);
    h.go(server(offer_msg("bob", "alice", FP_B, Some("t-bob"))));
    let call = h.call();
    h.go(Input::MediaReady { call });
    assert!(ours(h.go(Input::RemoteDescriptionSet { call })).is_empty());
    let answered = h.go(Input::LocalDescriptionSet {
        call,
        desc: answer(FP_A),
    });
    // Bob, as caller, has local = FP_B and remote = FP_A: the same input.
    assert_eq!(ours(answered), vec![hash(call, FP_B, FP_A)]);
    assert_eq!(hash(call, FP_B, FP_A), hash(call, FP_A, FP_B));
}

#[test]
fn renegotiation_rehashes_only_when_a_fingerprint_changes() {
    let mut h = H::logged_in("alice", ALL);
    h.go(server(offer_msg("bob", "alice", FP_B, Some("t-bob"))));
    let call = h.call();
    h.go(Input::MediaReady { call });
    h.go(Input::RemoteDescriptionSet { call });
    h.go(Input::LocalDescriptionSet {
        call,
        desc: answer(FP_A),
    });
    let first = sas::hash_input(FP_A, FP_B).expect("fingerprints");
    h.go(Input::SasDigest {
        call,
        input: first.clone(),
        digest: vec![1, 2, 3, 4],
    });
    // Bob re-offers with the same certificate: same code, no new hash.
    h.go(server(offer_msg("bob", "alice", FP_B, Some("t-bob"))));
    assert!(ours(h.go(Input::RemoteDescriptionSet { call })).is_empty());
    assert!(ours(h.go(Input::LocalDescriptionSet {
        call,
        desc: answer(FP_A)
    }))
    .is_empty());
    // An offer with another fingerprint: hashed again; the old digest no longer shows.
    h.go(server(offer_msg("bob", "alice", FP_C, Some("t-bob"))));
    assert_eq!(
        ours(h.go(Input::RemoteDescriptionSet { call })),
        vec![hash(call, FP_A, FP_C)]
    );
    let late = h.go(Input::SasDigest {
        call,
        input: first,
        digest: vec![9, 9, 9, 9],
    });
    assert!(ours(late).is_empty());
}

#[test]
fn descriptions_without_fingerprints_give_no_code() {
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    // connected_as_caller's SDPs ("o1", "a1") carry no fingerprint.
    assert!(ours(h.go(Input::HangUp)).is_empty());
}
