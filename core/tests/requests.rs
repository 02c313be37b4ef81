//! Request API tests: the two-step form, explanations, hostile input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use permiso::{Code, CredentialRef, HostData, KeyRecord, NewKey, Outcome, Policy, PrincipalRecord, Request};
use proptest::prelude::*;

const NOW: i64 = 1_767_225_600;

fn example() -> Policy {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.yaml")).unwrap();
    Policy::from_yaml(&text).unwrap()
}

#[test]
fn the_two_step_form_tells_the_host_what_to_fetch() {
    let policy = example();
    let key = policy
        .generate_key("project_key", "project:p1", &NewKey::default(), NOW)
        .unwrap();
    let auth = format!("Bearer {}", key.key.expose());
    let headers = [("Authorization", auth.as_str())];
    let request = Request {
        method: "POST",
        path: "/api/projects/p1/endpoints/nightly/run",
        headers: &headers,
    };
    let classified = policy.classify(&request);
    let route = classified.route.clone().unwrap();
    assert_eq!(route.permission, "endpoints:run");
    assert_eq!(route.tenant.as_deref(), Some("project:p1"));
    assert_eq!(
        classified.credential,
        CredentialRef::ApiKey {
            kind: "project_key".into(),
            id: Some(key.record.id.clone())
        }
    );
    // The host fetches the record by that id (say from edge KV), then decides.
    let fetched: Vec<KeyRecord> = vec![key.record.clone()];
    let owner = [PrincipalRecord {
        id: "project:p1".into(),
        tenant: Some("project:p1".into()),
        ..Default::default()
    }];
    let host = HostData {
        keys: &fetched,
        principals: &owner,
        now: NOW,
        ..Default::default()
    };
    let decision = policy.authorize_request(&request, &host);
    assert!(decision.allowed(), "{}", decision.message());
    assert_eq!(
        decision.route(),
        Some("POST /api/projects/{project}/endpoints/{name}/run")
    );
    // Without the record: unknown_key, with the key id in the audit actor.
    let decision = policy.authorize_request(
        &request,
        &HostData {
            now: NOW,
            ..Default::default()
        },
    );
    assert_eq!(decision.code(), Code::UnknownKey);
    assert_eq!(decision.actor().key_id(), Some(key.record.id.as_str()));
    // Tokens need nothing fetched but optional principals.
    let headers = [("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln")];
    let classified = policy.classify(&Request {
        method: "GET",
        path: "/api/audit",
        headers: &headers,
    });
    assert_eq!(
        classified.credential,
        CredentialRef::Token {
            kind: Some("session".into())
        }
    );
}

#[test]
fn explain_shows_every_row() {
    let policy = example();
    let key = policy
        .generate_key("personal_key", "user:alice", &NewKey::default(), NOW)
        .unwrap();
    let auth = format!("Bearer {}", key.key.expose());
    let headers = [("Authorization", auth.as_str())];
    let keys = [key.record.clone()];
    let alice = [PrincipalRecord {
        id: "user:alice".into(),
        roles: vec!["viewer".into()],
        grants: vec![permiso::Grant {
            resource: "deployment:web".into(),
            level: "write".into(),
        }],
        ..Default::default()
    }];
    let host = HostData {
        keys: &keys,
        principals: &alice,
        now: NOW,
        ..Default::default()
    };
    let outcome = policy.explain_request(
        &Request {
            method: "POST",
            path: "/api/deployments/web",
            headers: &headers,
        },
        &host,
    );
    assert!(outcome.decision.allowed());
    let evaluation = outcome.evaluation.unwrap();
    assert_eq!(evaluation.roles_allow, Outcome::Failed);
    assert_eq!(evaluation.grant_allows, Outcome::Passed);
    assert_eq!(evaluation.rule_allows, Outcome::NotApplicable);
    assert_eq!(evaluation.rows().len(), 8);
}

fn hostile_header() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![
            Just("authorization".to_string()),
            Just("X-API-Key".to_string()),
            "[A-Za-z-]{1,20}"
        ],
        prop_oneof![
            "\\PC{0,200}",
            "(Bearer|Token|bearer|Basic) [ -~]{0,120}",
            "Bearer pmo_(pat|psk)_[A-Za-z0-9_]{0,60}",
            "Bearer eyJ[A-Za-z0-9_.-]{0,200}",
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]

    #[test]
    fn hostile_requests_never_panic_and_never_allow(
        method in prop_oneof![Just("GET".to_string()), Just("POST".to_string()), "[A-Za-z*]{0,8}"],
        path in prop_oneof![
            "/api/deployments/[A-Za-z0-9%./_-]{0,40}",
            "/api/projects/[a-z0-9%]{1,8}/endpoints/[a-z0-9%./]{1,12}/run",
            "\\PC{0,80}",
        ],
        headers in prop::collection::vec(hostile_header(), 0..4),
    ) {
        let policy = example();
        let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let request = Request { method: &method, path: &path, headers: &borrowed };
        let principals = [PrincipalRecord { id: "user:alice".into(), roles: vec!["admin".into()], ..Default::default() }];
        let host = HostData { principals: &principals, now: NOW, ..Default::default() };
        let decision = policy.authorize_request(&request, &host);
        // No key record and no valid signature exist, so nothing can pass.
        prop_assert!(!decision.allowed(), "allowed: {decision:?}");
        prop_assert!(matches!(decision.status(), 401 | 403 | 404), "{decision:?}");
        let _ = decision.audit_json();
    }
}
