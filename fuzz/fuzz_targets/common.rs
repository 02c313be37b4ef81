// Shared by the fuzz targets: the policies the vectors use, compiled once.
use std::collections::HashSet;
use std::sync::OnceLock;

use permiso::Policy;

pub const NOW: i64 = 1_767_225_600;

fn vector_file(file: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{}/../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR")))
        .expect("the vectors are readable");
    serde_json::from_str(&text).expect("vectors are JSON")
}

fn vector_policy(file: &str) -> Policy {
    Policy::from_value(&vector_file(file)["policy"]).expect("the vector policy is valid")
}

/// Every token written in the token vectors, valid or not: the only strings
/// that may verify against their policy.
#[allow(dead_code)] // not every target that includes this module uses it
pub fn signed_tokens() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| {
        let doc = vector_file("tokens.json");
        let cases = doc["cases"].as_array().map(Vec::as_slice).unwrap_or_default();
        cases.iter().filter_map(|case| case["token"].as_str().map(str::to_owned)).collect()
    })
}

pub fn tokens() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| vector_policy("tokens.json"))
}

pub fn requests() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| vector_policy("requests.json"))
}

/// The AuthZEN vectors' policy and host records (those of their first case).
#[allow(dead_code)] // not every target that includes this module uses it
pub fn authzen() -> &'static (Policy, Vec<permiso::PrincipalRecord>, Vec<permiso::ResourceRecord>) {
    static A: OnceLock<(Policy, Vec<permiso::PrincipalRecord>, Vec<permiso::ResourceRecord>)> = OnceLock::new();
    A.get_or_init(|| {
        let doc = vector_file("authzen.json");
        let first = &doc["cases"][0];
        let principals = serde_json::from_value(first["principals"].clone()).expect("the vector's principals");
        let resources = serde_json::from_value(first["resources"].clone()).expect("the vector's resources");
        (vector_policy("authzen.json"), principals, resources)
    })
}
