//! Secret hygiene: plaintext keys, peppers and HMAC secrets never appear in
//! Debug, Display, error messages, audit records or serialised records.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use permiso::{
    Check, KeyRecord, NewKey, Pepper, Policy, PrincipalRecord, RotateKey, SessionRequest, SigningKey, VerifyKeyOptions,
    VerifyTokenOptions,
};

const NOW: i64 = 1_767_225_600;
const PEPPER: &str = "pepper-that-must-never-leak";
const HMAC_SECRET: &[u8] = b"hmac-secret-that-must-never-leak!";

fn policy() -> Policy {
    let k = base64_url(HMAC_SECRET);
    Policy::from_json(
        &serde_json::json!({
            "version": 1,
            "permissions": ["a:read", "a:write"],
            "roles": {"reader": {"permissions": ["a:read"]}},
            "credentials": {
                "personal": {"type": "api_key", "prefix": "pmo_p"},
                "session": {"type": "jwt", "issuer": "https://i", "audience": "x", "algorithms": ["HS256"],
                            "jwks": {"keys": [{"kty": "oct", "kid": "k", "k": k}]}},
            },
        })
        .to_string(),
    )
    .unwrap()
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn assert_clean(text: &str, secrets: &[&str], what: &str) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} leaks a secret: {text}");
    }
}

#[test]
fn no_secret_in_any_output() {
    let policy = policy();
    let pepper = Pepper::from(PEPPER);
    let generated = policy
        .generate_key(
            "personal",
            "user:1",
            &NewKey {
                pepper: Some(&pepper),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let key = generated.key.expose().to_owned();
    let secret_part = &key[key.len() - 38..key.len() - 6];
    let hmac_text = std::str::from_utf8(HMAC_SECRET).unwrap();
    let hmac_b64 = base64_url(HMAC_SECRET);
    let secrets = [key.as_str(), secret_part, PEPPER, hmac_text, hmac_b64.as_str()];

    // Debug of everything that holds a secret.
    assert_clean(&format!("{generated:?}"), &secrets, "GeneratedKey Debug");
    assert_clean(&format!("{pepper:?}"), &secrets, "Pepper Debug");
    assert_clean(
        &format!("{:?}", permiso::ApiKey::parse(&key).unwrap()),
        &secrets,
        "ApiKey Debug",
    );
    let signing = SigningKey::hmac("HS256", HMAC_SECRET).unwrap().with_kid("k");
    assert_clean(&format!("{signing:?}"), &secrets, "SigningKey Debug");
    // A token staged for a signature check elsewhere is a bearer credential.
    let session = SessionRequest {
        subject: "alice".into(),
        lifetime: 600,
        ..Default::default()
    };
    let token = policy.issue_session("session", &session, &signing, NOW).unwrap();
    let (_, signature) = token.rsplit_once('.').unwrap();
    let pending = policy.begin_jwt(&token, &VerifyTokenOptions::at(NOW)).unwrap();
    assert_clean(
        &format!("{pending:?}"),
        &[token.as_str(), signature],
        "PendingToken Debug",
    );
    assert_clean(&format!("{policy:?}"), &secrets, "Policy Debug");
    assert_clean(&format!("{:?}", policy.document()), &secrets, "PolicyDocument Debug");
    assert_clean(
        &format!("{:?}", policy.jwks("session").unwrap()),
        &secrets,
        "KeySet Debug",
    );
    assert_clean(&policy.hash().to_string(), &secrets, "policy hash");

    // Serialised records.
    assert_clean(
        &serde_json::to_string(&generated.record).unwrap(),
        &secrets,
        "key record",
    );
    let rotation = policy
        .rotate_key(
            &generated.record,
            &RotateKey {
                pepper: Some(&pepper),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_clean(&format!("{rotation:?}"), &secrets, "Rotation Debug");

    // Every key error, on a key that carries the secret.
    let mut tampered = key.clone();
    tampered.replace_range(30..31, if &key[30..31] == "A" { "B" } else { "A" });
    let records: Vec<KeyRecord> = vec![
        generated.record.clone(),
        KeyRecord {
            hash: "sha256:zz".into(),
            ..generated.record.clone()
        },
        KeyRecord {
            revoked_at: Some(NOW - 1),
            ..generated.record.clone()
        },
        KeyRecord {
            expires_at: Some(NOW),
            ..generated.record.clone()
        },
        KeyRecord {
            id: "AAAAAAAAAAAA".into(),
            ..generated.record.clone()
        },
        KeyRecord {
            kind: "other".into(),
            ..generated.record.clone()
        },
    ];
    for candidate in [
        key.as_str(),
        tampered.as_str(),
        &format!("{key}\n"),
        &key[..key.len() - 1],
    ] {
        for record in &records {
            for p in [None, Some(&pepper), Some(&Pepper::from("wrong"))] {
                if let Err(e) = policy.verify_key(candidate, record.clone(), &VerifyKeyOptions::at(NOW).pepper(p)) {
                    assert_clean(&e.to_string(), &secrets, "key error");
                    assert_clean(&format!("{e:?}"), &secrets, "key error Debug");
                }
            }
        }
    }

    // Audit records of a key-authenticated decision.
    let verified = policy
        .verify_key(
            &key,
            generated.record.clone(),
            &VerifyKeyOptions::at(NOW).pepper(Some(&pepper)),
        )
        .unwrap();
    let owner = PrincipalRecord {
        id: "user:1".into(),
        roles: vec!["reader".into()],
        ..Default::default()
    };
    let identity = policy.key_identity(&verified, Some(&owner)).unwrap();
    for action in ["a:read", "a:write", "nope:x"] {
        let d = policy.authorize(&identity, Check::new(action), NOW);
        assert_clean(&d.audit_json(), &secrets, "audit record");
        assert_clean(d.message(), &secrets, "decision message");
    }

    // Token errors never echo the token's signature or the HMAC secret.
    let token = policy
        .issue_session(
            "session",
            &SessionRequest {
                subject: "alice".into(),
                lifetime: 60,
                ..Default::default()
            },
            &signing,
            NOW,
        )
        .unwrap();
    let signature = token.rsplit('.').next().unwrap().to_owned();
    for candidate in [
        format!("{token}x"),
        token.replace('.', ".."),
        format!("{}.{}", &token[..token.len() - 4], "AAAA"),
    ] {
        if let Err(e) = policy.verify_jwt(&candidate, &VerifyTokenOptions::at(NOW)) {
            assert_clean(
                &e.to_string(),
                &[signature.as_str(), hmac_text, hmac_b64.as_str()],
                "token error",
            );
        }
    }
}
