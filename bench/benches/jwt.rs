//! `cargo bench -p permiso --bench jwt`: token verification through permiso
//! next to raw `jsonwebtoken::decode` with the same backend and the same
//! checks (algorithm, key, signature, iss, aud, exp), per algorithm.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use permiso::{Policy, SessionRequest, SigningKey, VerifyTokenOptions};
use serde_json::Value;
use std::hint::black_box;

const NOW: i64 = 1_767_225_600;

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn jwt(c: &mut Criterion) {
    // Raw jsonwebtoken needs a process-wide provider when both backends are
    // compiled in (workspace builds); permiso picks its backend explicitly.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    let vectors: Value = serde_json::from_slice(&file("tests/vectors/tokens.json")).unwrap();
    let policy = Policy::from_value(&vectors["policy"]).unwrap();
    let jwks = &vectors["policy"]["credentials"]["session"]["jwks"]["keys"];
    let jwk = |kid: &str| -> jsonwebtoken::jwk::Jwk {
        let key = jwks.as_array().unwrap().iter().find(|k| k["kid"] == kid).unwrap();
        serde_json::from_value(key.clone()).unwrap()
    };
    let secrets: Value = serde_json::from_slice(&file("tools/vectors/keys/hmac.json")).unwrap();
    let hs32 = URL_SAFE_NO_PAD.decode(secrets["hs32"].as_str().unwrap()).unwrap();
    let cases = [
        (
            "HS256",
            SigningKey::hmac("HS256", &hs32).unwrap().with_kid("hs32"),
            "hs32",
            Algorithm::HS256,
        ),
        (
            "RS256",
            SigningKey::from_pem("RS256", &file("tools/vectors/keys/rsa.pem"))
                .unwrap()
                .with_kid("rsa"),
            "rsa",
            Algorithm::RS256,
        ),
        (
            "ES256",
            SigningKey::from_pem("ES256", &file("tools/vectors/keys/ec256.pem"))
                .unwrap()
                .with_kid("ec256"),
            "ec256",
            Algorithm::ES256,
        ),
        (
            "EdDSA",
            SigningKey::from_pem("EdDSA", &file("tools/vectors/keys/ed25519.pem"))
                .unwrap()
                .with_kid("ed"),
            "ed",
            Algorithm::EdDSA,
        ),
    ];
    let request = SessionRequest {
        subject: "alice".into(),
        scopes: Some(vec!["deployments:read".into(), "audit:read".into()]),
        roles: vec!["viewer".into()],
        tenant: Some("org:acme".into()),
        lifetime: 600,
        ..Default::default()
    };
    let mut g = c.benchmark_group("jwt_verify");
    for (name, key, kid, alg) in cases {
        // Issued slightly in the past so `jsonwebtoken` (which reads the
        // system clock) and permiso (given `now`) both accept it.
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let token = policy.issue_session("session", &request, &key, now).unwrap();
        let options = VerifyTokenOptions::at(now);
        assert!(policy.verify_jwt(&token, &options).is_ok());
        let decoding = DecodingKey::from_jwk(&jwk(kid)).unwrap();
        let mut validation = Validation::new(alg);
        validation.set_issuer(&["https://id.example.com"]);
        validation.set_audience(&["admin-api"]);
        validation.leeway = 30;
        let raw = jsonwebtoken::decode::<Value>(&token, &decoding, &validation);
        assert!(raw.is_ok(), "{name}: {raw:?}");
        g.bench_function(format!("{name}/permiso"), |b| {
            b.iter(|| policy.verify_jwt(black_box(&token), &options).is_ok())
        });
        g.bench_function(format!("{name}/jsonwebtoken"), |b| {
            b.iter(|| jsonwebtoken::decode::<Value>(black_box(&token), &decoding, &validation).is_ok())
        });
    }
    g.finish();
    let _ = NOW;
}

criterion_group!(benches, jwt);
criterion_main!(benches);
