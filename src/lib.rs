//! webrtc-chat browser client. STUB.
#![forbid(unsafe_code)]
