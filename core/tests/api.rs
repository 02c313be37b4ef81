//! API tests of the core: keys, rotation, policies across formats, identities.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use permiso::{
    Check, Code, Format, IdentityRecord, KeyRecord, NewKey, Pepper, Policy, PolicyDetail, PrincipalRecord, RotateKey,
    VerifyKeyOptions,
};

const NOW: i64 = 1_767_225_600;

fn example() -> Policy {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.yaml")).unwrap();
    Policy::from_yaml(&text).unwrap()
}

fn user(id: &str, roles: &[&str]) -> PrincipalRecord {
    PrincipalRecord {
        id: id.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn generated_keys_verify_and_never_hold_the_plaintext() {
    let policy = example();
    let pepper = Pepper::from("pepper");
    let options = NewKey {
        scopes: Some(vec!["endpoints:run".into()]),
        pepper: Some(&pepper),
        expires_at: Some(NOW + 60),
        ..Default::default()
    };
    let generated = policy.generate_key("project_key", "project:p1", &options, NOW).unwrap();
    let key = generated.key.expose();
    assert!(key.starts_with("pmo_psk_"));
    assert_eq!(key.len(), "pmo_psk_".len() + 12 + 1 + 38);
    let record_json = serde_json::to_string(&generated.record).unwrap();
    assert!(!record_json.contains(key), "the record must not hold the key");
    assert!(!record_json.contains(&key[21..50]), "nor its secret");
    assert!(generated.record.hash.starts_with("hmac-sha256:"));
    assert!(
        !format!("{generated:?}").contains(&key[21..50]),
        "Debug must redact the key"
    );
    let parsed = policy.parse_key(key).unwrap();
    assert_eq!(parsed.kind(), "project_key");
    assert_eq!(parsed.id(), generated.record.id);
    assert_eq!(
        generated.record.mask,
        format!("pmo_psk_{}_...{}", generated.record.id, &key[key.len() - 4..])
    );
    let opts = VerifyKeyOptions::at(NOW).pepper(Some(&pepper));
    let verified = policy.verify_key(key, generated.record.clone(), &opts).unwrap();
    assert_eq!(verified.principal_id(), format!("key:{}", generated.record.id));
    // Without the pepper the record is unusable, never accepted.
    let err = policy
        .verify_key(key, generated.record.clone(), &VerifyKeyOptions::at(NOW))
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidKeyRecord);
    // At expiry the key is refused.
    let err = policy.verify_key(
        key,
        generated.record.clone(),
        &VerifyKeyOptions::at(NOW + 60).pepper(Some(&pepper)),
    );
    assert_eq!(err.unwrap_err().code(), Code::Expired);
    // Two keys never share an id or a secret.
    let other = policy.generate_key("project_key", "project:p1", &options, NOW).unwrap();
    assert_ne!(other.record.id, generated.record.id);
    assert_ne!(other.key, generated.key);
}

#[test]
fn generation_refuses_what_the_kind_forbids() {
    let policy = example();
    let code =
        |kind: &str, owner: &str, options: NewKey| policy.generate_key(kind, owner, &options, NOW).unwrap_err().code();
    let scopes = |s: &[&str]| NewKey {
        scopes: Some(s.iter().map(|x| x.to_string()).collect()),
        ..Default::default()
    };
    assert_eq!(
        code("project_key", "project:p1", scopes(&["deployments:write"])),
        Code::ScopeEscalation
    );
    assert_eq!(code("project_key", "project:p1", scopes(&["*"])), Code::ScopeEscalation);
    assert_eq!(
        code("project_key", "project:p1", scopes(&["nope:nope"])),
        Code::UnknownPermission
    );
    assert_eq!(
        code("session", "user:1", NewKey::default()),
        Code::UnknownCredentialKind
    );
    assert_eq!(
        code("team_key", "user:1", NewKey::default()),
        Code::UnknownCredentialKind
    );
    assert_eq!(code("personal_key", "alice", NewKey::default()), Code::InvalidKeyRecord);
    let past = NewKey {
        expires_at: Some(NOW),
        ..Default::default()
    };
    assert_eq!(code("personal_key", "user:1", past), Code::InvalidKeyRecord);
}

#[test]
fn rotation_never_outlives_or_outscopes_the_old_key() {
    let policy = example();
    let options = NewKey {
        scopes: Some(vec!["endpoints:run".into(), "flags:evaluate".into()]),
        expires_at: Some(NOW + 1000),
        label: Some("ci".into()),
        ..Default::default()
    };
    let old = policy.generate_key("project_key", "project:p1", &options, NOW).unwrap();
    let rotation = policy
        .rotate_key(
            &old.record,
            &RotateKey {
                grace: 300,
                scopes: Some(vec!["endpoints:run".into()]),
                expires_at: Some(NOW + 999_999),
                ..Default::default()
            },
            NOW + 10,
        )
        .unwrap();
    let new = &rotation.new.record;
    assert_eq!(new.expires_at, Some(NOW + 1000), "clamped to the old expiry");
    assert_eq!(new.scopes, Some(vec!["endpoints:run".to_string()]));
    assert_eq!(new.rolled_from.as_deref(), Some(old.record.id.as_str()));
    assert_eq!(new.owner, "project:p1");
    assert_eq!(new.label.as_deref(), Some("ci"));
    assert_eq!(
        rotation.old.expires_at,
        Some(NOW + 310),
        "the old key gets a grace expiry"
    );
    // The new key verifies; the old one verifies until the grace ends.
    let verify = |key: &str, rec: &KeyRecord, at: i64| policy.verify_key(key, rec.clone(), &VerifyKeyOptions::at(at));
    assert!(verify(rotation.new.key.expose(), new, NOW + 20).is_ok());
    assert!(verify(old.key.expose(), &rotation.old, NOW + 309).is_ok());
    assert_eq!(
        verify(old.key.expose(), &rotation.old, NOW + 310).unwrap_err().code(),
        Code::Expired
    );
    // Wider scopes than the old key: refused.
    let wider = RotateKey {
        scopes: Some(vec![
            "endpoints:run".into(),
            "flags:evaluate".into(),
            "endpoints:configure".into(),
        ]),
        ..Default::default()
    };
    assert_eq!(
        policy.rotate_key(&old.record, &wider, NOW).unwrap_err().code(),
        Code::ScopeEscalation
    );
    // A revoked key cannot be rotated.
    let mut revoked = old.record.clone();
    revoked.revoked_at = Some(NOW);
    assert_eq!(
        policy
            .rotate_key(&revoked, &RotateKey::default(), NOW)
            .unwrap_err()
            .code(),
        Code::Revoked
    );
    // A grace longer than the remaining life does not extend it.
    let long = policy
        .rotate_key(
            &old.record,
            &RotateKey {
                grace: 1_000_000,
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_eq!(long.old.expires_at, Some(NOW + 1000));
}

#[test]
fn acts_as_owner_and_acts_as_key() {
    let policy = example();
    let personal = policy
        .generate_key(
            "personal_key",
            "user:alice",
            &NewKey {
                scopes: Some(vec!["deployments:read".into()]),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    let verified = policy
        .verify_key(
            personal.key.expose(),
            personal.record.clone(),
            &VerifyKeyOptions::at(NOW),
        )
        .unwrap();
    assert_eq!(
        policy.key_identity(&verified, None).unwrap_err().code(),
        Code::UnknownPrincipal,
        "acts_as owner needs the owner's record"
    );
    let mut alice = user("user:alice", &["operator"]);
    let identity = policy.key_identity(&verified, Some(&alice)).unwrap();
    let d = policy.authorize(&identity, Check::new("deployments:read"), NOW);
    assert!(d.allowed());
    assert_eq!(d.actor().principal(), Some("user:alice"));
    assert_eq!(d.actor().key_id(), Some(personal.record.id.as_str()));
    assert_eq!(d.actor().key_mask(), Some(personal.record.mask.as_str()));
    let d = policy.authorize(&identity, Check::new("deployments:write"), NOW);
    assert_eq!(
        d.code(),
        Code::InsufficientScope,
        "the key's scopes cap the owner's roles"
    );
    alice.id = "user:bob".into();
    assert_eq!(
        policy.key_identity(&verified, Some(&alice)).unwrap_err().code(),
        Code::InvalidPrincipal
    );

    let project = policy
        .generate_key("project_key", "project:p1", &NewKey::default(), NOW)
        .unwrap();
    let verified = policy
        .verify_key(project.key.expose(), project.record.clone(), &VerifyKeyOptions::at(NOW))
        .unwrap();
    let owner = PrincipalRecord {
        id: "project:p1".into(),
        tenant: Some("project:p1".into()),
        deny: vec!["flags:evaluate".into()],
        roles: vec!["admin".into()],
        ..Default::default()
    };
    let identity = policy.key_identity(&verified, Some(&owner)).unwrap();
    let check = |action| {
        policy
            .authorize(&identity, Check::new(action).in_tenant("project:p1"), NOW)
            .code()
    };
    assert_eq!(
        check("endpoints:run"),
        Code::Allowed,
        "the kind's allowed list applies without scopes"
    );
    assert_eq!(
        check("flags:evaluate"),
        Code::ExplicitlyDenied,
        "the owner's denies follow the key"
    );
    assert_eq!(
        check("deployments:read"),
        Code::CredentialKindNotAllowed,
        "the owner's roles do not"
    );
    let d = policy.authorize(&identity, Check::new("endpoints:run").in_tenant("project:p1"), NOW);
    assert_eq!(
        d.actor().principal(),
        Some(format!("key:{}", project.record.id).as_str())
    );
    assert_eq!(d.actor().owner(), Some("project:p1"));
    let other = policy.authorize(&identity, Check::new("endpoints:run").in_tenant("project:p2"), NOW);
    assert_eq!(other.code(), Code::TenantMismatch);
}

const JSON: &str = r#"{
  "version": 1,
  "permissions": ["deployments:read", "deployments:write", "deployments:delete"],
  "roles": {"viewer": {"permissions": ["deployments:read"]}, "admin": {"inherits": ["viewer"], "permissions": ["*"]}},
  "access_levels": {"deployment": {"read": ["deployments:read"], "write": ["deployments:write"], "admin": ["deployments:*"]}},
  "credentials": {"k": {"type": "api_key", "prefix": "pmo_k", "allowed": ["deployments:read"]}}
}"#;

const YAML: &str = r#"
version: 1
permissions: [deployments:read, deployments:write, deployments:delete]
roles:
  viewer: { permissions: [deployments:read] }
  admin: { inherits: [viewer], permissions: ["*"] }
access_levels:
  deployment:
    read: [deployments:read]
    write: [deployments:write]
    admin: ["deployments:*"]
credentials:
  k: { type: api_key, prefix: pmo_k, allowed: [deployments:read] }
"#;

const TOML: &str = r#"
version = 1
permissions = ["deployments:read", "deployments:write", "deployments:delete"]
[roles.viewer]
permissions = ["deployments:read"]
[roles.admin]
inherits = ["viewer"]
permissions = ["*"]
[access_levels.deployment]
read = ["deployments:read"]
write = ["deployments:write"]
admin = ["deployments:*"]
[credentials.k]
type = "api_key"
prefix = "pmo_k"
allowed = ["deployments:read"]
"#;

#[test]
fn one_policy_in_three_formats_has_one_hash_and_one_meaning() {
    let policies = [
        Policy::from_str(JSON, Format::Json).unwrap(),
        Policy::from_str(YAML, Format::Yaml).unwrap(),
        Policy::from_str(TOML, Format::Toml).unwrap(),
    ];
    assert_eq!(policies[0].hash(), policies[1].hash());
    assert_eq!(policies[0].hash(), policies[2].hash());
    assert!(policies[0].hash().to_string().starts_with("sha256:"));
    for p in &policies {
        let grant = r#"{"principal": {"id": "user:1", "grants": [{"resource": "deployment:web", "level": "write"}]}}"#;
        let identity = p
            .identity(serde_json::from_str::<IdentityRecord>(grant).unwrap())
            .unwrap();
        let read = p.authorize(&identity, Check::new("deployments:read").on("deployment:web"), NOW);
        let delete = p.authorize(&identity, Check::new("deployments:delete").on("deployment:web"), NOW);
        assert!(read.allowed(), "levels keep document order in every format");
        assert_eq!(delete.code(), Code::MissingPermission);
        assert_eq!(p.role_permissions("admin").unwrap().len(), 3);
    }
    // Reordering the levels changes the meaning, so it changes the hash.
    let reordered = JSON.replace(
        r#""read": ["deployments:read"], "write": ["deployments:write"]"#,
        r#""write": ["deployments:write"], "read": ["deployments:read"]"#,
    );
    assert_ne!(Policy::from_json(&reordered).unwrap().hash(), policies[0].hash());
    // Reordering roles does not.
    let roles = JSON.replace(
        r#""viewer": {"permissions": ["deployments:read"]}, "admin": {"inherits": ["viewer"], "permissions": ["*"]}"#,
        r#""admin": {"inherits": ["viewer"], "permissions": ["*"]}, "viewer": {"permissions": ["deployments:read"]}"#,
    );
    assert_ne!(roles, JSON);
    assert_eq!(Policy::from_json(&roles).unwrap().hash(), policies[0].hash());
}

#[test]
fn syntax_and_schema_errors_have_codes_and_paths() {
    let e = Policy::from_json("{\"version\": 1,").unwrap_err();
    assert_eq!((e.code(), e.detail()), (Code::InvalidPolicy, PolicyDetail::ParseError));
    let e = Policy::from_yaml("version: [1").unwrap_err();
    assert_eq!(e.detail(), PolicyDetail::ParseError);
    let e = Policy::from_toml("version = ").unwrap_err();
    assert_eq!(e.detail(), PolicyDetail::ParseError);
    let e = Policy::from_yaml("version: 1\nroles:\n  a: {permissions: 3}\n").unwrap_err();
    assert_eq!(
        (e.detail(), e.path()),
        (PolicyDetail::InvalidDocument, "roles.a.permissions")
    );
    let e = Policy::from_toml("version = 1\npermisions = []\n").unwrap_err();
    assert_eq!(e.detail(), PolicyDetail::InvalidDocument);
    assert!(e.to_string().contains("permisions"), "{e}");
    let e = Policy::from_json(r#"{"version": 1, "roles": {"a": {}, "a": {}}}"#).unwrap_err();
    assert_eq!(
        e.detail(),
        PolicyDetail::ParseError,
        "duplicate keys are refused while parsing"
    );
    assert!(e.to_string().contains("duplicate key `a`"), "{e}");
    let e = Policy::from_yaml("version: 1\nroles:\n  a: {}\n  a: {}\n").unwrap_err();
    assert!(matches!(
        e.detail(),
        PolicyDetail::ParseError | PolicyDetail::InvalidDocument
    ));
    let big = "x".repeat(permiso::limits::MAX_POLICY_BYTES + 1);
    assert_eq!(Policy::from_json(&big).unwrap_err().detail(), PolicyDetail::TooLarge);
    // All problems are reported, in document order.
    let e = Policy::from_json(r#"{"version": 2, "permissions": ["A", "b:c", "b:c"]}"#).unwrap_err();
    let details: Vec<_> = e.issues().iter().map(|i| (i.detail, i.path.as_str())).collect();
    assert_eq!(
        details,
        vec![
            (PolicyDetail::UnsupportedVersion, "version"),
            (PolicyDetail::InvalidPermission, "permissions[0]"),
            (PolicyDetail::DuplicatePermission, "permissions[2]"),
        ]
    );
}

#[test]
fn routes_match_most_specific_first_and_fill_templates() {
    let policy = Policy::from_yaml(
        r#"
version: 1
permissions: [a:read, a:write, a:admin]
routes:
  - { method: GET, path: "/things/{id}", permission: a:read, resource: "thing:{id}" }
  - { method: GET, path: "/things/special", permission: a:admin }
  - { method: "*", path: "/things/{id}/edit", permission: a:write, resource: "thing:{id}" }
  - { method: GET, path: "/files/{*rest}", permission: a:read, resource: "file:{rest}" }
"#,
    )
    .unwrap();
    let m = policy.match_route("GET", "/things/42").unwrap();
    assert_eq!(
        (m.route, m.permission, m.resource.as_deref()),
        ("GET /things/{id}", "a:read", Some("thing:42"))
    );
    assert_eq!(
        policy.match_route("GET", "/things/special").unwrap().permission,
        "a:admin"
    );
    assert_eq!(
        policy.match_route("PATCH", "/things/1/edit").unwrap().permission,
        "a:write"
    );
    assert_eq!(policy.match_route("get", "/things/1").unwrap().permission, "a:read");
    assert_eq!(
        policy.match_route("GET", "/files/a/b").unwrap().resource.as_deref(),
        Some("file:a/b")
    );
    assert!(policy.match_route("POST", "/things/1").is_none());
    assert!(policy.match_route("GET", "/nothing").is_none());
}

#[test]
fn identities_built_for_another_policy_are_rebuilt_not_misread() {
    let a =
        Policy::from_json(r#"{"version": 1, "permissions": ["x:a", "x:b"], "roles": {"r": {"permissions": ["x:b"]}}}"#)
            .unwrap();
    let b =
        Policy::from_json(r#"{"version": 1, "permissions": ["x:b", "x:a"], "roles": {"r": {"permissions": ["x:b"]}}}"#)
            .unwrap();
    let identity = a
        .identity(IdentityRecord {
            principal: user("user:1", &["r"]),
            credential: None,
        })
        .unwrap();
    assert!(b.authorize(&identity, Check::new("x:b"), NOW).allowed());
    assert_eq!(
        b.authorize(&identity, Check::new("x:a"), NOW).code(),
        Code::MissingPermission
    );
}

#[test]
fn audit_records_are_one_json_object_without_secrets() {
    let policy = example();
    let generated = policy
        .generate_key("personal_key", "user:alice", &NewKey::default(), NOW)
        .unwrap();
    let verified = policy
        .verify_key(
            generated.key.expose(),
            generated.record.clone(),
            &VerifyKeyOptions::at(NOW),
        )
        .unwrap();
    let identity = policy
        .key_identity(&verified, Some(&user("user:alice", &["viewer"])))
        .unwrap();
    let d = policy.authorize(&identity, Check::new("deployments:write").on("deployment:web"), NOW);
    let line = d.audit_json();
    assert!(!line.contains('\n'));
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["actor"]["principal"], "user:alice");
    assert_eq!(v["actor"]["kind"], "personal_key");
    assert_eq!(v["actor"]["key_id"], generated.record.id.as_str());
    assert_eq!(v["actor"]["key_mask"], generated.record.mask.as_str());
    assert_eq!(v["code"], "missing_permission");
    assert_eq!(v["allowed"], false);
    assert_eq!(v["policy"], policy.hash().to_string());
    assert_eq!(v["decision_id"].as_str().unwrap().len(), 32);
    let secret = &generated.key.expose()[21..53];
    assert!(!line.contains(secret));
    assert!(!format!("{d:?}").contains(secret));
    let other = policy.authorize(&identity, Check::new("deployments:read"), NOW);
    assert_ne!(other.id(), d.id(), "decision ids are unique");
    let owned = other.clone().into_owned();
    assert_eq!(owned, other);
}
