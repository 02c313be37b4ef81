//! `cargo bench -p permiso-bench --bench scaling`: how the cost of one check
//! grows with the size of the policy (10 to 10,000 permissions and roles)
//! and with the number of per-resource grants a principal holds (1 to
//! 1,000), for permiso, Cedar and casbin on the same worlds. Each timed input
//! is first decided alike by all three.
//!
//! Quick runs ([`permiso_bench::quick`]) use only the small sizes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use permiso_bench::{bench_engines, quick, Engines, Input, Permiso, World};

fn records(world: &World) -> Vec<permiso::IdentityRecord> {
    world.principals.iter().map(World::permiso_record).collect()
}

fn configure(g: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    if quick() {
        return;
    }
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

/// `count` items spread evenly over `items`.
fn spread<T: Clone>(items: &[T], count: usize) -> Vec<T> {
    let step = (items.len() / count.max(1)).max(1);
    items.iter().step_by(step).take(count).cloned().collect()
}

fn roles(c: &mut Criterion) {
    let sizes: &[usize] = if quick() { &[10, 100] } else { &[10, 100, 1_000, 10_000] };
    let mut g = c.benchmark_group("scaling_roles");
    configure(&mut g);
    for &size in sizes {
        let world = World::scaled(size);
        let engines = Engines::new(Permiso::from_world(&world), &world);
        let principal = &world.principals[0].id;
        let input = |permission: &str| Input {
            principal: principal.clone(),
            permission: permission.into(),
            resource: "doc:any".into(),
        };
        // Half allowed (some only through inherited roles), half denied.
        let identity = engines.permiso.identity(principal);
        let granted = engines.permiso.policy.effective_permission_names(identity);
        let denied: Vec<&str> = world
            .permissions
            .iter()
            .map(String::as_str)
            .filter(|p| !granted.contains(p))
            .collect();
        let timed: Vec<Input> = spread(&granted, 4)
            .into_iter()
            .chain(spread(&denied, 4))
            .map(input)
            .collect();
        assert_eq!(
            engines.assert_equivalent(&timed),
            4,
            "four of the timed checks are allowed"
        );
        let sample: Vec<Input> = spread(&world.permissions, 100).iter().map(|p| input(p)).collect();
        engines.assert_equivalent(&sample);
        bench_engines(&mut g, &engines, &timed, size, Some(&records(&world)));
    }
    g.finish();
}

fn grants(c: &mut Criterion) {
    let counts: &[usize] = if quick() { &[1, 10] } else { &[1, 10, 100, 1_000] };
    let mut g = c.benchmark_group("scaling_grants");
    configure(&mut g);
    for &count in counts {
        let world = World::with_grants(count);
        let engines = Engines::new(Permiso::from_world(&world), &world);
        let input = |permission: &str, resource: String| Input {
            principal: "user:g".into(),
            permission: permission.into(),
            resource,
        };
        let timed = vec![
            input("deployments:write", format!("deployment:d{}", count - 1)),
            input("deployments:read", format!("deployment:d{}", count / 2)),
            input("deployments:delete", "deployment:d0".into()),
            input("deployments:read", "deployment:other".into()),
        ];
        assert_eq!(
            engines.assert_equivalent(&timed),
            2,
            "two of the timed checks are allowed"
        );
        engines.assert_equivalent(&spread(&world.all_inputs(), 200));
        bench_engines(&mut g, &engines, &timed, count, Some(&records(&world)));
    }
    g.finish();
}

criterion_group!(benches, roles, grants);
criterion_main!(benches);
