//! `getUserMedia` failures: from the browser's exception name to a message a person understands.
//!
//! The tutorial only knew the legacy names and showed a generic alert for the modern
//! `NotAllowedError` (its bug 5). The names are the `DOMException` names listed on MDN's
//! `MediaDevices.getUserMedia()` page, "Exceptions"
//! (https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia#exceptions),
//! plus the pre-standard names older Chrome and Firefox threw.

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;

use crate::call::MediaError;
use crate::text::{Key, Lang, Text};

impl MediaError {
    /// Maps a thrown exception (`err.name`, `err.message`, and for `OverconstrainedError` its
    /// `constraint`) to a [`MediaError`].
    pub fn from_exception(name: &str, message: &str, constraint: Option<&str>) -> MediaError {
        match name {
            // `DevicesNotFoundError`: what Chrome threw before the standard name.
            "NotFoundError" | "DevicesNotFoundError" => MediaError::NotFound,
            "NotAllowedError" => MediaError::NotAllowed,
            // The legacy name for NotAllowedError (old Chrome and Firefox).
            "PermissionDeniedError" => MediaError::PermissionDenied,
            "SecurityError" => MediaError::Security,
            // `TrackStartError`: old Chrome's name for a device it could not start.
            "NotReadableError" | "TrackStartError" => MediaError::NotReadable,
            // `ConstraintNotSatisfiedError`: the pre-standard name (old Chrome).
            "OverconstrainedError" | "ConstraintNotSatisfiedError" => MediaError::Overconstrained {
                constraint: constraint.unwrap_or_default().to_owned(),
            },
            "AbortError" => MediaError::Abort,
            "TypeError" => MediaError::Type,
            other => MediaError::Other {
                name: other.to_owned(),
                message: message.to_owned(),
            },
        }
    }

    /// What the person at the page is told: what went wrong and what to do about it.
    pub fn text(&self) -> Text {
        match self {
            MediaError::NotFound => Text::new(Key::MediaNotFound),
            MediaError::NotAllowed | MediaError::PermissionDenied => Text::new(Key::MediaDenied),
            MediaError::Security => Text::new(Key::MediaInsecure),
            MediaError::NotReadable => Text::new(Key::MediaNotReadable),
            MediaError::Overconstrained { constraint } if constraint.is_empty() => {
                Text::new(Key::MediaOverconstrained)
            }
            MediaError::Overconstrained { constraint } => {
                Text::new(Key::MediaOverconstrainedBy).with("constraint", constraint.as_str())
            }
            MediaError::Abort => Text::new(Key::MediaAborted),
            MediaError::Type => Text::new(Key::MediaUnsupported),
            MediaError::Other { name, message } if message.is_empty() => {
                Text::new(Key::MediaOther).with("name", name.as_str())
            }
            MediaError::Other { name, message } => Text::new(Key::MediaOtherMessage)
                .with("name", name.as_str())
                .with("message", message.as_str()),
        }
    }

    /// [`MediaError::text`] in English.
    pub fn user_message(&self) -> String {
        self.text().render(Lang::En)
    }
}

impl fmt::Display for MediaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.user_message())
    }
}

impl core::error::Error for MediaError {}
