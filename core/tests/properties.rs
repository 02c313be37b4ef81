//! Property tests over generated keys, policies and principals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use permiso::{ApiKey, Check, Code, CredentialInfo, IdentityRecord, NewKey, Policy, PrincipalRecord, VerifyKeyOptions};
use proptest::prelude::*;

const NOW: i64 = 1_767_225_600;

const RESOURCES: &[&str] = &["deployments", "endpoints", "flags"];
const ACTIONS: &[&str] = &["read", "write", "run", "delete"];

fn all_permissions() -> Vec<String> {
    RESOURCES
        .iter()
        .flat_map(|r| ACTIONS.iter().map(move |a| format!("{r}:{a}")))
        .collect()
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("*".to_string()),
        3 => prop::sample::select(RESOURCES).prop_map(|r| format!("{r}:*")),
        8 => prop::sample::select(all_permissions()),
    ]
}

/// A policy with random roles (inheriting only earlier roles, so no cycles),
/// and a key kind with a random `allowed` list.
fn policy() -> impl Strategy<Value = (Policy, Vec<String>)> {
    (
        prop::collection::vec(
            (
                prop::collection::vec(pattern(), 0..4),
                prop::collection::vec(any::<prop::sample::Index>(), 0..3),
            ),
            1..6,
        ),
        prop::collection::vec(pattern(), 0..4),
    )
        .prop_map(|(roles, allowed)| {
            let mut doc = serde_json::json!({
                "version": 1,
                "permissions": all_permissions(),
                "roles": {},
                "access_levels": {"deployment": {"read": ["deployments:read"], "write": ["deployments:write"]}},
                "credentials": {"k": {"type": "api_key", "prefix": "pmo_k", "acts_as": "key", "allowed": allowed}},
            });
            let mut names = Vec::new();
            for (i, (perms, parents)) in roles.iter().enumerate() {
                let inherits: Vec<String> = if i == 0 {
                    vec![]
                } else {
                    parents.iter().map(|p| format!("r{}", p.index(i))).collect()
                };
                let mut inherits = inherits;
                inherits.dedup();
                doc["roles"][format!("r{i}")] = serde_json::json!({"permissions": perms, "inherits": inherits});
                names.push(format!("r{i}"));
            }
            (Policy::from_value(&doc).unwrap(), names)
        })
}

fn principal(roles: Vec<String>, allow: Vec<String>, deny: Vec<String>) -> PrincipalRecord {
    PrincipalRecord {
        id: "user:p".into(),
        tenant: Some("t:1".into()),
        roles,
        allow,
        deny,
        grants: vec![],
        attributes: Default::default(),
    }
}

fn decide(policy: &Policy, p: PrincipalRecord, credential: Option<CredentialInfo>, action: &str) -> Code {
    let identity = policy
        .identity(IdentityRecord {
            principal: p,
            credential,
        })
        .unwrap();
    policy
        .authorize(&identity, Check::new(action).on("deployment:web"), NOW)
        .code()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn random_strings_never_panic_the_key_parser(s in "\\PC{0,120}") {
        let _ = ApiKey::parse(&s);
    }

    #[test]
    fn key_shaped_strings_never_panic_the_key_parser(s in "[a-z_]{0,12}_[A-Za-z0-9_]{0,14}_[A-Za-z0-9\\u{430}\\n ]{30,44}") {
        if let Ok(k) = ApiKey::parse(&s) {
            prop_assert_eq!(k.expose(), s.as_str());
        }
    }

    #[test]
    fn mutating_one_character_of_a_key_never_verifies(index in 0usize..56, replacement in "[A-Za-z0-9_]") {
        let policy = Policy::from_json(r#"{"version":1,"permissions":["a:b"],"credentials":{"k":{"type":"api_key","prefix":"pmo_k"}}}"#).unwrap();
        let generated = policy.generate_key("k", "user:1", &NewKey::default(), NOW).unwrap();
        let key = generated.key.expose();
        let i = index % key.len();
        let mut mutated = key.to_owned();
        mutated.replace_range(i..=i, &replacement);
        prop_assume!(mutated != key);
        prop_assert!(policy.verify_key(&mutated, generated.record.clone(), &VerifyKeyOptions::at(NOW)).is_err());
    }

    #[test]
    fn a_key_never_exceeds_its_kinds_allowed_list(
        (policy, roles) in policy(),
        scopes in prop::option::of(prop::collection::vec(pattern(), 0..4)),
        action in prop::sample::select(all_permissions()),
    ) {
        let kind_allows = policy.document().credentials["k"].allowed.as_ref().unwrap()
            .iter().any(|p| p == "*" || *p == action || p.strip_suffix(":*").is_some_and(|r| action.starts_with(&format!("{r}:"))));
        let credential = CredentialInfo { kind: Some("k".into()), scopes, ..Default::default() };
        let code = decide(&policy, principal(roles, vec!["*".into()], vec![]), Some(credential), &action);
        if code == Code::Allowed {
            prop_assert!(kind_allows, "{action} allowed beyond the kind's list");
        }
    }

    #[test]
    fn adding_a_deny_never_turns_a_denial_into_an_allow(
        (policy, roles) in policy(),
        allow in prop::collection::vec(pattern(), 0..3),
        deny in prop::collection::vec(pattern(), 0..3),
        extra in pattern(),
        action in prop::sample::select(all_permissions()),
    ) {
        let before = decide(&policy, principal(roles.clone(), allow.clone(), deny.clone()), None, &action);
        let mut more = deny.clone();
        more.push(extra);
        let after = decide(&policy, principal(roles, allow, more), None, &action);
        if before != Code::Allowed {
            prop_assert_ne!(after, Code::Allowed);
        }
    }

    #[test]
    fn removing_a_role_never_turns_a_denial_into_an_allow(
        (policy, roles) in policy(),
        remove in any::<prop::sample::Index>(),
        action in prop::sample::select(all_permissions()),
    ) {
        let before = decide(&policy, principal(roles.clone(), vec![], vec![]), None, &action);
        let mut fewer = roles.clone();
        fewer.remove(remove.index(fewer.len()));
        let after = decide(&policy, principal(fewer, vec![], vec![]), None, &action);
        if before != Code::Allowed {
            prop_assert_ne!(after, Code::Allowed);
        }
    }

    #[test]
    fn a_principal_with_nothing_is_never_allowed(
        (policy, _) in policy(),
        action in "[a-z]{1,12}:[a-z*]{1,8}",
        scopes in prop::option::of(prop::collection::vec(pattern(), 0..4)),
    ) {
        let credential = CredentialInfo { kind: Some("k".into()), scopes, ..Default::default() };
        prop_assert_ne!(decide(&policy, principal(vec![], vec![], vec![]), Some(credential), &action), Code::Allowed);
    }
}

/// Writes a JSON value as block-style YAML (the shapes a policy uses).
fn yaml(value: &serde_json::Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::Object(m) if !m.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        yaml(v, indent + 2, out);
                    }
                    serde_json::Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        for item in a {
                            out.push_str(&format!("{pad}  - {}\n", serde_json::to_string(item).unwrap()));
                        }
                    }
                    other => out.push_str(&format!("{pad}{k}: {}\n", serde_json::to_string(other).unwrap())),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", serde_json::to_string(other).unwrap())),
    }
}

fn policy_doc() -> impl Strategy<Value = serde_json::Value> {
    (
        prop::collection::vec((prop::collection::vec(pattern(), 0..4), prop::collection::vec(any::<prop::sample::Index>(), 0..3)), 1..5),
        prop::collection::vec(pattern(), 1..3),
    )
        .prop_map(|(roles, allowed)| {
            let mut doc = serde_json::json!({
                "version": 1,
                "permissions": all_permissions(),
                "roles": {},
                "access_levels": {"deployment": {"read": ["deployments:read"], "write": ["deployments:write"], "admin": ["deployments:*"]}},
                "credentials": {"k": {"type": "api_key", "prefix": "pmo_k", "acts_as": "owner", "allowed": allowed}},
            });
            for (i, (perms, parents)) in roles.iter().enumerate() {
                let mut inherits: Vec<String> =
                    if i == 0 { vec![] } else { parents.iter().map(|p| format!("r{}", p.index(i))).collect() };
                inherits.sort();
                inherits.dedup();
                doc["roles"][format!("r{i}")] = serde_json::json!({"permissions": perms, "inherits": inherits});
            }
            doc
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn a_decision_is_identical_whichever_format_the_policy_came_in(
        doc in policy_doc(),
        roles in prop::collection::vec(0usize..5, 0..3),
        grant in prop::option::of(prop::sample::select(vec!["read", "write", "admin"])),
        scopes in prop::option::of(prop::collection::vec(pattern(), 0..3)),
        action in prop::sample::select(all_permissions()),
    ) {
        let json = serde_json::to_string(&doc).unwrap();
        let mut yaml_text = String::new();
        yaml(&doc, 0, &mut yaml_text);
        let toml_text = toml::to_string(&doc).unwrap();
        let policies = [
            Policy::from_json(&json).unwrap(),
            Policy::from_yaml(&yaml_text).unwrap_or_else(|e| panic!("{e}\n{yaml_text}")),
            Policy::from_toml(&toml_text).unwrap_or_else(|e| panic!("{e}\n{toml_text}")),
        ];
        let record = IdentityRecord {
            principal: PrincipalRecord {
                id: "user:p".into(),
                roles: roles.iter().map(|r| format!("r{r}")).collect(),
                grants: grant.into_iter().map(|level| permiso::Grant { resource: "deployment:web".into(), level: level.into() }).collect(),
                ..Default::default()
            },
            credential: Some(CredentialInfo { kind: Some("k".into()), scopes, ..Default::default() }),
        };
        let decisions: Vec<(Code, Vec<String>)> = policies.iter().map(|p| {
            let identity = p.identity(record.clone()).unwrap();
            let d = p.authorize(&identity, Check::new(&action).on("deployment:web"), NOW);
            (d.code(), d.missing().map(str::to_owned).collect())
        }).collect();
        prop_assert_eq!(&decisions[0], &decisions[1]);
        prop_assert_eq!(&decisions[0], &decisions[2]);
        prop_assert_eq!(policies[0].hash(), policies[1].hash());
        prop_assert_eq!(policies[0].hash(), policies[2].hash());
    }

    #[test]
    fn a_rotated_key_never_outlives_or_outscopes_its_predecessor(
        old_scopes in prop::option::of(prop::collection::vec(pattern(), 0..4)),
        new_scopes in prop::option::of(prop::collection::vec(pattern(), 0..4)),
        old_expiry in prop::option::of(1i64..100_000),
        new_expiry in prop::option::of(1i64..200_000),
        grace in 0i64..200_000,
    ) {
        let policy = Policy::from_json(&serde_json::json!({
            "version": 1, "permissions": all_permissions(),
            "credentials": {"k": {"type": "api_key", "prefix": "pmo_k"}},
        }).to_string()).unwrap();
        let old = policy.generate_key("k", "user:1", &NewKey {
            scopes: old_scopes.clone(), expires_at: old_expiry.map(|e| NOW + e), ..Default::default()
        }, NOW).unwrap();
        let rotate = permiso::RotateKey { grace, scopes: new_scopes, expires_at: new_expiry.map(|e| NOW + e), ..Default::default() };
        if let Ok(rotation) = policy.rotate_key(&old.record, &rotate, NOW) {
            let new = &rotation.new.record;
            if let Some(old_at) = old.record.expires_at {
                prop_assert!(new.expires_at.is_some_and(|at| at <= old_at), "outlived: {:?} > {old_at}", new.expires_at);
                prop_assert!(rotation.old.expires_at.is_some_and(|at| at <= old_at));
            }
            prop_assert!(rotation.old.expires_at.is_some_and(|at| at <= NOW + grace));
            // Every action the new key's scopes admit, the old key's admit too.
            let can = |scopes: &Option<Vec<String>>, action: &str| {
                let identity = policy.identity(IdentityRecord {
                    principal: PrincipalRecord { id: "user:1".into(), allow: vec!["*".into()], ..Default::default() },
                    credential: Some(CredentialInfo { kind: Some("k".into()), scopes: scopes.clone(), ..Default::default() }),
                }).unwrap();
                policy.authorize(&identity, Check::new(action), NOW).allowed()
            };
            for action in all_permissions() {
                if can(&new.scopes, &action) {
                    prop_assert!(can(&old.record.scopes, &action), "{action} out-scopes the old key");
                }
            }
        }
    }

    #[test]
    fn delegation_never_grants_more_than_the_delegating_identity_holds(
        (policy, roles) in policy(),
        requested in prop::collection::vec(pattern(), 0..4),
        keep in prop::collection::vec(any::<bool>(), 0..6),
    ) {
        // A jwt kind to delegate through (HMAC key of 32 bytes).
        let mut doc = serde_json::to_value(policy.document()).unwrap();
        doc["credentials"]["s"] = serde_json::json!({
            "type": "jwt", "issuer": "https://i", "audience": "a", "algorithms": ["HS256"],
            "jwks": {"keys": [{"kty": "oct", "kid": "k", "k": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]},
        });
        let policy = Policy::from_value(&doc).unwrap();
        let chosen: Vec<String> = roles.iter().zip(keep.iter().chain(std::iter::repeat(&true))).filter(|(_, k)| **k).map(|(r, _)| r.clone()).collect();
        let record = IdentityRecord { principal: principal(chosen, vec![], vec![]), credential: None };
        let identity = policy.identity(record.clone()).unwrap();
        let key = permiso::SigningKey::hmac("HS256", &(0u8..32).collect::<Vec<_>>()).unwrap().with_kid("k");
        let request = permiso::DelegationRequest { actor: "app".into(), scopes: requested, audience: None, lifetime: 60 };
        if let Ok(token) = policy.delegate("s", &identity, &request, &key, NOW) {
            let verified = policy.verify_jwt(&token, &permiso::VerifyTokenOptions::at(NOW)).unwrap();
            let delegated = policy.token_identity(&verified, Some(&record.principal)).unwrap();
            for action in all_permissions() {
                if policy.authorize(&delegated, Check::new(&action), NOW).allowed() {
                    prop_assert!(policy.authorize(&identity, Check::new(&action), NOW).allowed(), "{action} escalated");
                }
            }
        }
    }
}
