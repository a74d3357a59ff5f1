//! Client ids that are unique across relays and stay exact in JavaScript.
//!
//! Clients read the `id` frame into a JavaScript number, so an id must stay below 2^53
//! (`Number.MAX_SAFE_INTEGER + 1`). Each relay gets a node number from Redis (an `INCR`, see
//! `scripts.rs`) and puts it in the high bits; the low bits count the relay's own connections.
//! Node numbers are 16 bits (65,535 relays alive at once) and recycled: a number is only taken
//! while no live relay holds it (its presence key, `SET NX`), so the counter wrapping after
//! 65,535 restarts is harmless. The counter has 37 bits: 137 billion connections per relay
//! lifetime, about 4 years at 1,000 new connections per second. No round trip per id: one
//! `INCR` per relay start, not per connection.

/// Bits for the node number.
pub const NODE_BITS: u32 = 16;
/// Bits for the per-node connection counter.
pub const COUNTER_BITS: u32 = 37;
/// The largest node number (0 means "none yet").
pub const MAX_NODE: u32 = (1 << NODE_BITS) - 1;
const COUNTER_MASK: u64 = (1 << COUNTER_BITS) - 1;

/// The client id for the `counter`-th connection of node `node`.
pub fn client_id(node: u32, counter: u64) -> u64 {
    (u64::from(node & MAX_NODE) << COUNTER_BITS) | (counter & COUNTER_MASK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fit_in_a_javascript_number() {
        assert_eq!(NODE_BITS + COUNTER_BITS, 53);
        let max = client_id(MAX_NODE, u64::MAX);
        assert_eq!(max, (1u64 << 53) - 1);
        assert!(max as f64 as u64 == max, "exact as an f64");
    }

    #[test]
    fn nodes_never_share_an_id() {
        assert_ne!(client_id(1, COUNTER_MASK), client_id(2, 0));
        assert_eq!(client_id(2, 5) >> COUNTER_BITS, 2);
        assert_eq!(client_id(2, 5) & COUNTER_MASK, 5);
    }
}
