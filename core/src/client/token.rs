//! Per-call tokens: the `call` field of our offers, answers, candidates and hang-ups.
//!
//! The sample's server trusts the `name` a client writes, so anyone can send a `hang-up` that
//! claims to be from our peer. A token that only the two ends of a call know lets us tell the
//! real peer's messages from a spoofer's (and from late messages of an earlier call).

use alloc::string::String;

/// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014;
/// reference code: https://prng.di.unimi.it/splitmix64.c): a counter run through a mixing
/// function. Seeded from the browser's crypto RNG, its outputs are as unguessable as the seed.
#[derive(Debug, Clone)]
pub(super) struct TokenSource {
    state: u64,
}

impl TokenSource {
    pub(super) fn new(seed: u64) -> TokenSource {
        TokenSource { state: seed }
    }

    /// The next token: 16 lowercase hex digits.
    pub(super) fn next_token(&mut self) -> String {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        crate::protocol::digits::hex16(z)
    }
}

#[cfg(test)]
mod tests {
    use super::TokenSource;

    #[test]
    fn tokens_differ_per_call_and_per_seed() {
        let mut a = TokenSource::new(1);
        let mut b = TokenSource::new(2);
        let (a1, a2, b1) = (a.next_token(), a.next_token(), b.next_token());
        assert_ne!(a1, a2);
        assert_ne!(a1, b1);
        assert_eq!(a1.len(), 16);
        assert!(a1.bytes().all(|c| c.is_ascii_hexdigit()));
        // Deterministic: the same seed gives the same sequence.
        assert_eq!(TokenSource::new(1).next_token(), a1);
    }

    #[test]
    fn matches_the_splitmix64_reference() {
        // First output of the reference splitmix64.c for seed 0.
        assert_eq!(TokenSource::new(0).next_token(), "e220a8397b1dcdaf");
    }
}
