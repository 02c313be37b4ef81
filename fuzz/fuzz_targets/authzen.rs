//! AuthZEN requests of every API from arbitrary JSON never panic: each is
//! an answer or a coded error, both serialize, and a search only ever
//! returns candidates the host holds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permiso::authzen::{Api, AuthzenResponse, Found};
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
    match policy.authzen(api, &request, &host) {
        Ok(answer) => {
            serde_json::to_string(&answer).expect("an answer serializes");
            if let AuthzenResponse::Search { results, .. } = &answer {
                for found in results {
                    if let Found::Entity { kind, id } = found {
                        let typed = format!("{kind}:{id}");
                        let held = principals.iter().map(|p: &PrincipalRecord| &p.id).chain(resources.iter().map(|r: &ResourceRecord| &r.id));
                        assert!(held.into_iter().any(|h| *h == typed), "search found `{typed}`, which the host does not hold");
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
