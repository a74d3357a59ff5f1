//! `getUserMedia` failures: from the browser's exception name to a message a person understands.
//! STUB: to be implemented (MediaError::from_exception, MediaError::user_message).
