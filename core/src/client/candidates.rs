//! Remote ICE candidates that arrive before they can be applied (PROTOCOL bug 6: the tutorial
//! lost them, or `addIceCandidate` threw).
//!
//! Two waits: before the offer they belong to has arrived at all (here, while idle), and
//! before the remote description is set (in the call, see `call.rs`). Both are bounded, so a
//! flood of candidates cannot grow memory without limit.

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

/// Candidates received while idle, kept in arrival order until their sender's offer arrives.
#[derive(Debug, Clone, Default)]
pub(super) struct EarlyCandidates {
    items: Vec<Early>,
}

impl EarlyCandidates {
    /// Keeps a candidate; `false` if it was dropped because its sender has too many waiting.
    pub(super) fn push(
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

    /// Takes, in arrival order, the candidates that may belong to an offer from `sender`
    /// carrying `token`, and forgets the rest (whatever they were for, it is not this call).
    pub(super) fn take_for(&mut self, sender: &str, token: Option<&str>) -> Vec<IceCandidate> {
        let taken = self
            .items
            .drain(..)
            .filter(|e| e.sender.as_deref().is_none_or(|s| s == sender))
            .filter(|e| match (e.token.as_deref(), token) {
                (Some(ours), Some(theirs)) => ours == theirs,
                _ => true,
            })
            .map(|e| e.candidate)
            .collect();
        self.items.clear();
        taken
    }
}
