//! Token verification never panics, and nothing verifies unless it is, byte
//! for byte, one of the tokens the vectors signed: a mutation (a stripped
//! suffix, a changed claim, a re-encoded part) never yields a new valid token.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permiso::VerifyTokenOptions;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &str| {
    let result = common::tokens().verify_jwt(data, &VerifyTokenOptions::at(common::NOW));
    if result.is_ok() {
        assert!(common::signed_tokens().contains(data), "a token the vectors never signed verified: {data:?}");
    }
});
