//! Token API tests: issuing round-trips, delegation, JWKS rotation, hygiene.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use permiso::{
    Check, Code, DelegationRequest, HostData, IdentityRecord, Policy, PrincipalRecord, Request, RouteRequest,
    SessionRequest, SigningKey, VerifyTokenOptions,
};
use proptest::prelude::*;
use serde_json::Value;

const NOW: i64 = 1_767_225_600;

fn vectors_policy() -> (Policy, Value) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/tokens.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    (Policy::from_value(&file["policy"]).unwrap(), file["policy"].clone())
}

fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../tools/vectors/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn hmac_secret(name: &str) -> Vec<u8> {
    let secrets: Value = serde_json::from_slice(&key_file("hmac.json")).unwrap();
    URL_SAFE_NO_PAD.decode(secrets[name].as_str().unwrap()).unwrap()
}

fn signing_keys() -> Vec<SigningKey> {
    vec![
        SigningKey::hmac("HS256", &hmac_secret("hs32"))
            .unwrap()
            .with_kid("hs32"),
        SigningKey::hmac("HS384", &hmac_secret("hs48"))
            .unwrap()
            .with_kid("hs48"),
        SigningKey::hmac("HS512", &hmac_secret("hs64"))
            .unwrap()
            .with_kid("hs64"),
        SigningKey::from_pem("RS256", &key_file("rsa.pem"))
            .unwrap()
            .with_kid("rsa"),
        SigningKey::from_pem("RS512", &key_file("rsa.pem"))
            .unwrap()
            .with_kid("rsa"),
        SigningKey::from_pem("PS256", &key_file("rsa.pem"))
            .unwrap()
            .with_kid("rsa"),
        SigningKey::from_pem("PS384", &key_file("rsa.pem"))
            .unwrap()
            .with_kid("rsa"),
        SigningKey::from_pem("ES256", &key_file("ec256.pem"))
            .unwrap()
            .with_kid("ec256"),
        SigningKey::from_pem("ES384", &key_file("ec384.pem"))
            .unwrap()
            .with_kid("ec384"),
        SigningKey::from_pem("EdDSA", &key_file("ed25519.pem"))
            .unwrap()
            .with_kid("ed"),
    ]
}

fn session(subject: &str, scopes: Option<&[&str]>, roles: &[&str]) -> SessionRequest {
    SessionRequest {
        subject: subject.into(),
        session: Some("s-42".into()),
        scopes: scopes.map(|s| s.iter().map(|x| x.to_string()).collect()),
        roles: roles.iter().map(|x| x.to_string()).collect(),
        tenant: Some("org:acme".into()),
        lifetime: 600,
        client_id: None,
    }
}

#[test]
fn issued_sessions_verify_for_every_algorithm_family() {
    let (policy, _) = vectors_policy();
    for key in signing_keys() {
        let token = policy
            .issue_session(
                "session",
                &session("alice", Some(&["deployments:read"]), &["viewer"]),
                &key,
                NOW,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", key.algorithm()));
        let verified = policy
            .verify_jwt(&token, &VerifyTokenOptions::at(NOW + 10))
            .unwrap_or_else(|e| panic!("{}: {e}", key.algorithm()));
        assert_eq!(verified.algorithm, key.algorithm());
        assert_eq!(verified.principal.id, "user:alice");
        assert_eq!(verified.principal.roles, vec!["viewer".to_string()]);
        assert_eq!(verified.principal.tenant.as_deref(), Some("org:acme"));
        assert_eq!(verified.credential.session.as_deref(), Some("s-42"));
        assert_eq!(
            verified.credential.token_id.as_ref().map(String::len),
            Some(22),
            "a random jti"
        );
        assert_eq!(verified.credential.id, None, "`id` is for key ids");
        assert_eq!(verified.expires_at, Some(NOW + 600));
        // A revoked session kills it; tampering kills it.
        let revoked = ["s-42".to_string()];
        let err = policy
            .verify_jwt(&token, &VerifyTokenOptions::at(NOW).revoked_sessions(&revoked))
            .unwrap_err();
        assert_eq!(err.code(), Code::SessionRevoked);
        let mut tampered = token.clone().into_bytes();
        let i = token.find('.').unwrap() + 5;
        tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
        let err = policy.verify_jwt(std::str::from_utf8(&tampered).unwrap(), &VerifyTokenOptions::at(NOW));
        assert!(matches!(
            err.unwrap_err().code(),
            Code::BadSignature | Code::MalformedToken
        ));
    }
}

/// The claims the rules do not read are not decoded while verifying; a host
/// asking for them gets every claim, as a JSON parser reads the payload.
#[test]
fn a_host_gets_every_claim_decoded_when_it_asks() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/tokens.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let (policy, _) = vectors_policy();
    let now = file["now"].as_i64().unwrap();
    let cases = file["cases"].as_array().unwrap();
    for name in [
        "claims the rules do not read may hold any JSON",
        "a repeated claim: the last one counts",
    ] {
        let case = cases.iter().find(|c| c["name"] == name).unwrap();
        let token = case["token"].as_str().unwrap();
        let payload = URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap();
        let expected: serde_json::Map<String, Value> = serde_json::from_slice(&payload).unwrap();
        let verified = policy.verify_jwt(token, &VerifyTokenOptions::at(now)).unwrap();
        assert_eq!(verified.claims.to_map(), expected, "{name}");
        assert_eq!(verified.claims.as_json().as_bytes(), payload, "{name}");
        assert_eq!(expected["sub"], "alice", "{name}");
    }
    let case = cases
        .iter()
        .find(|c| c["name"] == "claims the rules do not read may hold any JSON")
        .unwrap();
    let verified = policy
        .verify_jwt(case["token"].as_str().unwrap(), &VerifyTokenOptions::at(now))
        .unwrap();
    assert_eq!(verified.claims.to_map()["profile"]["name"], "Zo\u{eb} \u{2603}");
}

#[test]
fn issuing_respects_the_kind() {
    let (policy, _) = vectors_policy();
    let hs = SigningKey::hmac("HS256", &hmac_secret("hs32"))
        .unwrap()
        .with_kid("hs32");
    let mut long = session("alice", None, &[]);
    long.lifetime = 10 * 86_400;
    let token = policy.issue_session("session", &long, &hs, NOW).unwrap();
    let verified = policy.verify_jwt(&token, &VerifyTokenOptions::at(NOW)).unwrap();
    assert_eq!(
        verified.expires_at,
        Some(NOW + 3600),
        "capped by the default max_lifetime"
    );
    let err = policy.issue_session("partner", &long, &hs, NOW).unwrap_err();
    assert_eq!(
        err.code(),
        Code::UnsupportedAlgorithm,
        "HS256 is not among partner's algorithms"
    );
    assert_eq!(
        policy.issue_session("nope", &long, &hs, NOW).unwrap_err().code(),
        Code::UnknownCredentialKind
    );
    assert_eq!(
        SigningKey::hmac("HS256", b"short").unwrap_err().code(),
        Code::UnknownKey
    );
    assert_eq!(
        SigningKey::hmac("none", b"x").unwrap_err().code(),
        Code::UnsupportedAlgorithm
    );
    assert_eq!(
        SigningKey::from_pem("ES256", &key_file("rsa.pem")).unwrap_err().code(),
        Code::UnknownKey
    );
    let mut zero = session("alice", None, &[]);
    zero.lifetime = 0;
    assert_eq!(
        policy.issue_session("session", &zero, &hs, NOW).unwrap_err().code(),
        Code::InvalidClaim
    );
    // Debug of a signing key never shows the secret.
    let secret = URL_SAFE_NO_PAD.encode(hmac_secret("hs32"));
    let debug = format!("{hs:?}");
    assert!(!debug.contains(&secret) && !debug.contains(&format!("{:?}", hmac_secret("hs32"))));
    assert!(debug.contains("redacted") && debug.contains("HS256"));
}

#[test]
fn delegated_tokens_carry_at_most_what_the_identity_holds() {
    let (policy, _) = vectors_policy();
    let key = SigningKey::from_pem("EdDSA", &key_file("ed25519.pem"))
        .unwrap()
        .with_kid("ed");
    let token = policy
        .issue_session("session", &session("alice", None, &["viewer"]), &key, NOW)
        .unwrap();
    let verified = policy.verify_jwt(&token, &VerifyTokenOptions::at(NOW)).unwrap();
    let alice = policy.token_identity(&verified, None).unwrap();
    let request = |scopes: &[&str]| DelegationRequest {
        actor: "mobile-app".into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        audience: None,
        lifetime: 300,
    };
    for wider in [
        &["deployments:write"][..],
        &["deployments:*"],
        &["*"],
        &["nope:nope"],
        &["openid"],
    ] {
        let err = policy
            .delegate("session", &alice, &request(wider), &key, NOW)
            .unwrap_err();
        assert_eq!(err.code(), Code::ScopeEscalation, "{wider:?}");
    }
    let delegated = policy
        .delegate("session", &alice, &request(&["deployments:read"]), &key, NOW)
        .unwrap();
    let verified = policy.verify_jwt(&delegated, &VerifyTokenOptions::at(NOW)).unwrap();
    assert_eq!(verified.principal.id, "user:alice");
    assert_eq!(verified.credential.actor_chain, vec!["mobile-app".to_string()]);
    assert_eq!(
        verified.credential.session.as_deref(),
        Some("s-42"),
        "the session carries over"
    );
    let revoked = ["s-42".to_string()];
    let err = policy.verify_jwt(&delegated, &VerifyTokenOptions::at(NOW).revoked_sessions(&revoked));
    assert_eq!(
        err.unwrap_err().code(),
        Code::SessionRevoked,
        "revoking the session revokes the delegation"
    );
    let mobile = policy.token_identity(&verified, None).unwrap();
    let decision = policy.authorize(&mobile, Check::new("deployments:read"), NOW);
    assert!(decision.allowed());
    assert_eq!(decision.actor().chain(), &["mobile-app".to_string()]);
    let audit: Value = serde_json::from_str(&decision.audit_json()).unwrap();
    assert_eq!(audit["actor"]["actor_chain"][0], "mobile-app");
    // A delegation of a delegation extends the chain and cannot widen it.
    let again = DelegationRequest {
        actor: "widget".into(),
        ..request(&["deployments:read"])
    };
    let nested = policy.delegate("session", &mobile, &again, &key, NOW).unwrap();
    let nested = policy.verify_jwt(&nested, &VerifyTokenOptions::at(NOW)).unwrap();
    assert_eq!(
        nested.credential.actor_chain,
        vec!["widget".to_string(), "mobile-app".to_string()]
    );
    let err = policy
        .delegate("session", &mobile, &request(&["audit:read"]), &key, NOW)
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::ScopeEscalation,
        "viewer holds audit:read? no: the role has only deployments:read"
    );
    // A host-supplied principal record is authoritative.
    let host = PrincipalRecord {
        id: "user:alice".into(),
        deny: vec!["deployments:read".into()],
        roles: vec!["admin".into()],
        ..Default::default()
    };
    let identity = policy.token_identity(&verified, Some(&host)).unwrap();
    assert_eq!(
        policy.authorize(&identity, Check::new("deployments:read"), NOW).code(),
        Code::ExplicitlyDenied
    );
    let other = PrincipalRecord {
        id: "user:bob".into(),
        ..Default::default()
    };
    assert_eq!(
        policy.token_identity(&verified, Some(&other)).unwrap_err().code(),
        Code::InvalidPrincipal
    );
}

#[test]
fn jwks_can_be_replaced_at_runtime_and_a_bad_set_keeps_the_old_one() {
    let (policy, doc) = vectors_policy();
    let key = SigningKey::from_pem("ES256", &key_file("ec256.pem"))
        .unwrap()
        .with_kid("ec256");
    let token = policy
        .issue_session("session", &session("alice", None, &[]), &key, NOW)
        .unwrap();
    assert!(policy.verify_jwt(&token, &VerifyTokenOptions::at(NOW)).is_ok());
    let hash = policy.hash();
    // Rotate: the set without ec256.
    // A runtime set holds public keys only; the policy's HMAC secrets stay.
    let mut public = doc["credentials"]["session"]["jwks"].clone();
    public["keys"].as_array_mut().unwrap().retain(|k| k["kty"] != "oct");
    let with_secrets = doc["credentials"]["session"]["jwks"].clone();
    let err = policy.set_jwks("session", &with_secrets).unwrap_err();
    assert_eq!(err.detail(), permiso::PolicyDetail::InvalidJwk);
    assert!(err.to_string().contains("public keys only"), "{err}");
    let mut keys = public.clone();
    keys["keys"].as_array_mut().unwrap().retain(|k| k["kid"] != "ec256");
    policy.set_jwks("session", &keys).unwrap();
    assert_eq!(
        policy
            .verify_jwt(&token, &VerifyTokenOptions::at(NOW))
            .unwrap_err()
            .code(),
        Code::UnknownKey
    );
    let hs = SigningKey::hmac("HS256", &hmac_secret("hs32"))
        .unwrap()
        .with_kid("hs32");
    let hs_token = policy
        .issue_session("session", &session("alice", None, &[]), &hs, NOW)
        .unwrap();
    assert!(policy.verify_jwt(&hs_token, &VerifyTokenOptions::at(NOW)).is_ok());
    assert_eq!(policy.jwks("session").unwrap().len(), 6);
    // A broken set is refused; the current one keeps serving.
    let err = policy.set_jwks(
        "session",
        &serde_json::json!({"keys": [{"kty": "oct", "k": "c2hvcnQ"}]}),
    );
    assert_eq!(err.unwrap_err().detail(), permiso::PolicyDetail::InvalidJwk);
    assert_eq!(policy.jwks("session").unwrap().len(), 6);
    // Secrets are replaced on their own, from the operator's store; the
    // public keys stay, and a secret set holds secrets only.
    let fresh = [7u8; 32];
    let k = URL_SAFE_NO_PAD.encode(fresh);
    policy
        .set_secrets(
            "session",
            &serde_json::json!({"keys": [{"kty": "oct", "kid": "hs32", "k": k}]}),
        )
        .unwrap();
    assert_eq!(
        policy
            .verify_jwt(&hs_token, &VerifyTokenOptions::at(NOW))
            .unwrap_err()
            .code(),
        Code::BadSignature,
        "the replaced secret no longer verifies"
    );
    let fresh_key = SigningKey::hmac("HS256", &fresh).unwrap().with_kid("hs32");
    let fresh_token = policy
        .issue_session("session", &session("alice", None, &[]), &fresh_key, NOW)
        .unwrap();
    assert!(policy.verify_jwt(&fresh_token, &VerifyTokenOptions::at(NOW)).is_ok());
    assert_eq!(
        policy.set_secrets("session", &public).unwrap_err().detail(),
        permiso::PolicyDetail::InvalidJwk
    );
    let public_kept = keys["keys"].as_array().unwrap().len();
    assert_eq!(
        policy.jwks("session").unwrap().len(),
        public_kept + 1,
        "public keys kept, one secret"
    );
    // Back again.
    policy.set_jwks("session", &public).unwrap();
    assert!(policy.verify_jwt(&token, &VerifyTokenOptions::at(NOW)).is_ok());
    assert_eq!(policy.hash(), hash, "runtime keys are not part of the document");
    assert!(policy.set_jwks("nope", &keys).is_err());
}

#[test]
fn secrets_stay_out_of_debug_errors_and_the_hash() {
    let (policy, doc) = vectors_policy();
    let secret = doc["credentials"]["session"]["jwks"]["keys"][0]["k"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!format!("{policy:?}").contains(&secret));
    assert!(!format!("{:?}", policy.document()).contains(&secret));
    let key = SigningKey::hmac("HS256", &hmac_secret("hs32"))
        .unwrap()
        .with_kid("hs32");
    let token = policy
        .issue_session("session", &session("alice", None, &[]), &key, NOW)
        .unwrap();
    let signature = token.rsplit('.').next().unwrap();
    let err = policy
        .verify_jwt(&format!("{token}x"), &VerifyTokenOptions::at(NOW))
        .unwrap_err();
    assert!(!err.to_string().contains(signature));
    // Changing the secret changes the hash, though the hash never contains it.
    let mut changed = doc.clone();
    changed["credentials"]["session"]["jwks"]["keys"][0]["k"] = Value::String("A".repeat(43));
    assert_ne!(Policy::from_value(&changed).unwrap().hash(), policy.hash());
}

#[test]
fn a_token_identity_authorizes_like_any_other() {
    let (policy, _) = vectors_policy();
    let key = SigningKey::hmac("HS512", &hmac_secret("hs64"))
        .unwrap()
        .with_kid("hs64");
    let mut request = session("ci-deployer", None, &[]);
    request.client_id = Some("ci-deployer".into());
    let token = policy.issue_session("session", &request, &key, NOW).unwrap();
    let verified = policy.verify_jwt(&token, &VerifyTokenOptions::at(NOW)).unwrap();
    assert!(verified.service_account);
    let identity = policy.token_identity(&verified, None).unwrap();
    let decision = policy.authorize(&identity, Check::new("deployments:write").in_tenant("org:acme"), NOW);
    assert!(decision.allowed(), "{}", decision.message());
    assert_eq!(decision.actor().principal(), Some("service:ci-deployer"));
    let _ = IdentityRecord::default();
}

#[test]
fn two_stage_verification_trusts_the_host_only_for_public_keys() {
    let (policy, _) = vectors_policy();
    let rs = SigningKey::from_pem("RS256", &key_file("rsa.pem"))
        .unwrap()
        .with_kid("rsa");
    let token = policy
        .issue_session("session", &session("alice", None, &[]), &rs, NOW)
        .unwrap();
    let options = VerifyTokenOptions::at(NOW);
    let pending = policy.begin_jwt(&token, &options).unwrap();
    assert_eq!(pending.algorithm(), "RS256");
    assert_eq!(pending.public_jwk().unwrap()["kty"], "RSA");
    assert!(pending.public_jwk().unwrap().get("d").is_none());
    assert_eq!(pending.signing_input(), token.rsplit_once('.').unwrap().0.as_bytes());
    assert_eq!(
        policy.complete_jwt(pending, Some(true), &options).unwrap().principal.id,
        "user:alice"
    );
    let pending = policy.begin_jwt(&token, &options).unwrap();
    assert_eq!(
        policy.complete_jwt(pending, Some(false), &options).unwrap_err().code(),
        Code::BadSignature
    );
    let pending = policy.begin_jwt(&token, &options).unwrap();
    assert!(
        policy.complete_jwt(pending, None, &options).is_ok(),
        "None: permiso checks it itself"
    );
    // Claims are still checked after a positive verdict.
    let late = VerifyTokenOptions::at(NOW + 100_000);
    let pending = policy.begin_jwt(&token, &late).unwrap();
    assert_eq!(
        policy.complete_jwt(pending, Some(true), &late).unwrap_err().code(),
        Code::Expired
    );
    // HMAC: the secret never leaves, and a host verdict is ignored.
    let hs = SigningKey::hmac("HS256", &hmac_secret("hs32"))
        .unwrap()
        .with_kid("hs32");
    let token = policy
        .issue_session("session", &session("alice", None, &[]), &hs, NOW)
        .unwrap();
    let forged = format!("{}.{}", token.rsplit_once('.').unwrap().0, "AAAA");
    let pending = policy.begin_jwt(&forged, &options).unwrap();
    assert!(pending.public_jwk().is_none());
    assert_eq!(
        policy.complete_jwt(pending, Some(true), &options).unwrap_err().code(),
        Code::BadSignature
    );
    // Header faults surface in the first stage.
    assert_eq!(
        policy.begin_jwt("a.b", &options).unwrap_err().code(),
        Code::MalformedToken
    );
    // A pending token completes only with the policy that began it: another
    // policy's keys and rules never finish a token it did not stage.
    let (other, _) = vectors_policy();
    let pending = policy.begin_jwt(&token, &options).unwrap();
    assert_eq!(
        other.complete_jwt(pending, None, &options).unwrap_err().code(),
        Code::InvalidArgument
    );
}

#[test]
fn cached_signatures_still_meet_every_other_rule() {
    let (policy, doc) = vectors_policy();
    let es = SigningKey::from_pem("ES256", &key_file("ec256.pem"))
        .unwrap()
        .with_kid("ec256");
    let issue = |subject: &str| {
        policy
            .issue_session("session", &session(subject, None, &[]), &es, NOW)
            .unwrap()
    };
    let token = issue("alice");
    let at = VerifyTokenOptions::at;
    // Off until the host turns it on.
    let first = policy.verify_jwt(&token, &at(NOW)).unwrap();
    assert_eq!(policy.cached_tokens(), 0);
    assert!(policy.begin_jwt(&token, &at(NOW)).unwrap().public_jwk().is_some());
    policy.cache_tokens(2);
    assert_eq!(policy.verify_jwt(&token, &at(NOW)).unwrap(), first);
    assert_eq!(policy.cached_tokens(), 1);
    // Known now: the two-stage path asks the host for no signature check.
    let pending = policy.begin_jwt(&token, &at(NOW)).unwrap();
    assert!(pending.public_jwk().is_none());
    assert_eq!(policy.complete_jwt(pending, None, &at(NOW)).unwrap(), first);
    assert_eq!(policy.verify_jwt(&token, &at(NOW)).unwrap(), first);
    // Every other rule still holds for a cached token: expiry, `nbf`/`iat`,
    // revoked sessions.
    let code = |options: VerifyTokenOptions<'_>| policy.verify_jwt(&token, &options).unwrap_err().code();
    assert_eq!(code(at(NOW + 100_000)), Code::Expired);
    assert_eq!(code(at(NOW - 100_000)), Code::NotYetValid);
    let revoked = vec!["s-42".to_owned()];
    assert_eq!(code(at(NOW).revoked_sessions(&revoked)), Code::SessionRevoked);
    // Another signature on the same claims is another token: checked, refused
    // and not remembered.
    let (signed, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{signed}.{}", URL_SAFE_NO_PAD.encode([7u8; 64]));
    assert_eq!(
        policy.verify_jwt(&forged, &at(NOW)).unwrap_err().code(),
        Code::BadSignature
    );
    assert_eq!(policy.cached_tokens(), 1);
    // Bounded: the oldest goes first.
    for subject in ["bob", "carol", "dave"] {
        policy.verify_jwt(&issue(subject), &at(NOW)).unwrap();
    }
    assert_eq!(policy.cached_tokens(), 2);
    assert!(
        policy.begin_jwt(&token, &at(NOW)).unwrap().public_jwk().is_some(),
        "evicted"
    );
    // New keys empty it, and a token of a key no longer in the set is refused.
    policy.verify_jwt(&token, &at(NOW)).unwrap();
    let mut public = doc["credentials"]["session"]["jwks"].clone();
    public["keys"].as_array_mut().unwrap().retain(|k| k["kty"] != "oct");
    policy.set_jwks("session", &public).unwrap();
    assert_eq!(policy.cached_tokens(), 0);
    policy.verify_jwt(&token, &at(NOW)).unwrap();
    public["keys"].as_array_mut().unwrap().retain(|k| k["kid"] != "ec256");
    policy.set_jwks("session", &public).unwrap();
    assert_eq!(
        policy.verify_jwt(&token, &at(NOW)).unwrap_err().code(),
        Code::UnknownKey
    );
    // Turned off: nothing is remembered.
    let full = doc["credentials"]["session"]["jwks"].clone();
    let mut all_public = full.clone();
    all_public["keys"].as_array_mut().unwrap().retain(|k| k["kty"] != "oct");
    policy.set_jwks("session", &all_public).unwrap();
    policy.cache_tokens(0);
    policy.verify_jwt(&token, &at(NOW)).unwrap();
    assert_eq!(policy.cached_tokens(), 0);
    assert!(policy.begin_jwt(&token, &at(NOW)).unwrap().public_jwk().is_some());
}

#[test]
fn a_cached_token_answers_exactly_as_an_uncached_one() {
    // The cache keeps a verified token's decoded claims; every answer it
    // gives must be the one the same policy gives without it.
    let (cached, _) = vectors_policy();
    let (plain, _) = vectors_policy();
    cached.cache_tokens(100);
    let es = SigningKey::from_pem("ES256", &key_file("ec256.pem"))
        .unwrap()
        .with_kid("ec256");
    let tokens: Vec<String> = [("alice", None), ("bob", Some("s-42"))]
        .into_iter()
        .map(|(subject, sid)| {
            let mut request = session(subject, None, &["viewer"]);
            request.session = sid.map(str::to_owned);
            cached.issue_session("session", &request, &es, NOW).unwrap()
        })
        .collect();
    let revoked = vec!["s-42".to_owned()];
    let options = [
        VerifyTokenOptions::at(NOW),
        VerifyTokenOptions::at(NOW + 100_000),
        VerifyTokenOptions::at(NOW - 100_000),
        VerifyTokenOptions::at(NOW).revoked_sessions(&revoked),
        VerifyTokenOptions::at(NOW).kind(Some("session")),
        VerifyTokenOptions::at(NOW).kind(Some("partner")),
        VerifyTokenOptions::at(NOW).kind(Some("nope")),
    ];
    let answer = |policy: &Policy, token: &str, options: &VerifyTokenOptions<'_>| {
        policy.verify_jwt(token, options).map_err(|e| (e.code(), e.to_string()))
    };
    for token in &tokens {
        cached.verify_jwt(token, &VerifyTokenOptions::at(NOW)).unwrap();
    }
    assert_eq!(cached.cached_tokens(), tokens.len());
    for token in &tokens {
        for options in &options {
            let expected = answer(&plain, token, options);
            assert_eq!(answer(&cached, token, options), expected, "{options:?}");
            let pending = cached.begin_jwt(token, options);
            let completed = pending.and_then(|p| cached.complete_jwt(p, None, options));
            assert_eq!(
                completed.map_err(|e| (e.code(), e.to_string())),
                expected,
                "{options:?}"
            );
        }
    }
    // Every answer came from the cache: nothing was added or evicted.
    assert_eq!(cached.cached_tokens(), tokens.len());
    // A token staged before the cache was turned on is remembered when it completes.
    let pending = plain.begin_jwt(&tokens[0], &VerifyTokenOptions::at(NOW)).unwrap();
    plain.cache_tokens(10);
    plain.complete_jwt(pending, None, &VerifyTokenOptions::at(NOW)).unwrap();
    assert_eq!(plain.cached_tokens(), 1);
}

fn mutate(token: &str, at: usize, byte: u8) -> String {
    let mut bytes = token.as_bytes().to_vec();
    if !bytes.is_empty() {
        let i = at % bytes.len();
        bytes[i] = byte;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn random_input_never_panics_and_never_verifies(s in "\\PC{0,300}") {
        let (policy, _) = vectors_policy();
        prop_assert!(policy.verify_jwt(&s, &VerifyTokenOptions::at(NOW)).is_err());
    }

    #[test]
    fn dotted_base64_noise_never_verifies(a in "[A-Za-z0-9_-]{0,80}", b in "[A-Za-z0-9_-]{0,200}", c in "[A-Za-z0-9_-]{0,100}") {
        let (policy, _) = vectors_policy();
        let token = format!("{a}.{b}.{c}");
        prop_assert!(policy.verify_jwt(&token, &VerifyTokenOptions::at(NOW)).is_err());
    }

    #[test]
    fn a_mutated_valid_token_never_verifies(index in 0usize..4096, byte in any::<u8>(), which in 0usize..10) {
        let (policy, _) = vectors_policy();
        let key = &signing_keys()[which];
        let token = policy.issue_session("session", &session("alice", None, &[]), key, NOW).unwrap();
        let mutated = mutate(&token, index, byte);
        prop_assume!(mutated != token);
        let result = policy.verify_jwt(&mutated, &VerifyTokenOptions::at(NOW));
        // One exception: a change in the last base64 character that only
        // touches unused padding bits is rejected as malformed, never accepted.
        prop_assert!(result.is_err(), "mutated token verified: {mutated}");
    }
}

#[test]
fn a_host_checked_signature_changes_nothing_else_in_a_request_or_route() {
    let (_, mut doc) = vectors_policy();
    doc["routes"] = serde_json::json!([{
        "method": "GET", "path": "/api/deployments/{deployment}",
        "permission": "deployments:read", "resource": "deployment:{deployment}"
    }]);
    let policy = Policy::from_value(&doc).unwrap();
    let es = SigningKey::from_pem("ES256", &key_file("ec256.pem"))
        .unwrap()
        .with_kid("ec256");
    let token = policy
        .issue_session("session", &session("alice", None, &["viewer"]), &es, NOW)
        .unwrap();
    let bearer = format!("Bearer {token}");
    let headers = [("authorization", bearer.as_str())];
    assert!(policy.begin_request(&[]).is_none());
    let pending = policy.begin_request(&headers).unwrap();
    assert_eq!(pending.algorithm(), "ES256");
    assert!(pending.public_jwk().is_some());
    let request = Request {
        method: "GET",
        path: "/api/deployments/web",
        headers: &headers,
    };
    let params = [("deployment", "web")];
    let route = RouteRequest {
        method: "GET",
        template: "/api/deployments/{deployment}",
        params: &params,
        headers: &headers,
    };
    let revoked = ["s-42".to_owned()];
    let at = |now| HostData {
        now,
        ..HostData::default()
    };
    let hosts = [
        at(NOW),
        at(NOW + 100_000),
        HostData {
            revoked_sessions: &revoked,
            ..at(NOW)
        },
    ];
    for host in &hosts {
        // The core's own check and a host's positive verdict decide alike.
        let by_path = policy.authorize_request(&request, host);
        let by_route = policy.authorize_route(&route, host);
        for verdict in [None, Some(true)] {
            assert_eq!(
                policy.complete_request(&request, host, &pending, verdict).code(),
                by_path.code()
            );
            assert_eq!(
                policy.complete_route(&route, host, &pending, verdict).code(),
                by_route.code()
            );
        }
        // A negative verdict refuses the token whatever else holds.
        assert_eq!(
            policy.complete_route(&route, host, &pending, Some(false)).code(),
            Code::BadSignature
        );
        assert_eq!(
            policy.complete_request(&request, host, &pending, Some(false)).code(),
            Code::BadSignature
        );
    }
    let codes: Vec<Code> = hosts
        .iter()
        .map(|h| policy.complete_route(&route, h, &pending, Some(true)).code())
        .collect();
    assert_eq!(codes, [Code::Allowed, Code::Expired, Code::SessionRevoked]);
    let allowed = policy.complete_route(&route, &hosts[0], &pending, Some(true));
    assert_eq!(allowed.resource(), Some("deployment:web"));
    let nowhere = RouteRequest {
        template: "/api/nowhere",
        params: &[],
        ..route
    };
    assert_eq!(
        policy.complete_route(&nowhere, &hosts[0], &pending, Some(true)).code(),
        Code::NoRoute
    );
    // A verdict speaks for the staged token only: a request presenting
    // another token has that token's signature checked as usual.
    let (signed, _) = token.rsplit_once('.').unwrap();
    let forged = format!("Bearer {signed}.{}", URL_SAFE_NO_PAD.encode([7u8; 64]));
    let other = [("authorization", forged.as_str())];
    let swapped = RouteRequest {
        headers: &other,
        ..route
    };
    assert_eq!(
        policy.complete_route(&swapped, &hosts[0], &pending, Some(true)).code(),
        Code::BadSignature
    );
    let swapped = Request {
        headers: &other,
        ..request
    };
    assert_eq!(
        policy
            .complete_request(&swapped, &hosts[0], &pending, Some(true))
            .code(),
        Code::BadSignature
    );
}
