//! `cargo bench -p permiso-bench --bench peers`: permiso `authorize` next to
//! Cedar `is_authorized` and casbin `enforce` on the example policy's roles
//! and per-resource grants (see `src/lib.rs` for the translations). Every
//! timed input is first decided alike by all three.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion};
use permiso_bench::{bench_engines, example_policy, Engines, Input, Permiso, World};

fn input(principal: &str, permission: &str, resource: &str) -> Input {
    Input {
        principal: principal.into(),
        permission: permission.into(),
        resource: resource.into(),
    }
}

fn peers(c: &mut Criterion) {
    let world = World::example();
    let engines = Engines::new(Permiso::new(example_policy(), &world), &world);
    let all = world.all_inputs();
    let cases: [(&str, Vec<Input>); 5] = [
        // Through role inheritance: operator inherits viewer.
        (
            "allowed_by_role",
            vec![input("user:operator", "audit:read", "deployment:db")],
        ),
        // Through a per-resource grant (write includes read).
        (
            "allowed_by_grant",
            vec![input("user:granted", "deployments:read", "deployment:api")],
        ),
        // A grant on another resource, no role: denied.
        (
            "denied",
            vec![input("user:granted", "deployments:write", "deployment:web")],
        ),
        // The admin wildcard.
        (
            "allowed_by_wildcard_role",
            vec![input("user:admin", "users:manage", "endpoint:nightly")],
        ),
        // Every principal x permission x resource of the world, in turn.
        ("all_inputs", all.clone()),
    ];
    engines.assert_equivalent(&all);
    let mut g = c.benchmark_group("peers");
    for (name, inputs) in &cases {
        let allowed = engines.assert_equivalent(inputs);
        if *name != "all_inputs" {
            assert_eq!(allowed == 1, name.starts_with("allowed"), "{name}");
        }
        bench_engines(&mut g, &engines, inputs, name, None);
    }
    g.finish();
}

criterion_group!(benches, peers);
criterion_main!(benches);
