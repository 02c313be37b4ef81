//! Showing text that came from outside (token fields, paths, ids) in
//! messages and log lines: escaped, so it cannot forge a line or reorder
//! what a reader sees, and truncated, so it cannot flood one.

use std::fmt;

/// Most characters of outside text shown in a message.
pub const MAX_SHOWN_CHARS: usize = 64;

/// Most characters of a message that quotes outside text without being
/// able to mark where it is (serde's account of a bad record, which names
/// an unknown field or a bad value as given).
pub const MAX_MESSAGE_CHARS: usize = 512;

/// Outside text as it is shown: control, format (bidi overrides, zero
/// width) and other invisible characters escaped as `\u{…}`, then cut
/// with `…`. Text quoted in a message ([`shown`]) also has its backticks
/// and backslashes escaped and keeps at most [`MAX_SHOWN_CHARS`]
/// characters; a whole message ([`shown_message`]) keeps its quotes and at
/// most [`MAX_MESSAGE_CHARS`].
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    text: &'a str,
    max_chars: usize,
    /// Whether backticks and backslashes are escaped (outside text inside
    /// a message's quotes), or kept (a whole message whose quotes they are).
    quotes: bool,
}

/// Wraps outside text for a message.
pub fn shown(text: &str) -> Shown<'_> {
    Shown {
        text,
        max_chars: MAX_SHOWN_CHARS,
        quotes: true,
    }
}

/// Wraps a whole message that quotes outside text where this crate cannot
/// wrap it (serde's account of a bad record names an unknown field or a bad
/// value as given): invisible characters escaped as in [`shown`], its own
/// backticks kept, at most [`MAX_MESSAGE_CHARS`] characters.
pub fn shown_message(text: &str) -> Shown<'_> {
    Shown {
        text,
        max_chars: MAX_MESSAGE_CHARS,
        quotes: false,
    }
}

/// Whether `c` must not reach a message or a log line as it is: controls,
/// Unicode format characters (bidi controls, zero-width joiners, BOM), line
/// and paragraph separators.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}')
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.text;
        let quote = |c: char| self.quotes && (c == '`' || c == '\\');
        // Printable ASCII without a quote to escape, short enough: as it is.
        if text.len() <= self.max_chars && text.chars().all(|c| matches!(c, ' '..='~') && !quote(c)) {
            return f.write_str(text);
        }
        // Runs of characters that need nothing are written whole.
        let mut run = 0;
        for (n, (at, c)) in text.char_indices().enumerate() {
            if n == self.max_chars {
                f.write_str(text.get(run..at).unwrap_or_default())?;
                return f.write_str("…");
            }
            let control = is_unsafe_char(c);
            if control || quote(c) {
                f.write_str(text.get(run..at).unwrap_or_default())?;
                run = at + c.len_utf8();
                if control {
                    write!(f, "{}", c.escape_unicode())?;
                } else {
                    write!(f, "\\{c}")?;
                }
            }
        }
        f.write_str(text.get(run..).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_truncates() {
        assert_eq!(shown("a\nb").to_string(), "a\\u{a}b");
        assert_eq!(shown("x\u{202E}y").to_string(), "x\\u{202e}y");
        assert_eq!(shown("a`b").to_string(), "a\\`b");
        assert_eq!(shown("ab`c\nd\\é\u{200B}").to_string(), "ab\\`c\\u{a}d\\\\é\\u{200b}");
        assert_eq!(shown("plain text").to_string(), "plain text");
        let escaped_then_long = format!("\n{}", "é".repeat(100));
        let out = shown(&escaped_then_long).to_string();
        assert_eq!(out, format!("\\u{{a}}{}…", "é".repeat(MAX_SHOWN_CHARS - 1)));
        let long = "z".repeat(100);
        let out = shown(&long).to_string();
        assert_eq!(out.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(out.ends_with('…'));
        assert_eq!(shown("plain-id_1").to_string(), "plain-id_1");
    }

    /// The rule one character at a time, in its plainest form.
    fn one_by_one(text: &str) -> String {
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            if i == MAX_SHOWN_CHARS {
                out.push('…');
                break;
            }
            if is_unsafe_char(c) {
                out.extend(c.escape_unicode());
            } else if c == '`' || c == '\\' {
                out.push('\\');
                out.push(c);
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn a_message_keeps_its_quotes_and_escapes_what_is_invisible() {
        let message = "unknown field `ev\u{1b}[31mil\n`, expected `id`";
        assert_eq!(
            shown_message(message).to_string(),
            "unknown field `ev\\u{1b}[31mil\\u{a}`, expected `id`"
        );
        assert_eq!(shown_message("a \\ `b`").to_string(), "a \\ `b`");
        let long = format!("invalid value `{}`", "x".repeat(2000));
        let out = shown_message(&long).to_string();
        assert_eq!(out.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(out.ends_with('…'));
    }

    proptest::proptest! {
        #[test]
        fn written_in_runs_as_one_character_at_a_time(
            text in "(?s).{0,80}|[ -~]{0,80}|[a-z`\\\\\n\u{202e}\u{feff}é]{0,80}"
        ) {
            proptest::prop_assert_eq!(shown(&text).to_string(), one_by_one(&text));
        }
    }
}
