//! `cargo bench -p permiso --bench request`: a full API-key request (parse,
//! checksum, hash, verify, route, authorize) and a full HS256 session request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion};
use permiso::{HostData, NewKey, Policy, PrincipalRecord, Request, SessionRequest, SigningKey};
use std::hint::black_box;

const NOW: i64 = 1_767_225_600;

fn requests(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.yaml")).unwrap();
    let policy = Policy::from_yaml(&text).unwrap();
    let secret = [7u8; 32];
    policy
        .set_jwks(
            "session",
            &serde_json::json!({"keys": [{"kty": "oct", "kid": "hs", "k": "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"}]}),
        )
        .unwrap();
    let key = policy
        .generate_key("project_key", "project:p1", &NewKey::default(), NOW)
        .unwrap();
    let keys = [key.record.clone()];
    let principals = [
        PrincipalRecord {
            id: "project:p1".into(),
            tenant: Some("project:p1".into()),
            ..Default::default()
        },
        PrincipalRecord {
            id: "user:alice".into(),
            roles: vec!["operator".into()],
            ..Default::default()
        },
    ];
    let host = HostData {
        keys: &keys,
        principals: &principals,
        now: NOW,
        ..Default::default()
    };
    let auth = format!("Bearer {}", key.key.expose());
    let key_headers = [("authorization", auth.as_str()), ("accept", "application/json")];
    let key_request = Request {
        method: "POST",
        path: "/api/projects/p1/endpoints/nightly/run",
        headers: &key_headers,
    };
    assert!(policy.authorize_request(&key_request, &host).allowed());
    let signing = SigningKey::hmac("HS256", &secret).unwrap().with_kid("hs");
    let session = SessionRequest {
        subject: "alice".into(),
        lifetime: 600,
        ..Default::default()
    };
    let token = policy.issue_session("session", &session, &signing, NOW).unwrap();
    let bearer = format!("Bearer {token}");
    let token_headers = [("authorization", bearer.as_str())];
    let token_request = Request {
        method: "GET",
        path: "/api/deployments/web",
        headers: &token_headers,
    };
    let d = policy.authorize_request(&token_request, &host);
    assert!(d.allowed(), "{}", d.message());

    let mut g = c.benchmark_group("request");
    g.bench_function("api_key_full", |b| {
        b.iter(|| policy.authorize_request(black_box(&key_request), &host).allowed())
    });
    g.bench_function("hs256_session_full", |b| {
        b.iter(|| policy.authorize_request(black_box(&token_request), &host).allowed())
    });
    g.bench_function("classify_api_key", |b| {
        b.iter(|| policy.classify(black_box(&key_request)).route.is_some())
    });
    g.finish();
}

criterion_group!(benches, requests);
criterion_main!(benches);
