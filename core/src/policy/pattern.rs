//! Permission names and grant patterns.

/// A grant pattern: `*`, `resource:*` or a concrete `resource:action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern<'a> {
    All,
    Resource(&'a str),
    Exact(&'a str),
}

/// A lowercase `[a-z0-9_-]` segment of at most 64 characters.
pub(crate) fn is_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Whether `s` is a concrete permission `resource:action`.
pub(crate) fn is_permission(s: &str) -> bool {
    matches!(s.split_once(':'), Some((r, a)) if is_segment(r) && is_segment(a))
}

/// Parses a grant pattern.
pub(crate) fn parse_pattern(s: &str) -> Option<Pattern<'_>> {
    if s == "*" {
        return Some(Pattern::All);
    }
    let (resource, action) = s.split_once(':')?;
    if !is_segment(resource) {
        return None;
    }
    if action == "*" {
        Some(Pattern::Resource(resource))
    } else if is_segment(action) {
        Some(Pattern::Exact(s))
    } else {
        None
    }
}

/// A name for roles, kinds, levels and service accounts: 1..=64 visible
/// ASCII characters other than `{`, `}`, `*` and `,`.
pub(crate) fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'{' | b'}' | b'*' | b','))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(parse_pattern("*"), Some(Pattern::All));
        assert_eq!(parse_pattern("deployments:*"), Some(Pattern::Resource("deployments")));
        assert_eq!(parse_pattern("a-b:c_d"), Some(Pattern::Exact("a-b:c_d")));
        for bad in ["", ":", "a:", ":b", "A:b", "a:b:c", "*:read", "a b:c", "a:**"] {
            assert_eq!(parse_pattern(bad), None, "{bad}");
        }
        assert!(is_permission("deployments:read"));
        assert!(!is_permission("deployments:*"));
    }
}
