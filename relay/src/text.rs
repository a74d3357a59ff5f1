//! Text cleaning for what sample-style clients put into `innerHTML` (docs/protocol.md, bug 9).

/// Removes HTML tags the way the sample's server does (`text.replace(/<[^>]+>/g, "")`), and then
/// also every `<` that is left.
///
/// Why more than the sample: its regex leaves an unclosed tag such as `<img src=x onerror=…`
/// in place, and the sample client appends `"<br>"` after the text before assigning
/// `innerHTML`, which closes the tag and runs the handler. Without any `<` no element can be
/// created; entities like `&lt;` only ever decode to text. Clients that use `textContent`
/// (ours) lose nothing but a lone `<`.
pub fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        rest = match after.find('>') {
            // `<[^>]+>`: at least one character between the brackets.
            Some(close) if close > 0 => &after[close + 1..],
            // `<>` or a `<` with no `>` after it: drop just the `<`.
            _ => after,
        };
    }
    out.push_str(rest);
    out
}

use unicode_normalization::UnicodeNormalization;

/// Longest user name accepted, in characters (after trimming).
pub const MAX_NAME_CHARS: usize = 64;

/// Why a requested user name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong { chars: usize },
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameError::Empty => f.write_str("user name is empty"),
            NameError::TooLong { chars } => write!(
                f,
                "user name is too long ({chars} characters, limit {MAX_NAME_CHARS})"
            ),
        }
    }
}

/// The name a connection asked for, made safe to show: trimmed, tags and `<` removed (the
/// sample's client also writes the name into `innerHTML`, in chat lines), control, invisible
/// and bidi-override characters removed, runs of white space made one space, Unicode NFC
/// (so "é" typed two ways is one name). The caller tells the client about any change with
/// `rejectusername`. Two names are the same name when their [`name_key`]s are equal.
pub fn clean_name(requested: &str) -> Result<String, NameError> {
    let trimmed = requested.trim();
    let chars = trimmed.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(NameError::TooLong { chars });
    }
    let mut cleaned = String::with_capacity(trimmed.len());
    for c in strip_tags(trimmed).nfc() {
        if c.is_whitespace() {
            if !cleaned.is_empty() && !cleaned.ends_with(' ') {
                cleaned.push(' ');
            }
        } else if !c.is_control() && !invisible(c) {
            cleaned.push(c);
        }
    }
    let cleaned = cleaned.trim_end();
    // Removing characters cannot lengthen it, but NFC can (rarely) change the count.
    if cleaned.chars().count() > MAX_NAME_CHARS {
        return Err(NameError::TooLong {
            chars: cleaned.chars().count(),
        });
    }
    if cleaned.is_empty() {
        return Err(NameError::Empty);
    }
    Ok(cleaned.to_owned())
}

/// What makes two names the same: compatibility-normalized (NFKC: "ｂｏｂ" is "bob") and
/// lower-cased ("Bob" is "bob"). Names that differ only there would look alike in a list.
pub fn name_key(name: &str) -> String {
    name.nfkc().flat_map(char::to_lowercase).collect()
}

/// Characters that draw nothing (or reorder what follows) but make two names differ:
/// zero-width and joiner characters, bidi embeddings, overrides and isolates, soft hyphen,
/// variation selectors, fillers, tags, and the byte-order mark.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_like_the_sample_regex() {
        let cases = [
            ("hello", "hello"),
            ("<b>bold</b> text", "bold text"),
            ("a <i>b</i> c", "a b c"),
            ("<script>alert(1)</script>", "alert(1)"),
            // `[^>]+` spans `<` and newlines.
            ("x<a<b>y", "xy"),
            ("x<a\nb>y", "xy"),
            ("1 > 0", "1 > 0"),
            ("", ""),
            ("ünï<b>cödé</b>", "ünïcödé"),
        ];
        for (input, want) in cases {
            assert_eq!(strip_tags(input), want, "input {input:?}");
        }
    }

    #[test]
    fn leaves_no_less_than_sign_behind() {
        // The sample would keep these, and its client's `+ "<br>"` would complete the tag.
        let cases = [
            (
                "<img src=x onerror=alert(1) ",
                "img src=x onerror=alert(1) ",
            ),
            ("1 < 2", "1  2"),
            ("<>", ">"),
            ("<<b>>", ">"),
            ("a<", "a"),
        ];
        for (input, want) in cases {
            let got = strip_tags(input);
            assert_eq!(got, want, "input {input:?}");
            assert!(!got.contains('<'));
        }
    }

    #[test]
    fn names_are_trimmed_and_cleaned() {
        assert_eq!(clean_name("  bob "), Ok("bob".into()));
        assert_eq!(clean_name("<b>bob</b>"), Ok("bob".into()));
        assert_eq!(clean_name("bo\u{0}b\n"), Ok("bob".into()));
        assert_eq!(clean_name("Zoë Ñ"), Ok("Zoë Ñ".into()));
        assert_eq!(clean_name("   "), Err(NameError::Empty));
        assert_eq!(clean_name("<b></b>"), Err(NameError::Empty));
        let long = "x".repeat(MAX_NAME_CHARS);
        assert_eq!(clean_name(&long), Ok(long.clone()));
        assert_eq!(
            clean_name(&format!("{long}y")),
            Err(NameError::TooLong {
                chars: MAX_NAME_CHARS + 1
            })
        );
        // Characters, not bytes.
        assert!(clean_name(&"é".repeat(MAX_NAME_CHARS)).is_ok());
    }

    #[test]
    fn names_that_would_look_alike_are_one_name() {
        // NFC: a precomposed and a combining "é" are the same name.
        assert_eq!(clean_name("Ren\u{0065}\u{0301}"), Ok("Ren\u{00E9}".into()));
        // Invisible and bidi characters are removed; white space runs become one space.
        for sneaky in [
            "bo\u{200B}b",
            "\u{202E}bob",
            "b\u{2066}ob\u{2069}",
            "\u{FEFF}bob\u{00AD}",
            "bob\u{FE0F}",
            "b\u{E0062}ob",
        ] {
            assert_eq!(clean_name(sneaky), Ok("bob".into()), "{sneaky:?}");
        }
        assert_eq!(clean_name("a \u{3000}\t b"), Ok("a b".into()));
        assert_eq!(clean_name("\u{200B}\u{200D}"), Err(NameError::Empty));
        // Case and compatibility forms compare equal.
        assert_eq!(name_key("Bob"), name_key("bob"));
        assert_eq!(name_key("\u{FF42}\u{FF4F}\u{FF42}"), name_key("BOB"));
        assert_ne!(name_key("bob"), name_key("rob"));
    }
}
