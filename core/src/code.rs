//! The stable reason codes shared by every runtime.

use serde::{Deserialize, Serialize};

/// A stable, snake_case reason code.
///
/// Codes are the contract between runtimes: an edge worker, a Python service
/// and a mobile app must give the same code for the same input. Codes are
/// only ever added, never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Code {
    /// The check passed.
    Allowed,
    // decisions (the evaluation table)
    /// The action is not a permission the policy declares.
    UnknownPermission,
    /// A `deny` entry of the principal covers the action.
    ExplicitlyDenied,
    /// The credential kind does not permit the action, or the route does not accept the kind.
    CredentialKindNotAllowed,
    /// The credential's scopes do not cover the action.
    InsufficientScope,
    /// The required tenant is not the principal's.
    TenantMismatch,
    /// Neither roles, allow entries nor resource grants cover the action.
    MissingPermission,
    // API keys
    /// The key does not have the `{prefix}_{id}_{secret}{checksum}` shape.
    MalformedKey,
    /// The key's prefix names no credential kind of the policy.
    UnknownPrefix,
    /// The key's checksum does not match: mistyped or truncated.
    BadChecksum,
    /// No key record (or no verification key) exists for the presented id.
    UnknownKey,
    /// The key does not match its stored hash.
    KeyMismatch,
    /// The key record is of another kind than the key's prefix says.
    KindMismatch,
    /// The key or token has expired.
    Expired,
    /// The key has been revoked.
    Revoked,
    /// The host's key record is unusable (unparseable hash, pepper missing).
    InvalidKeyRecord,
    // tokens
    /// The token is not a well-formed compact JWS.
    MalformedToken,
    /// The token's algorithm is not on the policy's allow-list.
    UnsupportedAlgorithm,
    /// The signature does not verify.
    BadSignature,
    /// `nbf` or `iat` lies in the future.
    NotYetValid,
    /// `iss` is not the configured issuer.
    BadIssuer,
    /// `aud` does not contain the configured audience.
    BadAudience,
    /// A required claim is absent.
    MissingClaim,
    /// A claim has the wrong JSON type or an unusable value.
    InvalidClaim,
    /// The token lists a `crit` header this library does not understand.
    UnsupportedCriticalHeader,
    /// The token's session has been revoked by the host.
    SessionRevoked,
    /// A client_credentials token whose client is not a listed service account.
    NotAServiceAccount,
    /// Requested scopes exceed what the delegating identity holds.
    ScopeEscalation,
    // requests
    /// No route matches the request.
    NoRoute,
    /// The request carries no credential.
    NoCredentials,
    /// The request carries a credential of no known shape.
    UnrecognizedCredential,
    /// The host has no principal record for the authenticated subject.
    UnknownPrincipal,
    /// A principal record supplied by the host is malformed.
    InvalidPrincipal,
    /// The credential kind named does not exist in the policy.
    UnknownCredentialKind,
    /// The operating system's random number generator failed.
    EntropyUnavailable,
    // policies
    /// The policy document is invalid (see the detail code and path).
    InvalidPolicy,
    /// A binding was called with an argument of the wrong type or shape.
    InvalidArgument,
    // AuthZEN
    /// An AuthZEN request is malformed (a missing subject, a wrong type, an unknown semantic).
    InvalidRequest,
    /// A search's page token was not issued for this request.
    InvalidPageToken,
    /// A batch or a page is larger than permiso accepts.
    LimitExceeded,
}

impl Code {
    /// Every code, in declaration order.
    pub const ALL: &'static [Code] = &[
        Code::Allowed,
        Code::UnknownPermission,
        Code::ExplicitlyDenied,
        Code::CredentialKindNotAllowed,
        Code::InsufficientScope,
        Code::TenantMismatch,
        Code::MissingPermission,
        Code::MalformedKey,
        Code::UnknownPrefix,
        Code::BadChecksum,
        Code::UnknownKey,
        Code::KeyMismatch,
        Code::KindMismatch,
        Code::Expired,
        Code::Revoked,
        Code::InvalidKeyRecord,
        Code::MalformedToken,
        Code::UnsupportedAlgorithm,
        Code::BadSignature,
        Code::NotYetValid,
        Code::BadIssuer,
        Code::BadAudience,
        Code::MissingClaim,
        Code::InvalidClaim,
        Code::UnsupportedCriticalHeader,
        Code::SessionRevoked,
        Code::NotAServiceAccount,
        Code::ScopeEscalation,
        Code::NoRoute,
        Code::NoCredentials,
        Code::UnrecognizedCredential,
        Code::UnknownPrincipal,
        Code::InvalidPrincipal,
        Code::UnknownCredentialKind,
        Code::EntropyUnavailable,
        Code::InvalidPolicy,
        Code::InvalidArgument,
        Code::InvalidRequest,
        Code::InvalidPageToken,
        Code::LimitExceeded,
    ];

    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::Allowed => "allowed",
            Code::UnknownPermission => "unknown_permission",
            Code::ExplicitlyDenied => "explicitly_denied",
            Code::CredentialKindNotAllowed => "credential_kind_not_allowed",
            Code::InsufficientScope => "insufficient_scope",
            Code::TenantMismatch => "tenant_mismatch",
            Code::MissingPermission => "missing_permission",
            Code::MalformedKey => "malformed_key",
            Code::UnknownPrefix => "unknown_prefix",
            Code::BadChecksum => "bad_checksum",
            Code::UnknownKey => "unknown_key",
            Code::KeyMismatch => "key_mismatch",
            Code::KindMismatch => "kind_mismatch",
            Code::Expired => "expired",
            Code::Revoked => "revoked",
            Code::InvalidKeyRecord => "invalid_key_record",
            Code::MalformedToken => "malformed_token",
            Code::UnsupportedAlgorithm => "unsupported_algorithm",
            Code::BadSignature => "bad_signature",
            Code::NotYetValid => "not_yet_valid",
            Code::BadIssuer => "bad_issuer",
            Code::BadAudience => "bad_audience",
            Code::MissingClaim => "missing_claim",
            Code::InvalidClaim => "invalid_claim",
            Code::UnsupportedCriticalHeader => "unsupported_critical_header",
            Code::SessionRevoked => "session_revoked",
            Code::NotAServiceAccount => "not_a_service_account",
            Code::ScopeEscalation => "scope_escalation",
            Code::NoRoute => "no_route",
            Code::NoCredentials => "no_credentials",
            Code::UnrecognizedCredential => "unrecognized_credential",
            Code::UnknownPrincipal => "unknown_principal",
            Code::InvalidPrincipal => "invalid_principal",
            Code::UnknownCredentialKind => "unknown_credential_kind",
            Code::EntropyUnavailable => "entropy_unavailable",
            Code::InvalidPolicy => "invalid_policy",
            Code::InvalidArgument => "invalid_argument",
            Code::InvalidRequest => "invalid_request",
            Code::InvalidPageToken => "invalid_page_token",
            Code::LimitExceeded => "limit_exceeded",
        }
    }

    /// Looks a code up by its snake_case name.
    pub fn parse(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }

    /// Whether this code allows: only [`Code::Allowed`] does.
    pub const fn allows(self) -> bool {
        matches!(self, Code::Allowed)
    }

    /// The HTTP status a request-level decision with this code carries:
    /// 200 allowed, 404 no route, 401 authentication failures, 403
    /// authorization failures, 500 for host data or configuration faults.
    pub const fn status(self) -> u16 {
        match self {
            Code::Allowed => 200,
            Code::NoRoute => 404,
            Code::InvalidArgument | Code::InvalidRequest | Code::InvalidPageToken => 400,
            Code::LimitExceeded => 413,
            Code::UnknownPermission
            | Code::ExplicitlyDenied
            | Code::CredentialKindNotAllowed
            | Code::InsufficientScope
            | Code::TenantMismatch
            | Code::MissingPermission
            | Code::ScopeEscalation => 403,
            Code::InvalidKeyRecord
            | Code::InvalidPrincipal
            | Code::UnknownCredentialKind
            | Code::EntropyUnavailable
            | Code::InvalidPolicy => 500,
            Code::MalformedKey
            | Code::UnknownPrefix
            | Code::BadChecksum
            | Code::UnknownKey
            | Code::KeyMismatch
            | Code::KindMismatch
            | Code::Expired
            | Code::Revoked
            | Code::MalformedToken
            | Code::UnsupportedAlgorithm
            | Code::BadSignature
            | Code::NotYetValid
            | Code::BadIssuer
            | Code::BadAudience
            | Code::MissingClaim
            | Code::InvalidClaim
            | Code::UnsupportedCriticalHeader
            | Code::SessionRevoked
            | Code::NotAServiceAccount
            | Code::NoCredentials
            | Code::UnrecognizedCredential
            | Code::UnknownPrincipal => 401,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(Code::parse("nope"), None);
    }

    #[test]
    fn statuses_follow_the_request_contract() {
        assert_eq!(Code::Allowed.status(), 200);
        assert_eq!(Code::NoRoute.status(), 404);
        assert_eq!(Code::BadChecksum.status(), 401);
        assert_eq!(Code::MissingPermission.status(), 403);
    }
}
