//! `cargo bench -p permiso-bench --bench keys`: API-key parsing, generation
//! and verification (`sha256:` and peppered `hmac-sha256:` records), next to
//! the check most services hand-roll today: SHA-256 of the presented string
//! compared in constant time with the stored digest. permiso does more (the
//! shape, the checksum, the kind, expiry and revocation); the ratio is the
//! price of that. Both accept the key and refuse a changed one before timing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion};
use permiso::{NewKey, Pepper, VerifyKeyOptions};
use permiso_bench::{example_policy, NOW};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::sync::Arc;
use subtle::ConstantTimeEq;

fn keys(c: &mut Criterion) {
    let policy = example_policy();
    let pepper = Pepper::from("pepper");
    let plain = policy
        .generate_key("project_key", "project:p1", &NewKey::default(), NOW)
        .unwrap();
    let peppered = policy
        .generate_key(
            "project_key",
            "project:p1",
            &NewKey {
                pepper: Some(&pepper),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let key = plain.key.expose();
    let stored = hex::decode(plain.record.hash.strip_prefix("sha256:").unwrap()).unwrap();
    let hand_rolled = |presented: &str| bool::from(Sha256::digest(presented.as_bytes()).as_slice().ct_eq(&stored));
    let opts = VerifyKeyOptions::at(NOW);
    // A host keeping its records in memory shares them with the verified key.
    let record = Arc::new(plain.record.clone());
    let ours = |presented: &str| policy.verify_key(presented, Arc::clone(&record), &opts).is_ok();
    // The same answers on the key and on one with a changed secret character.
    let mut changed = key.as_bytes().to_vec();
    let at = key.len() - 10;
    changed[at] = if changed[at] == b'a' { b'b' } else { b'a' };
    let changed = String::from_utf8(changed).unwrap();
    assert!(ours(key) && hand_rolled(key));
    assert!(!ours(&changed) && !hand_rolled(&changed));

    let mut g = c.benchmark_group("api_key");
    g.bench_function("verify_sha256/permiso", |b| b.iter(|| ours(black_box(key))));
    g.bench_function("verify_sha256/hand_rolled", |b| b.iter(|| hand_rolled(black_box(key))));
    g.bench_function("verify_hmac_sha256/permiso", |b| {
        let opts = VerifyKeyOptions::at(NOW).pepper(Some(&pepper));
        let record = Arc::new(peppered.record.clone());
        assert!(policy
            .verify_key(peppered.key.expose(), Arc::clone(&record), &opts)
            .is_ok());
        b.iter(|| {
            policy
                .verify_key(black_box(peppered.key.expose()), Arc::clone(&record), &opts)
                .is_ok()
        })
    });
    g.bench_function("parse/permiso", |b| b.iter(|| policy.parse_key(black_box(key)).is_ok()));
    g.bench_function("generate/permiso", |b| {
        b.iter(|| {
            policy
                .generate_key("project_key", "project:p1", &NewKey::default(), NOW)
                .is_ok()
        })
    });
    g.finish();
}

criterion_group!(benches, keys);
criterion_main!(benches);
