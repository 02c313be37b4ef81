//! `cargo bench -p permiso-bench --bench jwt`: token verification through
//! permiso next to raw `jsonwebtoken::decode` with the same native backend
//! and the same checks (algorithm, key, signature, iss, aud, exp), for each
//! of the twelve algorithms. Before timing, both accept the token and both
//! refuse a tampered, a re-signed-by-another-key and an expired one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use permiso::{Policy, SessionRequest, SigningKey, VerifyTokenOptions};
use permiso_bench::repo_file;
use serde_json::Value;
use std::hint::black_box;

const ALGORITHMS: [(&str, &str, Algorithm); 12] = [
    ("HS256", "hs32", Algorithm::HS256),
    ("HS384", "hs48", Algorithm::HS384),
    ("HS512", "hs64", Algorithm::HS512),
    ("RS256", "rsa", Algorithm::RS256),
    ("RS384", "rsa", Algorithm::RS384),
    ("RS512", "rsa", Algorithm::RS512),
    ("PS256", "rsa", Algorithm::PS256),
    ("PS384", "rsa", Algorithm::PS384),
    ("PS512", "rsa", Algorithm::PS512),
    ("ES256", "ec256", Algorithm::ES256),
    ("ES384", "ec384", Algorithm::ES384),
    ("EdDSA", "ed", Algorithm::EdDSA),
];

fn signing_key(alg: &str, kid: &str, secrets: &Value) -> SigningKey {
    let pem = |file: &str| repo_file(&format!("tools/vectors/keys/{file}"));
    let key = match kid {
        "rsa" => SigningKey::from_pem(alg, &pem("rsa.pem")),
        "ec256" => SigningKey::from_pem(alg, &pem("ec256.pem")),
        "ec384" => SigningKey::from_pem(alg, &pem("ec384.pem")),
        "ed" => SigningKey::from_pem(alg, &pem("ed25519.pem")),
        hs => SigningKey::hmac(alg, &URL_SAFE_NO_PAD.decode(secrets[hs].as_str().unwrap()).unwrap()),
    };
    key.unwrap().with_kid(kid)
}

fn jwt(c: &mut Criterion) {
    // Raw jsonwebtoken needs a process-wide provider when both backends are
    // compiled in (workspace builds); permiso picks its backend explicitly.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    let vectors: Value = serde_json::from_slice(&repo_file("tests/vectors/tokens.json")).unwrap();
    let policy = Policy::from_value(&vectors["policy"]).unwrap();
    let jwks = vectors["policy"]["credentials"]["session"]["jwks"]["keys"]
        .as_array()
        .unwrap();
    let jwk = |kid: &str| -> jsonwebtoken::jwk::Jwk {
        let key = jwks.iter().find(|k| k["kid"] == kid).unwrap();
        serde_json::from_value(key.clone()).unwrap()
    };
    let secrets: Value = serde_json::from_slice(&repo_file("tools/vectors/keys/hmac.json")).unwrap();
    let request = SessionRequest {
        subject: "alice".into(),
        scopes: Some(vec!["deployments:read".into(), "audit:read".into()]),
        roles: vec!["viewer".into()],
        tenant: Some("org:acme".into()),
        lifetime: 600,
        ..Default::default()
    };
    let mut g = c.benchmark_group("jwt_verify");
    if !permiso_bench::quick() {
        g.warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
    }
    for (alg, kid, algorithm) in ALGORITHMS {
        let key = signing_key(alg, kid, &secrets);
        // jsonwebtoken reads the system clock; permiso is given the same `now`.
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let token = policy.issue_session("session", &request, &key, now).unwrap();
        let options = VerifyTokenOptions::at(now);
        let decoding = DecodingKey::from_jwk(&jwk(kid)).unwrap();
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&["https://id.example.com"]);
        validation.set_audience(&["admin-api"]);
        validation.leeway = 30;
        let ours = |t: &str| policy.verify_jwt(t, &options).is_ok();
        let theirs = |t: &str| jsonwebtoken::decode::<Value>(t, &decoding, &validation).is_ok();
        // The same answers: the token, and three that must fail.
        let (head, rest) = token.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let mut other_payload = payload.as_bytes().to_vec();
        other_payload[5] = if other_payload[5] == b'A' { b'B' } else { b'A' };
        let tampered = format!("{head}.{}.{signature}", String::from_utf8(other_payload).unwrap());
        let expired = policy.issue_session("session", &request, &key, now - 3_600).unwrap();
        let foreign = if kid == "rsa" {
            // Signed by another RSA key under the same kid.
            let other = SigningKey::from_pem(alg, &repo_file("tools/vectors/keys/rsa-other.pem")).unwrap();
            policy
                .issue_session("session", &request, &other.with_kid("rsa"), now)
                .unwrap()
        } else {
            format!("{head}.{payload}.{}", &signature[..signature.len() / 2])
        };
        assert!(ours(&token) && theirs(&token), "{alg}: both accept the token");
        for bad in [&tampered, &expired, &foreign] {
            assert!(!ours(bad) && !theirs(bad), "{alg}: both refuse {bad}");
        }
        g.bench_function(BenchmarkId::new("permiso", alg), |b| b.iter(|| ours(black_box(&token))));
        g.bench_function(BenchmarkId::new("jsonwebtoken", alg), |b| {
            b.iter(|| theirs(black_box(&token)))
        });
    }
    g.finish();
}

criterion_group!(benches, jwt);
criterion_main!(benches);
