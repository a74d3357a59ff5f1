//! Remote ICE candidates that arrive before they can be applied (PROTOCOL bug 6: the tutorial
//! lost them, or `addIceCandidate` threw).
//!
//! Two waits: before the offer they belong to has arrived at all (here, while idle), and
//! before the remote description is set (in the call, see `call.rs`). Both are bounded, so a
//! flood of candidates cannot grow memory without limit. [`CandidateBuffer`] is also the buffer
//! of the tutorial-compatible functions (src/compat/), through `crate::rules`.

use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::IceCandidate;

/// Most candidates kept per sender (a real peer sends a handful to a few dozen).
pub(super) const MAX_PER_SENDER: usize = 100;
/// Most candidates kept over all senders.
const MAX_TOTAL: usize = 4 * MAX_PER_SENDER;

#[derive(Debug, Clone)]
struct Early {
    /// `None`: the sample's clients send candidates without a `name`.
    sender: Option<String>,
    token: Option<String>,
    candidate: IceCandidate,
}

/// Candidates kept in arrival order until the offer they belong to has been applied.
#[derive(Debug, Clone, Default)]
pub struct CandidateBuffer {
    items: Vec<Early>,
}

impl CandidateBuffer {
    pub const fn new() -> CandidateBuffer {
        CandidateBuffer { items: Vec::new() }
    }

    /// Keeps a candidate; `false` if it was dropped because its sender has too many waiting.
    /// Past the overall limit the oldest one goes.
    pub fn push(
        &mut self,
        sender: Option<String>,
        token: Option<String>,
        candidate: IceCandidate,
    ) -> bool {
        if self.items.iter().filter(|e| e.sender == sender).count() >= MAX_PER_SENDER {
            return false;
        }
        if self.items.len() >= MAX_TOTAL {
            self.items.remove(0);
        }
        self.items.push(Early {
            sender,
            token,
            candidate,
        });
        true
    }

    /// Takes, in arrival order, the candidates that may belong to an offer from `sender` (any
    /// sender for `None`) carrying `token`: those from that sender or from no named sender,
    /// and with that token or none. The others stay.
    pub fn take(&mut self, sender: Option<&str>, token: Option<&str>) -> Vec<IceCandidate> {
        let wanted = |e: &Early| {
            let by = match (e.sender.as_deref(), sender) {
                (Some(theirs), Some(wanted)) => theirs == wanted,
                _ => true,
            };
            let of = match (e.token.as_deref(), token) {
                (Some(ours), Some(theirs)) => ours == theirs,
                _ => true,
            };
            by && of
        };
        let mut taken = Vec::new();
        let mut i = 0;
        while i < self.items.len() {
            if wanted(&self.items[i]) {
                taken.push(self.items.remove(i).candidate);
            } else {
                i += 1;
            }
        }
        taken
    }

    /// Forgets what `sender` sent (and what came without a sender): its call is over.
    pub fn forget(&mut self, sender: &str) {
        self.items
            .retain(|e| e.sender.as_deref().is_some_and(|s| s != sender));
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(n: u32) -> IceCandidate {
        IceCandidate {
            candidate: format!("candidate:{n}"),
            sdp_mid: None,
            sdp_m_line_index: Some(0),
            username_fragment: None,
        }
    }

    fn names(v: Vec<IceCandidate>) -> Vec<String> {
        v.into_iter().map(|c| c.candidate).collect()
    }

    #[test]
    fn takes_by_sender_and_token_keeping_the_rest_in_order() {
        let mut b = CandidateBuffer::new();
        b.push(Some("bob".into()), Some("t1".into()), c(1));
        b.push(Some("carol".into()), None, c(2));
        b.push(None, None, c(3));
        b.push(Some("bob".into()), Some("t2".into()), c(4));
        assert_eq!(
            names(b.take(Some("bob"), Some("t1"))),
            ["candidate:1", "candidate:3"]
        );
        assert_eq!(names(b.take(None, None)), ["candidate:2", "candidate:4"]);
    }

    #[test]
    fn bounded_per_sender_and_overall() {
        let mut b = CandidateBuffer::new();
        for n in 0..MAX_PER_SENDER as u32 {
            assert!(b.push(Some("bob".into()), None, c(n)));
        }
        assert!(!b.push(Some("bob".into()), None, c(999)));
        for who in ["carol", "dave", "erin"] {
            for n in 0..MAX_PER_SENDER as u32 {
                assert!(b.push(Some(who.into()), None, c(n)));
            }
        }
        // Full: a new sender's candidate pushes out bob's oldest.
        assert!(b.push(Some("frank".into()), None, c(7)));
        assert_eq!(b.take(Some("bob"), None).len(), MAX_PER_SENDER - 1);
    }

    #[test]
    fn forget_drops_the_sender_and_the_unnamed() {
        let mut b = CandidateBuffer::new();
        b.push(Some("bob".into()), None, c(1));
        b.push(None, None, c(2));
        b.push(Some("carol".into()), None, c(3));
        b.forget("bob");
        assert_eq!(names(b.take(None, None)), ["candidate:3"]);
    }
}
