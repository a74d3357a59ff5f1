//! Call quality: `getStats` samples in, a level (good / fair / poor), the figures a person can
//! read, and how hard the sender should push its video, out.
//!
//! The browser samples `RTCPeerConnection.getStats()` once a second and hands the counters
//! over as they are (cumulative); everything that compares, averages or decides is here.
//!
//! Levels, from the interval since the previous sample (thresholds after ITU-T G.1010's
//! "preferred" and "acceptable" ranges for conversational video, and what LiveKit and Jitsi
//! show as connection quality):
//!
//! | level | when |
//! |---|---|
//! | poor | loss ≥ 8 %, or round trip ≥ 500 ms, or no packet at all arrived in the interval |
//! | fair | loss ≥ 2 %, or round trip ≥ 250 ms |
//! | good | otherwise |
//!
//! Adaptation: after [`POOR_SAMPLES_TO_LOWER`] poor samples in a row the sender steps its
//! outgoing video down one [`SendStep`] (bitrate first, then resolution too); after
//! [`GOOD_SAMPLES_TO_RAISE`] good samples in a row it steps back up one. A fair sample resets
//! both counts. The asymmetry is on purpose: back off fast when the network struggles, come
//! back slowly so that one good second does not push it over again (the same shape as TCP's
//! and GCC's congestion control, draft-ietf-rmcat-gcc-02 §5).

use alloc::string::String;

use crate::call::Millis;

/// Consecutive poor samples (one a second) before the sender lowers its video.
pub const POOR_SAMPLES_TO_LOWER: u32 = 3;
/// Consecutive good samples before the sender raises its video again.
pub const GOOD_SAMPLES_TO_RAISE: u32 = 10;

/// Loss (percent of packets expected in the interval) from which a call is fair / poor.
pub const FAIR_LOSS_PCT: f64 = 2.0;
pub const POOR_LOSS_PCT: f64 = 8.0;
/// Round-trip time (ms) from which a call is fair / poor.
pub const FAIR_RTT_MS: f64 = 250.0;
pub const POOR_RTT_MS: f64 = 500.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Good,
    Fair,
    Poor,
}

impl Level {
    /// `data-level` of `#quality` (page contract).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Good => "good",
            Level::Fair => "fair",
            Level::Poor => "poor",
        }
    }
}

/// One `getStats()` reading, cumulative counters as the browser reports them. Absent figures
/// (no inbound video yet, no selected pair yet) are `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub at: Millis,
    /// `candidate-pair.currentRoundTripTime` of the selected pair, in seconds.
    pub rtt_s: Option<f64>,
    /// Inbound RTP, all kinds summed: `packetsReceived`, `packetsLost`, `bytesReceived`.
    pub packets_received: Option<u64>,
    pub packets_lost: Option<i64>,
    pub bytes_received: Option<u64>,
    /// Outbound RTP, all kinds summed: `bytesSent`.
    pub bytes_sent: Option<u64>,
    /// Inbound video: `frameWidth`, `frameHeight`, `framesPerSecond`.
    pub frame_width: Option<u32>,
    pub frame_height: Option<u32>,
    pub fps: Option<f64>,
    /// Selected pair's local candidate: `candidateType` (`host`, `srflx`, `prflx`, `relay`)
    /// and `protocol` (`udp`, `tcp`).
    pub candidate_type: Option<String>,
    pub protocol: Option<String>,
}

/// What the stats panel shows, for the interval ending at the latest sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub rtt_ms: Option<f64>,
    pub loss_pct: Option<f64>,
    pub kbps_in: Option<f64>,
    pub kbps_out: Option<f64>,
    pub frame_width: Option<u32>,
    pub frame_height: Option<u32>,
    pub fps: Option<f64>,
    pub candidate_type: Option<String>,
    pub protocol: Option<String>,
}

/// How much the sender may send: `RTCRtpEncodingParameters.maxBitrate` and
/// `scaleResolutionDownBy` for the outgoing video. Step 0 is "as the browser likes".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendStep(pub u8);

impl SendStep {
    pub const FULL: SendStep = SendStep(0);
    const LOWEST: u8 = 3;

    /// `maxBitrate` in bits per second, `None` = no cap.
    pub fn max_bitrate(self) -> Option<u32> {
        match self.0 {
            0 => None,
            1 => Some(600_000),
            2 => Some(300_000),
            _ => Some(150_000),
        }
    }

    /// `scaleResolutionDownBy`: the resolution goes down only once the bitrate alone did not
    /// help (a sharp small picture reads better than a blurred large one at low rates).
    pub fn scale_down_by(self) -> f64 {
        match self.0 {
            0 | 1 => 1.0,
            2 => 2.0,
            _ => 4.0,
        }
    }
}

/// What one sample changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub level: Level,
    pub figures: Figures,
    /// Set when the level differs from the previous sample's (or for the first level).
    pub level_changed: bool,
    /// Set when the sender should apply a new step.
    pub send: Option<SendStep>,
}

/// The quality of one call, fed one sample a second.
#[derive(Debug, Clone)]
pub struct Monitor {
    last: Option<Sample>,
    level: Option<Level>,
    poor_run: u32,
    good_run: u32,
    step: SendStep,
}

impl Default for Monitor {
    fn default() -> Self {
        Monitor::new()
    }
}

fn delta_u(now: Option<u64>, then: Option<u64>) -> Option<u64> {
    Some(now?.saturating_sub(then?))
}

impl Monitor {
    pub fn new() -> Monitor {
        Monitor {
            last: None,
            level: None,
            poor_run: 0,
            good_run: 0,
            step: SendStep::FULL,
        }
    }

    pub fn step(&self) -> SendStep {
        self.step
    }

    pub fn level(&self) -> Option<Level> {
        self.level
    }

    /// Takes a sample. The first one only sets the baseline (counters are cumulative): no
    /// report until there is an interval to measure.
    pub fn sample(&mut self, s: Sample) -> Option<Report> {
        let prev = self.last.replace(s.clone())?;
        let secs = (s.at - prev.at) / 1000.0;
        if secs.is_nan() || secs <= 0.0 {
            // Out of order or repeated: keep the older baseline's figures out of it.
            return None;
        }
        let received = delta_u(s.packets_received, prev.packets_received);
        let lost = match (s.packets_lost, prev.packets_lost) {
            (Some(a), Some(b)) => Some(a.saturating_sub(b).max(0) as u64),
            _ => None,
        };
        let loss_pct = match (received, lost) {
            (Some(r), Some(l)) if r + l > 0 => Some(l as f64 * 100.0 / (r + l) as f64),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        let kbps = |now, then| delta_u(now, then).map(|b| b as f64 * 8.0 / 1000.0 / secs);
        let figures = Figures {
            rtt_ms: s
                .rtt_s
                .filter(|r| r.is_finite() && *r >= 0.0)
                .map(|r| r * 1000.0),
            loss_pct,
            kbps_in: kbps(s.bytes_received, prev.bytes_received),
            kbps_out: kbps(s.bytes_sent, prev.bytes_sent),
            frame_width: s.frame_width,
            frame_height: s.frame_height,
            fps: s.fps.filter(|f| f.is_finite()),
            candidate_type: s.candidate_type,
            protocol: s.protocol,
        };
        let stalled = received == Some(0);
        let level = classify(figures.rtt_ms, figures.loss_pct, stalled);
        let level_changed = self.level != Some(level);
        self.level = Some(level);
        let send = self.adapt(level);
        Some(Report {
            level,
            figures,
            level_changed,
            send,
        })
    }

    fn adapt(&mut self, level: Level) -> Option<SendStep> {
        match level {
            Level::Poor => {
                self.good_run = 0;
                self.poor_run += 1;
                if self.poor_run >= POOR_SAMPLES_TO_LOWER && self.step.0 < SendStep::LOWEST {
                    self.poor_run = 0;
                    self.step = SendStep(self.step.0 + 1);
                    return Some(self.step);
                }
            }
            Level::Good => {
                self.poor_run = 0;
                self.good_run += 1;
                if self.good_run >= GOOD_SAMPLES_TO_RAISE && self.step.0 > 0 {
                    self.good_run = 0;
                    self.step = SendStep(self.step.0 - 1);
                    return Some(self.step);
                }
            }
            Level::Fair => {
                self.poor_run = 0;
                self.good_run = 0;
            }
        }
        None
    }
}

/// The level of one interval (table in the module documentation).
pub fn classify(rtt_ms: Option<f64>, loss_pct: Option<f64>, stalled: bool) -> Level {
    let rtt = rtt_ms.unwrap_or(0.0);
    let loss = loss_pct.unwrap_or(0.0);
    if stalled || loss >= POOR_LOSS_PCT || rtt >= POOR_RTT_MS {
        Level::Poor
    } else if loss >= FAIR_LOSS_PCT || rtt >= FAIR_RTT_MS {
        Level::Fair
    } else {
        Level::Good
    }
}
