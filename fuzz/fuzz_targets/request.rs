//! authorize_request on arbitrary methods, paths and headers, and
//! authorize_route on arbitrary templates and parameters, never panic and,
//! with no key records and no valid signature, never allow.
#![no_main]
use libfuzzer_sys::fuzz_target;
use permiso::{HostData, PrincipalRecord, Request, RouteRequest};

#[path = "common.rs"]
mod common;

fuzz_target!(|input: (String, String, Vec<(String, String)>)| {
    let (method, path, headers) = input;
    let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let principals = [PrincipalRecord {
        id: "user:carol".into(),
        roles: vec!["admin".into()],
        ..Default::default()
    }];
    let host = HostData {
        principals: &principals,
        now: common::NOW,
        ..Default::default()
    };
    let policy = common::requests();
    let request = Request {
        method: &method,
        path: &path,
        headers: &borrowed,
    };
    let decision = policy.authorize_request(&request, &host);
    assert!(!decision.allowed(), "allowed without credentials: {decision:?}");
    let _ = policy.classify(&request);
    let _ = decision.audit_json();
    // The same input as a route the framework matched: the path as its
    // template, the headers also as its parameters.
    let route = RouteRequest {
        method: &method,
        template: &path,
        params: &borrowed,
        headers: &borrowed,
    };
    let decision = policy.authorize_route(&route, &host);
    assert!(!decision.allowed(), "route allowed without credentials: {decision:?}");
    let _ = policy.classify_route(&route);
});
