//! The call's verification code (short authentication string): both people see the same six
//! digits when, and only when, each browser's DTLS certificate is the one the other side saw.
//!
//! Why it works: the media of a WebRTC call is encrypted with DTLS-SRTP, and each side checks
//! the other's certificate against the `a=fingerprint` line of the SDP it received over
//! signaling (RFC 8122, RFC 8827 §6.5). A signaling server that wants to sit in the middle must
//! replace those fingerprints with its own, so the pair of fingerprints one side sees differs
//! from the pair the other sees, and so do the codes derived from them. Read aloud, the codes
//! tell two people whether anyone is in between (the idea of ZRTP's SAS, RFC 6189 §7).
//!
//! The core builds the hash input and turns the digest into digits; the browser hashes with
//! `crypto.subtle.digest("SHA-256", …)` (no hash code in the wasm). Each side feeds its own
//! local and remote descriptions; sorting makes the input the same on both sides.

use alloc::string::String;
use alloc::vec::Vec;

/// Prefix of the hash input: versioned so a later change of the derivation cannot produce a
/// code that matches an older client's by accident.
const DOMAIN: &str = "webrtc-chat sas v1";

/// The `a=fingerprint:<hash-func> <hex>` values of an SDP (session or media level), normalised:
/// hash function lower-case, hex upper-case, in order of appearance, without repeats.
pub fn fingerprints(sdp: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in sdp.lines() {
        let Some(rest) = line.trim().strip_prefix("a=fingerprint:") else {
            continue;
        };
        let mut parts = rest.split_ascii_whitespace();
        let (Some(func), Some(hex), None) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        // Pairs of hex digits joined by `:` (`AB:CD:…`), checked byte by byte: a `split(':')`
        // costs the page a char searcher (README, "Bundle size").
        let valid = hex.len() % 3 == 2
            && hex.bytes().enumerate().all(|(i, c)| {
                if i % 3 == 2 {
                    c == b':'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if !valid {
            continue;
        }
        let f = [&func.to_ascii_lowercase(), " ", &hex.to_ascii_uppercase()].concat();
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// What both sides hash: the domain, then each side's fingerprints, the two sides sorted so
/// the caller and the callee build the same bytes. `None` when either SDP has no valid
/// fingerprint (then there is nothing to verify, and no code is shown).
pub fn hash_input(local_sdp: &str, remote_sdp: &str) -> Option<String> {
    let local = fingerprints(local_sdp).join(",");
    let remote = fingerprints(remote_sdp).join(",");
    if local.is_empty() || remote.is_empty() {
        return None;
    }
    let (a, b) = if local <= remote {
        (local, remote)
    } else {
        (remote, local)
    };
    Some([DOMAIN, "\n", &a, "\n", &b].concat())
}

/// Six digits from the first four bytes of the SHA-256 digest, shown as `123 456` (two groups
/// read more easily aloud). 10^6 codes: a man in the middle who cannot choose his certificate
/// after seeing both (DTLS certificates are fixed before the offer) matches by luck once in a
/// million. `None` for a digest shorter than four bytes.
pub fn code(digest: &[u8]) -> Option<String> {
    let bytes: [u8; 4] = digest.get(..4)?.try_into().ok()?;
    let mut n = u32::from_be_bytes(bytes) % 1_000_000;
    let mut digits = [b'0'; 7];
    for i in (0..7).rev() {
        if i == 3 {
            digits[i] = b' ';
            continue;
        }
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    String::from_utf8(digits.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
        a=fingerprint:sha-256 4f:1A:00:9C:3B:DE:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\
        a=fingerprint:sha-256 4F:1A:00:9C:3B:DE:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA\r\n";

    #[test]
    fn fingerprints_are_normalised_and_deduplicated() {
        assert_eq!(
            fingerprints(A),
            vec!["sha-256 4F:1A:00:9C:3B:DE:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA"]
        );
    }

    #[test]
    fn garbage_fingerprints_are_skipped() {
        for sdp in [
            "",
            "a=fingerprint:",
            "a=fingerprint:sha-256",
            "a=fingerprint:sha-256 ZZ:11",
            "a=fingerprint:sha-256 1:22",
            "a=fingerprint:sha-256 AA:BB extra",
            "a=fingerprint:sha-256 AA::BB",
            "a=fingerprint:sha-256 AA-BB",
            "a=fingerprint:sha-256 AAB:B",
        ] {
            assert!(fingerprints(sdp).is_empty(), "{sdp:?}");
        }
    }

    #[test]
    fn both_sides_build_the_same_input() {
        let b = "a=fingerprint:sha-256 01:02\r\n";
        assert_eq!(hash_input(A, b), hash_input(b, A));
        assert!(hash_input(A, "").is_none());
        assert!(hash_input("", b).is_none());
    }

    #[test]
    fn a_swapped_fingerprint_changes_the_input() {
        let b = "a=fingerprint:sha-256 01:02\r\n";
        let mitm = "a=fingerprint:sha-256 01:03\r\n";
        assert_ne!(hash_input(A, b), hash_input(A, mitm));
    }

    #[test]
    fn codes_are_six_digits_in_two_groups() {
        assert_eq!(code(&[0, 0, 0, 0]).as_deref(), Some("000 000"));
        assert_eq!(code(&[0, 0, 0, 42, 9]).as_deref(), Some("000 042"));
        // 0xFFFFFFFF = 4294967295 → 967295.
        assert_eq!(code(&[255; 32]).as_deref(), Some("967 295"));
        assert_eq!(code(&[1, 2, 3]), None);
    }
}
