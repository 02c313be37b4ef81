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
        prop_assert!(policy.verify_key(&mutated, &generated.record, &VerifyKeyOptions::at(NOW)).is_err());
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
