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
// The uniffi scaffolding (the `uniffi` feature, built only into the Kotlin
// and Swift library) is generated FFI code; every other build forbids unsafe.
#![cfg_attr(not(feature = "uniffi"), forbid(unsafe_code))]
#![warn(missing_docs)]

mod api;
mod apikeys;
mod authz;
mod code;
mod decision;
#[cfg(feature = "uniffi")]
pub mod ffi;
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("permiso");
mod jwk;
pub mod jwt;
pub mod key;
mod path;
mod permset;
pub mod policy;
mod records;
pub mod request;
mod secret;
pub mod text;
pub mod time;
pub mod wire;

pub use apikeys::{NewKey, ParsedKey, RotateKey, VerifiedKey, VerifyKeyOptions};
pub use authz::{
    Check, CredentialInfo, Evaluation, Grant, Identity, IdentityError, IdentityRecord, Outcome, PrincipalRecord,
};
pub use code::Code;
pub use decision::{Actor, AuditRecord, Decision, DecisionId};
pub use jwt::{
    DelegationRequest, JwksRefresh, KeySet, PendingToken, SessionRequest, SigningKey, TokenError, VerifiedToken,
    VerifyTokenOptions,
};
pub use key::{ApiKey, GeneratedKey, KeyError, KeyRecord, Rotation};
pub use policy::{Format, Policy, PolicyDetail, PolicyError, PolicyHash, PolicyIssue, RouteMatch};
pub use request::{Classified, CredentialRef, HostData, OwnedHostData, Request, RequestOutcome, RouteRequest};
pub use secret::{Pepper, SecretKey};

/// `Policy` is shared across threads behind an `Arc`.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    assert_send_sync::<Identity>();
};
