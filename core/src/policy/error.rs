//! Policy errors: a detail code and a path into the document for each.

use crate::code::Code;
use crate::text::shown_message;

/// What is wrong with a policy document. Stable snake_case names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyDetail {
    /// The text is not valid JSON, YAML or TOML.
    ParseError,
    /// The document does not fit the schema (wrong type, unknown or missing field).
    InvalidDocument,
    /// The document is larger than permiso accepts.
    TooLarge,
    /// `version` is not a supported version.
    UnsupportedVersion,
    /// A permission or pattern is not `resource:action`, `resource:*` or `*`.
    InvalidPermission,
    /// A permission is declared twice.
    DuplicatePermission,
    /// A pattern names no declared permission.
    UnknownPermission,
    /// A name (role, resource type, kind, level, parameter) is not well formed.
    InvalidName,
    /// A role inherits an undefined role.
    UnknownRole,
    /// Role inheritance forms a cycle.
    RoleCycle,
    /// An access-level table is empty or malformed.
    InvalidAccessLevel,
    /// A credential kind has fields of another type or lacks required ones.
    InvalidCredential,
    /// A key prefix is not lowercase words joined by `_`.
    InvalidPrefix,
    /// Two credential kinds share a prefix.
    DuplicatePrefix,
    /// One prefix is another followed by `_…`, so scanners cannot tell them apart.
    AmbiguousPrefix,
    /// A JWT algorithm is not supported (or is `none`).
    UnsupportedAlgorithm,
    /// A JWK cannot be used with the kind's algorithms.
    InvalidJwk,
    /// A route has a malformed method, path or template.
    InvalidRoute,
    /// Two routes match the same requests.
    RouteConflict,
    /// A route names a credential kind the policy does not define.
    UnknownCredentialKind,
    /// A rule's condition is malformed (a bad reference or test, an empty `when`).
    InvalidCondition,
}

impl PolicyDetail {
    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PolicyDetail::ParseError => "parse_error",
            PolicyDetail::InvalidDocument => "invalid_document",
            PolicyDetail::TooLarge => "too_large",
            PolicyDetail::UnsupportedVersion => "unsupported_version",
            PolicyDetail::InvalidPermission => "invalid_permission",
            PolicyDetail::DuplicatePermission => "duplicate_permission",
            PolicyDetail::UnknownPermission => "unknown_permission",
            PolicyDetail::InvalidName => "invalid_name",
            PolicyDetail::UnknownRole => "unknown_role",
            PolicyDetail::RoleCycle => "role_cycle",
            PolicyDetail::InvalidAccessLevel => "invalid_access_level",
            PolicyDetail::InvalidCredential => "invalid_credential",
            PolicyDetail::InvalidPrefix => "invalid_prefix",
            PolicyDetail::DuplicatePrefix => "duplicate_prefix",
            PolicyDetail::AmbiguousPrefix => "ambiguous_prefix",
            PolicyDetail::UnsupportedAlgorithm => "unsupported_algorithm",
            PolicyDetail::InvalidJwk => "invalid_jwk",
            PolicyDetail::InvalidRoute => "invalid_route",
            PolicyDetail::RouteConflict => "route_conflict",
            PolicyDetail::UnknownCredentialKind => "unknown_credential_kind",
            PolicyDetail::InvalidCondition => "invalid_condition",
        }
    }
}

impl std::fmt::Display for PolicyDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyIssue {
    /// The detail code.
    pub detail: PolicyDetail,
    /// Where: `roles.operator.inherits[0]`; empty for the whole document.
    pub path: String,
    /// A lowercase message naming the offending value in backticks.
    pub message: String,
}

impl PolicyIssue {
    /// An issue. Its path and message name the document's own keys and
    /// values, which may come from outside: both are shown with their
    /// invisible characters escaped and bounded, whoever wrote them.
    pub(crate) fn new(detail: PolicyDetail, path: impl AsRef<str>, message: impl AsRef<str>) -> Self {
        PolicyIssue {
            detail,
            path: shown_message(path.as_ref()).to_string(),
            message: shown_message(message.as_ref()).to_string(),
        }
    }
}

impl std::fmt::Display for PolicyIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{} ({})", self.message, self.detail)
        } else {
            write!(f, "{}: {} ({})", self.path, self.message, self.detail)
        }
    }
}

/// An invalid policy: every problem found, in document order. The code is
/// always `invalid_policy`; [`PolicyError::detail`] is the first problem's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    issues: Vec<PolicyIssue>,
}

impl PolicyError {
    pub(crate) fn new(issues: Vec<PolicyIssue>) -> Self {
        PolicyError { issues }
    }

    pub(crate) fn single(detail: PolicyDetail, path: impl AsRef<str>, message: impl AsRef<str>) -> Self {
        PolicyError::new(vec![PolicyIssue::new(detail, path, message)])
    }

    /// Always [`Code::InvalidPolicy`].
    pub fn code(&self) -> Code {
        Code::InvalidPolicy
    }

    /// Every problem found.
    pub fn issues(&self) -> &[PolicyIssue] {
        &self.issues
    }

    /// The first problem's detail code.
    pub fn detail(&self) -> PolicyDetail {
        self.issues.first().map_or(PolicyDetail::InvalidDocument, |i| i.detail)
    }

    /// The first problem's path.
    pub fn path(&self) -> &str {
        self.issues.first().map_or("", |i| i.path.as_str())
    }
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid policy")?;
        if let Some(first) = self.issues.first() {
            write!(f, ": {first}")?;
        }
        if self.issues.len() > 1 {
            write!(f, " (and {} more)", self.issues.len() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// Collects issues while a document is validated.
#[derive(Debug, Default)]
pub(crate) struct Issues(pub(crate) Vec<PolicyIssue>);

impl Issues {
    pub(crate) fn push(&mut self, detail: PolicyDetail, path: impl AsRef<str>, message: impl AsRef<str>) {
        self.0.push(PolicyIssue::new(detail, path, message));
    }
}
