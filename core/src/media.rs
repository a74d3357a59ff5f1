//! `getUserMedia` failures: from the browser's exception name to a message a person understands.
//!
//! The tutorial only knew the legacy names and showed a generic alert for the modern
//! `NotAllowedError` (its bug 5). The names are the `DOMException` names listed on MDN's
//! `MediaDevices.getUserMedia()` page, "Exceptions"
//! (https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia#exceptions),
//! plus the pre-standard names older Chrome and Firefox threw.

use std::fmt;

use crate::call::MediaError;

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

    /// A sentence for the person at the page: what went wrong and what to do about it.
    pub fn user_message(&self) -> String {
        match self {
            MediaError::NotFound => {
                "No camera or microphone was found. Plug one in and try again.".to_owned()
            }
            MediaError::NotAllowed | MediaError::PermissionDenied => {
                "Access to the camera and microphone was denied. Allow it for this site in the \
                 browser's settings (the icon in the address bar) and try again."
                    .to_owned()
            }
            MediaError::Security => "This page is not allowed to use the camera and microphone. \
                 Open it over https (or from localhost)."
                .to_owned(),
            MediaError::NotReadable => "The camera or microphone could not be started: another \
                 application may be using it. Close that application and try again."
                .to_owned(),
            MediaError::Overconstrained { constraint } if constraint.is_empty() => {
                "No camera or microphone matches the requested settings.".to_owned()
            }
            MediaError::Overconstrained { constraint } => format!(
                "No camera or microphone matches the requested settings (\"{constraint}\")."
            ),
            MediaError::Abort => {
                "Starting the camera or microphone was interrupted. Try again.".to_owned()
            }
            MediaError::Type => "This browser cannot use the camera and microphone here. Open \
                 the page over https (or from localhost) in an up-to-date browser."
                .to_owned(),
            MediaError::Other { name, message } if message.is_empty() => {
                format!("The camera or microphone could not be started ({name}).")
            }
            MediaError::Other { name, message } => {
                format!("The camera or microphone could not be started ({name}: {message}).")
            }
        }
    }
}

impl fmt::Display for MediaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.user_message())
    }
}

impl std::error::Error for MediaError {}
