//! Call quality in the browser: `getStats()` read into the core's [`Sample`], a
//! [`SendStep`] applied with `RTCRtpSender.setParameters`, and the verification code's
//! SHA-256. Only reading and writing the browser's objects; `chat_core::quality` and
//! `chat_core::sas` decide.

use alloc::string::String;
use alloc::vec::Vec;

use chat_core::quality::{Sample, SendStep};
use js_sys::{Array, Map, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::RtcPeerConnection;

use crate::error::{prop, JsError};
use crate::log::log;
use crate::rtc::{js, Sender};
use crate::spawn::settle;

/// `getStats()`: `then` gets the sample once it resolves (never, if it rejects: a closed
/// connection does).
pub(crate) fn sample(pc: &RtcPeerConnection, then: impl FnOnce(Sample) + 'static) {
    settle(js(pc).get_stats_all(), move |report| {
        if let Ok(report) = report {
            then(read(report.unchecked_ref()));
        }
    });
}

fn num(v: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(v, &JsValue::from_str(key)).ok()?.as_f64()
}

fn add<T: core::ops::Add<Output = T> + Default>(to: &mut Option<T>, v: Option<T>) {
    if let Some(v) = v {
        *to = Some(to.take().unwrap_or_default() + v);
    }
}

/// Reads one `RTCStatsReport` (webrtc-stats): inbound and outbound RTP summed over audio and
/// video, the received video's size and rate, and the selected candidate pair (the
/// transport's `selectedCandidatePairId`; Firefox, which has no transport stats, marks the
/// pair `selected`).
fn read(report: &Map) -> Sample {
    let mut s = Sample::default();
    let mut selected: Option<JsValue> = None;
    let mut pair_id: Option<String> = None;
    report.for_each(&mut |stat, _| {
        if s.at == 0.0 {
            // The browser's own time of the measurement (ms, monotonic within a page).
            s.at = num(&stat, "timestamp").unwrap_or(0.0);
        }
        let u = |key| num(&stat, key).map(|x| x as u64);
        match prop(&stat, "type").as_deref() {
            Some("inbound-rtp") => {
                add(&mut s.packets_received, u("packetsReceived"));
                add(
                    &mut s.packets_lost,
                    num(&stat, "packetsLost").map(|x| x as i64),
                );
                add(&mut s.bytes_received, u("bytesReceived"));
                if prop(&stat, "kind").as_deref() == Some("video") {
                    s.frame_width = num(&stat, "frameWidth").map(|x| x as u32);
                    s.frame_height = num(&stat, "frameHeight").map(|x| x as u32);
                    s.fps = num(&stat, "framesPerSecond");
                }
            }
            Some("outbound-rtp") => add(&mut s.bytes_sent, u("bytesSent")),
            Some("transport") => {
                pair_id = pair_id
                    .take()
                    .or_else(|| prop(&stat, "selectedCandidatePairId"));
            }
            Some("candidate-pair") => {
                let flag =
                    |key| Reflect::get(&stat, &JsValue::from_str(key)).ok() == Some(JsValue::TRUE);
                if flag("selected") {
                    selected = Some(stat.clone());
                }
            }
            _ => {}
        }
    });
    let pair = pair_id
        .map(|id| report.get(&JsValue::from_str(&id)))
        .filter(|p| p.is_object())
        .or(selected);
    if let Some(pair) = pair {
        s.rtt_s = num(&pair, "currentRoundTripTime");
        if let Some(local) = prop(&pair, "localCandidateId") {
            let local = report.get(&JsValue::from_str(&local));
            s.candidate_type = prop(&local, "candidateType");
            s.protocol = prop(&local, "protocol");
        }
    }
    s
}

/// Applies `step` to the video sender: the parameters are read first and written back changed,
/// as `setParameters` requires (webrtc-pc §5.2: it rejects parameters not from
/// `getParameters`). Nothing when there is no video sender; a refusal is logged.
pub(crate) fn apply_step(pc: &RtcPeerConnection, step: SendStep) {
    let Some(sender) = js(pc).get_senders_plain().iter().find(|s| {
        let track = s.unchecked_ref::<Sender>().track();
        prop(&track, "kind").as_deref() == Some("video")
    }) else {
        return;
    };
    let sender: &Sender = sender.unchecked_ref();
    let set = || {
        let params = sender.get_parameters()?;
        let encodings = Reflect::get(&params, &JsValue::from_str("encodings"))?;
        let first = Array::from(&encodings).get(0);
        if first.is_object() {
            let key = JsValue::from_str("maxBitrate");
            match step.max_bitrate() {
                Some(bps) => Reflect::set(&first, &key, &bps.into())?,
                None => Reflect::delete_property(first.unchecked_ref::<js_sys::Object>(), &key)?,
            };
            let scale = JsValue::from_f64(step.scale_down_by());
            Reflect::set(&first, &JsValue::from_str("scaleResolutionDownBy"), &scale)?;
        }
        sender.set_parameters(&params)
    };
    let refused = |e: JsValue| {
        let e = JsError::from_js(&e);
        log(&["webrtc-chat: setParameters failed: ", &e.text()].concat());
    };
    match set() {
        Ok(promise) => settle(promise, move |result| {
            result.map(drop).unwrap_or_else(refused)
        }),
        Err(e) => refused(e),
    }
}

/// SHA-256 of `input`'s UTF-8 bytes with `crypto.subtle.digest`, for `then`.
pub(crate) fn sha256(input: &str, then: impl FnOnce(Result<Vec<u8>, JsError>) + 'static) {
    match crate::rtc::subtle_digest("SHA-256", input.as_bytes()) {
        Ok(promise) => settle(promise, move |buffer| {
            then(match buffer {
                Ok(buffer) => Ok(Uint8Array::new(&buffer).to_vec()),
                Err(e) => Err(JsError::from_js(&e)),
            })
        }),
        Err(e) => then(Err(JsError::from_js(&e))),
    }
}
