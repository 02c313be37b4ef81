//! `cargo bench -p permiso --bench authorize`: authorize on the example
//! policy (allowed and denied paths) and API-key verification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion};
use permiso::{Check, IdentityRecord, NewKey, Pepper, Policy, VerifyKeyOptions};
use std::hint::black_box;

const NOW: i64 = 1_767_225_600;

fn example() -> Policy {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.yaml")).unwrap();
    Policy::from_yaml(&text).unwrap()
}

fn authorize(c: &mut Criterion) {
    let policy = example();
    let identity = policy
        .identity(
            serde_json::from_str::<IdentityRecord>(
                r#"{"principal": {"id": "user:1", "tenant": "project:p1", "roles": ["operator"],
                    "grants": [{"resource": "deployment:web", "level": "admin"}]},
                    "credential": {"kind": "session", "session": "s1", "scopes": ["deployments:*", "endpoints:run"]}}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let mut g = c.benchmark_group("authorize");
    g.bench_function("allowed_by_role", |b| {
        let check = Check::new("deployments:write")
            .on("deployment:api")
            .in_tenant("project:p1");
        b.iter(|| black_box(policy.authorize(black_box(&identity), black_box(check), NOW)).allowed())
    });
    g.bench_function("allowed_by_grant", |b| {
        let check = Check::new("deployments:delete")
            .on("deployment:web")
            .in_tenant("project:p1");
        b.iter(|| black_box(policy.authorize(black_box(&identity), black_box(check), NOW)).allowed())
    });
    g.bench_function("denied_missing_permission", |b| {
        let check = Check::new("deployments:delete").on("deployment:api");
        b.iter(|| black_box(policy.authorize(black_box(&identity), black_box(check), NOW)).allowed())
    });
    g.bench_function("denied_scope", |b| {
        let check = Check::new("audit:read");
        b.iter(|| black_box(policy.authorize(black_box(&identity), black_box(check), NOW)).allowed())
    });
    g.bench_function("evaluate_only", |b| {
        let check = Check::new("deployments:write")
            .on("deployment:api")
            .in_tenant("project:p1");
        b.iter(|| black_box(policy.evaluate(black_box(&identity), black_box(check))).code())
    });
    g.finish();
}

fn keys(c: &mut Criterion) {
    let policy = example();
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
    let mut g = c.benchmark_group("api_key");
    g.bench_function("parse", |b| {
        b.iter(|| policy.parse_key(black_box(plain.key.expose())).is_ok())
    });
    g.bench_function("verify_sha256", |b| {
        let opts = VerifyKeyOptions::at(NOW);
        b.iter(|| {
            policy
                .verify_key(black_box(plain.key.expose()), &plain.record, &opts)
                .is_ok()
        })
    });
    g.bench_function("verify_hmac_sha256", |b| {
        let opts = VerifyKeyOptions::at(NOW).pepper(Some(&pepper));
        b.iter(|| {
            policy
                .verify_key(black_box(peppered.key.expose()), &peppered.record, &opts)
                .is_ok()
        })
    });
    g.bench_function("generate", |b| {
        b.iter(|| {
            policy
                .generate_key("project_key", "project:p1", &NewKey::default(), NOW)
                .is_ok()
        })
    });
    g.finish();
}

criterion_group!(benches, authorize, keys);
criterion_main!(benches);
