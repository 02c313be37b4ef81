//! The one-pass reader against the JSON-value reader: every request, of
//! either shape, read either way, gets the same answer or the same error,
//! and the common shapes are read in one pass.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde_json::{json, Value};

use super::{answer, answer_request, Api, Read, Request};
use crate::{HostData, Policy, PrincipalRecord, ResourceRecord};

const NOW: i64 = 1_767_225_600;

fn policy() -> Policy {
    Policy::from_yaml(
        r#"
version: 1
permissions: [doc:view, doc:edit]
roles:
  viewer: { permissions: [doc:view] }
rules:
  - permissions: [doc:edit]
    when:
      resource.owner: principal.id
routes:
  - { method: GET, path: "/docs/{id}", permission: doc:view, resource: "doc:{id}" }
"#,
    )
    .unwrap()
}

fn principals() -> Vec<PrincipalRecord> {
    serde_json::from_value(json!([
        { "id": "user:alice", "roles": ["viewer"] },
        { "id": "user:bob" }
    ]))
    .unwrap()
}

fn resources() -> Vec<ResourceRecord> {
    serde_json::from_value(json!([{ "id": "doc:1", "attributes": { "owner": "user:bob" } }])).unwrap()
}

/// An answer as comparable data: decision ids are unique per decision, so
/// they are only checked to be there.
fn comparable(answer: Result<super::AuthzenResponse, crate::wire::Error>) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(id) = map.remove("decision_id") {
                    assert!(id.as_str().is_some_and(|s| !s.is_empty()), "{id}");
                    map.insert("decision_id".into(), json!("<id>"));
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = match answer {
        Ok(response) => json!({ "ok": response }),
        Err(e) => json!({ "error": e }),
    };
    strip(&mut value);
    value
}

/// Both readings of `request`, answered, and whether the one-pass reader
/// took it; JSON text is read in one pass too (a format with its own
/// duplicate-key and number rules).
fn both(api: Api, request: &Value) -> (Value, Value, bool) {
    let policy = policy();
    let (principals, resources) = (principals(), resources());
    let host = HostData {
        principals: &principals,
        resources: &resources,
        now: NOW,
        ..HostData::default()
    };
    let by_value = comparable(answer(&policy, api, request, &host));
    let read = Request::read(api, request, || Ok::<_, ()>(request.clone())).unwrap();
    let one_pass = matches!(read.read, Read::Fields(..));
    let by_fields = comparable(answer_request(&policy, &read, &host, &mut |_, _| {}));
    let text = request.to_string();
    let read = Request::read_str(api, &text, || Ok::<_, ()>(serde_json::from_str(&text).unwrap())).unwrap();
    assert_eq!(
        comparable(answer_request(&policy, &read, &host, &mut |_, _| {})),
        by_value,
        "read from text: {text}"
    );
    (by_value, by_fields, one_pass)
}

fn same(request: Value) -> bool {
    let mut one_pass = true;
    for api in [Api::Evaluation, Api::Evaluations] {
        let (by_value, by_fields, fields) = both(api, &request);
        assert_eq!(by_fields, by_value, "{api:?} {request}");
        one_pass &= fields;
    }
    one_pass
}

#[test]
fn the_common_shapes_are_read_in_one_pass_with_the_same_answers() {
    let alice = json!({ "type": "user", "id": "alice", "properties": { "dept": "a" } });
    let cases = [
        json!({ "subject": alice, "action": { "name": "view" }, "resource": { "type": "doc", "id": "1" } }),
        json!({ "subject": { "type": "user", "id": "bob" }, "action": { "name": "edit" },
                "resource": { "type": "doc", "id": "2", "properties": { "owner": "user:bob", "n": 1.5 } },
                "context": { "ip": "10.0.0.1", "deep": [1, { "x": null }] } }),
        json!({ "subject": { "type": "user", "id": "carol" }, "action": { "name": "view" },
                "resource": { "type": "doc", "id": "1" } }),
        json!({ "subject": alice, "action": { "name": "GET" }, "resource": { "type": "route", "id": "/docs/{id}" } }),
        json!({ "subject": alice, "action": { "name": "view" }, "resource": { "type": "doc", "id": "1" },
                "evaluations": [] }),
        json!({ "subject": alice, "action": { "name": "view" },
                "evaluations": [
                    { "resource": { "type": "doc", "id": "1" } },
                    { "resource": { "type": "doc", "id": "2" }, "action": { "name": "edit" } },
                    { "subject": { "type": "user", "id": "bob" }, "resource": { "type": "doc", "id": "1" },
                      "action": { "name": "edit" } },
                    { "resource": { "type": "doc", "id": "3" }, "action": { "name": "delete" } },
                    {},
                    { "subject": null, "resource": { "type": "doc", "id": "1", "properties": null } },
                    { "resource": { "type": "doc" } },
                    { "resource": { "type": "doc", "id": "1" }, "page": { "token": "t", "limit": 3 } }
                ] }),
        json!({ "subject": alice, "action": { "name": "view" }, "options": {},
                "evaluations": [{ "resource": { "type": "doc", "id": "9" } }] }),
        json!({ "subject": alice, "options": { "evaluations_semantic": "deny_on_first_deny", "other": 1 },
                "evaluations": [
                    { "action": { "name": "view" }, "resource": { "type": "doc", "id": "1" } },
                    { "action": { "name": "edit" }, "resource": { "type": "doc", "id": "1" } },
                    { "action": { "name": "view" }, "resource": { "type": "doc", "id": "2" } }
                ] }),
        json!({ "subject": alice, "options": { "evaluations_semantic": "permit_on_first_permit" },
                "evaluations": [
                    { "action": { "name": "edit" }, "resource": { "type": "doc", "id": "1" } },
                    { "action": { "name": "view" }, "resource": { "type": "doc", "id": "1" } },
                    { "action": { "name": "view" }, "resource": { "type": "doc", "id": "2" } }
                ] }),
        json!({ "subject": alice, "options": { "evaluations_semantic": "execute_all" },
                "evaluations": [{ "action": { "name": "view" }, "resource": { "type": "doc", "id": "1" } }] }),
    ];
    for request in cases {
        assert!(same(request.clone()), "not read in one pass: {request}");
    }
}

#[test]
fn shapes_the_value_reader_refuses_are_answered_by_it() {
    let alice = json!({ "type": "user", "id": "alice" });
    let view = json!({ "name": "view" });
    let doc = json!({ "type": "doc", "id": "1" });
    let cases = [
        json!(["not", "an", "object"]),
        json!("text"),
        json!(null),
        // A struct from a list of its fields in order: serde's derive
        // accepts it, the request's shape does not.
        json!({ "subject": ["user", "alice"], "action": view, "resource": doc }),
        json!({ "subject": alice, "action": ["view"], "resource": doc }),
        json!({ "subject": alice, "action": view, "resource": ["doc", "1"] }),
        json!({ "subject": alice, "action": view, "resource": { "type": "doc", "id": "1", "properties": ["a"] } }),
        json!({ "subject": alice, "action": view, "resource": doc, "page": [null, 3] }),
        json!({ "subject": alice, "action": view, "resource": doc, "options": null }),
        json!({ "subject": alice, "action": view, "resource": doc, "options": [] }),
        json!({ "subject": alice, "action": view, "resource": doc, "options": { "evaluations_semantic": null } }),
        json!({ "subject": alice, "action": view, "resource": doc, "options": { "evaluations_semantic": "any" } }),
        json!({ "subject": alice, "action": view, "resource": doc, "options": { "evaluations_semantic": 1 } }),
        json!({ "subject": alice, "action": view, "resource": doc, "evaluations": null }),
        json!({ "subject": alice, "action": view, "resource": doc, "evaluations": {} }),
        json!({ "subject": alice, "action": view, "evaluations": [doc, 5, null] }),
        json!({ "subject": alice, "action": view, "evaluations": [{ "resource": ["doc", "1"] }] }),
        json!({ "subject": { "type": "user", "id": 7 }, "action": view, "resource": doc }),
        json!({ "subject": { "id": "alice" }, "action": view, "resource": doc }),
        json!({ "subject": { "type": null, "id": "alice" }, "action": view, "resource": doc }),
        json!({ "subject": alice, "action": { "name": true }, "resource": doc }),
        json!({ "subject": alice, "action": view, "resource": doc, "page": { "limit": 2.5 } }),
        json!({ "subject": alice, "action": view, "resource": doc, "page": { "limit": -1 } }),
        json!({ "subject": alice, "action": view, "resource": doc, "page": { "token": 5 } }),
        json!({ "subject": alice, "action": view, "evaluations": [{ "resource": doc, "page": { "limit": "2" } }] }),
    ];
    for request in cases {
        same(request);
    }
}

#[test]
fn text_is_read_in_one_pass_only_when_it_holds_one_request() {
    let one = r#"{"subject": {"type": "user", "id": "alice"}, "action": {"name": "view"},
                  "resource": {"type": "doc", "id": "1"}}"#;
    let read = |text: &str| Request::read_str(Api::Evaluation, text, || serde_json::from_str::<Value>(text));
    assert!(matches!(read(one).unwrap().read, Read::Fields(..)));
    // Text after the request, or a field given twice: the value reader
    // decides (a syntax error; the last of the two).
    assert!(read(&format!("{one} {one}")).is_err());
    let twice = r#"{"subject": {"type": "user", "id": "bob"}, "subject": {"type": "user", "id": "alice"},
                    "action": {"name": "view"}, "resource": {"type": "doc", "id": "1"}}"#;
    let request = read(twice).unwrap();
    assert!(matches!(&request.read, Read::Value(v) if v["subject"]["id"] == "alice"));
    // A search is always read as a value.
    let search = Request::read_str(Api::SearchResource, one, || serde_json::from_str::<Value>(one)).unwrap();
    assert!(matches!(search.read, Read::Value(..)));
}

/// A slot of a request: absent, `null` (also absent) or present.
fn slot(good: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Option<Value>> {
    prop_oneof![2 => Just(None), 1 => Just(Some(Value::Null)), 8 => good.prop_map(Some)].boxed()
}

fn text_or(values: &'static [&'static str]) -> BoxedStrategy<Option<Value>> {
    slot(prop::sample::select(values).prop_map(Value::from))
}

fn object(fields: Vec<(&'static str, Option<Value>)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?)))
            .collect(),
    )
}

fn fields() -> BoxedStrategy<Vec<(&'static str, Option<Value>)>> {
    let subject = (
        prop::sample::select(&["user", "team"][..]),
        text_or(&["alice", "bob", "carol"]),
    )
        .prop_map(|(t, id)| object(vec![("type", Some(t.into())), ("id", id)]));
    let action = text_or(&["view", "edit", "GET", "delete"]).prop_map(|n| object(vec![("name", n)]));
    let properties = slot(prop::sample::select(vec![
        json!({ "owner": "user:bob" }),
        json!({ "owner": 1.5 }),
        json!({}),
    ]));
    let resource = (
        prop::sample::select(&["doc", "route"][..]),
        text_or(&["1", "2", "/docs/{id}"]),
        properties,
    )
        .prop_map(|(t, id, p)| object(vec![("type", Some(t.into())), ("id", id), ("properties", p)]));
    let page = (text_or(&["t"]), slot(prop::sample::select(vec![json!(3), json!(0)])))
        .prop_map(|(token, limit)| object(vec![("token", token), ("limit", limit)]));
    (
        slot(subject),
        slot(action),
        slot(resource),
        prop::option::weighted(0.1, slot(page)),
    )
        .prop_map(|(s, a, r, p)| vec![("subject", s), ("action", a), ("resource", r), ("page", p.flatten())])
        .boxed()
}

/// A request the value reader reads without a shape error.
fn request() -> BoxedStrategy<Value> {
    let semantic = prop::sample::select(&["execute_all", "deny_on_first_deny", "permit_on_first_permit"][..])
        .prop_map(|s| object(vec![("evaluations_semantic", Some(s.into()))]));
    let items = prop::option::of(prop::collection::vec(fields().prop_map(object), 0..5).prop_map(Value::Array));
    (
        fields(),
        items,
        prop::option::of(semantic),
        prop::option::of(Just(json!({ "any": [1, "two"] }))),
    )
        .prop_map(|(mut top, items, options, context)| {
            top.extend([("evaluations", items), ("options", options), ("context", context)]);
            object(top)
        })
        .boxed()
}

/// Values of every type, among them lists a struct read in order would
/// take (`["user", "alice"]` as a subject).
const WRONG: [&str; 11] = [
    "null",
    "5",
    "2.5",
    "-1",
    "true",
    "\"x\"",
    "[]",
    "{}",
    "[\"user\", \"alice\"]",
    "[\"doc\", \"1\", {}]",
    "[{}]",
];

/// Where each value under `value` is, as JSON pointers in document order.
fn places(value: &Value, at: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        let place = format!("{at}/{key}");
        out.push(place.clone());
        places(child, &place, out);
    }
}

/// `request` with the `at`-th value under it replaced by `wrong`, or
/// removed when `wrong` is `None`.
fn corrupt(request: &mut Value, at: usize, wrong: Option<Value>) {
    let mut all = Vec::new();
    places(request, "", &mut all);
    let Some(place) = all.get(at % all.len().max(1)) else {
        return;
    };
    match wrong {
        Some(wrong) => *request.pointer_mut(place).unwrap() = wrong,
        None => {
            let (parent, key) = place.rsplit_once('/').unwrap();
            match request.pointer_mut(parent).unwrap() {
                Value::Object(map) => {
                    map.remove(key);
                }
                Value::Array(items) => {
                    items.remove(key.parse::<usize>().unwrap());
                }
                _ => unreachable!("a value's parent is an object or a list"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Requests of the usual shape, and the same with one value anywhere in
    /// them replaced by one of another type, or removed.
    #[test]
    fn any_request_gets_the_same_answer_read_either_way(
        request in request(),
        wrong in prop::option::weighted(0.7, (any::<usize>(), prop::option::weighted(0.85, prop::sample::select(&WRONG[..])))),
    ) {
        let mut request = request;
        if let Some((at, value)) = wrong {
            corrupt(&mut request, at, value.map(|v| serde_json::from_str(v).unwrap()));
        }
        same(request);
    }
}
