//! HTTP paths as permiso reads them: only canonical paths, so that permiso
//! and any router agree about which route a path names (the rules are
//! listed in [`crate::request`]).

use std::borrow::Cow;

/// Longest path considered, in bytes.
pub const MAX_PATH_LEN: usize = 8 * 1024;

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Percent-decodes `s`; `None` on a bad escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<Cow<'_, str>> {
    if !s.contains('%') {
        return Some(Cow::Borrowed(s));
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let (h, l) = (*bytes.get(i + 1)?, *bytes.get(i + 2)?);
            if !is_hex(h) || !is_hex(l) {
                return None;
            }
            let hex = [h, l];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// Splits off the query and refuses every path that is not canonical.
pub(crate) fn clean_path(target: &str) -> Result<&str, &'static str> {
    if target.contains('#') {
        return Err("the request target contains `#`");
    }
    let end = target.find('?').unwrap_or(target.len());
    let path = target.get(..end).unwrap_or_default();
    if path.len() > MAX_PATH_LEN {
        return Err("the path is too long");
    }
    if !path.starts_with('/') {
        return Err("the path does not start with `/`");
    }
    if path.bytes().any(|b| b.is_ascii_control() || b == b'\\' || b == b' ') {
        return Err("the path contains a control character, a space or `\\`");
    }
    if path.contains(';') {
        return Err("the path contains `;` (a path parameter)");
    }
    for segment in path.split('/').skip(1) {
        if has_escape(segment, b'2', b'f') || has_escape(segment, b'5', b'c') || has_escape(segment, b'0', b'0') {
            return Err("the path contains an encoded `/`, `\\` or NUL");
        }
        if is_dot_segment(segment) {
            return Err("the path contains a dot segment");
        }
        if has_needless_escape(segment) {
            return Err("the path percent-encodes a character that routes contain unencoded");
        }
    }
    if path.contains("//") {
        return Err("the path contains an empty segment");
    }
    Ok(path)
}

/// Whether `c` may stand unencoded in a route's literal segment: RFC 3986
/// unreserved characters and the sub-delimiters, `:` and `@` (a `pchar`
/// without `;` and `%`). Route templates are limited to these.
pub(crate) fn is_literal_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~!$&'()*+,=:@".contains(&c)
}

/// Whether `segment` percent-encodes a character a route literal may hold.
fn has_needless_escape(segment: &str) -> bool {
    segment.as_bytes().windows(3).any(|w| match w {
        [b'%', h, l] => {
            let hex = |b: u8| char::from(b).to_digit(16);
            matches!((hex(*h), hex(*l)), (Some(h), Some(l)) if u8::try_from(h * 16 + l).is_ok_and(is_literal_char))
        }
        _ => false,
    })
}

/// Whether `segment` contains `%hl` (hex digits, any case).
fn has_escape(segment: &str, h: u8, l: u8) -> bool {
    segment
        .as_bytes()
        .windows(3)
        .any(|w| matches!(w, [b'%', a, b] if a.eq_ignore_ascii_case(&h) && b.eq_ignore_ascii_case(&l)))
}

/// `.` or `..`, each dot possibly written `%2e`.
fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        match rest {
            [b'.', tail @ ..] => rest = tail,
            [b'%', b'2', e, tail @ ..] if e.eq_ignore_ascii_case(&b'e') => rest = tail,
            _ => return false,
        }
        dots += 1;
    }
    dots == 1 || dots == 2
}

/// Percent-decodes a matched path parameter (used when filling templates).
pub(crate) fn decode_param(raw: &str) -> Option<Cow<'_, str>> {
    percent_decode(raw).filter(|s| !s.chars().any(char::is_control))
}

/// The request target of a URL: its path and query exactly as written
/// (`https://h/a/../b?q` → `/a/../b?q`), with no normalisation, so the
/// path rules above still see `..` and `%2F` and refuse them. A text
/// without a scheme is already a target.
pub(crate) fn target_of_url(url: &str) -> Cow<'_, str> {
    let Some(i) = url.find("://") else {
        return Cow::Borrowed(url);
    };
    let rest = url.get(i + 3..).unwrap_or_default();
    match rest.find(['/', '?']) {
        Some(j) => {
            let tail = rest.get(j..).unwrap_or_default();
            if tail.starts_with('?') {
                Cow::Owned(format!("/{tail}"))
            } else {
                Cow::Borrowed(tail)
            }
        }
        None => Cow::Borrowed("/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_targets_are_taken_as_written() {
        assert_eq!(target_of_url("https://h.example/a/../b?q=1"), "/a/../b?q=1");
        assert_eq!(target_of_url("https://h.example?q"), "/?q");
        assert_eq!(target_of_url("https://h.example"), "/");
        assert_eq!(target_of_url("/x/%2F"), "/x/%2F");
    }

    #[test]
    fn path_rules() {
        assert_eq!(clean_path("/a/b?x=1"), Ok("/a/b"));
        assert_eq!(clean_path("/a/my%20app"), Ok("/a/my%20app"));
        for bad in [
            "/a/b?x=1#f",
            "/a#/../b",
            "/a/%63urrent",
            "/a/%7e",
            "/a/%2B",
            "/a/b;v=1",
            "a/b",
            "/a/../b",
            "/a/./b",
            "/a/%2e%2E/b",
            "/a%2Fb",
            "/a%5cb",
            "/a//b",
            "/a\\b",
            "/a\u{0}",
            "/a b",
            "/..",
        ] {
            assert!(clean_path(bad).is_err(), "{bad}");
        }
        assert_eq!(decode_param("a%20b").as_deref(), Some("a b"));
        assert_eq!(decode_param("%zz"), None);
        assert_eq!(decode_param("%ff"), None);
        assert_eq!(decode_param("%0a"), None);
    }
}
