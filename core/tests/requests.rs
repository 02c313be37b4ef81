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
    // A token names, unverified, the principal record and session to fetch.
    let fetch = |token: &str| {
        let auth = format!("Bearer eyJhbGciOiJIUzI1NiJ9.{token}.c2ln");
        let classified = policy.classify(&Request {
            method: "GET",
            path: "/api/audit",
            headers: &[("authorization", &auth)],
        });
        match classified.credential {
            CredentialRef::Token {
                kind,
                principal,
                session,
            } => (kind, principal, session),
            other => panic!("not a token: {other:?}"),
        }
    };
    let some = |s: &str| Some(s.to_owned());
    // {"sub":"bob","sid":"s-bob"}
    assert_eq!(
        fetch("eyJzdWIiOiJib2IiLCJzaWQiOiJzLWJvYiJ9"),
        (some("session"), some("user:bob"), some("s-bob"))
    );
    // {"sub":"ci-deployer","client_id":"ci-deployer"}: a client_credentials token
    assert_eq!(
        fetch("eyJzdWIiOiJjaS1kZXBsb3llciIsImNsaWVudF9pZCI6ImNpLWRlcGxveWVyIn0"),
        (some("session"), some("service:ci-deployer"), None)
    );
    // {}
    assert_eq!(fetch("e30"), (some("session"), None, None));
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

#[test]
fn authenticate_accepts_only_the_named_kinds_and_refuses_with_a_decision() {
    let policy = example();
    let project = policy
        .generate_key("project_key", "project:p1", &NewKey::default(), NOW)
        .unwrap();
    let personal = policy
        .generate_key("personal_key", "user:1", &NewKey::default(), NOW)
        .unwrap();
    let keys = [project.record.clone(), personal.record.clone()];
    let principals = [
        PrincipalRecord {
            id: "project:p1".into(),
            ..Default::default()
        },
        PrincipalRecord {
            id: "user:1".into(),
            ..Default::default()
        },
    ];
    let revoked = [project.record.id.clone()];
    let host = HostData {
        keys: &keys,
        principals: &principals,
        now: NOW,
        ..Default::default()
    };
    let bearer = |key: &permiso::SecretKey| format!("Bearer {}", key.expose());
    let project_auth = bearer(&project.key);
    let identity = policy
        .authenticate(&[("authorization", &project_auth)], &["project_key"], &host)
        .unwrap();
    assert_eq!(identity.principal_id(), format!("key:{}", project.record.id));
    assert_eq!(identity.kind(), Some("project_key"));

    let refusal = |headers: &[(&str, &str)], kinds: &[&str], host: &HostData| {
        let d = policy.authenticate(headers, kinds, host).unwrap_err();
        (d.code(), d.status(), d.allowed())
    };
    let personal_auth = bearer(&personal.key);
    assert_eq!(
        refusal(&[("X-API-Key", personal.key.expose())], &["project_key"], &host),
        (Code::CredentialKindNotAllowed, 403, false)
    );
    assert_eq!(
        refusal(&[("authorization", &personal_auth)], &[], &host),
        (Code::CredentialKindNotAllowed, 403, false)
    );
    assert_eq!(refusal(&[], &["project_key"], &host), (Code::NoCredentials, 401, false));
    assert_eq!(
        refusal(
            &[("authorization", &project_auth), ("x-api-key", project.key.expose())],
            &["project_key"],
            &host
        ),
        (Code::UnrecognizedCredential, 401, false)
    );
    let revoking = HostData {
        revoked_keys: &revoked,
        ..host
    };
    assert_eq!(
        refusal(&[("authorization", &project_auth)], &["project_key"], &revoking),
        (Code::Revoked, 401, false)
    );
    // The refusal names the key by id and mask, never the key.
    let d = policy
        .authenticate(&[("authorization", &project_auth)], &["project_key"], &revoking)
        .unwrap_err();
    assert!(!d.audit_json().contains(project.key.expose()));
    assert_eq!(d.actor().key_id(), Some(project.record.id.as_str()));
}

#[test]
fn an_audited_authzen_answer_hands_over_each_decision_of_a_batch_and_none_of_a_search() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/authzen/todo-policy.yaml"
    ))
    .unwrap();
    let policy = Policy::from_yaml(&text).unwrap();
    let principals = [PrincipalRecord {
        id: "user:morty".into(),
        roles: vec!["editor".into()],
        ..Default::default()
    }];
    let host = HostData {
        principals: &principals,
        now: NOW,
        ..Default::default()
    };
    let batch = serde_json::json!({
        "subject": {"type": "user", "id": "morty"},
        "resource": {"type": "todo", "id": "1"},
        "evaluations": [
            {"action": {"name": "can_read_todos"}},
            {"action": {"name": "can_delete_todo"}},
            {"subject": {"type": "user", "id": "nobody"}, "action": {"name": "can_read_todos"}},
            {"action": {}},
        ]
    });
    let mut seen = Vec::new();
    let response = policy
        .authzen_audited(permiso::authzen::Api::Evaluations, &batch, &host, &mut |index, d| {
            seen.push((index, d.code(), d.id()))
        })
        .unwrap();
    let codes: Vec<(usize, Code)> = seen.iter().map(|(i, c, _)| (*i, *c)).collect();
    // The fourth item cannot be evaluated: an error in the response, no decision.
    assert_eq!(
        codes,
        [
            (0, Code::Allowed),
            (1, Code::MissingPermission),
            (2, Code::UnknownPrincipal)
        ]
    );
    let json = serde_json::to_value(&response).unwrap();
    for (i, (_, _, id)) in seen.iter().enumerate() {
        assert_eq!(json["evaluations"][i]["context"]["decision_id"], id.to_string());
    }
    let mut searched = 0;
    let search = serde_json::json!({
        "subject": {"type": "user", "id": "morty"},
        "resource": {"type": "todo", "id": "1"},
    });
    policy
        .authzen_audited(permiso::authzen::Api::SearchAction, &search, &host, &mut |_, _| {
            searched += 1
        })
        .unwrap();
    assert_eq!(searched, 0);
}
