//! The `permiso` binary: outputs and exit codes (0 ok, 1 denied/invalid, 2 usage).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const NOW: &str = "1767225600";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn policy() -> String {
    root().join("examples/policy.yaml").to_string_lossy().into_owned()
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_permiso"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn temp(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("permiso-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn validate_reports_ok_or_every_error_with_its_path() {
    let out = run(&["validate", &policy(), "--json"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["ok"], true);
    let bad = temp(
        "bad.yaml",
        "version: 1\npermissions: [a:b]\nroles:\n  x: { inherits: [y] }\n  z: { permissions: [a:c] }\n",
    );
    let out = run(&["validate", bad.to_str().unwrap(), "--json"], None);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["code"], "invalid_policy");
    let paths: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec!["roles.x.inherits[0]", "roles.z.permissions[0]"],
        "document order"
    );
    let out = run(&["validate", bad.to_str().unwrap()], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("roles.x.inherits[0]"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["validate", "/nonexistent.yaml"], None).status.code(), Some(2));
    assert_eq!(run(&["check"], None).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], None).status.code(), Some(2));
    let txt = temp("policy.txt", "version: 1");
    assert_eq!(run(&["validate", txt.to_str().unwrap()], None).status.code(), Some(2));
}

#[test]
fn keygen_hash_verify_and_check() {
    let record = std::env::temp_dir().join(format!("permiso-cli-{}-rec.json", std::process::id()));
    let out = run(
        &[
            "keygen",
            "-p",
            &policy(),
            "--kind",
            "personal_key",
            "--owner",
            "user:alice",
            "--now",
            NOW,
            "--json",
            "--record-out",
            record.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    let key = v["key"].as_str().unwrap().to_owned();
    let stored = std::fs::read_to_string(&record).unwrap();
    assert!(!stored.contains(&key), "the record file never holds the key");
    // hash from stdin equals the record's hash
    let out = run(&["hash", "--json"], Some(&key));
    assert_eq!(json(&out)["hash"], v["record"]["hash"]);
    // verify-key: ok, then a mistyped key
    let out = run(
        &[
            "verify-key",
            "-p",
            &policy(),
            "--record",
            record.to_str().unwrap(),
            "--now",
            NOW,
            "--json",
        ],
        Some(&key),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["principal"], "user:alice");
    let typo = format!("{}0", &key[..key.len() - 1]);
    let typo = if typo == key {
        format!("{}1", &key[..key.len() - 1])
    } else {
        typo
    };
    let out = run(
        &[
            "verify-key",
            "-p",
            &policy(),
            "--record",
            record.to_str().unwrap(),
            "--json",
            &typo,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["code"], "bad_checksum");
    // check: allowed (0) and denied (1)
    let host = root().join("examples/host-data.json");
    let auth = format!("Authorization: Bearer {key}");
    let args = |method: &'static str, path: &'static str| {
        vec![
            "check".to_owned(),
            "-p".into(),
            policy(),
            "--host-data".into(),
            host.to_string_lossy().into_owned(),
            "--key-record".into(),
            record.to_string_lossy().into_owned(),
            "-X".into(),
            method.into(),
            path.into(),
            "-H".into(),
            auth.clone(),
            "--now".into(),
            NOW.into(),
            "--json".into(),
        ]
    };
    let allowed: Vec<String> = args("GET", "/api/deployments/web");
    let out = run(&allowed.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let d = json(&out);
    assert_eq!(
        (d["allowed"].clone(), d["status"].clone()),
        (Value::Bool(true), Value::from(200))
    );
    assert_eq!(d["audit"]["actor"]["principal"], "user:alice");
    let denied: Vec<String> = args("GET", "/api/nowhere");
    let out = run(&denied.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["code"], "no_route");
    // explain lists every row
    let mut explain = args("DELETE", "/api/deployments/api");
    explain[0] = "explain".into();
    let out = run(&explain.iter().map(String::as_str).collect::<Vec<_>>(), None);
    assert_eq!(out.status.code(), Some(1));
    let d = json(&out);
    assert_eq!(d["code"], "missing_permission");
    let steps = d["steps"].as_array().unwrap();
    // the route, the credential, authentication, 8 rows, and the one rule granting delete
    assert_eq!(steps.len(), 3 + 8 + 1);
    assert!(steps
        .iter()
        .any(|s| s["outcome"] == "failed" && s["code_on_failure"] == "missing_permission"));
    // A path that a framework reads as the static route never takes the
    // parameter route; asked as the route the framework matched, it is that
    // route's permission that counts (alice is an operator).
    let out = run(&as_args(&args("GET", "/api/deployments/%63urrent")), None);
    assert_eq!(json(&out)["code"], "no_route");
    let mut route = args("GET", "/api/deployments/{deployment}");
    route.extend(["--route".into(), "--param".into(), "deployment=current".into()]);
    let out = run(&as_args(&route), None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json(&out)["resource"], "deployment:current");
    let mut route = args("GET", "/api/deployments/current");
    route.push("--route".into());
    let out = run(&as_args(&route), None);
    assert_eq!(json(&out)["action"], "deployments:write");
    let mut bad = args("GET", "/api/deployments/{deployment}");
    bad.extend(["--route".into(), "--param".into(), "deployment".into()]);
    assert_eq!(run(&as_args(&bad), None).status.code(), Some(2));
}

fn as_args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn jwt_issue_verify_and_delegate() {
    let key = root().join("examples/keys/demo-ed25519.pem");
    let sign = ["--alg", "EdDSA", "--key", key.to_str().unwrap(), "--kid", "demo-2026"];
    let p = policy();
    let issue: Vec<&str> = [
        "jwt",
        "issue",
        "-p",
        &p,
        "--sub",
        "alice",
        "--session",
        "s1",
        "--now",
        NOW,
    ]
    .into_iter()
    .chain(sign)
    .collect();
    let out = run(&issue, None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let out = run(&["jwt", "verify", "-p", &p, "--now", NOW, "--json", "-"], Some(&token));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["principal"], "user:alice");
    let out = run(
        &[
            "jwt",
            "verify",
            "-p",
            &p,
            "--now",
            NOW,
            "--revoked-session",
            "s1",
            "--json",
            &token,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["code"], "session_revoked");
    let out = run(&["jwt", "verify", "-p", &p, "--json", "not-a-token"], None);
    assert_eq!(json(&out)["code"], "malformed_token");
    let host = root().join("examples/host-data.json");
    let delegate: Vec<&str> = [
        "jwt",
        "delegate",
        "-p",
        &p,
        "--token",
        &token,
        "--actor",
        "mobile-app",
        "--scopes",
        "deployments:read",
        "--host-data",
        host.to_str().unwrap(),
        "--now",
        NOW,
    ]
    .into_iter()
    .chain(sign)
    .collect();
    let out = run(&delegate, None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let delegated = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let out = run(&["jwt", "verify", "-p", &p, "--now", NOW, "--json", &delegated], None);
    assert_eq!(json(&out)["actor_chain"][0], "mobile-app");
    let mut wider = delegate.clone();
    let at = wider.iter().position(|a| *a == "deployments:read").unwrap();
    wider[at] = "users:manage";
    let out = run(&wider, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("scope_escalation"));
}

#[test]
fn vectors_prints_the_summary_line() {
    let out = run(&["vectors", "tests/vectors"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.trim().ends_with("passed, 0 failed"), "{line}");
    let broken = temp(
        "broken.json",
        r#"{"description": "x", "cases": [{"name": "n", "op": "nope", "expect": {}}]}"#,
    );
    let out = run(&["vectors", broken.parent().unwrap().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_closed_stdout_ends_the_tool_quietly() {
    // The reader goes away before the tool writes, as `| head -n 1` does
    // after the first line: the tool must neither panic nor fail.
    for args in [
        vec![
            "keygen",
            "-p",
            "examples/policy.yaml",
            "--kind",
            "personal_key",
            "--owner",
            "user:alice",
        ],
        vec!["validate", "examples/policy.yaml"],
        vec!["vectors", "tests/vectors"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_permiso"))
            .args(&args)
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn authzen_answers_requests_and_replays_interop_files() {
    let todo = [
        "-p",
        "examples/authzen/todo-policy.yaml",
        "--host-data",
        "examples/authzen/todo-host.json",
    ];
    let out = run(
        &[
            &[
                "authzen",
                "replay",
                "examples/authzen/interop/todo-decisions-1_0-02.json",
            ],
            &todo[..],
        ]
        .concat(),
        None,
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "43 passed, 0 failed");
    assert!(out.status.success());

    // Morty (an editor) may delete the todo he owns, not Rick's.
    let morty = "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
    let request = |owner: &str| {
        format!(
            r#"{{"subject":{{"type":"user","id":"{morty}"}},"action":{{"name":"can_delete_todo"}},
               "resource":{{"type":"todo","id":"99","properties":{{"ownerID":"{owner}"}}}}}}"#
        )
    };
    let args = [&["authzen", "evaluation", "-"], &todo[..]].concat();
    let own = json(&run(&args, Some(&request("morty@the-citadel.com"))));
    assert_eq!(own["decision"], true);
    let other = json(&run(&args, Some(&request("rick@the-citadel.com"))));
    assert_eq!(other["decision"], false);
    assert_eq!(other["context"]["code"], "missing_permission");

    // A malformed request is refused with its code, exit 1.
    let bad = run(&args, Some(r#"{"action":{"name":"can_read_todos"}}"#));
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("invalid_request"),
        "{bad:?}"
    );
}
