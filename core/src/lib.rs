//! permiso: one authorization core for API keys, tokens, roles, scopes and
//! per-resource grants, with the same decisions in every runtime.
//!
//! The core does no I/O: the host passes key records, principal records and
//! the current time. A [`Policy`] is compiled once and then checks in
//! nanoseconds.
//!
//! ```
//! use permiso::{Check, Code, IdentityRecord, Policy, PrincipalRecord};
//!
//! let policy = Policy::from_yaml(r#"
//! version: 1
//! permissions: [deployments:read, deployments:write]
//! roles:
//!   viewer: { permissions: [deployments:read] }
//! "#).unwrap();
//! let identity = policy.identity(IdentityRecord {
//!     principal: PrincipalRecord { id: "user:1".into(), roles: vec!["viewer".into()], ..Default::default() },
//!     credential: None,
//! }).unwrap();
//! let now = 1_767_225_600;
//! assert!(policy.authorize(&identity, Check::new("deployments:read"), now).allowed());
//! let denied = policy.authorize(&identity, Check::new("deployments:write"), now);
//! assert_eq!(denied.code(), Code::MissingPermission);
//! assert_eq!(denied.status(), 403);
//! ```
// The uniffi scaffolding and the pyo3 classes (the `uniffi` and `python`
// features, built only into the Kotlin/Swift and Python libraries) are
// generated FFI code; every other build forbids unsafe code.
#![cfg_attr(not(any(feature = "uniffi", feature = "python")), forbid(unsafe_code))]
#![warn(missing_docs)]

mod api;
mod apikeys;
mod authz;
pub mod authzen;
mod claims;
mod code;
mod decision;
#[cfg(feature = "uniffi")]
pub mod ffi;
mod jwk;
mod jwt;
mod key;
mod path;
mod permset;
mod policy;
#[cfg(feature = "python")]
mod py;
mod records;
mod request;
mod secret;
mod text;
mod time;
pub mod wire;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("permiso");

pub use apikeys::{NewKey, ParsedKey, RotateKey, VerifiedKey, VerifyKeyOptions};
pub use authz::{
    Attributes, Check, CredentialInfo, Evaluation, Grant, Identity, IdentityError, IdentityRecord, Outcome,
    PrincipalRecord, ResourceRecord,
};
pub use code::Code;
pub use decision::{Actor, AuditRecord, Decision, DecisionId};
pub use jwt::{
    backend as crypto_backend, Claims, DelegationRequest, JwksRefresh, KeySet, PendingToken, SessionRequest,
    SigningKey, TokenError, VerifiedToken, VerifyTokenOptions,
};
pub use key::{ApiKey, GeneratedKey, KeyError, KeyRecord, Rotation};
pub use policy::rules::RuleTrace;
pub use policy::{Format, Policy, PolicyDetail, PolicyError, PolicyHash, PolicyIssue, RouteMatch};
pub use request::{Classified, CredentialRef, HostData, OwnedHostData, Request, RequestOutcome, RouteRequest};
pub use secret::{Pepper, SecretKey};
pub use time::TimeError;

/// The policy document as written: what [`Policy::compile`] takes and
/// [`Policy::document`] gives back.
pub mod document {
    pub use crate::policy::doc::*;
}

/// The API key format, for tools that check or display keys without a
/// policy: `{prefix}_{id}{secret}{checksum}`, base62.
pub mod format {
    pub use crate::key::{
        checksum, is_key_id, is_valid_prefix, CHECKSUM_LEN, ID_LEN, MAX_KEY_LEN, MAX_PREFIX_LEN, SECRET_LEN,
    };
}

/// The limits the core enforces on its input.
pub mod limits {
    pub use crate::jwt::{DEFAULT_LEEWAY, DEFAULT_MAX_LIFETIME, MAX_ACTOR_DEPTH, MAX_TOKEN_LEN};
    pub use crate::path::MAX_PATH_LEN;
    pub use crate::policy::token_cache::{MAX_CACHED_TOKENS, MAX_CACHED_TOKEN_BYTES};
    pub use crate::policy::MAX_POLICY_BYTES;
    pub use crate::request::MAX_CREDENTIAL_LEN;
    pub use crate::text::{MAX_MESSAGE_CHARS, MAX_SHOWN_CHARS};
    pub use crate::time::MAX_UNIX_SECONDS;
}

/// `Policy` is shared across threads behind an `Arc`.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    assert_send_sync::<Identity>();
};
