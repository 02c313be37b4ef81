//! Replays the AuthZEN interop decision files (Todo and API gateway) against
//! the project's translation of each scenario in `examples/authzen/`. The
//! decision files come from `PERMISO_AUTHZEN` when set (the published
//! directory), else from `examples/authzen/interop`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use permiso::{wire, Format, Policy};

fn example(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/authzen")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn decisions(name: &str) -> String {
    let path = match std::env::var_os("PERMISO_AUTHZEN") {
        Some(dir) => PathBuf::from(dir).join(name),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/authzen/interop")
            .join(name),
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn replay(policy: &str, host: &str, file: &str) -> (usize, Vec<String>) {
    let policy = Policy::from_str(&example(policy), Format::Yaml).expect("the scenario's policy compiles");
    let host: wire::HostRecords = wire::read_str(&example(host), permiso::Code::InvalidArgument, "host").unwrap();
    let report = permiso_conformance::replay_interop(&policy, &host, &decisions(file), None);
    let failures = report
        .cases
        .iter()
        .filter_map(|c| c.failure.as_ref().map(|f| format!("{}: {f}", c.name)))
        .collect();
    (report.passed(), failures)
}

#[test]
fn the_todo_and_gateway_interop_files_pass() {
    let (todo, todo_failures) = replay("todo-policy.yaml", "todo-host.json", "todo-decisions-1_0-02.json");
    let (gateway, gateway_failures) = replay("gateway-policy.yaml", "gateway-host.json", "gateway-decisions.json");
    println!("authzen interop: todo {todo} passed, gateway {gateway} passed");
    assert!(todo_failures.is_empty(), "todo: {todo_failures:#?}");
    assert!(gateway_failures.is_empty(), "gateway: {gateway_failures:#?}");
    assert_eq!(todo + gateway, 68, "43 todo checks and 25 gateway checks");
}
