// Shared by the fuzz targets: the policies the vectors use, compiled once.
use std::sync::OnceLock;

use permiso::Policy;

pub const NOW: i64 = 1_767_225_600;

fn vector_policy(file: &str) -> Policy {
    let text = std::fs::read_to_string(format!("{}/../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR")))
        .expect("the vectors are readable");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("vectors are JSON");
    Policy::from_value(&doc["policy"]).expect("the vector policy is valid")
}

pub fn tokens() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| vector_policy("tokens.json"))
}

pub fn requests() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| vector_policy("requests.json"))
}
