//! Showing text that came from outside (token fields, paths, ids) in
//! messages and log lines: escaped, so it cannot forge a line or reorder
//! what a reader sees, and truncated, so it cannot flood one.

use std::fmt;

/// Most characters of outside text shown in a message.
pub const MAX_SHOWN_CHARS: usize = 64;

/// Outside text as it is shown: control, format (bidi overrides, zero
/// width) and other invisible characters escaped as `\u{…}`, backticks
/// escaped, at most [`MAX_SHOWN_CHARS`] characters followed by `…`.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(&'a str);

/// Wraps outside text for a message.
pub fn shown(text: &str) -> Shown<'_> {
    Shown(text)
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
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX_SHOWN_CHARS {
                return f.write_str("…");
            }
            if is_unsafe_char(c) {
                write!(f, "{}", c.escape_unicode())?;
            } else if c == '`' || c == '\\' {
                write!(f, "\\{c}")?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
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
        let long = "z".repeat(100);
        let out = shown(&long).to_string();
        assert_eq!(out.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(out.ends_with('…'));
        assert_eq!(shown("plain-id_1").to_string(), "plain-id_1");
    }
}
