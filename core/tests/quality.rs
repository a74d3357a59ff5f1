//! Quality levels and send adaptation over recorded `getStats` sequences (one sample a second).

use chat_core::quality::{classify, Level, Monitor, Sample, SendStep};

/// A sample as the browser would report it after `secs` seconds of a call where, per second,
/// `recv` packets arrived, `lost` were lost and the round trip was `rtt_ms`.
struct Recorder {
    at: f64,
    received: u64,
    lost: i64,
    bytes_in: u64,
    bytes_out: u64,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            at: 10_000.0,
            received: 0,
            lost: 0,
            bytes_in: 0,
            bytes_out: 0,
        }
    }
    fn next(&mut self, recv: u64, lost: i64, rtt_ms: f64) -> Sample {
        self.at += 1000.0;
        self.received += recv;
        self.lost += lost;
        self.bytes_in += recv * 1000;
        self.bytes_out += 125_000;
        Sample {
            at: self.at,
            rtt_s: Some(rtt_ms / 1000.0),
            packets_received: Some(self.received),
            packets_lost: Some(self.lost),
            bytes_received: Some(self.bytes_in),
            bytes_sent: Some(self.bytes_out),
            frame_width: Some(640),
            frame_height: Some(480),
            fps: Some(30.0),
            candidate_type: Some("relay".into()),
            protocol: Some("udp".into()),
        }
    }
}

/// Runs a sequence of (received, lost, rtt) seconds; returns the level and any step per second.
fn run(seq: &[(u64, i64, f64)]) -> Vec<(Level, Option<SendStep>)> {
    let mut m = Monitor::new();
    let mut r = Recorder::new();
    assert!(
        m.sample(r.next(0, 0, 0.0)).is_none(),
        "the first sample is only a baseline"
    );
    seq.iter()
        .map(|&(recv, lost, rtt)| {
            let rep = m
                .sample(r.next(recv, lost, rtt))
                .expect("a report per interval");
            (rep.level, rep.send)
        })
        .collect()
}

const GOOD: (u64, i64, f64) = (100, 0, 40.0);
const LOSSY: (u64, i64, f64) = (85, 15, 40.0);
const SLOW: (u64, i64, f64) = (100, 0, 300.0);
const STALLED: (u64, i64, f64) = (0, 0, 40.0);

#[test]
fn classification_table() {
    let table: &[(Option<f64>, Option<f64>, bool, Level)] = &[
        (Some(40.0), Some(0.0), false, Level::Good),
        (None, None, false, Level::Good),
        (Some(249.0), Some(1.9), false, Level::Good),
        (Some(250.0), Some(0.0), false, Level::Fair),
        (Some(40.0), Some(2.0), false, Level::Fair),
        (Some(499.0), Some(7.9), false, Level::Fair),
        (Some(500.0), Some(0.0), false, Level::Poor),
        (Some(40.0), Some(8.0), false, Level::Poor),
        (Some(40.0), Some(0.0), true, Level::Poor),
    ];
    for &(rtt, loss, stalled, want) in table {
        assert_eq!(
            classify(rtt, loss, stalled),
            want,
            "rtt {rtt:?} loss {loss:?} stalled {stalled}"
        );
    }
}

#[test]
fn a_steady_call_stays_good_and_untouched() {
    let out = run(&[GOOD; 20]);
    assert!(out.iter().all(|&(l, s)| l == Level::Good && s.is_none()));
}

#[test]
fn figures_come_from_the_interval() {
    let mut m = Monitor::new();
    let mut r = Recorder::new();
    m.sample(r.next(0, 0, 0.0));
    let rep = m.sample(r.next(90, 10, 120.0)).unwrap();
    assert_eq!(rep.figures.loss_pct, Some(10.0));
    assert_eq!(rep.figures.rtt_ms, Some(120.0));
    assert_eq!(rep.figures.kbps_in, Some(720.0));
    assert_eq!(rep.figures.kbps_out, Some(1000.0));
    assert_eq!(rep.figures.candidate_type.as_deref(), Some("relay"));
    assert!(rep.level_changed);
    let rep = m.sample(r.next(90, 10, 120.0)).unwrap();
    assert!(!rep.level_changed, "the same level again is not a change");
}

#[test]
fn sustained_loss_lowers_bitrate_then_resolution_and_recovery_raises_it() {
    let mut seq = vec![LOSSY; 9];
    seq.extend([GOOD; 30]);
    let out = run(&seq);
    let steps: Vec<(usize, SendStep)> = out
        .iter()
        .enumerate()
        .filter_map(|(i, &(_, s))| s.map(|s| (i, s)))
        .collect();
    // Down one step every 3 poor seconds, then up one step every 10 good seconds.
    assert_eq!(
        steps,
        vec![
            (2, SendStep(1)),
            (5, SendStep(2)),
            (8, SendStep(3)),
            (18, SendStep(2)),
            (28, SendStep(1)),
            (38, SendStep(0)),
        ]
    );
    assert_eq!(SendStep(1).max_bitrate(), Some(600_000));
    assert_eq!(SendStep(1).scale_down_by(), 1.0, "bitrate first");
    assert_eq!(SendStep(2).scale_down_by(), 2.0, "then resolution");
    assert_eq!(SendStep::FULL.max_bitrate(), None);
}

#[test]
fn never_lower_than_the_lowest_step() {
    let out = run(&[LOSSY; 30]);
    let n = out.iter().filter(|(_, s)| s.is_some()).count();
    assert_eq!(n, 3);
}

#[test]
fn a_short_blip_changes_nothing() {
    let mut seq = vec![GOOD; 5];
    seq.extend([LOSSY, LOSSY, GOOD, LOSSY, LOSSY, GOOD]);
    let out = run(&seq);
    assert!(out.iter().all(|(_, s)| s.is_none()), "{out:?}");
    assert_eq!(out[5].0, Level::Poor, "the indicator still shows the blip");
}

#[test]
fn fair_seconds_reset_both_runs() {
    let seq = [LOSSY, LOSSY, SLOW, LOSSY, LOSSY, SLOW];
    let out = run(&seq);
    assert!(out.iter().all(|(_, s)| s.is_none()));
    assert_eq!(out[2].0, Level::Fair);
}

#[test]
fn a_frozen_stream_is_poor() {
    let out = run(&[STALLED; 3]);
    assert_eq!(out[0].0, Level::Poor);
    assert_eq!(out[2].1, Some(SendStep(1)));
}

#[test]
fn repeated_or_reordered_samples_are_ignored() {
    let mut m = Monitor::new();
    let mut r = Recorder::new();
    m.sample(r.next(0, 0, 0.0));
    let s = r.next(100, 0, 40.0);
    assert!(m.sample(s.clone()).is_some());
    assert!(m.sample(s).is_none(), "same timestamp: no interval");
    let bad = Sample {
        at: f64::NAN,
        ..Sample::default()
    };
    assert!(m.sample(bad).is_none());
}

#[test]
fn missing_counters_do_not_panic_or_invent_figures() {
    let mut m = Monitor::new();
    m.sample(Sample {
        at: 0.0,
        ..Sample::default()
    });
    let rep = m
        .sample(Sample {
            at: 1000.0,
            rtt_s: Some(f64::INFINITY),
            ..Sample::default()
        })
        .unwrap();
    assert_eq!(rep.figures.loss_pct, None);
    assert_eq!(rep.figures.rtt_ms, None);
    assert_eq!(rep.level, Level::Good);
}
