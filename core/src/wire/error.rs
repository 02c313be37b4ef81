//! The one error that crosses every boundary.

use serde::Serialize;

use crate::authz::IdentityError;
use crate::code::Code;
use crate::jwt::TokenError;
use crate::key::KeyError;
use crate::policy::{PolicyError, PolicyIssue};
use crate::time::TimeError;

/// What a refused operation was about; a binding that raises a different
/// class per family (Python's `InvalidKey`, `InvalidToken`, ...) reads it
/// from here rather than deciding it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// A policy document or key set.
    Policy,
    /// An API key or key record.
    Key,
    /// A token, or a token that could not be issued.
    Token,
    /// A principal or identity record.
    Principal,
    /// An argument of the call itself (a wrong type, a time in milliseconds).
    Argument,
}

/// One problem in a policy document (an entry of [`Error::issues`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The detail code (`unknown_permission`, `cycle`, ...).
    pub detail: &'static str,
    /// Where in the document: `roles.operator.inherits[0]`.
    pub path: String,
    /// What is wrong, naming the offending value in backticks.
    pub message: String,
}

/// Every failure, in every runtime: a stable code, a message (lowercase,
/// user input in backticks and escaped, no secrets), and for policy
/// documents the first problem's detail and path plus every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// The stable code.
    pub code: Code,
    /// The message.
    pub message: String,
    /// What the failure was about (not serialised: the code says it).
    #[serde(skip)]
    pub family: Family,
    /// The first problem's detail code, for policy documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'static str>,
    /// The first problem's path, for policy documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Every problem found, for policy documents.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Issue>,
}

impl Error {
    /// An error of `family` without policy details.
    pub fn new(code: Code, family: Family, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            family,
            detail: None,
            path: None,
            issues: Vec::new(),
        }
    }

    /// `invalid_argument`: an argument of the wrong type or shape; `what`
    /// names it (`now`, `options.scopes`).
    pub fn argument(what: &str, why: impl std::fmt::Display) -> Self {
        Error::new(Code::InvalidArgument, Family::Argument, format!("`{what}`: {why}"))
    }

    /// A record that could not be read: `invalid_key_record` for key records,
    /// `invalid_principal` for principal and identity records,
    /// `invalid_policy` for documents and key sets, else `invalid_argument`.
    pub fn record(code: Code, what: &str, why: impl std::fmt::Display) -> Self {
        let family = match code {
            Code::InvalidKeyRecord => Family::Key,
            Code::InvalidPrincipal => Family::Principal,
            Code::InvalidPolicy => Family::Policy,
            _ => Family::Argument,
        };
        Error::new(code, family, format!("`{what}`: {why}"))
    }

    /// The HTTP status of the code.
    pub fn status(&self) -> u16 {
        self.code.status()
    }
}

/// The family of a code raised by an operation of `default`'s family: the
/// codes of arguments, principals and documents keep their own family
/// wherever they are raised.
fn family_of(code: Code, default: Family) -> Family {
    match code {
        Code::InvalidArgument
        | Code::EntropyUnavailable
        | Code::UnknownCredentialKind
        | Code::InvalidRequest
        | Code::InvalidPageToken
        | Code::LimitExceeded => Family::Argument,
        Code::InvalidPrincipal | Code::UnknownPrincipal => Family::Principal,
        Code::InvalidPolicy => Family::Policy,
        _ => default,
    }
}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Error::new(e.code(), family_of(e.code(), Family::Key), e.to_string())
    }
}

impl From<TokenError> for Error {
    fn from(e: TokenError) -> Self {
        Error::new(e.code(), family_of(e.code(), Family::Token), e.to_string())
    }
}

impl From<IdentityError> for Error {
    fn from(e: IdentityError) -> Self {
        Error::new(e.code(), family_of(e.code(), Family::Principal), e.to_string())
    }
}

impl From<TimeError> for Error {
    fn from(e: TimeError) -> Self {
        Error::new(e.code(), Family::Argument, e.to_string())
    }
}

fn issue(i: &PolicyIssue) -> Issue {
    Issue {
        detail: i.detail.as_str(),
        path: i.path.clone(),
        message: i.message.clone(),
    }
}

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        Error {
            code: e.code(),
            message: e.to_string(),
            family: Family::Policy,
            detail: Some(e.detail().as_str()),
            path: Some(e.path().to_owned()),
            issues: e.issues().iter().map(issue).collect(),
        }
    }
}
