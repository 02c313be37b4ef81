//! Python conversions of the core's values that result records hold (the
//! `python` feature, for the pip package): a code is its `str`, a credential
//! reference the same `{"type": ...}` dict every runtime shows, and each
//! result record prints its fields.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::code::Code;
use crate::request::CredentialRef;
use crate::wire::{Classification, KeyCredential, KeyInfo, ParsedKeyInfo, RouteInfo, TokenCredential, TokenInfo};

impl<'py> IntoPyObject<'py> for Code {
    type Target = PyString;
    type Output = Bound<'py, PyString>;
    type Error = std::convert::Infallible;
    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        (&self).into_pyobject(py)
    }
}

impl<'py> IntoPyObject<'py> for &Code {
    type Target = PyString;
    type Output = Bound<'py, PyString>;
    type Error = std::convert::Infallible;
    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(PyString::new(py, self.as_str()))
    }
}

impl<'py> IntoPyObject<'py> for &CredentialRef {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        let dict = PyDict::new(py);
        match self {
            CredentialRef::None => dict.set_item("type", "none")?,
            CredentialRef::Unrecognized { reason } => {
                dict.set_item("type", "unrecognized")?;
                dict.set_item("reason", reason)?;
            }
            CredentialRef::ApiKey { kind, id } => {
                dict.set_item("type", "api_key")?;
                dict.set_item("kind", kind)?;
                dict.set_item("id", id)?;
            }
            CredentialRef::Token {
                kind,
                principal,
                session,
            } => {
                dict.set_item("type", "token")?;
                dict.set_item("kind", kind)?;
                dict.set_item("principal", principal)?;
                dict.set_item("session", session)?;
            }
        }
        Ok(dict)
    }
}

impl<'py> IntoPyObject<'py> for CredentialRef {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        (&self).into_pyobject(py)
    }
}

/// `__repr__`, `==` and `to_dict()` of a result record: its fields as the
/// record every runtime shows (these records hold no secret).
macro_rules! record_repr {
    ($($ty:ty),*) => {$(
        #[pymethods]
        impl $ty {
            fn __repr__(&self) -> String {
                let fields = serde_json::to_string(self).unwrap_or_default();
                format!("{}({fields})", stringify!($ty))
            }
            fn __eq__(&self, other: &Self) -> bool {
                self == other
            }
            /// The record as a dict of plain values (what `json.dumps` takes).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                let text = serde_json::to_string(self)
                    .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
                py.import("json")?.call_method1("loads", (text,))
            }
        }
    )*};
}

record_repr!(
    TokenInfo,
    TokenCredential,
    ParsedKeyInfo,
    KeyInfo,
    KeyCredential,
    RouteInfo,
    Classification
);
