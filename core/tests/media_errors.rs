//! getUserMedia exceptions → MediaError → what the person reads (PROTOCOL bug 5: the modern
//! `NotAllowedError` must be recognised).

use chat_core::call::MediaError;

/// (name, message, constraint) thrown → the error, and words the person must read.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    MediaError,
    &'static [&'static str],
);

#[test]
fn exception_names_map_to_errors_and_readable_messages() {
    let table: Vec<Row> = vec![
        (
            "NotFoundError",
            "",
            None,
            MediaError::NotFound,
            &["No camera or microphone", "Plug one in"],
        ),
        (
            "DevicesNotFoundError",
            "",
            None,
            MediaError::NotFound,
            &["No camera"],
        ),
        (
            "NotAllowedError",
            "Permission denied",
            None,
            MediaError::NotAllowed,
            &["denied", "Allow"],
        ),
        (
            "PermissionDeniedError",
            "",
            None,
            MediaError::PermissionDenied,
            &["denied", "Allow"],
        ),
        (
            "SecurityError",
            "",
            None,
            MediaError::Security,
            &["not allowed", "https"],
        ),
        (
            "NotReadableError",
            "Could not start video source",
            None,
            MediaError::NotReadable,
            &["another application"],
        ),
        (
            "TrackStartError",
            "",
            None,
            MediaError::NotReadable,
            &["another application"],
        ),
        (
            "OverconstrainedError",
            "",
            Some("width"),
            MediaError::Overconstrained {
                constraint: "width".into(),
            },
            &["requested settings", "width"],
        ),
        (
            "ConstraintNotSatisfiedError",
            "",
            None,
            MediaError::Overconstrained {
                constraint: String::new(),
            },
            &["requested settings."],
        ),
        (
            "AbortError",
            "",
            None,
            MediaError::Abort,
            &["interrupted", "Try again"],
        ),
        (
            "TypeError",
            "mediaDevices is undefined",
            None,
            MediaError::Type,
            &["cannot use", "https"],
        ),
        (
            "WeirdError",
            "it broke",
            None,
            MediaError::Other {
                name: "WeirdError".into(),
                message: "it broke".into(),
            },
            &["could not be started", "WeirdError: it broke"],
        ),
        (
            "",
            "",
            None,
            MediaError::Other {
                name: String::new(),
                message: String::new(),
            },
            &["could not be started"],
        ),
    ];
    for (name, message, constraint, want, words) in table {
        let got = MediaError::from_exception(name, message, constraint);
        assert_eq!(got, want, "{name}");
        let text = got.user_message();
        for w in words {
            assert!(text.contains(w), "{name}: {text:?} lacks {w:?}");
        }
        assert!(text.ends_with('.'), "{text}");
        assert_eq!(got.to_string(), text);
    }
}

#[test]
fn messages_differ_per_cause() {
    let all = [
        MediaError::NotFound,
        MediaError::NotAllowed,
        MediaError::Security,
        MediaError::NotReadable,
        MediaError::Overconstrained {
            constraint: "x".into(),
        },
        MediaError::Abort,
        MediaError::Type,
    ];
    let texts: std::collections::HashSet<String> = all.iter().map(|e| e.user_message()).collect();
    assert_eq!(texts.len(), all.len());
}
