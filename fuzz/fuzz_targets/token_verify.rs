//! Token verification never panics, and nothing the fuzzer makes verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permiso::VerifyTokenOptions;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &str| {
    let result = common::tokens().verify_jwt(data, &VerifyTokenOptions::at(common::NOW));
    assert!(result.is_err(), "a fuzzed token verified: {data:?}");
});
