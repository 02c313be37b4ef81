//! `cargo bench -p permiso-bench --bench authorize`: authorize on the
//! example policy for an identity with roles, a grant, credential scopes and
//! a tenant: each row of the evaluation table on its allowed and denied paths
//! (the budget: under 100 ns, no allocation when allowed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion};
use permiso::{Check, IdentityRecord};
use permiso_bench::{example_policy, NOW};
use std::hint::black_box;

fn authorize(c: &mut Criterion) {
    let policy = example_policy();
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
    let cases = [
        (
            "allowed_by_role",
            Check::new("deployments:write")
                .on("deployment:api")
                .in_tenant("project:p1"),
            "allowed",
        ),
        (
            "allowed_by_grant",
            Check::new("deployments:delete")
                .on("deployment:web")
                .in_tenant("project:p1"),
            "allowed",
        ),
        (
            "denied_missing_permission",
            Check::new("deployments:delete").on("deployment:api"),
            "missing_permission",
        ),
        ("denied_scope", Check::new("audit:read"), "insufficient_scope"),
        (
            "denied_tenant",
            Check::new("deployments:read").in_tenant("project:p2"),
            "tenant_mismatch",
        ),
    ];
    let mut g = c.benchmark_group("authorize");
    for (name, check, code) in cases {
        // The path each case is named for, before timing it.
        assert_eq!(policy.authorize(&identity, check, NOW).code().as_str(), code, "{name}");
        g.bench_function(name, |b| {
            b.iter(|| black_box(policy.authorize(black_box(&identity), black_box(check), NOW)).allowed())
        });
    }
    // Allowed through a rule with two conditions (the example's team rule),
    // after the owner rule is tried and fails: the budget is 150 ns.
    let member = policy
        .identity(
            serde_json::from_str::<IdentityRecord>(
                r#"{"principal": {"id": "user:2", "roles": ["viewer"], "attributes": {"teams": ["payments"]}}}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let ledger: permiso::ResourceRecord = serde_json::from_str(
        r#"{"id": "deployment:ledger", "attributes": {"owner": "carol", "team": "payments", "frozen": false}}"#,
    )
    .unwrap();
    let by_rule = Check::new("deployments:write").on_record(&ledger);
    let ruled = policy.evaluate(&member, by_rule);
    assert_eq!((ruled.code().as_str(), ruled.rule), ("allowed", Some(1)));
    g.bench_function("allowed_by_rule", |b| {
        b.iter(|| black_box(policy.authorize(black_box(&member), black_box(by_rule), NOW)).allowed())
    });
    let (_, check, _) = cases[0];
    g.bench_function("is_allowed", |b| {
        b.iter(|| policy.is_allowed(black_box(&identity), black_box(check)))
    });
    g.finish();
}

criterion_group!(benches, authorize);
criterion_main!(benches);
