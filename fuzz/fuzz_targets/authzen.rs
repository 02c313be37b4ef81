//! AuthZEN requests of every API from arbitrary JSON never panic: each is
//! an answer or a coded error, both serialize, and a search only ever
//! returns candidates the host holds. Read in one pass (from the text and
//! from the value), a request gets the same answer or error as read as a
//! JSON value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permiso::authzen::{answer_request, Api, AuthzenResponse, Found, Request};
use permiso::{HostData, PrincipalRecord, ResourceRecord};

#[path = "common.rs"]
mod common;

const APIS: [Api; 5] = [
    Api::Evaluation,
    Api::Evaluations,
    Api::SearchSubject,
    Api::SearchResource,
    Api::SearchAction,
];

fuzz_target!(|data: &[u8]| {
    let Some((selector, text)) = data.split_first() else {
        return;
    };
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(text) else {
        return;
    };
    let (policy, principals, resources) = common::authzen();
    let host = HostData {
        principals: &principals[..],
        resources: &resources[..],
        now: common::NOW,
        ..Default::default()
    };
    let api = APIS[usize::from(*selector) % APIS.len()];
    let by_value = policy.authzen(api, &request, &host);
    if let Ok(text) = std::str::from_utf8(text) {
        let from_text = Request::read_str(api, text, || Ok::<_, ()>(request.clone())).expect("the value is at hand");
        let from_value = Request::read(api, &request, || Ok::<_, ()>(request.clone())).expect("the value is at hand");
        for read in [from_text, from_value] {
            let answer = answer_request(policy, &read, &host, &mut |_, _| {});
            assert_eq!(comparable(&answer), comparable(&by_value), "read in one pass: {text}");
        }
    }
    match by_value {
        Ok(answer) => {
            serde_json::to_string(&answer).expect("an answer serializes");
            if let AuthzenResponse::Search { results, .. } = &answer {
                for found in results {
                    if let Found::Entity { kind, id } = found {
                        let typed = format!("{kind}:{id}");
                        let held = principals
                            .iter()
                            .map(|p: &PrincipalRecord| &p.id)
                            .chain(resources.iter().map(|r: &ResourceRecord| &r.id));
                        assert!(
                            held.into_iter().any(|h| *h == typed),
                            "search found `{typed}`, which the host does not hold"
                        );
                    }
                }
            }
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            serde_json::to_string(&e).expect("an error serializes");
        }
    }
});

/// An answer or error as JSON, decision ids (unique per decision) blanked.
fn comparable(answer: &Result<AuthzenResponse, permiso::wire::Error>) -> serde_json::Value {
    fn blank(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(id) = map.get_mut("decision_id") {
                    *id = serde_json::Value::Null;
                }
                map.values_mut().for_each(blank);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(blank),
            _ => {}
        }
    }
    let mut value = match answer {
        Ok(answer) => serde_json::json!({ "ok": answer }),
        Err(e) => serde_json::json!({ "error": e }),
    };
    blank(&mut value);
    value
}
