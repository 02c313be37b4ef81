//! `cargo bench -p permiso-bench --bench request`: one call at the request
//! boundary. A full API-key request (parse, checksum, hash, verify, route,
//! authorize) and a full HS256 session request, the latter next to the stack
//! a team assembles by hand from the peers: `matchit` routing, a header
//! parse, `jsonwebtoken::decode` and casbin `enforce` on the example roles.
//! Before timing, both sides allow the allowed request and refuse a forbidden
//! one and one with a tampered token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use permiso::{HostData, NewKey, PrincipalRecord, Request, SessionRequest, SigningKey};
use permiso_bench::{example_policy, Casbin, Input, World};
use serde_json::Value;
use std::hint::black_box;

const SECRET: [u8; 32] = [7; 32];

/// The hand-assembled stack: route table, JWT library, RBAC engine.
struct Stack {
    router: matchit::Router<(&'static str, &'static str)>,
    decoding: DecodingKey,
    validation: Validation,
    casbin: Casbin,
}

impl Stack {
    fn new() -> Stack {
        let mut router = matchit::Router::new();
        // (method, permission) per path; the resource is the path parameter.
        router
            .insert("/api/deployments/{deployment}", ("*", "deployments"))
            .unwrap();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&["https://id.example.com"]);
        validation.set_audience(&["admin-api"]);
        validation.leeway = 30;
        let world = World {
            principals: vec![permiso_bench::Principal {
                id: "user:alice".into(),
                roles: vec!["operator".into()],
                grants: vec![],
            }],
            ..World::example()
        };
        Stack {
            router,
            decoding: DecodingKey::from_secret(&SECRET),
            validation,
            casbin: Casbin::new(&world),
        }
    }

    /// The HTTP status the stack answers.
    fn handle(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> u16 {
        let Ok(matched) = self.router.at(path) else { return 404 };
        let action = match method {
            "GET" => "read",
            "POST" => "write",
            "DELETE" => "delete",
            _ => return 405,
        };
        let Some(token) = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, v)| v.strip_prefix("Bearer "))
        else {
            return 401;
        };
        let Ok(claims) = jsonwebtoken::decode::<Value>(token, &self.decoding, &self.validation) else {
            return 401;
        };
        let Some(sub) = claims.claims["sub"].as_str() else {
            return 401;
        };
        let input = Input {
            principal: format!("user:{sub}"),
            permission: format!("{}:{action}", matched.value.1),
            resource: format!("deployment:{}", matched.params.get("deployment").unwrap_or_default()),
        };
        if self.casbin.enforce(&input) {
            200
        } else {
            403
        }
    }
}

fn requests(c: &mut Criterion) {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    // jsonwebtoken reads the system clock; permiso is given the same `now`.
    let now = jsonwebtoken::get_current_timestamp() as i64;
    let policy = example_policy();
    let k = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, SECRET);
    policy
        .set_secrets(
            "session",
            &serde_json::json!({"keys": [{"kty": "oct", "kid": "hs", "k": k}]}),
        )
        .unwrap();
    let key = policy
        .generate_key("project_key", "project:p1", &NewKey::default(), now)
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
        now,
        ..Default::default()
    };
    let auth = format!("Bearer {}", key.key.expose());
    let key_headers = [("authorization", auth.as_str()), ("accept", "application/json")];
    let key_request = Request {
        method: "POST",
        path: "/api/projects/p1/endpoints/nightly/run",
        headers: &key_headers,
    };
    assert_eq!(policy.authorize_request(&key_request, &host).status(), 200);

    let signing = SigningKey::hmac("HS256", &SECRET).unwrap().with_kid("hs");
    let session = SessionRequest {
        subject: "alice".into(),
        lifetime: 600,
        ..Default::default()
    };
    let token = policy.issue_session("session", &session, &signing, now).unwrap();
    let bearer = format!("Bearer {token}");
    let tampered = format!("Bearer {}x", &token[..token.len() - 1]);
    let stack = Stack::new();
    // The same answers: allowed, forbidden (operators may not delete), and a
    // tampered token.
    for (method, header, status) in [("GET", &bearer, 200), ("DELETE", &bearer, 403), ("GET", &tampered, 401)] {
        let headers = [("authorization", header.as_str())];
        let request = Request {
            method,
            path: "/api/deployments/web",
            headers: &headers,
        };
        let decision = policy.authorize_request(&request, &host);
        assert_eq!(decision.status(), status, "permiso: {method} {}", decision.message());
        assert_eq!(
            stack.handle(method, "/api/deployments/web", &headers),
            status,
            "stack: {method}"
        );
    }
    let token_headers = [("authorization", bearer.as_str())];
    let token_request = Request {
        method: "GET",
        path: "/api/deployments/web",
        headers: &token_headers,
    };

    let mut g = c.benchmark_group("request");
    g.bench_function("api_key_full/permiso", |b| {
        b.iter(|| policy.authorize_request(black_box(&key_request), &host).allowed())
    });
    g.bench_function("hs256_session_full/permiso", |b| {
        b.iter(|| policy.authorize_request(black_box(&token_request), &host).allowed())
    });
    g.bench_function("hs256_session_full/matchit_jsonwebtoken_casbin", |b| {
        b.iter(|| stack.handle("GET", black_box("/api/deployments/web"), black_box(&token_headers)))
    });
    g.bench_function("classify_api_key/permiso", |b| {
        b.iter(|| policy.classify(black_box(&key_request)).route.is_some())
    });
    g.finish();
}

criterion_group!(benches, requests);
criterion_main!(benches);
