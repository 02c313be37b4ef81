//! Key parsing and verification never panic; a mutated key never verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permiso::{ApiKey, KeyRecord, VerifyKeyOptions};

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &str| {
    let policy = common::requests();
    let _ = ApiKey::parse(data);
    let _ = policy.parse_key(data);
    if let Ok(parsed) = policy.parse_key(data) {
        // A record for this id whose hash is of another key: never verifies.
        let record = KeyRecord {
            id: parsed.id().to_owned(),
            kind: parsed.kind().to_owned(),
            hash: format!("sha256:{}", "0".repeat(64)),
            mask: String::new(),
            owner: "user:fuzz".into(),
            tenant: None,
            scopes: None,
            label: None,
            created_at: 0,
            expires_at: None,
            revoked_at: None,
            last_used_at: None,
            rolled_from: None,
        };
        assert!(policy.verify_key(data, record.clone(), &VerifyKeyOptions::at(common::NOW)).is_err());
    }
});
