//! Search equals evaluation: over random policies (roles with inheritance,
//! rules with and without roles, principal grants, allow and deny entries),
//! principals and resources, every AuthZEN search returns exactly the
//! candidates for which an access evaluation says true, and paging through
//! a search with its tokens neither drops nor repeats a result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::atomic::{AtomicUsize, Ordering};

use permiso::authzen::Api;
use permiso::{HostData, Policy, PrincipalRecord, ResourceRecord};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

const TYPES: [&str; 2] = ["doc", "folder"];
const ACTIONS: [&str; 3] = ["view", "edit", "delete"];
const NOW: i64 = 1_767_225_600;
const DEPTS: [&str; 2] = ["a", "b"];
const LEVELS: [&str; 3] = ["low", "mid", "high"];

fn permissions() -> Vec<String> {
    TYPES
        .iter()
        .flat_map(|t| ACTIONS.iter().map(move |a| format!("{t}:{a}")))
        .collect()
}

/// A pattern: a permission, `type:*` or `*`.
fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (0..TYPES.len(), 0..ACTIONS.len()).prop_map(|(t, a)| format!("{}:{}", TYPES[t], ACTIONS[a])),
        2 => (0..TYPES.len()).prop_map(|t| format!("{}:*", TYPES[t])),
        1 => Just("*".to_owned()),
    ]
}

/// One `when` entry from the forms the rules language has.
fn condition() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        Just(("resource.owner".to_owned(), json!("principal.id"))),
        Just(("resource.dept".to_owned(), json!("principal.dept"))),
        (1..3i64).prop_map(|l| ("resource.level".to_owned(), json!({ "equals": l }))),
        Just(("resource.team".to_owned(), json!({ "in": "principal.teams" }))),
        Just(("principal.type".to_owned(), json!({ "equals": "user" }))),
        Just(("resource.type".to_owned(), json!({ "equals": "doc" }))),
        Just(("resource.locked".to_owned(), json!({ "equals": false }))),
    ]
}

fn policy() -> impl Strategy<Value = Value> {
    let roles = prop::collection::vec((prop::collection::vec(pattern(), 0..3), any::<u8>()), 3);
    let rule = (
        prop::option::of(prop::collection::vec(0..3usize, 1..3)),
        prop::collection::vec(pattern(), 1..3),
        prop::collection::vec(condition(), 1..3),
    );
    (roles, prop::collection::vec(rule, 0..5)).prop_map(|(roles, rules)| {
        let mut doc = json!({ "version": 1, "permissions": permissions(), "roles": {}, "rules": [] });
        for (i, (perms, inherit)) in roles.iter().enumerate() {
            // Inheritance only from lower-numbered roles: no cycles.
            let inherits: Vec<String> = (0..i)
                .filter(|j| inherit & (1 << j) != 0)
                .map(|j| format!("r{j}"))
                .collect();
            doc["roles"][format!("r{i}")] = json!({ "permissions": perms, "inherits": inherits });
        }
        for (roles, perms, when) in rules {
            let when: serde_json::Map<String, Value> = when.into_iter().collect();
            let mut rule = json!({ "permissions": perms, "when": when });
            if let Some(roles) = roles {
                rule["roles"] = json!(roles.iter().map(|r| format!("r{r}")).collect::<Vec<_>>());
            }
            doc["rules"].as_array_mut().unwrap().push(rule);
        }
        doc
    })
}

fn principals() -> impl Strategy<Value = Vec<PrincipalRecord>> {
    let one = (
        any::<bool>(),
        prop::collection::vec(0..3usize, 0..3),
        prop::collection::vec(pattern(), 0..2),
        prop::collection::vec(pattern(), 0..2),
        prop::collection::vec((0..TYPES.len(), 0..6usize, 0..3usize), 0..2),
        (0..2usize, prop::collection::vec(0..3usize, 0..3), any::<bool>()),
    );
    prop::collection::vec(one, 1..6).prop_map(|list| {
        list.into_iter()
            .enumerate()
            .map(|(i, (user, roles, allow, deny, grants, (dept, teams, bare)))| {
                let attributes = if bare {
                    json!({})
                } else {
                    json!({ "dept": DEPTS[dept], "teams": teams.iter().map(|t| format!("t{t}")).collect::<Vec<_>>() })
                };
                let record = json!({
                    "id": if user { format!("user:u{i}") } else { format!("service:u{i}") },
                    "roles": roles.iter().map(|r| format!("r{r}")).collect::<Vec<_>>(),
                    "allow": allow,
                    "deny": deny,
                    "grants": grants.iter().map(|(t, id, level)| json!({
                        "resource": if *id == 5 { format!("{}:*", TYPES[*t]) } else { format!("{}:x{id}", TYPES[*t]) },
                        "level": LEVELS[*level],
                    })).collect::<Vec<_>>(),
                    "attributes": attributes,
                });
                serde_json::from_value(record).unwrap()
            })
            .collect()
    })
}

fn resources() -> impl Strategy<Value = Vec<ResourceRecord>> {
    let one = (
        0..TYPES.len(),
        0..6usize,
        0..2usize,
        1..3i64,
        0..3usize,
        any::<bool>(),
        any::<bool>(),
    );
    prop::collection::vec(one, 0..9).prop_map(|list| {
        list.into_iter()
            .enumerate()
            .map(|(i, (t, owner, dept, level, team, locked, bare))| {
                let attributes = if bare {
                    json!({})
                } else {
                    json!({ "owner": format!("u{owner}"), "dept": DEPTS[dept], "level": level,
                            "team": format!("t{team}"), "locked": locked })
                };
                serde_json::from_value(json!({ "id": format!("{}:x{i}", TYPES[t]), "attributes": attributes })).unwrap()
            })
            .collect()
    })
}

fn split(id: &str) -> (&str, &str) {
    id.split_once(':').unwrap()
}

fn ask(policy: &Policy, api: Api, request: &Value, host: &HostData<'_>) -> Value {
    serde_json::to_value(policy.authzen(api, request, host).unwrap()).unwrap()
}

fn allowed(policy: &Policy, host: &HostData<'_>, subject: &str, action: &str, resource: &str) -> bool {
    let ((st, si), (rt, ri)) = (split(subject), split(resource));
    let request = json!({ "subject": { "type": st, "id": si }, "action": { "name": action },
                          "resource": { "type": rt, "id": ri } });
    ask(policy, Api::Evaluation, &request, host)["decision"] == json!(true)
}

fn ids(response: &Value, key: &str) -> Vec<String> {
    response["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_str().unwrap().to_owned())
        .collect()
}

/// Pages through a search `limit` results at a time.
fn paged(policy: &Policy, api: Api, request: &Value, host: &HostData<'_>, limit: u64, key: &str) -> Vec<String> {
    let mut request = request.clone();
    request["page"] = json!({ "limit": limit });
    let mut out = Vec::new();
    loop {
        let response = ask(policy, api, &request, host);
        let page = ids(&response, key);
        assert!(page.len() as u64 <= limit);
        assert_eq!(response["page"]["count"], json!(page.len()));
        out.extend(page);
        let next = response["page"]["next_token"].as_str().unwrap().to_owned();
        if next.is_empty() {
            return out;
        }
        request["page"]["token"] = json!(next);
    }
}

static COMPARED: AtomicUsize = AtomicUsize::new(0);

fn check(doc: &Value, principals: &[PrincipalRecord], resources: &[ResourceRecord], limit: u64) {
    let mut doc = doc.clone();
    doc["access_levels"] = json!({
        "doc": { "low": ["doc:view"], "mid": ["doc:edit"], "high": ["doc:*"] },
        "folder": { "low": ["folder:view"], "mid": ["folder:edit"], "high": ["folder:*"] },
    });
    let policy = Policy::from_value(&doc).unwrap();
    let host = HostData {
        principals,
        resources,
        now: NOW,
        ..HostData::default()
    };
    let mut compared = 0;
    for action in ACTIONS {
        // Resource search, per subject and type.
        for p in principals {
            let (st, si) = split(&p.id);
            for t in TYPES {
                let request = json!({ "subject": { "type": st, "id": si }, "action": { "name": action },
                                      "resource": { "type": t } });
                let found = ids(&ask(&policy, Api::SearchResource, &request, &host), "id");
                let expected: Vec<String> = resources
                    .iter()
                    .filter(|r| split(&r.id).0 == t && allowed(&policy, &host, &p.id, action, &r.id))
                    .map(|r| split(&r.id).1.to_owned())
                    .collect();
                compared += resources.len();
                assert_eq!(found, expected, "search/resource {} {action} {t}", p.id);
                assert_eq!(paged(&policy, Api::SearchResource, &request, &host, limit, "id"), found);
            }
        }
        // Subject search, per resource and subject type.
        for r in resources {
            let (rt, ri) = split(&r.id);
            for st in ["user", "service"] {
                let request = json!({ "subject": { "type": st }, "action": { "name": action },
                                      "resource": { "type": rt, "id": ri } });
                let found = ids(&ask(&policy, Api::SearchSubject, &request, &host), "id");
                let expected: Vec<String> = principals
                    .iter()
                    .filter(|p| split(&p.id).0 == st && allowed(&policy, &host, &p.id, action, &r.id))
                    .map(|p| split(&p.id).1.to_owned())
                    .collect();
                compared += principals.len();
                assert_eq!(found, expected, "search/subject {st} {action} {}", r.id);
                assert_eq!(paged(&policy, Api::SearchSubject, &request, &host, limit, "id"), found);
            }
        }
    }
    // Action search, per subject and resource.
    for p in principals {
        for r in resources {
            let ((st, si), (rt, ri)) = (split(&p.id), split(&r.id));
            let request = json!({ "subject": { "type": st, "id": si }, "resource": { "type": rt, "id": ri } });
            let found = ids(&ask(&policy, Api::SearchAction, &request, &host), "name");
            let expected: Vec<String> = ACTIONS
                .iter()
                .filter(|a| allowed(&policy, &host, &p.id, a, &r.id))
                .map(|a| (*a).to_owned())
                .collect();
            compared += ACTIONS.len();
            assert_eq!(found, expected, "search/action {} {}", p.id, r.id);
            assert_eq!(paged(&policy, Api::SearchAction, &request, &host, limit, "name"), found);
        }
    }
    COMPARED.fetch_add(compared, Ordering::Relaxed);
}

#[test]
fn every_search_returns_exactly_what_evaluation_allows() {
    let mut runner = TestRunner::new(Config {
        cases: 700,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(policy(), principals(), resources(), 1..4u64),
            |(doc, principals, resources, limit)| {
                check(&doc, &principals, &resources, limit);
                Ok(())
            },
        )
        .unwrap();
    let compared = COMPARED.load(Ordering::Relaxed);
    println!("search equals evaluation: {compared} candidates compared");
    assert!(compared >= 100_000, "only {compared} candidates were compared");
}
